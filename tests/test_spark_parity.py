"""The Spark engine (mapInPandas over the same scoring core, Parquet in and out) writes the same
files as the local engine, row for row, on 1,000 synthetic children, running Spark local[2]."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from tests.batch_fixtures import messy_extract
from tests.test_batch_stream import assert_same_run

from notereview.batch import BatchOptions, run_batch

pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java 17", allow_module_level=True)

CHILDREN = int(os.environ.get("NOTEREVIEW_SPARK_PARITY_CHILDREN", "1000"))
DAY = date(2026, 11, 2)


@pytest.mark.slow
def test_spark_and_local_write_the_same_files(tmp_path: Path):
    from notereview.engines.spark import run_spark

    extract = messy_extract(tmp_path / "extract", children=CHILDREN, seed=21)
    options = BatchOptions(workers=2, chunk_children=100, as_of=DAY)
    local = run_batch(extract, tmp_path / "local", options)
    spark = run_spark(extract, tmp_path / "spark", options, master="local[2]")
    assert local.run_info["children_scored"] > 0.9 * CHILDREN
    assert_same_run(tmp_path / "local", tmp_path / "spark")
    assert spark.run_info["batch"]["children_reviewed"] == local.run_info["children_scored"]
    for t, c in spark.run_info["tables"].items():
        assert c["rows_read"] == c["rows_scored"] + c["rows_quarantined"], t
