"""Ofsted Annex A: the child-level lists for children in need (List 6), child protection
(List 7) and children looked after (List 8), read from the council's .xlsx return.

Annex A supplies the ``children`` table where the extract has none, or is checked against it
where both are given: every disagreement becomes a listed finding, never a silent choice
(:func:`compare_children`). Its statutory dates (the last statutory visit, seen alone, the
latest review, the last IRO visit) are kept per child for the reconciliation with the case
records (:mod:`notereview.extract._reconcile`).

Sheets and headers are recognised by the patterns of ``annex_a.yaml``. Every row of a list is
either used or quarantined (table ``annex_a``) with its workbook, sheet, row and column: rows
read = rows used + rows quarantined. Reasons name columns and child ids, never a name or a date
of birth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from notereview.errors import ConfigError, ExtractError
from notereview.extract._model import QuarantinedRow
from notereview.extract._readers import (
    SHEET_MARK,
    RawRow,
    SheetTable,
    column_letter,
    read_sheet,
    workbook_sheets,
)
from notereview.extract._validate import parse_date

ANNEX_TABLE = "annex_a"
#: Which list wins where a child is on more than one: looked after, then child protection.
LIST_PRIORITY: tuple[str, ...] = ("list_8", "list_7", "list_6")
DATE_FIELDS = frozenset(
    {"date_of_birth", "status_start", "end_date", "last_statutory_visit", "latest_review",
     "last_iro_visit", "placement_start", "legal_status_start"}
)  # fmt: skip
#: What a field is called in a message (never a value of a name or a date of birth).
FIELD_WORDS = {
    "child_id": "child id", "date_of_birth": "date of birth", "age_years": "age",
    "gender": "gender", "ethnicity": "ethnicity", "disability": "disability",
    "status_start": "status start date", "end_date": "end date",
    "last_statutory_visit": "last statutory visit", "seen_alone": "seen alone",
    "latest_review": "latest review", "last_iro_visit": "last IRO visit",
    "placement_start": "placement start", "legal_status_start": "legal status start date",
    "legal_status_code": "legal status", "team": "allocated team",
    "worker_id": "allocated worker",
}  # fmt: skip


# ------------------------------------------------------------------ the patterns (data)


class AnnexList(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    legal_status: str
    sheet: list[str]
    columns: dict[str, list[str]]

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name in value:
            if name not in FIELD_WORDS:
                raise ValueError(f"unknown field {name!r}; known: {', '.join(FIELD_WORDS)}")
        if "child_id" not in value:
            raise ValueError("every list needs a child_id column")
        return value


class AnnexSpec(BaseModel):
    """``annex_a.yaml``, validated (extra keys are an error; every pattern compiles)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    lists: dict[str, AnnexList]
    values: dict[str, dict[str, list[str]]] = Field(default_factory=dict)

    def model_post_init(self, _context: Any) -> None:
        for lst in self.lists.values():
            for pattern in [*lst.sheet, *(p for ps in lst.columns.values() for p in ps)]:
                _compile(pattern)
        for codes in self.values.values():
            for patterns in codes.values():
                for pattern in patterns:
                    _compile(pattern)


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"pattern {pattern!r} does not compile ({exc})") from None


@cache
def annex_spec(path: str | None = None) -> AnnexSpec:
    """The shipped patterns (or a council's own file of the same shape)."""
    try:
        if path is None:
            raw = resources.files("notereview.extract").joinpath("annex_a.yaml").read_text()
            where = "annex_a.yaml"
        else:
            raw = Path(path).read_text(encoding="utf-8-sig")
            where = path
        return AnnexSpec.model_validate(yaml.safe_load(raw))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"Annex A patterns {where} cannot be read ({type(exc).__name__})"
        ) from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"Annex A patterns {where} do not validate: {problems}") from None


def _matches(patterns: list[str], text: str) -> bool:
    return any(_compile(p).search(text) for p in patterns)


def match_headers(header: list[str], columns: Mapping[str, list[str]]) -> dict[str, int]:
    """Field -> column index: each field, in order, takes the leftmost header it matches that
    no earlier field took."""
    taken: set[int] = set()
    found: dict[str, int] = {}
    for name, patterns in columns.items():
        for i, text in enumerate(header):
            if i not in taken and text and _matches(patterns, text):
                found[name] = i
                taken.add(i)
                break
    return found


def code_of(spec: AnnexSpec, kind: str, raw: str) -> str | None:
    """A coded cell's contract value (``values.<kind>``), or None when no pattern matches."""
    for value, patterns in spec.values.get(kind, {}).items():
        if _matches(patterns, raw.strip()):
            return value
    return None


# ------------------------------------------------------------------ what a list row gives


@dataclass(frozen=True, slots=True)
class AnnexEntry:
    """One accepted row of one list: the child's fields as read, and where the row is."""

    list_id: str
    legal_status: str
    sheet: str
    row_number: int
    values: dict[str, Any]  # field -> str / date / bool / None

    def get(self, name: str) -> Any:
        return self.values.get(name)


@dataclass(frozen=True, slots=True)
class AnnexChild:
    """A child on the return: the entry of the list that decides their status (an open
    episode before an ended one; looked after, then child protection, then child in need) and
    the lists they are on."""

    child_id: str
    entry: AnnexEntry
    lists: tuple[str, ...]

    @property
    def legal_status(self) -> str:
        return self.entry.legal_status


@dataclass
class AnnexA:
    """A read Annex A return: the children on it, the quarantined rows, and how rows were read."""

    workbook: str
    children: dict[str, AnnexChild]
    quarantine: list[QuarantinedRow]
    rows_read: int
    rows_used: int
    lists: dict[str, dict[str, Any]]  # list id -> sheet, header row, columns found
    column_of: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (sheet, field) -> "C 'Gender'"

    def counts(self) -> dict[str, int]:
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_quarantined": len(self.quarantine),
        }

    def notes(self) -> dict[str, Any]:
        return {"workbook": self.workbook, "lists": self.lists, **self.counts()}

    def where(self, entry: AnnexEntry) -> str:
        return f"workbook {self.workbook}, sheet '{entry.sheet}', row {entry.row_number}"

    # -------------------------------------------------------------- supplying children

    def children_rows(self) -> Iterator[RawRow]:
        """The children table's rows from the return (one per child, in child id order)."""
        for child_id in sorted(self.children):
            entry = self.children[child_id].entry
            v = entry.values
            yield RawRow(
                entry.row_number,
                {
                    "child_id": child_id,
                    "first_name": None,
                    "date_of_birth": _iso(v.get("date_of_birth")),
                    "age_years": v.get("age_years"),
                    "gender": v.get("gender"),
                    "legal_status": entry.legal_status,
                    "status_start": _iso(v.get("status_start")),
                    "team": v.get("team"),
                    "worker_id": v.get("worker_id"),
                    "placement_start": _iso(v.get("placement_start")),
                    "long_term_placement": None,
                    "ethnicity": v.get("ethnicity"),
                    "disability": v.get("disability"),
                },
            )

    def locate_children(self, quarantine: list[QuarantinedRow]) -> list[QuarantinedRow]:
        """Children rows supplied by the return, quarantined by the children rules: their
        reasons located in the return's workbook, sheet, row and column."""
        out = []
        for q in quarantine:
            child = self.children.get(q.record_id or "")
            if q.table != "children" or child is None:
                out.append(q)
                continue
            entry = child.entry
            parts = []
            for part in q.reason.split("; "):
                column = next(
                    (
                        self.column_of[(entry.sheet, f)]
                        for f in _CONTRACT_TO_FIELD
                        if re.search(rf"\b{f}\b", part)
                        and (entry.sheet, _CONTRACT_TO_FIELD[f]) in self.column_of
                    ),
                    None,
                )
                parts.append(f"{part} (column {column})" if column else part)
            out.append(replace(q, reason=f"{self.where(entry)}: " + "; ".join(parts)))
        return out


_CONTRACT_TO_FIELD = {
    "child_id": "child_id", "date_of_birth": "date_of_birth", "age_years": "age_years",
    "gender": "gender", "status_start": "status_start", "team": "team",
    "worker_id": "worker_id", "placement_start": "placement_start",
}  # fmt: skip


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


# ------------------------------------------------------------------ reading the return


def _list_sheets(spec: AnnexSpec, sheets: list[str]) -> dict[str, str]:
    """List id -> the sheet holding it (the first sheet whose name matches its patterns)."""
    found: dict[str, str] = {}
    for list_id, lst in spec.lists.items():
        for sheet in sheets:
            if sheet not in found.values() and _matches(lst.sheet, " ".join(sheet.split())):
                found[list_id] = sheet
                break
    return found


def read_annex_a(path: str | Path, spec: AnnexSpec | None = None) -> AnnexA:
    """Read Lists 6, 7 and 8 of an Annex A workbook. Raises ExtractError when the workbook
    cannot be read, holds none of the three lists, or a list has no child id column; every
    other problem is a quarantined row."""
    spec = spec or annex_spec()
    p = Path(path)
    if not p.is_file():
        raise ExtractError(f"Annex A workbook {p} does not exist")
    book = p.name
    sheets = _list_sheets(spec, workbook_sheets(book, str(p)))
    if not sheets:
        names = ", ".join(spec.lists[k].name for k in spec.lists)
        raise ExtractError(
            f"workbook {book} holds none of the Annex A lists read here ({names}): name the "
            "sheets 'List 6', 'List 7' and 'List 8'"
        )
    quarantine: list[QuarantinedRow] = []
    entries: dict[str, list[AnnexEntry]] = {}
    lists: dict[str, dict[str, Any]] = {}
    column_of: dict[tuple[str, str], str] = {}
    rows_read = 0
    for list_id, sheet_name in sheets.items():
        lst = spec.lists[list_id]
        sheet = read_sheet(
            f"{book}{SHEET_MARK}{sheet_name}", str(p), set(), DATE_FIELDS,
            match=lambda h, lst=lst: any(_matches(ps, h) for ps in lst.columns.values()),
        )  # fmt: skip
        found = match_headers(sheet.header, lst.columns)
        if "child_id" not in found:
            where = (
                f"row {sheet.header_row + 1} (the header row)"
                if sheet.header_row is not None
                else "(an empty sheet)"
            )
            raise ExtractError(
                f"workbook {book}, sheet '{sheet_name}', {where}: no child id column "
                f"(a header like 'Child Unique ID') for {lst.name}"
            )
        for name, i in found.items():
            column_of[(sheet_name, name)] = f"{column_letter(i)} '{sheet.header[i]}'"
        lists[list_id] = {
            "sheet": sheet_name,
            "header_row": None if sheet.header_row is None else sheet.header_row + 1,
            "columns": {name: sheet.header[i] for name, i in found.items()},
        }
        read, kept, bad = _read_list(spec, list_id, sheet, found, column_of)
        rows_read += read
        entries[list_id] = kept
        quarantine.extend(bad)
    on_lists: dict[str, list[AnnexEntry]] = {}
    for list_id in LIST_PRIORITY:
        for entry in entries.get(list_id, []):
            on_lists.setdefault(entry.values["child_id"], []).append(entry)
    children = {
        cid: AnnexChild(cid, deciding_entry(found), tuple(sorted(e.list_id for e in found)))
        for cid, found in sorted(on_lists.items())
    }
    quarantine.sort(key=lambda q: q.row_number)  # as every table's quarantine is ordered
    rows_used = sum(len(v) for v in entries.values())
    if rows_read != rows_used + len(quarantine):  # an internal bug, never the data's fault
        raise RuntimeError("Annex A row accounting failed")
    return AnnexA(book, children, quarantine, rows_read, rows_used, lists, column_of)


def deciding_entry(entries: list[AnnexEntry]) -> AnnexEntry:
    """The entry that decides a child's status, of those in LIST_PRIORITY order: the first
    whose episode is still open (no CIN closure, plan end or ceased-looked-after date); where
    every episode has ended, the first of them."""
    return next((e for e in entries if e.get("end_date") is None), entries[0])


def _read_list(
    spec: AnnexSpec,
    list_id: str,
    sheet: SheetTable,
    found: dict[str, int],
    column_of: dict[tuple[str, str], str],
) -> tuple[int, list[AnnexEntry], list[QuarantinedRow]]:
    lst = spec.lists[list_id]
    read = 0
    kept: list[AnnexEntry] = []
    bad: list[QuarantinedRow] = []
    first_row: dict[str, int] = {}
    for row in sheet.rows({name: sheet.header[i] for name, i in found.items()}):
        read += 1
        values, reasons = _parse_entry(spec, row.values)
        child_id = values.get("child_id")
        if child_id is not None:
            if child_id in first_row:
                reasons.append(
                    ("child_id", f"duplicate child id; first seen at row {first_row[child_id]}")
                )
            else:
                first_row[child_id] = row.row_number
        if reasons:
            located = "; ".join(
                f"{text} (column {column_of[(sheet.sheet, name)]})"
                if (sheet.sheet, name) in column_of
                else text
                for name, text in reasons
            )
            bad.append(
                QuarantinedRow(
                    ANNEX_TABLE, row.row_number, child_id,
                    f"{sheet.where(row.row_number)}: {located}",
                )
            )  # fmt: skip
            continue
        kept.append(AnnexEntry(list_id, lst.legal_status, sheet.sheet, row.row_number, values))
    return read, kept, bad


def _parse_entry(
    spec: AnnexSpec, cells: Mapping[str, str | None]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    values: dict[str, Any] = {}
    reasons: list[tuple[str, str]] = []
    for name, raw in cells.items():
        text = " ".join(raw.split()) if raw is not None else ""
        if not text:
            values[name] = None
            continue
        if name in DATE_FIELDS:
            day = parse_date(text, True)
            if day is None:
                reasons.append(
                    (name, f"{FIELD_WORDS[name]} is not a readable date (expected DD/MM/YYYY)")
                )
            values[name] = day
        elif name == "gender":
            values[name] = code_of(spec, "gender", text) or "unknown"
        elif name in ("seen_alone", "disability"):
            values[name] = code_of(spec, "yes_no", text)
            if values[name] is None:
                reasons.append((name, f"{FIELD_WORDS[name]} is not yes, no or unknown"))
        else:
            values[name] = text
    if not values.get("child_id"):
        reasons.insert(0, ("child_id", "child id is missing"))
    return values, reasons
