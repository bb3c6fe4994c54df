"""The request rate limit in the database: every worker process of the service counts toward
the same limit (process memory would let each worker allow its own share).

Requests are counted per key and per minute; the limit is a sliding window of one minute,
estimated from this minute's count and the last minute's weighted by how much of it still
falls inside the window (the usual sliding-window counter). A refused request counts too, so a
client that keeps calling while refused stays refused. Old minutes are removed as new ones
begin. On PostgreSQL the count commits without waiting for its WAL flush (``synchronous_commit
off``, this transaction only): a count is bookkeeping that a database crash may lose without
harm, and waiting for the disk cost every request 4 ms.
"""

from __future__ import annotations

import math

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from notereview.store.models import RateLimitHits

#: Seconds in a rate-limit window.
WINDOW_S = 60
#: PostgreSQL: this transaction's commit does not wait for the WAL to reach the disk.
_ASYNC_COMMIT = text("SET LOCAL synchronous_commit TO OFF")


def commit_without_flush(session: Session) -> None:
    """Let this transaction's commit skip waiting for the disk, on PostgreSQL (elsewhere
    nothing): for bookkeeping that a database crash may lose without harm."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(_ASYNC_COMMIT)


def count_request(engine: Engine, key: str, now_s: float, per_minute: int) -> tuple[bool, int]:
    """Count one request for ``key`` at ``now_s`` (seconds since the epoch): (allowed, seconds
    to wait when not). ``per_minute`` 0 or less: no limit, nothing counted."""
    if per_minute <= 0:
        return True, 0
    key = key[:160]
    window = int(now_s // WINDOW_S)
    into = (now_s - window * WINDOW_S) / WINDOW_S
    dialect = engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    add = (
        insert(RateLimitHits)
        .values(key=key, window=window, hits=1)
        .on_conflict_do_update(
            index_elements=[RateLimitHits.key, RateLimitHits.window],
            set_={"hits": RateLimitHits.hits + 1},
        )
        .returning(RateLimitHits.hits)
    )
    with Session(engine) as session, session.begin():
        commit_without_flush(session)
        hits = int(session.execute(add).scalar_one())
        earlier = session.scalar(
            select(RateLimitHits.hits).where(
                RateLimitHits.key == key, RateLimitHits.window == window - 1
            )
        )
        if hits == 1:  # a new minute for this key: forget every key's minutes before the last
            session.execute(delete(RateLimitHits).where(RateLimitHits.window < window - 1))
    estimate = (earlier or 0) * (1 - into) + hits
    if estimate <= per_minute:
        return True, 0
    # the last minute's share falls away as the window slides; this minute's stays till its end
    if hits > per_minute:
        wait = (window + 1) * WINDOW_S - now_s
    else:
        left = (estimate - per_minute) / earlier if earlier else 0.0
        wait = left * WINDOW_S
    return False, max(1, math.ceil(wait))
