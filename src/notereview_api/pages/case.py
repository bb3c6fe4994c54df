"""The case file page: every criterion with its evidence marked in the records, what is
missing, the visit timeline, the corrections and the audit form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from notereview.errors import NotereviewError
from notereview.store import CaseFileView, Principal, list_corrections
from notereview.triage import THEMES
from notereview_api import services
from notereview_api.deps import EngineDep, NowDep, UserDep, record_access
from notereview_api.pages import _web
from notereview_api.pages.charts import DueStretch, visit_timeline
from notereview_api.pages.highlight import mark_text, place_evidence
from notereview_api.pages.standards import GRADES, LEGAL_STATUS_WORDS
from notereview_api.schemas import AuditIn, CorrectionIn

router = _web.page_router()
CsrfDep = _web.CSRF


# --- the case file --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Timeline:
    svg: Any
    stretches: tuple[DueStretch, ...]
    rule: str


def _timeline(request: Request, view: CaseFileView) -> _Timeline | None:
    visits = sorted(
        (r.record_date, r.record_id)
        for r in view.records
        if r.table == "visits" and r.record_date is not None
    )
    if not visits:
        return None
    # the run's own flag (null in runs stored before it was kept: counted as seen)
    not_seen = {str(v["visit_id"]) for v in view.visits if v.get("child_seen") is False}
    try:
        from notereview.policy import visit_due_dates

        policy, cal = _web.page_policy(request)
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


def _marked_passages(view: CaseFileView, texts: dict[tuple[str, str], str]) -> dict[str, list[Any]]:
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
            said = {
                "voice": VOICE_WORDS.get(source.split(".")[1], "voice")
                if "." in source
                else "voice",
                "analysis": "analysis",
                "plan_link": "linked to the plan",
            }
            out.setdefault(str(visit["visit_id"]), []).append(
                {
                    "start": start,
                    "end": end,
                    "quote": text[start:end],
                    "family": family,
                    "said": said[family],
                }
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
    opened = services.open_case(request, engine, user, child_id, now)
    view = opened.view
    texts = {(r.table, r.record_id): r.text for r in view.records}
    spans, refs = place_evidence(((f.criterion, f.evidence) for f in view.findings), texts)
    titles = _web.theme_titles(request)
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
                        "title": _web.criterion_title(request, f.criterion),
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
        "run": opened.run,
        "case": view.case,
        "claim": opened.claim,
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
                "title": _web.criterion_title(request, f.criterion),
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
        "_web.theme_titles": titles,
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
    return _web.render(request, "case.html", saved=saved, corrected=corrected, errors=[], **context)


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
        return _web.render(
            request, "case.html", status=422, saved=None, corrected=None, errors=errors, **context
        )

    stored = await run_in_threadpool(
        services.save_audit, request, engine, user, child_id, audit, now
    )
    return _web.redirect(f"/app/cases/{child_id}?saved={stored.audit_id}#audit")


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
            CorrectionIn(
                record_kind=kind, record_id=record_id, family=f, corrected=str(form.get(f))
            )
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
    return [
        CorrectionIn(
            record_kind="visit",
            record_id=record_id,
            family=family,
            corrected=corrected,
            span=(start, end),
        )
    ]


@router.post("/app/cases/{child_id}/corrections", dependencies=[CsrfDep])
async def corrections_page(
    child_id: str, request: Request, engine: EngineDep, user: UserDep, now: NowDep
) -> Response:
    """Save an auditor's corrections of the run's verdicts: a visit's or plan action's labels,
    a marked passage corrected in place, or a passage the run missed. Logged."""
    form = await request.form()
    opened = await run_in_threadpool(services.open_case, request, engine, user, child_id, now)
    view = opened.view
    record_id = str(form.get("record_id") or "")
    text = next(
        (r.text for r in view.records if r.table == "visits" and r.record_id == record_id),
        None,
    )
    try:
        wanted = _corrections_from_form(form, text)
    except (ValueError, ValidationError) as exc:
        message = "Check the correction's values." if isinstance(exc, ValidationError) else str(exc)
        context = await run_in_threadpool(_case_context, request, engine, user, child_id, now)
        return _web.render(
            request,
            "case.html",
            status=422,
            saved=None,
            corrected=None,
            errors=[message],
            **context,
        )
    for body in wanted:
        await run_in_threadpool(
            services.save_correction, request, engine, user, child_id, body, now, "page"
        )
    return _web.redirect(f"/app/cases/{child_id}?corrected={len(wanted)}#corrections")
