"""Reading one cell of an extract: dates, yes/no, whole numbers, the closed code lists (legal
status, plan type, gender, ...) and a genogram's members, each with the reason when it cannot."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from notereview.casefile import GenogramMember
from notereview.extract._clean import clean_text
from notereview.extract._tally import RowNote, RowRules, TableTally

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
