"""The in-memory case of a batch run: an extract already ingested (a small extract, tests,
evaluation), scored in this process as one chunk, with the batch run's scoring core
(:func:`._rows.score_case_files`), its file-side rows (:func:`._chunks.file_side_rows`), its
table builders and writer (:mod:`._assembly`) and its run.json builder (:mod:`._report`).
A test holds it to a chunked multi-worker run's files (tests/test_batch_one_path.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from notereview.batch._assembly import (
    monitoring_frame,
    reconciliation_frame,
    write_frame,
    write_table,
)
from notereview.batch._chunks import file_side_rows
from notereview.batch._model import BatchError
from notereview.batch._report import build_run_info, reconciliation_info
from notereview.batch._rows import extract_fingerprint, score_case_files
from notereview.batch.tables import FILE_TABLES, ROW_TABLES, columns
from notereview.reconciliation import statutory_dates

if TYPE_CHECKING:
    from notereview.extract import Extract
    from notereview.review import Reviewer

RULES_MODELS = {"path": "rules", "transformer": "not used: the rules path"}


@dataclass
class RunResult:
    """A run scored in memory: run.json's content and every table whole."""

    run_info: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    reviews_seen: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    grade_bands: dict[str, int] | None = None  # counted from tables["cases"] by the report


def rank_cases(cases: pd.DataFrame) -> pd.DataFrame:
    """rank 1 = weakest (lowest score; ties by child_id), reset index."""
    if cases.empty:
        return cases
    ordered = cases.sort_values(["score", "child_id"], kind="mergesort").reset_index(drop=True)
    ordered["rank"] = range(1, len(ordered) + 1)
    return ordered


def score_extract(
    extract: Extract,
    reviewer: Reviewer,
    *,
    source: str | Path | None = None,
    keep_records: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RunResult:
    """Review every accepted case file of an ingested extract: the batch run with one worker
    and one chunk, its tables kept in memory."""
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    versions = reviewer.versions()
    t_load = time.perf_counter() - t0
    names = (*ROW_TABLES, "records") if keep_records else ROW_TABLES
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in (*names, "monitoring")}
    reconciled: list[dict[str, Any]] = []
    annex = extract.annex_a
    dates = statutory_dates(annex) if annex is not None else None
    t1 = time.perf_counter()
    n = 0
    scored = score_case_files(
        reviewer, extract.case_files(), extract.as_of, extract.tables_absent, keep_records
    )
    for case, case_rows in scored:
        for k in names:
            rows[k].extend(case_rows.get(k, ()))
        side = file_side_rows([case], extract.as_of, dates)
        rows["monitoring"] += side["monitoring"]
        reconciled += side.get("reconciliation", [])
        n += 1
        if progress is not None:
            progress(n)
    t_review = time.perf_counter() - t1
    cases = pd.DataFrame(rows["cases"], columns=columns("cases"))
    tables = {
        "cases": rank_cases(cases.astype({"p_inadequate": float})),
        **{k: pd.DataFrame(rows[k], columns=columns(k)) for k in names if k != "cases"},
        "quarantine": extract.quarantine_frame(),
        "reconciliation": reconciliation_frame(list(extract.children_findings), reconciled),
        "monitoring": monitoring_frame(rows["monitoring"]),
    }
    run_info = build_run_info(
        as_of=extract.as_of,
        started=started,
        counts=extract.counts,
        children_scored=n,
        tables_absent=list(extract.tables_absent),
        fingerprint=extract_fingerprint(source) if source is not None else None,
        versions=versions,
        models=dict(RULES_MODELS),
        notes=extract.notes,
        reconciliation=reconciliation_info(tables["reconciliation"], annex),
        timings={"load": t_load, "review": t_review},
    )
    return RunResult(run_info=run_info, tables=tables, reviews_seen=n)


def write_outputs(result: RunResult, out_dir: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write the run's files into out_dir (with the batch run's writer); the paths written."""
    if fmt not in ("parquet", "csv"):
        raise BatchError(f"unknown output format {fmt!r}; use parquet or csv")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    written = []
    for name in FILE_TABLES:
        path = out / f"{name}.{fmt}"
        frame = result.tables[name]
        if name in ROW_TABLES:  # as a batch run writes its chunks' parts: one part here
            parts = [pa.Table.from_pandas(frame, preserve_index=False)] if len(frame) else []
            write_table(parts, name, path, fmt)
        else:
            write_frame(frame, path, fmt)
        written.append(path)
    result.run_info["timings_s"]["write"] = round(time.perf_counter() - t0, 3)
    run_json = out / "run.json"
    run_json.write_text(json.dumps(result.run_info, indent=2, default=str) + "\n", encoding="utf-8")
    written.append(run_json)
    return written
