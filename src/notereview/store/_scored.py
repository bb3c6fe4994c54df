"""Batch scoring's use of the store: the cache of scored case files, and a run written chunk by
chunk (so that a run of any size is stored without holding its tables in memory)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notereview.store._errors import StoreError
from notereview.store._runs import (
    RUN_COLUMNS,
    RunWriteResult,
    _insert_tables,
    _rows,
    new_run,
    run_key,
    stored_run_id,
)
from notereview.store.models import Run, ScoredFile

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
    """Store (file_key, child_id, content_hash, payload) entries not stored yet; how many new."""
    entries = list(entries)
    if not entries:
        return 0
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        keys = [e[0] for e in entries]
        existing: set[str] = set()
        for i in range(0, len(keys), _BATCH):
            existing.update(
                session.scalars(
                    select(ScoredFile.file_key).where(ScoredFile.file_key.in_(keys[i : i + _BATCH]))
                )
            )
        new = {
            key: {"file_key": key, "child_id": child_id, "content_hash": content_hash,
                  "payload": payload, "created_at": now}
            for key, child_id, content_hash, payload in entries
            if key not in existing
        }  # fmt: skip
        if new:
            session.execute(ScoredFile.__table__.insert(), list(new.values()))  # type: ignore[attr-defined]
    return len(new)


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
    key = run_key(run_info)
    existing = stored_run_id(engine, key)
    if existing is not None:
        return RunWriteResult(run_id=existing, created=False)
    run = new_run(key, run_info)
    try:
        with Session(engine) as session, session.begin():
            session.add(run)
            session.flush()
            run_id = run.id
            first = True
            for chunk in chunks:
                tables = dict(chunk)
                tables.setdefault("cases", [])
                tables.setdefault("criteria", [])
                tables["quarantine"] = quarantine if first else []
                tables["reconciliation"] = (
                    reconciliation if first and reconciliation is not None else []
                )
                tables["monitoring"] = monitoring if first and monitoring is not None else []
                first = False
                _insert_tables(session, run_id, {n: _rows(tables, n) for n in RUN_COLUMNS})
            if first:
                empty = {n: [] for n in RUN_COLUMNS}
                empty["quarantine"] = _rows({"quarantine": quarantine}, "quarantine")
                if reconciliation is not None:
                    empty["reconciliation"] = _rows(
                        {"reconciliation": reconciliation}, "reconciliation"
                    )
                if monitoring is not None:
                    empty["monitoring"] = _rows({"monitoring": monitoring}, "monitoring")
                _insert_tables(session, run_id, empty)
    except IntegrityError:
        with Session(engine) as session:
            existing = session.scalar(select(Run.id).where(Run.run_key == key))
        if existing is None:
            raise StoreError(
                "the run could not be stored: a table repeats a key (child_id, criterion, "
                "visit_id, action_id or record_id)"
            ) from None
        return RunWriteResult(run_id=existing, created=False)
    return RunWriteResult(run_id=run_id, created=True)
