"""Audit outcomes: an auditor's grades and verdicts on a file; when each was last audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from notereview.store._clock import _now
from notereview.store.models import AuditOutcome


@dataclass(frozen=True, slots=True)
class AuditRecord:
    audit_id: int
    run_id: int
    child_id: str
    user_id: int
    created_at: datetime
    overall: str
    themes: dict[str, str]
    findings: dict[str, str]
    from_dip_sample: bool
    sample_id: int | None
    team: str
    legal_status: str


def add_audit(
    engine: Engine,
    *,
    run_id: int,
    child_id: str,
    user_id: int,
    overall: str,
    themes: dict[str, str],
    findings: dict[str, str],
    comments: str | None,
    team: str,
    legal_status: str,
    sample_id: int | None,
    now: datetime | None = None,
) -> AuditRecord:
    moment = now or _now()
    with Session(engine) as session, session.begin():
        audit = AuditOutcome(
            run_id=run_id,
            child_id=child_id,
            user_id=user_id,
            created_at=moment,
            overall=overall,
            themes=dict(themes),
            findings=dict(findings),
            comments=comments,
            from_dip_sample=sample_id is not None,
            sample_id=sample_id,
            team=team,
            legal_status=legal_status,
        )
        session.add(audit)
        session.flush()
        return _audit_record(audit)


def _audit_record(audit: AuditOutcome) -> AuditRecord:
    return AuditRecord(
        audit_id=audit.id,
        run_id=audit.run_id,
        child_id=audit.child_id,
        user_id=audit.user_id,
        created_at=audit.created_at,
        overall=audit.overall,
        themes=dict(audit.themes or {}),
        findings=dict(audit.findings or {}),
        from_dip_sample=audit.from_dip_sample,
        sample_id=audit.sample_id,
        team=audit.team,
        legal_status=audit.legal_status,
    )


_Mark = tuple[int, int | None, str | None]
#: Per engine and ``dip_sample_only``: (the audits' mark, child_id -> the file's newest audit).
_latest: WeakKeyDictionary[Engine, dict[bool, tuple[_Mark, dict[str, AuditRecord]]]]
_latest = WeakKeyDictionary()
_latest_lock = Lock()


def latest_audits(engine: Engine, dip_sample_only: bool = False) -> list[AuditRecord]:
    """The newest audit of each child's file, by child id (only random-sample audits if
    asked). Audits are only ever added or removed, never changed: the answer is kept per
    process; when :func:`audits_mark` shows audits added and none removed, only those are
    read (the trends and the equality page read this on every request, while auditors add
    audits every few seconds), and after anything else every audit is read again."""
    mark = audits_mark(engine, None, dip_sample_only=dip_sample_only)
    with _latest_lock:
        held = _latest.get(engine, {}).get(dip_sample_only)
    if held is not None and held[0] == mark:
        newest = held[1]
    else:
        query = select(AuditOutcome).order_by(AuditOutcome.id)
        if dip_sample_only:
            query = query.where(AuditOutcome.from_dip_sample.is_(True))
        # by id: the last audit of a file is its newest
        with Session(engine) as session:
            added_to = _added_to(session, query, held, mark)
            newest = (
                added_to
                if added_to is not None
                else {audit.child_id: _audit_record(audit) for audit in session.scalars(query)}
            )
        with _latest_lock:
            _latest.setdefault(engine, {})[dip_sample_only] = (mark, newest)
    return [newest[child_id] for child_id in sorted(newest)]


def _added_to(
    session: Session,
    query: Select[Any],
    held: tuple[_Mark, dict[str, AuditRecord]] | None,
    mark: _Mark,
) -> dict[str, AuditRecord] | None:
    """The held answer with the audits added since, or None where audits were also removed
    (or nothing is held): then every audit is read again."""
    if held is None or held[0][1] is None:
        return None
    added = session.scalars(query.where(AuditOutcome.id > held[0][1])).all()
    if held[0][0] + len(added) != mark[0]:
        return None
    return {**held[1], **{audit.child_id: _audit_record(audit) for audit in added}}


def last_audited(engine: Engine, since: datetime) -> dict[str, datetime]:
    """child_id → when the file was last audited, for audits since ``since``."""
    with Session(engine) as session:
        rows = session.execute(
            select(AuditOutcome.child_id, func.max(AuditOutcome.created_at))
            .where(AuditOutcome.created_at >= since)
            .group_by(AuditOutcome.child_id)
        ).all()
    result = {}
    for child_id, moment in rows:
        if isinstance(moment, str):  # SQLite aggregate bypasses the column type
            moment = datetime.fromisoformat(moment)
        result[child_id] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return result


def audits_mark(
    engine: Engine, since: datetime | None, *, dip_sample_only: bool = False
) -> tuple[int, int | None, str | None]:
    """What changes whenever the audits since ``since`` (None: every audit; only random-sample
    audits if asked) may: how many there are, the newest one's id and its time (one small
    query, no rows read back). Audits are only added or removed, never changed."""
    query = select(func.count(), func.max(AuditOutcome.id), func.max(AuditOutcome.created_at))
    if since is not None:
        query = query.where(AuditOutcome.created_at >= since)
    if dip_sample_only:
        query = query.where(AuditOutcome.from_dip_sample.is_(True))
    with Session(engine) as session:
        count, newest, latest = session.execute(query).one()
    return int(count or 0), newest, None if latest is None else str(latest)
