"""Auditors' corrections of the reviewer's verdicts: stored, listed, and agreement over time.

A correction names the record (visit or plan action), optionally a span of its text, the label
family (voice, analysis, plan_link, smart and its parts), the verdict the run gave and the
auditor's. A correction that repeats the verdict is a confirmation: it counts towards
agreement, and it is a label the judgement learns from like any other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notereview.store._errors import UserError
from notereview.store.models import Correction
from notereview.vocabulary import VOICE_KINDS

#: Record kinds and the label families a correction of each may carry, with allowed values.
SPAN_LABELS = ("voice", "observation", "analysis", "plan_link")
BOOL_VALUES = ("true", "false")
FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    "visit": {
        "voice": VOICE_KINDS,
        "analysis": BOOL_VALUES,
        "plan_link": BOOL_VALUES,
    },
    "plan_action": {
        "smart": BOOL_VALUES,
        "specific": BOOL_VALUES,
        "measurable": BOOL_VALUES,
        "owner_named": BOOL_VALUES,
        "timebound": BOOL_VALUES,
    },
}
SOURCES = ("import", "page", "api")


@dataclass(frozen=True)
class CorrectionInput:
    """One correction to store (validated by :func:`add_corrections`)."""

    auditor: str
    source: str
    run_key: str
    child_id: str
    record_kind: str
    record_id: str
    family: str
    corrected: str
    original: str | None = None
    span_start: int | None = None
    span_end: int | None = None
    rubric_version: str = ""
    model_version: str = ""
    run_id: int | None = None
    user_id: int | None = None
    reading: Any = None


@dataclass(frozen=True)
class CorrectionRow:
    """A stored correction (without the reading)."""

    correction_id: int
    created_at: datetime
    auditor: str
    source: str
    run_key: str
    run_id: int | None
    child_id: str
    record_kind: str
    record_id: str
    span_start: int | None
    span_end: int | None
    family: str
    original: str | None
    corrected: str
    rubric_version: str
    model_version: str

    @property
    def agrees(self) -> bool | None:
        """Whether the run's verdict was what the auditor says (None for a missed span)."""
        return None if self.original is None else self.original == self.corrected

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.correction_id,
            "created_at": self.created_at.isoformat(),
            "auditor": self.auditor,
            "source": self.source,
            "run_id": self.run_id,
            "child_id": self.child_id,
            "record_kind": self.record_kind,
            "record_id": self.record_id,
            "span": None if self.span_start is None else [self.span_start, self.span_end],
            "family": self.family,
            "original": self.original,
            "corrected": self.corrected,
            "rubric_version": self.rubric_version,
            "model_version": self.model_version,
        }


@dataclass(frozen=True)
class TrainingCorrection:
    """A correction with the rules' reading of its record (what retraining reads)."""

    row: CorrectionRow
    reading: Any


def validate(item: CorrectionInput) -> None:
    """``UserError`` (one line, no note text) when a correction cannot be stored."""
    families = FAMILIES.get(item.record_kind)
    if families is None:
        raise UserError(f"record_kind {item.record_kind!r} is not one of {', '.join(FAMILIES)}")
    allowed = families.get(item.family)
    if allowed is None:
        raise UserError(
            f"family {item.family!r} is not a label of a {item.record_kind}; use one of "
            f"{', '.join(families)}"
        )
    if item.corrected not in allowed:
        raise UserError(f"{item.family} must be one of {', '.join(allowed)}")
    if item.original is not None and item.original not in allowed:
        raise UserError(f"original {item.family} must be one of {', '.join(allowed)}")
    if item.source not in SOURCES:
        raise UserError(f"source must be one of {', '.join(SOURCES)}")
    if (item.span_start is None) != (item.span_end is None):
        raise UserError("a span needs both start and end (or neither, for the whole record)")
    if item.span_start is not None and item.span_end is not None:
        if item.record_kind != "visit":
            raise UserError("spans are corrected in visit records only")
        if not 0 <= item.span_start < item.span_end:
            raise UserError("a span's start must be at least 0 and before its end")
    if not item.auditor.strip():
        raise UserError("a correction needs the auditor's name")


def add_corrections(
    engine: Engine, items: Iterable[CorrectionInput], now: datetime | None = None
) -> list[CorrectionRow]:
    """Store corrections in one transaction (all or none), each validated first."""
    items = list(items)
    for item in items:
        validate(item)
    moment = now or datetime.now(UTC)
    with Session(engine) as session, session.begin():
        stored = []
        for item in items:
            row = Correction(
                created_at=moment,
                auditor=item.auditor,
                user_id=item.user_id,
                source=item.source,
                run_key=item.run_key,
                run_id=item.run_id,
                child_id=item.child_id,
                record_kind=item.record_kind,
                record_id=item.record_id,
                span_start=item.span_start,
                span_end=item.span_end,
                family=item.family,
                original=item.original,
                corrected=item.corrected,
                rubric_version=item.rubric_version,
                model_version=item.model_version,
                reading=item.reading,
            )
            session.add(row)
            stored.append(row)
        session.flush()
        return [_row(r) for r in stored]


def _row(r: Correction) -> CorrectionRow:
    return CorrectionRow(
        correction_id=r.id,
        created_at=r.created_at,
        auditor=r.auditor,
        source=r.source,
        run_key=r.run_key,
        run_id=r.run_id,
        child_id=r.child_id,
        record_kind=r.record_kind,
        record_id=r.record_id,
        span_start=r.span_start,
        span_end=r.span_end,
        family=r.family,
        original=r.original,
        corrected=r.corrected,
        rubric_version=r.rubric_version,
        model_version=r.model_version,
    )


def list_corrections(
    engine: Engine, child_id: str | None = None, families: Sequence[str] | None = None
) -> list[CorrectionRow]:
    """Stored corrections, oldest first (a child's, where given)."""
    with Session(engine) as session:
        query = select(Correction).order_by(Correction.id)
        if child_id is not None:
            query = query.where(Correction.child_id == child_id)
        if families:
            query = query.where(Correction.family.in_(list(families)))
        return [_row(r) for r in session.scalars(query)]


def training_corrections(engine: Engine) -> list[TrainingCorrection]:
    """Every correction with its reading, oldest first: for retraining."""
    with Session(engine) as session:
        rows = session.scalars(select(Correction).order_by(Correction.id))
        return [TrainingCorrection(_row(r), r.reading) for r in rows]


@dataclass(frozen=True)
class AgreementCell:
    """Agreement of the reviewer's verdicts with the auditors' corrections in one cell."""

    family: str
    period: str
    model_version: str
    corrections: int
    agreed: int

    @property
    def agreement(self) -> float:
        return self.agreed / self.corrections if self.corrections else float("nan")


@dataclass(frozen=True)
class AgreementOverTime:
    by_month: list[AgreementCell] = field(default_factory=list)
    by_model_version: list[AgreementCell] = field(default_factory=list)


def agreement_over_time(engine: Engine) -> AgreementOverTime:
    """Per label family, the share of corrected verdicts the auditor agreed with, per month of
    the correction and per model version that gave the verdict. Missed spans (no verdict) do
    not count; a record corrected twice counts its latest correction."""
    latest: dict[tuple[str, str, str, int | None, int | None, str], CorrectionRow] = {}
    for row in list_corrections(engine):
        if row.original is None:
            continue
        key = (
            row.run_key,
            row.record_kind,
            row.record_id,
            row.span_start,
            row.span_end,
            row.family,
        )
        latest[key] = row
    months: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    versions: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in latest.values():
        for table, key in (
            (months, (row.family, row.created_at.strftime("%Y-%m"))),
            (versions, (row.family, row.model_version or "rules")),
        ):
            table[key][0] += 1
            table[key][1] += int(bool(row.agrees))
    return AgreementOverTime(
        by_month=[AgreementCell(f, m, "", n, a) for (f, m), (n, a) in sorted(months.items())],
        by_model_version=[
            AgreementCell(f, "", v, n, a) for (f, v), (n, a) in sorted(versions.items())
        ],
    )
