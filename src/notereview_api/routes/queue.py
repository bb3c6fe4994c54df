"""The audit queue and claims on files."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from notereview.store import (
    active_claims,
    case_scores,
    claim_file,
    last_audited,
    latest_run,
    release_claim,
)
from notereview.triage import build_queue
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep
from notereview_api.routes._common import (
    iso,
    queue_params,
    require_latest_run,
    scope_teams,
    visible_case,
)
from notereview_api.schemas import LegalStatus, Theme

router = APIRouter(tags=["queue"])


@router.get("/queue")
def queue(
    engine: EngineDep,
    settings: SettingsDep,
    user: UserDep,
    now: NowDep,
    team: Annotated[str | None, Query(max_length=128)] = None,
    legal_status: LegalStatus | None = None,
    theme: Theme | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """The files to audit next, weakest first (latest run), each with its reasons. The
    whole-file queue ranks on the case model's ``p_inadequate`` where every file has one
    (``ranked_on``: ``case_model``), else on the rubric score (NOTEREVIEW_QUEUE_USE_CASE_MODEL)."""
    run = latest_run(engine)
    if run is None:
        return {"run_id": None, "as_of": None, "items": []}
    size = min(limit or settings.queue_default_limit, settings.queue_max_limit)
    teams = scope_teams(user, team)
    cases = [] if teams == set() else case_scores(engine, run.run_id, teams=teams)
    since = now - timedelta(days=settings.recent_audit_days)
    items = build_queue(
        cases,
        legal_status=legal_status,
        theme=theme,
        last_audited=last_audited(engine, since),
        now=now,
        limit=size,
        params=queue_params(settings),
    )
    claims = active_claims(engine, now=now, child_ids=[item.child_id for item in items])
    return {
        "run_id": run.run_id,
        "as_of": iso(run.as_of),
        "items": [
            {
                "position": item.position,
                "child_id": item.child_id,
                "team": item.team,
                "worker_id": item.worker_id,
                "legal_status": item.legal_status,
                "score": item.score,
                "grade_band": item.grade_band,
                "priority": item.priority,
                "p_inadequate": item.p_inadequate,
                "ranked_on": item.ranked_on,
                "reasons": list(item.reasons),
                "claimed_by": claims[item.child_id].user_name if item.child_id in claims else None,
            }
            for item in items
        ],
    }


@router.post("/queue/{child_id}/claim", status_code=201)
def claim(
    child_id: str,
    request: Request,
    response: Response,
    engine: EngineDep,
    settings: SettingsDep,
    user: UserDep,
    now: NowDep,
) -> dict[str, Any]:
    """Claim a file for ``claim_hours``; 409 while another auditor holds it."""
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    held, created = claim_file(engine, child_id, user.user_id, hours=settings.claim_hours, now=now)
    if not created:
        response.status_code = 200
    return {
        "child_id": child_id,
        "claimed_by": held.user_name,
        "claimed_at": iso(held.claimed_at),
        "expires_at": iso(held.expires_at),
    }


@router.delete("/queue/{child_id}/claim", status_code=204)
def release(
    child_id: str, request: Request, engine: EngineDep, user: UserDep, now: NowDep
) -> Response:
    """Release your claim (an admin may release anyone's)."""
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    if user.role not in {"auditor", "admin"}:  # pragma: no cover - the role table refuses first
        raise HTTPException(status_code=403)
    release_claim(engine, child_id, user.user_id, force=user.role == "admin", now=now)
    return Response(status_code=204)
