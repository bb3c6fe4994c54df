"""The web pages through the app (TestClient): sessions, CSRF, headers, the queue, the case
file, audits, the exemplar checker, trends and Focus on Practice weeks (SQLite and PostgreSQL).
The same journeys in a real browser: tests/test_web_browser.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from notereview.store import (
    latest_audits,
    list_corrections,
    read_access_log,
    revoke_user,
    write_run,
)

pytest_plugins = ["api_fixtures"]

HTML = {"Accept": "text/html,application/xhtml+xml"}
PAGES = ("/", "/app/queue", "/app/cases/C0001", "/app/exemplars", "/app/trends")


def sign_in(client: Any, token: str, next_path: str = "/") -> Any:
    form = client.get("/sign-in", params={"next": next_path})
    value = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert value
    return client.post(
        "/sign-in",
        data={"token": token, "form_token": value.group(1), "next": next_path},
        follow_redirects=False,
    )


def csrf_of(client: Any, path: str = "/") -> str:
    page = client.get(path, headers=HTML)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


@pytest.fixture
def site(client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any) -> Any:
    run_info, tables = run_factory(seed=3, marker="<b>MARK&</b>")
    write_run(engine, run_info, tables)
    client = client_factory(rate_limit_per_minute=0)
    return client, token_factory


def test_sign_in_starts_a_strict_session_and_sign_out_ends_it(site: Any, engine: Engine) -> None:
    client, tokens = site
    token = tokens("auditor", name="ann")
    response = sign_in(client, token, "/app/queue")
    assert response.status_code == 303 and response.headers["location"] == "/app/queue"
    cookie = response.headers["set-cookie"]
    assert "nr_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie and "Secure" not in cookie  # plain http here
    assert token not in cookie
    assert client.get("/app/queue", headers=HTML).status_code == 200
    csrf = csrf_of(client, "/app/queue")
    out = client.post("/sign-out", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
    # the old session id no longer works, even if a browser kept it
    stale = cookie.split(";")[0].split("=", 1)[1]
    client.cookies.set("nr_session", stale)
    again = client.get("/app/queue", headers=HTML, follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/sign-in?next=%2Fapp%2Fqueue"
    assert client.get("/app/queue").status_code == 401  # an API client gets problem+json
    actions = [e.action for e in read_access_log(engine, limit=50)]
    assert "sign_in" in actions


def test_session_cookie_is_secure_over_tls(client_factory: Any, token_factory: Any) -> None:
    from fastapi.testclient import TestClient

    app = client_factory().app
    client = TestClient(app, base_url="https://testserver")
    response = sign_in(client, token_factory("auditor"))
    assert "Secure" in response.headers["set-cookie"]


def test_sign_in_refusals(site: Any, engine: Engine) -> None:
    client, tokens = site
    no_form = client.post("/sign-in", data={"token": "x"}, follow_redirects=False)
    assert no_form.status_code == 200 and "expired" in no_form.text  # no form token cookie
    wrong = sign_in(client, "not-a-token")
    assert wrong.status_code == 401 and "not recognised" in wrong.text
    service = sign_in(client, tokens("service"))
    assert service.status_code == 401 and "service" in service.text
    evil = sign_in(client, tokens("practice_lead"), "//evil.example/x")
    assert evil.headers["location"] == "/app/trends"  # never off-site
    refused = [e for e in read_access_log(engine, limit=20) if e.action == "sign_in_refused"]
    assert len(refused) == 2 and all(e.route == "/sign-in" for e in refused)


def test_idle_timeout_absolute_lifetime_and_revocation(
    client_factory: Any, engine: Engine, token_factory: Any, run_factory: Any
) -> None:
    write_run(engine, *run_factory(seed=4))
    client = client_factory(session_idle_minutes=30, session_hours=2, rate_limit_per_minute=0)
    app = client.app
    start = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    moment = {"now": start}
    app.state.clock = lambda: moment["now"]
    token = token_factory("auditor", name="bea")
    sign_in(client, token)
    for minutes in (25, 50, 75, 100):  # active every 25 minutes: never idle for 30
        moment["now"] = start + timedelta(minutes=minutes)
        assert client.get("/app/queue", headers=HTML, follow_redirects=False).status_code == 200
    moment["now"] = start + timedelta(minutes=125)  # past the 2-hour absolute lifetime
    assert client.get("/app/queue", headers=HTML, follow_redirects=False).status_code == 303
    sign_in(client, token)
    moment["now"] += timedelta(minutes=31)  # idle too long
    assert client.get("/app/queue", headers=HTML, follow_redirects=False).status_code == 303
    sign_in(client, token)
    revoke_user(engine, "bea", now=moment["now"])
    assert client.get("/app/queue", headers=HTML, follow_redirects=False).status_code == 303


def test_every_form_needs_the_csrf_token(site: Any) -> None:
    client, tokens = site
    sign_in(client, tokens("auditor"))
    csrf = csrf_of(client, "/app/queue")
    assert client.post("/app/queue/C0001/claim").status_code == 403
    assert client.post("/app/queue/C0001/claim", data={"csrf_token": "guess"}).status_code == 403
    cross = client.post(
        "/app/queue/C0001/claim",
        data={"csrf_token": csrf},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    other_origin = client.post(
        "/app/queue/C0001/claim",
        data={"csrf_token": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert other_origin.status_code == 403
    assert client.post("/sign-out").status_code == 403
    ok = client.post(
        "/app/queue/C0001/claim", data={"csrf_token": csrf}, headers={"HX-Request": "true"}
    )
    assert ok.status_code == 200 and "Claimed by you" in ok.text


def test_pages_are_strict_about_what_they_load(site: Any) -> None:
    client, tokens = site
    sign_in(client, tokens("admin"))
    for path in (*PAGES, "/app/focus-weeks", "/sign-in"):
        response = client.get(path, headers=HTML)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        for directive in ("script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"):
            assert directive in csp, (path, directive)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        page = response.text
        assert not re.search(r'(src|href|action)="(https?:)?//', page), path
        assert "<script>" not in page and " style=" not in page and "<style" not in page
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "Zero-Clause BSD" in client.get("/static/htmx-LICENSE.txt").text
    assert client.get("/static/app.py").status_code == 404
    assert client.get("/static/..%2Fapp.py").status_code in (401, 404)


def test_browsers_are_sent_to_sign_in_or_told_they_cannot(site: Any, engine: Engine) -> None:
    client, tokens = site
    response = client.get("/app/cases/C0002", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fapp%2Fcases%2FC0002"
    sign_in(client, tokens("practice_lead"))
    refused = client.get("/app/queue", headers=HTML)
    assert refused.status_code == 403 and "You cannot open this page" in refused.text
    assert "script-src 'self'" in refused.headers["content-security-policy"]
    entries = read_access_log(engine, limit=10)
    assert any(e.status == 403 and e.route == "/app/queue" for e in entries)


def test_queue_filters_claims_and_dip_sample(site: Any) -> None:
    client, tokens = site
    sign_in(client, tokens("auditor", name="cal"))
    page = client.get("/app/queue", params={"team": "North"}, headers=HTML).text
    rows = re.findall(r'<td><a href="/app/cases/(C\d+)">', page)
    assert rows
    teams = re.findall(r"</abbr></td>\s*<td>(\w+)</td>", page)
    assert set(teams) == {"North"}
    assert "Dip sample" in page and "Sample 1:" in page
    assert (
        client.get("/app/queue", params={"theme": "voice", "legal_status": "CP"}).status_code == 200
    )
    csrf = csrf_of(client, "/app/queue")
    claimed = client.post(
        f"/app/queue/{rows[0]}/claim", data={"csrf_token": csrf}, headers={"HX-Request": "true"}
    )
    assert "Claimed by you" in claimed.text
    other = client_two = type(client)(client.app)
    sign_in(client_two, tokens("auditor", name="dee"))
    taken = other.post(
        f"/app/queue/{rows[0]}/claim",
        data={"csrf_token": csrf_of(other, "/app/queue")},
        headers={"HX-Request": "true"},
    )
    assert "Claimed by cal" in taken.text and "Already claimed" in taken.text


def test_case_page_marks_evidence_escapes_text_and_is_logged(site: Any, engine: Engine) -> None:
    client, tokens = site
    sign_in(client, tokens("auditor"))
    response = client.get("/app/cases/C0001", headers=HTML)
    assert response.status_code == 200
    page = response.text
    assert "&lt;b&gt;MARK&amp;&lt;/b&gt;" in page and "<b>MARK" not in page
    marks = re.findall(r'<mark id="(ev-\d+)" class="evidence"', page)
    assert marks and len(marks) == len(set(marks))
    assert f'href="#{marks[0]}"' in page  # the findings list links to the mark
    for heading in ("Themes and criteria", "What is missing", "Visit timeline", "Your audit"):
        assert heading in page
    assert "<svg" in page and "V1" in page
    # the timeline reads the run's child_seen flag: the one visit that did not see the child
    assert page.count("(not seen)</title>") == 1
    reads = [e for e in read_access_log(engine, limit=10) if e.action == "read_case"]
    assert reads and reads[0].child_id == "C0001" and reads[0].route == "/app/cases/{child_id}"


def test_team_scoped_auditor_sees_only_their_team(site: Any) -> None:
    client, tokens = site
    sign_in(client, tokens("auditor", teams=("South",)))
    page = client.get("/app/queue", headers=HTML).text
    assert set(re.findall(r"</abbr></td>\s*<td>(\w+)</td>", page)) == {"South"}
    page = client.get("/app/cases/C0001", headers=HTML)  # C0001 is North
    assert page.status_code == 404 and "Page not found" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    api_style = client.get("/app/cases/C0001")
    assert api_style.status_code == 404
    assert api_style.headers["content-type"].startswith("application/problem+json")


def test_audit_form_saves_an_audit(site: Any, engine: Engine) -> None:
    client, tokens = site
    sign_in(client, tokens("auditor"))
    csrf = csrf_of(client, "/app/cases/C0005")
    missing = client.post("/app/cases/C0005/audit", data={"csrf_token": csrf})
    assert missing.status_code == 422 and "Choose an overall grade" in missing.text
    form = {
        "csrf_token": csrf,
        "overall": "requires_improvement",
        "theme_voice": "inadequate",
        "theme_plans": "",
        "finding_C1": "disagree",
        "finding_V1": "agree",
        "comments": "  Plans are vague.  ",
    }
    saved = client.post("/app/cases/C0005/audit", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith(
        "/app/cases/C0005?saved="
    )
    assert "Audit saved" in client.get(saved.headers["location"], headers=HTML).text
    audit = next(a for a in latest_audits(engine) if a.child_id == "C0005")
    assert audit.overall == "requires_improvement"
    assert audit.themes == {"voice": "inadequate"}
    assert audit.findings == {"C1": "disagree", "V1": "agree"}


def test_corrections_from_the_case_page(site: Any, engine: Engine) -> None:
    client, tokens = site
    sign_in(client, tokens("auditor", name="amira"))
    page = client.get("/app/cases/C0002", headers=HTML).text
    for words in ("Corrections", "Per visit", "Per plan action", "A passage the reviewer missed"):
        assert words in page
    assert '<script src="/static/corrections.js" defer></script>' in page
    assert client.get("/static/corrections.js").status_code == 200
    csrf = csrf_of(client, "/app/cases/C0002")
    visit = {"record_kind": "visit", "record_id": "C0002-V1", "analysis": "true",
             "plan_link": "", "voice": "none"}
    assert client.post("/app/cases/C0002/corrections", data=visit).status_code == 403
    saved = client.post("/app/cases/C0002/corrections", data={**visit, "csrf_token": csrf},
                        follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/app/cases/C0002?corrected=2#corrections"
    words = "spent time in the kitchen with the carer"
    missed = {"csrf_token": csrf, "record_kind": "visit", "record_id": "C0002-V1",
              "span_label": "observation", "passage": f"  {words} ", "span_start": "",
              "span_end": ""}
    assert client.post("/app/cases/C0002/corrections", data=missed,
                       follow_redirects=False).status_code == 303
    not_there = {**missed, "passage": "words nobody wrote"}
    refused = client.post("/app/cases/C0002/corrections", data=not_there)
    assert refused.status_code == 422 and "not in the record" in refused.text
    action = {"csrf_token": csrf, "record_kind": "plan_action", "record_id": "C0002-A1",
              "timebound": "false"}
    assert client.post("/app/cases/C0002/corrections", data=action,
                       follow_redirects=False).status_code == 303
    nothing = client.post("/app/cases/C0002/corrections",
                          data={"csrf_token": csrf, "record_kind": "visit",
                                "record_id": "C0002-V1"})
    assert nothing.status_code == 422 and "at least one correction" in nothing.text

    stored = {(c.family, c.corrected, c.span_start is not None, c.source)
              for c in list_corrections(engine, child_id="C0002")}
    assert stored == {("analysis", "true", False, "page"), ("voice", "none", False, "page"),
                      ("voice", "observation", True, "page"),
                      ("timebound", "false", False, "page")}
    shown = client.get("/app/cases/C0002?corrected=1", headers=HTML).text
    assert "Correction saved" in shown and f"<q>{words}</q>" in shown
    assert shown.count("amira,") == 4
    writes = [e for e in read_access_log(engine, limit=50) if e.action == "write_correction"]
    assert len(writes) == 4 and {e.child_id for e in writes} == {"C0002"}


def test_trends_show_agreement_with_corrections_over_time(site: Any, engine: Engine) -> None:
    from notereview.store import CorrectionInput, add_corrections

    def item(record: str, original: str, version: str) -> CorrectionInput:
        return CorrectionInput(
            auditor="amira", source="page", run_key="k", child_id="C0001",
            record_kind="visit", record_id=record, family="analysis", corrected="true",
            original=original, model_version=version,
        )

    add_corrections(engine, [item("V1", "true", "visit_judgement@1"),
                             item("V2", "false", "visit_judgement@1")],
                    now=datetime(2026, 2, 3, tzinfo=UTC))
    add_corrections(engine, [item("V3", "true", "visit_judgement@2")],
                    now=datetime(2026, 3, 3, tzinfo=UTC))
    client, tokens = site
    sign_in(client, tokens("practice_lead"))
    page = client.get("/app/trends", headers=HTML).text
    assert "Agreement with auditors' corrections" in page
    by_month = re.findall(
        r"<tr><th scope=\"row\">analysis</th><td>([\d-]+)</td><td>(\d+%)</td><td>(\d+)</td>",
        page,
    )
    assert ("2026-02", "50%", "2") in by_month and ("2026-03", "100%", "1") in by_month
    assert "visit_judgement@2" in page


def test_exemplar_checker(site: Any, engine: Engine) -> None:
    client, tokens = site
    sign_in(client, tokens("practice_lead"))
    csrf = csrf_of(client, "/app/exemplars")
    text = "Kai told me he misses his brother. This suggests contact matters to him."
    before = len(read_access_log(engine, limit=1000))
    response = client.post(
        "/app/exemplars",
        data={"csrf_token": csrf, "kind": "visit", "text": text, "child_name": "Kai", "age": "9"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.text
    assert fragment.startswith('<section id="exemplar-results"')
    assert '<mark id="ev-' in fragment and "C1" in fragment and "What is missing" in fragment
    assert "The child&#39;s own words" in fragment
    # per criterion, in words a practice lead can act on
    assert "In short:</strong> The child&#39;s own words: good" in fragment
    assert len(read_access_log(engine, limit=1000)) == before  # the text is not logged
    empty = client.post("/app/exemplars", data={"csrf_token": csrf, "kind": "visit", "text": " "})
    assert empty.status_code == 422 and "Paste the text" in empty.text
    bad_age = client.post(
        "/app/exemplars", data={"csrf_token": csrf, "kind": "visit", "text": text, "age": "x"}
    )
    assert bad_age.status_code == 422 and "whole number" in bad_age.text


def test_trends_focus_weeks_and_minimum_team_size(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> None:
    for seed, as_of in ((5, "2026-03-02"), (6, "2026-03-16"), (7, "2026-03-30")):
        write_run(engine, *run_factory(seed=seed, as_of=as_of, n_children=30))
    client = client_factory(trends_min_team_files=10, rate_limit_per_minute=0)
    sign_in(client, token_factory("admin"))
    csrf = csrf_of(client, "/app/focus-weeks")
    bad = client.post(
        "/app/focus-weeks",
        data={
            "csrf_token": csrf,
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-01",
            "theme": "voice",
            "title": "Backwards",
        },
    )
    assert bad.status_code == 422 and "must end on or after" in bad.text
    good = client.post(
        "/app/focus-weeks",
        data={
            "csrf_token": csrf,
            "starts_on": "2026-03-09",
            "ends_on": "2026-03-13",
            "theme": "voice",
            "title": "Voice week",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    page = client.get("/app/trends", params={"theme": "voice"}, headers=HTML).text
    assert "Voice week" in page and "95% interval" in page and "<svg" in page
    assert "Model and auditors" in page
    # no child, no worker (as words: a random CSRF token may hold the letters "W1")
    assert not re.search(r"\b(C\d{4}|W\d+)\b", page)
    assert re.findall(r'<option value="(North|South|East)"', page) == ["East", "North", "South"]
    team_page = client.get("/app/trends", params={"theme": "voice", "team": "North"}).text
    assert "fewer than 10" in team_page  # 10 North files, some criteria apply to fewer
    strict = client_factory(trends_min_team_files=11)
    sign_in(strict, token_factory("practice_lead"))
    hidden = strict.get("/app/trends", params={"team": "North"}, headers=HTML).text
    assert not re.findall(r'<option value="(North|South|East)"', hidden)
    assert "across the service" in hidden  # an unknown or withheld team falls back
    lead_post = strict.post(
        "/app/focus-weeks",
        data={"starts_on": "2026-03-09", "ends_on": "2026-03-13", "theme": "voice", "title": "x"},
    )
    assert lead_post.status_code == 403


def _case_model_site(
    client_factory: Any, engine: Engine, run_factory: Any, missing: int = 0
) -> tuple[Any, dict[str, float | None]]:
    """A store whose latest run has the case model's p_inadequate (``missing`` files without)."""
    run_info, tables = run_factory(seed=8)
    cases = tables["cases"].sort_values("child_id", ignore_index=True)
    tables["cases"] = cases
    values = [None if i < missing else round(0.834 - i * 0.01, 3) for i in range(len(cases))]
    cases["p_inadequate"] = values
    write_run(engine, run_info, tables)
    client = client_factory(rate_limit_per_minute=0)
    return client, dict(zip(cases["child_id"], values, strict=True))


def test_queue_and_case_pages_show_the_case_model_only_when_present(
    site: Any, client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> None:
    client, tokens = site
    sign_in(client, tokens("auditor"))
    queue = client.get("/app/queue", headers=HTML).text
    assert "Case model" not in queue and "chance an auditor grades" not in queue
    case = client.get("/app/cases/C0001", headers=HTML).text
    assert "Case model" not in case and "chance an auditor grades" not in case

    modelled, values = _case_model_site(client_factory, engine, run_factory)
    sign_in(modelled, token_factory("auditor"))
    queue = modelled.get("/app/queue", headers=HTML).text
    assert '<th scope="col">Case model</th>' in queue
    assert "Ordered by the case model" in queue
    top = re.findall(r'<td><a href="/app/cases/(C\d+)">', queue)[0]
    cells = re.findall(r'<td class="case-model">([^<]*)</td>', queue)
    assert cells and all(c.endswith("% chance an auditor grades this inadequate") for c in cells)
    assert f"{values[top] * 100:.0f}% chance an auditor grades this inadequate" in cells[0]
    page = modelled.get("/app/cases/C0001", headers=HTML).text  # 0.834
    assert "<dt>Case model</dt>" in page
    assert "83% chance an auditor grades this inadequate" in page
    # switched off for the queue: the rubric's order, the estimates still shown
    off = client_factory(rate_limit_per_minute=0, queue_use_case_model=False)
    sign_in(off, token_factory("auditor"))
    queue = off.get("/app/queue", headers=HTML).text
    assert "the queue is set not to use them" in queue
    assert '<th scope="col">Case model</th>' in queue


def test_queue_page_with_some_files_missing_the_case_model(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> None:
    client, values = _case_model_site(client_factory, engine, run_factory, missing=1)
    sign_in(client, token_factory("auditor"))
    queue = client.get("/app/queue", params={"team": "North"}, headers=HTML).text
    assert "Ordered by the rubric score, not the case model" in queue
    assert '<th scope="col">Case model</th>' in queue
    assert values["C0001"] is None  # C0001 (North) has no estimate
    assert '<span class="meta">no estimate</span>' in queue
    page = client.get("/app/cases/C0001", headers=HTML).text
    assert "<dt>Case model</dt>" not in page
    assert "<dt>Case model</dt>" in client.get("/app/cases/C0004", headers=HTML).text


def test_case_page_lists_where_annex_a_and_the_file_disagree(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> None:
    import pandas as pd

    run_info, tables = run_factory(seed=4)
    tables["reconciliation"] = pd.DataFrame(
        [
            {
                "child_id": "C0001", "item": "last_statutory_visit", "source": "List 7, row 3",
                "annex_a_value": "03/10/2026", "file_value": "12/09/2026",
                "finding": "Annex A: last statutory visit 03/10/2026; the last seen visit "
                "recorded is 12/09/2026",
            },
            {
                "child_id": "C0002", "item": "team", "source": "List 6, row 4",
                "annex_a_value": "East", "file_value": "North",
                "finding": "Annex A: allocated team East; the children table has North",
            },
        ]
    )  # fmt: skip
    write_run(engine, run_info, tables)
    client = client_factory(rate_limit_per_minute=0)
    token = token_factory("auditor")
    sign_in(client, token)
    page = client.get("/app/cases/C0001", headers=HTML).text
    assert "Annex A and the file" in page and 'href="#reconciliation"' in page
    assert "the last seen visit recorded is 12/09/2026" in page and "(List 7, row 3)" in page
    assert "allocated team East" not in page  # another child's finding
    body = client.get("/cases/C0001", headers={"Authorization": f"Bearer {token}"}).json()
    assert [r["item"] for r in body["reconciliation"]] == ["last_statutory_visit"]
    other = client.get("/app/cases/C0003", headers=HTML).text
    assert "Annex A and the file" not in other


def test_equality_page_for_practice_leads(
    client_factory: Any, engine: Engine, run_factory: Any, token_factory: Any
) -> None:
    import pandas as pd

    from notereview.store import monitoring_rows

    run_info, tables = run_factory(seed=5, n_children=60)
    cases = tables["cases"]
    tables["monitoring"] = pd.DataFrame(
        {
            "child_id": cases["child_id"],
            "gender": ["F" if i % 2 else "M" for i in range(len(cases))],
            "age_band": "10-15",
            "legal_status": cases["legal_status"],
            "ethnicity": ["r) OOTH" if i == 0 else "a) WBRI" for i in range(len(cases))],
            "disability": "no",
            "communication_need": ["interpreter" if i % 5 == 0 else "none"
                                   for i in range(len(cases))],
        }
    )  # fmt: skip
    written = write_run(engine, run_info, tables)
    assert len(monitoring_rows(engine, written.run_id)) == 60
    client = client_factory(rate_limit_per_minute=0)
    sign_in(client, token_factory("practice_lead"))
    page = client.get("/app/equality", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "Equality monitoring of the reviewer" in text and "a question, not a finding" in text
    assert '<th scope="row">r) OOTH</th><td>fewer than 10</td>' in text  # one child: hidden
    assert '<th scope="row">interpreter</th>' in text and ">reference<" in text
    assert "No file has been audited yet" in text
    assert "C0001" not in text  # nothing about any one child
    auditor = client_factory(rate_limit_per_minute=0)
    sign_in(auditor, token_factory("auditor"))
    assert auditor.get("/app/equality", headers=HTML).status_code == 403
