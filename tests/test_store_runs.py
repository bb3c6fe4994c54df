"""The store: migrations, writing runs once, reading them back (SQLite and PostgreSQL)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from notereview.store import (
    AccessEvent,
    NotFoundError,
    StoreError,
    case_file,
    case_scores,
    connect,
    get_run,
    latest_run,
    list_runs,
    log_access,
    read_access_log,
    read_run_dir,
    upgrade,
    write_run,
)
from notereview.store.models import Base, CaseScore, CriterionFinding, RecordText

pytest_plugins = ["api_fixtures"]


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalar()


def test_write_run_stores_every_table_and_is_idempotent(run_factory: Any, engine: Engine) -> None:
    run_info, tables = run_factory(seed=1)
    first = write_run(engine, run_info, tables)
    assert first.created
    again = write_run(engine, run_info, tables)
    assert (again.run_id, again.created) == (first.run_id, False)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(CaseScore)).scalar() == 30
        count = connection.execute(select(func.count()).select_from(CriterionFinding)).scalar()
        assert count == 30 * 26
        assert connection.execute(select(func.count()).select_from(RecordText)).scalar() == 30 * 4
    # a different as-of or version is a different run
    other = dict(run_info, as_of="2026-04-30")
    assert write_run(engine, other, tables).created
    bumped = dict(run_info, versions={**run_info["versions"], "rubric": "2026.12-1"})
    assert write_run(engine, bumped, tables).created
    assert len(list_runs(engine)) == 3


def test_runs_read_back(run_factory: Any, engine: Engine) -> None:
    run_info, tables = run_factory(seed=2)
    result = write_run(engine, run_info, tables)
    latest = latest_run(engine)
    assert latest is not None and latest.run_id == result.run_id
    assert latest.rows_read == sum(run_info["rows_read"].values())
    assert latest.rows_quarantined == 2
    detail = get_run(engine, result.run_id)
    assert [q.reason for q in detail.quarantine] == ["unknown child_id", "bad event_date"]
    assert detail.info["timings"] == {"total_s": 300.0}
    with pytest.raises(NotFoundError):
        get_run(engine, 9999)

    cases = case_scores(engine, result.run_id)
    assert [c.rank for c in cases] == list(range(1, 31))
    assert any(c.themes["genogram"] is None or not math.isnan(c.themes["genogram"]) for c in cases)
    north = case_scores(engine, result.run_id, teams={"North"})
    assert {c.team for c in north} == {"North"} and len(north) == 10

    view = case_file(engine, result.run_id, "C0001")
    assert len(view.findings) == 26
    assert len(view.records) == 4
    by_id = {(r.table, r.record_id): r.text for r in view.records}
    for finding in view.findings:
        for item in finding.evidence:
            quoted = by_id[(item["table"], item["record_id"])]
            assert quoted[item["start"] : item["end"]] == item["quote"]
    with pytest.raises(NotFoundError):
        case_file(engine, result.run_id, "nobody")


def test_nan_theme_scores_are_stored_as_null(run_factory: Any, engine: Engine) -> None:
    run_info, tables = run_factory(seed=3)
    tables["cases"].loc[0, "genogram"] = float("nan")
    child = tables["cases"].loc[0, "child_id"]
    result = write_run(engine, run_info, tables)
    case = next(c for c in case_scores(engine, result.run_id) if c.child_id == child)
    assert case.themes["genogram"] is None


def test_malformed_runs_are_refused_whole(run_factory: Any, engine: Engine) -> None:
    run_info, tables = run_factory(seed=4)
    with pytest.raises(StoreError, match="extract_fingerprint"):
        write_run(engine, {k: v for k, v in run_info.items() if k != "extract_fingerprint"}, tables)
    with pytest.raises(StoreError, match="lacks the columns"):
        write_run(engine, run_info, {**tables, "cases": tables["cases"].drop(columns=["score"])})
    with pytest.raises(StoreError, match="no 'criteria'"):
        write_run(engine, run_info, {"cases": tables["cases"]})
    duplicated = tables["criteria"].copy()
    duplicated.loc[1, "criterion"] = duplicated.loc[0, "criterion"]
    with pytest.raises(StoreError, match="repeats a key"):
        write_run(engine, run_info, {**tables, "criteria": duplicated})
    assert list_runs(engine) == []  # nothing half-written


def test_access_log_is_append_only(engine: Engine) -> None:
    from datetime import UTC, datetime

    event = AccessEvent(
        datetime.now(UTC), 1, "read_case", "GET", "/cases/{child_id}", "C1", 200, "10.0.0.1"
    )
    log_access(engine, event)
    assert read_access_log(engine)[0].child_id == "C1"
    for statement in ("UPDATE access_log SET status = 500", "DELETE FROM access_log"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert len(read_access_log(engine)) == 1


def test_read_run_dir_round_trip(run_factory: Any, tmp_path: Path, engine: Engine) -> None:
    import json

    run_info, tables = run_factory(seed=5)
    out = tmp_path / "out"
    out.mkdir()
    (out / "run.json").write_text(json.dumps(run_info))
    for name, frame in tables.items():
        if name == "records":
            frame.to_csv(out / f"{name}.csv", index=False)
        else:
            frame.to_parquet(out / f"{name}.parquet")
    info, read = read_run_dir(out)
    assert write_run(engine, info, read).created
    with pytest.raises(StoreError):
        read_run_dir(tmp_path / "missing")


def test_connect_refuses_a_bad_url() -> None:
    with pytest.raises(StoreError):
        connect("not a url")


def test_write_run_to_a_fresh_url_migrates_it(db_url: str, run_factory: Any) -> None:
    run_info, tables = run_factory(seed=6, n_children=3)
    assert write_run(db_url, run_info, tables).created
    assert not write_run(db_url, run_info, tables).created


def test_the_case_models_probability_is_stored_and_read_back(
    run_factory: Any, engine: Engine
) -> None:
    run_info, tables = run_factory(seed=4)
    cases = tables["cases"]
    cases["p_inadequate"] = [0.25 if i == 0 else None for i in range(len(cases))]
    result = write_run(engine, run_info, tables)
    by_child = {c.child_id: c for c in case_scores(engine, result.run_id)}
    assert by_child[cases.loc[0, "child_id"]].p_inadequate == 0.25
    assert by_child[cases.loc[1, "child_id"]].p_inadequate is None
