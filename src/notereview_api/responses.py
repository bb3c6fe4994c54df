"""Response bodies: one pydantic model per JSON answer, so the OpenAPI document describes what
every route returns (and schemathesis checks each body against it). Built from the library's
frozen dataclasses by the ``of`` constructors; dates and times are ISO 8601 strings."""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

from notereview.store import (
    CaseFileView,
    ClaimInfo,
    CorrectionRow,
    RunDetail,
    RunSummary,
)
from notereview.triage import DipSample

#: Evidence, visit and plan-action rows as the run stored them (keys vary with the rule).
JsonObject = dict[str, Any]


def _plain(value: Any) -> Any:
    """A dataclass attribute as JSON has it: dates as ISO 8601 strings, tuples as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, source: Any, /, **given: Any) -> Self:
        """The model from ``source``'s attributes of the same names; ``given`` fills the rest."""
        fields = {
            name: _plain(getattr(source, name))
            for name in cls.model_fields
            if name not in given and hasattr(source, name)
        }
        return cls(**fields, **given)


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


class Queue(_Out):
    run_id: int | None
    as_of: str | None
    items: list[QueueEntry]


class Claim(_Out):
    child_id: str
    claimed_by: str
    claimed_at: str
    expires_at: str


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
    def of_view(cls, view: CaseFileView, claimed_by: str | None) -> Case:
        quoted = {
            (item.get("table"), str(item.get("record_id")))
            for finding in view.findings
            for item in finding.evidence
            if isinstance(item, dict)
        }
        return cls.of(
            view.case,
            run_id=view.run_id,
            as_of=view.as_of.isoformat(),
            claimed_by=claimed_by,
            findings=[FindingOut.of(f) for f in view.findings],
            visits=list(view.visits),
            plan_actions=list(view.plan_actions),
            reconciliation=list(view.reconciliation),
            records=[
                RecordOut.of(r, quoted=(r.table, r.record_id) in quoted) for r in view.records
            ],
        )


class AuditStored(_Out):
    audit_id: int
    run_id: int
    child_id: str
    created_at: str
    from_dip_sample: bool
    sample_id: int | None


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
    def of_row(cls, row: CorrectionRow) -> Correction:
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
    def of_sample(
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
                SampledFileOut.of(
                    f, claimed_by=claims[f.child_id].user_name if f.child_id in claims else None
                )
                for f in sample.files
            ],
            strata=[Stratum.of(s) for s in sample.strata],
            reasons=list(sample.reasons),
        )


class EstimateOut(_Out):
    share: float | None
    low: float | None
    high: float | None
    n: int
    method: str
    note: str


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
    def of_run(cls, run: RunSummary, **given: Any) -> Self:
        return cls.of(run, stored_at=run.created_at.isoformat(), **given)


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
        return cls.of_run(
            detail.summary,
            run_info=detail.info,
            quarantine=[QuarantineOut.of(q) for q in detail.quarantine],
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
