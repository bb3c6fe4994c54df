"""Writing a scoring run to the store: its rows cleaned into the declared columns
(:mod:`notereview.batch.tables`), one transaction, idempotent (reading: ``_run_views``)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from notereview._spreadsheet import read_output_csv
from notereview.batch.tables import OUTPUT_TABLES
from notereview.checks import THEMES
from notereview.store._errors import RunConflictError, StoreError
from notereview.store.models import Base, Run

#: Columns a run may lack (written by a version before them): stored as null.
OPTIONAL_COLUMNS = frozenset({"p_inadequate"})
# The columns of each table of a run (CONTRACT.md "What a run writes", plus ``records``),
# from their one declaration.
RUN_COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(table.column_names) for name, table in OUTPUT_TABLES.items()
}
REQUIRED_TABLES: tuple[str, ...] = ("cases", "criteria")
__all__ = ["RUN_COLUMNS", "THEMES", "RunWriteResult", "read_run_dir", "run_key", "write_run"]
_TABLE_FORMATS: tuple[str, ...] = ("parquet", "csv", "jsonl")


@dataclass(frozen=True, slots=True)
class RunWriteResult:
    run_id: int
    created: bool


# --- value cleaning ------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> Any:
    """A plain Python value: numpy scalars unwrapped, NaN/NA/NaT as None."""
    if isinstance(value, list | tuple | dict):
        return value
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()  # numpy scalar or array
        if isinstance(value, list):
            return value
    if _is_missing(value):
        return None
    return value


def _float(value: object) -> float | None:
    value = _plain(value)
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value: object) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _bool(value: object) -> bool | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "t", "yes", "y", "1"}:
            return True
        if lowered in {"false", "f", "no", "n", "0", ""}:
            return False
        return None
    return bool(value)


def _str(value: object) -> str | None:
    value = _plain(value)
    return None if value is None else str(value)


def _json_list(value: object) -> list[Any]:
    value = _plain(value)
    if value is None:
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise StoreError(
                "a JSON column (evidence or reasons) holds text that is not JSON; "
                "write it as a JSON list"
            ) from None
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        raise StoreError("a JSON column (evidence or reasons) is not a list")
    return [_jsonable(item) for item in value]


def _jsonable(value: object) -> Any:
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: object) -> Any:
    plain = _plain(value)
    if plain is not value:
        return plain
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _date(value: object) -> date | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        # numpy datetime64 as epoch nanoseconds (tolist of datetime64[ns])
        return datetime.fromtimestamp(value / 1e9, tz=UTC).date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise StoreError("a date in the run is not ISO 8601 (YYYY-MM-DD)") from None


def _timestamp(value: object) -> datetime | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise StoreError("a timestamp in run_info is not ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _total(value: object) -> int:
    if isinstance(value, Mapping):
        return sum(_int(v) or 0 for v in value.values())
    return _int(value) or 0


def _rows(tables: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    frame = tables.get(name)
    if frame is None:
        if name in REQUIRED_TABLES:
            raise StoreError(f"the run has no {name!r} table; a run needs {list(REQUIRED_TABLES)}")
        return []
    if isinstance(frame, list):
        rows = [dict(row) for row in frame]
        columns = set().union(*(row.keys() for row in rows)) if rows else set(RUN_COLUMNS[name])
    else:
        columns = set(frame.columns)
        rows = frame.to_dict("records")
    missing = [c for c in RUN_COLUMNS[name] if c not in columns and c not in OPTIONAL_COLUMNS]
    if missing:
        raise StoreError(f"the run's {name!r} table lacks the columns {missing}")
    return rows


# --- writing -------------------------------------------------------------------------------


def run_versions(run_info: Mapping[str, Any]) -> dict[str, Any]:
    """The versions that identify how a run was scored: ``versions`` and every key naming a
    version (``rubric_version``, ``policy_version``, ``model_versions``...) or ``models``."""
    versions: dict[str, Any] = {}
    for key, value in run_info.items():
        if key == "versions" and isinstance(value, Mapping):
            versions.update(value)
        elif "version" in key or key == "models":
            versions[key] = value
    return _jsonable(versions)


def run_key(run_info: Mapping[str, Any]) -> str:
    """The identity of a run: extract fingerprint + as-of + versions (sha256 hex)."""
    fingerprint = run_info.get("extract_fingerprint")
    as_of = run_info.get("as_of")
    if not fingerprint or not as_of:
        raise StoreError("run_info needs 'extract_fingerprint' and 'as_of'")
    identity = {
        "extract_fingerprint": str(fingerprint),
        "as_of": _date(as_of).isoformat(),  # type: ignore[union-attr]
        "versions": run_versions(run_info),
    }
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def stored_run_id(engine: Engine, key: str) -> int | None:
    """The id of the run stored under ``key`` (the same extract, as-of and versions), if any."""
    try:
        with Session(engine) as session:
            return session.scalar(select(Run.id).where(Run.run_key == key))
    except OperationalError:
        raise StoreError(
            "the database has no notereview schema; run notereview.store.upgrade(engine) first"
        ) from None


def new_run(key: str, run_info: Mapping[str, Any]) -> Run:
    """The runs row for a run's run.json content (not yet added to a session)."""
    return Run(
        run_key=key,
        extract_fingerprint=str(run_info["extract_fingerprint"]),
        as_of=_date(run_info["as_of"]),
        started_at=_timestamp(run_info.get("started_at")),
        finished_at=_timestamp(run_info.get("finished_at")),
        created_at=datetime.now(UTC),
        versions=run_versions(run_info),
        rows_read=_total(run_info.get("rows_read")),
        rows_scored=_total(run_info.get("rows_scored")),
        rows_quarantined=_total(run_info.get("rows_quarantined")),
        info=_jsonable(dict(run_info)),
    )


def write_run(
    url_or_engine: str | Engine | None,
    run_info: Mapping[str, Any],
    tables: Mapping[str, Any],
) -> RunWriteResult:
    """Store one scoring run in one transaction.

    ``tables`` maps table names (cases, criteria, visits, plan_actions, quarantine, records) to
    pandas DataFrames (or lists of row dicts) with the columns of CONTRACT.md. Writing the same
    extract fingerprint, as-of and versions again changes nothing and returns the stored run
    with ``created=False``."""
    from notereview.store._engine import connect, upgrade

    if isinstance(url_or_engine, Engine):
        return _write_run(url_or_engine, run_info, tables)
    engine = connect(url_or_engine)  # a URL: bring its schema up to date first
    try:
        upgrade(engine)
        return _write_run(engine, run_info, tables)
    finally:
        engine.dispose()


def _without_nul(value: Any) -> Any:
    """``value`` with NUL characters taken out of every string in it (dict keys too): PostgreSQL
    can hold none in text or JSON, and in a score's text one carries nothing."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, Mapping):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value


def _write_run(
    engine: Engine, run_info: Mapping[str, Any], tables: Mapping[str, Any]
) -> RunWriteResult:
    run_info = _without_nul(run_info)
    rows = {name: [_without_nul(r) for r in _rows(tables, name)] for name in RUN_COLUMNS}
    return store_new_run(
        engine, run_info, lambda session, run_id: _insert_tables(session, run_id, rows)
    )


def store_new_run(
    engine: Engine,
    run_info: Mapping[str, Any],
    fill: Callable[[Session, int], None],
) -> RunWriteResult:
    """Add the run of ``run_info`` and let ``fill`` insert its rows, in one transaction; the
    run already stored under the same key (extract, as-of and versions) is returned as it is."""
    key = run_key(run_info)
    existing = stored_run_id(engine, key)
    if existing is not None:
        return RunWriteResult(run_id=existing, created=False)
    run = new_run(key, run_info)
    try:
        with Session(engine) as session, session.begin():
            session.add(run)
            session.flush()
            fill(session, run.id)
            run_id = run.id
    except DataError:
        raise StoreError(
            "the run holds a value the database cannot store (a number out of range, or a "
            "text too long for its column)"
        ) from None
    except IntegrityError:
        return stored_already(engine, key)
    return RunWriteResult(run_id=run_id, created=True)


def stored_already(engine: Engine, key: str) -> RunWriteResult:
    """After an integrity error: the run another writer stored under ``key`` first, or the
    error that the run itself repeats a key."""
    with Session(engine) as session:
        existing = session.scalar(select(Run.id).where(Run.run_key == key))
    if existing is None:
        raise RunConflictError(
            "the run could not be stored: a table repeats a key (child_id, criterion, "
            "visit_id, action_id or record_id)"
        ) from None
    return RunWriteResult(run_id=existing, created=False)


#: Text columns stored as "" where a run has none (the store's column is NOT NULL).
_BLANK_IF_MISSING: dict[str, frozenset[str]] = {
    "quarantine": frozenset({"table", "reason"}),
    "reconciliation": frozenset({"child_id", "item", "finding"}),
    "records": frozenset({"text"}),
}
#: JSON lists whose items are stored as text (a case's reasons).
_TEXT_LISTS: frozenset[tuple[str, str]] = frozenset({("cases", "reasons")})
_CONVERT: dict[str, Any] = {
    "text": _str,
    "number": _float,
    "count": _int,
    "flag": _bool,
    "date": _date,
    "json": _json_list,
}


def _stored_row(name: str, run_id: int, row: Mapping[str, Any]) -> dict[str, Any]:
    """One row of a run's table as the store keeps it (the declaration's kinds and names)."""
    values: dict[str, Any] = {"run_id": run_id}
    blank = _BLANK_IF_MISSING.get(name, frozenset())
    for column in OUTPUT_TABLES[name].columns:
        value = _CONVERT[column.kind](row.get(column.name))
        if (name, column.name) in _TEXT_LISTS:
            value = [str(x) for x in value]
        elif value is None and column.name in blank:
            value = ""
        values[column.stored_as] = value
    return values


def _insert_tables(session: Session, run_id: int, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """Insert a run's rows, table by table in the declaration's order."""
    for name, spec in OUTPUT_TABLES.items():
        values = [_stored_row(name, run_id, r) for r in rows[name]]
        if values:
            table = Base.metadata.tables[spec.sql_table]
            session.execute(table.insert(), values)


def read_run_dir(path: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read what ``notereview score --out DIR`` wrote: ``run.json`` and each table as Parquet,
    CSV or JSON Lines. Returns ``(run_info, tables)`` ready for :func:`write_run`."""
    import pandas as pd

    folder = Path(path)
    info_path = folder / "run.json"
    if not info_path.is_file():
        raise StoreError(f"{folder} has no run.json; point at the folder `notereview score` wrote")
    run_info = json.loads(info_path.read_text(encoding="utf-8"))
    tables: dict[str, Any] = {}
    for name in RUN_COLUMNS:
        for fmt in _TABLE_FORMATS:
            file = folder / f"{name}.{fmt}"
            if not file.is_file():
                continue
            if fmt == "parquet":
                tables[name] = pd.read_parquet(file)
            elif fmt == "csv":
                tables[name] = read_output_csv(
                    file, dtype=str, keep_default_na=False, na_values=[""]
                )
            else:
                tables[name] = pd.read_json(file, lines=True, dtype=False)
            break
    return run_info, tables
