"""The streamed batch path gives exactly what the in-memory path gives: same case files, same
quarantine (rows read = scored + quarantined), same output files, whatever the chunking."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from tests.batch_fixtures import messy_extract

from notereview.batch import (
    BatchError,
    BatchOptions,
    _assembly,
    _chunks,
    _pool,
    markdown_report,
    run_batch,
    score_extract,
    write_outputs,
)
from notereview.batch._pool import table_readers
from notereview.extract import assemble_chunk, partition_extract, read_extract
from notereview.extract._schema import CONTRACT_TABLES

TABLES = (
    "cases", "criteria", "visits", "plan_actions", "quarantine", "reconciliation", "monitoring",
)  # fmt: skip
DAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return messy_extract(tmp_path_factory.mktemp("messy") / "extract")


def _streamed(path: Path, tmp: Path, chunk: int, as_of=None, map_tables=None):
    part = partition_extract(
        path, tmp / f"spill-{chunk}", chunk_children=chunk, as_of=as_of, map_tables=map_tables
    )
    cases, quarantine = [], list(part.quarantine)
    accepted = dict(part.accepted)
    for task in part.tasks:
        got = assemble_chunk(task, part.as_of, part.children_q, part.plans_q)
        cases += got.case_files
        quarantine += got.quarantine
        for k, v in got.accepted.items():
            accepted[k] = accepted.get(k, 0) + v
    order = {t: i for i, t in enumerate(CONTRACT_TABLES)}
    quarantine.sort(key=lambda q: (order[q.table], q.row_number))
    return part, cases, quarantine, accepted


@pytest.mark.parametrize("chunk", [1, 5, 1000])
def test_partitioned_ingest_equals_read_extract(messy: Path, tmp_path: Path, chunk: int):
    day = DAY if chunk != 5 else None  # inferred as-of too
    expected = read_extract(messy, as_of=day)
    part, cases, quarantine, accepted = _streamed(messy, tmp_path, chunk, as_of=day)
    assert part.as_of == expected.as_of
    assert part.tables_absent == expected.tables_absent == ["genograms"]
    assert part.notes == expected.notes
    assert quarantine == expected.quarantine
    reasons = " ".join(q.reason for q in quarantine)
    for bit in (
        "duplicate",
        "unknown child_id",
        "was quarantined",
        "unknown plan_id",
        "malformed CSV row",
        "not valid JSON",
        "text is empty",
    ):
        assert bit in reasons, bit
    if day is not None:
        assert "after the as-of date" in reasons
    assert [c.content_hash() for c in cases] == [c.content_hash() for c in expected.case_files()]
    for table in CONTRACT_TABLES:
        count = expected.counts[table]
        assert part.read.get(table, 0) == count.read, table
        assert accepted.get(table, 0) == count.accepted, table


def test_text_tables_read_in_parallel_give_the_same_partition(messy: Path, tmp_path: Path):
    """Pass 1 with the text tables read by a process pool (as the engine does with more than
    one worker) gives the same as-of, notes, counts, quarantine and case files as reading them
    one after another."""
    alone = _streamed(messy, tmp_path / "alone", 4)
    with table_readers(2) as map_tables:
        assert map_tables is not None
        pooled = _streamed(messy, tmp_path / "pooled", 4, map_tables=map_tables)
    assert pooled[0].as_of == alone[0].as_of
    assert pooled[0].notes == alone[0].notes
    assert pooled[0].read == alone[0].read
    assert pooled[2] == alone[2] and pooled[2]
    assert pooled[3] == alone[3]
    assert [c.content_hash() for c in pooled[1]] == [c.content_hash() for c in alone[1]]
    assert [[p.name for p in t.spills] for t in pooled[0].tasks] == [
        [p.name for p in t.spills] for t in alone[0].tasks
    ]


def test_a_zip_and_a_given_as_of_are_read_the_same_way(messy: Path, tmp_path: Path):
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(messy.iterdir()):
            zf.write(f, f"export/{f.name}")
    day = pd.Timestamp("2026-09-30").date()
    expected = read_extract(archive, as_of=day)
    _, cases, quarantine, _ = _streamed(archive, tmp_path, 4, as_of=day)
    assert quarantine == expected.quarantine
    assert [c.content_hash() for c in cases] == [c.content_hash() for c in expected.case_files()]


def _frames(folder: Path, fmt: str) -> dict[str, pd.DataFrame]:
    if fmt == "parquet":
        return {t: pd.read_parquet(folder / f"{t}.parquet") for t in TABLES}
    return {t: pd.read_csv(folder / f"{t}.csv") for t in TABLES}


def assert_same_run(a: Path, b: Path, fmt: str = "parquet") -> None:
    fa, fb = _frames(a, fmt), _frames(b, fmt)
    for table in TABLES:
        pd.testing.assert_frame_equal(fa[table], fb[table], obj=table)
    ra = json.loads((a / "run.json").read_text())
    rb = json.loads((b / "run.json").read_text())
    for key in ("as_of", "tables", "rows_read", "rows_scored", "rows_quarantined",
                "children_scored", "tables_absent", "extract_fingerprint", "versions",
                "ingest_notes", "reconciliation"):  # fmt: skip
        assert ra[key] == rb[key], key


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_batch_files_equal_the_in_memory_path(messy: Path, tmp_path: Path, reviewer, fmt):
    expected = tmp_path / "memory"
    result = score_extract(read_extract(messy, as_of=DAY), reviewer, source=messy)
    write_outputs(result, expected, fmt)
    got = tmp_path / "batch"
    options = BatchOptions(workers=1, chunk_children=5, fmt=fmt, as_of=DAY)
    summary = run_batch(messy, got, options)
    assert summary.run_info["children_scored"] > 10
    assert_same_run(expected, got, fmt)
    assert summary.run_info["batch"]["children_reviewed"] == summary.run_info["children_scored"]
    assert not (got / ".notereview-partial").exists()
    for t, c in summary.run_info["tables"].items():
        assert c["rows_read"] == c["rows_scored"] + c["rows_quarantined"], t
    # The batch path tallies criteria chunk by chunk; its report is the in-memory path's.
    assert set(summary.criteria_counts.columns) == {"criterion", "status", "rows"}
    assert summary.criteria_counts["rows"].sum() == len(result.tables["criteria"])
    in_memory = markdown_report(result).split("## The 10 weakest files")[0]
    batch = markdown_report(summary).split("## The 10 weakest files")[0]
    assert "| V1 |" in in_memory
    assert batch.splitlines()[2:] == in_memory.splitlines()[2:]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_cases_written_block_by_block_are_the_ranked_table(
    messy: Path, tmp_path: Path, reviewer, fmt, monkeypatch: pytest.MonkeyPatch
):
    # Blocks of 7 ranks over chunks of 5 children: every chunk's rows land in two or more
    # blocks, and the file is still the in-memory path's ranked table.
    monkeypatch.setattr(_assembly, "CASES_BLOCK_ROWS", 7)
    result = score_extract(read_extract(messy, as_of=DAY), reviewer, source=messy)
    write_outputs(result, tmp_path / "memory", fmt)
    options = BatchOptions(workers=1, chunk_children=5, fmt=fmt, as_of=DAY, keep_weakest=12)
    summary = run_batch(messy, tmp_path / "batch", options)
    assert summary.run_info["children_scored"] > 3 * 7
    assert_same_run(tmp_path / "memory", tmp_path / "batch", fmt)
    ranked = result.tables["cases"]
    pd.testing.assert_frame_equal(summary.weakest_cases, ranked.head(12), check_dtype=False)
    assert summary.grade_bands == ranked["grade_band"].value_counts().to_dict()
    assert [len(r) for r in summary.case_ranks] == [5] * (len(summary.case_ranks) - 1) + [
        len(summary.case_ranks[-1])
    ]
    assert sorted(int(r) for ranks in summary.case_ranks for r in ranks) == list(
        range(1, len(ranked) + 1)
    )
    # The whole report, the weakest files included, is the in-memory path's.
    in_memory = markdown_report(result).splitlines()
    assert markdown_report(summary).splitlines()[2:] == in_memory[2:]
    assert not (tmp_path / "batch" / ".notereview-partial").exists()


def test_a_process_pool_gives_the_same_files(messy: Path, tmp_path: Path):
    one = run_batch(messy, tmp_path / "one", BatchOptions(workers=1, chunk_children=6, as_of=DAY))
    two = run_batch(messy, tmp_path / "two", BatchOptions(workers=2, chunk_children=6, as_of=DAY))
    assert two.run_info["batch"]["chunks"] > 2
    assert_same_run(tmp_path / "one", tmp_path / "two")
    assert one.run_info["children_scored"] == two.run_info["children_scored"]


def test_bad_options_are_clear_errors(messy: Path, tmp_path: Path):
    with pytest.raises(BatchError, match="--models"):
        run_batch(messy, tmp_path, BatchOptions(models="gpt"))
    with pytest.raises(BatchError, match="format"):
        run_batch(messy, tmp_path, BatchOptions(fmt="xlsx"))


def _collector_state(_: object) -> tuple[tuple[int, ...], int, bool]:
    import gc

    return gc.get_threshold(), gc.get_freeze_count(), "reviewer" in _chunks._WORKER


def test_pool_processes_freeze_their_set_up_and_collect_less_often():
    """A scoring worker and a table reader leave no cyclic garbage: after set-up each freezes
    what it loaded and raises the collector's thresholds (batch._pool.quiet_gc)."""
    import gc
    from concurrent.futures import ProcessPoolExecutor

    base = _chunks.WorkerBase(None, None, None, block_torch=True)
    context = _pool.pool_context()
    for init, args, built in ((_pool.init_worker, (base,), True),
                              (_pool.reader_init, (), False)):  # fmt: skip
        with ProcessPoolExecutor(1, mp_context=context, initializer=init, initargs=args) as pool:
            threshold, frozen, has_reviewer = pool.submit(_collector_state, None).result(120)
        assert threshold == _pool.WORKER_GC_THRESHOLDS
        assert frozen > 1000  # the modules and, in a worker, the pipeline
        assert has_reviewer is built
    assert gc.get_threshold() != _pool.WORKER_GC_THRESHOLDS  # this process untouched


def test_pool_processes_start_with_the_batch_modules_imported():
    """The forkserver imports pandas, pyarrow and the batch modules once for every pool process
    (batch._pool.FORKSERVER_PRELOAD), but never spaCy (a rules-path worker blocks torch
    before spaCy's first import)."""
    from concurrent.futures import ProcessPoolExecutor

    probe = "sorted(m for m in ('pyarrow', 'notereview.batch._pool', 'spacy', 'torch') " \
            "if m in __import__('sys').modules)"  # fmt: skip
    with ProcessPoolExecutor(1, mp_context=_pool.pool_context()) as pool:
        loaded = pool.submit(eval, probe).result(120)
    assert loaded == ["notereview.batch._pool", "pyarrow"]
