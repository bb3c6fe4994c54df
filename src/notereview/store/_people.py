"""Users and tokens, claims, dip samples, audit outcomes and the access log."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notereview.store._errors import ClaimConflictError, NotFoundError, StoreError, UserError
from notereview.store.models import (
    AccessLogEntry,
    ApiToken,
    AuditOutcome,
    Claim,
    DipSampleDraw,
    DipSampleMember,
    User,
)


class Role(StrEnum):
    auditor = "auditor"
    practice_lead = "practice_lead"
    admin = "admin"
    service = "service"


ROLES: tuple[str, ...] = tuple(role.value for role in Role)


def _now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    """sha256 hex of a bearer token: the only form in which tokens are stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- users and tokens ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user authenticated by one of their tokens."""

    user_id: int
    name: str
    role: str
    teams: tuple[str, ...]
    token_id: int

    def sees_team(self, team: str) -> bool:
        return not self.teams or team in self.teams


@dataclass(frozen=True, slots=True)
class UserInfo:
    user_id: int
    name: str
    role: str
    teams: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None
    token_expires_at: datetime | None
    active_tokens: int


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``token`` is shown once and never stored."""

    user: UserInfo
    token: str
    expires_at: datetime


def add_user(
    engine: Engine,
    name: str,
    role: str,
    teams: Iterable[str] = (),
    expires_days: int = 90,
    now: datetime | None = None,
) -> IssuedToken:
    """Create a user with one role (and optional team scope) and issue their first token."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {list(ROLES)}")
    clean = name.strip()
    if not clean or len(clean) > 128:
        raise UserError("a user name must be 1 to 128 characters")
    moment = now or _now()
    scope = sorted({t.strip() for t in teams if t.strip()})
    try:
        with Session(engine) as session, session.begin():
            user = User(name=clean, role=role, teams=scope, created_at=moment, revoked_at=None)
            session.add(user)
            session.flush()
            user_id = user.id
    except IntegrityError:
        raise UserError(
            f"a user named {clean!r} exists already; choose another name "
            "or issue them a new token with `notereview users token`"
        ) from None
    return issue_token(engine, clean, expires_days=expires_days, now=moment, _user_id=user_id)


def issue_token(
    engine: Engine,
    name: str,
    expires_days: int = 90,
    now: datetime | None = None,
    _user_id: int | None = None,
) -> IssuedToken:
    """A new bearer token for an existing, unrevoked user (their other tokens stay valid)."""
    return _issue(engine, name, expires_days, now, _user_id, rotate=False)


def rotate_token(
    engine: Engine, name: str, expires_days: int = 90, now: datetime | None = None
) -> IssuedToken:
    """A new bearer token for ``name`` and every other token of theirs revoked, at once (one
    transaction): the browser sessions opened with the old tokens end with them."""
    return _issue(engine, name, expires_days, now, None, rotate=True)


def account_of_token(token: str) -> int | None:
    """The user id a token names in its public prefix (``nr<user id>.<secret>``), or None
    (tokens issued before the prefix, or not a token at all). Naming an account is not
    being it: only :func:`authenticate` says whose a token is."""
    match = _TOKEN_PREFIX.match(token)
    return int(match[1]) if match else None


_TOKEN_PREFIX = re.compile(r"nr([1-9][0-9]{0,17})\.")


def _issue(
    engine: Engine,
    name: str,
    expires_days: int,
    now: datetime | None,
    _user_id: int | None,
    *,
    rotate: bool,
) -> IssuedToken:
    if expires_days < 1:
        raise UserError("--expires-days must be at least 1")
    moment = now or _now()
    expires_at = moment + timedelta(days=expires_days)
    with Session(engine) as session, session.begin():
        user = session.scalars(select(User).where(User.name == name)).first()
        if user is None or (_user_id is not None and user.id != _user_id):
            raise NotFoundError(f"no user named {name!r}")
        if user.revoked_at is not None:
            raise UserError(f"user {name!r} is revoked; add a new user instead")
        if rotate:
            session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=moment)
            )
        token = f"nr{user.id}.{secrets.token_urlsafe(32)}"
        session.add(
            ApiToken(
                user_id=user.id,
                token_hash=hash_token(token),
                created_at=moment,
                expires_at=expires_at,
                revoked_at=None,
            )
        )
    info = next(u for u in list_users(engine, now=moment) if u.name == name)
    return IssuedToken(user=info, token=token, expires_at=expires_at)


def revoke_user(engine: Engine, name: str, now: datetime | None = None) -> None:
    """Revoke a user and every token they hold; they can no longer call the API."""
    moment = now or _now()
    with Session(engine) as session, session.begin():
        user = session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFoundError(f"no user named {name!r}")
        if user.revoked_at is None:
            user.revoked_at = moment
        session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=moment)
        )


def list_users(engine: Engine, now: datetime | None = None) -> list[UserInfo]:
    moment = now or _now()
    with Session(engine) as session:
        users = session.scalars(select(User).order_by(User.name)).all()
        tokens = session.execute(
            select(ApiToken.user_id, func.count(), func.max(ApiToken.expires_at))
            .where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > moment)
            .group_by(ApiToken.user_id)
        ).all()
    active = {user_id: (count, latest) for user_id, count, latest in tokens}
    result = []
    for user in users:
        count, latest = active.get(user.id, (0, None))
        if latest is not None and latest.tzinfo is None:
            latest = latest.replace(tzinfo=UTC)
        result.append(
            UserInfo(
                user_id=user.id,
                name=user.name,
                role=user.role,
                teams=tuple(user.teams or ()),
                created_at=user.created_at,
                revoked_at=user.revoked_at,
                token_expires_at=latest,
                active_tokens=count,
            )
        )
    return result


def authenticate(engine: Engine, token: str, now: datetime | None = None) -> Principal | None:
    """The user a bearer token belongs to, or None when it is unknown, expired or revoked."""
    if not token or len(token) > 256:
        return None
    moment = now or _now()
    digest = hash_token(token)
    with Session(engine) as session:
        row = session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).first()
    if row is None:
        hmac.compare_digest(digest, "0" * 64)  # same work whether or not the token exists
        return None
    stored, user = row
    if not hmac.compare_digest(stored.token_hash, digest):
        return None
    if stored.revoked_at is not None or user.revoked_at is not None:
        return None
    if stored.expires_at <= moment:
        return None
    return Principal(
        user_id=user.id,
        name=user.name,
        role=user.role,
        teams=tuple(user.teams or ()),
        token_id=stored.id,
    )


# --- claims --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimInfo:
    child_id: str
    user_id: int
    user_name: str
    claimed_at: datetime
    expires_at: datetime


def claim_file(
    engine: Engine,
    child_id: str,
    user_id: int,
    hours: float = 4.0,
    now: datetime | None = None,
) -> tuple[ClaimInfo, bool]:
    """Claim a child's file for ``hours``. Returns ``(claim, created)``; ``created`` is False
    when the caller already held it (the claim is extended).

    One statement decides (INSERT ... ON CONFLICT DO UPDATE ... WHERE the old claim expired or
    is the caller's), so of two auditors claiming at the same moment exactly one wins; the
    other gets :class:`ClaimConflictError`."""
    moment = now or _now()
    expires_at = moment + timedelta(hours=hours)
    table = Claim.__table__
    dialect = engine.dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(table)
    elif dialect == "sqlite":
        stmt = sqlite_insert(table)
    else:
        raise StoreError(f"claims need SQLite or PostgreSQL, not {dialect}")
    stmt = stmt.values(child_id=child_id, user_id=user_id, claimed_at=moment, expires_at=expires_at)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.child_id],
        set_={
            "user_id": stmt.excluded.user_id,
            "claimed_at": stmt.excluded.claimed_at,
            "expires_at": stmt.excluded.expires_at,
        },
        where=(table.c.expires_at <= moment) | (table.c.user_id == user_id),
    ).returning(table.c.user_id)
    with Session(engine) as session, session.begin():
        before = session.scalar(
            select(Claim.user_id).where(
                Claim.child_id == child_id, Claim.expires_at > moment, Claim.user_id == user_id
            )
        )
        won = session.execute(stmt).first()
    current = active_claim(engine, child_id, now=moment)
    if won is None or current is None or current.user_id != user_id:
        holder = current.user_name if current else None
        raise ClaimConflictError(
            f"file {child_id!r} is claimed by another auditor until it is released or expires",
            holder=holder,
        )
    return current, before is None


def release_claim(
    engine: Engine, child_id: str, user_id: int, force: bool = False, now: datetime | None = None
) -> None:
    """Release a claim held by ``user_id`` (any claim when ``force``)."""
    moment = now or _now()
    with Session(engine) as session, session.begin():
        claim = session.get(Claim, child_id, with_for_update=True)
        if claim is None or claim.expires_at <= moment:
            raise NotFoundError(f"file {child_id!r} is not claimed")
        if claim.user_id != user_id and not force:
            raise ClaimConflictError(f"file {child_id!r} is claimed by another auditor")
        session.delete(claim)


def active_claim(engine: Engine, child_id: str, now: datetime | None = None) -> ClaimInfo | None:
    return active_claims(engine, now=now, child_ids=[child_id]).get(child_id)


def active_claims(
    engine: Engine, now: datetime | None = None, child_ids: Collection[str] | None = None
) -> dict[str, ClaimInfo]:
    """child_id → the claim on it, for claims that have not expired."""
    moment = now or _now()
    query = (
        select(Claim, User.name)
        .join(User, User.id == Claim.user_id)
        .where(Claim.expires_at > moment)
    )
    if child_ids is not None:
        query = query.where(Claim.child_id.in_(sorted(set(child_ids))))
    with Session(engine) as session:
        rows = session.execute(query).all()
    return {
        claim.child_id: ClaimInfo(
            claim.child_id, claim.user_id, name, claim.claimed_at, claim.expires_at
        )
        for claim, name in rows
    }


# --- dip samples ---------------------------------------------------------------------------


def record_dip_sample(
    engine: Engine,
    run_id: int,
    size: int,
    seed: int,
    team_scope: Iterable[str],
    drawn_by: int,
    members: Iterable[tuple[str, str, str]],
    now: datetime | None = None,
) -> int:
    """Keep a drawn dip sample (members are (child_id, team, legal_status)); drawing the same
    sample again returns the id of the first draw."""
    scope = ",".join(sorted(set(team_scope)))
    moment = now or _now()

    def existing() -> int | None:
        with Session(engine) as session:
            return session.scalar(
                select(DipSampleDraw.id).where(
                    DipSampleDraw.run_id == run_id,
                    DipSampleDraw.size == size,
                    DipSampleDraw.seed == seed,
                    DipSampleDraw.team_scope == scope,
                )
            )

    found = existing()
    if found is not None:
        return found
    try:
        with Session(engine) as session, session.begin():
            draw = DipSampleDraw(
                run_id=run_id,
                size=size,
                seed=seed,
                team_scope=scope,
                drawn_by=drawn_by,
                drawn_at=moment,
            )
            session.add(draw)
            session.flush()
            session.add_all(
                DipSampleMember(sample_id=draw.id, child_id=c, team=t, legal_status=s)
                for c, t, s in members
            )
            return draw.id
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found


def dip_sample_containing(
    engine: Engine, run_id: int, child_id: str, sample_id: int | None = None
) -> int | None:
    """The id of a dip sample drawn on ``run_id`` that holds ``child_id`` (``sample_id`` if
    given and it holds the child; otherwise the newest such sample), or None."""
    query = (
        select(DipSampleDraw.id)
        .join(DipSampleMember, DipSampleMember.sample_id == DipSampleDraw.id)
        .where(DipSampleDraw.run_id == run_id, DipSampleMember.child_id == child_id)
    )
    if sample_id is not None:
        query = query.where(DipSampleDraw.id == sample_id)
    with Session(engine) as session:
        return session.scalar(query.order_by(DipSampleDraw.id.desc()).limit(1))


# --- audit outcomes ------------------------------------------------------------------------


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


def latest_audits(engine: Engine, dip_sample_only: bool = False) -> list[AuditRecord]:
    """The newest audit of each child's file (only random-sample audits if asked)."""
    query = select(AuditOutcome).order_by(AuditOutcome.child_id, AuditOutcome.id.desc())
    if dip_sample_only:
        query = query.where(AuditOutcome.from_dip_sample.is_(True))
    seen: set[str] = set()
    result = []
    with Session(engine) as session:
        for audit in session.scalars(query):
            if audit.child_id in seen:
                continue
            seen.add(audit.child_id)
            result.append(_audit_record(audit))
    return result


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


# --- access log (append-only: there is deliberately no update or delete here) --------------


@dataclass(frozen=True, slots=True)
class AccessEvent:
    at: datetime
    user_id: int | None
    action: str
    method: str
    route: str
    child_id: str | None
    status: int
    client_ip: str | None


def log_access(engine: Engine, event: AccessEvent) -> None:
    """Append one entry to the access log, in its own transaction."""
    with Session(engine) as session, session.begin():
        session.add(
            AccessLogEntry(
                at=event.at,
                user_id=event.user_id,
                action=event.action,
                method=event.method,
                route=event.route,
                child_id=event.child_id,
                status=event.status,
                client_ip=event.client_ip,
            )
        )


def read_access_log(engine: Engine, limit: int = 100) -> list[AccessEvent]:
    """The newest ``limit`` entries, newest first."""
    with Session(engine) as session:
        rows = session.scalars(
            select(AccessLogEntry).order_by(AccessLogEntry.id.desc()).limit(limit)
        ).all()
        return [
            AccessEvent(
                r.at, r.user_id, r.action, r.method, r.route, r.child_id, r.status, r.client_ip
            )
            for r in rows
        ]
