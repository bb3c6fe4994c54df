"""What every reader yields and where a table lives: a raw row (cells as text), a table's
location (a file, or a workbook's sheet) and its format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".xlsx": "xlsx"}


#: Between a workbook's file name and a sheet's name in a table's location ("book.xlsx#Visits").
SHEET_MARK = "#"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row of a table file: contract column -> cell text (None: absent or null)."""

    row_number: int
    values: dict[str, str | None]
    problem: str | None = None


def split_location(location: str) -> tuple[str, str | None]:
    """A table's location as (file name, sheet name or None)."""
    head, mark, sheet = location.partition(".xlsx" + SHEET_MARK)
    if not mark:
        head, mark, sheet = location.partition(".XLSX" + SHEET_MARK)
        if not mark:
            return location, None
        return head + ".XLSX", sheet
    return head + ".xlsx", sheet


def format_of_file(file_name: str) -> str | None:
    return _SUFFIXES.get(PurePosixPath(file_name).suffix.lower())


def format_of(location: str) -> str:
    return _SUFFIXES[PurePosixPath(split_location(location)[0]).suffix.lower()]
