"""The practice lead's pages: the exemplar checker, equality monitoring, practice trends and
the Focus on Practice weeks (admins)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from notereview.equality import CAVEAT, DIMENSIONS, equality_report
from notereview.errors import NotereviewError
from notereview.store import (
    FOCUS_THEMES,
    NotFoundError,
    StoreError,
    add_focus_week,
    agreement_over_time,
    case_scores,
    criterion_shares,
    delete_focus_week,
    latest_audits,
    list_focus_weeks,
    monitoring_rows,
)
from notereview.triage import THEMES, agreement
from notereview_api import services
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep
from notereview_api.pages import _web
from notereview_api.pages import trends as tr
from notereview_api.pages.charts import trend_chart
from notereview_api.pages.highlight import mark_text, place_evidence
from notereview_api.pages.standards import EXEMPLAR_KINDS, WHAT_GOOD_LOOKS_LIKE

router = _web.page_router()
CsrfDep = _web.CSRF


# --- the exemplar checker -------------------------------------------------------------------


@router.get("/app/exemplars")
def exemplar_page(request: Request, user: UserDep) -> Response:
    return _web.render(
        request, "exemplars.html", kinds=EXEMPLAR_KINDS, form={}, result=None, error=None
    )


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
                "title": _web.criterion_title(request, f["criterion"]),
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

        reviewer = await run_in_threadpool(_web.page_reviewer, request)
        try:
            checked = await run_in_threadpool(
                check_text, kind, text, child_name.strip() or None, age_value, reviewer
            )
        except NotereviewError as exc:
            error = str(exc)
        else:
            result = _exemplar_result(request, kind, text, checked)
    status = 200 if error is None else 422
    template = "_exemplar_results.html" if _web.is_htmx(request) else "exemplars.html"
    return _web.render(
        request,
        template,
        status=200 if _web.is_htmx(request) else status,
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
    run = services.require_latest_run(engine)
    cases = case_scores(engine, run.run_id, teams=user.teams or None)
    audits = {a.child_id: a.overall for a in latest_audits(engine)}
    report = equality_report(
        [{"child_id": c.child_id, "score": c.score, "rank": c.rank,
          "grade_band": c.grade_band} for c in cases],
        monitoring_rows(engine, run.run_id),
        audits,
        min_cell=settings.trends_min_team_files,
    )  # fmt: skip
    return _web.render(
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
    titles = {c: _web.criterion_title(request, c) for c in criteria}
    themes_titled = _web.theme_titles(request)
    weeks = list_focus_weeks(engine)
    chart = trend_chart(
        tr.series(rows, criteria, titles),
        tr.bands(w for w in weeks if w.theme == theme),
        "trend",
        f"{themes_titled.get(theme, theme)}: share of files meeting each criterion",
    )
    comparisons = [tr.compare(rows, w, criteria) for w in weeks if w.theme == theme]
    audited = services.audited_files(engine, latest_audits(engine))
    kappa = agreement(audited, {}, k=settings.agreement_k).kappa
    over_time = agreement_over_time(engine)
    return _web.render(
        request,
        "trends.html",
        corrections_by_month=over_time.by_month,
        corrections_by_version=over_time.by_model_version,
        theme=theme,
        team=team,
        themes=THEMES,
        theme_titles=themes_titled,
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
    return _web.render(
        request,
        "focus_weeks.html",
        weeks=list_focus_weeks(engine),
        themes=FOCUS_THEMES,
        theme_titles=_web.theme_titles(request),
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
        return _web.redirect("/app/focus-weeks")
    return _web.render(
        request,
        "focus_weeks.html",
        status=422,
        weeks=list_focus_weeks(engine),
        themes=FOCUS_THEMES,
        theme_titles=_web.theme_titles(request),
        error=error,
        form=form,
    )


@router.post("/app/focus-weeks/{week_id}/delete", dependencies=[CsrfDep])
def focus_week_delete(week_id: int, engine: EngineDep, user: UserDep) -> Response:
    try:
        delete_focus_week(engine, week_id)
    except NotFoundError:
        raise HTTPException(status_code=404, detail="no such Focus on Practice week") from None
    return _web.redirect("/app/focus-weeks")
