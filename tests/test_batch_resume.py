"""Resumable and incremental: a run killed with SIGKILL and started again ends with exactly the
files and the stored run of an uninterrupted run; a rerun with --db scores nothing again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from bench.run import _tree, process_children
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.batch_fixtures import messy_extract
from tests.test_batch_stream import assert_same_run

from notereview.batch import PARTIAL_DIR, BatchOptions, run_batch
from notereview.store import connect, list_runs
from notereview.store.models import CaseScore, CriterionFinding, RecordText, ScoredFile

DAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return messy_extract(tmp_path_factory.mktemp("messy") / "extract", children=30, seed=8)


def _score_command(extract: Path, out: Path, db: str, workers: int) -> list[str]:
    return [
        sys.executable, "-c", "from notereview.cli import main; main()", "score", str(extract),
        "--out", str(out), "--as-of", DAY.isoformat(), "--chunk-size", "3",
        "--workers", str(workers), "--db", db, "--top", "1",
    ]  # fmt: skip


def _chunks_done(out: Path) -> int:
    return len(list(out.glob(f"{PARTIAL_DIR}/*/parts/chunk-??????")))


def _kill_after(cmd: list[str], out: Path, chunks: int, timeout: float = 120) -> bool:
    """Start the command and SIGKILL it once ``chunks`` chunks are done; False if it ended.
    Its other processes (forkserver, workers, resource tracker) must then exit by themselves,
    as nobody is left to stop them."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    left: list[int] = []
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if _chunks_done(out) >= chunks:
                tree = _tree(proc.pid)[1:]  # its forkserver, workers, resource tracker
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
                gone_by = time.monotonic() + 30
                while (left := [p for p in tree if _alive(p)]) and time.monotonic() < gone_by:
                    time.sleep(0.1)
                assert not left, f"{len(left)} of the killed run's processes are still running"
                return True
            time.sleep(0.01)
        raise AssertionError("the run did not get going in time")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for pid in left:
            os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; its new parent (init) reaps it


def _stored(url: str) -> dict[str, int]:
    engine = connect(url)
    try:
        with Session(engine) as s:
            return {
                "runs": len(list_runs(engine)),
                "cases": s.scalar(select(func.count()).select_from(CaseScore)),
                "criteria": s.scalar(select(func.count()).select_from(CriterionFinding)),
                "records": s.scalar(select(func.count()).select_from(RecordText)),
                "cache": s.scalar(select(func.count()).select_from(ScoredFile)),
            }
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_killed_run_resumes_to_exactly_the_uninterrupted_result(messy: Path, tmp_path: Path):
    reference = tmp_path / "reference"
    ref_db = f"sqlite:///{tmp_path / 'reference.db'}"
    run_batch(messy, reference, BatchOptions(workers=1, chunk_children=3, as_of=DAY, db=ref_db))

    out = tmp_path / "out"
    db = f"sqlite:///{tmp_path / 'killed.db'}"
    killed = 0
    for workers, chunks in ((2, 2), (1, 5)):  # killed in a pool, then in a single process
        killed += _kill_after(_score_command(messy, out, db, workers), out, chunks)
    assert killed >= 1, "the runs finished before they could be killed"
    assert _chunks_done(out) >= 2
    assert not (out / "run.json").exists()

    done = subprocess.run(_score_command(messy, out, db, 2), capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "chunks resumed" in done.stdout
    resumed = int(done.stdout.split("chunks resumed ")[1].split(";")[0])
    assert resumed >= 2
    assert_same_run(reference, out)
    assert not (out / PARTIAL_DIR).exists()
    got, want = _stored(db), _stored(ref_db)
    assert got["runs"] == 1
    assert {k: got[k] for k in ("cases", "criteria", "records")} == {
        k: want[k] for k in ("cases", "criteria", "records")
    }


@pytest.mark.slow
def test_a_worker_killed_mid_run_stops_the_run_with_a_clear_error_and_a_rerun_finishes(
    tmp_path: Path,
):
    """The kernel's out-of-memory killer picks one worker: the run must not wait for its chunk
    for ever (as a multiprocessing.Pool does), and what was scored is kept."""
    extract = messy_extract(tmp_path / "extract", children=90, seed=9)
    reference = tmp_path / "reference"
    run_batch(extract, reference, BatchOptions(workers=1, chunk_children=3, as_of=DAY))
    out = tmp_path / "out"
    db = f"sqlite:///{tmp_path / 'store.db'}"
    proc = subprocess.Popen(
        _score_command(extract, out, db, 2), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while _chunks_done(out) < 1:
            assert proc.poll() is None and time.monotonic() < deadline, "no chunk was scored"
            time.sleep(0.005)
        children = process_children()
        workers = [w for child in children.get(proc.pid, []) for w in children.get(child, [])]
        assert workers, "no pool workers found"  # the forkserver's children
        os.kill(workers[0], signal.SIGKILL)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode != 0, "the run finished though a worker was killed"
    assert "a worker process scoring chunks stopped before it finished" in stderr
    assert "run the same command again" in stderr
    assert "Traceback" not in stderr
    assert not (out / "run.json").exists()
    kept = _chunks_done(out)
    assert kept >= 1

    done = subprocess.run(_score_command(extract, out, db, 2), capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split("chunks resumed ")[1].split(";")[0]) == kept
    assert_same_run(reference, out)


def test_a_rerun_with_db_is_a_no_op_and_a_change_rescores_one_file(messy: Path, tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'nr.db'}"
    options = BatchOptions(workers=1, chunk_children=7, as_of=DAY, db=db)
    first = run_batch(messy, tmp_path / "first", options)
    n = first.run_info["children_scored"]
    assert first.run_info["batch"]["children_reviewed"] == n
    assert first.db_run is not None and first.db_run[1] is True
    stored = _stored(db)
    assert stored["cache"] == n

    again = run_batch(messy, tmp_path / "again", options)
    assert again.run_info["batch"] == {**first.run_info["batch"], "children_reviewed": 0,
                                       "children_skipped_unchanged": n}  # fmt: skip
    assert again.db_run == (first.db_run[0], False)
    assert _stored(db) == stored
    assert_same_run(tmp_path / "first", tmp_path / "again")

    changed = tmp_path / "changed"
    changed.mkdir()
    for f in messy.iterdir():
        (changed / f.name).write_bytes(f.read_bytes())
    visits = pd.read_csv(changed / "visits.csv", dtype=str, keep_default_na=False)
    target = "C000001"
    row = visits.index[visits["child_id"] == target][0]
    visits.loc[row, "text"] = visits.loc[row, "text"] + " Sam said he likes his new school."
    visits.to_csv(changed / "visits.csv", index=False)
    third = run_batch(changed, tmp_path / "third", options)
    assert third.run_info["batch"]["children_reviewed"] == 1
    assert third.run_info["batch"]["children_skipped_unchanged"] == n - 1
    assert third.db_run is not None and third.db_run[1] is True
    fresh = run_batch(changed, tmp_path / "fresh", BatchOptions(workers=1, as_of=DAY))
    assert fresh.run_info["batch"]["children_reviewed"] == n
    assert_same_run(tmp_path / "third", tmp_path / "fresh")
    info = json.loads((tmp_path / "third" / "run.json").read_text())
    assert info["batch"]["children_skipped_unchanged"] == n - 1
