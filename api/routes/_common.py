"""Helpers shared by the routers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from api.deps import record_access
from notereview.store import CaseScoreRow, Principal, RunSummary, case_score, latest_run


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def require_latest_run(engine: Engine) -> RunSummary:
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


def run_summary(run: RunSummary) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "as_of": iso(run.as_of),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "stored_at": iso(run.created_at),
        "extract_fingerprint": run.extract_fingerprint,
        "versions": run.versions,
        "rows_read": run.rows_read,
        "rows_scored": run.rows_scored,
        "rows_quarantined": run.rows_quarantined,
    }
