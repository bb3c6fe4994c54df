"""The run's files from the chunks' parts: the cases ranked over the whole run and written a
block of ranks at a time, the other row tables copied chunk by chunk (in threads), the small
tables (quarantine, reconciliation, monitoring) written whole, and the criteria tallied."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from notereview._spreadsheet import write_output_csv
from notereview.batch._model import BatchError
from notereview.batch.tables import (
    MONITORING_COLUMNS,
    QUARANTINE_COLUMNS,
    RECONCILIATION_COLUMNS,
    arrow_schema,
    columns,
)
from notereview.extract import (
    CONTRACT_TABLES,
    Partitioned,
    TableCount,
    locate_reason,
    remove_tree,
    table_counts,
)
from notereview.reconciliation import order_rows

#: The ranked cases file is written this many rows at a time, so the whole cases table is
#: never held: a row is about 1.5 KB with its reasons, and writing a block holds about four
#: copies of it (``bench/cases_blocks.py`` measures it). Blocks grow past this size only
#: beyond MAX_CASES_BLOCKS blocks.
CASES_BLOCK_ROWS = 5_000
MAX_CASES_BLOCKS = 256  # spill files open at once


def with_pandas_schema(frame: pd.DataFrame, name: str) -> pa.Table:
    return pa.Table.from_pandas(as_objects(frame), schema=arrow_schema(name), preserve_index=False)


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``object``, as the in-memory path builds them (pandas records the dtype
    in the Parquet file, and a reader gets back what was written)."""
    text = [c for c in frame.columns
            if frame[c].dtype != object and pd.api.types.is_string_dtype(frame[c])]  # fmt: skip
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def chunk_dirs(parts_dir: Path, part: Partitioned) -> list[Path]:
    dirs = [parts_dir / f"chunk-{task.index:06d}" for task in part.tasks]
    missing = [d.name for d in dirs if not d.is_dir()]
    if missing:
        raise BatchError(f"internal: chunks not scored: {', '.join(missing[:5])}")
    return dirs


def _parts(dirs: list[Path], name: str) -> Iterator[pa.Table]:
    return (pq.read_table(d / f"{name}.parquet") for d in dirs)


def write_table(frames: Iterable[pa.Table], name: str, path: Path, fmt: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt == "parquet":
        writer: pq.ParquetWriter | None = None
        try:
            for table in frames:
                if writer is None:
                    schema = with_pandas_schema(table.slice(0, 0).to_pandas(), name).schema
                    writer = pq.ParquetWriter(tmp, schema)
                writer.write_table(table.cast(writer.schema))
            if writer is None:  # as the in-memory path writes an empty table
                pd.DataFrame(columns=columns(name)).to_parquet(tmp, index=False)
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
                write_output_csv(pd.DataFrame(columns=columns(name)), fh)
    os.replace(tmp, path)


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> Path:
    """A small table written whole, as ``write_outputs`` writes it."""
    tmp = path.with_name(f".{path.name}.tmp")
    if fmt == "parquet":
        frame.to_parquet(tmp, index=False)
    else:
        write_output_csv(frame, tmp)
    os.replace(tmp, path)
    return path


def quarantine_frame(part: Partitioned, dirs: list[Path]) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            [(q.table, q.row_number, q.record_id, q.reason) for q in part.quarantine],
            columns=QUARANTINE_COLUMNS,
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
    return as_objects(frame).astype({"row_number": "int64"})


def _rows_of(dirs: list[Path], name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for d in dirs:
        piece = d / f"{name}.parquet"
        if piece.exists():
            rows += pq.read_table(piece).to_pylist()
    return rows


def reconciliation_frame(
    children_findings: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> pd.DataFrame:
    """The children table's disagreements with the return (found in pass 1) and each chunk's
    statutory-date findings, ordered by child id then item (a small table)."""
    return as_objects(
        pd.DataFrame(order_rows([*children_findings, *rows]), columns=RECONCILIATION_COLUMNS)
    )


def monitoring_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Each child's equality-monitoring fields, by child id (one short row a child)."""
    rows = sorted(rows, key=lambda r: r["child_id"])
    return as_objects(pd.DataFrame(rows, columns=MONITORING_COLUMNS))


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


def rank_parts(dirs: list[Path]) -> tuple[list[np.ndarray], dict[str, int]]:
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

    write_table(ordered(), "cases", path, fmt)
    remove_tree(spill)
    if not weakest:
        return pd.DataFrame(columns=columns("cases"))
    return as_objects(pd.concat(weakest, ignore_index=True))


@dataclass
class Assembled:
    """The run's files written from the chunks' parts, and what run.json and the summary need."""

    files: list[Path]
    counts: dict[str, TableCount]
    children: int
    scored: int
    skipped: int
    weakest_cases: pd.DataFrame
    grade_bands: dict[str, int]
    criteria_counts: pd.DataFrame
    quarantine: pd.DataFrame
    case_ranks: list[np.ndarray]
    reconciliation: pd.DataFrame
    monitoring: pd.DataFrame


def assemble_outputs(
    part: Partitioned, dirs: list[Path], out: Path, fmt: str, keep_weakest: int
) -> Assembled:
    """Write the run's files (all but run.json) into ``out`` from the chunks' parts."""
    accepted: dict[str, int] = {t: 0 for t in CONTRACT_TABLES}
    accepted.update(part.accepted)
    scored = skipped = 0
    for d in dirs:
        meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
        for k, v in meta["accepted"].items():
            accepted[k] += v
        scored += meta["scored"]
        skipped += meta["skipped"]
    quarantine = quarantine_frame(part, dirs)
    quarantined = quarantine.groupby("table").size().to_dict() if len(quarantine) else {}
    counts = table_counts(part, accepted, quarantined)

    cases_path = out / f"cases.{fmt}"
    paths = {name: out / f"{name}.{fmt}" for name in ("criteria", "visits", "plan_actions")}
    # The three row tables are copied from the parts in threads while this one ranks and
    # writes the cases: Arrow reads and writes Parquet without the GIL, so the copying runs
    # on the cores the workers have left (the outputs are the same as one after another).
    with ThreadPoolExecutor(len(paths), thread_name_prefix="notereview-write") as threads:
        copies = [
            threads.submit(write_table, _parts(dirs, name), name, path, fmt)
            for name, path in paths.items()
        ]
        ranks, bands = rank_parts(dirs)
        spill = dirs[0].parent.parent / "cases-blocks" if dirs else out / ".cases-blocks"
        weakest_cases = _write_ranked_cases(dirs, ranks, spill, cases_path, fmt, keep_weakest)
        for copy in copies:
            copy.result()
    reconciliation = reconciliation_frame(part.children_findings, _rows_of(dirs, "reconciliation"))
    monitoring = monitoring_frame(_rows_of(dirs, "monitoring"))
    files = [
        cases_path, *paths.values(), write_frame(quarantine, out / f"quarantine.{fmt}", fmt),
        write_frame(reconciliation, out / f"reconciliation.{fmt}", fmt),
        write_frame(monitoring, out / f"monitoring.{fmt}", fmt),
    ]  # fmt: skip
    return Assembled(
        files=files,
        counts=counts,
        children=sum(len(r) for r in ranks),
        scored=scored,
        skipped=skipped,
        weakest_cases=weakest_cases,
        grade_bands=bands,
        criteria_counts=_criteria_tally(dirs),
        quarantine=quarantine,
        case_ranks=ranks,
        reconciliation=reconciliation,
        monitoring=monitoring,
    )
