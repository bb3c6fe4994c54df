"""Batch scoring of an extract: ingest → review every case file → the files of a run.

One path. A run is read in chunks of whole case files (pass 1:
:func:`notereview.extract.partition_extract`), each chunk scored by the one scoring core
(:mod:`._rows`, :mod:`._chunks`) in an engine's workers (the local process pool of
:mod:`._pool`, this process with one worker, or Spark: :mod:`notereview.engines`), and the
chunks' parts assembled into the run's files (:mod:`._assembly`) and run.json
(:mod:`._report`). :func:`score_extract` is the same path for an extract already in memory:
one worker, one chunk, its tables kept.

The output shape (CONTRACT.md "What a run writes": cases, criteria, visits, plan_actions,
quarantine, reconciliation, monitoring, Parquet or CSV, and run.json) is declared once in
:mod:`notereview.batch.tables`.

Names are imported on first use (PEP 562): the store imports :mod:`.tables` without pandas,
pyarrow or the scoring modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from notereview._lazy import lazy_getattr

if TYPE_CHECKING:
    from notereview.batch._memory import RunResult, rank_cases, score_extract, write_outputs
    from notereview.batch._model import BatchError, BatchOptions, BatchSummary
    from notereview.batch._report import markdown_report, parse_date, weakest
    from notereview.batch._rows import extract_fingerprint, record_rows, review_rows
    from notereview.batch._run import PARTIAL_DIR, run_batch
    from notereview.batch.tables import (
        CASES_COLUMNS,
        CRITERIA_COLUMNS,
        FILE_TABLES,
        MONITORING_COLUMNS,
        PLAN_ACTIONS_COLUMNS,
        QUARANTINE_COLUMNS,
        RECONCILIATION_COLUMNS,
        RECORDS_COLUMNS,
        VISITS_COLUMNS,
    )

_EXPORTS: dict[str, str] = {
    "RunResult": "_memory",
    "rank_cases": "_memory",
    "score_extract": "_memory",
    "write_outputs": "_memory",
    "BatchError": "_model",
    "BatchOptions": "_model",
    "BatchSummary": "_model",
    "markdown_report": "_report",
    "parse_date": "_report",
    "weakest": "_report",
    "extract_fingerprint": "_rows",
    "record_rows": "_rows",
    "review_rows": "_rows",
    "PARTIAL_DIR": "_run",
    "run_batch": "_run",
    "CASES_COLUMNS": "tables",
    "CRITERIA_COLUMNS": "tables",
    "FILE_TABLES": "tables",
    "MONITORING_COLUMNS": "tables",
    "PLAN_ACTIONS_COLUMNS": "tables",
    "QUARANTINE_COLUMNS": "tables",
    "RECONCILIATION_COLUMNS": "tables",
    "RECORDS_COLUMNS": "tables",
    "VISITS_COLUMNS": "tables",
}

__all__ = [
    "CASES_COLUMNS",
    "CRITERIA_COLUMNS",
    "FILE_TABLES",
    "MONITORING_COLUMNS",
    "PARTIAL_DIR",
    "PLAN_ACTIONS_COLUMNS",
    "QUARANTINE_COLUMNS",
    "RECONCILIATION_COLUMNS",
    "RECORDS_COLUMNS",
    "VISITS_COLUMNS",
    "BatchError",
    "BatchOptions",
    "BatchSummary",
    "RunResult",
    "extract_fingerprint",
    "markdown_report",
    "parse_date",
    "rank_cases",
    "record_rows",
    "review_rows",
    "run_batch",
    "score_extract",
    "weakest",
    "write_outputs",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())
