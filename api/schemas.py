"""Request bodies (validated, extra keys forbidden). Responses are plain JSON dicts built
from the library's frozen dataclasses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Grade = Literal["outstanding", "good", "requires_improvement", "inadequate"]
Theme = Literal["visits", "voice", "case_summary", "chronology", "plans", "genogram", "oversight"]
Criterion = Literal[
    "V1", "V2", "V3", "V4", "V5",
    "C1", "C2", "C3", "C4",
    "S1", "S2", "S3", "S4",
    "H1", "H2", "H3", "H4",
    "P1", "P2", "P3",
    "G1", "G2", "G3",
    "M1", "M2", "M3",
]  # fmt: skip
Verdict = Literal["agree", "disagree"]
LegalStatus = Literal["CP", "LAC", "PF", "CIN", "CL"]
ExemplarKind = Literal["visit", "case_summary", "plan_action", "chronology_entry", "supervision"]


class AuditIn(BaseModel):
    """An auditor's judgement of a file."""

    model_config = ConfigDict(extra="forbid")

    overall: Grade
    themes: dict[Theme, Grade] = Field(default_factory=dict)
    findings: dict[Criterion, Verdict] = Field(default_factory=dict)
    comments: str | None = Field(default=None, max_length=10_000)
    sample_id: int | None = Field(
        default=None,
        ge=1,
        description="the dip sample the file was drawn in; found automatically when omitted",
    )


class ExemplarIn(BaseModel):
    """A piece of text for the exemplar checker; it is neither stored nor logged."""

    model_config = ConfigDict(extra="forbid")

    kind: ExemplarKind
    text: str = Field(min_length=1, max_length=1_000_000)
    child_name: str | None = Field(default=None, max_length=100)
    age: int | None = Field(default=None, ge=0, le=25)


class RunIn(BaseModel):
    """A whole scoring run from a remote scorer: run.json and each table as a list of rows."""

    model_config = ConfigDict(extra="forbid")

    run_info: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]


RecordKind = Literal["visit", "plan_action"]
CorrectionFamily = Literal[
    "voice", "analysis", "plan_link", "smart", "specific", "measurable", "owner_named", "timebound"
]


class CorrectionIn(BaseModel):
    """An auditor's correction of one verdict: a record's label, or a span of a visit record
    (``span``: character offsets in its text; the verdict is then about that passage)."""

    model_config = ConfigDict(extra="forbid")

    record_kind: RecordKind
    record_id: str = Field(min_length=1, max_length=128)
    family: CorrectionFamily
    corrected: str = Field(min_length=1, max_length=32)
    span: tuple[int, int] | None = None
