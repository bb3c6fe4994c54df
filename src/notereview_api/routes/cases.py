"""The case view and audit outcomes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from notereview.store import active_claim, case_file
from notereview_api.deps import EngineDep, NowDep, UserDep, record_access
from notereview_api.routes._common import (
    corrections_of,
    iso,
    require_latest_run,
    save_audit,
    save_correction,
    visible_case,
)
from notereview_api.schemas import AuditIn, CorrectionIn

router = APIRouter(tags=["cases"])


@router.get("/cases/{child_id}")
def read_case(
    child_id: str, request: Request, engine: EngineDep, user: UserDep, now: NowDep
) -> dict[str, Any]:
    """Every finding with its evidence and the texts it quotes (latest run). Logged."""
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    view = case_file(engine, run.run_id, child_id)
    record_access(request, user, "read_case", 200, child_id)
    quoted = {
        (item.get("table"), str(item.get("record_id")))
        for finding in view.findings
        for item in finding.evidence
        if isinstance(item, dict)
    }
    case = view.case
    claim = active_claim(engine, child_id, now=now)
    return {
        "run_id": view.run_id,
        "as_of": iso(view.as_of),
        "child_id": case.child_id,
        "team": case.team,
        "worker_id": case.worker_id,
        "legal_status": case.legal_status,
        "score": case.score,
        "grade_band": case.grade_band,
        "themes": case.themes,
        "confidence": case.confidence,
        "rank": case.rank,
        "reasons": list(case.reasons),
        "p_inadequate": case.p_inadequate,
        "claimed_by": claim.user_name if claim else None,
        "findings": [
            {
                "criterion": f.criterion,
                "theme": f.theme,
                "status": f.status,
                "score": f.score,
                "confidence": f.confidence,
                "evidence": list(f.evidence),
                "missing": f.missing,
            }
            for f in view.findings
        ],
        "visits": list(view.visits),
        "plan_actions": list(view.plan_actions),
        "reconciliation": list(view.reconciliation),
        "records": [
            {
                "table": r.table,
                "record_id": r.record_id,
                "record_date": iso(r.record_date),
                "quoted": (r.table, r.record_id) in quoted,
                "text": r.text,
            }
            for r in view.records
        ],
    }


@router.post("/cases/{child_id}/audits", status_code=201)
def write_audit(
    child_id: str,
    audit: AuditIn,
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
) -> dict[str, Any]:
    """Record an auditor's judgement of the file (against the latest run). Logged."""
    stored = save_audit(request, engine, user, child_id, audit, now)
    return {
        "audit_id": stored.audit_id,
        "run_id": stored.run_id,
        "child_id": stored.child_id,
        "created_at": iso(stored.created_at),
        "from_dip_sample": stored.from_dip_sample,
        "sample_id": stored.sample_id,
    }


@router.post("/cases/{child_id}/corrections", status_code=201)
def write_correction(
    child_id: str,
    correction: CorrectionIn,
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
) -> dict[str, Any]:
    """Correct one verdict of the latest run (a record's label, or a span of a visit record);
    stored with who, when, the record and the versions that gave the verdict. Logged."""
    stored = save_correction(request, engine, user, child_id, correction, now, "api")
    return stored.as_dict()


@router.get("/cases/{child_id}/corrections")
def read_corrections(
    child_id: str, request: Request, engine: EngineDep, user: UserDep
) -> dict[str, Any]:
    """Every correction of the file's verdicts, oldest first. Logged."""
    rows = corrections_of(request, engine, user, child_id)
    return {"child_id": child_id, "corrections": [r.as_dict() for r in rows]}
