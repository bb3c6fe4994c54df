"""The ingest: find each table, check its columns, validate every row, account for every row."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from notereview.casefile import Child, Plan
from notereview.errors import ExtractError
from notereview.extract._annexa import AnnexA
from notereview.extract._crosscheck import (
    TablePass,
    cross_check,
    first_quarantined,
    group_by_child,
    infer_as_of,
    refresh_quality_notes,
    settle_plan_types,
)
from notereview.extract._firstseen import FirstSeen
from notereview.extract._mapping import ColumnMapping
from notereview.extract._model import ChildRecords, Extract, QuarantinedRow, TableCount
from notereview.extract._readers import (
    ExtractContainer,
    RawRow,
    TableFile,
    column_letter,
    format_of,
    open_csv,
    open_jsonl,
    open_parquet,
    open_xlsx,
    split_location,
)
from notereview.extract._schema import (
    CONTRACT_TABLES,
    ONE_OF,
    REQUIRED_TABLES,
    TABLE_SPECS,
    Kind,
)
from notereview.extract._validate import (
    RowRules,
    parse_date,
    parse_row,
    record_id_of,
)

_MAX_NAMES_SHOWN = 30
_NAME_LIKE = re.compile(r"[^\r\n]{1,64}\Z")
_NUMBERISH = re.compile(r"[\d\s./:+-]+\Z")


def validate_rows(
    table: str,
    rows: Iterable[RawRow],
    rules: RowRules,
    result: TablePass | None = None,
    first_seen: dict[Any, int] | FirstSeen | None = None,
) -> TablePass:
    """Parse rows of one table (a whole file or a chunk of it; pass the same ``result`` and
    ``first_seen`` to go on with the next chunk). Duplicated ids: later rows are quarantined."""
    result = result if result is not None else TablePass(table)
    first_seen = first_seen if first_seen is not None else {}
    id_column = TABLE_SPECS[table].id_column
    for row in rows:
        result.read += 1
        record, reasons, notes = parse_row(table, row, rules, result.tally)
        record_id = record_id_of(table, id_column, row, rules)
        if row.problem is None:
            key, label = _identity(table, id_column, row, rules)
            if key is not None:
                if key in first_seen:
                    reasons = [*reasons, f"duplicate {label}; first seen at row {first_seen[key]}"]
                else:
                    first_seen[key] = row.row_number
        if reasons or record is None:
            reason = "; ".join(reasons) or "row could not be read"
            result.quarantined.append(QuarantinedRow(table, row.row_number, record_id, reason))
        else:
            result.accepted.append((row.row_number, record))
            if notes:
                result.tally.note(row.row_number, record_id, notes)
    return result


def _identity(table: str, id_column: str | None, row: RawRow, rules: RowRules) -> tuple[Any, str]:
    if id_column is not None:
        value = row.values.get(id_column)
        value = value.strip() if value else None
        return (value or None), id_column
    child_id = (row.values.get("child_id") or "").strip()
    raw_day = (row.values.get("updated_at") or "").strip()
    day = parse_date(raw_day, rules.dayfirst) if raw_day else None
    if not child_id or day is None:
        return None, ""
    return (child_id, day), "genogram (same child_id and updated_at)"


# ------------------------------------------------------------------ columns


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


# ------------------------------------------------------------------ the whole ingest


def read_extract(
    path: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    as_of: date | None = None,
    max_text_chars: int = 100_000,
    annex_a: AnnexA | None = None,
) -> Extract:
    """Read a folder or .zip of contract tables, validate every row, quarantine the rest.

    With ``annex_a`` (a read Annex A return), the return supplies the children table where the
    extract has none; where it has one, the two are compared (``Extract.children_findings``).
    The return's quarantined rows join the quarantine (table ``annex_a``).

    Raises ExtractError only when the extract cannot be read as a whole: it does not exist,
    a required table (children, visits) is missing, a present table lacks a required column,
    or a file cannot be opened at all. Every other problem is a quarantined row.
    """
    if max_text_chars < 1:
        raise ValueError("max_text_chars must be at least 1")
    mapping = mapping if mapping is not None else ColumnMapping()
    rules = RowRules(
        dayfirst=mapping.dayfirst, value_maps=mapping.value_maps(), max_text_chars=max_text_chars
    )
    passes: dict[str, TablePass] = {}
    notes: dict[str, Any] = {}
    with ExtractContainer(path) as box:
        located = locate_tables(box, mapping)
        for table in REQUIRED_TABLES:
            if located[table] is None and not (table == "children" and annex_a is not None):
                raise ExtractError(missing_table(box, table, mapping.file_stem(table)))
        for table in CONTRACT_TABLES:
            file_name = located[table]
            if file_name is None:
                if table == "children" and annex_a is not None:
                    passes[table], notes[table] = children_from_annex(annex_a, rules)
                continue
            tf = open_table(box, table, file_name, mapping)
            column_of = resolve_columns(tf, mapping)
            rows = tf.rows(column_of) if tf.has_data else iter(())
            passes[table] = validate_rows(table, rows, rules)
            notes[table] = table_notes(tf, column_of, passes[table], tf.extra)
            del tf

    run_as_of = as_of if as_of is not None else infer_as_of(passes)
    records = _assemble(passes, run_as_of)
    refresh_quality_notes(notes, passes, ("children", "plans"))

    counts: dict[str, TableCount] = {}
    quarantine: list[QuarantinedRow] = []
    accepted_by_table = _count_accepted(records)
    for table in CONTRACT_TABLES:
        tp = passes.get(table)
        if tp is None:
            counts[table] = TableCount(0, 0, 0)
            continue
        count = TableCount(tp.read, accepted_by_table[table], len(tp.quarantined))
        if count.read != count.accepted + count.quarantined or count.accepted != len(tp.accepted):
            raise RuntimeError(  # an internal bug, never the data's fault
                f"row accounting failed for table {table}: read {count.read}, "
                f"accepted {count.accepted}, quarantined {count.quarantined}"
            )
        counts[table] = count
        quarantine.extend(tp.quarantined)
    quarantine = locate_quarantine(quarantine, notes)
    findings: list[dict[str, Any]] = []
    if annex_a is not None:
        if located["children"] is None:
            quarantine = annex_a.locate_children(quarantine)
        else:
            from notereview.reconciliation import compare_children

            findings = compare_children({c: r.child for c, r in records.items()}, annex_a)
        quarantine.extend(annex_a.quarantine)
    return Extract(
        as_of=run_as_of,
        counts=counts,
        quarantine=quarantine,
        tables_absent=[t for t in CONTRACT_TABLES if t not in passes],
        notes=notes,
        _records=records,
        annex_a=annex_a,
        children_findings=findings,
    )


def children_from_annex(annex: AnnexA, rules: RowRules) -> tuple[TablePass, dict[str, Any]]:
    """The children table's first pass when an Annex A return supplies it: one row a child,
    parsed by the children rules (dates come ISO from the return's reader)."""
    tp = validate_rows("children", annex.children_rows(), replace(rules, value_maps={}))
    note = {
        "file": annex.workbook,
        "format": "annex_a",
        "encoding": None,
        "columns": {},
        "extra_columns": [],
        **tp.tally.as_notes(),
        "annex_a_lists": {k: v["sheet"] for k, v in annex.lists.items()},
    }
    return tp, note


def _assemble(passes: dict[str, TablePass], as_of: date) -> dict[str, ChildRecords]:
    """Second step over every table in dependency order, then group the survivors by child."""
    children_pass = passes["children"]
    cross_check(children_pass, as_of, None, {}, {}, "children")
    children: dict[str, Child] = {r.child_id: r for _, r in children_pass.accepted}  # type: ignore[union-attr]
    children_q = first_quarantined(children_pass)
    plans: dict[str, Plan] = {}
    if "plans" in passes:
        cross_check(passes["plans"], as_of, "child_id", children, children_q, "children")
        plans = settle_plan_types(passes["plans"].accepted, children)
    plans_q = first_quarantined(passes.get("plans"))
    grouped = group_by_child(passes, as_of, children, children_q, plans, plans_q)
    return {
        cid: ChildRecords(child=children[cid], **{k: tuple(v) for k, v in grouped[cid].items()})
        for cid in children
    }


def _count_accepted(records: dict[str, ChildRecords]) -> dict[str, int]:
    n: dict[str, int] = dict.fromkeys(CONTRACT_TABLES, 0)
    for r in records.values():
        n["children"] += 1
        n["visits"] += len(r.visits)
        n["case_summaries"] += len(r.case_summaries)
        n["plans"] += len(r.plans)
        n["plan_actions"] += sum(len(p.actions) for p in r.plans)
        n["chronology"] += len(r.chronology)
        n["genograms"] += len(r.genograms)
        n["supervision"] += len(r.supervision)
    return n
