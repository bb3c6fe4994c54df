"""The local engine: the batch path's chunks scored in a local process pool (one Reviewer per
worker), or in this process with one worker. The default of ``notereview score``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from notereview.batch.engine import BatchOptions, BatchSummary, run_batch


def run_local(
    extract: str | Path,
    out_dir: str | Path,
    options: BatchOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Score an extract into ``out_dir`` on this machine (``options.workers`` processes; None:
    one per core; 1: this process)."""
    return run_batch(extract, out_dir, options, progress)
