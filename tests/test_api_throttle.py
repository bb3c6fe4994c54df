"""Access hardening: sign-in throttled per address and per account with its counts in the
database (two apps on one store stand for two worker processes), tokens that name their
account and can be rotated, the OpenAPI document and /docs behind the admin role or off."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from typer.testing import CliRunner

from notereview.store import account_of_token, add_user, authenticate, rotate_token
from notereview.store.commands import users_app

pytest_plugins = ["api_fixtures"]

LIMITS = {"sign_in_max_failures": 3, "sign_in_window_minutes": 15, "sign_in_lockout_minutes": 15}
BAD = "nr999.not-a-real-token-but-long-enough-to-look-like-one-000"


def _bearer(token: str, ip: str = "10.1.1.1") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Forwarded-For": ip}


def _sign_in(client: Any, token: str, ip: str) -> Any:
    form = client.get("/sign-in", headers={"X-Forwarded-For": ip})
    value = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert value
    return client.post(
        "/sign-in",
        data={"token": token, "form_token": value.group(1), "next": "/"},
        headers={"X-Forwarded-For": ip},
        follow_redirects=False,
    )


def _clock(clients: list[Any], moment: datetime) -> None:
    for client in clients:
        client.app.state.clock = lambda: moment


def test_tokens_name_their_account_and_can_be_rotated(engine: Engine) -> None:
    issued = add_user(engine, "amira", "auditor")
    assert issued.token.startswith(f"nr{issued.user.user_id}.")
    assert account_of_token(issued.token) == issued.user.user_id
    assert account_of_token("legacy-token-without-a-prefix") is None
    assert account_of_token("nr0.x") is None and account_of_token("nrx.1") is None
    second = rotate_token(engine, "amira", expires_days=7)
    assert authenticate(engine, issued.token) is None  # revoked at once
    who = authenticate(engine, second.token)
    assert who is not None and who.name == "amira"
    assert second.expires_at - datetime.now(UTC) < timedelta(days=7, minutes=1)
    assert authenticate(engine, second.token, datetime.now(UTC) + timedelta(days=8)) is None


def test_users_rotate_command(db_url: str, engine: Engine) -> None:
    first = add_user(engine, "lee", "practice_lead").token
    runner = CliRunner()
    done = runner.invoke(users_app, ["rotate", "lee", "--database-url", db_url])
    assert done.exit_code == 0, done.output
    assert "old ones are revoked" in done.output
    token = done.output.strip().splitlines()[-1]
    assert authenticate(engine, token) is not None and authenticate(engine, first) is None
    missing = runner.invoke(users_app, ["rotate", "nobody", "--database-url", db_url])
    assert missing.exit_code == 2 and "no user named" in missing.output


def test_failed_bearer_tokens_lock_the_address_in_every_worker(
    client_factory: Any, token_factory: Any
) -> None:
    # two apps on one database: two worker processes, each with its own memory
    one = client_factory(trust_forwarded_for=True, **LIMITS)
    two = client_factory(trust_forwarded_for=True, **LIMITS)
    good = token_factory("auditor")
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    _clock([one, two], now)
    assert one.get("/queue", headers=_bearer(good)).status_code == 200
    for client in (one, two, one):
        assert client.get("/queue", headers=_bearer(BAD)).status_code == 401
    locked = two.get("/queue", headers=_bearer(good))  # even a good token, from there
    assert locked.status_code == 429
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert one.get("/queue", headers=_bearer(good, ip="10.2.2.2")).status_code == 200
    _clock([one, two], now + timedelta(minutes=16))
    assert two.get("/queue", headers=_bearer(good)).status_code == 200


def test_failures_in_separate_windows_do_not_add_up(
    client_factory: Any, token_factory: Any
) -> None:
    client = client_factory(trust_forwarded_for=True, **LIMITS)
    good = token_factory("auditor")
    now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    for minutes in (0, 1, 20, 21):  # two and two, 19 minutes apart
        _clock([client], now + timedelta(minutes=minutes))
        assert client.get("/queue", headers=_bearer(BAD)).status_code == 401
    assert client.get("/queue", headers=_bearer(good)).status_code == 200


def test_sign_in_locks_an_account_guessed_at_from_many_addresses(
    client_factory: Any, engine: Engine
) -> None:
    one = client_factory(trust_forwarded_for=True, **LIMITS)
    two = client_factory(trust_forwarded_for=True, **LIMITS)
    victim = add_user(engine, "amira", "auditor")
    other = add_user(engine, "lee", "practice_lead")
    guess = f"nr{victim.user.user_id}.guessed-secret-that-is-not-the-real-one-00"
    for i, client in enumerate((one, two, one)):  # a new address each time
        refused = _sign_in(client, guess, ip=f"10.9.0.{i}")
        assert refused.status_code == 401
    locked = _sign_in(two, victim.token, ip="10.9.9.9")  # the right token, a fresh address
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert int(locked.headers["Retry-After"]) > 0
    assert _sign_in(one, other.token, ip="10.9.9.8").status_code == 303  # others unaffected
    # the bearer API is not locked by an account's lock (a service must keep posting runs)
    assert one.get("/queue", headers=_bearer(victim.token, ip="10.9.9.7")).status_code == 200
    _clock([two], datetime.now(UTC) + timedelta(minutes=16))
    assert _sign_in(two, victim.token, ip="10.9.9.9").status_code == 303


def test_a_good_sign_in_clears_the_accounts_count(client_factory: Any, engine: Engine) -> None:
    client = client_factory(trust_forwarded_for=True, **LIMITS)
    user = add_user(engine, "amira", "auditor")
    guess = f"nr{user.user.user_id}.guessed-secret-that-is-not-the-real-one-00"
    for round_ in range(2):
        for i in range(2):
            assert _sign_in(client, guess, ip=f"10.8.{round_}.{i}").status_code == 401
        assert _sign_in(client, user.token, ip=f"10.8.{round_}.9").status_code == 303


def test_throttling_off(client_factory: Any, token_factory: Any) -> None:
    client = client_factory(trust_forwarded_for=True, sign_in_max_failures=0)
    good = token_factory("auditor")
    for _ in range(5):
        assert client.get("/queue", headers=_bearer(BAD)).status_code == 401
    assert client.get("/queue", headers=_bearer(good)).status_code == 200


def test_the_api_document_is_for_admins_or_off(client_factory: Any, token_factory: Any) -> None:
    client = client_factory()
    admin, auditor = token_factory("admin"), token_factory("auditor")
    for path in ("/openapi.json", "/docs"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=_bearer(auditor)).status_code == 403
        assert client.get(path, headers=_bearer(admin)).status_code == 200
    off = client_factory(api_docs=False)
    for path in ("/openapi.json", "/docs"):
        assert off.get(path, headers=_bearer(admin)).status_code == 404
        assert off.get(path).status_code == 401


_WORKER = """
import json, sys
from fastapi.testclient import TestClient
from notereview_api import create_app
from notereview_api.settings import Settings

url, token = sys.argv[1], sys.argv[2]
limit, moment, calls = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
app = create_app(Settings(database_url=url, rate_limit_per_minute=limit, migrate_on_start=False))
app.state.rate_limiter.clock = lambda: moment
with TestClient(app) as client:
    got = [client.get("/runs", headers={"Authorization": "Bearer " + token}).status_code
           for _ in range(calls)]
print(json.dumps(got))
"""


def _worker(url: str, token: str, limit: int, moment: float, calls: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER, url, token, str(limit), str(moment), str(calls)],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _statuses(worker: subprocess.Popen[str]) -> list[int]:
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0
    return [int(s) for s in json.loads(out.strip().splitlines()[-1])]


def test_the_rate_limit_is_shared_by_worker_processes(
    db_url: str, engine: Engine, token_factory: Any
) -> None:
    """Two processes, each its own app on one store, as the service's two workers are: the
    second sees the first's requests, and together, at once, they allow exactly the limit."""
    token = token_factory("admin")
    moment = 1_800_000_030.0  # half way through a minute, the same in both processes
    first = _statuses(_worker(db_url, token, 4, moment, 3))
    second = _statuses(_worker(db_url, token, 4, moment, 3))
    assert first == [200, 200, 200]
    assert second == [200, 429, 429]  # one left of the four, not a fresh four
    other = token_factory("admin")
    later = moment + 600  # another key and another minute: both at once, 12 calls, limit 7
    both = [_worker(db_url, other, 7, later, 6) for _ in range(2)]
    statuses = [s for w in both for s in _statuses(w)]
    assert sorted(statuses) == [200] * 7 + [429] * 5


def test_a_count_on_postgresql_does_not_wait_for_the_disk(engine: Engine) -> None:
    """The rate limit's count commits without waiting for the WAL flush on PostgreSQL (4 ms a
    request otherwise); it is still counted, and shared."""
    from sqlalchemy import event

    from notereview.store import count_request

    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    try:
        assert count_request(engine, "t:x", 1_800_000_030.0, 2) == (True, 0)
        assert count_request(engine, "t:x", 1_800_000_031.0, 2) == (True, 0)
        assert count_request(engine, "t:x", 1_800_000_032.0, 2)[0] is False
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    asynchronous = [s for s in seen if "synchronous_commit" in s]
    assert len(asynchronous) == (3 if engine.dialect.name == "postgresql" else 0)
