"""The Spark engine: the same scoring core run through ``mapInPandas``, for clusters.

The driver does pass 1 and the cross-table checks (validation and quarantine are cheap next to
the language pipeline) and writes the accepted case files as a Parquet dataset; Spark reads it,
scores each partition with :func:`score_frame` (a pure pandas function: case files in, output
rows out; one Reviewer per Python worker) and writes the rows as Parquet partitioned by chunk.
The driver turns those into the run's files exactly as the local engine does, so the two give
the same files row for row. Needs ``pip install notereview[spark]`` (pyspark>=4.0, Java 17).
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from notereview.batch.engine import (
    ROW_TABLES,
    BatchError,
    BatchOptions,
    BatchSummary,
    ChunkDone,
    ChunkTask,
    Scorer,
    WorkerConfig,
    assemble_chunk,
    file_side_rows,
    remove_tree,
    run_batch,
    score_case_files,
    write_chunk_parts,
)

OUTPUT_SCHEMA = "chunk long, position long, child_id string, tbl string, seq long, row string"
_REVIEWERS: dict[tuple[str | None, str | None, str | None], Any] = {}


def score_frame(frame: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """Case files in (columns chunk, position, child_id, case: pickled CaseFile), one row per
    output row out (chunk, position, child_id, tbl, seq, row: the row as JSON)."""
    from notereview.review import keep_torch_out

    if config.get("block_torch"):
        keep_torch_out()
    key = (config.get("rubric_path"), config.get("policy_path"), config.get("models"))
    reviewer = _REVIEWERS.get(key)
    if reviewer is None:
        from notereview.review import Reviewer

        reviewer = _REVIEWERS[key] = Reviewer(rubric_path=key[0], policy_path=key[1], models=key[2])
    as_of = date.fromisoformat(config["as_of"])
    meta = {
        row.child_id: (int(row.chunk), int(row.position))
        for row in frame[["chunk", "position", "child_id"]].itertuples(index=False)
    }
    cases = (pickle.loads(blob) for blob in frame["case"])
    out: list[tuple[int, int, str, str, int, str]] = []
    for case, rows in score_case_files(
        reviewer, cases, as_of, config["tables_absent"], config["keep_records"]
    ):
        chunk, position = meta[case.child_id]
        for table, table_rows in rows.items():
            for seq, row in enumerate(table_rows):
                out.append(
                    (chunk, position, case.child_id, table, seq, json.dumps(row, default=str))
                )
    return pd.DataFrame(out, columns=["chunk", "position", "child_id", "tbl", "seq", "row"])


def _spark_session(master: str) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise BatchError(
            "the Spark engine needs pyspark: pip install 'notereview[spark]'"
        ) from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("notereview")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )


def _write_case_files(
    todo: list[ChunkTask], config: WorkerConfig, path: Path
) -> dict[int, tuple[list[dict[str, Any]], dict[str, int], list[str], dict[str, list[Any]]]]:
    """Assemble each chunk's case files into one Parquet file; the chunks' quarantine,
    accepted counts, child order and file-side rows (monitoring, reconciliation) stay with
    the driver."""
    schema = pa.schema([("chunk", pa.int64()), ("position", pa.int64()),
                        ("child_id", pa.string()), ("case", pa.binary())])  # fmt: skip
    kept: dict[
        int, tuple[list[dict[str, Any]], dict[str, int], list[str], dict[str, list[Any]]]
    ] = {}
    with pq.ParquetWriter(path, schema) as writer:
        for task in todo:
            got = assemble_chunk(task, config.as_of, config.children_q, config.plans_q)
            quarantine = [
                {"table": q.table, "row_number": q.row_number, "record_id": q.record_id,
                 "reason": q.reason}
                for q in got.quarantine
            ]  # fmt: skip
            ids = [c.child_id for c in got.case_files]
            kept[task.index] = (
                quarantine,
                got.accepted,
                ids,
                file_side_rows(got.case_files, config.as_of, config.annex_dates),
            )
            if got.case_files:
                writer.write_table(pa.table({
                    "chunk": [task.index] * len(ids),
                    "position": list(range(len(ids))),
                    "child_id": ids,
                    "case": [pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL)
                             for c in got.case_files],
                }, schema=schema))  # fmt: skip
    return kept


def _spark_scorer(master: str) -> Scorer:
    def scorer(
        todo: list[ChunkTask], config: WorkerConfig, workers: int, reviewer: Any
    ) -> Iterator[ChunkDone]:
        if not todo:
            return
        work = Path(config.parts_dir).parent / "spark"
        remove_tree(work)
        work.mkdir(parents=True)
        kept = _write_case_files(todo, config, work / "case_files.parquet")
        conf = {
            "rubric_path": config.base.rubric_path,
            "policy_path": config.base.policy_path,
            "models": config.base.models,
            "as_of": config.as_of.isoformat(),
            "tables_absent": list(config.tables_absent),
            "keep_records": config.keep_records,
            "block_torch": config.base.block_torch,
        }

        def score_batches(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for frame in frames:
                yield score_frame(frame, conf)

        spark = _spark_session(master)
        cases = spark.read.parquet(str(work / "case_files.parquet"))
        parallel = max(1, min(len(todo), spark.sparkContext.defaultParallelism * 4))
        (
            cases.repartition(parallel, "chunk")
            .mapInPandas(score_batches, OUTPUT_SCHEMA)
            .write.mode("overwrite")
            .partitionBy("chunk")
            .parquet(str(work / "rows"))
        )
        for task in todo:
            quarantine, accepted, ids, file_side = kept[task.index]
            folder = work / "rows" / f"chunk={task.index}"
            frame = (
                pq.read_table(folder).to_pandas()
                if folder.is_dir()
                else pd.DataFrame(columns=["position", "child_id", "tbl", "seq", "row"])
            )
            frame = frame.sort_values(["position", "tbl", "seq"], kind="mergesort")
            tables: dict[str, list[dict[str, Any]]] = {t: [] for t in ROW_TABLES}
            if config.keep_records:
                tables["records"] = []
            for tbl, row in zip(frame["tbl"], frame["row"], strict=True):
                tables[tbl].append(_row(tbl, row))
            tables.update(file_side)
            meta = {"children": len(ids), "accepted": accepted, "scored": len(ids), "skipped": 0}
            write_chunk_parts(Path(config.parts_dir) / f"chunk-{task.index:06d}", tables,
                              quarantine, meta)  # fmt: skip
            yield ChunkDone(task.index, len(ids), len(ids), 0, 0.0)
        remove_tree(work)

    return scorer


def _row(table: str, text: str) -> dict[str, Any]:
    row = json.loads(text)
    if table == "records" and row.get("record_date"):
        row["record_date"] = date.fromisoformat(row["record_date"])
    return row


def run_spark(
    extract: str | Path,
    out_dir: str | Path,
    options: BatchOptions | None = None,
    master: str = "local[2]",
) -> BatchSummary:
    """Score an extract with Spark (``master``: e.g. local[2], or a cluster's URL); writes the
    same files as the local engine. Incremental reuse of the store's cache is local-only."""
    opts = options or BatchOptions()
    return run_batch(extract, out_dir, opts, scorer=_spark_scorer(master))
