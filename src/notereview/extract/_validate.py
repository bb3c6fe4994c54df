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

from dataclasses import replace
from datetime import date

from notereview.casefile import Child
from notereview.extract._cells import (
    MAX_AGE_YEARS,
    PLAN_TYPE_OF_STATUS,
    PLAN_TYPE_UNRECOGNISED,
    parse_date,
    years_before,
)
from notereview.extract._rows import Record, parse_row, record_id_of
from notereview.extract._schema import NOT_AFTER_AS_OF
from notereview.extract._tally import RowNote, RowRules, TableTally

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


__all__ = [
    "OPTIONAL_AFTER_AS_OF",
    "PLAN_TYPE_OF_STATUS",
    "PLAN_TYPE_UNRECOGNISED",
    "Record",
    "RowNote",
    "RowRules",
    "TableTally",
    "check_as_of",
    "empty_after_as_of",
    "parse_date",
    "parse_row",
    "record_id_of",
]
