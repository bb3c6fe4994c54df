"""What validation counts and notes per table: the rules a row is held to, the tally of rows
read, kept and quarantined, and the notes on rows kept with a repair."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


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
