"""Note text, names and dates of birth never reach a log line or the access log, whatever
happens in a session (200, 401, 403, 404, 409, 413, 422, 429)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, text

pytest_plugins = ["api_fixtures"]

NAME = "Quixotewright"  # invented
DOB = "2009-07-13"
NOTE = "xylophone-umbrella-77"
MARKERS = (NAME, DOB, NOTE)
PLANTED = f"{NAME} born {DOB} {NOTE}"
LOGGERS = (
    "",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "alembic",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "starlette",
    "httpx",
    "httpcore",
    "psycopg",
    "notereview",
    "notereview.api",
)


def test_markers_never_reach_logs_or_the_access_log(
    caplog: Any,
    client_factory: Any,
    engine: Engine,
    run_factory: Any,
    token_factory: Any,
    payload_factory: Any,
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    client = client_factory(rate_limit_per_minute=40, max_body_bytes=4096)
    h = {
        role: {"Authorization": f"Bearer {token_factory(role, name=f'u-{role}')}"}
        for role in ("auditor", "practice_lead", "admin", "service")
    }
    h["auditor2"] = {"Authorization": f"Bearer {token_factory('auditor', name='u-auditor2')}"}
    statuses: set[int] = set()

    def call(method: str, url: str, **kwargs: Any) -> Any:
        response = client.request(method, url, **kwargs)
        statuses.add(response.status_code)
        if response.status_code >= 400:  # error bodies never quote what was sent either
            assert not any(m in response.text for m in MARKERS), (url, response.status_code)
        return response

    run_info, tables = run_factory(seed=41, n_children=12, marker=PLANTED)
    posted = call("POST", "/runs", json=payload_factory(run_info, tables), headers=h["service"])
    assert posted.status_code == 201
    call("GET", "/queue", headers=h["auditor"])
    case = call("GET", "/cases/C0001", headers=h["auditor"])
    assert NOTE in case.text  # planted: the case view shows it to the auditor
    checked = call(
        "POST",
        "/exemplars/check",
        json={"kind": "visit", "text": f"Visited {NAME}. {NAME} said {NOTE}.", "child_name": NAME},
        headers=h["practice_lead"],
    )
    assert checked.status_code in (200, 503)
    call("GET", "/cases/C0001")  # 401
    call("GET", "/cases/C0001", headers={"Authorization": f"Bearer {NOTE}"})  # 401
    call("GET", "/cases/C0001", headers=h["practice_lead"])  # 403
    call("GET", "/cases/NOPE", headers=h["auditor"])  # 404
    call("POST", "/queue/C0002/claim", headers=h["auditor"])
    call("POST", "/queue/C0002/claim", headers=h["auditor2"])  # 409
    call(
        "POST",
        "/exemplars/check",
        json={"kind": "visit", "text": PLANTED * 300},
        headers=h["practice_lead"],
    )  # 413
    call(
        "POST",
        "/cases/C0003/audits",
        json={"overall": PLANTED, "themes": {NAME: "good"}, NOTE: DOB, "comments": 7},
        headers=h["auditor"],
    )  # 422
    call("POST", "/exemplars/check", json={"kind": NOTE, "text": PLANTED}, headers=h["admin"])
    call(
        "POST",
        "/cases/C0003/audits",
        content=f'{{"overall": "{PLANTED}", '.encode(),
        headers={**h["auditor"], "Content-Type": "application/json"},
    )  # 422, not JSON
    call(
        "POST",
        "/cases/C0003/audits",
        json={"overall": "good", "comments": PLANTED},
        headers=h["auditor"],
    )  # 201: the auditor's comments are stored, never logged
    for _ in range(45):
        if call("GET", "/queue", headers=h["auditor"]).status_code == 429:
            break
    assert {200, 201, 401, 403, 404, 409, 413, 422, 429} <= statuses

    records = caplog.records
    assert any(r.name == "notereview.api" for r in records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in records)  # SQL at DEBUG, captured
    for record in records:
        rendered = " ".join([record.getMessage(), repr(record.args), str(record.exc_text or "")])
        assert not any(m in rendered for m in MARKERS), (record.name, record.levelname)
    assert not any(m in caplog.text for m in MARKERS)

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM access_log")).all()
    assert rows and not any(m in repr(row) for row in rows for m in MARKERS)
    assert {row.action for row in rows} >= {
        "read_case",
        "write_audit",
        "unauthenticated",
        "forbidden",
    }
