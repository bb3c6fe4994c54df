"""Users and their tokens: adding, issuing, rotating, revoking and authenticating.

Claims and dip samples (``_claims``), audit outcomes (``_audits``) and the access log
(``_access_log``) live apart and are named here too, where ``notereview.store`` reads them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notereview.store._access_log import AccessEvent, log_access, read_access_log
from notereview.store._audits import (
    AuditRecord,
    add_audit,
    audits_mark,
    last_audited,
    latest_audits,
)
from notereview.store._claims import (
    ClaimInfo,
    active_claim,
    active_claims,
    claim_file,
    dip_sample_containing,
    record_dip_sample,
    release_claim,
)
from notereview.store._clock import _now
from notereview.store._errors import NotFoundError, UserError
from notereview.store.models import ApiToken, User


class Role(StrEnum):
    auditor = "auditor"
    practice_lead = "practice_lead"
    admin = "admin"
    service = "service"


ROLES: tuple[str, ...] = tuple(role.value for role in Role)


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


__all__ = [
    "ROLES",
    "AccessEvent",
    "AuditRecord",
    "ClaimInfo",
    "IssuedToken",
    "Principal",
    "Role",
    "UserInfo",
    "account_of_token",
    "active_claim",
    "active_claims",
    "add_audit",
    "add_user",
    "audits_mark",
    "authenticate",
    "claim_file",
    "dip_sample_containing",
    "hash_token",
    "issue_token",
    "last_audited",
    "latest_audits",
    "list_users",
    "log_access",
    "read_access_log",
    "record_dip_sample",
    "release_claim",
    "revoke_user",
    "rotate_token",
]
