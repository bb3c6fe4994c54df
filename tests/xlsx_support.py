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

EXCEL_EPOCH = date(1899, 12, 30)


def serial(day: date) -> int:
    """Excel's serial number of a day (1900 date system, after March 1900)."""
    return (day - EXCEL_EPOCH).days


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


# ------------------------------------------------------------------ an Annex A return

#: The column headers of Lists 6, 7 and 8 as the Ofsted Annex A specification names them.
LIST_HEADERS: dict[str, list[str]] = {
    "List 6": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Does the Child have a Disability",
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 7": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Does the Child have a Disability",
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)",
        "Number of Previous Child Protection Plans",
        "Allocated Team",
        "Allocated Worker",
    ],
    "List 8": [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Does the Child have a Disability",
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last "
        "12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Allocated Team",
        "Allocated Worker",
    ],
}
_LIST_OF = {"CIN": "List 6", "CP": "List 7", "LAC": "List 8"}
_GENDER = {"F": "b) Female", "M": "a) Male", "unknown": "c) Not stated/recorded"}


def _csv(folder: Path, table: str) -> list[dict[str, str]]:
    import csv

    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _uk(day: str | None) -> str:
    return f"{day[8:10]}/{day[5:7]}/{day[:4]}" if day else ""


def annex_a_from_extract(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Lists 6, 7 and 8 for the children of a generated extract, their statutory dates worked
    out from its CSV tables as an analyst would (latest seen visit, its seen-alone flag, the
    plans' latest review, the chronology's latest IRO entry): a return that agrees with the
    files. Dates are UK text here; ``write_annex_a`` writes some as date cells and serials."""
    visits = _csv(folder, "visits")
    plans = _csv(folder, "plans")
    chronology = _csv(folder, "chronology")
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in LIST_HEADERS}
    for child in _csv(folder, "children"):
        cid = child["child_id"]
        status = child["legal_status"]
        if status not in _LIST_OF:
            continue
        seen = sorted(v["visit_date"] for v in visits if v["child_id"] == cid and v["seen"] == "y")
        last = seen[-1] if seen else None
        alone = [
            v["seen_alone"]
            for v in visits
            if v["child_id"] == cid and v["seen"] == "y" and v["visit_date"] == last
        ]
        plan_type = {"CP": "CP", "LAC": "care", "CIN": "CIN"}[status]
        reviews = sorted(
            p["last_review_date"]
            for p in plans
            if p["child_id"] == cid and p["plan_type"] == plan_type and p["last_review_date"]
        )
        iro = sorted(
            c["event_date"]
            for c in chronology
            if c["child_id"] == cid and "IRO" in (c["source"] or "").upper().split()
        )
        row: dict[str, Any] = {
            "Child Unique ID": cid,
            "Gender": _GENDER.get(child["gender"], "d) Neither"),
            "Ethnicity": "a) WBRI",
            "Date of Birth": _uk(child["date_of_birth"]),
            "Age of Child (Years)": child["age_years"],
            "Does the Child have a Disability": "b) No",
            "Allocated Team": child["team"],
            "Allocated Worker": child["worker_id"],
        }
        name = _LIST_OF[status]
        if name == "List 6":
            row.update(
                {
                    "CIN Start Date": _uk(child["status_start"]),
                    "Date Child Was Last Seen": _uk(last),
                    "Case Status": "c) Child in need plan",
                }
            )
        elif name == "List 7":
            row.update(
                {
                    "Child Protection Plan Start Date": _uk(child["status_start"]),
                    "Date of the Last Statutory Visit": _uk(last),
                    "Was the Child Seen Alone?": ("a) Yes" if "y" in alone else "b) No")
                    if alone
                    else "",
                    "Date of latest review conference": _uk(reviews[-1] if reviews else None),
                }
            )
        else:
            row.update(
                {
                    "Date Started to be Looked After": _uk(child["status_start"]),
                    "Start Date of Most Recent Placement": _uk(child["placement_start"]),
                    "Child's Legal Status": "C2: FCO",
                    "Date of Latest Statutory Review": _uk(reviews[-1] if reviews else None),
                    "Date of Last Social Work Visit": _uk(last),
                    "Date of Last IRO Visit / Contact to the Child": _uk(iro[-1] if iro else None),
                }
            )
        lists[name].append(row)
    return lists


def _day(uk_text: str) -> date | None:
    try:
        return date(int(uk_text[6:10]), int(uk_text[3:5]), int(uk_text[:2]))
    except (ValueError, IndexError):
        return None


def write_annex_a(path: Path, lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    """The lists as an Annex A workbook: a merged title row above each header, dates by turns
    as date cells, Excel serial numbers and UK text, trailing formatted empty rows."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in lists.items():
        ws = book.add_worksheet(name)
        header = LIST_HEADERS[name]
        ws.merge_range(0, 0, 0, 5, f"Annex A {name}", book.add_format({"bold": True}))
        ws.write_row(1, 0, header)
        for i, row in enumerate(rows, start=2):
            for c, column in enumerate(header):
                value = row.get(column)
                if value in (None, ""):
                    continue
                day = _day(value) if isinstance(value, str) and "date" in column.lower() else None
                if day is not None and i % 3 == 0:
                    ws.write_datetime(i, c, datetime(day.year, day.month, day.day), date_fmt)
                elif day is not None and i % 3 == 1:
                    ws.write_number(i, c, serial(day))
                else:
                    ws.write_string(i, c, str(value))
        for extra in range(3):
            ws.write_blank(len(rows) + 2 + extra, 0, None, date_fmt)
    book.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path
