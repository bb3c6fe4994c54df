"""Benchmarks for notereview's batch scoring (``make bench``; see bench/run.py)."""
