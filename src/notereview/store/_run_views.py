"""Reading scoring runs and case files back from the store (a run is written by
:mod:`notereview.store._runs` and never changed)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notereview.checks import THEMES
from notereview.store._cache import kept, run_key_of
from notereview.store._errors import NotFoundError
from notereview.store._runs import RUN_COLUMNS
from notereview.store.models import (
    CaseScore,
    CriterionFinding,
    MonitoringFields,
    PlanActionLabel,
    QuarantinedRow,
    ReconciliationFinding,
    RecordText,
    Run,
    VisitLabel,
)


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int
    as_of: date
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    extract_fingerprint: str
    versions: dict[str, Any]
    rows_read: int
    rows_scored: int
    rows_quarantined: int
    run_key: str = ""


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    table: str
    row_number: int | None
    record_id: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class RunDetail:
    summary: RunSummary
    info: dict[str, Any]
    quarantine: tuple[QuarantineEntry, ...]


@dataclass(frozen=True, slots=True)
class CaseScoreRow:
    """One child's scores in a run: what the queue and the dip sample work from."""

    child_id: str
    team: str
    worker_id: str
    legal_status: str
    score: float
    grade_band: str
    themes: dict[str, float | None]
    confidence: float
    rank: int
    reasons: tuple[str, ...]
    p_inadequate: float | None = None


@dataclass(frozen=True, slots=True)
class FindingRow:
    child_id: str
    criterion: str
    theme: str
    status: str
    score: float | None
    confidence: float | None
    evidence: tuple[dict[str, Any], ...]
    missing: str | None


@dataclass(frozen=True, slots=True)
class RecordTextRow:
    table: str
    record_id: str
    record_date: date | None
    text: str


@dataclass(frozen=True, slots=True)
class CaseFileView:
    """Everything the case view shows for one child in one run."""

    run_id: int
    as_of: date
    case: CaseScoreRow
    findings: tuple[FindingRow, ...]
    visits: tuple[dict[str, Any], ...]
    plan_actions: tuple[dict[str, Any], ...]
    records: tuple[RecordTextRow, ...]
    #: Where the run's Annex A return and this file disagree (item, source, finding, values).
    reconciliation: tuple[dict[str, Any], ...] = ()


# --- reading -------------------------------------------------------------------------------


def _summary(run: Run) -> RunSummary:
    return RunSummary(
        run_id=run.id,
        as_of=run.as_of,
        started_at=run.started_at,
        finished_at=run.finished_at,
        created_at=run.created_at,
        extract_fingerprint=run.extract_fingerprint,
        versions=dict(run.versions or {}),
        rows_read=run.rows_read,
        rows_scored=run.rows_scored,
        rows_quarantined=run.rows_quarantined,
        run_key=run.run_key,
    )


def latest_run(engine: Engine) -> RunSummary | None:
    """The run the queue works from: the newest as-of, then the newest written."""
    with Session(engine) as session:
        query = select(Run).order_by(Run.as_of.desc(), Run.id.desc()).limit(1)
        run = session.scalars(query).first()
        return None if run is None else _summary(run)


def list_runs(engine: Engine, limit: int = 100) -> list[RunSummary]:
    with Session(engine) as session:
        runs = session.scalars(select(Run).order_by(Run.id.desc()).limit(limit)).all()
        return [_summary(run) for run in runs]


def get_run(engine: Engine, run_id: int) -> RunDetail:
    with Session(engine) as session:
        run = session.get(Run, run_id)
        if run is None:
            raise NotFoundError(f"no run with id {run_id}")
        quarantine = session.scalars(
            select(QuarantinedRow)
            .where(QuarantinedRow.run_id == run_id)
            .order_by(QuarantinedRow.id)
        ).all()
        return RunDetail(
            summary=_summary(run),
            info=dict(run.info or {}),
            quarantine=tuple(
                QuarantineEntry(q.table_name, q.row_number, q.record_id, q.reason)
                for q in quarantine
            ),
        )


def _case_row(row: CaseScore) -> CaseScoreRow:
    return CaseScoreRow(
        child_id=row.child_id,
        team=row.team,
        worker_id=row.worker_id,
        legal_status=row.legal_status,
        score=row.score,
        grade_band=row.grade_band,
        themes={theme: getattr(row, theme) for theme in THEMES},
        confidence=row.confidence,
        rank=row.rank,
        reasons=tuple(row.reasons or ()),
        p_inadequate=row.p_inadequate,
    )


def monitoring_rows(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    """Every child's equality-monitoring fields in a run (for the equality report only), read
    once per process and kept (``store._cache``); the caller gets its own copies."""
    run_key = run_key_of(engine, run_id)
    if run_key is None:
        return []

    def read() -> tuple[dict[str, Any], ...]:
        columns = [getattr(MonitoringFields, k) for k in RUN_COLUMNS["monitoring"]]
        query = (
            select(*columns)
            .where(MonitoringFields.run_id == run_id)
            .order_by(MonitoringFields.child_id)
        )
        with Session(engine) as session:
            return tuple(
                dict(zip(RUN_COLUMNS["monitoring"], row, strict=True))
                for row in session.execute(query)
            )

    return [dict(r) for r in kept(engine, ("monitoring_rows", run_id, run_key), read)]


def case_scores(
    engine: Engine, run_id: int, teams: Collection[str] | None = None
) -> list[CaseScoreRow]:
    """Every child's scores in a run (only ``teams`` where given), by rank. Every queue,
    estimate and dip sample reads them: read from the database once per process and kept
    (``store._cache``: a run never changes)."""
    run_key = run_key_of(engine, run_id)
    if run_key is None:
        return []
    scope = tuple(sorted(teams)) if teams else None

    def read() -> tuple[CaseScoreRow, ...]:
        query = select(CaseScore).where(CaseScore.run_id == run_id)
        if scope:
            query = query.where(CaseScore.team.in_(scope))
        with Session(engine) as session:
            return tuple(_case_row(r) for r in session.scalars(query.order_by(CaseScore.rank)))

    return list(kept(engine, ("case_scores", run_id, run_key, scope), read))


def case_score(engine: Engine, run_id: int, child_id: str) -> CaseScoreRow | None:
    with Session(engine) as session:
        row = session.get(CaseScore, (run_id, child_id))
        return None if row is None else _case_row(row)


#: Case files kept per engine (the most recently read; ~100 KB each with their texts).
CASE_FILES_KEPT = 256


def case_file(
    engine: Engine, run_id: int, child_id: str, run_key: str | None = None
) -> CaseFileView:
    """One child's file in a run: scores, every finding with evidence, labels and record texts.
    A run never changes, so the newest CASE_FILES_KEPT files read are kept per process, by
    the run's id and content key (``run_key``: the run's, when the caller has it; read
    otherwise). Callers must not change what they are given."""
    run_key = run_key or run_key_of(engine, run_id)
    if run_key is None:
        raise NotFoundError(f"no case file {child_id!r} in run {run_id}")
    return kept(
        engine,
        (run_id, run_key, child_id),
        lambda: _read_case_file(engine, run_id, child_id),
        pool="case_files",
        size=CASE_FILES_KEPT,
    )


def _read_case_file(engine: Engine, run_id: int, child_id: str) -> CaseFileView:
    with Session(engine) as session:
        run = session.get(Run, run_id)
        case = session.get(CaseScore, (run_id, child_id))
        if run is None or case is None:
            raise NotFoundError(f"no case file {child_id!r} in run {run_id}")
        findings = session.scalars(
            select(CriterionFinding)
            .where(CriterionFinding.run_id == run_id, CriterionFinding.child_id == child_id)
            .order_by(CriterionFinding.criterion)
        ).all()
        visits = session.scalars(
            select(VisitLabel)
            .where(VisitLabel.run_id == run_id, VisitLabel.child_id == child_id)
            .order_by(VisitLabel.visit_id)
        ).all()
        actions = session.scalars(
            select(PlanActionLabel)
            .where(PlanActionLabel.run_id == run_id, PlanActionLabel.child_id == child_id)
            .order_by(PlanActionLabel.action_id)
        ).all()
        records = session.scalars(
            select(RecordText)
            .where(RecordText.run_id == run_id, RecordText.child_id == child_id)
            .order_by(RecordText.record_date, RecordText.table_name, RecordText.record_id)
        ).all()
        reconciled = session.scalars(
            select(ReconciliationFinding)
            .where(
                ReconciliationFinding.run_id == run_id,
                ReconciliationFinding.child_id == child_id,
            )
            .order_by(ReconciliationFinding.id)
        ).all()
        return CaseFileView(
            run_id=run_id,
            as_of=run.as_of,
            case=_case_row(case),
            findings=tuple(
                FindingRow(
                    child_id=f.child_id,
                    criterion=f.criterion,
                    theme=f.theme,
                    status=f.status,
                    score=f.score,
                    confidence=f.confidence,
                    evidence=tuple(f.evidence or ()),
                    missing=f.missing,
                )
                for f in findings
            ),
            visits=tuple(
                {
                    "visit_id": v.visit_id,
                    "voice": v.voice,
                    "plan_linked": v.plan_linked,
                    "analysis": v.analysis,
                    "on_time": v.on_time,
                    "recorded_late_days": v.recorded_late_days,
                    "child_seen": v.child_seen,
                    "evidence": list(v.evidence or ()),
                }
                for v in visits
            ),
            plan_actions=tuple(
                {
                    "action_id": a.action_id,
                    "plan_id": a.plan_id,
                    "smart": a.smart,
                    "specific": a.specific,
                    "measurable": a.measurable,
                    "owner_named": a.owner_named,
                    "timebound": a.timebound,
                    "score": a.score,
                }
                for a in actions
            ),
            records=tuple(
                RecordTextRow(r.table_name, r.record_id, r.record_date, r.text) for r in records
            ),
            reconciliation=tuple(
                {
                    "item": r.item,
                    "source": r.source,
                    "annex_a_value": r.annex_a_value,
                    "file_value": r.file_value,
                    "finding": r.finding,
                }
                for r in reconciled
            ),
        )


def criterion_statuses(
    engine: Engine, run_id: int, child_ids: Iterable[str] | None = None
) -> dict[str, dict[str, str]]:
    """child_id → criterion → the model's status, for one run (every child's, read once per
    process and kept: ``store._cache``; the caller gets its own copy)."""
    run_key = run_key_of(engine, run_id)
    if run_key is None:
        return {}

    def read() -> dict[str, dict[str, str]]:
        query = select(
            CriterionFinding.child_id, CriterionFinding.criterion, CriterionFinding.status
        ).where(CriterionFinding.run_id == run_id)
        result: dict[str, dict[str, str]] = {}
        with Session(engine) as session:
            for child_id, criterion, status in session.execute(query):
                result.setdefault(child_id, {})[criterion] = status
        return result

    every = kept(engine, ("criterion_statuses", run_id, run_key), read)
    wanted = every.keys() if child_ids is None else set(child_ids) & every.keys()
    return {child: dict(every[child]) for child in wanted}
