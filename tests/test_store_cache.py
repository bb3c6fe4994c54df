"""What the service reads again and again from a stored run is kept per process
(``store._cache``): the same answers, read once, and never stale across a purge."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, event

from notereview.store import (
    cached_results,
    case_scores,
    criterion_shares,
    criterion_statuses,
    monitoring_rows,
    remember_results,
    write_run,
)
from notereview.store._retention import purge

pytest_plugins = ["api_fixtures"]


def _count_selects(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def on(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    return seen


def test_a_runs_reads_are_kept_and_the_same(engine: Engine, run_factory: Any) -> None:
    run_id = write_run(engine, *run_factory(seed=5, n_children=40)).run_id
    first = case_scores(engine, run_id)
    statuses = criterion_statuses(engine, run_id)
    shares = criterion_shares(engine)
    monitored = monitoring_rows(engine, run_id)
    selects = _count_selects(engine)
    assert monitoring_rows(engine, run_id) == monitored
    assert case_scores(engine, run_id) == first
    assert criterion_statuses(engine, run_id) == statuses
    assert criterion_shares(engine) == shares
    # each read again is one small lookup of the run's key, not the run's rows
    assert not [
        s
        for s in selects
        for table in ("case_scores", "criterion_findings", "monitoring_fields")
        if f"FROM {table}" in s
    ]
    teams = {first[0].team}
    assert [c.child_id for c in case_scores(engine, run_id, teams)] == [
        c.child_id for c in first if c.team in teams
    ]
    one = first[0].child_id
    assert criterion_statuses(engine, run_id, [one]) == {one: statuses[one]}
    criterion_statuses(engine, run_id, [one])[one].clear()  # a caller's copy, not the kept one
    assert criterion_statuses(engine, run_id)[one] == statuses[one]


def test_a_purged_run_is_not_served_from_what_was_kept(engine: Engine, run_factory: Any) -> None:
    old_info, old_tables = run_factory(seed=6, n_children=20, as_of="2025-01-31")
    old = write_run(engine, old_info, old_tables).run_id
    assert len(case_scores(engine, old)) == 20
    purge(engine, before=date(2025, 6, 1))
    assert case_scores(engine, old) == []  # gone, even where the id comes back
    new_info, new_tables = run_factory(seed=7, n_children=25, as_of="2026-03-31")
    new = write_run(engine, new_info, new_tables).run_id
    assert len(case_scores(engine, new)) == 25


def test_a_case_file_is_kept_by_its_runs_key(engine: Engine, run_factory: Any) -> None:
    """A case file read again is served from what was kept (no read of its findings or
    texts), and a purged run's file is not, even where SQLite gives its id to a new run."""
    import pytest

    from notereview.store import NotFoundError, case_file
    from notereview.store.models import CriterionFinding, RecordText

    old_info, old_tables = run_factory(seed=6, n_children=20, as_of="2025-01-31")
    old = write_run(engine, old_info, old_tables).run_id
    child = str(old_tables["cases"]["child_id"].iloc[0])
    first = case_file(engine, old, child)
    selects = _count_selects(engine)
    assert case_file(engine, old, child) is first
    tables = (CriterionFinding.__tablename__, RecordText.__tablename__)
    assert not [s for s in selects for table in tables if f"FROM {table}" in s]
    purge(engine, before=date(2025, 6, 1))
    with pytest.raises(NotFoundError):
        case_file(engine, old, child)
    new_info, new_tables = run_factory(seed=7, n_children=20, as_of="2026-03-31")
    new = write_run(engine, new_info, new_tables).run_id
    assert case_file(engine, new, child).run_id == new
    assert case_file(engine, new, child).as_of == date(2026, 3, 31)


def test_scored_files_a_concurrent_run_stored_meanwhile_are_skipped(
    engine: Engine, monkeypatch: Any
) -> None:
    """Two `score --db` runs of one extract may both find a case file's key missing, then both
    insert it: the second insert skips it instead of failing (as it did on CI)."""
    from notereview.store import _scored

    remember_results(engine, [("k1", "C0001", "h1", b"first")])
    monkeypatch.setattr(_scored, "_stored_keys", lambda _session, _keys: set())  # the race
    remember_results(engine, [("k1", "C0001", "h1", b"second"), ("k2", "C0002", "h2", b"x")])
    assert cached_results(engine, ["k1", "k2"]) == {"k1": b"first", "k2": b"x"}


def test_a_kept_value_that_is_stale_is_worked_out_again(engine: Engine) -> None:
    from notereview.store import kept

    made: list[int] = []

    def compute() -> int:
        made.append(len(made))
        return made[-1]

    def get(stale: Any = None) -> int:
        return kept(engine, ("stale-test", 1), compute, pool="stale-test", stale=stale)

    assert get() == 0 and get() == 0  # kept
    assert get(stale=lambda held: held == 0) == 1  # stale: worked out again, and kept
    assert get(stale=lambda held: held == 0) == 1 and made == [0, 1]
