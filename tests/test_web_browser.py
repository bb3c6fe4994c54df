"""The web pages in a real browser: Playwright for Python driving Debian's Chromium against
uvicorn on a free localhost port, on a temporary SQLite store filled by scoring two small
synthetic extracts (two weeks apart, with a Focus on Practice week between them); the later
run carries a stand-in case-model estimate (p_inadequate), as a run scored with a case model does.

Sign in, open the queue (ordered by the case model, its estimate in a column), claim, open a
case (the estimate beside the score), see a highlighted quote, save an audit, sign out;
sign in as a practice lead, check an exemplar, open trends. An auditor corrects a marked
passage in place and marks a missed one by selecting it; both are stored and listed.
Every request the browser makes is recorded and must stay on the server's origin; the
Content-Security-Policy must not have had to block anything. Screenshots go to
tests/screenshots/ (git-ignored).

Needs ``playwright`` (the ``browser`` extra) and /usr/bin/chromium (``make test`` installs
both when missing); without them the test is skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("NOTEREVIEW_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
AS_OF = date(2026, 11, 2)
EARLIER = AS_OF - timedelta(days=21)
EXEMPLAR = (
    "Visited Maya at home after school. Maya told me she is worried about moving school "
    "and that she wants to keep seeing her nan on Sundays. Her bedroom was warm and tidy. "
    "This suggests the move is unsettling her, so the plan action on school transition "
    "matters. Next steps: I will ask the school for a transition meeting by 20 November."
)

if os.environ.get("CI"):
    # In CI the browser tests must run: `make test` installs what they need, so a missing
    # piece is a failure, never a silent skip.
    import playwright.sync_api as playwright_api

    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}: make test installs it"
else:
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not Path(CHROMIUM).exists():  # pragma: no cover - depends on the machine
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, reviewer: Any) -> Iterator[dict[str, Any]]:
    """uvicorn serving the app on a store holding two scored synthetic runs."""
    import uvicorn

    from notereview.batch import score_extract
    from notereview.extract import read_extract
    from notereview.store import add_focus_week, add_user, connect, upgrade, write_run
    from notereview.synth import generate
    from notereview_api import Settings, create_app

    root = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{root / 'web.db'}"
    engine = connect(url)
    upgrade(engine)
    for as_of in (EARLIER, AS_OF):
        extract = root / f"extract-{as_of.isoformat()}"
        generate(extract, 30, 5, as_of=as_of)
        result = score_extract(read_extract(extract), reviewer, source=extract, keep_records=True)
        if as_of == AS_OF:  # the latest run as a case model would leave it (a fake estimate)
            cases = result.tables["cases"]
            cases["p_inadequate"] = (1.0 - cases["score"]).clip(0.0, 1.0).round(3)
        write_run(engine, result.run_info, result.tables)
    admin = add_user(engine, "web-admin", "admin").token
    add_focus_week(
        engine,
        EARLIER + timedelta(days=7),
        EARLIER + timedelta(days=11),
        "voice",
        "Voice of the child week",
        created_by=1,
    )
    tokens = {
        "admin": admin,
        "auditor": add_user(engine, "web-auditor", "auditor").token,
        "practice_lead": add_user(engine, "web-lead", "practice_lead").token,
    }
    engine.dispose()
    app = create_app(Settings(database_url=url, rate_limit_per_minute=0))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield {"base": f"http://127.0.0.1:{port}", "tokens": tokens, "url": url}
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def browser_context(
    site: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
            viewport={"width": 1366, "height": 900},
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


def _shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _sign_in(page: Any, base: str, token: str, path: str = "/") -> None:
    page.goto(base + path)
    assert "/sign-in" in page.url
    page.get_by_label("Access token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url


def test_auditor_and_practice_lead_journeys(site: dict[str, Any], browser_context: Any) -> None:
    base, tokens = site["base"], site["tokens"]
    page = browser_context.new_page()
    requests: list[str] = []
    console_errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )

    # --- an auditor: sign in, the queue, claim, the case, a highlighted quote, an audit --------
    _sign_in(page, base, tokens["auditor"], "/app/queue")
    assert page.url.startswith(base + "/app/queue")
    cookie = next(c for c in browser_context.cookies() if c["name"] == "nr_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.keyboard.press("Tab")  # keyboard users land on the skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    rows = page.locator("table.queue tbody tr")
    assert rows.count() > 5
    first = rows.first
    child_id = first.locator("td").nth(1).inner_text().strip()
    assert first.locator("ol.reasons li").count() >= 1
    assert page.get_by_role("columnheader", name="Case model").is_visible()
    assert page.get_by_text("Ordered by the case model").is_visible()
    estimate = first.locator("td.case-model").inner_text()
    assert re.fullmatch(r"\d+% chance an auditor grades this inadequate", estimate)
    _shot(page, "01-queue")
    first.get_by_role("button", name=f"Claim file {child_id}").click()  # htmx: no reload
    first.get_by_text("Claimed by you").wait_for()
    assert page.get_by_role("heading", name="Dip sample").is_visible()
    _shot(page, "02-queue-claimed")

    first.get_by_role("link", name=child_id).click()
    page.wait_for_url(f"**/app/cases/{child_id}")
    assert page.get_by_role("heading", name=f"Case file {child_id}").is_visible()
    case_model = page.get_by_role("definition").filter(has_text=estimate)
    assert case_model.count() == 1 and case_model.is_visible()
    marks = page.locator("article.record mark.evidence")
    assert marks.count() > 0
    _shot(page, "03-case")
    quote_link = page.locator("a.quote-link").first
    quote = quote_link.inner_text().strip("“”")
    quote_link.click()  # jumps to the mark inside the record text
    target = page.locator("mark.evidence:target")
    assert target.count() == 1 and quote.startswith(target.inner_text()[:20])
    assert page.locator("#timeline svg").count() == 1
    target.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "03b-case-quote.png"))  # the marked quote in view

    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Voice of the child").select_option("requires_improvement")
    page.locator("input[type=radio][value=agree]").first.check()
    page.get_by_label("Comments").fill("Voice is reported but not explored; plan links are thin.")
    page.get_by_role("button", name="Save audit").click()
    page.get_by_role("heading", name="Audit saved").wait_for()
    _shot(page, "04-audit-saved")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    page.goto(base + "/app/queue")
    assert "/sign-in" in page.url  # the old session no longer works

    # --- a practice lead: the exemplar checker and the trends ----------------------------------
    _sign_in(page, base, tokens["practice_lead"])
    page.goto(base + "/app/exemplars")
    page.get_by_label("Kind of record").select_option("visit")
    page.get_by_label("Child's first name").fill("Maya")
    page.get_by_label("Child's age in years").fill("10")
    page.get_by_label("Text to check").fill(EXEMPLAR)
    page.get_by_role("button", name="Check").click()  # htmx swaps the feedback in
    page.locator("#exemplar-results mark.evidence").first.wait_for()
    feedback = page.locator("#exemplar-results")
    assert feedback.get_by_text("What is missing").count() + feedback.locator(".tag--met").count()
    assert "C1" in feedback.inner_text()
    _shot(page, "05-exemplar")

    page.goto(base + "/app/trends")
    assert page.get_by_role("heading", name="Practice trends").is_visible()
    assert page.locator("svg.chart").count() == 1
    assert page.locator("svg.chart rect").count() >= 1  # the Focus on Practice week
    assert page.get_by_role("heading", name="Voice of the child week").is_visible()
    assert page.get_by_text("95% interval").count() > 0  # before / after, with intervals
    _shot(page, "06-trends")

    page.goto(base + "/app/queue")  # not for practice leads
    assert page.get_by_role("heading", name="You cannot open this page").is_visible()
    page.goto(base + "/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")

    origin = base + "/"
    foreign = [u for u in requests if not (u == base or u.startswith(origin))]
    assert requests and not foreign, foreign
    blocked = [m for m in console_errors if "Content Security Policy" in m]
    assert not blocked, blocked


def test_auditor_corrects_a_marked_span_and_marks_a_missed_one(
    site: dict[str, Any], browser_context: Any
) -> None:
    from notereview.store import connect, list_corrections

    base, tokens = site["base"], site["tokens"]
    page = browser_context.new_page()
    _sign_in(page, base, tokens["auditor"], "/app/queue")
    children = [
        row.locator("td").nth(1).inner_text().strip()
        for row in page.locator("table.queue tbody tr").all()
    ]
    child_id = None
    for candidate in children:  # a file whose visit records have marked passages
        page.goto(f"{base}/app/cases/{candidate}")
        if page.locator("article.record form.span-form").count():
            child_id = candidate
            break
    assert child_id is not None, "no case with a marked visit passage"

    # A marked passage, corrected in place (from the keyboard: focus, choose, submit).
    form = page.locator("article.record form.span-form").first
    record_id = form.locator("input[name=record_id]").get_attribute("value")
    start = int(form.locator("input[name=span_start]").get_attribute("value") or "")
    form.locator("xpath=ancestor::details[1]/summary").click()
    choice = form.locator("select[name=span_label]")
    choice.focus()
    options = choice.locator("option").all_inner_texts()
    wrong = next(o for o in options if o.startswith("Not "))
    choice.select_option(label=wrong)
    form.get_by_role("button", name="Correct this passage").press("Enter")
    page.get_by_role("heading", name="Correction saved").wait_for()
    _shot(page, "07-span-corrected")

    # A missed passage: select words in a visit record; the form takes them and their offsets.
    missed_id = page.locator("article.record form.missed-form").first.get_attribute(
        "data-record-id"
    )
    selected = page.evaluate(
        """(id) => {
          const root = document.querySelector(`.record__text[data-record-id="${id}"]`);
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          const node = walker.nextNode();
          const range = document.createRange();
          range.setStart(node, 0);
          range.setEnd(node, Math.min(24, node.textContent.length));
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          root.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
          return selection.toString();
        }""",
        missed_id,
    )
    missed = page.locator(f'form.missed-form[data-record-id="{missed_id}"]')
    assert missed.get_by_label("A passage the reviewer missed").input_value() == selected
    assert missed.locator("input[name=span_start]").input_value() == "0"
    missed.get_by_label(f"The passage in {missed_id} is").select_option(label="The child's words")
    missed.get_by_role("button", name="Mark this passage").click()
    page.get_by_role("heading", name="Correction saved").wait_for()
    listed = page.locator("table.corrections-list tbody tr")
    assert listed.count() == 2
    assert listed.filter(has_text=selected.strip()[:15]).count() == 1
    assert listed.filter(has_text="web-auditor").count() == 2
    _shot(page, "08-corrections-listed")

    engine = connect(site["url"])
    stored = list_corrections(engine, child_id=child_id)
    engine.dispose()
    assert len(stored) == 2 and {c.source for c in stored} == {"page"}
    in_place, marked = stored
    assert in_place.record_id == record_id and in_place.span_start == start
    assert in_place.original is not None and in_place.corrected in ("none", "false")
    assert marked.record_id == missed_id and (marked.span_start, marked.family) == (0, "voice")
    assert marked.corrected == "direct" and marked.span_end == len(selected)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    page.close()


def test_admin_sets_a_focus_week(site: dict[str, Any], browser_context: Any) -> None:
    base = site["base"]
    page = browser_context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    _sign_in(page, base, site["tokens"]["admin"], "/app/focus-weeks")
    page.get_by_label("Title").fill("Chronologies week")
    page.get_by_label("Theme").select_option("chronology")
    page.get_by_label("First day").fill("2026-10-19")
    page.get_by_label("Last day").fill("2026-10-23")
    page.get_by_role("button", name="Add week").click()
    page.get_by_role("cell", name="Chronologies week", exact=True).wait_for()
    _shot(page, "07-focus-weeks")
    page.goto(base + "/app/trends?theme=chronology")
    assert page.get_by_role("heading", name="Chronologies week").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")
    assert all(u.startswith(base + "/") or u == base for u in requests)
