"""Writing a scoring run to the store, and reading runs and case files back."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from notereview._spreadsheet import read_output_csv
from notereview.batch.tables import OUTPUT_TABLES
from notereview.checks import THEMES
from notereview.store._cache import kept, run_key_of
from notereview.store._errors import NotFoundError, RunConflictError, StoreError
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

#: Columns a run may lack (written by a version before them): stored as null.
OPTIONAL_COLUMNS = frozenset({"p_inadequate"})
# The columns of each table of a run (CONTRACT.md "What a run writes", plus ``records``),
# from their one declaration.
RUN_COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(table.column_names) for name, table in OUTPUT_TABLES.items()
}
REQUIRED_TABLES: tuple[str, ...] = ("cases", "criteria")
_TABLE_FORMATS: tuple[str, ...] = ("parquet", "csv", "jsonl")


@dataclass(frozen=True, slots=True)
class RunWriteResult:
    run_id: int
    created: bool


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


# --- value cleaning ------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> Any:
    """A plain Python value: numpy scalars unwrapped, NaN/NA/NaT as None."""
    if isinstance(value, list | tuple | dict):
        return value
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()  # numpy scalar or array
        if isinstance(value, list):
            return value
    if _is_missing(value):
        return None
    return value


def _float(value: object) -> float | None:
    value = _plain(value)
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value: object) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _bool(value: object) -> bool | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "t", "yes", "y", "1"}:
            return True
        if lowered in {"false", "f", "no", "n", "0", ""}:
            return False
        return None
    return bool(value)


def _str(value: object) -> str | None:
    value = _plain(value)
    return None if value is None else str(value)


def _json_list(value: object) -> list[Any]:
    value = _plain(value)
    if value is None:
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise StoreError(
                "a JSON column (evidence or reasons) holds text that is not JSON; "
                "write it as a JSON list"
            ) from None
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        raise StoreError("a JSON column (evidence or reasons) is not a list")
    return [_jsonable(item) for item in value]


def _jsonable(value: object) -> Any:
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: object) -> Any:
    plain = _plain(value)
    if plain is not value:
        return plain
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _date(value: object) -> date | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        # numpy datetime64 as epoch nanoseconds (tolist of datetime64[ns])
        return datetime.fromtimestamp(value / 1e9, tz=UTC).date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise StoreError("a date in the run is not ISO 8601 (YYYY-MM-DD)") from None


def _timestamp(value: object) -> datetime | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise StoreError("a timestamp in run_info is not ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _total(value: object) -> int:
    if isinstance(value, Mapping):
        return sum(_int(v) or 0 for v in value.values())
    return _int(value) or 0


def _rows(tables: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    frame = tables.get(name)
    if frame is None:
        if name in REQUIRED_TABLES:
            raise StoreError(f"the run has no {name!r} table; a run needs {list(REQUIRED_TABLES)}")
        return []
    if isinstance(frame, list):
        rows = [dict(row) for row in frame]
        columns = set().union(*(row.keys() for row in rows)) if rows else set(RUN_COLUMNS[name])
    else:
        columns = set(frame.columns)
        rows = frame.to_dict("records")
    missing = [c for c in RUN_COLUMNS[name] if c not in columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise StoreError(f"the run's {name!r} table lacks the columns {missing}")
    return rows


# --- writing -------------------------------------------------------------------------------


def run_versions(run_info: Mapping[str, Any]) -> dict[str, Any]:
    """The versions that identify how a run was scored: ``versions`` and every key naming a
    version (``rubric_version``, ``policy_version``, ``model_versions``...) or ``models``."""
    versions: dict[str, Any] = {}
    for key, value in run_info.items():
        if key == "versions" and isinstance(value, Mapping):
            versions.update(value)
        elif "version" in key or key == "models":
            versions[key] = value
    return _jsonable(versions)


def run_key(run_info: Mapping[str, Any]) -> str:
    """The identity of a run: extract fingerprint + as-of + versions (sha256 hex)."""
    fingerprint = run_info.get("extract_fingerprint")
    as_of = run_info.get("as_of")
    if not fingerprint or not as_of:
        raise StoreError("run_info needs 'extract_fingerprint' and 'as_of'")
    identity = {
        "extract_fingerprint": str(fingerprint),
        "as_of": _date(as_of).isoformat(),  # type: ignore[union-attr]
        "versions": run_versions(run_info),
    }
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def new_run(key: str, run_info: Mapping[str, Any]) -> Run:
    """The runs row for a run's run.json content (not yet added to a session)."""
    return Run(
        run_key=key,
        extract_fingerprint=str(run_info["extract_fingerprint"]),
        as_of=_date(run_info["as_of"]),
        started_at=_timestamp(run_info.get("started_at")),
        finished_at=_timestamp(run_info.get("finished_at")),
        created_at=datetime.now(UTC),
        versions=run_versions(run_info),
        rows_read=_total(run_info.get("rows_read")),
        rows_scored=_total(run_info.get("rows_scored")),
        rows_quarantined=_total(run_info.get("rows_quarantined")),
        info=_jsonable(dict(run_info)),
    )


def write_run(
    url_or_engine: str | Engine | None,
    run_info: Mapping[str, Any],
    tables: Mapping[str, Any],
) -> RunWriteResult:
    """Store one scoring run in one transaction.

    ``tables`` maps table names (cases, criteria, visits, plan_actions, quarantine, records) to
    pandas DataFrames (or lists of row dicts) with the columns of CONTRACT.md. Writing the same
    extract fingerprint, as-of and versions again changes nothing and returns the stored run
    with ``created=False``."""
    from notereview.store._engine import connect, upgrade

    if isinstance(url_or_engine, Engine):
        return _write_run(url_or_engine, run_info, tables)
    engine = connect(url_or_engine)  # a URL: bring its schema up to date first
    try:
        upgrade(engine)
        return _write_run(engine, run_info, tables)
    finally:
        engine.dispose()


def _without_nul(value: Any) -> Any:
    """``value`` with NUL characters taken out of every string in it (dict keys too): PostgreSQL
    can hold none in text or JSON, and in a score's text one carries nothing."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, Mapping):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value


def _write_run(
    engine: Engine, run_info: Mapping[str, Any], tables: Mapping[str, Any]
) -> RunWriteResult:
    run_info = _without_nul(run_info)
    key = run_key(run_info)
    rows = {name: [_without_nul(r) for r in _rows(tables, name)] for name in RUN_COLUMNS}
    try:
        with Session(engine) as session:
            existing = session.scalar(select(Run.id).where(Run.run_key == key))
    except OperationalError:
        raise StoreError(
            "the database has no notereview schema; run notereview.store.upgrade(engine) "
            "or pass a URL to write_run"
        ) from None
    if existing is not None:
        return RunWriteResult(run_id=existing, created=False)

    run = new_run(key, run_info)
    try:
        with Session(engine) as session, session.begin():
            session.add(run)
            session.flush()
            _insert_tables(session, run.id, rows)
            run_id = run.id
    except DataError:
        raise StoreError(
            "the run holds a value the database cannot store (a number out of range, or a "
            "text too long for its column)"
        ) from None
    except IntegrityError:
        with Session(engine) as session:
            existing = session.scalar(select(Run.id).where(Run.run_key == key))
        if existing is None:
            raise RunConflictError(
                "the run could not be stored: a table repeats a key (child_id, criterion, "
                "visit_id, action_id or record_id)"
            ) from None
        return RunWriteResult(run_id=existing, created=False)
    return RunWriteResult(run_id=run_id, created=True)


def _insert_tables(session: Session, run_id: int, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    def insert(model: type, values: list[dict[str, Any]]) -> None:
        if values:
            session.execute(model.__table__.insert(), values)  # type: ignore[attr-defined]

    insert(
        CaseScore,
        [
            {
                "run_id": run_id,
                "child_id": _str(r["child_id"]),
                "team": _str(r["team"]),
                "worker_id": _str(r["worker_id"]),
                "legal_status": _str(r["legal_status"]),
                "score": _float(r["score"]),
                "grade_band": _str(r["grade_band"]),
                **{theme: _float(r[theme]) for theme in THEMES},
                "confidence": _float(r["confidence"]),
                "rank": _int(r["rank"]),
                "reasons": [str(x) for x in _json_list(r["reasons"])],
                "p_inadequate": _float(r.get("p_inadequate")),
            }
            for r in rows["cases"]
        ],
    )
    insert(
        CriterionFinding,
        [
            {
                "run_id": run_id,
                "child_id": _str(r["child_id"]),
                "criterion": _str(r["criterion"]),
                "theme": _str(r["theme"]),
                "status": _str(r["status"]),
                "score": _float(r["score"]),
                "confidence": _float(r["confidence"]),
                "evidence": _json_list(r["evidence"]),
                "missing": _str(r["missing"]),
            }
            for r in rows["criteria"]
        ],
    )
    insert(
        VisitLabel,
        [
            {
                "run_id": run_id,
                "visit_id": _str(r["visit_id"]),
                "child_id": _str(r["child_id"]),
                "voice": _str(r["voice"]),
                "plan_linked": _bool(r["plan_linked"]),
                "analysis": _bool(r["analysis"]),
                "on_time": _bool(r["on_time"]),
                "recorded_late_days": _int(r["recorded_late_days"]),
                "evidence": _json_list(r["evidence"]),
            }
            for r in rows["visits"]
        ],
    )
    insert(
        PlanActionLabel,
        [
            {
                "run_id": run_id,
                "action_id": _str(r["action_id"]),
                "plan_id": _str(r["plan_id"]),
                "child_id": _str(r["child_id"]),
                **{
                    k: _bool(r[k])
                    for k in ("smart", "specific", "measurable", "owner_named", "timebound")
                },
                "score": _float(r["score"]),
            }
            for r in rows["plan_actions"]
        ],
    )
    insert(
        QuarantinedRow,
        [
            {
                "run_id": run_id,
                "table_name": _str(r["table"]) or "",
                "row_number": _int(r["row_number"]),
                "record_id": _str(r["record_id"]),
                "reason": _str(r["reason"]) or "",
            }
            for r in rows["quarantine"]
        ],
    )
    insert(
        MonitoringFields,
        [
            {"run_id": run_id, **{k: _str(r.get(k)) for k in RUN_COLUMNS["monitoring"]}}
            for r in rows["monitoring"]
        ],
    )
    insert(
        ReconciliationFinding,
        [
            {
                "run_id": run_id,
                "child_id": _str(r["child_id"]) or "",
                "item": _str(r["item"]) or "",
                "source": _str(r["source"]),
                "annex_a_value": _str(r["annex_a_value"]),
                "file_value": _str(r["file_value"]),
                "finding": _str(r["finding"]) or "",
            }
            for r in rows["reconciliation"]
        ],
    )
    insert(
        RecordText,
        [
            {
                "run_id": run_id,
                "table_name": _str(r["table"]),
                "record_id": _str(r["record_id"]),
                "child_id": _str(r["child_id"]),
                "record_date": _date(r["record_date"]),
                "text": _str(r["text"]) or "",
            }
            for r in rows["records"]
        ],
    )


def read_run_dir(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read what ``notereview score --out DIR`` wrote: ``run.json`` and each table as Parquet,
    CSV or JSON Lines. Returns ``(run_info, tables)`` ready for :func:`write_run`."""
    import pandas as pd

    folder = Path(path)
    info_path = folder / "run.json"
    if not info_path.is_file():
        raise StoreError(f"{folder} has no run.json; point at the folder `notereview score` wrote")
    run_info = json.loads(info_path.read_text(encoding="utf-8"))
    tables: dict[str, Any] = {}
    for name in RUN_COLUMNS:
        for fmt in _TABLE_FORMATS:
            file = folder / f"{name}.{fmt}"
            if not file.is_file():
                continue
            if fmt == "parquet":
                tables[name] = pd.read_parquet(file)
            elif fmt == "csv":
                tables[name] = read_output_csv(
                    file, dtype=str, keep_default_na=False, na_values=[""]
                )
            else:
                tables[name] = pd.read_json(file, lines=True, dtype=False)
            break
    return run_info, tables


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


def case_file(engine: Engine, run_id: int, child_id: str) -> CaseFileView:
    """One child's file in a run: scores, every finding with evidence, labels and record texts."""
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
