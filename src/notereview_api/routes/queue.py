"""The audit queue and claims on files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from notereview.store import latest_run
from notereview_api import services
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep
from notereview_api.responses import Claim, Queue, QueueEntry
from notereview_api.schemas import LegalStatus, Theme

router = APIRouter(tags=["queue"])


@router.get("/queue", response_model=Queue)
def queue(
    engine: EngineDep,
    settings: SettingsDep,
    user: UserDep,
    now: NowDep,
    team: Annotated[str | None, Query(max_length=128)] = None,
    legal_status: LegalStatus | None = None,
    theme: Theme | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> Queue:
    """The files to audit next, weakest first (latest run), each with its reasons. The
    whole-file queue ranks on the case model's ``p_inadequate`` where every file has one
    (``ranked_on``: ``case_model``), else on the rubric score (NOTEREVIEW_QUEUE_USE_CASE_MODEL)."""
    run = latest_run(engine)
    if run is None:
        return Queue(run_id=None, as_of=None, items=[])
    found = services.audit_queue(
        engine, settings, user, run, now,
        team=team, legal_status=legal_status, theme=theme, limit=limit,
    )  # fmt: skip
    return Queue(
        run_id=run.run_id,
        as_of=run.as_of.isoformat(),
        items=[
            QueueEntry.of(item, claimed_by=found.claimed_by(item.child_id)) for item in found.items
        ],
    )


@router.post("/queue/{child_id}/claim", status_code=201, response_model=Claim)
def claim(
    child_id: str,
    request: Request,
    response: Response,
    engine: EngineDep,
    settings: SettingsDep,
    user: UserDep,
    now: NowDep,
) -> Claim:
    """Claim a file for ``claim_hours``; 409 while another auditor holds it."""
    run = services.require_latest_run(engine)
    held, created = services.claim(request, engine, settings, user, run, child_id, now)
    if not created:
        response.status_code = 200
    return Claim.of(held, child_id=child_id, claimed_by=held.user_name)


@router.delete("/queue/{child_id}/claim", status_code=204)
def release(
    child_id: str, request: Request, engine: EngineDep, user: UserDep, now: NowDep
) -> Response:
    """Release your claim (an admin may release anyone's)."""
    run = services.require_latest_run(engine)
    services.release(request, engine, user, run, child_id, now)
    return Response(status_code=204)
