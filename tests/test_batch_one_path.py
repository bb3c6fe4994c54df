"""The in-memory case is the batch path with one worker: on a small extract, score_extract +
write_outputs and a chunked run over a two-process pool write the same files: byte for byte,
but for the Parquet files written a chunk at a time, whose row groups are the chunks (the
same schema, metadata and rows)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.batch_fixtures import messy_extract

from notereview.batch import FILE_TABLES, BatchOptions, run_batch, score_extract, write_outputs
from notereview.extract import read_extract

DAY = date(2026, 11, 2)
#: Tables written a chunk's part at a time (the cases are written in blocks of ranks instead).
CHUNKED = ("criteria", "visits", "plan_actions")
SAME_IN_RUN_JSON = (
    "as_of", "tables", "rows_read", "rows_scored", "rows_quarantined", "children_scored",
    "tables_absent", "extract_fingerprint", "versions", "models", "ingest_notes",
    "reconciliation",
)  # fmt: skip


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return messy_extract(tmp_path_factory.mktemp("messy") / "extract")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_one_worker_in_memory_and_a_chunked_pool_write_the_same_files(
    messy: Path, tmp_path: Path, reviewer, fmt: str
) -> None:
    memory = tmp_path / "memory"
    result = score_extract(read_extract(messy, as_of=DAY), reviewer, source=messy)
    written = write_outputs(result, memory, fmt)
    pool = tmp_path / "pool"
    summary = run_batch(messy, pool, BatchOptions(workers=2, chunk_children=4, fmt=fmt, as_of=DAY))
    assert summary.run_info["batch"]["chunks"] > 2
    assert [p.name for p in written] == [f"{t}.{fmt}" for t in FILE_TABLES] + ["run.json"]
    for table in FILE_TABLES:
        a, b = memory / f"{table}.{fmt}", pool / f"{table}.{fmt}"
        if fmt == "csv" or table not in CHUNKED:
            assert a.read_bytes() == b.read_bytes(), table
        else:  # one row group a chunk: the same schema (pandas' metadata too) and rows
            assert pq.read_schema(a).equals(pq.read_schema(b), check_metadata=True), table
            assert pq.read_table(a).equals(pq.read_table(b)), table
            assert pq.ParquetFile(b).metadata.num_row_groups > 1, table
    info = [json.loads((d / "run.json").read_text(encoding="utf-8")) for d in (memory, pool)]
    assert set(info[1]) - set(info[0]) == {"batch"}
    for key in SAME_IN_RUN_JSON:
        assert info[0][key] == info[1][key], key
