"""One chunk of a batch run: assemble its case files, score them (or take them from the store's
cache), and write its rows as Parquet parts, renamed into place when complete (a chunk is done
or absent). The local pool, the in-process run and the Spark engine all go through here."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from notereview.batch._rows import score_case_files
from notereview.batch.tables import ROW_TABLES, arrow_schema
from notereview.casefile import CaseFile
from notereview.equality import monitoring_row
from notereview.extract import ChunkTask, assemble_chunk, remove_tree
from notereview.reconciliation import StatutoryDates, reconcile


def scoring_identity(versions: dict[str, Any], as_of: date, tables_absent: list[str]) -> str:
    """What besides a file's content decides its scores: versions, as-of and absent tables."""
    payload = json.dumps(
        {"versions": versions, "as_of": as_of.isoformat(), "tables_absent": tables_absent},
        sort_keys=True, default=str,
    )  # fmt: skip
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def file_key(identity: str, content_hash: str) -> str:
    return hashlib.sha256(f"{identity}:{content_hash}".encode()).hexdigest()


def pack_rows(rows: dict[str, list[dict[str, Any]]]) -> bytes:
    return zlib.compress(json.dumps(rows, default=_date_default).encode("utf-8"), 6)


def _date_default(value: Any) -> Any:
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def unpack_rows(blob: bytes) -> dict[str, list[dict[str, Any]]]:
    def hook(obj: dict[str, Any]) -> Any:
        if len(obj) == 1 and "__date__" in obj:
            return date.fromisoformat(obj["__date__"])
        return obj

    return json.loads(zlib.decompress(blob).decode("utf-8"), object_hook=hook)


@dataclass(frozen=True)
class WorkerBase:
    """What a worker needs to build its Reviewer (its pool initializer's argument)."""

    rubric_path: str | None
    policy_path: str | None
    models: str | None
    block_torch: bool


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs for the run, known after pass 1 (``base``: its Reviewer's settings)."""

    base: WorkerBase
    as_of: date
    tables_absent: list[str]
    children_q: dict[str, int]
    plans_q: dict[str, int]
    parts_dir: str
    keep_records: bool
    db: str | None
    identity: str
    #: child id -> the Annex A return's statutory dates (None: no return given)
    annex_dates: dict[str, StatutoryDates] | None = None


_WORKER: dict[str, Any] = {}


def _engine() -> Any:
    if _WORKER.get("engine") is None:
        from notereview.store import connect

        _WORKER["engine"] = connect(_WORKER["config"].db)
    return _WORKER["engine"]


@dataclass(frozen=True)
class ChunkDone:
    index: int
    children: int
    scored: int
    skipped: int
    seconds: float


def score_chunk(task: ChunkTask) -> ChunkDone:
    """Assemble, score (or take from the cache) and write one chunk's parts. Idempotent."""
    t0 = time.perf_counter()
    config: WorkerConfig = _WORKER["config"]
    reviewer = _WORKER["reviewer"]
    final = Path(config.parts_dir) / f"chunk-{task.index:06d}"
    if final.is_dir():
        return ChunkDone(task.index, len(task.children), 0, 0, 0.0)
    assembled = assemble_chunk(task, config.as_of, config.children_q, config.plans_q)
    keys: dict[str, str] = {}  # the cache's keys: only with a store to cache in
    cached: dict[str, bytes] = {}
    if config.db is not None and assembled.case_files:
        from notereview.store import cached_results

        keys = {c.child_id: file_key(config.identity, c.content_hash())
                for c in assembled.case_files}  # fmt: skip
        cached = cached_results(_engine(), list(keys.values()))
    todo = [c for c in assembled.case_files if keys.get(c.child_id) not in cached]
    fresh = {
        case.child_id: rows
        for case, rows in score_case_files(
            reviewer, todo, config.as_of, config.tables_absent, config.keep_records
        )
    }
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in ROW_TABLES}
    if config.keep_records:
        tables["records"] = []
    new_cache: list[tuple[str, str, str, bytes]] = []
    for case in assembled.case_files:
        if case.child_id in fresh:
            rows = fresh[case.child_id]
            if config.db is not None:
                key = keys[case.child_id]
                new_cache.append((key, case.child_id, case.content_hash(), pack_rows(rows)))
        else:
            rows = unpack_rows(cached[keys[case.child_id]])
        for name in tables:
            tables[name].extend(rows.get(name, []))
    tables.update(file_side_rows(assembled.case_files, config.as_of, config.annex_dates))
    quarantine = [
        {"table": q.table, "row_number": q.row_number, "record_id": q.record_id,
         "reason": q.reason}
        for q in assembled.quarantine
    ]  # fmt: skip
    meta = {
        "children": len(assembled.case_files),
        "accepted": assembled.accepted,
        "scored": len(fresh),
        "skipped": len(assembled.case_files) - len(fresh),
    }
    write_chunk_parts(final, tables, quarantine, meta, new_cache)
    return ChunkDone(
        task.index, len(assembled.case_files), len(fresh),
        len(assembled.case_files) - len(fresh), time.perf_counter() - t0,
    )  # fmt: skip


def file_side_rows(
    case_files: list[CaseFile], as_of: date, annex_dates: dict[str, StatutoryDates] | None
) -> dict[str, list[Any]]:
    """Case files' monitoring rows and, with an Annex A return's statutory dates, their
    reconciliation rows: worked out from the assembled files every time, never cached (the
    return changes without the file). Every engine adds these to a chunk's parts."""
    rows: dict[str, list[Any]] = {"monitoring": [monitoring_row(c, as_of) for c in case_files]}
    if annex_dates is not None:
        rows["reconciliation"] = reconcile(case_files, annex_dates, as_of)
    return rows


def write_chunk_parts(
    final: Path,
    tables: dict[str, list[dict[str, Any]]],
    quarantine: list[dict[str, Any]],
    meta: dict[str, Any],
    new_cache: list[tuple[str, str, str, bytes]] | None = None,
) -> None:
    """Write one chunk's rows as Parquet parts, renamed into place when complete."""
    tmp = final.with_name(final.name + f".tmp-{os.getpid()}")
    remove_tree(tmp)
    tmp.mkdir(parents=True)
    for name, rows_of in (*tables.items(), ("quarantine", quarantine)):
        # Straight from the rows to Arrow (no DataFrame between): the outputs are assembled
        # from these parts with the pandas schema of ``_assembly.with_pandas_schema``.
        table = pa.Table.from_pylist(rows_of, schema=arrow_schema(name))
        pq.write_table(table, tmp / f"{name}.parquet")
    if new_cache:
        (tmp / "cache.pkl").write_bytes(pickle.dumps(new_cache, protocol=pickle.HIGHEST_PROTOCOL))
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, final)
