"""Sign-in throttling for the sign-in page and bearer tokens, its counts in the database (see
:mod:`notereview.store` ``record_sign_in_failure``), so that it holds across worker processes.

A failure counts against the client address and, where the token names one in its public
prefix, the account. The address's lock refuses that address's sign-ins and bearer requests;
the account's lock refuses sign-ins to that account on the sign-in page from anywhere (bearer
requests are not refused by an account's lock: anyone who knows an account's id could
otherwise lock a service out of posting its nightly run).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import Engine

from notereview.store import (
    account_key,
    account_of_token,
    address_key,
    clear_sign_in_failures,
    record_sign_in_failure,
    sign_in_locked_until,
)
from notereview_api.settings import Settings


class SignInThrottle:
    """The service's sign-in throttle (``app.state.sign_in_throttle``). Blocking calls: run
    them in a thread from async code."""

    def __init__(self, settings: Settings) -> None:
        self.limit = settings.sign_in_max_failures
        self.window = timedelta(minutes=settings.sign_in_window_minutes)
        self.lockout = timedelta(minutes=settings.sign_in_lockout_minutes)

    @property
    def on(self) -> bool:
        return self.limit > 0

    def keys(self, ip: str | None, token: str | None, *, account: bool = True) -> list[str]:
        keys = [address_key(ip)]
        user_id = account_of_token(token) if token and account else None
        if user_id is not None:
            keys.append(account_key(user_id))
        return keys

    def wait_s(self, engine: Engine, keys: list[str], now: datetime) -> int:
        """Seconds until none of ``keys`` is locked (0: go ahead)."""
        if not self.on:
            return 0
        until = sign_in_locked_until(engine, keys, now)
        return 0 if until is None else max(1, math.ceil((until - now).total_seconds()))

    def failed(self, engine: Engine, keys: list[str], now: datetime) -> None:
        if self.on:
            record_sign_in_failure(
                engine, keys, now, limit=self.limit, window=self.window, lockout=self.lockout
            )

    def succeeded(self, engine: Engine, user_id: int) -> None:
        if self.on:
            clear_sign_in_failures(engine, [account_key(user_id)])
