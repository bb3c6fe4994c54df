"""Who is auditing which file (claims, so two auditors never read the same file at once) and
the dip samples drawn and recorded."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notereview.store._clock import _now
from notereview.store._errors import ClaimConflictError, NotFoundError, StoreError
from notereview.store.models import Claim, DipSampleDraw, DipSampleMember, User


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
