"""Engines: thin drivers of the one batch path (:mod:`notereview.batch`), each running its
chunks somewhere: ``local`` (a local process pool, or this process) and ``spark`` (needs the
``notereview[spark]`` extra). Each calls the same scoring core and writes the same files."""
