"""What the web pages keep: browser sessions, Focus on Practice weeks, and the share of files
meeting each criterion per run and team (the practice trends)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, case, func, select, update
from sqlalchemy.orm import Session

from notereview.checks import THEMES
from notereview.store._cache import kept
from notereview.store._errors import NotFoundError, StoreError
from notereview.store._people import Principal
from notereview.store._ratelimit import commit_without_flush
from notereview.store.models import (
    ApiToken,
    CaseScore,
    CriterionFinding,
    FocusWeek,
    Run,
    User,
    WebSession,
)

FOCUS_THEMES: tuple[str, ...] = THEMES  # a Focus on Practice week is about one rubric theme


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- sessions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebSessionInfo:
    """A live session: who, and the CSRF token every form of the session must carry.
    ``session_id`` is only set when the session is opened (it is never stored)."""

    principal: Principal
    csrf_token: str
    expires_at: datetime
    session_id: str = ""


def open_session(
    engine: Engine, principal: Principal, lifetime: timedelta, now: datetime | None = None
) -> WebSessionInfo:
    """Open a browser session for a user who signed in with one of their tokens. The session
    ends at ``now + lifetime`` at the latest (and with the token, or the user, if earlier)."""
    moment = now or _now()
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires_at = moment + lifetime
    with Session(engine) as session, session.begin():
        token = session.get(ApiToken, principal.token_id)
        if token is None:
            raise NotFoundError("the token that signed in no longer exists")
        expires_at = min(expires_at, _aware(token.expires_at))
        session.add(
            WebSession(
                id_hash=_digest(session_id),
                user_id=principal.user_id,
                token_id=principal.token_id,
                csrf_token=csrf,
                created_at=moment,
                last_seen_at=moment,
                expires_at=expires_at,
                ended_at=None,
            )
        )
    return WebSessionInfo(principal, csrf, expires_at, session_id)


def session_user(
    engine: Engine, session_id: str, idle: timedelta, now: datetime | None = None
) -> WebSessionInfo | None:
    """The live session for a session id, or None when it is unknown, ended, past its absolute
    lifetime, idle for longer than ``idle``, or its token or user was revoked. A live session's
    idle clock restarts."""
    if not session_id or len(session_id) > 256:
        return None
    moment = now or _now()
    digest = _digest(session_id)
    with Session(engine) as session, session.begin():
        commit_without_flush(session)  # last_seen_at is bookkeeping
        row = session.execute(
            select(WebSession, ApiToken, User)
            .join(ApiToken, ApiToken.id == WebSession.token_id)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id_hash == digest)
        ).first()
        if row is None:
            hmac.compare_digest(digest, "0" * 64)
            return None
        web, token, user = row
        if (
            web.ended_at is not None
            or _aware(web.expires_at) <= moment
            or _aware(web.last_seen_at) + idle <= moment
            or token.revoked_at is not None
            or _aware(token.expires_at) <= moment
            or user.revoked_at is not None
        ):
            return None
        web.last_seen_at = moment
        principal = Principal(
            user_id=user.id,
            name=user.name,
            role=user.role,
            teams=tuple(user.teams or ()),
            token_id=token.id,
        )
        return WebSessionInfo(principal, web.csrf_token, _aware(web.expires_at))


def end_session(engine: Engine, session_id: str, now: datetime | None = None) -> None:
    """Sign out: the session id no longer works (ending an unknown session does nothing)."""
    moment = now or _now()
    with Session(engine) as session, session.begin():
        session.execute(
            update(WebSession)
            .where(WebSession.id_hash == _digest(session_id), WebSession.ended_at.is_(None))
            .values(ended_at=moment)
        )


# --- Focus on Practice weeks ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FocusWeekInfo:
    week_id: int
    starts_on: date
    ends_on: date
    theme: str
    title: str


def add_focus_week(
    engine: Engine,
    starts_on: date,
    ends_on: date,
    theme: str,
    title: str,
    created_by: int,
    now: datetime | None = None,
) -> FocusWeekInfo:
    """Record a Focus on Practice week on one theme."""
    if theme not in FOCUS_THEMES:
        raise StoreError(f"unknown theme {theme!r}; use one of {list(FOCUS_THEMES)}")
    if ends_on < starts_on:
        raise StoreError("a Focus on Practice week must end on or after the day it starts")
    if (ends_on - starts_on).days > 31:
        raise StoreError("a Focus on Practice week may last at most 31 days")
    clean = " ".join(title.split())[:200]
    if not clean:
        raise StoreError("a Focus on Practice week needs a title")
    with Session(engine) as session, session.begin():
        week = FocusWeek(
            starts_on=starts_on,
            ends_on=ends_on,
            theme=theme,
            title=clean,
            created_by=created_by,
            created_at=now or _now(),
        )
        session.add(week)
        session.flush()
        return FocusWeekInfo(week.id, starts_on, ends_on, theme, clean)


def list_focus_weeks(engine: Engine) -> list[FocusWeekInfo]:
    with Session(engine) as session:
        weeks = session.scalars(select(FocusWeek).order_by(FocusWeek.starts_on, FocusWeek.id))
        return [FocusWeekInfo(w.id, w.starts_on, w.ends_on, w.theme, w.title) for w in weeks]


def delete_focus_week(engine: Engine, week_id: int) -> None:
    with Session(engine) as session, session.begin():
        week = session.get(FocusWeek, week_id)
        if week is None:
            raise NotFoundError(f"no Focus on Practice week with id {week_id}")
        session.delete(week)


# --- practice trends -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CriterionShare:
    """How many of a team's files met a criterion in one run, of those where it applies."""

    run_id: int
    as_of: date
    team: str
    criterion: str
    theme: str
    met: int
    applicable: int


def criterion_shares(engine: Engine, runs: int = 52) -> list[CriterionShare]:
    """Per run (the newest ``runs``), team and criterion: files meeting it and files where it
    applies. Counts only: no child, worker or text leaves the database. Each run's counts are
    worked out once per process and kept (``store._cache``: a run never changes)."""
    with Session(engine) as session:
        newest = session.execute(
            select(Run.id, Run.run_key).order_by(Run.as_of.desc(), Run.id.desc()).limit(runs)
        ).all()
    shares: list[CriterionShare] = []
    for run_id, run_key in newest:
        shares += kept(
            engine, ("criterion_shares", run_id, run_key), lambda r=run_id: _run_shares(engine, r)
        )
    return sorted(shares, key=lambda c: (c.as_of, c.run_id, c.team, c.criterion))


def _run_shares(engine: Engine, run_id: int) -> tuple[CriterionShare, ...]:
    met = func.sum(case((CriterionFinding.status == "met", 1), else_=0))
    applicable = func.sum(case((CriterionFinding.status != "not_applicable", 1), else_=0))
    with Session(engine) as session:
        rows = session.execute(
            select(
                Run.id,
                Run.as_of,
                CaseScore.team,
                CriterionFinding.criterion,
                CriterionFinding.theme,
                met,
                applicable,
            )
            .join(CriterionFinding, CriterionFinding.run_id == Run.id)
            .join(
                CaseScore,
                (CaseScore.run_id == CriterionFinding.run_id)
                & (CaseScore.child_id == CriterionFinding.child_id),
            )
            .where(Run.id == run_id)
            .group_by(
                Run.id,
                Run.as_of,
                CaseScore.team,
                CriterionFinding.criterion,
                CriterionFinding.theme,
            )
        ).all()
    return tuple(
        CriterionShare(rid, as_of, team, criterion, theme, int(m or 0), int(a or 0))
        for rid, as_of, team, criterion, theme, m, a in rows
    )
