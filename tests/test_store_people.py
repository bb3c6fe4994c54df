"""Users and tokens, claims (including a race between two auditors), dip samples, audits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from notereview.store import (
    ClaimConflictError,
    NotFoundError,
    UserError,
    active_claims,
    add_audit,
    add_user,
    authenticate,
    claim_file,
    connect,
    dip_sample_containing,
    hash_token,
    issue_token,
    last_audited,
    latest_audits,
    list_users,
    record_dip_sample,
    release_claim,
    revoke_user,
    upgrade,
    write_run,
)
from notereview.store.models import ApiToken

pytest_plugins = ["api_fixtures"]

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_tokens_are_stored_hashed_expire_and_revoke(engine: Engine) -> None:
    issued = add_user(engine, "amira", "auditor", ["North"], expires_days=2, now=T0)
    assert len(issued.token) >= 43
    with engine.connect() as connection:
        stored = connection.execute(select(ApiToken.token_hash)).scalars().all()
    assert stored == [hash_token(issued.token)] and issued.token not in stored[0]
    who = authenticate(engine, issued.token, now=T0 + timedelta(days=1))
    assert who is not None and (who.name, who.role, who.teams) == ("amira", "auditor", ("North",))
    assert authenticate(engine, issued.token, now=T0 + timedelta(days=3)) is None
    assert authenticate(engine, issued.token + "x", now=T0) is None
    assert authenticate(engine, "", now=T0) is None

    second = issue_token(engine, "amira", now=T0)
    revoke_user(engine, "amira", now=T0)
    assert authenticate(engine, second.token, now=T0 + timedelta(hours=1)) is None
    with pytest.raises(UserError):
        issue_token(engine, "amira")
    with pytest.raises(UserError, match="exists already"):
        add_user(engine, "amira", "auditor")
    with pytest.raises(UserError, match="unknown role"):
        add_user(engine, "bo", "superuser")
    with pytest.raises(NotFoundError):
        revoke_user(engine, "nobody")
    (info,) = list_users(engine)
    assert info.revoked_at is not None and info.active_tokens == 0


def test_claims_expire_and_release(engine: Engine) -> None:
    a = add_user(engine, "a", "auditor").user.user_id
    b = add_user(engine, "b", "auditor").user.user_id
    held, created = claim_file(engine, "C0001", a, hours=4, now=T0)
    assert created and held.user_name == "a"
    _, created = claim_file(engine, "C0001", a, hours=4, now=T0 + timedelta(hours=1))
    assert not created  # extended, not new
    with pytest.raises(ClaimConflictError) as conflict:
        claim_file(engine, "C0001", b, hours=4, now=T0 + timedelta(hours=2))
    assert conflict.value.holder == "a"
    # a's claim (extended to T0+5h) expires; b may then claim it
    held, created = claim_file(engine, "C0001", b, hours=4, now=T0 + timedelta(hours=5, minutes=1))
    assert created and held.user_name == "b"
    with pytest.raises(ClaimConflictError):
        release_claim(engine, "C0001", a, now=T0 + timedelta(hours=6))
    release_claim(engine, "C0001", b, now=T0 + timedelta(hours=6))
    assert active_claims(engine, now=T0 + timedelta(hours=6)) == {}
    with pytest.raises(NotFoundError):
        release_claim(engine, "C0001", b, now=T0 + timedelta(hours=6))


def _race(url: str, users: list[int], child_id: str) -> list[str]:
    """Each user claims ``child_id`` at the same moment from its own thread and connection."""
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(user_id: int) -> None:
        engine = connect(url)
        try:
            barrier.wait()
            try:
                claim_file(engine, child_id, user_id, now=T0)
                result = f"won:{user_id}"
            except ClaimConflictError:
                result = "lost"
            with lock:
                outcomes.append(result)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_auditors_claiming_at_once_exactly_one_wins(db_url: str, engine: Engine) -> None:
    users = [add_user(engine, f"auditor{i}", "auditor").user.user_id for i in range(2)]
    for round_ in range(8):
        outcomes = _race(db_url, users, f"C{round_:04d}")
        assert len(outcomes) == 2
        assert outcomes.count("lost") == 1, outcomes
    assert len(active_claims(engine, now=T0)) == 8


@pytest.mark.postgres
def test_many_auditors_racing_on_postgres(postgres_url: str) -> None:
    engine = connect(postgres_url)
    upgrade(engine)
    try:
        users = [add_user(engine, f"racer{i}", "auditor").user.user_id for i in range(6)]
        outcomes = _race(postgres_url, users, "C0100")
        assert sorted(o == "lost" for o in outcomes) == [False] + [True] * 5
        (claim,) = active_claims(engine, now=T0).values()
        assert f"won:{claim.user_id}" in outcomes
    finally:
        engine.dispose()


def test_dip_samples_and_audits(run_factory: Any, engine: Engine) -> None:
    run_info, tables = run_factory(seed=9)
    run_id = write_run(engine, run_info, tables).run_id
    user = add_user(engine, "dee", "auditor").user.user_id
    members = [("C0001", "North", "CP"), ("C0002", "South", "CP")]
    sample = record_dip_sample(engine, run_id, 2, 7, [], user, members, now=T0)
    assert record_dip_sample(engine, run_id, 2, 7, [], user, members, now=T0) == sample
    assert dip_sample_containing(engine, run_id, "C0002") == sample
    assert dip_sample_containing(engine, run_id, "C0003") is None
    assert dip_sample_containing(engine, run_id, "C0001", sample_id=sample + 1) is None

    common = {"run_id": run_id, "user_id": user, "themes": {"voice": "good"}, "comments": None}
    add_audit(
        engine,
        child_id="C0001",
        overall="good",
        findings={"V1": "agree"},
        team="North",
        legal_status="CP",
        sample_id=sample,
        now=T0,
        **common,
    )
    add_audit(
        engine,
        child_id="C0003",
        overall="inadequate",
        findings={},
        team="East",
        legal_status="CP",
        sample_id=None,
        now=T0 + timedelta(days=1),
        **common,
    )
    add_audit(
        engine,
        child_id="C0001",
        overall="requires_improvement",
        findings={},
        team="North",
        legal_status="CP",
        sample_id=sample,
        now=T0 + timedelta(days=2),
        **common,
    )
    latest = {a.child_id: a for a in latest_audits(engine)}
    assert latest["C0001"].overall == "requires_improvement"
    assert [a.child_id for a in latest_audits(engine, dip_sample_only=True)] == ["C0001"]
    recent = last_audited(engine, since=T0 + timedelta(hours=12))
    assert recent == {"C0001": T0 + timedelta(days=2), "C0003": T0 + timedelta(days=1)}


def test_latest_audits_are_read_again_when_an_audit_is_added_or_purged(
    run_factory: Any, engine: Engine
) -> None:
    """latest_audits is kept per process between audits: an added audit, and audits purged
    with their run, show at once."""
    from datetime import date

    from notereview.store import audits_mark, purge

    run_info, tables = run_factory(seed=9)
    run_id = write_run(engine, run_info, tables).run_id
    user = add_user(engine, "eve", "auditor").user.user_id
    assert latest_audits(engine) == [] and audits_mark(engine, None) == (0, None, None)
    common = {"run_id": run_id, "user_id": user, "themes": {}, "findings": {}, "comments": None}
    for n, child in enumerate(("C0001", "C0002", "C0001")):
        add_audit(
            engine, child_id=child, overall=("good", "inadequate", "requires_improvement")[n],
            team="North", legal_status="CP", sample_id=None, now=T0 + timedelta(hours=n),
            **common,
        )  # fmt: skip
        latest = {a.child_id: a.overall for a in latest_audits(engine)}
        assert len(latest) == min(n + 1, 2) and latest["C0001"] != "inadequate"
    assert latest == {"C0001": "requires_improvement", "C0002": "inadequate"}
    assert audits_mark(engine, T0 + timedelta(minutes=30))[0] == 2
    purge(engine, date.fromisoformat(run_info["as_of"]) + timedelta(days=1))
    assert latest_audits(engine) == []
