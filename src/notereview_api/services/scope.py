"""The latest run, the user's team scope and the queue's parameters."""

from __future__ import annotations

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from notereview.store import CaseScoreRow, Principal, RunSummary, case_score, latest_run
from notereview.triage import QueueParams
from notereview_api.deps import record_access
from notereview_api.settings import Settings


def require_latest_run(engine: Engine) -> RunSummary:
    """The newest stored run; 404 when none is stored yet."""
    run = latest_run(engine)
    if run is None:
        raise HTTPException(status_code=404, detail="no scoring run has been stored yet")
    return run


def visible_case(
    request: Request, engine: Engine, user: Principal, run: RunSummary, child_id: str
) -> CaseScoreRow:
    """The child's scores in ``run`` if the user may see the file; 404 otherwise (a file
    outside the user's teams is logged as a refused access and looks like a missing one)."""
    case = case_score(engine, run.run_id, child_id)
    if case is None:
        raise HTTPException(status_code=404, detail="no such case file in the latest run")
    if not user.sees_team(case.team):
        record_access(request, user, "out_of_scope", 404, child_id)
        raise HTTPException(status_code=404, detail="no such case file in the latest run")
    return case


def scope_teams(user: Principal, team: str | None) -> set[str] | None:
    """The teams a request covers: the asked team within the user's scope (None = all)."""
    if team is not None:
        return {team} if user.sees_team(team) else set()
    return set(user.teams) if user.teams else None


def queue_params(settings: Settings) -> QueueParams:
    """The queue's parameters as the settings give them (the API, the pages and the agreement
    report rank the same way)."""
    return QueueParams(
        use_case_model=settings.queue_use_case_model,
        recent_audit_days=settings.recent_audit_days,
    )
