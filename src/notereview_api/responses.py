"""Response bodies: one pydantic model per JSON answer, so the OpenAPI document describes what
every route returns (and schemathesis checks each body against it). Built from the library's
frozen dataclasses by the ``of`` constructors; dates and times are ISO 8601 strings."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from notereview.store import (
    AccessEvent,
    AuditRecord,
    CaseFileView,
    ClaimInfo,
    CorrectionRow,
    RunDetail,
    RunSummary,
    UserInfo,
)
from notereview.triage import DipSample, Estimate, QueueItem

#: Evidence, visit and plan-action rows as the run stored them (keys vary with the rule).
JsonObject = dict[str, Any]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(_Out):
    status: str


# --- the queue and claims -------------------------------------------------------------------


class QueueEntry(_Out):
    position: int
    child_id: str
    team: str
    worker_id: str
    legal_status: str
    score: float
    grade_band: str
    priority: float
    p_inadequate: float | None
    ranked_on: str = Field(description="case_model, rubric_score or theme_score")
    reasons: list[str]
    claimed_by: str | None

    @classmethod
    def of(cls, item: QueueItem, claimed_by: str | None) -> QueueEntry:
        return cls(
            position=item.position,
            child_id=item.child_id,
            team=item.team,
            worker_id=item.worker_id,
            legal_status=item.legal_status,
            score=item.score,
            grade_band=item.grade_band,
            priority=item.priority,
            p_inadequate=item.p_inadequate,
            ranked_on=item.ranked_on,
            reasons=list(item.reasons),
            claimed_by=claimed_by,
        )


class Queue(_Out):
    run_id: int | None
    as_of: str | None
    items: list[QueueEntry]


class Claim(_Out):
    child_id: str
    claimed_by: str
    claimed_at: str
    expires_at: str

    @classmethod
    def of(cls, child_id: str, held: ClaimInfo) -> Claim:
        return cls(
            child_id=child_id,
            claimed_by=held.user_name,
            claimed_at=held.claimed_at.isoformat(),
            expires_at=held.expires_at.isoformat(),
        )


# --- the case view, audits and corrections --------------------------------------------------


class FindingOut(_Out):
    criterion: str
    theme: str
    status: str
    score: float | None
    confidence: float | None
    evidence: list[JsonObject]
    missing: str | None


class RecordOut(_Out):
    table: str
    record_id: str
    record_date: str | None
    quoted: bool = Field(description="some finding's evidence points into this record")
    text: str


class Case(_Out):
    run_id: int
    as_of: str
    child_id: str
    team: str
    worker_id: str
    legal_status: str
    score: float
    grade_band: str
    themes: dict[str, float | None]
    confidence: float
    rank: int
    reasons: list[str]
    p_inadequate: float | None
    claimed_by: str | None
    findings: list[FindingOut]
    visits: list[JsonObject]
    plan_actions: list[JsonObject]
    reconciliation: list[JsonObject]
    records: list[RecordOut]

    @classmethod
    def of(cls, view: CaseFileView, claimed_by: str | None) -> Case:
        quoted = {
            (item.get("table"), str(item.get("record_id")))
            for finding in view.findings
            for item in finding.evidence
            if isinstance(item, dict)
        }
        case = view.case
        return cls(
            run_id=view.run_id,
            as_of=view.as_of.isoformat(),
            child_id=case.child_id,
            team=case.team,
            worker_id=case.worker_id,
            legal_status=case.legal_status,
            score=case.score,
            grade_band=case.grade_band,
            themes=case.themes,
            confidence=case.confidence,
            rank=case.rank,
            reasons=list(case.reasons),
            p_inadequate=case.p_inadequate,
            claimed_by=claimed_by,
            findings=[
                FindingOut(
                    criterion=f.criterion,
                    theme=f.theme,
                    status=f.status,
                    score=f.score,
                    confidence=f.confidence,
                    evidence=list(f.evidence),
                    missing=f.missing,
                )
                for f in view.findings
            ],
            visits=list(view.visits),
            plan_actions=list(view.plan_actions),
            reconciliation=list(view.reconciliation),
            records=[
                RecordOut(
                    table=r.table,
                    record_id=r.record_id,
                    record_date=None if r.record_date is None else r.record_date.isoformat(),
                    quoted=(r.table, r.record_id) in quoted,
                    text=r.text,
                )
                for r in view.records
            ],
        )


class AuditStored(_Out):
    audit_id: int
    run_id: int
    child_id: str
    created_at: str
    from_dip_sample: bool
    sample_id: int | None

    @classmethod
    def of(cls, stored: AuditRecord) -> AuditStored:
        return cls(
            audit_id=stored.audit_id,
            run_id=stored.run_id,
            child_id=stored.child_id,
            created_at=stored.created_at.isoformat(),
            from_dip_sample=stored.from_dip_sample,
            sample_id=stored.sample_id,
        )


class Correction(_Out):
    id: int
    created_at: str
    auditor: str
    source: str
    run_id: int | None
    child_id: str
    record_kind: str
    record_id: str
    span: list[int] | None = Field(description="[start, end) in the record's text, or null")
    family: str
    original: str | None
    corrected: str
    rubric_version: str
    model_version: str

    @classmethod
    def of(cls, row: CorrectionRow) -> Correction:
        return cls.model_validate(row.as_dict())


class Corrections(_Out):
    child_id: str
    corrections: list[Correction]


# --- the dip sample, estimates and agreement ------------------------------------------------


class SampledFileOut(_Out):
    child_id: str
    team: str
    legal_status: str
    weight: float
    reason: str
    claimed_by: str | None


class Stratum(_Out):
    team: str
    legal_status: str
    population: int
    quota: float
    allocated: int


class DipSampleOut(_Out):
    sample_id: int
    run_id: int
    as_of: str
    seed: int
    size: int
    population: int
    items: list[SampledFileOut]
    strata: list[Stratum]
    reasons: list[str]

    @classmethod
    def of(
        cls,
        sample_id: int,
        run: RunSummary,
        sample: DipSample,
        size: int,
        seed: int,
        claims: dict[str, ClaimInfo],
    ) -> DipSampleOut:
        return cls(
            sample_id=sample_id,
            run_id=run.run_id,
            as_of=run.as_of.isoformat(),
            seed=seed,
            size=size,
            population=sample.population,
            items=[
                SampledFileOut(
                    **asdict(f),
                    claimed_by=claims[f.child_id].user_name if f.child_id in claims else None,
                )
                for f in sample.files
            ],
            strata=[Stratum(**asdict(s)) for s in sample.strata],
            reasons=list(sample.reasons),
        )


class EstimateOut(_Out):
    share: float | None
    low: float | None
    high: float | None
    n: int
    method: str
    note: str

    @classmethod
    def of(cls, estimate: Estimate) -> EstimateOut:
        return cls(**asdict(estimate))


class CriterionEstimate(_Out):
    criterion: str
    from_sample: EstimateOut
    from_model: EstimateOut


class Estimates(_Out):
    run_id: int
    as_of: str
    files: int
    audited_sample_files: int
    criteria: list[CriterionEstimate]


class AgreementCellOut(_Out):
    family: str
    month: str | None = None
    model_version: str | None = None
    corrections: int
    agreed: int
    agreement: float


class CorrectionsAgreement(_Out):
    by_month: list[AgreementCellOut]
    by_model_version: list[AgreementCellOut]


class Kappa(_Out):
    theme: str
    kappa: float | None
    n: int


class PrecisionOut(_Out):
    theme: str
    k: int
    audited: int
    inadequate: int
    precision: float | None
    in_sample: bool = Field(description="the case model learnt from these same audits")


class AgreementOut(_Out):
    run_id: int
    audited_files: int
    k: int
    corrections: CorrectionsAgreement
    kappa: list[Kappa]
    precision_at_k: list[PrecisionOut]


# --- runs, users, the access log, exemplars -------------------------------------------------


class RunOut(_Out):
    run_id: int
    as_of: str
    started_at: str | None
    finished_at: str | None
    stored_at: str
    extract_fingerprint: str
    versions: JsonObject
    rows_read: int
    rows_scored: int
    rows_quarantined: int

    @classmethod
    def fields_of(cls, run: RunSummary) -> dict[str, Any]:
        return {
            "run_id": run.run_id,
            "as_of": run.as_of.isoformat(),
            "started_at": None if run.started_at is None else run.started_at.isoformat(),
            "finished_at": None if run.finished_at is None else run.finished_at.isoformat(),
            "stored_at": run.created_at.isoformat(),
            "extract_fingerprint": run.extract_fingerprint,
            "versions": run.versions,
            "rows_read": run.rows_read,
            "rows_scored": run.rows_scored,
            "rows_quarantined": run.rows_quarantined,
        }

    @classmethod
    def of(cls, run: RunSummary) -> RunOut:
        return cls(**cls.fields_of(run))


class Runs(_Out):
    runs: list[RunOut]


class QuarantineOut(_Out):
    table: str
    row_number: int | None
    record_id: str | None
    reason: str


class RunDetailOut(RunOut):
    run_info: JsonObject = Field(description="run.json as the scorer wrote it")
    quarantine: list[QuarantineOut]

    @classmethod
    def of_detail(cls, detail: RunDetail) -> RunDetailOut:
        return cls(
            **cls.fields_of(detail.summary),
            run_info=detail.info,
            quarantine=[QuarantineOut(**asdict(q)) for q in detail.quarantine],
        )


class RunStored(_Out):
    run_id: int
    created: bool


class User(_Out):
    name: str
    role: str
    teams: list[str]
    created_at: str
    revoked_at: str | None
    token_expires_at: str | None
    active_tokens: int

    @classmethod
    def of(cls, u: UserInfo) -> User:
        return cls(
            name=u.name,
            role=u.role,
            teams=list(u.teams),
            created_at=u.created_at.isoformat(),
            revoked_at=None if u.revoked_at is None else u.revoked_at.isoformat(),
            token_expires_at=(
                None if u.token_expires_at is None else u.token_expires_at.isoformat()
            ),
            active_tokens=u.active_tokens,
        )


class Users(_Out):
    users: list[User]


class AccessEntry(_Out):
    at: str
    user_id: int | None
    action: str
    method: str
    route: str
    child_id: str | None
    status: int
    client_ip: str | None

    @classmethod
    def of(cls, e: AccessEvent) -> AccessEntry:
        return cls(**{**asdict(e), "at": e.at.isoformat()})


class AccessLog(_Out):
    entries: list[AccessEntry]


class ExemplarFinding(BaseModel):
    """One criterion's verdict on the text (further keys a check adds are kept)."""

    model_config = ConfigDict(extra="allow")

    criterion: str
    status: str
    score: float | None = None
    confidence: float | None = None
    evidence: list[JsonObject] = Field(default_factory=list)
    missing: str | None = None
    verdict: str | None = None
    advice: str | None = None


class ExemplarChecked(_Out):
    kind: str
    findings: list[ExemplarFinding]
    labels: dict[str, str | bool | None]
