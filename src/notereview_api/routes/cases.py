"""The case view and audit outcomes."""

from __future__ import annotations

from fastapi import APIRouter, Request

from notereview_api import services
from notereview_api.deps import EngineDep, NowDep, UserDep, record_access
from notereview_api.responses import AuditStored, Case, Correction, Corrections
from notereview_api.schemas import AuditIn, CorrectionIn

router = APIRouter(tags=["cases"])


@router.get("/cases/{child_id}", response_model=Case)
def read_case(
    child_id: str, request: Request, engine: EngineDep, user: UserDep, now: NowDep
) -> Case:
    """Every finding with its evidence and the texts it quotes (latest run). Logged."""
    opened = services.open_case(request, engine, user, child_id, now)
    record_access(request, user, "read_case", 200, child_id)
    return Case.of_view(opened.view, opened.claim.user_name if opened.claim else None)


@router.post("/cases/{child_id}/audits", status_code=201, response_model=AuditStored)
def write_audit(
    child_id: str,
    audit: AuditIn,
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
) -> AuditStored:
    """Record an auditor's judgement of the file (against the latest run). Logged."""
    return AuditStored.of(services.save_audit(request, engine, user, child_id, audit, now))


@router.post("/cases/{child_id}/corrections", status_code=201, response_model=Correction)
def write_correction(
    child_id: str,
    correction: CorrectionIn,
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
) -> Correction:
    """Correct one verdict of the latest run (a record's label, or a span of a visit record);
    stored with who, when, the record and the versions that gave the verdict. Logged."""
    stored = services.save_correction(request, engine, user, child_id, correction, now, "api")
    return Correction.of_row(stored)


@router.get("/cases/{child_id}/corrections", response_model=Corrections)
def read_corrections(
    child_id: str, request: Request, engine: EngineDep, user: UserDep
) -> Corrections:
    """Every correction of the file's verdicts, oldest first. Logged."""
    rows = services.corrections_of(request, engine, user, child_id)
    return Corrections(child_id=child_id, corrections=[Correction.of_row(r) for r in rows])
