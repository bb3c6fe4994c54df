"""The route x role matrix: every route has an access rule, and every role gets exactly
what the rule says (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from notereview.store import ROLES, read_access_log, write_run
from notereview_api import route_table
from notereview_api.access import PUBLIC, ROUTE_ROLES

pytest_plugins = ["api_fixtures"]

CHILD = "C0001"
AUDIT = {"overall": "good", "themes": {"voice": "good"}, "findings": {"V1": "agree"}}


def requests_for(run_body: dict[str, Any], run_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid request for every route (the matrix fails on a route missing here too)."""
    return {
        ("GET", "/health"): {"url": "/health"},
        ("GET", "/queue"): {"url": "/queue?limit=5"},
        ("POST", "/queue/{child_id}/claim"): {"url": f"/queue/{CHILD}/claim"},
        ("DELETE", "/queue/{child_id}/claim"): {"url": f"/queue/{CHILD}/claim"},
        ("GET", "/cases/{child_id}"): {"url": f"/cases/{CHILD}"},
        ("POST", "/cases/{child_id}/audits"): {"url": "/cases/C0002/audits", "json": AUDIT},
        ("GET", "/cases/{child_id}/corrections"): {"url": "/cases/C0002/corrections"},
        ("POST", "/cases/{child_id}/corrections"): {
            "url": "/cases/C0002/corrections",
            "json": {"record_kind": "plan_action", "record_id": "C0002-A1", "family": "smart",
                     "corrected": "false"},
        },
        ("GET", "/dip-sample"): {"url": "/dip-sample?size=6&seed=1"},
        ("GET", "/estimates"): {"url": "/estimates"},
        ("GET", "/agreement"): {"url": "/agreement?k=5"},
        ("POST", "/exemplars/check"): {
            "url": "/exemplars/check",
            "json": {"kind": "visit", "text": "Sam said he likes his new school.", "age": 9},
        },
        ("GET", "/runs"): {"url": "/runs"},
        ("GET", "/runs/{run_id}"): {"url": f"/runs/{run_id}"},
        ("POST", "/runs"): {"url": "/runs", "json": run_body},
        ("GET", "/users"): {"url": "/users"},
        ("GET", "/access-log"): {"url": "/access-log?limit=5"},
        ("GET", "/openapi.json"): {"url": "/openapi.json"},
        ("GET", "/docs"): {"url": "/docs"},
        # the web pages (src/notereview_api/pages; tests/test_web_*.py test them in depth)
        ("GET", "/static/{name}"): {"url": "/static/app.css"},
        ("GET", "/sign-in"): {"url": "/sign-in"},
        ("POST", "/sign-in"): {"url": "/sign-in"},
        ("POST", "/sign-out"): {"url": "/sign-out"},
        ("GET", "/"): {"url": "/"},
        ("GET", "/app/queue"): {"url": "/app/queue"},
        ("POST", "/app/queue/{child_id}/claim"): {"url": "/app/queue/C0003/claim"},
        ("GET", "/app/cases/{child_id}"): {"url": f"/app/cases/{CHILD}"},
        ("POST", "/app/cases/{child_id}/audit"): {
            "url": "/app/cases/C0004/audit",
            "data": {"overall": "good"},
        },
        ("POST", "/app/cases/{child_id}/corrections"): {
            "url": "/app/cases/C0004/corrections",
            "data": {"record_kind": "plan_action", "record_id": "C0004-A1", "smart": "true"},
        },
        ("GET", "/app/exemplars"): {"url": "/app/exemplars"},
        ("POST", "/app/exemplars"): {
            "url": "/app/exemplars",
            "data": {"kind": "visit", "text": "Sam said he likes his new school.", "age": "9"},
        },
        ("GET", "/app/trends"): {"url": "/app/trends"},
        ("GET", "/app/equality"): {"url": "/app/equality"},
        ("GET", "/app/focus-weeks"): {"url": "/app/focus-weeks"},
        ("POST", "/app/focus-weeks"): {
            "url": "/app/focus-weeks",
            "data": {
                "starts_on": "2026-03-02",
                "ends_on": "2026-03-06",
                "theme": "voice",
                "title": "Voice of the child week",
            },
        },
        ("POST", "/app/focus-weeks/{week_id}/delete"): {"url": "/app/focus-weeks/1/delete"},
    }


def test_every_route_has_an_access_rule(client_factory: Any) -> None:
    app = client_factory().app
    routes = set(route_table(app))
    missing = sorted(routes - set(ROUTE_ROLES))
    assert not missing, f"routes without an access rule in src/notereview_api/access.py: {missing}"
    stale = sorted(set(ROUTE_ROLES) - routes)
    assert not stale, f"access rules for routes that do not exist: {stale}"
    for roles in ROUTE_ROLES.values():
        assert roles == PUBLIC or roles <= set(ROLES)


def test_route_role_matrix(
    client_factory: Any,
    engine: Engine,
    run_factory: Any,
    token_factory: Any,
    payload_factory: Any,
) -> None:
    run_info, tables = run_factory(seed=11)
    run_id = write_run(engine, run_info, tables).run_id
    small_info, small_tables = run_factory(seed=12, n_children=3, as_of="2026-01-31")
    run_body = payload_factory(small_info, small_tables)
    client = client_factory()
    app = client.app
    tokens: dict[str | None, str | None] = {role: token_factory(role) for role in ROLES}
    tokens[None] = None
    requests = requests_for(run_body, run_id)
    routes = route_table(app)
    assert set(routes) <= set(requests), "add a sample request for the new route"
    failures = []
    for method, path in routes:
        allowed = ROUTE_ROLES[(method, path)]
        spec = requests[(method, path)]
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = client.request(
                method, spec["url"], json=spec.get("json"), data=spec.get("data"), headers=headers
            )
            if allowed == PUBLIC:
                ok = response.status_code == 200
            elif role is None:
                ok = response.status_code == 401
            elif role in allowed:
                ok = response.status_code not in (401, 403) and response.status_code < 500
            else:
                ok = response.status_code == 403
            if not ok:
                failures.append((method, path, role, response.status_code))
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json")
    assert not failures, failures
    refusals = [e for e in read_access_log(engine, limit=1000) if e.status in (401, 403)]
    expected = sum(
        1 + len(set(ROLES) - allowed) for allowed in ROUTE_ROLES.values() if allowed != PUBLIC
    )
    assert len(refusals) == expected  # every failed authorisation is in the access log
    assert all(e.client_ip for e in refusals)


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer nonsense-token", "bearer  "])
def test_bad_credentials_are_refused(client_factory: Any, header: str) -> None:
    client = client_factory()
    response = client.get("/queue", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
