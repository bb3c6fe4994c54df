"""What the service reads again and again from a stored run, kept in the process.

A stored run is written once and never changed (a purge removes it whole), so what is worked
out from one run (every child's scores, the criteria's statuses, the per-team shares) can be
kept and shared by every request. The key holds the run's id and its content key: SQLite may
reuse an id after a purge, and that is then another key. Per engine and per pool, the newest
few entries are kept (least recently used first out): a pool of many small things (case
files) or of things that change often (estimates after each audit) never pushes a run's scores
out. Nothing here is logged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from notereview.store.models import Run

T = TypeVar("T")
#: Entries kept per engine: a handful of runs, each with a few team scopes.
KEPT = 32
_kept: WeakKeyDictionary[Engine, dict[str, OrderedDict[Hashable, Any]]] = WeakKeyDictionary()
_lock = Lock()


def run_key_of(engine: Engine, run_id: int) -> str | None:
    """The run's content key, or None when there is no such run."""
    with Session(engine) as session:
        return session.scalar(select(Run.run_key).where(Run.id == run_id))


def kept(
    engine: Engine,
    key: Hashable,
    compute: Callable[[], T],
    *,
    pool: str = "runs",
    size: int = KEPT,
    stale: Callable[[T], bool] | None = None,
) -> T:
    """The value for ``key`` (which must name the run's id and content key), worked out once
    per process by ``compute`` and kept among the ``size`` newest of its ``pool``; worked out
    again where ``stale`` says the kept one is. Callers must not change what they are given."""
    with _lock:
        entries = _kept.setdefault(engine, {}).setdefault(pool, OrderedDict())
        if key in entries:
            entries.move_to_end(key)
            held: T = entries[key]
            if stale is None or not stale(held):
                return held
    value = compute()
    with _lock:
        entries[key] = value
        while len(entries) > size:
            entries.popitem(last=False)
    return value
