"""Builders of .xlsx workbooks for the tests (xlsxwriter, the dev extra): sheets with a merged
title row above the header, dates as date cells, Excel serial numbers or text, a formula with
its cached value and trailing blank rows, as councils' analysts' workbooks have them.
No tests here; every value is invented."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

# The generator writes Annex A returns too (``notereview synth --annex-a``): one builder.
from notereview.synth._annexa import LIST_HEADERS, annex_a_from_extract, serial, write_annex_a


def _as_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else None
    except ValueError:
        return None


def write_sheet(
    book: Any,
    name: str,
    header: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str | None = None,
    date_columns: Sequence[str] = (),
    blank_rows_after: int = 3,
) -> int:
    """One sheet; returns the sheet row number (1-based) of the header. In ``date_columns``,
    ISO text becomes a date cell, an Excel serial number or stays text, by turns."""
    ws = book.add_worksheet(name)
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    bold = book.add_format({"bold": True})
    r = 0
    if title is not None:
        ws.merge_range(0, 0, 0, max(len(header) - 1, 1), title, bold)
        r = 2  # a blank row between the title and the header
    header_row = r
    ws.write_row(r, 0, list(header), bold)
    for i, row in enumerate(rows):
        r += 1
        for c, column in enumerate(header):
            value = row.get(column)
            if value is None or value == "":
                continue
            if column in date_columns and isinstance(value, str) and _as_day(value):
                day = _as_day(value)
                assert day is not None
                turn = i % 3
                if turn == 0:
                    ws.write_datetime(r, c, datetime(day.year, day.month, day.day), date_fmt)
                elif turn == 1:
                    ws.write_number(r, c, serial(day))
                else:
                    ws.write_string(r, c, value)
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write(r, c, value)
    for _ in range(blank_rows_after):  # formatted but empty: not rows
        r += 1
        ws.write_blank(r, 0, None, bold)
    return header_row + 1


def workbook_bytes(
    sheets: Mapping[str, tuple[Sequence[str], Sequence[Mapping[str, Any]]]],
    *,
    titles: bool = True,
    date_columns: Sequence[str] = (),
) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    for name, (header, rows) in sheets.items():
        write_sheet(
            book,
            name,
            header,
            rows,
            title=f"{name} (exported)" if titles else None,
            date_columns=date_columns,
        )
    book.close()
    return buf.getvalue()


def write_workbook(path: Path, *args: Any, **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(*args, **kwargs))
    return path


__all__ = [
    "LIST_HEADERS",
    "annex_a_from_extract",
    "serial",
    "workbook_bytes",
    "write_annex_a",
    "write_sheet",
    "write_workbook",
]
