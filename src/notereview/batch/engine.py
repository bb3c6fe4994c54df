"""What an engine (a driver of the one batch path: ``notereview.engines``) works with: the run
(:func:`run_batch`, given the engine's :data:`Scorer`), a chunk's task and its assembly, the
scoring core, and the writing of a chunk's parts. Engines import these names only."""

from __future__ import annotations

from notereview.batch._chunks import ChunkDone, WorkerConfig, file_side_rows, write_chunk_parts
from notereview.batch._model import BatchError, BatchOptions, BatchSummary
from notereview.batch._rows import score_case_files
from notereview.batch._run import Scorer, run_batch
from notereview.batch.tables import ROW_TABLES
from notereview.extract import ChunkTask, assemble_chunk, remove_tree

__all__ = [
    "ROW_TABLES",
    "BatchError",
    "BatchOptions",
    "BatchSummary",
    "ChunkDone",
    "ChunkTask",
    "Scorer",
    "WorkerConfig",
    "assemble_chunk",
    "file_side_rows",
    "remove_tree",
    "run_batch",
    "score_case_files",
    "write_chunk_parts",
]
