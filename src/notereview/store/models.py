"""The tables of the notereview store (SQLAlchemy 2 declarative models).

A scoring run is written once and never changed: ``runs`` and its child tables (case scores,
criterion findings, visit labels, plan actions, quarantined rows, record texts) are keyed by
``run_id``. Around them live the people who use the service (users, tokens), their work
(claims, dip samples, audit outcomes) and the append-only access log.

The tables of a run's rows are derived from the one declaration of a run's output tables
(:mod:`notereview.batch.tables`). The schema itself is created by the Alembic migrations in
``migrations/versions``; tests check that these models, that declaration and the migrations
agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from notereview.batch.tables import OUTPUT_TABLES

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps.

    PostgreSQL stores ``timestamptz``; SQLite stores naive UTC text, which compares correctly
    as text because every value is written in the same format."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), Any: JSONType}


# --- scoring runs --------------------------------------------------------------------------


class Run(Base):
    """One nightly scoring run: what it read, scored and quarantined, and with which versions."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_key: Mapped[str] = mapped_column(String(64), unique=True)
    extract_fingerprint: Mapped[str] = mapped_column(String(128), index=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    versions: Mapped[Any] = mapped_column(JSONType)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_scored: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    info: Mapped[Any] = mapped_column(JSONType)


def _run_table(name: str) -> Table:
    """The store's table of one output table of a run, derived from its declaration
    (:mod:`notereview.batch.tables`): keyed by run_id and the declared key columns (or by its
    own ``id``), a run's rows deleted with the run."""
    spec = OUTPUT_TABLES[name]
    columns: list[Any] = []
    if spec.numbered:
        columns.append(Column("id", Integer, primary_key=True, autoincrement=True))
    columns.append(
        Column(
            "run_id",
            Integer,
            ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=not spec.numbered,
            index=spec.run_index,
            nullable=False,
        )
    )
    for c in spec.stored_columns:
        columns.append(
            Column(
                c.stored_as,
                _sql_type(c.kind, c.length),
                primary_key=c.key,
                nullable=c.nullable and not c.key,
                index=c.index,
            )
        )
    indexes = [Index(index_name, *cols) for index_name, cols in spec.indexes]
    return Table(spec.sql_table, Base.metadata, *columns, *indexes)


def _sql_type(kind: str, length: int | None) -> Any:
    if kind == "text":
        return String(length) if length is not None else Text
    return {
        "number": Float,
        "count": Integer,
        "flag": Boolean,
        "date": Date,
        "json": JSONType,
    }[kind]


class CaseScore(Base):
    """One child's scores in one run (the ``cases`` table of a run)."""

    __tablename__ = OUTPUT_TABLES["cases"].sql_table
    __table__ = _run_table("cases")


class CriterionFinding(Base):
    """One criterion's finding for one child in one run, with its evidence."""

    __tablename__ = OUTPUT_TABLES["criteria"].sql_table
    __table__ = _run_table("criteria")


class VisitLabel(Base):
    """Per-visit labels of one run (the ``visits`` table of a run)."""

    __tablename__ = OUTPUT_TABLES["visits"].sql_table
    __table__ = _run_table("visits")


class PlanActionLabel(Base):
    """Per-plan-action SMART labels of one run (the ``plan_actions`` table of a run)."""

    __tablename__ = OUTPUT_TABLES["plan_actions"].sql_table
    __table__ = _run_table("plan_actions")


class QuarantinedRow(Base):
    """A row of the extract that a run rejected, with the reason (never the row's text)."""

    __tablename__ = OUTPUT_TABLES["quarantine"].sql_table
    __table__ = _run_table("quarantine")


class ReconciliationFinding(Base):
    """Where a run's Annex A return and a child's file (or the extract's children table)
    disagree: a data-quality finding in plain words, never a name or a date of birth."""

    __tablename__ = OUTPUT_TABLES["reconciliation"].sql_table
    __table__ = _run_table("reconciliation")


class MonitoringFields(Base):
    """A child's equality-monitoring fields in a run (DESIGN "Monitoring, not judging"): read
    only by the equality report, never beside a score on the queue."""

    __tablename__ = OUTPUT_TABLES["monitoring"].sql_table
    __table__ = _run_table("monitoring")


class RecordText(Base):
    """The full text of one record of a child's file as the run read it (for the case view)."""

    __tablename__ = OUTPUT_TABLES["records"].sql_table
    __table__ = _run_table("records")


class ScoredFile(Base):
    """A case file already scored: its output rows under the key of its content and of what
    scored it (rubric, policy, pipeline and model versions, as-of date). A later run meets the
    same key and reuses the rows instead of scoring the file again (incremental scoring)."""

    __tablename__ = "scored_files"

    file_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


# --- people and their work -----------------------------------------------------------------


class User(Base):
    """Someone (or a service) allowed to use the API, with one role and optional team scope."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    teams: Mapped[Any] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiToken(Base):
    """A bearer token; only its sha256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Claim(Base):
    """An auditor's claim on a child's file. One row per child: the database decides who wins."""

    __tablename__ = "claims"

    child_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class DipSampleDraw(Base):
    """A dip sample drawn on a run: who drew it, with which size, seed and team."""

    __tablename__ = "dip_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    size: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    team_scope: Mapped[str] = mapped_column(String(512))
    drawn_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("run_id", "size", "seed", "team_scope"),)


class DipSampleMember(Base):
    """A child's file in a dip sample, with its stratum."""

    __tablename__ = "dip_sample_members"

    sample_id: Mapped[int] = mapped_column(
        ForeignKey("dip_samples.id", ondelete="CASCADE"), primary_key=True
    )
    child_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team: Mapped[str] = mapped_column(String(128))
    legal_status: Mapped[str] = mapped_column(String(8))


class AuditOutcome(Base):
    """An auditor's judgement of a child's file, against the run the auditor saw."""

    __tablename__ = "audit_outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    child_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    overall: Mapped[str] = mapped_column(String(32))
    themes: Mapped[Any] = mapped_column(JSONType)
    findings: Mapped[Any] = mapped_column(JSONType)
    comments: Mapped[str | None] = mapped_column(Text)
    from_dip_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("dip_samples.id"))
    team: Mapped[str] = mapped_column(String(128))
    legal_status: Mapped[str] = mapped_column(String(8))


class AccessLogEntry(Base):
    """Append-only: who did what to which file, when (UTC) and from where.

    The code has no update or delete path for it, and the migration installs triggers that
    refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(8))
    route: Mapped[str] = mapped_column(String(128))
    child_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    client_ip: Mapped[str | None] = mapped_column(String(64))


# --- the web pages (migration 0002) ---------------------------------------------------------


class WebSession(Base):
    """A signed-in browser session, opened with a bearer token. Only the sha256 of the session
    id is kept; the CSRF token belongs to the session."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class FocusWeek(Base):
    """A Focus on Practice week (dates and theme set by an admin), marked on the trends."""

    __tablename__ = "focus_weeks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    theme: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


# --- sign-in throttling (migration 0008) -----------------------------------------------------


class SignInFailure(Base):
    """Failed sign-ins counted per client address (``address:IP``) and per account
    (``account:USER_ID``, read from a token's public prefix), in the database so that every
    worker process sees the same counts. ``locked_until`` set: sign-ins are refused until then."""

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


# --- auditors' corrections (migration 0007) ---------------------------------------------------


class Correction(Base):
    """An auditor's correction of one verdict: a record's label, or a span inside it.

    ``span_start``/``span_end`` are character offsets in the record's text, or null for a
    whole-record correction. ``original`` is the verdict the run gave (null for a span the
    reviewer did not mark); ``corrected`` is the auditor's. ``reading`` is the rules' reading
    of the record at the time (sentence offsets and features, names masked), from which the
    judgement retrains; it holds no names."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    auditor: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    run_key: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL"), nullable=True
    )
    child_id: Mapped[str] = mapped_column(String(64), index=True)
    record_kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(128))
    span_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    span_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    family: Mapped[str] = mapped_column(String(32))
    original: Mapped[str | None] = mapped_column(String(64), nullable=True)
    corrected: Mapped[str] = mapped_column(String(64))
    rubric_version: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(128))
    reading: Mapped[Any] = mapped_column(JSONType, nullable=True)


class RateLimitHits(Base):
    """Requests counted per rate-limit key (a hashed token or session, or a client address)
    and per minute (``window``: minutes since the epoch), in the database so that every worker
    process of the service counts toward the same limit."""

    __tablename__ = "rate_limit_hits"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hits: Mapped[int] = mapped_column(Integer)
