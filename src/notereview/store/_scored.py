"""Batch scoring's use of the store: the cache of scored case files, and a run written chunk by
chunk (so that a run of any size is stored without holding its tables in memory)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from notereview.store._runs import (
    RUN_COLUMNS,
    RunWriteResult,
    _insert_tables,
    _rows,
    store_new_run,
)
from notereview.store.models import ScoredFile

_BATCH = 500


def cached_results(engine: Engine, file_keys: Sequence[str]) -> dict[str, bytes]:
    """file_key → the stored rows of a case file scored before (only the keys found)."""
    found: dict[str, bytes] = {}
    with Session(engine) as session:
        for i in range(0, len(file_keys), _BATCH):
            part = list(file_keys[i : i + _BATCH])
            query = select(ScoredFile.file_key, ScoredFile.payload).where(
                ScoredFile.file_key.in_(part)
            )
            for key, payload in session.execute(query):
                found[key] = payload
    return found


def remember_results(engine: Engine, entries: Iterable[tuple[str, str, str, bytes]]) -> int:
    """Store (file_key, child_id, content_hash, payload) entries not stored yet; how many new.
    Two runs scoring the same files at once may both find a key missing: the insert skips a
    key the other stored meanwhile instead of failing on it."""
    entries = list(entries)
    if not entries:
        return 0
    now = datetime.now(UTC)
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with Session(engine) as session, session.begin():
        existing = _stored_keys(session, [e[0] for e in entries])
        new = {
            key: {"file_key": key, "child_id": child_id, "content_hash": content_hash,
                  "payload": payload, "created_at": now}
            for key, child_id, content_hash, payload in entries
            if key not in existing
        }  # fmt: skip
        if new:
            skip_stored = insert(ScoredFile).on_conflict_do_nothing(index_elements=["file_key"])
            session.execute(skip_stored, list(new.values()))
    return len(new)


def _stored_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), _BATCH):
        part = keys[i : i + _BATCH]
        found.update(
            session.scalars(select(ScoredFile.file_key).where(ScoredFile.file_key.in_(part)))
        )
    return found


def write_run_parts(
    engine: Engine,
    run_info: Mapping[str, Any],
    chunks: Iterable[Mapping[str, Any]],
    quarantine: Any,
    reconciliation: Any = None,
    monitoring: Any = None,
) -> RunWriteResult:
    """Like :func:`write_run`, with the run's tables given as chunks (each a mapping of table
    name to rows, as write_run takes them) and the quarantine and the reconciliation (both
    small) apart; one transaction.
    Writing the same extract fingerprint, as-of and versions again changes nothing."""
    small = {
        "quarantine": quarantine,
        "reconciliation": [] if reconciliation is None else reconciliation,
        "monitoring": [] if monitoring is None else monitoring,
    }

    def fill(session: Session, run_id: int) -> None:
        first = {"cases": [], "criteria": [], **small}
        _insert_tables(session, run_id, {n: _rows(first, n) for n in RUN_COLUMNS})
        for chunk in chunks:
            tables = {"cases": [], "criteria": [], **chunk, **{name: [] for name in small}}
            _insert_tables(session, run_id, {n: _rows(tables, n) for n in RUN_COLUMNS})

    return store_new_run(engine, run_info, fill)
