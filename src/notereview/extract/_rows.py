"""One parser per table of the data contract: a mapped row in, a record of the case file (or the
reason it goes to quarantine) out."""

from __future__ import annotations

from notereview.casefile import (
    CaseSummary,
    Child,
    ChronologyEntry,
    Genogram,
    Plan,
    PlanAction,
    SupervisionRecord,
    Visit,
)
from notereview.extract._cells import (
    _ACTION_STATUSES,
    _DISABILITY,
    _GENDERS,
    _LEGAL,
    _VISIT_TYPES,
    MAX_AGE_YEARS,
    _Cells,
    parse_date,
    parse_members,
)
from notereview.extract._raw import RawRow
from notereview.extract._tally import RowNote, RowRules, TableTally

Record = (
    Child | Visit | CaseSummary | Plan | PlanAction | ChronologyEntry | Genogram | SupervisionRecord
)


def _child(c: _Cells) -> Child | None:
    child_id = c.ident("child_id")
    first_name = c.string("first_name")
    dob = c.day("date_of_birth")
    age = c.whole_number("age_years", 0, MAX_AGE_YEARS)
    if dob is None and age is None:
        c.require("date_of_birth", "age_years")  # unreadable, and there is nothing else
        if not any(r.startswith(("date_of_birth", "age_years")) for r in c.reasons):
            c.reasons.append("date_of_birth or age_years is needed (both are missing)")
    gender = c.code("gender", _GENDERS, default="unknown")
    legal_status = c.code("legal_status", _LEGAL, required=True)
    status_start = c.day("status_start", required=True)
    team = c.string("team", required=True)
    worker_id = c.ident("worker_id")
    placement_start = c.day("placement_start")
    if legal_status == "LAC" and placement_start is None:
        if c.raw("placement_start") is None:
            c.reasons.append("placement_start is missing (required for a looked-after child)")
        else:
            c.require("placement_start")
    long_term = c.flag("long_term_placement")
    ethnicity = c.string("ethnicity")
    disability = c.code("disability", _DISABILITY, default=None)
    if c.reasons:
        return None
    assert child_id and legal_status and status_start and team and worker_id
    return Child(
        child_id=child_id,
        legal_status=legal_status,
        status_start=status_start,
        team=team,
        worker_id=worker_id,
        first_name=first_name,
        date_of_birth=dob,
        age_years=age,
        gender=gender or "unknown",
        placement_start=placement_start,
        long_term_placement=bool(long_term),
        ethnicity=ethnicity,
        disability=disability,
    )


def _visit(c: _Cells) -> Visit | None:
    visit_id = c.ident("visit_id")
    child_id = c.ident("child_id")
    visit_date = c.day("visit_date", required=True)
    recorded_at = c.day("recorded_at", required=True)
    if visit_date and recorded_at and recorded_at < visit_date:
        c.reasons.append("recorded_at is before visit_date")
    seen = c.flag("seen", required=True)
    seen_alone = c.flag("seen_alone")
    visit_type = c.code("visit_type", _VISIT_TYPES, default=None)
    if c.raw("visit_type") is not None and visit_type is None:
        visit_type = "other"
    worker_id = c.ident("worker_id", required=False)
    text = c.text("text", required=True)
    if c.reasons:
        return None
    assert visit_id and child_id and visit_date and recorded_at and seen is not None and text
    return Visit(
        visit_id=visit_id,
        child_id=child_id,
        visit_date=visit_date,
        recorded_at=recorded_at,
        seen=seen,
        text=text,
        seen_alone=seen_alone,
        visit_type=visit_type,
        worker_id=worker_id,
    )


def _case_summary(c: _Cells) -> CaseSummary | None:
    summary_id = c.ident("summary_id")
    child_id = c.ident("child_id")
    updated_at = c.day("updated_at", required=True)
    text = c.text("text", required=True)
    if c.reasons:
        return None
    assert summary_id and child_id and updated_at and text
    return CaseSummary(summary_id=summary_id, child_id=child_id, updated_at=updated_at, text=text)


def _plan(c: _Cells) -> Plan | None:
    plan_id = c.ident("plan_id")
    child_id = c.ident("child_id")
    plan_type = c.plan_type("plan_type")
    start_date = c.day("start_date", required=True)
    last_review = c.day("last_review_date")
    next_review = c.day("next_review_date")
    if c.reasons:
        return None
    assert plan_id and child_id and plan_type and start_date
    return Plan(
        plan_id=plan_id,
        child_id=child_id,
        plan_type=plan_type,
        start_date=start_date,
        last_review_date=last_review,
        next_review_date=next_review,
    )


def _plan_action(c: _Cells) -> PlanAction | None:
    action_id = c.ident("action_id")
    plan_id = c.ident("plan_id")
    text = c.text("text", required=True)
    owner = c.string("owner")
    due_date = c.day("due_date", words_mean_none=True)
    status = c.code("status", _ACTION_STATUSES, default=None)
    if c.reasons:
        return None
    assert action_id and plan_id and text
    return PlanAction(
        action_id=action_id, plan_id=plan_id, text=text, owner=owner, due_date=due_date,
        status=status,
    )  # fmt: skip


def _chronology_entry(c: _Cells) -> ChronologyEntry | None:
    entry_id = c.ident("entry_id")
    child_id = c.ident("child_id")
    event_date = c.day("event_date", required=True)
    entered_at = c.day("entered_at")
    if event_date and entered_at and entered_at < event_date:
        c.notes.append(RowNote("entered_at", "entered_at is before event_date: read as empty"))
        entered_at = None
    event_type = c.string("event_type")
    source = c.string("source")
    text = c.text("text", required=True)
    impact = c.text("impact")
    if c.reasons:
        return None
    assert entry_id and child_id and event_date and text
    return ChronologyEntry(
        entry_id=entry_id,
        child_id=child_id,
        event_date=event_date,
        text=text,
        entered_at=entered_at,
        event_type=event_type,
        source=source,
        impact=impact,
    )


def _genogram(c: _Cells) -> Genogram | None:
    child_id = c.ident("child_id")
    updated_at = c.day("updated_at", required=True)
    members, problem = parse_members(c.values.get("members"))
    if problem is not None:
        c.reasons.append(problem)
    notes = c.text("notes")
    if c.reasons:
        return None
    assert child_id and updated_at and members is not None
    return Genogram(child_id=child_id, updated_at=updated_at, members=members, notes=notes)


def _supervision(c: _Cells) -> SupervisionRecord | None:
    record_id = c.ident("record_id")
    child_id = c.ident("child_id")
    day = c.day("date", required=True)
    manager_id = c.ident("manager_id", required=False)
    text = c.text("text", required=True)
    if c.reasons:
        return None
    assert record_id and child_id and day and text
    return SupervisionRecord(
        record_id=record_id, child_id=child_id, date=day, text=text, manager_id=manager_id
    )


_PARSERS = {
    "children": _child,
    "visits": _visit,
    "case_summaries": _case_summary,
    "plans": _plan,
    "plan_actions": _plan_action,
    "chronology": _chronology_entry,
    "genograms": _genogram,
    "supervision": _supervision,
}


def parse_row(
    table: str, row: RawRow, rules: RowRules, tally: TableTally
) -> tuple[Record | None, list[str], list[RowNote]]:
    """The contract record for one row, or None and the reasons it was rejected; and the
    data-quality notes of a kept row (an optional value emptied, a code read from words)."""
    if row.problem is not None:
        return None, [row.problem], []
    cells = _Cells(row.values, rules, tally)
    record = _PARSERS[table](cells)
    return record, cells.reasons, cells.notes


def record_id_of(table: str, id_column: str | None, row: RawRow, rules: RowRules) -> str | None:
    """The row's id, if it can be read (for genograms: child_id@updated_at)."""
    column = id_column or "child_id"
    value = row.values.get(column)
    value = value.strip() if value is not None else None
    if not value:
        return None
    if id_column is None:
        raw_day = row.values.get("updated_at")
        day = parse_date(raw_day.strip(), rules.dayfirst) if raw_day else None
        if day is not None:
            return f"{value}@{day.isoformat()}"
    return value
