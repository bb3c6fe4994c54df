"""Every endpoint through HTTP: queue, claims, case view, audits, dip sample, estimates,
agreement, exemplar check, runs, users, access log, docs, limits (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

import notereview
from notereview.store import read_access_log, write_run

pytest_plugins = ["api_fixtures"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def service(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> dict[str, Any]:
    run_info, tables = run_factory(seed=21)
    run_id = write_run(engine, run_info, tables).run_id
    client = client_factory()
    clock = Clock()
    client.app.state.clock = clock
    tokens = {
        "auditor": token_factory("auditor", name="amira"),
        "auditor2": token_factory("auditor", name="ben"),
        "north": token_factory("auditor", ("North",), name="nia"),
        "lead": token_factory("practice_lead", name="lee"),
        "admin": token_factory("admin", name="ada"),
        "service": token_factory("service", name="scorer"),
    }
    headers = {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
    return {
        "client": client,
        "engine": engine,
        "run_id": run_id,
        "clock": clock,
        "tables": tables,
        "h": headers,
    }


def test_health_and_security_headers(service: dict[str, Any]) -> None:
    response = service["client"].get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


def test_queue(service: dict[str, Any]) -> None:
    client, h = service["client"], service["h"]
    body = client.get("/queue?limit=10", headers=h["auditor"]).json()
    assert body["run_id"] == service["run_id"] and len(body["items"]) == 10
    item = body["items"][0]
    assert set(item) >= {
        "child_id",
        "team",
        "legal_status",
        "score",
        "grade_band",
        "reasons",
        "claimed_by",
    }
    assert item["reasons"] and item["claimed_by"] is None
    full = client.get("/queue?limit=500", headers=h["auditor"]).json()["items"]
    assert len(full) == 30
    cp = client.get("/queue?legal_status=CP", headers=h["auditor"]).json()["items"]
    assert cp and {i["legal_status"] for i in cp} == {"CP"}
    south = client.get("/queue?team=South", headers=h["auditor"]).json()["items"]
    assert {i["team"] for i in south} == {"South"}
    voice = client.get("/queue?theme=voice&limit=3", headers=h["auditor"]).json()["items"]
    assert any("voice score" in r for r in voice[0]["reasons"])
    bad = client.get("/queue?theme=sparkle", headers=h["auditor"])
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert client.get("/queue?limit=0", headers=h["auditor"]).status_code == 422
    # a scoped auditor sees only their team
    scoped = client.get("/queue?limit=500", headers=h["north"]).json()["items"]
    assert {i["team"] for i in scoped} == {"North"} and len(scoped) == 10
    assert client.get("/queue?team=South", headers=h["north"]).json()["items"] == []


def test_the_queue_is_reused_only_while_nothing_it_depends_on_changed(
    service: dict[str, Any], client_factory: Any, run_factory: Any, monkeypatch: Any
) -> None:
    """A worked-out queue is reused within QUEUE_FRESH_S of the clock; an audit added or a new
    run shows at once, and claims are read on every request."""
    from notereview_api.services import queue as queue_service

    client, h, clock, engine = service["client"], service["h"], service["clock"], service["engine"]
    calls = []
    ranked = queue_service.ranked_queue

    def counted(*args: Any, **kw: Any) -> Any:
        calls.append(kw.get("now"))
        return ranked(*args, **kw)

    monkeypatch.setattr(queue_service, "ranked_queue", counted)
    first = client.get("/queue?limit=10", headers=h["auditor"]).json()
    clock.now += timedelta(seconds=1)
    again = client.get("/queue?limit=10", headers=h["auditor2"]).json()
    assert again == first and len(calls) == 1  # reused: the same run, scope, audits
    top = first["items"][0]["child_id"]
    assert client.post(f"/queue/{top}/claim", headers=h["auditor"]).status_code == 201
    claimed = client.get("/queue?limit=10", headers=h["auditor2"]).json()["items"]
    assert claimed[0]["claimed_by"] == "amira" and len(calls) == 1  # claims: never reused
    audit = client.post(f"/cases/{top}/audits", headers=h["auditor"], json={"overall": "good"})
    assert audit.status_code == 201
    after = client.get("/queue?limit=10", headers=h["auditor"]).json()["items"]
    assert len(calls) == 2 and top not in [i["child_id"] for i in after[:1]]
    other = client_factory()  # another app on the store: nothing kept
    other.app.state.clock = clock
    fresh = other.get("/queue?limit=10", headers=h["auditor"])
    assert len(calls) == 3
    fresh_items = [{**i, "claimed_by": None} for i in fresh.json()["items"]]
    assert fresh_items == [{**i, "claimed_by": None} for i in after]
    clock.now += timedelta(days=2)  # the clock moved on: the audit's penalty is worked out again
    later = client.get("/queue?limit=500", headers=h["auditor"]).json()["items"]
    assert len(calls) == 4
    assert any(
        "audited 2 days ago" in r for i in later if i["child_id"] == top for r in i["reasons"]
    )
    run_info, tables = run_factory(seed=22)
    newer = write_run(engine, {**run_info, "as_of": "2026-05-01"}, tables).run_id
    assert client.get("/queue?limit=10", headers=h["auditor"]).json()["run_id"] == newer


def test_claims(service: dict[str, Any]) -> None:
    client, h, clock = service["client"], service["h"], service["clock"]
    first = client.post("/queue/C0001/claim", headers=h["auditor"])
    assert first.status_code == 201 and first.json()["claimed_by"] == "amira"
    assert client.post("/queue/C0001/claim", headers=h["auditor"]).status_code == 200
    second = client.post("/queue/C0001/claim", headers=h["auditor2"])
    assert second.status_code == 409 and second.json()["claimed_by"] == "amira"
    queue = client.get("/queue?limit=500", headers=h["auditor"]).json()["items"]
    assert next(i for i in queue if i["child_id"] == "C0001")["claimed_by"] == "amira"
    assert client.delete("/queue/C0001/claim", headers=h["auditor2"]).status_code == 409
    clock.now += timedelta(hours=4, minutes=1)  # the claim expires (default 4 hours)
    assert client.post("/queue/C0001/claim", headers=h["auditor2"]).status_code == 201
    assert client.delete("/queue/C0001/claim", headers=h["admin"]).status_code == 204
    assert client.delete("/queue/C0001/claim", headers=h["auditor"]).status_code == 404
    assert client.post("/queue/NOPE/claim", headers=h["auditor"]).status_code == 404
    # a file outside the scoped auditor's team looks missing
    south = service["tables"]["cases"].query("team == 'South'")["child_id"].iloc[0]
    assert client.post(f"/queue/{south}/claim", headers=h["north"]).status_code == 404


def test_case_view_is_logged_and_scoped(service: dict[str, Any]) -> None:
    client, h, engine = service["client"], service["h"], service["engine"]
    response = client.get("/cases/C0001", headers=h["auditor"])
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    case = response.json()
    assert len(case["findings"]) == 26 and case["records"]
    texts = {(r["table"], r["record_id"]): r["text"] for r in case["records"]}
    for finding in case["findings"]:
        for item in finding["evidence"]:
            text = texts[(item["table"], item["record_id"])]
            assert text[item["start"] : item["end"]] == item["quote"]
    assert any(r["quoted"] for r in case["records"])
    assert case["visits"] and case["plan_actions"]
    (entry,) = [e for e in read_access_log(engine) if e.action == "read_case"]
    assert entry.child_id == "C0001" and entry.status == 200 and entry.client_ip
    assert entry.route == "/cases/{child_id}" and entry.at.tzinfo is not None

    assert client.get("/cases/NOPE", headers=h["auditor"]).status_code == 404
    south = service["tables"]["cases"].query("team == 'South'")["child_id"].iloc[0]
    hidden = client.get(f"/cases/{south}", headers=h["north"])
    assert hidden.status_code == 404
    assert any(e.action == "out_of_scope" and e.child_id == south for e in read_access_log(engine))
    assert client.get("/cases/C0001", headers=h["lead"]).status_code == 403  # no case text


def test_audits_validation_and_dip_sample_link(service: dict[str, Any]) -> None:
    client, h, engine = service["client"], service["h"], service["engine"]
    good = {
        "overall": "requires_improvement",
        "themes": {"voice": "inadequate"},
        "findings": {"V1": "agree", "C1": "disagree"},
        "comments": "Chronology thin.",
    }
    created = client.post("/cases/C0003/audits", json=good, headers=h["auditor"])
    assert created.status_code == 201, created.text
    assert created.json()["from_dip_sample"] is False
    assert any(e.action == "write_audit" for e in read_access_log(engine))
    for bad in (
        {"overall": "fine"},
        {"overall": "good", "themes": {"sparkle": "good"}},
        {"overall": "good", "findings": {"V9": "agree"}},
        {"overall": "good", "findings": {"V1": "maybe"}},
        {"overall": "good", "extra": 1},
        {},
    ):
        response = client.post("/cases/C0003/audits", json=bad, headers=h["auditor"])
        assert response.status_code == 422, bad
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"]
    broken = client.post(
        "/cases/C0003/audits",
        content=b"{not json",
        headers={**h["auditor"], "Content-Type": "application/json"},
    )
    assert broken.status_code == 422
    # claimed by someone else: 409
    client.post("/queue/C0004/claim", headers=h["auditor2"])
    assert client.post("/cases/C0004/audits", json=good, headers=h["auditor"]).status_code == 409

    sample = client.get("/dip-sample?size=8&seed=5", headers=h["auditor"]).json()
    in_sample = sample["items"][0]["child_id"]
    linked = client.post(f"/cases/{in_sample}/audits", json=good, headers=h["auditor"])
    assert linked.json()["from_dip_sample"] is True
    assert linked.json()["sample_id"] == sample["sample_id"]
    wrong = client.post(
        "/cases/C0003/audits",
        json={**good, "sample_id": sample["sample_id"]},
        headers=h["auditor"],
    )
    in_it = {i["child_id"] for i in sample["items"]}
    assert wrong.status_code == (201 if "C0003" in in_it else 404)  # no such sample holds it


def test_dip_sample(service: dict[str, Any]) -> None:
    client, h = service["client"], service["h"]
    first = client.get("/dip-sample?size=10&seed=3", headers=h["auditor"]).json()
    again = client.get("/dip-sample?size=10&seed=3", headers=h["auditor"]).json()
    assert first == again and len(first["items"]) == 10
    assert sum(s["allocated"] for s in first["strata"]) == 10
    other = client.get("/dip-sample?size=10&seed=4", headers=h["auditor"]).json()
    assert other["sample_id"] != first["sample_id"]
    north = client.get("/dip-sample?size=4&seed=3&team=North", headers=h["auditor"]).json()
    assert {i["team"] for i in north["items"]} == {"North"}
    scoped = client.get("/dip-sample?size=4&seed=3", headers=h["north"]).json()
    assert {i["team"] for i in scoped["items"]} == {"North"}
    assert client.get("/dip-sample?size=4&seed=3&team=South", headers=h["north"]).status_code == 404
    assert client.get("/dip-sample?size=0&seed=3", headers=h["auditor"]).status_code == 422
    assert client.get("/dip-sample?size=3", headers=h["auditor"]).status_code == 422


def test_estimates_use_only_random_sample_audits(service: dict[str, Any]) -> None:
    client, h = service["client"], service["h"]
    empty = client.get("/estimates", headers=h["lead"]).json()
    assert empty["audited_sample_files"] == 0 and len(empty["criteria"]) == 26
    v1 = next(c for c in empty["criteria"] if c["criterion"] == "V1")
    assert v1["from_sample"]["share"] is None and v1["from_model"]["share"] is not None
    sample = client.get("/dip-sample?size=6&seed=9", headers=h["auditor"]).json()
    audit = {"overall": "good", "findings": {"V1": "agree"}}
    for item in sample["items"]:
        client.post(f"/cases/{item['child_id']}/audits", json=audit, headers=h["auditor"])
    sampled = {i["child_id"] for i in sample["items"]}
    outside = next(c for c in service["tables"]["cases"]["child_id"] if c not in sampled)
    client.post(f"/cases/{outside}/audits", json=audit, headers=h["auditor"])  # from the queue
    body = client.get("/estimates", headers=h["lead"]).json()
    assert body["audited_sample_files"] == 6
    v1 = next(c for c in body["criteria"] if c["criterion"] == "V1")["from_sample"]
    assert v1["n"] == 6 and 0 <= v1["low"] <= v1["share"] <= v1["high"] <= 1


def test_agreement(service: dict[str, Any]) -> None:
    client, h = service["client"], service["h"]
    queue = client.get("/queue?limit=6", headers=h["auditor"]).json()["items"]
    for i, item in enumerate(queue):
        grade = "inadequate" if i % 2 == 0 else "good"
        audit = {"overall": grade, "themes": {"voice": grade}}
        client.post(f"/cases/{item['child_id']}/audits", json=audit, headers=h["auditor"])
    body = client.get("/agreement?k=6", headers=h["lead"]).json()
    assert body["audited_files"] == 6 and body["k"] == 6
    assert {k["theme"] for k in body["kappa"]} >= {"overall", "voice", "plans"}
    overall = next(p for p in body["precision_at_k"] if p["theme"] == "overall")
    assert overall["audited"] >= 1 and overall["precision"] is not None


def test_exemplar_check(service: dict[str, Any], client_factory: Any) -> None:
    client, h = service["client"], service["h"]
    text = "Visited Sam at home. Sam said 'I like my new school'. Next step: review contact."
    response = client.post(
        "/exemplars/check", json={"kind": "visit", "text": text, "age": 9}, headers=h["lead"]
    )
    if hasattr(notereview, "check_text"):
        assert response.status_code == 200, response.json().get("detail")
        assert set(response.json()) >= {"kind", "findings", "labels"}
    else:  # the library's check_text has not landed yet
        assert response.status_code == 503
    poem = {"kind": "poem", "text": "x"}
    bad_kind = client.post("/exemplars/check", json=poem, headers=h["lead"])
    assert bad_kind.status_code == 422
    short = client_factory(exemplar_max_chars=10)
    short.app.state.clock = service["clock"]
    too_long = short.post(
        "/exemplars/check", json={"kind": "visit", "text": "y" * 11}, headers=h["lead"]
    )
    assert too_long.status_code == 422 and "10 characters" in too_long.json()["detail"]


def test_runs(service: dict[str, Any], run_factory: Any, payload_factory: Any) -> None:
    client, h = service["client"], service["h"]
    listed = client.get("/runs", headers=h["admin"]).json()["runs"]
    assert [r["run_id"] for r in listed] == [service["run_id"]]
    assert listed[0]["rows_quarantined"] == 2
    detail = client.get(f"/runs/{service['run_id']}", headers=h["admin"]).json()
    assert len(detail["quarantine"]) == 2 and detail["run_info"]["extract_fingerprint"]
    assert client.get("/runs/999", headers=h["admin"]).status_code == 404
    info, tables = run_factory(seed=30, n_children=5, as_of="2026-04-30")
    body = payload_factory(info, tables)
    posted = client.post("/runs", json=body, headers=h["service"])
    assert posted.status_code == 201 and posted.json()["created"] is True
    again = client.post("/runs", json=body, headers=h["service"])
    assert again.status_code == 200 and again.json() == {**posted.json(), "created": False}
    # the newest as-of now feeds the queue
    assert client.get("/queue", headers=h["auditor"]).json()["run_id"] == posted.json()["run_id"]
    broken = {"run_info": info, "tables": {"cases": body["tables"]["cases"]}}
    refused = client.post("/runs", json=broken, headers=h["service"])
    assert refused.status_code == 422  # the typed body names the missing table
    assert ["body", "tables", "criteria"] in [e["loc"] for e in refused.json()["errors"]]


def test_admin_views(service: dict[str, Any]) -> None:
    client, h = service["client"], service["h"]
    users = client.get("/users", headers=h["admin"]).json()["users"]
    assert {"amira", "nia", "scorer"} <= {u["name"] for u in users}
    assert all("token" not in u for u in users)
    client.get("/cases/C0001", headers=h["auditor"])
    log = client.get("/access-log?limit=5", headers=h["admin"]).json()["entries"]
    assert log[0]["action"] == "read_case"
    spec = client.get("/openapi.json", headers=h["admin"])
    assert spec.status_code == 200 and "/queue" in spec.json()["paths"]
    docs = client.get("/docs", headers=h["admin"])
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "script-src" in docs.headers["content-security-policy"]
    assert client.get("/openapi.json", headers=h["auditor"]).status_code == 403
    assert client.get("/openapi.json").status_code == 401


def test_body_limits(client_factory: Any, token_factory: Any) -> None:
    client = client_factory(max_body_bytes=2000)
    headers = {"Authorization": f"Bearer {token_factory('practice_lead')}"}
    big = {"kind": "visit", "text": "z" * 5000}
    response = client.post("/exemplars/check", json=big, headers=headers)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    chunked = client.post(
        "/exemplars/check",
        content=iter([b'{"kind": "visit", "text": "', b"z" * 5000, b'"}']),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413
    small = client.post(
        "/exemplars/check",
        content=iter([b'{"kind": "poem", "text": "z"}']),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert small.status_code == 422  # read in full and passed on


def test_rate_limit(client_factory: Any, token_factory: Any) -> None:
    client = client_factory(rate_limit_per_minute=3)
    headers = {"Authorization": f"Bearer {token_factory('auditor')}"}
    statuses = [client.get("/queue", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/queue", headers=headers)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    other = {"Authorization": f"Bearer {token_factory('auditor')}"}
    assert client.get("/queue", headers=other).status_code == 200  # per token


def test_guessing_tokens_is_rate_limited_by_address(client_factory: Any) -> None:
    client = client_factory(rate_limit_per_minute=3)
    statuses = [
        client.get("/queue", headers={"Authorization": f"Bearer guess-{i}"}).status_code
        for i in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


def _store_with_case_model(engine: Engine, run_factory: Any, missing: int = 0) -> Any:
    """A run whose cases carry the case model's p_inadequate (equal to the rubric score, so the
    model and the rubric disagree about every file), ``missing`` of them without one."""
    run_info, tables = run_factory(seed=22)
    cases = tables["cases"]
    cases["p_inadequate"] = [
        None if i < missing else round(float(s), 3) for i, s in enumerate(cases["score"])
    ]
    write_run(engine, run_info, tables)
    return cases


def test_queue_ranks_on_the_case_model_where_every_file_has_one(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> None:
    cases = _store_with_case_model(engine, run_factory)
    expected = dict(zip(cases["child_id"], cases["p_inadequate"], strict=True))
    h = {"Authorization": f"Bearer {token_factory('auditor')}"}
    client = client_factory()
    items = client.get("/queue?limit=500", headers=h).json()["items"]
    assert {i["ranked_on"] for i in items} == {"case_model"}
    assert all(i["p_inadequate"] == expected[i["child_id"]] for i in items)
    top = items[0]
    assert any(
        r.startswith(
            "weak file: the case model puts the chance an auditor grades it inadequate at "
            f"{top['p_inadequate']:.2f}; rubric score {top['score']:.2f}"
        )
        for r in top["reasons"]
    )
    case = client.get(f"/cases/{top['child_id']}", headers=h).json()
    assert case["p_inadequate"] == expected[top["child_id"]]

    def mean_p(chunk: list[dict[str, Any]]) -> float:
        return sum(i["p_inadequate"] for i in chunk) / len(chunk)

    assert mean_p(items[:8]) > mean_p(items[-8:])  # the model's likely-inadequate files first
    # switched off: the rubric's order, the estimate still reported
    off = client_factory(queue_use_case_model=False)
    by_rubric = off.get("/queue?limit=500", headers=h).json()["items"]
    assert {i["ranked_on"] for i in by_rubric} == {"rubric_score"}
    assert mean_p(by_rubric[:8]) < mean_p(by_rubric[-8:])
    assert by_rubric[0]["p_inadequate"] == expected[by_rubric[0]["child_id"]]
    assert any("set not to use the case model" in r for r in by_rubric[0]["reasons"])
    # a theme queue stays on the theme's scores
    voice = client.get("/queue?theme=voice&limit=3", headers=h).json()["items"]
    assert {i["ranked_on"] for i in voice} == {"theme_score"}


def test_queue_without_p_inadequate_or_with_some_missing_ranks_on_the_rubric(
    service: dict[str, Any], client_factory: Any, run_factory: Any
) -> None:
    client, h = service["client"], service["h"]
    plain = client.get("/queue?limit=500", headers=h["auditor"]).json()["items"]
    assert {i["ranked_on"] for i in plain} == {"rubric_score"}
    assert {i["p_inadequate"] for i in plain} == {None}
    assert client.get("/cases/C0001", headers=h["auditor"]).json()["p_inadequate"] is None
    # a newer run where one file has no estimate: nobody is ranked on the model
    cases = _store_with_case_model(service["engine"], run_factory, missing=1)
    newer = client.get("/queue?limit=500", headers=h["auditor"]).json()["items"]
    assert {i["ranked_on"] for i in newer} == {"rubric_score"}
    with_estimate = [i for i in newer if i["p_inadequate"] is not None]
    assert len(with_estimate) == len(cases) - 1
    assert all(
        any(
            f"1 of the {len(cases)} files in this queue has no case-model" in r
            for r in i["reasons"]
        )
        for i in with_estimate
    )


def test_agreement_ranks_overall_on_the_rubric_and_reports_the_case_model_apart(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> None:
    """The case model learns from the audits the agreement report scores, so "overall" stays
    the rubric's ranking and the case model's ranking is reported beside it, marked in-sample."""
    _store_with_case_model(engine, run_factory)
    auditor = {"Authorization": f"Bearer {token_factory('auditor')}"}
    lead = {"Authorization": f"Bearer {token_factory('practice_lead')}"}
    client = client_factory()
    queue = client.get("/queue?limit=4", headers=auditor).json()["items"]
    assert {i["ranked_on"] for i in queue} == {"case_model"}
    for item in queue:
        audit = {"overall": "inadequate", "themes": {}}
        client.post(f"/cases/{item['child_id']}/audits", json=audit, headers=auditor)
    body = client.get("/agreement?k=4", headers=lead).json()
    precision = {p["theme"]: p for p in body["precision_at_k"]}
    assert precision["overall_case_model"]["in_sample"] is True
    assert precision["overall_case_model"]["precision"] == 1.0  # it chose the audited files
    assert precision["overall"]["in_sample"] is False
    # p_inadequate equals the rubric score here, so the two rankings are opposite ends
    assert precision["overall"]["precision"] in (0.0, None)


def test_warming_on_start_leaves_the_first_pages_nothing_to_load(
    service: dict[str, Any], client_factory: Any
) -> None:
    """warm_on_start: the templates compiled, scikit-learn's kappa imported (1.5 s on the
    first trends page otherwise), the run's monitoring fields read, before the first request."""
    import sys

    with client_factory(warm_on_start=True) as client:
        env = client.app.state.page_environment
        assert {"trends.html", "equality.html", "case.html"} <= {t.name for t in env.cache.values()}
        assert "sklearn.metrics" in sys.modules
        page = {**service["h"]["lead"], "Accept": "text/html"}
        assert client.get("/app/trends", headers=page).status_code == 200
        assert client.get("/app/equality", headers=page).status_code == 200
