"""The ingest: find each table, check its columns, validate every row, account for every row.

Every table is read as a stream (:mod:`notereview.extract._stream`), here and in a batch
run's pass 1 alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from notereview.casefile import CaseFile, Child, Plan
from notereview.errors import ExtractError
from notereview.extract._annexa import AnnexA
from notereview.extract._columns import (
    locate_quarantine,
    locate_tables,
    missing_table,
    table_notes,
)
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
from notereview.extract._model import Extract, QuarantinedRow, TableCount
from notereview.extract._readers import (
    ExtractContainer,
    RawRow,
)
from notereview.extract._schema import (
    CONTRACT_TABLES,
    REQUIRED_TABLES,
    TABLE_SPECS,
)
from notereview.extract._stream import open_table_stream
from notereview.extract._validate import (
    RowRules,
    parse_date,
    parse_row,
    record_id_of,
)


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
            st, column_of, rows = open_table_stream(box, table, file_name, mapping)
            passes[table] = validate_rows(table, rows, rules)
            notes[table] = table_notes(st, column_of, passes[table], st.extra_of())
            del st, rows

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


def _assemble(passes: dict[str, TablePass], as_of: date) -> dict[str, CaseFile]:
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
    return {cid: CaseFile(child=children[cid], **_tuples(grouped[cid])) for cid in children}


def _tuples(records: dict[str, list[Any]]) -> dict[str, Any]:
    return {kind: tuple(rows) for kind, rows in records.items()}


def _count_accepted(records: dict[str, CaseFile]) -> dict[str, int]:
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
