"""The pages: sign in and out, the queue, the case file, the exemplar checker, practice trends
and the Focus on Practice weeks. Server-rendered (Jinja2) with a little htmx."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from notereview.equality import CAVEAT, DIMENSIONS, equality_report
from notereview.errors import NotereviewError
from notereview.store import (
    FOCUS_THEMES,
    AccessEvent,
    ClaimConflictError,
    NotFoundError,
    Principal,
    StoreError,
    active_claim,
    active_claims,
    add_focus_week,
    agreement_over_time,
    authenticate,
    case_file,
    case_scores,
    claim_file,
    criterion_shares,
    delete_focus_week,
    end_session,
    last_audited,
    latest_audits,
    list_corrections,
    list_focus_weeks,
    log_access,
    monitoring_rows,
    open_session,
    record_dip_sample,
)
from notereview.triage import THEMES, QueueItem, agreement, build_queue, draw_dip_sample
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep, record_access
from notereview_api.middleware import SESSION_COOKIE, client_ip, request_cookie
from notereview_api.pages import trends as tr
from notereview_api.pages._web import (
    SIGN_IN_COOKIE,
    clear_session_cookie,
    is_htmx,
    new_sign_in_token,
    page_policy,
    page_reviewer,
    page_rubric,
    redirect,
    render,
    safe_next,
    secure_request,
    set_session_cookie,
    verify_csrf,
)
from notereview_api.pages.charts import DueStretch, trend_chart, visit_timeline
from notereview_api.pages.highlight import mark_text, place_evidence
from notereview_api.pages.standards import (
    EXEMPLAR_KINDS,
    GRADES,
    LEGAL_STATUS_WORDS,
    WHAT_GOOD_LOOKS_LIKE,
)
from notereview_api.routes._common import (
    queue_params,
    require_latest_run,
    save_audit,
    save_correction,
    scope_teams,
    visible_case,
)
from notereview_api.routes.sampling import _audited_files
from notereview_api.schemas import AuditIn, CorrectionIn

router = APIRouter(tags=["pages"], include_in_schema=False)
CsrfDep = Depends(verify_csrf)
STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_FILES: dict[str, str] = {
    "app.css": "text/css; charset=utf-8",
    "htmx.min.js": "text/javascript; charset=utf-8",
    "corrections.js": "text/javascript; charset=utf-8",
    "htmx-LICENSE.txt": "text/plain; charset=utf-8",
}
ROLE_HOME = {"auditor": "/app/queue", "practice_lead": "/app/trends", "admin": "/"}


# --- static files, sign in, sign out, start page -------------------------------------------


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """The pages' own CSS and script and the vendored htmx (nothing else is served here)."""
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404, detail="no such file")
    body = (STATIC / name).read_bytes()
    return Response(
        body,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _sign_in_page(
    request: Request, next_path: str, error: str | None, status: int = 200
) -> HTMLResponse:
    value = new_sign_in_token()
    response = render(
        request, "sign_in.html", status=status, next_path=next_path, error=error, form_token=value
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        value,
        max_age=1800,
        path="/sign-in",
        httponly=True,
        samesite="strict",
        secure=secure_request(request, request.app.state.settings),
    )
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return _sign_in_page(request, safe_next(next), None)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=256)] = "",
    form_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Exchange an access token for a session cookie (the token is not kept in the browser)."""
    target = safe_next(next)
    expected = request_cookie(request.scope, SIGN_IN_COOKIE)
    if not expected or not form_token or form_token != expected:
        return _sign_in_page(request, target, "The sign-in form expired. Please try again.")
    ip = client_ip(request.scope, settings)
    allowed, _ = request.app.state.rate_limiter.allow(f"sign-in:{ip}")
    if not allowed:
        return _sign_in_page(request, target, "Too many attempts. Wait a minute.", status=429)
    throttle = request.app.state.sign_in_throttle
    keys = throttle.keys(ip, token.strip())
    wait = await run_in_threadpool(throttle.wait_s, engine, keys, now)

    def log(status: int, who: Principal | None, action: str) -> None:
        event = AccessEvent(
            at=now,
            user_id=who.user_id if who else None,
            action=action,
            method="POST",
            route="/sign-in",
            child_id=None,
            status=status,
            client_ip=ip,
        )
        log_access(engine, event)

    if wait:
        await run_in_threadpool(log, 429, None, "sign_in_locked")
        minutes = max(1, round(wait / 60))
        error = f"Too many failed sign-ins. Try again in {minutes} minute(s)."
        page = _sign_in_page(request, target, error, status=429)
        page.headers["Retry-After"] = str(wait)
        return page
    principal = await run_in_threadpool(authenticate, engine, token.strip(), now)
    if principal is None:
        await run_in_threadpool(throttle.failed, engine, keys, now)
    if principal is None or principal.role == "service":
        await run_in_threadpool(log, 401, principal, "sign_in_refused")
        error = (
            "This token belongs to a service, not a person."
            if principal is not None
            else "The access token was not recognised, has expired or was revoked."
        )
        return _sign_in_page(request, target, error, status=401)
    lifetime = timedelta(hours=settings.session_hours)
    await run_in_threadpool(throttle.succeeded, engine, principal.user_id)
    web = await run_in_threadpool(open_session, engine, principal, lifetime, now)
    await run_in_threadpool(log, 303, principal, "sign_in")
    if target == "/":
        target = ROLE_HOME.get(principal.role, "/")
    response = redirect(target)
    set_session_cookie(response, request, settings, web.session_id)
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in", httponly=True, samesite="strict")
    return response


@router.post("/sign-out", dependencies=[CsrfDep])
def sign_out(request: Request, engine: EngineDep, now: NowDep) -> Response:
    session_id = request_cookie(request.scope, SESSION_COOKIE)
    if session_id:
        end_session(engine, session_id, now)
    response = redirect("/sign-in")
    clear_session_cookie(response)
    return response


@router.get("/")
def start_page(request: Request, user: UserDep) -> Response:
    return render(request, "home.html")


# --- the queue ------------------------------------------------------------------------------


@router.get("/app/queue")
def queue_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    user: UserDep,
    now: NowDep,
    team: Annotated[str | None, Query(max_length=128)] = None,
    legal_status: Annotated[str | None, Query(max_length=8)] = None,
    theme: Annotated[str | None, Query(max_length=32)] = None,
    sample_size: Annotated[int, Query(ge=1, le=200)] = 10,
    seed: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> Response:
    """Weakest files first, with the dip sample beside them."""
    team = team or None
    legal_status = legal_status if legal_status in LEGAL_STATUS_WORDS else None
    theme = theme if theme in THEMES else None
    run = require_latest_run(engine)
    teams = scope_teams(user, team)
    all_cases = case_scores(engine, run.run_id, teams=scope_teams(user, None))
    cases = [c for c in all_cases if teams is None or c.team in teams]
    by_id = {c.child_id: c for c in cases}
    since = now - timedelta(days=settings.recent_audit_days)
    items = build_queue(
        cases,
        legal_status=legal_status,
        theme=theme,
        last_audited=last_audited(engine, since),
        now=now,
        limit=settings.queue_default_limit,
        params=queue_params(settings),
    )
    seed_value = run.run_id if seed is None else seed
    sample = draw_dip_sample(all_cases, size=sample_size, seed=seed_value)
    scope = scope_teams(user, None)
    sample_id = record_dip_sample(
        engine,
        run.run_id,
        sample_size,
        seed_value,
        sorted(scope) if scope else [],
        user.user_id,
        [(f.child_id, f.team, f.legal_status) for f in sample.files],
        now=now,
    )
    ids = [i.child_id for i in items] + [f.child_id for f in sample.files]
    claims = active_claims(engine, now=now, child_ids=ids)
    return render(
        request,
        "queue.html",
        run=run,
        items=[
            {
                "position": i.position,
                "child_id": i.child_id,
                "team": i.team,
                "legal_status": i.legal_status,
                "score": i.score,
                "band": i.grade_band,
                "reasons": list(by_id[i.child_id].reasons[:3]),
                "p_inadequate": i.p_inadequate,
                "claim": claims.get(i.child_id),
            }
            for i in items
        ],
        ranking=_queue_ranking(items, settings.queue_use_case_model),
        case_model_column=any(i.p_inadequate is not None for i in items),
        sample=sample,
        sample_id=sample_id,
        sample_size=sample_size,
        seed=seed_value,
        sample_claims=claims,
        teams=sorted({c.team for c in all_cases}),
        themes=THEMES,
        theme_titles=_theme_titles(request),
        filters={"team": team or "", "legal_status": legal_status or "", "theme": theme or ""},
    )


def _queue_ranking(items: Sequence[QueueItem], use_case_model: bool) -> str | None:
    """One line under the queue's heading saying what the order rests on where a case model
    is involved (None: the rubric or theme score, with no case-model estimate to explain)."""
    if not items:
        return None
    if items[0].ranked_on == "case_model":
        return (
            "Ordered by the case model: its estimate of the chance an auditor grades each file "
            "inadequate, weighted by legal status."
        )
    if items[0].ranked_on != "rubric_score" or all(i.p_inadequate is None for i in items):
        return None
    if not use_case_model:
        return (
            "Ordered by the rubric score: the case model's estimates are shown but the queue is "
            "set not to use them."
        )
    return (
        "Ordered by the rubric score, not the case model: some files in this queue have no "
        "case-model estimate, and the two are never mixed in one order."
    )


@router.post("/app/queue/{child_id}/claim", dependencies=[CsrfDep])
def claim_page(
    child_id: str,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    user: UserDep,
    now: NowDep,
    next: Annotated[str, Form(max_length=2000)] = "/app/queue",
) -> Response:
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    message = None
    try:
        claim_file(engine, child_id, user.user_id, hours=settings.claim_hours, now=now)
    except ClaimConflictError as exc:
        message = f"Already claimed by {exc.holder or 'another auditor'}"
    if is_htmx(request):
        claim = active_claim(engine, child_id, now=now)
        return render(
            request, "_claim.html", child_id=child_id, claim=claim, message=message, next=next
        )
    return redirect(safe_next(next))


# --- the case file --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Timeline:
    svg: Any
    stretches: tuple[DueStretch, ...]
    rule: str


def _theme_titles(request: Request) -> dict[str, str]:
    rubric = page_rubric(request)
    return {t: rubric.spec.themes[t].title for t in THEMES if t in rubric.spec.themes}


def _criterion_title(request: Request, criterion: str) -> str:
    try:
        return str(page_rubric(request).title(criterion))
    except KeyError:
        return criterion


def _timeline(request: Request, view: Any) -> _Timeline | None:
    visits = sorted(
        (r.record_date, r.record_id)
        for r in view.records
        if r.table == "visits" and r.record_date is not None
    )
    if not visits:
        return None
    not_seen = {
        str(item.get("record_id"))
        for f in view.findings
        if f.criterion == "V2"
        for item in f.evidence
        if isinstance(item, dict) and "not seen" in str(item.get("why", ""))
    }
    try:
        from notereview.policy import visit_due_dates

        policy, cal = page_policy(request)
        window_start = view.as_of - timedelta(days=policy.review_window_days)
        # the store has no status or placement start: schedule from the window's start, as a
        # status that began just before it (V1 itself used the real dates)
        stretches = visit_due_dates(
            view.case.legal_status,
            window_start - timedelta(days=1),
            None,
            False,
            [d for d, rid in visits if rid not in not_seen],
            view.as_of,
            window_start,
            policy,
            cal,
        )
    except (NotereviewError, KeyError, ValueError):
        return None
    due = tuple(DueStretch(s.start, s.due, s.closed_by, s.overdue) for s in stretches)
    shown = [(d, rid not in not_seen) for d, rid in visits if d >= window_start]
    svg = visit_timeline(shown, due, window_start, view.as_of)
    return _Timeline(svg, due, stretches[0].rule if stretches else "")


#: The kinds of voice in auditors' words.
VOICE_WORDS = {
    "direct": "the child's own words",
    "reported": "the child's views, reported",
    "observation": "observation of a young or non-verbal child",
    "attempted_not_obtained": "tried to hear the child, not obtained",
    "none": "no voice of the child",
}
#: What an auditor may say about a passage: (value, words, family, corrected value).
SPAN_CHOICES: tuple[tuple[str, str, str, str], ...] = (
    ("direct", "The child's words", "voice", "direct"),
    ("reported", "The child's views, reported", "voice", "reported"),
    ("observation", "Observation of the child", "voice", "observation"),
    ("analysis", "Analysis", "analysis", "true"),
    ("plan_link", "Linked to the plan", "plan_link", "true"),
    ("not_voice", "Not the child's voice", "voice", "none"),
    ("not_analysis", "Not analysis", "analysis", "false"),
    ("not_plan_link", "Not linked to the plan", "plan_link", "false"),
)
_SPAN_FAMILY = {c[0]: (c[2], c[3]) for c in SPAN_CHOICES}
_RECORD_FIELDS = {
    "visit": ("voice", "analysis", "plan_link"),
    "plan_action": ("smart", "specific", "measurable", "owner_named", "timebound"),
}


def _marked_passages(view: Any, texts: dict[tuple[str, str], str]) -> dict[str, list[Any]]:
    """visit_id -> the passages the run marked as voice, analysis or plan link (start, end,
    quote, what the run said), for correcting in place."""
    out: dict[str, list[Any]] = {}
    for visit in view.visits:
        text = texts.get(("visits", str(visit["visit_id"])), "")
        seen = set()
        for item in visit.get("evidence") or ():
            if not isinstance(item, dict):
                continue
            source = str(item.get("source", ""))
            family = source.split(".", 1)[0]
            if family not in ("voice", "analysis", "plan_link"):
                continue
            try:
                start, end = int(item["start"]), int(item["end"])
            except (KeyError, TypeError, ValueError):
                continue
            if not 0 <= start < end <= len(text) or (start, end, family) in seen:
                continue
            seen.add((start, end, family))
            said = {"voice": VOICE_WORDS.get(source.split(".")[1], "voice") if "." in source
                    else "voice", "analysis": "analysis", "plan_link": "linked to the plan"}
            out.setdefault(str(visit["visit_id"]), []).append(
                {"start": start, "end": end, "quote": text[start:end], "family": family,
                 "said": said[family]}
            )
    return out


def _correction_row(c: Any, texts: dict[tuple[str, str], str]) -> dict[str, Any]:
    table = "visits" if c.record_kind == "visit" else "plan_actions"
    text = texts.get((table, c.record_id), "")
    quote = (
        text[c.span_start : c.span_end]
        if c.span_start is not None and c.span_end is not None
        else None
    )
    return {"row": c, "quote": quote}


def _case_context(
    request: Request, engine: Any, user: Principal, child_id: str, now: Any
) -> dict[str, Any]:
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    view = case_file(engine, run.run_id, child_id)
    texts = {(r.table, r.record_id): r.text for r in view.records}
    spans, refs = place_evidence(((f.criterion, f.evidence) for f in view.findings), texts)
    titles = _theme_titles(request)
    themes = []
    for theme in THEMES:
        findings = [f for f in view.findings if f.theme == theme]
        if not findings:
            continue
        themes.append(
            {
                "theme": theme,
                "title": titles.get(theme, theme),
                "score": view.case.themes.get(theme),
                "findings": [
                    {
                        "criterion": f.criterion,
                        "title": _criterion_title(request, f.criterion),
                        "status": f.status,
                        "missing": f.missing,
                        "evidence": refs.get(f.criterion, []),
                    }
                    for f in findings
                ],
            }
        )
    order = ["case_summaries", "visits", "chronology", "plan_actions", "supervision", "genograms"]
    records = sorted(
        view.records,
        key=lambda r: (order.index(r.table) if r.table in order else 99, r.record_date or date.min),
    )
    corrections = list_corrections(engine, child_id=child_id)
    return {
        "run": run,
        "case": view.case,
        "claim": active_claim(engine, child_id, now=now),
        "visit_labels": list(view.visits),
        "action_labels": list(view.plan_actions),
        "marked": _marked_passages(view, texts),
        "corrections": [_correction_row(c, texts) for c in corrections],
        "VOICE_WORDS": VOICE_WORDS,
        "SPAN_CHOICES": SPAN_CHOICES,
        "themes": themes,
        "records": [
            {
                "table": r.table,
                "record_id": r.record_id,
                "date": r.record_date,
                "html": mark_text(r.text, spans.get((r.table, r.record_id), [])).html,
                "quoted": bool(spans.get((r.table, r.record_id))),
            }
            for r in records
        ],
        "missing": [
            {
                "criterion": f.criterion,
                "title": _criterion_title(request, f.criterion),
                "status": f.status,
                "missing": f.missing,
            }
            for f in view.findings
            if f.status in {"not_met", "partly_met"} and f.missing
        ],
        "applicable": [f.criterion for f in view.findings if f.status != "not_applicable"],
        "reconciliation": list(view.reconciliation),
        "timeline": _timeline(request, view),
        "grades": GRADES,
        "theme_titles": titles,
        "status_words": LEGAL_STATUS_WORDS,
    }


@router.get("/app/cases/{child_id}")
def case_page(
    child_id: str,
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
    saved: Annotated[int | None, Query(ge=1)] = None,
    corrected: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Every theme and criterion with its status, the evidence marked in the records, what is
    missing, the visit timeline, the corrections and the audit form. Logged like the API's
    case read."""
    context = _case_context(request, engine, user, child_id, now)
    record_access(request, user, "read_case", 200, child_id)
    return render(request, "case.html", saved=saved, corrected=corrected, errors=[], **context)


def _audit_from_form(form: Any) -> AuditIn:
    themes = {t: form.get(f"theme_{t}") for t in THEMES if form.get(f"theme_{t}")}
    findings = {}
    for key in form:
        if key.startswith("finding_") and form.get(key):
            findings[key.removeprefix("finding_")] = form.get(key)
    comments = (form.get("comments") or "").strip() or None
    return AuditIn.model_validate(
        {
            "overall": form.get("overall"),
            "themes": themes,
            "findings": findings,
            "comments": comments,
        }
    )


@router.post("/app/cases/{child_id}/audit", dependencies=[CsrfDep])
async def audit_page(
    child_id: str, request: Request, engine: EngineDep, user: UserDep, now: NowDep
) -> Response:
    """Save an auditor's judgement of the file: grades, agree / disagree, comments."""
    form = await request.form()
    try:
        audit = _audit_from_form(form)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
        errors = ["Choose an overall grade." if f == "overall" else f"Check {f}." for f in fields]
        context = await run_in_threadpool(_case_context, request, engine, user, child_id, now)
        return render(request, "case.html", status=422, saved=None, corrected=None, errors=errors,
                      **context)


    stored = await run_in_threadpool(save_audit, request, engine, user, child_id, audit, now)
    return redirect(f"/app/cases/{child_id}?saved={stored.audit_id}#audit")


def _corrections_from_form(form: Any, text: str | None) -> list[CorrectionIn]:
    """The corrections a case-page form asks for: a record's labels (each one set), or one
    passage (its offsets, or the words typed, found in the record's text)."""
    kind = str(form.get("record_kind") or "")
    record_id = str(form.get("record_id") or "")
    if kind not in _RECORD_FIELDS or not record_id:
        raise ValueError("Choose a record to correct.")
    choice = form.get("span_label")
    if choice is None:
        out = [
            CorrectionIn(record_kind=kind, record_id=record_id, family=f,
                         corrected=str(form.get(f)))
            for f in _RECORD_FIELDS[kind]
            if form.get(f)
        ]
        if not out:
            raise ValueError("Choose at least one correction.")
        return out
    if choice not in _SPAN_FAMILY:
        raise ValueError("Choose what the passage is.")
    family, corrected = _SPAN_FAMILY[str(choice)]
    try:
        start, end = int(form.get("span_start") or ""), int(form.get("span_end") or "")
    except ValueError:
        passage = " ".join(str(form.get("passage") or "").split())
        if not passage or text is None:
            raise ValueError("Select the passage in the record, or type its words.") from None
        start = text.find(passage)
        if start < 0:
            raise ValueError("Those words are not in the record; copy them exactly.") from None
        end = start + len(passage)
    return [CorrectionIn(record_kind="visit", record_id=record_id, family=family,
                         corrected=corrected, span=(start, end))]


@router.post("/app/cases/{child_id}/corrections", dependencies=[CsrfDep])
async def corrections_page(
    child_id: str, request: Request, engine: EngineDep, user: UserDep, now: NowDep
) -> Response:
    """Save an auditor's corrections of the run's verdicts: a visit's or plan action's labels,
    a marked passage corrected in place, or a passage the run missed. Logged."""
    form = await request.form()
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    view = await run_in_threadpool(case_file, engine, run.run_id, child_id)
    record_id = str(form.get("record_id") or "")
    text = next(
        (r.text for r in view.records if r.table == "visits" and r.record_id == record_id),
        None,
    )
    try:
        wanted = _corrections_from_form(form, text)
    except (ValueError, ValidationError) as exc:
        message = (
            "Check the correction's values." if isinstance(exc, ValidationError) else str(exc)
        )
        context = await run_in_threadpool(_case_context, request, engine, user, child_id, now)
        return render(
            request, "case.html", status=422, saved=None, corrected=None, errors=[message],
            **context,
        )
    for body in wanted:
        await run_in_threadpool(
            save_correction, request, engine, user, child_id, body, now, "page"
        )
    return redirect(f"/app/cases/{child_id}?corrected={len(wanted)}#corrections")


# --- the exemplar checker -------------------------------------------------------------------


@router.get("/app/exemplars")
def exemplar_page(request: Request, user: UserDep) -> Response:
    return render(request, "exemplars.html", kinds=EXEMPLAR_KINDS, form={}, result=None, error=None)


def _exemplar_result(request: Request, kind: str, text: str, checked: dict[str, Any]) -> Any:
    texts = {
        (table, "exemplar-1"): text
        for table in (
            "visits",
            "case_summaries",
            "plan_actions",
            "chronology",
            "supervision",
            "plans",
        )
    }
    findings = checked.get("findings", [])
    spans, refs = place_evidence(((f["criterion"], f.get("evidence", [])) for f in findings), texts)
    placed = [s for group in spans.values() for s in group]
    return {
        "html": mark_text(text, placed).html,
        "findings": [
            {
                "criterion": f["criterion"],
                "title": _criterion_title(request, f["criterion"]),
                "standard": WHAT_GOOD_LOOKS_LIKE.get(f["criterion"], ""),
                "status": f["status"],
                "missing": f.get("missing") or "",
                "advice": f.get("advice") or "",
                "evidence": [r for r in refs.get(f["criterion"], []) if r.quote],
            }
            for f in findings
        ],
        "labels": checked.get("labels", {}),
    }


@router.post("/app/exemplars", dependencies=[CsrfDep])
async def exemplar_check(
    request: Request,
    settings: SettingsDep,
    user: UserDep,
    kind: Annotated[str, Form(max_length=32)],
    text: Annotated[str, Form(max_length=1_000_000)],
    child_name: Annotated[str, Form(max_length=100)] = "",
    age: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """What is good (marked) and what is missing, criterion by criterion. The text is neither
    stored nor logged."""
    form = {"kind": kind, "text": text, "child_name": child_name, "age": age}
    error = None
    result = None
    age_value: int | None = None
    if age.strip():
        try:
            age_value = int(age)
            if not 0 <= age_value <= 25:
                raise ValueError
        except ValueError:
            error = "Enter the child's age as a whole number of years from 0 to 25."
    if kind not in EXEMPLAR_KINDS:
        error = "Choose what kind of record this is."
    elif not text.strip():
        error = "Paste the text to check."
    elif len(text) > settings.exemplar_max_chars:
        error = f"The text is longer than {settings.exemplar_max_chars} characters."
    if error is None:
        from notereview import check_text

        reviewer = await run_in_threadpool(page_reviewer, request)
        try:
            checked = await run_in_threadpool(
                check_text, kind, text, child_name.strip() or None, age_value, reviewer
            )
        except NotereviewError as exc:
            error = str(exc)
        else:
            result = _exemplar_result(request, kind, text, checked)
    status = 200 if error is None else 422
    template = "_exemplar_results.html" if is_htmx(request) else "exemplars.html"
    return render(
        request,
        template,
        status=200 if is_htmx(request) else status,
        kinds=EXEMPLAR_KINDS,
        form=form,
        result=result,
        error=error,
    )


# --- equality monitoring --------------------------------------------------------------------


@router.get("/app/equality")
def equality_page(
    request: Request, engine: EngineDep, settings: SettingsDep, user: UserDep
) -> Response:
    """Equality monitoring of the reviewer on the latest run: per group of each monitoring
    field, counts, the mean case score, the queue's top decile and the rubric's disagreement
    with auditors, with 95% intervals; groups under the team minimum suppressed. Files of the
    practice lead's own teams where they have teams. Nothing about any one child."""
    run = require_latest_run(engine)
    cases = case_scores(engine, run.run_id, teams=user.teams or None)
    audits = {a.child_id: a.overall for a in latest_audits(engine)}
    report = equality_report(
        [{"child_id": c.child_id, "score": c.score, "rank": c.rank,
          "grade_band": c.grade_band} for c in cases],
        monitoring_rows(engine, run.run_id),
        audits,
        min_cell=settings.trends_min_team_files,
    )  # fmt: skip
    return render(
        request,
        "equality.html",
        run=run,
        report=report,
        dimensions=DIMENSIONS,
        caveat=CAVEAT,
    )


# --- practice trends ------------------------------------------------------------------------


@router.get("/app/trends")
def trends_page(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    user: UserDep,
    theme: Annotated[str, Query(max_length=32)] = "voice",
    team: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """Per theme and team, the share of files meeting each criterion week by week, Focus on
    Practice weeks, before/after comparisons, model-auditor agreement, and agreement with
    the auditors' corrections per month and per model version. Team figures only
    above the minimum count; nothing about individual workers."""
    theme = theme if theme in THEMES else "voice"
    minimum = settings.trends_min_team_files
    shares = criterion_shares(engine)
    teams = tr.teams_shown(shares, minimum)
    if user.teams:
        teams = [t for t in teams if t in user.teams]
    if team and team not in teams:
        team = ""
    if user.teams and not team:
        team = teams[0] if teams else "-"
    rows = tr.weekly(shares, theme, team or tr.ALL_TEAMS, minimum)
    criteria = sorted({c for r in rows for c in r.cells})
    titles = {c: _criterion_title(request, c) for c in criteria}
    theme_titles = _theme_titles(request)
    weeks = list_focus_weeks(engine)
    chart = trend_chart(
        tr.series(rows, criteria, titles),
        tr.bands(w for w in weeks if w.theme == theme),
        "trend",
        f"{theme_titles.get(theme, theme)}: share of files meeting each criterion",
    )
    comparisons = [tr.compare(rows, w, criteria) for w in weeks if w.theme == theme]
    audited = _audited_files(engine, latest_audits(engine))
    kappa = agreement(audited, {}, k=settings.agreement_k).kappa
    over_time = agreement_over_time(engine)
    return render(
        request,
        "trends.html",
        corrections_by_month=over_time.by_month,
        corrections_by_version=over_time.by_model_version,
        theme=theme,
        team=team,
        themes=THEMES,
        theme_titles=theme_titles,
        teams=teams,
        minimum=minimum,
        rows=rows,
        criteria=criteria,
        titles=titles,
        chart=chart,
        weeks=weeks,
        comparisons=comparisons,
        kappa=kappa,
        audited=len(audited),
    )


# --- Focus on Practice weeks (admins) -------------------------------------------------------


@router.get("/app/focus-weeks")
def focus_weeks_page(request: Request, engine: EngineDep, user: UserDep) -> Response:
    return render(
        request,
        "focus_weeks.html",
        weeks=list_focus_weeks(engine),
        themes=FOCUS_THEMES,
        theme_titles=_theme_titles(request),
        error=None,
        form={},
    )


@router.post("/app/focus-weeks", dependencies=[CsrfDep])
def focus_week_add(
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
    starts_on: Annotated[str, Form(max_length=10)],
    ends_on: Annotated[str, Form(max_length=10)],
    theme: Annotated[str, Form(max_length=32)],
    title: Annotated[str, Form(max_length=200)],
) -> Response:
    form = {"starts_on": starts_on, "ends_on": ends_on, "theme": theme, "title": title}
    try:
        start, end = date.fromisoformat(starts_on), date.fromisoformat(ends_on)
        add_focus_week(engine, start, end, theme, title, user.user_id, now=now)
    except ValueError:
        error = "Enter the dates as YYYY-MM-DD."
    except StoreError as exc:
        error = str(exc).capitalize() + "."
    else:
        return redirect("/app/focus-weeks")
    return render(
        request,
        "focus_weeks.html",
        status=422,
        weeks=list_focus_weeks(engine),
        themes=FOCUS_THEMES,
        theme_titles=_theme_titles(request),
        error=error,
        form=form,
    )


@router.post("/app/focus-weeks/{week_id}/delete", dependencies=[CsrfDep])
def focus_week_delete(week_id: int, engine: EngineDep, user: UserDep) -> Response:
    try:
        delete_focus_week(engine, week_id)
    except NotFoundError:
        raise HTTPException(status_code=404, detail="no such Focus on Practice week") from None
    return redirect("/app/focus-weeks")
