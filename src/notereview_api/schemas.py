"""Request bodies (validated, extra keys forbidden, no coercion between JSON types: a number
is not a boolean, a string is not a number). Responses are plain JSON dicts built from the
library's frozen dataclasses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    model_validator,
)

from notereview.vocabulary import Criterion, Grade, Theme, Verdict

LegalStatus = Literal["CP", "LAC", "PF", "CIN", "CL"]
ExemplarKind = Literal["visit", "case_summary", "plan_action", "chronology_entry", "supervision"]


INT32_MAX = 2**31 - 1


def _whole(value: Any) -> Any:
    """A JSON integer: an int, or a number with no fraction (JSON Schema counts 14.0 as an
    integer); never a boolean or a string."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a whole number is needed")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("a whole number is needed")
        return int(value)
    return value


# (constraints before the validator: after it, pydantic writes them into the JSON Schema as
# "ge"/"le", which no client reads)
Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX), BeforeValidator(_whole)]
Count = Annotated[int, Field(ge=0, le=INT32_MAX), BeforeValidator(_whole)]
Number = Annotated[StrictFloat, Field(allow_inf_nan=False)]


def _text_only(value: Any) -> Any:
    if not isinstance(value, str | date):
        raise ValueError("an ISO 8601 string is needed")
    return value


IsoDate = Annotated[date, BeforeValidator(_text_only)]
IsoDateTime = Annotated[datetime, BeforeValidator(_text_only)]


Id64 = Annotated[str, Field(max_length=64)]
Id128 = Annotated[str, Field(max_length=128)]
Code8 = Annotated[str, Field(max_length=8)]
Code32 = Annotated[str, Field(max_length=32)]
Text64 = Annotated[str, Field(max_length=64)]
Text128 = Annotated[str, Field(max_length=128)]
Text256 = Annotated[str, Field(max_length=256)]


#: No NUL character (PostgreSQL can store none in text).
NO_NUL = "^[^\\x00]*$"


class AuditIn(BaseModel):
    """An auditor's judgement of a file."""

    model_config = ConfigDict(extra="forbid")

    overall: Grade
    themes: dict[Theme, Grade] = Field(default_factory=dict)
    findings: dict[Criterion, Verdict] = Field(default_factory=dict)
    comments: str | None = Field(default=None, max_length=10_000, pattern=NO_NUL)
    sample_id: Annotated[int, Field(ge=1, le=INT32_MAX), BeforeValidator(_whole)] | None = Field(
        default=None,
        description="the dip sample the file was drawn in; found automatically when omitted",
    )


#: Some character that is not white space as Python's ``str.strip`` sees it (which counts the
#: separators \x1c-\x1f that Unicode's White_Space does not): a text of only space is empty.
_SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NOT_ONLY_SPACE = f"[^{_SPACE}]"


class ExemplarIn(BaseModel):
    """A piece of text for the exemplar checker; it is neither stored nor logged."""

    model_config = ConfigDict(extra="forbid")

    kind: ExemplarKind
    text: str = Field(min_length=1, max_length=1_000_000, pattern=NOT_ONLY_SPACE)
    child_name: str | None = Field(default=None, max_length=100)
    age: Annotated[int, Field(ge=0, le=25), BeforeValidator(_whole)] | None = None


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseRow(_Row):
    """One child's scores: a row of the run's ``cases`` table (CONTRACT.md)."""

    child_id: Id64
    team: Text128
    worker_id: Id128
    legal_status: Code8
    score: Number
    grade_band: Code32
    visits: Number | None
    voice: Number | None
    case_summary: Number | None
    chronology: Number | None
    plans: Number | None
    genogram: Number | None
    oversight: Number | None
    confidence: Number
    rank: Int32
    reasons: list[str]
    p_inadequate: Number | None = None


class CriterionRow(_Row):
    child_id: Id64
    criterion: Code8
    theme: Code32
    status: Code32
    score: Number | None
    confidence: Number | None
    evidence: list[dict[str, Any]]
    missing: str | None


class VisitRow(_Row):
    visit_id: Id64
    child_id: Id64
    voice: Code32 | None
    plan_linked: StrictBool | None
    analysis: StrictBool | None
    on_time: StrictBool | None
    recorded_late_days: Int32 | None
    #: whether the child was seen on the visit (absent in runs stored before it was kept)
    child_seen: StrictBool | None = None
    evidence: list[dict[str, Any]]


class PlanActionRow(_Row):
    action_id: Id64
    plan_id: Id64
    child_id: Id64
    smart: StrictBool | None
    specific: StrictBool | None
    measurable: StrictBool | None
    owner_named: StrictBool | None
    timebound: StrictBool | None
    score: Number | None


class QuarantineRow(_Row):
    table: Text64
    row_number: Int32 | None
    record_id: Id128 | None
    reason: str


class RecordRow(_Row):
    """The text of one record, for the case view."""

    child_id: Id64
    table: Text64
    record_id: Id128
    record_date: IsoDate | None
    text: str


class MonitoringRow(_Row):
    child_id: Id128
    gender: Code32 | None = None
    age_band: Code32 | None = None
    legal_status: Code8 | None = None
    ethnicity: Text64 | None = None
    disability: Code32 | None = None
    communication_need: Text64 | None = None


class ReconciliationRow(_Row):
    child_id: Id128
    item: Text64
    source: Text128 | None
    annex_a_value: Text256 | None
    file_value: Text256 | None
    finding: str


class RunTables(_Row):
    """A run's tables as lists of rows; ``cases`` and ``criteria`` are required."""

    cases: list[CaseRow]
    criteria: list[CriterionRow]
    visits: list[VisitRow] | None = None
    plan_actions: list[PlanActionRow] | None = None
    quarantine: list[QuarantineRow] | None = None
    records: list[RecordRow] | None = None
    monitoring: list[MonitoringRow] | None = None
    reconciliation: list[ReconciliationRow] | None = None


#: Rows per table (at most 16 tables of 100 million rows: the total fits the store's column).
TableCounts = Annotated[
    dict[str, Annotated[int, Field(ge=0, le=100_000_000), BeforeValidator(_whole)]],
    Field(max_length=16),
]


class RunInfo(BaseModel):
    """run.json: what identifies the run (extract fingerprint, as-of, versions) and what it
    counted; other keys of run.json are kept as they are."""

    model_config = ConfigDict(extra="allow")

    extract_fingerprint: str = Field(min_length=1, max_length=128)
    as_of: IsoDate
    started_at: IsoDateTime | None = None
    finished_at: IsoDateTime | None = None
    versions: dict[str, Any] = Field(default_factory=dict)
    rows_read: Count | TableCounts | None = None
    rows_scored: Count | TableCounts | None = None
    rows_quarantined: Count | TableCounts | None = None


class RunIn(BaseModel):
    """A whole scoring run from a remote scorer: run.json and each table as a list of rows."""

    model_config = ConfigDict(extra="forbid")

    run_info: RunInfo
    tables: RunTables

    def as_store(self) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
        """(run_info, tables) as :func:`notereview.store.write_run` takes them."""
        tables = {
            name: [row.model_dump(mode="json") for row in rows]
            for name, rows in self.tables
            if rows is not None
        }
        return self.run_info.model_dump(mode="json"), tables


#: The field names of a posted run (tables, their columns, run.json's typed keys): fixed names
#: a validation error may show (a key the client chose is shown as "?").
RUN_BODY_NAMES: frozenset[str] = frozenset(
    name
    for model in (
        RunIn, RunInfo, RunTables, CaseRow, CriterionRow, VisitRow, PlanActionRow,
        QuarantineRow, RecordRow, MonitoringRow, ReconciliationRow,
    )
    for name in model.model_fields
)  # fmt: skip


RecordKind = Literal["visit", "plan_action"]
CorrectionFamily = Literal[
    "voice", "analysis", "plan_link", "smart", "specific", "measurable", "owner_named", "timebound"
]


#: The values a correction of each label family takes (the store's vocabulary).
VOICE_VALUES = ("direct", "reported", "observation", "attempted_not_obtained", "none")
_VISIT_YES_NO = ("analysis", "plan_link")
_ACTION_YES_NO = ("smart", "specific", "measurable", "owner_named", "timebound")
_YES_NO = ("true", "false")
Offset = Annotated[int, Field(ge=0, le=100_000_000), BeforeValidator(_whole)]


class CorrectionIn(BaseModel):
    """An auditor's correction of one verdict: a record's label, or a span of a visit record
    (``span``: character offsets in its text, start before end; the verdict is then about that
    passage). A visit's labels are voice (one of the voice kinds), analysis and plan_link
    (true/false); a plan action's are the SMART parts (true/false), never with a span."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "properties": {
                        "record_kind": {"const": "visit"},
                        "family": {"const": "voice"},
                        "corrected": {"enum": list(VOICE_VALUES)},
                    }
                },
                {
                    "properties": {
                        "record_kind": {"const": "visit"},
                        "family": {"enum": list(_VISIT_YES_NO)},
                        "corrected": {"enum": list(_YES_NO)},
                    }
                },
                {
                    "properties": {
                        "record_kind": {"const": "plan_action"},
                        "family": {"enum": list(_ACTION_YES_NO)},
                        "corrected": {"enum": list(_YES_NO)},
                        "span": {"type": "null"},
                    }
                },
            ]
        },
    )

    record_kind: RecordKind
    record_id: str = Field(min_length=1, max_length=128)
    family: CorrectionFamily
    corrected: str = Field(min_length=1, max_length=32)
    span: tuple[Offset, Offset] | None = None

    @model_validator(mode="after")
    def _a_label_of_the_record(self) -> CorrectionIn:
        if self.record_kind == "visit":
            if self.family not in ("voice", *_VISIT_YES_NO):
                raise ValueError("a visit's labels are voice, analysis and plan_link")
            allowed = VOICE_VALUES if self.family == "voice" else _YES_NO
        else:
            if self.family not in _ACTION_YES_NO:
                raise ValueError("a plan action's labels are the SMART parts")
            if self.span is not None:
                raise ValueError("spans are corrected in visit records only")
            allowed = _YES_NO
        if self.corrected not in allowed:
            raise ValueError(f"{self.family} is corrected to one of {', '.join(allowed)}")
        if self.span is not None and not self.span[0] < self.span[1]:
            raise ValueError("a span's start comes before its end")
        return self
