"""A table file's columns: which file column is each contract column (the mapping, then the
name ignoring case and spaces), the messages when one is missing, where a workbook's cells
are (for messages), and what the run's notes say about a table."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from notereview.errors import ExtractError
from notereview.extract._crosscheck import TablePass
from notereview.extract._mapping import ColumnMapping
from notereview.extract._model import QuarantinedRow
from notereview.extract._readers import (
    ExtractContainer,
    TableFile,
    column_letter,
    format_of,
    open_csv,
    open_jsonl,
    open_parquet,
    open_xlsx,
    split_location,
)
from notereview.extract._schema import CONTRACT_TABLES, ONE_OF, TABLE_SPECS, Kind
from notereview.extract._validate import parse_date

_MAX_NAMES_SHOWN = 30
_NAME_LIKE = re.compile(r"[^\r\n]{1,64}\Z")
_NUMBERISH = re.compile(r"[\d\s./:+-]+\Z")


def _plausible_name(name: str) -> bool:
    """A column name we may print: short, one line, not a date or number (a header-less file
    would otherwise put a data row, with names and dates of birth, into the message)."""
    if not _NAME_LIKE.match(name) or _NUMBERISH.match(name):
        return False
    return parse_date(name.strip(), True) is None


def table_notes(
    tf: Any, column_of: Mapping[str, str | None], tp: TablePass, extra: Mapping[str, Any]
) -> dict[str, Any]:
    """What the run's notes say about one table file (``tf``: anything with ``file_name``,
    ``fmt``, ``encoding`` and ``columns``): where each column came from, the columns left
    unused (those whose names may be printed), what cleaning did, and the reader's ``extra``."""
    used = {s for s in column_of.values() if s is not None}
    located = sheet_columns(tf, column_of)
    return {
        "file": tf.file_name,
        "format": tf.fmt,
        "encoding": tf.encoding,
        "columns": {c: s for c, s in column_of.items() if s is not None},
        "extra_columns": [c for c in tf.columns if c not in used and _plausible_name(c)],
        **tp.tally.as_notes(),
        **extra,
        **({"sheet_columns": located} if located else {}),
    }


def _found_list(columns: list[str]) -> str:
    """The column names found, for an error message; none at all when any of them looks like
    data (a date, a number, long text), because then the "header" is probably a data row."""
    if not all(_plausible_name(c) for c in columns):
        return (
            "the first row holds dates, numbers or long text rather than column names, "
            "so it is not shown: is the header row missing?"
        )
    text = ", ".join(columns[:_MAX_NAMES_SHOWN]) or "no column names"
    if len(columns) > _MAX_NAMES_SHOWN:
        text += f", and {len(columns) - _MAX_NAMES_SHOWN} more"
    return text


def resolve_columns(tf: TableFile, mapping: ColumnMapping) -> dict[str, str | None]:
    """Contract column -> the file's column (exact name first, then ignoring case and
    surrounding spaces). Raises ExtractError for a missing required column; for a workbook
    sheet, the message starts with the workbook, the sheet and its header row."""
    try:
        return _resolve_columns(tf, mapping)
    except ExtractError as exc:
        where = sheet_header_where(getattr(tf, "extra", None) or {})
        if where is None:
            raise
        raise ExtractError(f"{where}: {exc}") from None


def sheet_header_where(extra: Mapping[str, Any]) -> str | None:
    """'workbook W, sheet 'S', row N (the header row)' for a sheet's reader notes, else None."""
    if "sheet" not in extra:
        return None
    row = extra.get("header_row")
    at = f", row {row} (the header row)" if row is not None else " (an empty sheet)"
    return f"workbook {extra['workbook']}, sheet '{extra['sheet']}'{at}"


def _resolve_columns(tf: TableFile, mapping: ColumnMapping) -> dict[str, str | None]:
    table = tf.table
    spec = TABLE_SPECS[table]
    exact = set(tf.columns)
    folded: dict[str, str] = {}
    for name in tf.columns:
        folded.setdefault(name.strip().casefold(), name)
    column_of: dict[str, str | None] = {}
    for column in spec.column_names:
        wanted = mapping.source_column(table, column)
        column_of[column] = wanted if wanted in exact else folded.get(wanted.strip().casefold())
    if not tf.header_known:
        return column_of
    for col in spec.columns:
        if col.required and column_of[col.name] is None:
            raise ExtractError(_missing_column(tf, mapping, col.name))
    group = ONE_OF.get(table)
    if group and all(column_of[c] is None for c in group):
        keys = " or ".join(f"tables.{table}.columns.{c}" for c in group)
        names = " nor ".join(f"'{mapping.source_column(table, c)}'" for c in group)
        raise ExtractError(
            f"table '{table}' has neither column {names} (found: {_found_list(tf.columns)}). "
            f"Map one of them in the mapping file under {keys}"
        )
    return column_of


def _missing_column(tf: TableFile, mapping: ColumnMapping, column: str) -> str:
    table = tf.table
    wanted = mapping.source_column(table, column)
    found = _found_list(tf.columns)
    key = f"tables.{table}.columns.{column}"
    if wanted == column:
        return (
            f"table '{table}' has no column '{column}' (found: {found}). "
            f"Map it in the mapping file under {key}"
        )
    return (
        f"table '{table}' has no column '{wanted}' (mapped from '{column}') (found: {found}). "
        f"Correct it in the mapping file under {key}"
    )


def missing_table(box: ExtractContainer, table: str, stem: str) -> str:
    names = box.names
    shown = ", ".join(names[:20]) + (f", and {len(names) - 20} more" if len(names) > 20 else "")
    return (
        f"required table '{table}' not found in extract {box.path}: expected {stem}.csv, "
        f"{stem}.parquet, {stem}.jsonl, {stem}.xlsx or a workbook sheet named {stem} (found "
        f"files: {shown or 'none'}). If the export names it differently, set "
        f"tables.{table}.file (and .sheet) in the mapping file"
    )


def locate_tables(box: ExtractContainer, mapping: ColumnMapping) -> dict[str, str | None]:
    """Where each contract table is in the extract: a file, or a workbook's sheet."""
    return {
        t: box.find_table(t, mapping.file_stem(t), mapping.sheet_name(t)) for t in CONTRACT_TABLES
    }


def open_table(
    box: ExtractContainer, table: str, file_name: str, mapping: ColumnMapping
) -> TableFile:
    fmt = format_of(file_name)
    if fmt in ("parquet", "xlsx"):
        wanted = {mapping.source_column(table, c) for c in TABLE_SPECS[table].column_names}
        if fmt == "xlsx":
            book = split_location(file_name)[0]
            return open_xlsx(table, file_name, box.open_binary(book), wanted, DATE_COLUMNS[table])
        return open_parquet(table, file_name, box.open_binary(file_name), wanted)
    data = box.read_bytes(file_name)
    if fmt == "csv":
        return open_csv(table, file_name, data)
    return open_jsonl(table, file_name, data)


#: The contract columns holding dates, per table: in a workbook, numbers there are Excel dates.
DATE_COLUMNS: dict[str, frozenset[str]] = {
    t: frozenset(c.name for c in spec.columns if c.kind in (Kind.DATE, Kind.DOB))
    for t, spec in TABLE_SPECS.items()
}


def sheet_columns(tf: Any, column_of: Mapping[str, str | None]) -> dict[str, str]:
    """Contract column -> where it is in a workbook sheet ("C 'Contact Date'"), for messages."""
    sheet = getattr(tf, "_sheet", None)
    if sheet is None:
        return {}
    index = sheet.column_index()
    out: dict[str, str] = {}
    for column, source in column_of.items():
        if source is not None and source in index:
            out[column] = f"{column_letter(index[source])} '{source}'"
    return out


_COLUMN_WORD = re.compile(r"[a-z_]+")


def locate_reason(reason: str, table: str, note: Mapping[str, Any], row_number: int) -> str:
    """A quarantined row's reason with the workbook, sheet, row and column it came from, on one
    line (tables read from CSV, Parquet or JSON Lines: the reason as it is)."""
    if "sheet" not in note:
        return reason
    columns = note.get("sheet_columns") or {}
    known = set(TABLE_SPECS[table].column_names) if table in TABLE_SPECS else set()
    parts = []
    for part in reason.split("; "):
        named = next((w for w in _COLUMN_WORD.findall(part) if w in known and w in columns), None)
        parts.append(f"{part} (column {columns[named]})" if named is not None else part)
    return f"workbook {note['workbook']}, sheet '{note['sheet']}', row {row_number}: " + "; ".join(
        parts
    )


def locate_quarantine(
    quarantine: list[QuarantinedRow], notes: Mapping[str, Any]
) -> list[QuarantinedRow]:
    """The quarantine with each row from a workbook sheet located (see :func:`locate_reason`)."""
    return [
        replace(q, reason=locate_reason(q.reason, q.table, notes.get(q.table) or {}, q.row_number))
        if "sheet" in (notes.get(q.table) or {})
        else q
        for q in quarantine
    ]
