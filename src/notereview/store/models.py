"""The tables of the notereview store (SQLAlchemy 2 declarative models).

A scoring run is written once and never changed: ``runs`` and its child tables (case scores,
criterion findings, visit labels, plan actions, quarantined rows, record texts) are keyed by
``run_id``. Around them live the people who use the service (users, tokens), their work
(claims, dip samples, audit outcomes) and the append-only access log.

The schema itself is created by the Alembic migrations in ``migrations/versions``; a test
checks that these models and the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class CaseScore(Base):
    """One child's scores in one run (the ``cases`` table of a run)."""

    __tablename__ = "case_scores"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team: Mapped[str] = mapped_column(String(128))
    worker_id: Mapped[str] = mapped_column(String(128))
    legal_status: Mapped[str] = mapped_column(String(8))
    score: Mapped[float] = mapped_column(Float)
    grade_band: Mapped[str] = mapped_column(String(32))
    visits: Mapped[float | None] = mapped_column(Float)
    voice: Mapped[float | None] = mapped_column(Float)
    case_summary: Mapped[float | None] = mapped_column(Float)
    chronology: Mapped[float | None] = mapped_column(Float)
    plans: Mapped[float | None] = mapped_column(Float)
    genogram: Mapped[float | None] = mapped_column(Float)
    oversight: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[Any] = mapped_column(JSONType)
    p_inadequate: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (Index("ix_case_scores_run_team", "run_id", "team"),)


class CriterionFinding(Base):
    """One criterion's finding for one child in one run, with its evidence."""

    __tablename__ = "criterion_findings"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    criterion: Mapped[str] = mapped_column(String(8), primary_key=True)
    theme: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[Any] = mapped_column(JSONType)
    missing: Mapped[str | None] = mapped_column(Text)


class VisitLabel(Base):
    """Per-visit labels of one run (the ``visits`` table of a run)."""

    __tablename__ = "visit_labels"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    visit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(64), index=True)
    voice: Mapped[str | None] = mapped_column(String(32))
    plan_linked: Mapped[bool | None] = mapped_column(Boolean)
    analysis: Mapped[bool | None] = mapped_column(Boolean)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    recorded_late_days: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[Any] = mapped_column(JSONType)

    # one child's rows of one run in order (the case file): without it SQLite walks the run's
    __table_args__ = (Index("ix_visit_labels_run_child", "run_id", "child_id", "visit_id"),)


class PlanActionLabel(Base):
    """Per-plan-action SMART labels of one run (the ``plan_actions`` table of a run)."""

    __tablename__ = "plan_action_labels"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    action_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64))
    child_id: Mapped[str] = mapped_column(String(64), index=True)
    smart: Mapped[bool | None] = mapped_column(Boolean)
    specific: Mapped[bool | None] = mapped_column(Boolean)
    measurable: Mapped[bool | None] = mapped_column(Boolean)
    owner_named: Mapped[bool | None] = mapped_column(Boolean)
    timebound: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)

    # one child's rows of one run in order (the case file): without it SQLite walks the run's
    __table_args__ = (Index("ix_plan_action_labels_run_child", "run_id", "child_id", "action_id"),)


class QuarantinedRow(Base):
    """A row of the extract that a run rejected, with the reason (never the row's text)."""

    __tablename__ = "quarantined_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_number: Mapped[int | None] = mapped_column(Integer)
    record_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)


class ReconciliationFinding(Base):
    """Where a run's Annex A return and a child's file (or the extract's children table)
    disagree: a data-quality finding in plain words, never a name or a date of birth."""

    __tablename__ = "reconciliation_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[str] = mapped_column(String(128), index=True)
    item: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(128))
    annex_a_value: Mapped[str | None] = mapped_column(String(256))
    file_value: Mapped[str | None] = mapped_column(String(256))
    finding: Mapped[str] = mapped_column(Text)

    # one child's rows of one run (the case file): without it SQLite walks the run's rows
    __table_args__ = (Index("ix_reconciliation_findings_run_child", "run_id", "child_id"),)


class MonitoringFields(Base):
    """A child's equality-monitoring fields in a run (DESIGN "Monitoring, not judging"): read
    only by the equality report, never beside a score on the queue."""

    __tablename__ = "monitoring_fields"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    gender: Mapped[str | None] = mapped_column(String(32))
    age_band: Mapped[str | None] = mapped_column(String(32))
    legal_status: Mapped[str | None] = mapped_column(String(8))
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    disability: Mapped[str | None] = mapped_column(String(32))
    communication_need: Mapped[str | None] = mapped_column(String(64))


class RecordText(Base):
    """The full text of one record of a child's file as the run read it (for the case view)."""

    __tablename__ = "record_texts"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    child_id: Mapped[str] = mapped_column(String(64))
    record_date: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_record_texts_run_child", "run_id", "child_id"),)


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
