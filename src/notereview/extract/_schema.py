"""The extract contract as data: which tables exist, their columns, kinds and what is required.

Mirrors the table in ``../shared/CONTRACT.md`` (the extract contract). Nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a column holds, which decides how a cell is parsed and whether it may be quoted."""

    ID = "id"  # identifier: may be named in quarantine reasons
    STR = "str"  # short free string (team, event type); never quoted
    TEXT = "text"  # note text: cleaned of HTML/RTF, truncated; never quoted
    NAME = "name"  # a person's name; never quoted
    DATE = "date"
    DOB = "dob"  # a date of birth; never quoted
    INT = "int"
    BOOL = "bool"
    ENUM = "enum"
    MEMBERS = "members"  # genogram members, a JSON list


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    kind: Kind
    required: bool = False


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    id_column: str | None  # None for genograms (child_id + updated_at name one)
    columns: tuple[ColumnSpec, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: Kind, required: bool = False) -> ColumnSpec:
    return ColumnSpec(name, kind, required)


ID, STR, TEXT, NAME, DATE, DOB, INT, BOOL, ENUM, MEMBERS = (
    Kind.ID,
    Kind.STR,
    Kind.TEXT,
    Kind.NAME,
    Kind.DATE,
    Kind.DOB,
    Kind.INT,
    Kind.BOOL,
    Kind.ENUM,
    Kind.MEMBERS,
)

TABLE_SPECS: dict[str, TableSpec] = {
    "children": TableSpec(
        "children",
        "child_id",
        (
            _c("child_id", ID, True),
            _c("first_name", NAME),
            _c("date_of_birth", DOB),  # one of date_of_birth / age_years: see ONE_OF
            _c("age_years", INT),
            _c("gender", ENUM),
            _c("legal_status", ENUM, True),
            _c("status_start", DATE, True),
            _c("team", STR, True),
            _c("worker_id", ID, True),
            _c("placement_start", DATE),  # required for LAC: checked per row
            _c("long_term_placement", BOOL),
            _c("ethnicity", STR),  # equality monitoring only: no check reads these two
            _c("disability", ENUM),
        ),
    ),
    "visits": TableSpec(
        "visits",
        "visit_id",
        (
            _c("visit_id", ID, True),
            _c("child_id", ID, True),
            _c("visit_date", DATE, True),
            _c("recorded_at", DATE, True),
            _c("seen", BOOL, True),
            _c("seen_alone", BOOL),
            _c("visit_type", ENUM),
            _c("worker_id", ID),
            _c("text", TEXT, True),
        ),
    ),
    "case_summaries": TableSpec(
        "case_summaries",
        "summary_id",
        (
            _c("summary_id", ID, True),
            _c("child_id", ID, True),
            _c("updated_at", DATE, True),
            _c("text", TEXT, True),
        ),
    ),
    "plans": TableSpec(
        "plans",
        "plan_id",
        (
            _c("plan_id", ID, True),
            _c("child_id", ID, True),
            _c("plan_type", ENUM, True),
            _c("start_date", DATE, True),
            _c("last_review_date", DATE),
            _c("next_review_date", DATE),
        ),
    ),
    "plan_actions": TableSpec(
        "plan_actions",
        "action_id",
        (
            _c("action_id", ID, True),
            _c("plan_id", ID, True),
            _c("text", TEXT, True),
            _c("owner", NAME),
            _c("due_date", DATE),
            _c("status", ENUM),
        ),
    ),
    "chronology": TableSpec(
        "chronology",
        "entry_id",
        (
            _c("entry_id", ID, True),
            _c("child_id", ID, True),
            _c("event_date", DATE, True),
            _c("entered_at", DATE),
            _c("event_type", STR),
            _c("source", STR),
            _c("text", TEXT, True),
            _c("impact", TEXT),
        ),
    ),
    "genograms": TableSpec(
        "genograms",
        None,
        (
            _c("child_id", ID, True),
            _c("updated_at", DATE, True),
            _c("members", MEMBERS, True),
            _c("notes", TEXT),
        ),
    ),
    "supervision": TableSpec(
        "supervision",
        "record_id",
        (
            _c("record_id", ID, True),
            _c("child_id", ID, True),
            _c("date", DATE, True),
            _c("manager_id", ID),
            _c("text", TEXT, True),
        ),
    ),
}

CONTRACT_TABLES: tuple[str, ...] = (
    "children",
    "visits",
    "case_summaries",
    "plans",
    "plan_actions",
    "chronology",
    "genograms",
    "supervision",
)
REQUIRED_TABLES: tuple[str, ...] = ("children", "visits")

# Column groups of which at least one must be present in the file (and filled in each row).
ONE_OF: dict[str, tuple[str, ...]] = {"children": ("date_of_birth", "age_years")}

# Dates that say when something happened or was written: must not be after as-of.
# (Scheduled dates, next_review_date and due_date, may be; date_of_birth has its own rule.)
NOT_AFTER_AS_OF: dict[str, tuple[str, ...]] = {
    "children": ("status_start", "placement_start"),
    "visits": ("visit_date", "recorded_at"),
    "case_summaries": ("updated_at",),
    "plans": ("start_date", "last_review_date"),
    "plan_actions": (),
    "chronology": ("event_date", "entered_at"),
    "genograms": ("updated_at",),
    "supervision": ("date",),
}

# The dates that set as-of when it is not given: the newest of these among valid rows.
AS_OF_COLUMNS: dict[str, tuple[str, ...]] = {
    "visits": ("visit_date", "recorded_at"),
    "case_summaries": ("updated_at",),
    "chronology": ("event_date", "entered_at"),
    "genograms": ("updated_at",),
    "supervision": ("date",),
}
