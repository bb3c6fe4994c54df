"""Row validation: one raw row (cells as strings) in, one contract record or the reasons out.

Two steps, both per row so that they can run on chunks:
- :func:`parse_row` needs nothing but the row: required values, dates, booleans, codes, the
  genogram's members, text cleaning, and the orderings inside one row (recorded before visited);
- :func:`check_as_of` needs the run's as-of date: nothing dated after it, dates of birth in range.
Orphans (a child_id or plan_id that is unknown or was quarantined) are checked by the ingest,
which knows which children and plans were accepted.

Reasons name columns and ids, never the value of a text, name or date-of-birth cell.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from notereview.casefile import (
    CaseSummary,
    Child,
    ChronologyEntry,
    Genogram,
    GenogramMember,
    Plan,
    PlanAction,
    SupervisionRecord,
    Visit,
)
from notereview.extract._clean import clean_text
from notereview.extract._readers import RawRow
from notereview.extract._schema import NOT_AFTER_AS_OF

Record = (
    Child | Visit | CaseSummary | Plan | PlanAction | ChronologyEntry | Genogram | SupervisionRecord
)

EARLIEST = date(1950, 1, 1)
MAX_AGE_YEARS = 25
_NULL_WORDS = frozenset({"null", "NULL", "Null"})
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\S.*)?\Z", re.DOTALL)
_DAYFIRST_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ]\S.*)?\Z", re.DOTALL)
_INT = re.compile(r"[+-]?\d{1,6}(?:\.0*)?\Z")

_TRUE = frozenset({"y", "yes", "true", "1"})
_FALSE = frozenset({"n", "no", "false", "0"})
_LEGAL = {"cin": "CIN", "cp": "CP", "lac": "LAC", "pf": "PF", "cl": "CL"}
_PLAN_TYPES = {"cin": "CIN", "cp": "CP", "care": "care", "pathway": "pathway"}
_GENDERS = {
    "f": "F", "female": "F", "girl": "F",
    "m": "M", "male": "M", "boy": "M",
    "other": "other", "unknown": "unknown", "u": "unknown", "not known": "unknown",
    "not stated": "unknown", "not recorded": "unknown",
}  # fmt: skip
_VISIT_TYPES = {v: v for v in ("statutory", "home", "school", "placement", "other")}
_ACTION_STATUSES = {
    "open": "open", "in progress": "open", "ongoing": "open", "not started": "open",
    "done": "done", "complete": "done", "completed": "done", "closed": "done", "achieved": "done",
    "dropped": "dropped", "cancelled": "dropped", "canceled": "dropped", "withdrawn": "dropped",
}  # fmt: skip
#: A free-text plan type ("Care Plan (interim)", "Child Protection Plan") read by the words it
#: holds, in this order; a phrase found is taken out before the next is looked for, so "Leaving
#: Care Plan" is a pathway plan and not also a care plan. Exactly one type found: that type.
_PLAN_TYPE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("CP", re.compile(r"\bchild protection\b|\bcpp?\b|\bprotection plan\b")),
    ("CIN", re.compile(r"\bchild(?:ren)? in need\b|\bcin\b")),
    ("pathway", re.compile(r"\bpathway\b|\bleaving care\b|\bcare leavers?\b")),
    ("care", re.compile(r"\bcare plan\b|\blooked after\b|\blac\b|\bcla\b")),
)
#: What an unrecognised plan type is kept as until the ingest knows the child: then the plan
#: type that the child's legal status calls for (:data:`PLAN_TYPE_OF_STATUS`).
PLAN_TYPE_UNRECOGNISED = "unrecognised"
PLAN_TYPE_OF_STATUS = {"CP": "CP", "CIN": "CIN", "PF": "CIN", "LAC": "care", "CL": "pathway"}
_SIDES = frozenset({"maternal", "paternal", "other"})
_DISABILITY = {
    "y": "yes", "yes": "yes", "true": "yes", "1": "yes", "a) yes": "yes",
    "n": "no", "no": "no", "false": "no", "0": "no", "b) no": "no",
    "unknown": "unknown", "not known": "unknown", "c) unknown": "unknown",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class RowRules:
    """What a row is parsed with: the mapping's date convention and value codes, text limit."""

    dayfirst: bool = False
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    max_text_chars: int = 100_000

    @property
    def date_hint(self) -> str:
        return "DD/MM/YYYY or YYYY-MM-DD" if self.dayfirst else "YYYY-MM-DD"


#: How many records' data-quality notes run.json lists per table (all are counted).
NOTES_LISTED = 1000


@dataclass(slots=True)
class TableTally:
    """What cleaning did to one table's texts and codes (goes into Extract.notes), and the
    data-quality notes of the rows kept: an optional value that could not be read was emptied
    (``values_emptied`` per column), a free-text code was read by its words (``values_read``)
    or kept though no code could be read from it (``values_kept``)."""

    texts_html_cleaned: int = 0
    texts_rtf_cleaned: int = 0
    texts_truncated: int = 0
    values_unrecognised: Counter[str] = field(default_factory=Counter)
    values_emptied: Counter[str] = field(default_factory=Counter)
    values_read: Counter[str] = field(default_factory=Counter)
    values_kept: Counter[str] = field(default_factory=Counter)
    records_noted: int = 0
    record_notes: list[dict[str, Any]] = field(default_factory=list)

    def note(self, row_number: int, record_id: str | None, notes: list[RowNote]) -> None:
        """A kept row's data-quality notes: counted, and listed up to :data:`NOTES_LISTED`
        (a row noted again, at the as-of check, adds to its entry)."""
        listed = next((r for r in self.record_notes if r["row_number"] == row_number), None)
        if listed is not None:
            listed["notes"] = [*listed["notes"], *(n.text for n in notes)]
        else:
            self.records_noted += 1
        for note in notes:
            if note.kind == "emptied":
                self.values_emptied[note.column] += 1
            elif note.kind == "read":
                self.values_read[note.column] += 1
            else:
                self.values_kept[note.column] += 1
        if listed is None and len(self.record_notes) < NOTES_LISTED:
            self.record_notes.append(
                {"row_number": row_number, "record_id": record_id,
                 "notes": [n.text for n in notes]}
            )  # fmt: skip

    def as_notes(self) -> dict[str, Any]:
        return {
            "texts_html_cleaned": self.texts_html_cleaned,
            "texts_rtf_cleaned": self.texts_rtf_cleaned,
            "texts_truncated": self.texts_truncated,
            "values_unrecognised": dict(sorted(self.values_unrecognised.items())),
            "data_quality": {
                "records_noted": self.records_noted,
                "values_emptied": dict(sorted(self.values_emptied.items())),
                "values_read": dict(sorted(self.values_read.items())),
                "values_kept_unrecognised": dict(sorted(self.values_kept.items())),
                "records": list(self.record_notes),
            },
        }


@dataclass(frozen=True, slots=True)
class RowNote:
    """A data-quality note on a kept row: which column, and what was done, in words that name
    the column and never quote its value."""

    column: str
    text: str
    kind: str = "emptied"  # or "read" (a code read from words), "kept" (kept unrecognised)


#: A value shaped like a date ("31/13/2026", "2026-02-30"): unreadable, it is an error in the
#: data, never words standing for "no date".
_DATE_SHAPED = re.compile(r"\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}")


def parse_date(raw: str, dayfirst: bool) -> date | None:
    """ISO 8601 (a time part is ignored); also DD/MM/YYYY when ``dayfirst``. None if unreadable
    or not a calendar date (31/02/2026)."""
    m = _ISO_DATE.match(raw)
    if m is not None:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif dayfirst and (m := _DAYFIRST_DATE.match(raw)) is not None:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def parse_bool(raw: str) -> bool | None:
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class _Cells:
    """Typed access to one row's cells, collecting the reasons it fails."""

    __slots__ = ("notes", "reasons", "rules", "tally", "values")

    def __init__(self, values: dict[str, str | None], rules: RowRules, tally: TableTally) -> None:
        self.values = values
        self.rules = rules
        self.tally = tally
        self.reasons: list[str] = []
        self.notes: list[RowNote] = []

    def unreadable(self, column: str, required: bool, why: str) -> None:
        """A value that cannot be read: a required one fails the row; an optional one is
        emptied and the row kept with a note."""
        if required:
            self.reasons.append(why)
        else:
            self.notes.append(RowNote(column, f"{why}: read as empty"))

    def require(self, *columns: str) -> None:
        """The notes on ``columns`` become reasons: the row turned out to need them."""
        keep: list[RowNote] = []
        for note in self.notes:
            if note.column in columns and note.kind == "emptied":
                self.reasons.append(note.text.removesuffix(": read as empty"))
            else:
                keep.append(note)
        self.notes = keep

    def raw(self, column: str) -> str | None:
        """The trimmed cell after the mapping's value codes; None when empty or null."""
        value = self.values.get(column)
        if value is None:
            return None
        value = value.strip()
        if not value or value in _NULL_WORDS:
            return None
        codes = self.rules.value_maps.get(column)
        if codes:
            value = codes.get(value.casefold(), value)
        return value

    def ident(self, column: str, required: bool = True) -> str | None:
        value = self.raw(column)
        if value is None and required:
            self.reasons.append(f"{column} is missing")
        return value

    def string(self, column: str, required: bool = False) -> str | None:
        return self.ident(column, required)

    def day(
        self, column: str, required: bool = False, words_mean_none: bool = False
    ) -> date | None:
        """A date. ``words_mean_none``: a column that case-management systems fill with words
        when there is no date ("Ongoing", "ASAP", "TBC"): such a value is no date, counted in
        the notes, and the row is kept."""
        value = self.raw(column)
        if value is None:
            if required:
                self.reasons.append(f"{column} is missing")
            return None
        parsed = parse_date(value, self.rules.dayfirst)
        if parsed is None and words_mean_none and not _DATE_SHAPED.match(value.strip()):
            self.tally.values_unrecognised[column] += 1
            return None
        if parsed is None:
            why = f"{column} is not a readable date (expected {self.rules.date_hint})"
            self.unreadable(column, required, why)
        elif parsed < EARLIEST:
            self.unreadable(column, required, f"{column} is before {EARLIEST.year}")
            return None
        return parsed

    def flag(self, column: str, required: bool = False) -> bool | None:
        value = self.raw(column)
        if value is None:
            if required:
                self.reasons.append(f"{column} is missing")
            return None
        parsed = parse_bool(value)
        if parsed is None:
            self.unreadable(
                column,
                required,
                f"{column} is not a yes/no value (expected y/n, yes/no, true/false or 1/0)",
            )
        return parsed

    def whole_number(self, column: str, low: int, high: int, required: bool = False) -> int | None:
        value = self.raw(column)
        if value is None:
            return None
        if _INT.match(value) is None:
            self.unreadable(column, required, f"{column} is not a whole number")
            return None
        number = int(float(value))
        if not low <= number <= high:
            self.unreadable(column, required, f"{column} is outside {low}-{high}")
            return None
        return number

    def plan_type(self, column: str) -> str | None:
        """A plan type (required): a code, else read from its words where exactly one type is
        named ("Care Plan (interim)": care), else kept as unrecognised with a note."""
        value = self.raw(column)
        if value is None:
            self.reasons.append(f"{column} is missing")
            return None
        found = _PLAN_TYPES.get(value.casefold())
        if found is not None:
            return found
        words = " ".join(value.casefold().split())
        named: list[str] = []
        for plan_type, pattern in _PLAN_TYPE_WORDS:
            if pattern.search(words):
                named.append(plan_type)
                words = pattern.sub(" ", words)
        if len(named) == 1:
            self.notes.append(
                RowNote(column, f"{column} read from its words as {named[0]}", kind="read")
            )
            return named[0]
        self.notes.append(
            RowNote(
                column,
                f"{column} is not one of CIN, CP, care, pathway, nor names exactly one of them: "
                "kept, and reviewed as the plan type of the child's legal status (map the "
                f"export's codes under values.{column} in the mapping file)",
                kind="kept",
            )
        )
        return PLAN_TYPE_UNRECOGNISED

    def code(
        self,
        column: str,
        allowed: dict[str, str],
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        """A coded value. Required codes that are not recognised fail the row; optional ones
        become ``default`` and are counted in the notes."""
        value = self.raw(column)
        if value is None:
            if required:
                self.reasons.append(f"{column} is missing")
            return default
        found = allowed.get(value.casefold())
        if found is None:
            if required:
                choices = ", ".join(dict.fromkeys(allowed.values()))
                self.reasons.append(
                    f"{column} is not one of {choices} "
                    f"(map the export's codes under values.{column} in the mapping file)"
                )
                return None
            self.tally.values_unrecognised[column] += 1
            return default
        return found

    def text(self, column: str, required: bool = False) -> str | None:
        value = self.values.get(column)
        if value is None or not value.strip():
            if required:
                self.reasons.append(f"{column} is empty")
            return None
        cleaned = clean_text(value, self.rules.max_text_chars)
        self.tally.texts_html_cleaned += cleaned.html
        self.tally.texts_rtf_cleaned += cleaned.rtf
        self.tally.texts_truncated += cleaned.truncated
        if not cleaned.text:
            if required:
                self.reasons.append(f"{column} is empty")
            return None
        return cleaned.text


def parse_members(raw: str | None) -> tuple[tuple[GenogramMember, ...] | None, str | None]:
    """Genogram members from their JSON list; (None, reason) when unreadable."""
    if raw is None or not raw.strip():
        return None, "members is missing"
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None, "members is not valid JSON"
    if not isinstance(data, list):
        return None, "members is not a JSON list"
    members: list[GenogramMember] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            return None, f"members[{i}] is not an object"
        name = item.get("name")
        relationship = item.get("relationship")
        if isinstance(name, list | dict) or isinstance(relationship, list | dict):
            return None, f"members[{i}] has a name or relationship that is not text"
        side = item.get("side")
        if side is None or (isinstance(side, str) and not side.strip()):
            side_word = "other"
        elif isinstance(side, str) and side.strip().lower() in _SIDES:
            side_word = side.strip().lower()
        else:
            return None, f"members[{i}].side is not maternal, paternal or other"
        generation = item.get("generation")
        if generation is None:
            return None, f"members[{i}].generation is missing"
        gen = _as_int(generation)
        if gen is None:
            return None, f"members[{i}].generation is not a whole number"
        members.append(
            GenogramMember(
                name="" if name is None else str(name).strip(),
                relationship="" if relationship is None else str(relationship).strip(),
                side=side_word,
                generation=gen,
            )
        )
    return tuple(members), None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) <= 20 else None
    if isinstance(value, float) and value.is_integer() and abs(value) <= 20:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,2}\s*", value):
        return int(value)
    return None


# ------------------------------------------------------------------ one function per table


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


#: Optional dates that say when something happened, read as empty (with a note) when after the
#: as-of date instead of quarantining the row: a looked-after child's placement start is
#: required, so it is not among them for such a child. (Chronology's entered_at is checked in
#: the batch's workers, whose notes do not reach run.json: its row still goes to quarantine.)
OPTIONAL_AFTER_AS_OF: dict[str, tuple[str, ...]] = {
    "children": ("placement_start",),
    "plans": ("last_review_date",),
}


def empty_after_as_of(table: str, record: Record, as_of: date) -> tuple[Record, list[RowNote]]:
    """``record`` with each optional date of :data:`OPTIONAL_AFTER_AS_OF` that is after
    ``as_of`` emptied, and a note for each."""
    notes: list[RowNote] = []
    for column in OPTIONAL_AFTER_AS_OF.get(table, ()):
        value = getattr(record, column)
        if value is None or value <= as_of:
            continue
        if isinstance(record, Child) and record.legal_status == "LAC":
            continue  # required for a looked-after child: check_as_of quarantines the row
        record = replace(record, **{column: None})  # type: ignore[type-var]
        notes.append(
            RowNote(column, f"{column} is after the as-of date {as_of.isoformat()}: read as empty")
        )
    return record, notes


def check_as_of(table: str, record: Record, as_of: date) -> list[str]:
    """Reasons a record is impossible on ``as_of``: dated after it, or (children) a date of
    birth after it or more than 25 years before it."""
    reasons: list[str] = []
    for column in NOT_AFTER_AS_OF[table]:
        value = getattr(record, column)
        if value is not None and value > as_of:
            reasons.append(
                f"{column} {value.isoformat()} is after the as-of date {as_of.isoformat()}"
            )
    if isinstance(record, Child) and record.date_of_birth is not None:
        if record.date_of_birth > as_of:
            reasons.append(f"date_of_birth is after the as-of date {as_of.isoformat()}")
        elif record.date_of_birth < years_before(as_of, MAX_AGE_YEARS):
            reasons.append(
                f"date_of_birth is more than {MAX_AGE_YEARS} years before the as-of date "
                f"{as_of.isoformat()}"
            )
    return reasons
