"""The case file, audits of it and corrections of its verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from notereview.store import (
    AuditRecord,
    CaseFileView,
    ClaimInfo,
    CorrectionInput,
    CorrectionRow,
    Principal,
    RunSummary,
    UserError,
    active_claim,
    add_audit,
    add_corrections,
    case_file,
    dip_sample_containing,
    list_corrections,
)
from notereview_api.deps import record_access
from notereview_api.schemas import AuditIn, CorrectionIn
from notereview_api.services.scope import require_latest_run, visible_case


@dataclass(frozen=True, slots=True)
class OpenedCase:
    """A file of the latest run as the user may read it, and who holds a claim on it."""

    run: RunSummary
    view: CaseFileView
    claim: ClaimInfo | None


def open_case(
    request: Request, engine: Engine, user: Principal, child_id: str, now: datetime
) -> OpenedCase:
    """The child's file in the latest run (404 for one the user may not see). The caller logs
    the read once it has answered (``record_access``)."""
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    view = case_file(engine, run.run_id, child_id, run.run_key or None)
    return OpenedCase(run=run, view=view, claim=active_claim(engine, child_id, now=now))


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
        themes={str(k): str(v) for k, v in audit.themes.items()},
        findings={str(k): str(v) for k, v in audit.findings.items()},
        comments=audit.comments,
        team=case.team,
        legal_status=case.legal_status,
        sample_id=sample_id,
        now=now,
    )
    record_access(request, user, "write_audit", 201, child_id)
    return stored


#: What a span correction's label family is called in the evidence's ``source``.
_SPAN_SOURCES = {"voice": "voice.", "analysis": "analysis.", "plan_link": "plan_link."}


def _original_verdict(view: CaseFileView, body: CorrectionIn) -> str | None:
    """The run's verdict that a correction corrects: the record's label, or for a span the
    label the run marked there (None: a span the run did not mark)."""
    from notereview.corrections import bool_value

    if body.record_kind == "plan_action":
        row = next((a for a in view.plan_actions if a["action_id"] == body.record_id), None)
        if row is None:
            raise HTTPException(status_code=404, detail="no such plan action in this file")
        return bool_value(row.get(body.family))
    row = next((v for v in view.visits if v["visit_id"] == body.record_id), None)
    if row is None:
        raise HTTPException(status_code=404, detail="no such visit in this file")
    if body.family not in ("voice", "analysis", "plan_link"):
        raise HTTPException(status_code=422, detail=f"a visit has no {body.family} label")
    if body.span is None:
        got = row.get("plan_linked" if body.family == "plan_link" else body.family)
        return (None if got is None else str(got)) if body.family == "voice" else bool_value(got)
    start, end = body.span
    for item in row.get("evidence") or ():
        source = str(item.get("source", "")) if isinstance(item, dict) else ""
        if not source.startswith(_SPAN_SOURCES[body.family]):
            continue
        if int(item.get("start", -1)) < end and int(item.get("end", -1)) > start:
            if body.family == "voice":
                kind = source.split(".", 2)[1]
                return (
                    kind
                    if kind in ("direct", "reported", "observation", "attempted_not_obtained")
                    else None
                )
            return "true"
    return None


def save_correction(
    request: Request,
    engine: Engine,
    user: Principal,
    child_id: str,
    body: CorrectionIn,
    now: datetime,
    source: str,
) -> CorrectionRow:
    """Store an auditor's correction of a verdict of the latest run, with the reading of the
    record for retraining, and log it. 404 for a file or record the user may not see, 422
    for a value the family does not take."""
    from notereview.corrections import text_reading

    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    view = case_file(engine, run.run_id, child_id)
    original = _original_verdict(view, body)
    reading = None
    if body.record_kind == "visit":
        record = next(
            (r for r in view.records if r.table == "visits" and r.record_id == body.record_id),
            None,
        )
        if record is not None:
            if body.span is not None and body.span[1] > len(record.text):
                raise HTTPException(status_code=422, detail="the span ends after the record")
            reading = text_reading(record.text)
    versions = run.versions or {}
    judgement = versions.get("judgement", "rules")
    item = CorrectionInput(
        auditor=user.name,
        user_id=user.user_id,
        source=source,
        run_key=run.run_key,
        run_id=run.run_id,
        child_id=child_id,
        record_kind=body.record_kind,
        record_id=body.record_id,
        family=body.family,
        corrected=body.corrected,
        original=original,
        span_start=body.span[0] if body.span else None,
        span_end=body.span[1] if body.span else None,
        rubric_version=str(versions.get("rubric", "")),
        model_version=judgement.get("model", "rules") if isinstance(judgement, dict) else "rules",
        reading=reading,
    )
    try:
        (stored,) = add_corrections(engine, [item], now=now)
    except UserError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    record_access(request, user, "write_correction", 201, child_id)
    return stored


def corrections_of(
    request: Request, engine: Engine, user: Principal, child_id: str
) -> list[CorrectionRow]:
    """A file's stored corrections (the user must see the file); logged as a case read."""
    run = require_latest_run(engine)
    visible_case(request, engine, user, run, child_id)
    rows = list_corrections(engine, child_id=child_id)
    record_access(request, user, "read_corrections", 200, child_id)
    return rows
