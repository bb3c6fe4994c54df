"""The audit queue page: weakest files first with their reasons, claims and the dip sample."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response

from notereview.store import ClaimConflictError, active_claim
from notereview.triage import THEMES, QueueItem
from notereview_api import services
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep
from notereview_api.pages import _web
from notereview_api.pages.standards import LEGAL_STATUS_WORDS

router = _web.page_router()
CsrfDep = _web.CSRF


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
    run = services.require_latest_run(engine)
    found = services.audit_queue(
        engine, settings, user, run, now, team=team, legal_status=legal_status, theme=theme
    )
    items = found.items
    seed_value = run.run_id if seed is None else seed
    drawn = services.draw_sample(
        engine, user, run, now, size=sample_size, seed=seed_value, cases=found.in_scope
    )
    assert drawn is not None  # the user's own scope is never empty of teams
    claims = {**found.claims, **drawn.claims}
    reasons = found.case_reasons()
    return _web.render(
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
                "reasons": list(reasons[i.child_id][:3]),
                "p_inadequate": i.p_inadequate,
                "claim": claims.get(i.child_id),
            }
            for i in items
        ],
        ranking=_queue_ranking(items, settings.queue_use_case_model),
        case_model_column=any(i.p_inadequate is not None for i in items),
        sample=drawn.sample,
        sample_id=drawn.sample_id,
        sample_size=sample_size,
        seed=seed_value,
        sample_claims=claims,
        teams=sorted({c.team for c in found.in_scope}),
        themes=THEMES,
        theme_titles=_web.theme_titles(request),
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
    run = services.require_latest_run(engine)
    message = None
    try:
        services.claim(request, engine, settings, user, run, child_id, now)
    except ClaimConflictError as exc:
        message = f"Already claimed by {exc.holder or 'another auditor'}"
    if _web.is_htmx(request):
        claim = active_claim(engine, child_id, now=now)
        return _web.render(
            request, "_claim.html", child_id=child_id, claim=claim, message=message, next=next
        )
    return _web.redirect(_web.safe_next(next))
