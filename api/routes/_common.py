"""Helpers shared by the routers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from api.deps import record_access
from api.schemas import AuditIn
from api.settings import Settings
from notereview.store import (
    AuditRecord,
    CaseScoreRow,
    Principal,
    RunSummary,
    active_claim,
    add_audit,
    case_score,
    dip_sample_containing,
    latest_run,
)
from notereview.triage import QueueParams


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


def queue_params(settings: Settings) -> QueueParams:
    """The queue's parameters as the settings give them (the API, the pages and the agreement
    report rank the same way)."""
    return QueueParams(
        use_case_model=settings.queue_use_case_model,
        recent_audit_days=settings.recent_audit_days,
    )


def save_audit(
    request: Request,
    engine: Engine,
    user: Principal,
    child_id: str,
    audit: AuditIn,
    now: datetime,
) -> AuditRecord:
    """Store an auditor's judgement of the file against the latest run, linked to the dip
    sample that holds it (``audit.sample_id`` if given), and log it. 404 for a file the user
    may not see or a named dip sample of the latest run that does not hold it (as no such
    sample), 409 while another auditor holds the claim."""
    run = require_latest_run(engine)
    case = visible_case(request, engine, user, run, child_id)
    claim = active_claim(engine, child_id, now=now)
    if claim is not None and claim.user_id != user.user_id:
        raise HTTPException(status_code=409, detail="another auditor has claimed this file")
    sample_id = dip_sample_containing(engine, run.run_id, child_id, audit.sample_id)
    if audit.sample_id is not None and sample_id is None:
        raise HTTPException(
            status_code=404, detail="no dip sample of the latest run with that id holds this file"
        )
    stored = add_audit(
        engine,
        run_id=run.run_id,
        child_id=child_id,
        user_id=user.user_id,
        overall=audit.overall,
        themes=dict(audit.themes),
        findings=dict(audit.findings),
        comments=audit.comments,
        team=case.team,
        legal_status=case.legal_status,
        sample_id=sample_id,
        now=now,
    )
    record_access(request, user, "write_audit", 201, child_id)
    return stored


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
