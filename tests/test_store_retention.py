"""``notereview purge --before DATE``: runs older than the retention period leave the store with
their scores and record texts, the access log stays, audit outcomes stay when told to; on
SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from notereview.cli import app
from notereview.store import (
    AccessEvent,
    add_audit,
    add_user,
    log_access,
    record_dip_sample,
    remember_results,
    write_run,
)
from notereview.store._retention import purge
from notereview.store.models import (
    AccessLogEntry,
    AuditOutcome,
    CaseScore,
    DipSampleDraw,
    DipSampleMember,
    RecordText,
    Run,
    ScoredFile,
)

pytest_plugins = ["api_fixtures"]

MARK = "Zephyrine-retention-marker"
CUTOFF = date(2025, 7, 1)


def _count(engine: Engine, model: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _store(engine: Engine, run_factory: Any) -> dict[str, Any]:
    """Two runs before the cutoff, one after; a dip sample and audits on the first and the
    last; an access log entry; an old and a new cache entry."""
    ids = [
        write_run(engine, *run_factory(seed=i, n_children=8, as_of=day, marker=MARK)).run_id
        for i, day in enumerate(("2025-01-31", "2025-06-30", "2026-03-31"), start=1)
    ]
    user = add_user(engine, "amira", "auditor").user.user_id
    sample = record_dip_sample(
        engine, ids[0], 2, 7, (), user, [("C0001", "North", "CP"), ("C0002", "South", "LAC")]
    )
    for run_id, sample_id in ((ids[0], sample), (ids[0], None), (ids[2], None)):
        add_audit(engine, run_id=run_id, child_id="C0001", user_id=user, overall="good",
                  themes={}, findings={}, comments="fine", team="North", legal_status="CP",
                  sample_id=sample_id)  # fmt: skip
    log_access(engine, AccessEvent(datetime.now(UTC), user, "read_case", "GET", "/cases/{id}",
                                   "C0001", 200, "127.0.0.1"))  # fmt: skip
    remember_results(engine, [("k-old", "C0001", "h1", b"x"), ("k-new", "C0002", "h2", b"y")])
    with engine.begin() as conn:
        conn.execute(
            update(ScoredFile)
            .where(ScoredFile.file_key == "k-old")
            .values(created_at=datetime(2025, 1, 31, tzinfo=UTC))
        )
    return {"runs": ids, "user": user, "sample": sample}


def _texts(engine: Engine, run_ids: list[int]) -> int:
    return _count(engine, RecordText, RecordText.run_id.in_(run_ids))


def test_purge_removes_old_runs_and_keeps_the_access_log(engine: Engine, run_factory: Any):
    made = _store(engine, run_factory)
    old, new = made["runs"][:2], made["runs"][2]
    assert _texts(engine, old) > 0
    new_cases = _count(engine, CaseScore, CaseScore.run_id == new)

    dry = purge(engine, CUTOFF, dry_run=True)
    assert dry.runs == old and dry.removed["record_texts"] > 0
    assert _texts(engine, old) > 0 and _count(engine, Run) == 3  # nothing changed

    report = purge(engine, CUTOFF)
    assert report.runs == old
    assert report.removed == dry.removed
    assert report.removed["runs"] == 2 and report.removed["audit_outcomes"] == 2
    assert report.removed["dip_samples"] == 1 and report.removed["dip_sample_members"] == 2
    assert report.removed["scored_files"] == 1
    assert report.kept == {"runs": 1, "audit_outcomes": 1, "access_log": 1}
    assert [r for r in _all(engine, Run.id)] == [new]
    assert _texts(engine, old) == 0 and _count(engine, CaseScore, CaseScore.run_id.in_(old)) == 0
    assert _count(engine, CaseScore, CaseScore.run_id == new) == new_cases  # untouched
    assert _all(engine, AuditOutcome.run_id) == [new]
    assert _all(engine, ScoredFile.file_key) == ["k-new"]
    assert _count(engine, AccessLogEntry) == 1
    with engine.connect() as conn:  # no old record's text is left anywhere
        texts = conn.scalars(select(RecordText.text)).all()
    assert texts and all(MARK in t for t in texts)  # the new run's only
    assert _count(engine, RecordText) == _texts(engine, [new])

    again = purge(engine, CUTOFF)
    assert again.runs == [] and not any(again.removed.values())


def test_purge_keeping_audits_keeps_them_and_what_they_name(engine: Engine, run_factory: Any):
    made = _store(engine, run_factory)
    old = made["runs"][:2]
    report = purge(engine, CUTOFF, keep_audits=True)
    assert report.runs == old
    assert report.removed["audit_outcomes"] == 0 and report.removed["runs"] == 0
    assert report.removed["record_texts"] > 0 and report.removed["case_scores"] > 0
    assert _count(engine, AuditOutcome) == 3
    assert _count(engine, DipSampleDraw) == 1 and _count(engine, DipSampleMember) == 2
    assert _texts(engine, old) == 0 and _count(engine, CaseScore, CaseScore.run_id.in_(old)) == 0
    with engine.connect() as conn:
        infos = conn.scalars(select(Run.info).where(Run.id.in_(old))).all()
    assert all(i["purged_before"] == CUTOFF.isoformat() for i in infos)


def test_the_purge_command_says_what_it_removed(db_url: str, engine: Engine, run_factory: Any):
    _store(engine, run_factory)
    runner = CliRunner()
    args = ["purge", "--before", CUTOFF.isoformat(), "--database-url", db_url]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("would remove: 2 run(s) with an as-of date before 2025-07-01")
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "removed: 2 run(s)" in done.output and "  record_texts: " in done.output
    assert "  access_log: 1" in done.output
    assert MARK not in done.output
    future = runner.invoke(app, ["purge", "--before", "2999-01-01", "--database-url", db_url])
    assert future.exit_code == 2 and "in the future" in future.output
    bad = runner.invoke(app, ["purge", "--before", "last year", "--database-url", db_url])
    assert bad.exit_code == 2


def _all(engine: Engine, column: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.scalars(select(column).order_by(column)))
