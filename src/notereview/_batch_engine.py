"""The local batch engine: streamed, parallel, incremental and resumable scoring.

1. Pass 1 (:mod:`notereview._batch_ingest`) validates every row and spills the accepted records
   to one file per chunk of children (a run of consecutive child ids) and text table; with more
   than one worker the text tables are read in parallel by short-lived processes.
2. A process pool (forkserver/spawn, started after pass 1; one Reviewer per worker, built once)
   assembles each chunk's case files, scores those not already in the store's cache, and writes
   the chunk's rows as Parquet parts into ``OUT/.notereview-partial/<state key>/chunk-NNNNNN``
   (renamed into place when complete, so a chunk is either done or absent).
3. The parts are streamed into the run's files: the cases are ranked on their key columns and
   written a block of ranks at a time, the other tables chunk by chunk. The store is written,
   run.json is written last and the partial folder removed.

A run killed at any point and started again redoes pass 1 (cheap), skips the chunks that are
done, and finishes with the same files as an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from notereview import _compiled
from notereview._batch_ingest import (
    TEXT_TABLES,
    ChunkTask,
    Partitioned,
    TableMap,
    assemble_chunk,
    partition_extract,
    remove_tree,
    table_counts,
)
from notereview._spreadsheet import write_output_csv
from notereview.casefile import CaseFile
from notereview.equality import MONITORING_COLUMNS, monitoring_row
from notereview.errors import NotereviewError
from notereview.extract._ingest import locate_reason
from notereview.extract._schema import CONTRACT_TABLES
from notereview.reconciliation import (
    RECONCILIATION_COLUMNS,
    StatutoryDates,
    order_rows,
    reconcile,
    reconciliation_counts,
    statutory_dates,
)

PARTIAL_DIR = ".notereview-partial"
#: The ranked cases file is written this many rows at a time, so the whole cases table is
#: never held: a row is about 1.5 KB with its reasons, and writing a block holds about four
#: copies of it. ``bench/cases_blocks.py`` on a 68,546-child run's cases: peak RSS +147 MB at
#: 5,000 rows a block, +226 MB at 20,000, +366 MB with all rows at once; on four times as many
#: rows, +156 MB at 5,000 and +1,298 MB at once. Blocks grow past this size only beyond
#: MAX_CASES_BLOCKS blocks.
CASES_BLOCK_ROWS = 5_000
MAX_CASES_BLOCKS = 256  # spill files open at once
STATE_VERSION = 1
ROW_TABLES: tuple[str, ...] = ("cases", "criteria", "visits", "plan_actions")
RULES_ONLY: tuple[str, ...] = ("none", "rules")
MODEL_CHOICES: tuple[str, ...] = (*RULES_ONLY, "auto")  # or a folder of trained models


def reviewer_models(models: str) -> str | None:
    """What ``Reviewer(models=...)`` takes: None for the rules path alone."""
    return None if models in RULES_ONLY else models


_S = pa.string()
_F = pa.float64()
_B = pa.bool_()
_I = pa.int64()
SCHEMAS: dict[str, pa.Schema] = {
    "cases": pa.schema(
        [("child_id", _S), ("team", _S), ("worker_id", _S), ("legal_status", _S),
         ("score", _F), ("grade_band", _S),
         *[(t, _F) for t in ("visits", "voice", "case_summary", "chronology", "plans",
                             "genogram", "oversight")],
         ("confidence", _F), ("rank", _I), ("reasons", _S), ("p_inadequate", _F)]
    ),
    "criteria": pa.schema(
        [("child_id", _S), ("criterion", _S), ("theme", _S), ("status", _S), ("score", _F),
         ("confidence", _F), ("evidence", _S), ("missing", _S)]
    ),
    "visits": pa.schema(
        [("visit_id", _S), ("child_id", _S), ("voice", _S), ("plan_linked", _B),
         ("analysis", _B), ("on_time", _B), ("recorded_late_days", _I), ("evidence", _S)]
    ),
    "plan_actions": pa.schema(
        [("action_id", _S), ("plan_id", _S), ("child_id", _S), ("smart", _B), ("specific", _B),
         ("measurable", _B), ("owner_named", _B), ("timebound", _B), ("score", _F)]
    ),
    "quarantine": pa.schema(
        [("table", _S), ("row_number", _I), ("record_id", _S), ("reason", _S)]
    ),
    "records": pa.schema(
        [("child_id", _S), ("table", _S), ("record_id", _S), ("record_date", pa.date32()),
         ("text", _S)]
    ),
    "reconciliation": pa.schema(
        [("child_id", _S), ("item", _S), ("source", _S), ("annex_a_value", _S),
         ("file_value", _S), ("finding", _S)]
    ),
    "monitoring": pa.schema(
        [("child_id", _S), ("gender", _S), ("age_band", _S), ("legal_status", _S),
         ("ethnicity", _S), ("disability", _S), ("communication_need", _S)]
    ),
}  # fmt: skip


class BatchError(NotereviewError):
    """A batch run was asked for something it cannot do (bad option, unusable out folder)."""


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch. ``workers`` None: one per core; 1: in this process."""

    workers: int | None = None
    chunk_children: int | None = None  # None: auto (about 16 chunks, 10 to 200 children)
    fmt: str = "parquet"
    db: str | None = None
    models: str = "rules"
    mapping_path: str | Path | None = None
    annex_a_path: str | Path | None = None  # an Annex A return (.xlsx): see reconciliation
    rubric_path: str | Path | None = None
    policy_path: str | Path | None = None
    as_of: date | None = None
    max_text_chars: int = 100_000
    resume: bool = True
    keep_weakest: int = 100  # ranked cases kept in the summary (the file holds them all)


@dataclass
class BatchSummary:
    """What a batch run did: run.json's content, where, and the stages' times."""

    run_info: dict[str, Any]
    out_dir: Path
    files: list[Path]
    weakest_cases: pd.DataFrame  # the first ``keep_weakest`` rows of the ranked cases file
    grade_bands: dict[str, int]  # files per grade band, over every case
    criteria_counts: pd.DataFrame  # criterion, status, rows: a tally, not the criteria table
    quarantine: pd.DataFrame
    case_ranks: list[np.ndarray] = field(default_factory=list)  # per chunk, in its row order
    reconciliation: pd.DataFrame | None = None  # with an Annex A return: where it disagrees
    monitoring: pd.DataFrame | None = None  # each child's equality-monitoring fields
    db_run: tuple[int, bool] | None = None
    chunks_resumed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------ the shared scoring core


def score_case_files(
    reviewer: Any,
    case_files: Iterable[CaseFile],
    as_of: date,
    tables_absent: Iterable[str],
    keep_records: bool = False,
) -> Iterator[tuple[CaseFile, dict[str, list[dict[str, Any]]]]]:
    """Review each case file and give its output rows (cases, criteria, visits, plan_actions and,
    with ``keep_records``, records). The one function every engine calls."""
    from notereview.batch import record_rows, review_rows

    absent = tuple(tables_absent)
    for case in case_files:
        review = reviewer.review(case, as_of, absent)
        rows = review_rows(review)
        if keep_records:
            rows["records"] = record_rows(review)
        yield case, rows


def scoring_identity(versions: dict[str, Any], as_of: date, tables_absent: list[str]) -> str:
    """What besides a file's content decides its scores: versions, as-of and absent tables."""
    payload = json.dumps(
        {"versions": versions, "as_of": as_of.isoformat(), "tables_absent": tables_absent},
        sort_keys=True, default=str,
    )  # fmt: skip
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def file_key(identity: str, content_hash: str) -> str:
    return hashlib.sha256(f"{identity}:{content_hash}".encode()).hexdigest()


def _pack(rows: dict[str, list[dict[str, Any]]]) -> bytes:
    return zlib.compress(json.dumps(rows, default=_date_default).encode("utf-8"), 6)


def _date_default(value: Any) -> Any:
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _unpack(blob: bytes) -> dict[str, list[dict[str, Any]]]:
    def hook(obj: dict[str, Any]) -> Any:
        if len(obj) == 1 and "__date__" in obj:
            return date.fromisoformat(obj["__date__"])
        return obj

    return json.loads(zlib.decompress(blob).decode("utf-8"), object_hook=hook)


# ------------------------------------------------------------------ workers


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


def exit_with_parent() -> None:
    """Pool initializer: the worker exits when the process that started it is gone. A run
    killed with SIGKILL leaves its workers waiting for work for ever (each holds the pipeline's
    memory, and the forkserver lives as long as they do); this thread waits on the parent's
    sentinel instead."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="notereview-parent-watch", daemon=True).start()


#: The collector's thresholds in a pool process (CPython's default: 700, 10, 10). Scoring a
#: chunk leaves no cyclic garbage (a collection after every chunk of the 10,000-child bench
#: found 0 objects), so the default's frequent collections only walk live objects: about 4% of
#: a worker's time. A collection still runs, only less often.
WORKER_GC_THRESHOLDS = (100_000, 50, 100)


def quiet_gc() -> None:
    """After a pool process's set-up: what it has loaded (a worker's pipeline, rubric and
    policy) lives as long as it does, so the collector stops scanning it (``gc.freeze``) and
    runs less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def init_worker(base: WorkerBase) -> None:
    """Pool initializer: one Reviewer (rubric, policy, spaCy pipeline) per worker, built now."""
    from notereview.review import Reviewer, keep_torch_out

    exit_with_parent()

    if base.block_torch:
        keep_torch_out()

    reviewer = Reviewer(
        rubric_path=base.rubric_path, policy_path=base.policy_path, models=base.models
    )
    reviewer.versions()  # with models: loads them now, not at the first chunk
    embedder = getattr(reviewer.model_set, "embedder", None)
    if embedder is not None:
        embedder.load()  # MiniLM too (the main process only describes it)
    reviewer.annotator  # noqa: B018 - builds the pipeline before the first chunk
    _WORKER.clear()
    _WORKER.update(config=None, config_path=None, reviewer=reviewer, engine=None)
    quiet_gc()


def _score_in_pool(job: tuple[str, ChunkTask]) -> ChunkDone:
    """A pool task: the run's WorkerConfig (written once by the main process after pass 1, read
    once per worker) and one chunk."""
    config_path, task = job
    if _WORKER.get("config_path") != config_path:
        _WORKER["config"] = pickle.loads(Path(config_path).read_bytes())
        _WORKER["config_path"] = config_path
    return score_chunk(task)


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
                new_cache.append((key, case.child_id, case.content_hash(), _pack(rows)))
        else:
            rows = _unpack(cached[keys[case.child_id]])
        for name in tables:
            tables[name].extend(rows.get(name, []))
    tables.update(file_side_rows(assembled.case_files, config))
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


def file_side_rows(case_files: list[CaseFile], config: WorkerConfig) -> dict[str, list[Any]]:
    """A chunk's monitoring rows and, with an Annex A return, its reconciliation rows: worked
    out from the assembled files every time, never cached (the return changes without the
    file). Every engine adds these to the chunk's parts."""
    rows: dict[str, list[Any]] = {
        "monitoring": [monitoring_row(c, config.as_of) for c in case_files]
    }
    if config.annex_dates is not None:
        rows["reconciliation"] = reconcile(case_files, config.annex_dates, config.as_of)
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
        # from these parts with the pandas schema of ``_arrow`` (``_write_table``).
        table = pa.Table.from_pylist(rows_of, schema=SCHEMAS[name])
        pq.write_table(table, tmp / f"{name}.parquet")
    if new_cache:
        (tmp / "cache.pkl").write_bytes(pickle.dumps(new_cache, protocol=pickle.HIGHEST_PROTOCOL))
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    os.replace(tmp, final)


def _arrow(frame: pd.DataFrame, name: str) -> pa.Table:
    return pa.Table.from_pandas(_objects(frame), schema=SCHEMAS[name], preserve_index=False)


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``object``, as the in-memory path builds them (pandas records the dtype
    in the Parquet file, and a reader gets back what was written)."""
    text = [c for c in frame.columns
            if frame[c].dtype != object and pd.api.types.is_string_dtype(frame[c])]  # fmt: skip
    return frame.astype(dict.fromkeys(text, object)) if text else frame


# ------------------------------------------------------------------ the run


def _sha_file(path: str | Path | None) -> str | None:
    if path is None:
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


#: What the forkserver imports once, for every pool process it starts to inherit: pandas,
#: pyarrow and the batch modules (about 0.45 s a process here). Never spaCy: a rules-path
#: worker blocks torch before spaCy first imports it, a models-path worker needs it.
FORKSERVER_PRELOAD = ["__main__", "notereview._batch_engine"]


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)  # read when the server starts
    return context


def _start_forkserver() -> None:
    """Start the forkserver now, without waiting for it: it imports FORKSERVER_PRELOAD while
    this process goes on; the first pool waits for it only if it is not ready by then."""
    context = _context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


Scorer = Callable[[list[ChunkTask], "WorkerConfig", int, Any], Iterator["ChunkDone"]]


def run_batch(
    extract: str | Path,
    out_dir: str | Path,
    options: BatchOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    scorer: Scorer | None = None,
) -> BatchSummary:
    """Score an extract into ``out_dir`` (CONTRACT.md "What a run writes"); see the module doc.
    ``scorer`` runs the chunks (default: the local process pool)."""
    from notereview.batch import extract_fingerprint
    from notereview.extract import load_mapping
    from notereview.extract._annexa import read_annex_a
    from notereview.review import Reviewer

    opts = options or BatchOptions()
    if opts.fmt not in ("parquet", "csv"):
        raise BatchError(f"unknown output format {opts.fmt!r}; use parquet or csv")
    if opts.models not in MODEL_CHOICES and not Path(opts.models).is_dir():
        raise BatchError(
            f"unknown --models {opts.models!r}; use none, rules, auto or a folder of models"
        )
    workers = opts.workers if opts.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise BatchError("--workers must be at least 1")
    if workers > 1 and scorer is None:
        _start_forkserver()  # its imports overlap loading the rubric and reading the extract
    started = datetime.now(UTC)
    timings: dict[str, float] = {}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").unlink(missing_ok=True)  # written last: its absence marks a run unfinished

    t = time.perf_counter()
    reviewer = Reviewer(
        rubric_path=opts.rubric_path,
        policy_path=opts.policy_path,
        models=reviewer_models(opts.models),
    )
    versions = reviewer.versions()  # on the rules path without building the pipeline here
    models_info: dict[str, Any] = (
        {"path": "rules", "transformer": "not used: the rules path"}
        if opts.models in RULES_ONLY
        else {**_describe_models(reviewer), "option": opts.models}
    )
    base = WorkerBase(
        rubric_path=str(opts.rubric_path) if opts.rubric_path else None,
        policy_path=str(opts.policy_path) if opts.policy_path else None,
        models=reviewer_models(opts.models),
        block_torch=opts.models in RULES_ONLY,
    )
    pool: LocalPool | None = None
    timings["load"] = time.perf_counter() - t
    with contextlib.ExitStack() as stack:
        t = time.perf_counter()
        fingerprint = extract_fingerprint(extract)
        mapping = load_mapping(opts.mapping_path) if opts.mapping_path else None
        annex = read_annex_a(opts.annex_a_path) if opts.annex_a_path else None
        state = {
            "state_version": STATE_VERSION,
            "extract_fingerprint": fingerprint,
            "as_of": opts.as_of.isoformat() if opts.as_of else None,
            "mapping_sha256": _sha_file(opts.mapping_path),
            "annex_a_sha256": _sha_file(opts.annex_a_path),
            "max_text_chars": opts.max_text_chars,
            "chunk_children": opts.chunk_children,
            "versions": versions,
            "models": opts.models,
            "keep_records": opts.db is not None,
        }
        state_key = hashlib.sha256(
            json.dumps(state, sort_keys=True, default=str).encode("utf-8")
        ).hexdigest()[:24]
        partial_root = out / PARTIAL_DIR
        work = partial_root / state_key
        if not opts.resume:
            remove_tree(work)
        for stale in partial_root.glob("*") if partial_root.is_dir() else ():
            if stale.name != state_key:
                remove_tree(stale)  # another extract or version: nothing to resume there
        parts_dir = work / "parts"
        parts_dir.mkdir(parents=True, exist_ok=True)
        spill_dir = work / "spill"
        remove_tree(spill_dir)
        (work / "state.json").write_text(json.dumps(state, indent=1, default=str), encoding="utf-8")
        timings["fingerprint"] = time.perf_counter() - t

        t = time.perf_counter()
        with _table_readers(workers) as map_tables:
            part = partition_extract(
                extract, spill_dir, mapping=mapping, as_of=opts.as_of,
                max_text_chars=opts.max_text_chars, chunk_children=opts.chunk_children,
                map_tables=map_tables, annex_a=annex,
            )  # fmt: skip
        timings["ingest"] = time.perf_counter() - t

        t = time.perf_counter()
        identity = scoring_identity(
            {**versions, "models": opts.models}, part.as_of, part.tables_absent
        )
        config = WorkerConfig(
            base=base,
            as_of=part.as_of,
            tables_absent=part.tables_absent,
            children_q=part.children_q,
            plans_q=part.plans_q,
            parts_dir=str(parts_dir),
            keep_records=opts.db is not None,
            db=opts.db,
            identity=identity,
            annex_dates=statutory_dates(annex) if annex is not None else None,
        )
        if opts.db is not None:
            from notereview.store import connect, upgrade

            engine = connect(opts.db)
            try:
                upgrade(engine)
            finally:
                engine.dispose()
        done_before = {
            task.index for task in part.tasks
            if (parts_dir / f"chunk-{task.index:06d}").is_dir()
        }  # fmt: skip
        todo = [task for task in part.tasks if task.index not in done_before]
        total = part.children_total
        finished = sum(len(task.children) for task in part.tasks if task.index in done_before)
        if progress is not None:
            progress(finished, total)
        if scorer is None and workers > 1 and len(todo) > 1:
            # Started only now: during pass 1 its idle workers would sit beside the table
            # readers at the run's peak (about 400 MB of RSS at 68,546 children), and building
            # a rules worker takes well under a second.
            pool = stack.enter_context(LocalPool(base, workers))
        run_chunks: Scorer = scorer or (pool.run if pool is not None else _run_in_process)
        if pool is not None:
            models_info = _as_scored_in_workers(models_info)
        if run_chunks is not _run_in_process:
            reviewer = None  # the workers have their own: free any models loaded here
            gc.collect()
        for done in run_chunks(todo, config, workers, reviewer):
            finished += done.children
            if progress is not None:
                progress(finished, total)
        if pool is not None:
            pool.close()  # the workers' memory is not needed to assemble the outputs
        timings["review"] = time.perf_counter() - t

        t = time.perf_counter()
        summary = _assemble_outputs(
            part, parts_dir, out, opts, started, versions, fingerprint, models_info
        )
        summary.chunks_resumed = len(done_before)
        timings["write"] = time.perf_counter() - t
        summary.run_info["timings_s"].update({k: round(v, 3) for k, v in timings.items()})

        summary.run_info["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if opts.db is not None:
            t = time.perf_counter()
            summary.db_run = _store(opts.db, summary.run_info, summary, part, parts_dir)
            summary.run_info["timings_s"]["store"] = round(time.perf_counter() - t, 3)
        run_json = out / "run.json"
        tmp = out / ".run.json.tmp"
        tmp.write_text(json.dumps(summary.run_info, indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, run_json)
        summary.files.append(run_json)
        remove_tree(work)
        if partial_root.is_dir() and not any(partial_root.iterdir()):
            partial_root.rmdir()
        return summary


def _reader_init() -> None:
    """Pool initializer of pass 1's table readers."""
    exit_with_parent()
    quiet_gc()  # a reader's index of ids is not cyclic garbage either: 8% of pass 1's time


@contextlib.contextmanager
def _table_readers(workers: int) -> Iterator[TableMap | None]:
    """Pass 1's text tables read in parallel by ``workers`` short-lived processes; None: one
    after another here."""
    if workers < 2:
        yield None
        return
    pool = ProcessPoolExecutor(
        min(workers, len(TEXT_TABLES)), mp_context=_context(), initializer=_reader_init
    )
    try:
        yield lambda fn, jobs: _unbroken(pool.map(fn, jobs), "reading the extract's tables")
    finally:
        _stop(pool)


def _unbroken(results: Iterable[Any], doing: str) -> Iterator[Any]:
    """The pool's results, or a BatchError that says what to do when one of its processes died
    (killed by the out-of-memory killer or a signal, or crashed): a ``multiprocessing.Pool``
    would wait for that process's task for ever."""
    try:
        yield from results
    except BrokenProcessPool:
        raise BatchError(
            f"a worker process {doing} stopped before it finished: it was killed (by the "
            "kernel's out-of-memory killer or a signal) or it crashed. The chunks already "
            "scored are kept: run the same command again to go on from there (with less memory "
            "to spare, use fewer --workers or a smaller --chunk-size)"
        ) from None


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once, as ``Pool.terminate`` did: kill the workers still running (no public
    way before Python 3.14's ``terminate_workers``), then shut it down."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _describe_models(reviewer: Any) -> dict[str, Any]:
    """run.json's ``models`` on the models path: which model each label family used, their
    hashes, and whether the transformer ran (and if not, why)."""
    from notereview.ml import describe_models

    return describe_models(reviewer)


def _as_scored_in_workers(models_info: dict[str, Any]) -> dict[str, Any]:
    """run.json's ``models`` when a pool scores: the transformer's ``threads`` are a worker's
    (the main process described it with its own, which it never uses to score)."""
    transformer = models_info.get("transformer")
    if not isinstance(transformer, dict) or "threads" not in transformer:
        return models_info
    from notereview.ml._embed import default_threads

    return {**models_info, "transformer": {**transformer, "threads": default_threads(True)}}


def _run_in_process(
    todo: list[ChunkTask], config: WorkerConfig, workers: int, reviewer: Any
) -> Iterator[ChunkDone]:
    """One worker: this process, with the main Reviewer (its pipeline is built on first use)."""
    if not todo:
        return
    _WORKER.clear()
    _WORKER.update(config=config, reviewer=reviewer, engine=None)
    try:
        for task in todo:
            yield score_chunk(task)
    finally:
        if _WORKER.get("engine") is not None:
            _WORKER["engine"].dispose()
        _WORKER.clear()


class LocalPool:
    """The local process pool, started after pass 1 when more than one chunk is to be scored;
    each worker builds its Reviewer (pipeline, models) once, in its initializer."""

    def __init__(self, base: WorkerBase, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            workers, mp_context=_context(), initializer=init_worker, initargs=(base,)
        )
        self._closed = False

    def run(
        self, todo: list[ChunkTask], config: WorkerConfig, workers: int, reviewer: Any
    ) -> Iterator[ChunkDone]:
        if not todo:
            return
        config_path = Path(config.parts_dir).parent / "worker-config.pickle"
        config_path.write_bytes(pickle.dumps(config))
        futures = [self._pool.submit(_score_in_pool, (str(config_path), task)) for task in todo]
        yield from _unbroken((f.result() for f in as_completed(futures)), "scoring chunks")

    def close(self) -> None:
        """Stop the workers (again: a no-op)."""
        if self._closed:
            return
        self._closed = True
        _stop(self._pool)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------ the run's files


def _chunk_dirs(parts_dir: Path, part: Partitioned) -> list[Path]:
    dirs = [parts_dir / f"chunk-{task.index:06d}" for task in part.tasks]
    missing = [d.name for d in dirs if not d.is_dir()]
    if missing:
        raise BatchError(f"internal: chunks not scored: {', '.join(missing[:5])}")
    return dirs


def _parts(dirs: list[Path], name: str) -> Iterator[pa.Table]:
    return (pq.read_table(d / f"{name}.parquet") for d in dirs)


def _write_table(frames: Iterable[pa.Table], name: str, path: Path, fmt: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt == "parquet":
        writer: pq.ParquetWriter | None = None
        try:
            for table in frames:
                if writer is None:
                    schema = _arrow(table.slice(0, 0).to_pandas(), name).schema
                    writer = pq.ParquetWriter(tmp, schema)
                writer.write_table(table.cast(writer.schema))
            if writer is None:  # as the in-memory path writes an empty table
                pd.DataFrame(columns=SCHEMAS[name].names).to_parquet(tmp, index=False)
        finally:
            if writer is not None:
                writer.close()
    else:
        header = True
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            for table in frames:
                write_output_csv(table.to_pandas(), fh, header=header)
                header = False
            if header:
                write_output_csv(pd.DataFrame(columns=SCHEMAS[name].names), fh)
    os.replace(tmp, path)


def _write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """A small table written whole, as ``write_outputs`` writes it."""
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt == "parquet":
        frame.to_parquet(tmp, index=False)
    else:
        write_output_csv(frame, tmp)
    os.replace(tmp, path)
    return path


def _quarantine_frame(part: Partitioned, dirs: list[Path]) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            [(q.table, q.row_number, q.record_id, q.reason) for q in part.quarantine],
            columns=SCHEMAS["quarantine"].names,
        )
    ]
    frames += [pq.read_table(d / "quarantine.parquet").to_pandas() for d in dirs]
    frame = pd.concat(frames, ignore_index=True)
    for table, note in part.notes.items():  # rows from a workbook sheet: where, in the reason
        if "sheet" in note and len(frame):
            mask = frame["table"] == table
            frame.loc[mask, "reason"] = [
                locate_reason(reason, table, note, int(row))
                for reason, row in zip(
                    frame.loc[mask, "reason"], frame.loc[mask, "row_number"], strict=True
                )
            ]
    order = {t: i for i, t in enumerate(CONTRACT_TABLES)}
    frame["_t"] = frame["table"].map(order)
    frame = frame.sort_values(["_t", "row_number"], kind="mergesort").drop(columns="_t")
    frame = frame.reset_index(drop=True)
    return _objects(frame).astype({"row_number": "int64"})


def _reconciliation_frame(part: Partitioned, dirs: list[Path]) -> pd.DataFrame:
    """The children table's disagreements with the return (found in pass 1) and each chunk's
    statutory-date findings, ordered by child id then item (a small table)."""
    rows = list(part.children_findings)
    for d in dirs:
        piece = d / "reconciliation.parquet"
        if piece.exists():
            rows += pq.read_table(piece).to_pylist()
    return _objects(pd.DataFrame(order_rows(rows), columns=RECONCILIATION_COLUMNS))


def _monitoring_frame(dirs: list[Path]) -> pd.DataFrame:
    """Each child's equality-monitoring fields, by child id (one short row a child)."""
    rows: list[dict[str, Any]] = []
    for d in dirs:
        piece = d / "monitoring.parquet"
        if piece.exists():
            rows += pq.read_table(piece).to_pylist()
    rows.sort(key=lambda r: r["child_id"])
    return _objects(pd.DataFrame(rows, columns=MONITORING_COLUMNS))


def _criteria_tally(dirs: list[Path]) -> pd.DataFrame:
    """Rows per (criterion, status) over every chunk, tallied chunk by chunk: the criteria
    table itself (about 26 rows a child) is never held whole."""
    tallies = [
        pq.read_table(d / "criteria.parquet", columns=["criterion", "status"])
        .group_by(["criterion", "status"])
        .aggregate([([], "count_all")])
        .to_pandas()
        for d in dirs
    ]
    if not tallies:
        return pd.DataFrame({"criterion": [], "status": [], "rows": []})
    frame = pd.concat(tallies, ignore_index=True).rename(columns={"count_all": "rows"})
    return frame.groupby(["criterion", "status"], as_index=False)["rows"].sum()


def _rank_cases(dirs: list[Path]) -> tuple[list[np.ndarray], dict[str, int]]:
    """Each chunk's cases ranked over the whole run (``rank_cases``'s order: by score, then
    child_id) from the key columns alone, and the files per grade band."""
    keys = [pq.read_table(d / "cases.parquet", columns=["score", "child_id", "grade_band"])
            for d in dirs]  # fmt: skip
    sizes = [t.num_rows for t in keys]
    if not sum(sizes):
        return [np.zeros(n, dtype=np.int64) for n in sizes], {}
    table = pa.concat_tables(keys)
    # Arrow orders NaN after every number, as pandas' na_position="last" does; child_id is
    # unique, so no two rows tie and the order is the stable sort's.
    order = pc.sort_indices(
        table, sort_keys=[("score", "ascending"), ("child_id", "ascending")]
    ).to_numpy()
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1, dtype=np.int64)
    bands = table["grade_band"].value_counts().to_pylist()
    return (
        np.split(ranks, np.cumsum(sizes)[:-1]),
        {b["values"]: int(b["counts"]) for b in bands if b["values"] is not None},
    )


def _write_ranked_cases(
    dirs: list[Path], ranks: list[np.ndarray], spill: Path, path: Path, fmt: str, keep: int
) -> pd.DataFrame:
    """Write the cases file in rank order, a block of about ``CASES_BLOCK_ROWS`` ranks at a time:
    each chunk's rows are first spilled to the block of their ranks (one pass), then each
    block is sorted and written. Returns the first ``keep`` rows (the weakest files)."""
    remove_tree(spill)
    spill.mkdir(parents=True)
    total = sum(len(r) for r in ranks)
    per_block = max(CASES_BLOCK_ROWS, -(-total // MAX_CASES_BLOCKS))
    blocks = -(-total // per_block)
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    try:
        for d, rank in zip(dirs, ranks, strict=True):
            if not len(rank):
                continue
            table = pq.read_table(d / "cases.parquet")
            table = table.set_column(
                table.schema.get_field_index("rank"), "rank", pa.array(rank, type=pa.int64())
            )
            block_of = (rank - 1) // per_block
            for b in np.unique(block_of):
                piece = table.take(np.flatnonzero(block_of == b))
                if b not in writers:
                    writers[b] = pa.ipc.new_file(spill / f"block-{b:06d}.arrow", piece.schema)
                writers[b].write_table(piece)
    finally:
        for writer in writers.values():
            writer.close()
    weakest: list[pd.DataFrame] = []

    def ordered() -> Iterator[pa.Table]:
        kept = 0
        for b in range(blocks):
            with pa.OSFile(str(spill / f"block-{b:06d}.arrow")) as source:
                table = pa.ipc.open_file(source).read_all()
            table = table.take(pc.sort_indices(table["rank"]))
            if kept < keep:
                weakest.append(table.slice(0, keep - kept).to_pandas())
                kept += min(keep - kept, table.num_rows)
            yield table

    _write_table(ordered(), "cases", path, fmt)
    remove_tree(spill)
    if not weakest:
        return pd.DataFrame(columns=SCHEMAS["cases"].names)
    return _objects(pd.concat(weakest, ignore_index=True))


def _assemble_outputs(
    part: Partitioned,
    parts_dir: Path,
    out: Path,
    opts: BatchOptions,
    started: datetime,
    versions: dict[str, Any],
    fingerprint: str,
    models_info: dict[str, Any],
) -> BatchSummary:
    dirs = _chunk_dirs(parts_dir, part)
    accepted: dict[str, int] = {t: 0 for t in CONTRACT_TABLES}
    accepted.update(part.accepted)
    scored = skipped = 0
    for d in dirs:
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        for k, v in meta["accepted"].items():
            accepted[k] += v
        scored += meta["scored"]
        skipped += meta["skipped"]
    quarantine = _quarantine_frame(part, dirs)
    quarantined = quarantine.groupby("table").size().to_dict() if len(quarantine) else {}
    counts = table_counts(part, accepted, quarantined)
    table_info = {
        t: {"rows_read": c.read, "rows_scored": c.accepted, "rows_quarantined": c.quarantined}
        for t, c in counts.items()
    }
    for name, c in table_info.items():
        if c["rows_read"] != c["rows_scored"] + c["rows_quarantined"]:
            raise NotereviewError(f"row accounting failed for table {name}: {c}")

    fmt = opts.fmt
    cases_path = out / f"cases.{fmt}"
    paths = {name: out / f"{name}.{fmt}" for name in ("criteria", "visits", "plan_actions")}
    # The three row tables are copied from the parts in threads while this one ranks and
    # writes the cases: Arrow reads and writes Parquet without the GIL, so the copying runs
    # on the cores the workers have left (the outputs are the same as one after another).
    with ThreadPoolExecutor(len(paths), thread_name_prefix="notereview-write") as threads:
        copies = [
            threads.submit(_write_table, _parts(dirs, name), name, path, fmt)
            for name, path in paths.items()
        ]
        ranks, bands = _rank_cases(dirs)
        weakest_cases = _write_ranked_cases(
            dirs, ranks, parts_dir.parent / "cases-blocks", cases_path, fmt, opts.keep_weakest
        )
        for copy in copies:
            copy.result()
    reconciliation = _reconciliation_frame(part, dirs)
    monitoring = _monitoring_frame(dirs)
    files = [
        cases_path, *paths.values(), _write_frame(quarantine, out / f"quarantine.{fmt}", fmt),
        _write_frame(reconciliation, out / f"reconciliation.{fmt}", fmt),
        _write_frame(monitoring, out / f"monitoring.{fmt}", fmt),
    ]  # fmt: skip

    criteria_counts = _criteria_tally(dirs)
    run_info: dict[str, Any] = {
        "as_of": part.as_of.isoformat(),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": None,
        "tables": table_info,
        "rows_read": sum(c["rows_read"] for c in table_info.values()),
        "rows_scored": sum(c["rows_scored"] for c in table_info.values()),
        "rows_quarantined": sum(c["rows_quarantined"] for c in table_info.values()),
        "children_scored": sum(len(r) for r in ranks),
        "tables_absent": list(part.tables_absent),
        "extract_fingerprint": fingerprint,
        "versions": versions,
        "models": models_info,
        "timings_s": {},
        "ingest_notes": part.notes,
        "reconciliation": (
            reconciliation_counts(reconciliation.to_dict("records"), part.annex_a)
            if part.annex_a is not None
            else None
        ),
        "batch": {
            "children_reviewed": scored,
            "children_skipped_unchanged": skipped,
            "chunks": len(dirs),
            "chunk_children": opts.chunk_children or "auto",
            # whether the hot path ran compiled (notereview._compiled); results are the same
            "compiled": _compiled.status(),
        },
    }
    return BatchSummary(
        run_info=run_info,
        out_dir=out,
        files=files,
        weakest_cases=weakest_cases,
        grade_bands=bands,
        criteria_counts=criteria_counts,
        quarantine=quarantine,
        case_ranks=ranks,
        reconciliation=reconciliation,
        monitoring=monitoring,
    )


def _store(
    db: str, run_info: dict[str, Any], summary: BatchSummary, part: Partitioned, parts_dir: Path
) -> tuple[int, bool]:
    """Write the run (streamed chunk by chunk, in one transaction) and the cache of files."""
    from notereview.store import connect, remember_results, write_run_parts

    dirs = _chunk_dirs(parts_dir, part)

    def chunks() -> Iterator[dict[str, pd.DataFrame]]:
        for d, ranks in zip(dirs, summary.case_ranks, strict=True):
            tables = {
                name: pq.read_table(d / f"{name}.parquet").to_pandas()
                for name in (*ROW_TABLES, "records")
            }
            tables["cases"]["rank"] = ranks
            yield tables

    engine = connect(db)
    try:
        written = write_run_parts(
            engine, run_info, chunks(), summary.quarantine, summary.reconciliation,
            summary.monitoring,
        )  # fmt: skip
        for d in dirs:
            cache = d / "cache.pkl"
            if cache.exists():
                remember_results(engine, pickle.loads(cache.read_bytes()))
        return written.run_id, written.created
    finally:
        engine.dispose()
