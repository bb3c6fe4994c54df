"""Sign-in throttling in the database: failed sign-ins counted per client address and per
account, shared by every worker process of the service (process memory would let each worker
allow its own share of guesses).

A key is ``address:IP`` or ``account:USER_ID``. Each failure adds one to the key's count in a
window that starts at its first failure; at ``limit`` failures within ``window`` the key is
locked for ``lockout``. A success clears the account's key (never the address's, or a caller
with one good token could reset their address between guesses).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notereview.store.models import SignInFailure


def address_key(ip: str | None) -> str:
    return f"address:{(ip or 'unknown')[:140]}"


def account_key(user_id: int) -> str:
    return f"account:{user_id}"


def sign_in_locked_until(engine: Engine, keys: Iterable[str], now: datetime) -> datetime | None:
    """The latest moment until which any of ``keys`` is locked, or None when none is."""
    keys = list(keys)
    if not keys:
        return None
    with Session(engine) as session:
        until = session.scalar(
            select(func.max(SignInFailure.locked_until)).where(
                SignInFailure.key.in_(keys), SignInFailure.locked_until > now
            )
        )
    return until


def record_sign_in_failure(
    engine: Engine,
    keys: Iterable[str],
    now: datetime,
    *,
    limit: int,
    window: timedelta,
    lockout: timedelta,
) -> datetime | None:
    """Count one failure against each of ``keys``; the moment until which a key is now
    locked (the latest), or None. Safe when several processes fail at once."""
    locked: datetime | None = None
    for key in keys:
        for _attempt in range(3):  # a concurrent first failure of the same key: go again
            try:
                with Session(engine) as session, session.begin():
                    row = session.scalars(
                        select(SignInFailure).where(SignInFailure.key == key).with_for_update()
                    ).first()
                    if row is None:
                        row = SignInFailure(key=key, failures=0, first_failed_at=now)
                        session.add(row)
                    elif row.first_failed_at <= now - window and not (
                        row.locked_until is not None and row.locked_until > now
                    ):
                        row.failures, row.first_failed_at = 0, now
                    row.failures += 1
                    if row.failures >= limit:
                        row.locked_until = now + lockout
                        row.failures, row.first_failed_at = 0, now
                    if row.locked_until is not None and row.locked_until > now:
                        locked = max(locked or row.locked_until, row.locked_until)
                break
            except IntegrityError:
                continue
    return locked


def clear_sign_in_failures(engine: Engine, keys: Iterable[str]) -> None:
    keys = list(keys)
    if keys:
        with Session(engine) as session, session.begin():
            session.execute(delete(SignInFailure).where(SignInFailure.key.in_(keys)))
