"""The store's one clock: timezone-aware UTC now, for every row it stamps."""

from __future__ import annotations

from datetime import UTC, datetime


def _now() -> datetime:
    return datetime.now(UTC)
