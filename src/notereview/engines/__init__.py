"""Engines that run batch scoring elsewhere than the local process pool (``spark``: needs the
``notereview[spark]`` extra). Each calls the same scoring core as the local engine."""
