"""The ingest's second step, shared by the in-memory ingest (:func:`read_extract`) and a batch
run's chunks (:func:`notereview.extract._partition.assemble_chunk`): the as-of and orphan
checks of each table in dependency order, and the grouping of the survivors by child."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from notereview.casefile import Child, Plan, PlanAction
from notereview.extract._model import QuarantinedRow
from notereview.extract._schema import AS_OF_COLUMNS, TABLE_SPECS
from notereview.extract._validate import (
    PLAN_TYPE_OF_STATUS,
    PLAN_TYPE_UNRECOGNISED,
    Record,
    TableTally,
    check_as_of,
    empty_after_as_of,
)

#: The tables whose records belong to a child directly (plan actions belong to a plan).
CHILD_TABLES: tuple[str, ...] = (
    "visits", "case_summaries", "chronology", "genograms", "supervision",
)  # fmt: skip


@dataclass(slots=True)
class TablePass:
    """One table after row-by-row parsing: what was read, what passed, what did not."""

    table: str
    read: int = 0
    accepted: list[tuple[int, Record]] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    tally: TableTally = field(default_factory=TableTally)


def infer_as_of(passes: dict[str, TablePass]) -> date:
    """The newest visit, recording, update, event, entry or supervision date among rows that
    passed their own checks; failing those, the newest status start; failing that, today."""
    newest: date | None = None
    for table, columns in AS_OF_COLUMNS.items():
        tp = passes.get(table)
        if tp is None:
            continue
        for _, record in tp.accepted:
            for column in columns:
                value = getattr(record, column)
                if value is not None and (newest is None or value > newest):
                    newest = value
    if newest is None and "children" in passes:
        starts = [r.status_start for _, r in passes["children"].accepted if isinstance(r, Child)]
        newest = max(starts, default=None)
    return newest if newest is not None else date.today()


def first_quarantined(tp: TablePass | None) -> dict[str, int]:
    out: dict[str, int] = {}
    if tp is not None:
        for q in tp.quarantined:
            if q.record_id is not None:
                out.setdefault(q.record_id, q.row_number)
    return out


def cross_check(
    tp: TablePass,
    as_of: date,
    parent_column: str | None,
    parents: dict[str, Any],
    parents_quarantined: dict[str, int],
    parent_table: str,
) -> None:
    """Second step for one table: as-of checks, then orphans; moves failures to quarantine.
    An optional date after as-of (:data:`OPTIONAL_AFTER_AS_OF`) is emptied with a note."""
    kept: list[tuple[int, Record]] = []
    for row_number, record in tp.accepted:
        record, notes = empty_after_as_of(tp.table, record, as_of)
        reasons = check_as_of(tp.table, record, as_of)
        if parent_column is not None:
            parent_id = getattr(record, parent_column)
            if parent_id not in parents:
                if parent_id in parents_quarantined:
                    reasons.append(
                        f"{parent_column} {parent_id} was quarantined "
                        f"({parent_table} row {parents_quarantined[parent_id]})"
                    )
                else:
                    reasons.append(f"unknown {parent_column} {parent_id}")
        if reasons:
            tp.quarantined.append(
                QuarantinedRow(tp.table, row_number, id_of(tp.table, record), "; ".join(reasons))
            )
        else:
            kept.append((row_number, record))
            if notes:
                tp.tally.note(row_number, id_of(tp.table, record), notes)
    tp.accepted = kept
    tp.quarantined.sort(key=lambda q: q.row_number)


def id_of(table: str, record: Record) -> str:
    id_column = TABLE_SPECS[table].id_column
    if id_column is None:
        return f"{record.child_id}@{record.updated_at.isoformat()}"  # type: ignore[union-attr]
    return str(getattr(record, id_column))


def settle_plan_types(
    accepted: list[tuple[int, Record]], children: Mapping[str, Child]
) -> dict[str, Plan]:
    """Accepted plans by id, a plan whose type was not recognised (kept with a note) taking
    the plan type that its child's legal status calls for (a looked-after child's: care)."""
    plans: dict[str, Plan] = {}
    for _, plan in accepted:
        assert isinstance(plan, Plan)
        if plan.plan_type == PLAN_TYPE_UNRECOGNISED:
            status = children[plan.child_id].legal_status
            plan = replace(plan, plan_type=PLAN_TYPE_OF_STATUS.get(status, "CIN"))
        plans[plan.plan_id] = plan
    return plans


def refresh_quality_notes(
    notes: dict[str, Any], passes: Mapping[str, TablePass], tables: Iterable[str]
) -> None:
    """The data-quality notes of ``tables`` as they stand after the as-of check (the notes
    were written before it)."""
    for table in tables:
        if table in passes and table in notes:
            notes[table]["data_quality"] = passes[table].tally.as_notes()["data_quality"]


def group_by_child(
    passes: Mapping[str, TablePass],
    as_of: date,
    children: Mapping[str, Child],
    children_q: dict[str, int],
    plans: Mapping[str, Plan],
    plans_q: dict[str, int],
) -> dict[str, dict[str, list[Any]]]:
    """The second step of the plan actions and of every table of a child's records (each
    table's failures moved to its quarantine), then the survivors grouped by child: child id ->
    table -> records, plans with their actions. Children and plans are checked already."""
    actions_by_plan: dict[str, list[PlanAction]] = defaultdict(list)
    if "plan_actions" in passes:
        tp = passes["plan_actions"]
        cross_check(tp, as_of, "plan_id", plans, plans_q, "plans")
        for _, action in tp.accepted:
            actions_by_plan[action.plan_id].append(action)  # type: ignore[union-attr]
    grouped: dict[str, dict[str, list[Any]]] = {cid: defaultdict(list) for cid in children}
    for plan in plans.values():
        grouped[plan.child_id]["plans"].append(
            replace(plan, actions=tuple(actions_by_plan.get(plan.plan_id, ())))
        )
    for table in CHILD_TABLES:
        if table not in passes:
            continue
        tp = passes[table]
        cross_check(tp, as_of, "child_id", children, children_q, "children")
        for _, record in tp.accepted:
            grouped[record.child_id][table].append(record)  # type: ignore[union-attr]
    return grouped
