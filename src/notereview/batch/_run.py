"""A batch run: streamed, parallel, incremental and resumable scoring of an extract.

1. Pass 1 (:func:`notereview.extract.partition_extract`) validates every row and spills the
   accepted records to one file per chunk of children (a run of consecutive child ids) and text
   table; with more than one worker the text tables are read in parallel by short-lived
   processes.
2. An engine's scorer runs the chunks (:mod:`._chunks`): by default the local process pool
   (:mod:`._pool`: forkserver/spawn, started after pass 1, one Reviewer per worker, built once)
   or, with one worker, this process; ``engines.spark`` runs the same chunk core on Spark. Each
   chunk's case files are assembled, those not already in the store's cache scored, and the
   chunk's rows written as Parquet parts into ``OUT/.notereview-partial/<state key>/chunk-N``
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
import os
import pickle
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from notereview import _compiled
from notereview.batch._assembly import assemble_outputs, chunk_dirs
from notereview.batch._chunks import ChunkDone, WorkerBase, WorkerConfig, scoring_identity
from notereview.batch._model import (
    MODEL_CHOICES,
    RULES_ONLY,
    BatchError,
    BatchOptions,
    BatchSummary,
    reviewer_models,
)
from notereview.batch._pool import LocalPool, run_in_process, start_forkserver, table_readers
from notereview.batch._report import build_run_info, reconciliation_info
from notereview.batch._rows import extract_fingerprint
from notereview.batch.tables import ROW_TABLES
from notereview.extract import (
    ChunkTask,
    load_mapping,
    partition_extract,
    read_annex_a,
    remove_tree,
)
from notereview.reconciliation import statutory_dates

PARTIAL_DIR = ".notereview-partial"
STATE_VERSION = 1


def _sha_file(path: str | Path | None) -> str | None:
    if path is None:
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


#: Runs a batch's chunks (the chunks to do, the run's WorkerConfig, the workers asked for, the
#: main process's Reviewer) and yields each as it is done: the local pool, this process, Spark.
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
        start_forkserver()  # its imports overlap loading the rubric and reading the extract
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
        with table_readers(workers) as map_tables:
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
        run_chunks: Scorer = scorer or (pool.run if pool is not None else run_in_process)
        if pool is not None:
            models_info = _as_scored_in_workers(models_info)
        if run_chunks is not run_in_process:
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
        dirs = chunk_dirs(parts_dir, part)
        assembled = assemble_outputs(part, dirs, out, opts.fmt, opts.keep_weakest)
        run_info = build_run_info(
            as_of=part.as_of,
            started=started,
            counts=assembled.counts,
            children_scored=assembled.children,
            tables_absent=part.tables_absent,
            fingerprint=fingerprint,
            versions=versions,
            models=models_info,
            notes=part.notes,
            reconciliation=reconciliation_info(assembled.reconciliation, part.annex_a),
            batch={
                "children_reviewed": assembled.scored,
                "children_skipped_unchanged": assembled.skipped,
                "chunks": len(dirs),
                "chunk_children": opts.chunk_children or "auto",
                # whether the hot path ran compiled (notereview._compiled); same results
                "compiled": _compiled.status(),
            },
        )
        summary = BatchSummary(
            run_info=run_info,
            out_dir=out,
            files=assembled.files,
            weakest_cases=assembled.weakest_cases,
            grade_bands=assembled.grade_bands,
            criteria_counts=assembled.criteria_counts,
            quarantine=assembled.quarantine,
            case_ranks=assembled.case_ranks,
            reconciliation=assembled.reconciliation,
            monitoring=assembled.monitoring,
            chunks_resumed=len(done_before),
        )
        timings["write"] = time.perf_counter() - t
        summary.run_info["timings_s"].update({k: round(v, 3) for k, v in timings.items()})

        summary.run_info["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if opts.db is not None:
            t = time.perf_counter()
            summary.db_run = _store(opts.db, summary.run_info, summary, dirs)
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


def _store(
    db: str, run_info: dict[str, Any], summary: BatchSummary, dirs: list[Path]
) -> tuple[int, bool]:
    """Write the run (streamed chunk by chunk, in one transaction) and the cache of files."""
    from notereview.store import connect, remember_results, write_run_parts

    def chunks() -> Iterator[dict[str, Any]]:
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
