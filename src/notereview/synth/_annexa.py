"""The generator's children as an Ofsted Annex A return (issue 20): Lists 6, 7 and 8 written as an
.xlsx workbook in the shape councils' analysts export them, so ``make demo`` runs the
``--annex-a`` path.

:func:`annex_a_from_extract` works each child's statutory dates out of an extract's CSV tables as
an analyst would (the latest seen visit and its seen-alone flag, the plans' latest review, the
chronology's latest IRO entry): a return that agrees with the files. :func:`plant_disagreements`
then moves a seeded share of those dates, as a return drawn from another system field does, and
says which (``annex_a_key.json``), so the reconciliation's findings can be checked against the
truth. :func:`write_annex_a` writes the workbook: a merged title row above each header, dates by
turns as date cells, Excel serial numbers and UK text, and trailing formatted empty rows.
Every value is invented.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

EXCEL_EPOCH = date(1899, 12, 30)

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
_PLAN_OF = {"CIN": "CIN", "CP": "CP", "LAC": "care"}
_GENDER = {"F": "b) Female", "M": "a) Male", "unknown": "c) Not stated/recorded"}
_YES_NO = {"yes": "a) Yes", "no": "b) No"}
#: Per list, the header of the last statutory visit: the date a planted disagreement moves.
VISIT_HEADER = {
    "List 6": "Date Child Was Last Seen",
    "List 7": "Date of the Last Statutory Visit",
    "List 8": "Date of Last Social Work Visit",
}


def serial(day: date) -> int:
    """Excel's serial number of a day (1900 date system, after March 1900)."""
    return (day - EXCEL_EPOCH).days


def uk(day: str | None) -> str:
    """An ISO date as UK text (DD/MM/YYYY); empty for none."""
    return f"{day[8:10]}/{day[5:7]}/{day[:4]}" if day else ""


def _day(uk_text: str) -> date | None:
    try:
        return date(int(uk_text[6:10]), int(uk_text[3:5]), int(uk_text[:2]))
    except (ValueError, IndexError):
        return None


def _csv(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def annex_a_from_extract(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Lists 6, 7 and 8 for the children of a generated CSV extract, agreeing with its files.
    Dates are UK text here; :func:`write_annex_a` writes some as date cells and serials."""
    by_child: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for table in ("visits", "plans", "chronology"):
        for row in _csv(folder, table):
            by_child[row["child_id"]][table].append(row)
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in LIST_HEADERS}
    for child in _csv(folder, "children"):
        cid = child["child_id"]
        status = child["legal_status"]
        if status not in _LIST_OF:
            continue  # care leavers, private fostering: not on Lists 6-8
        rows = by_child[cid]
        seen = sorted(v["visit_date"] for v in rows["visits"] if v["seen"] == "y")
        last = seen[-1] if seen else None
        alone = [
            v["seen_alone"] for v in rows["visits"] if v["seen"] == "y" and v["visit_date"] == last
        ]
        reviews = sorted(
            p["last_review_date"]
            for p in rows["plans"]
            if p["plan_type"] == _PLAN_OF[status] and p["last_review_date"]
        )
        iro = sorted(
            c["event_date"]
            for c in rows["chronology"]
            if "IRO" in (c["source"] or "").upper().split()
        )
        row: dict[str, Any] = {
            "Child Unique ID": cid,
            "Gender": _GENDER.get(child["gender"], "d) Neither"),
            "Ethnicity": child.get("ethnicity") or "",
            "Date of Birth": uk(child["date_of_birth"]),
            "Age of Child (Years)": child["age_years"],
            "Does the Child have a Disability": _YES_NO.get(child.get("disability") or "", ""),
            "Allocated Team": child["team"],
            "Allocated Worker": child["worker_id"],
        }
        name = _LIST_OF[status]
        if name == "List 6":
            row.update(
                {
                    "CIN Start Date": uk(child["status_start"]),
                    "Date Child Was Last Seen": uk(last),
                    "Case Status": "c) Child in need plan",
                }
            )
        elif name == "List 7":
            row.update(
                {
                    "Child Protection Plan Start Date": uk(child["status_start"]),
                    "Date of the Last Statutory Visit": uk(last),
                    "Was the Child Seen Alone?": ("a) Yes" if "y" in alone else "b) No")
                    if alone
                    else "",
                    "Date of latest review conference": uk(reviews[-1] if reviews else None),
                }
            )
        else:
            row.update(
                {
                    "Date Started to be Looked After": uk(child["status_start"]),
                    "Start Date of Most Recent Placement": uk(child["placement_start"]),
                    "Child's Legal Status": "C2: FCO",
                    "Date of Latest Statutory Review": uk(reviews[-1] if reviews else None),
                    "Date of Last Social Work Visit": uk(last),
                    "Date of Last IRO Visit / Contact to the Child": uk(iro[-1] if iro else None),
                }
            )
        lists[name].append(row)
    return lists


def plant_disagreements(
    lists: Mapping[str, list[dict[str, Any]]], seed: int, share: float = 0.05
) -> dict[str, str]:
    """Move the last statutory visit of a seeded ``share`` of the listed children that have
    one a week to five weeks earlier (the return's field not yet updated), in place. Returns
    child_id -> the item planted (``last_statutory_visit``), the reconciliation's name."""
    rng = random.Random(f"annex-a/{seed}")
    planted: dict[str, str] = {}
    for name, rows in lists.items():
        header = VISIT_HEADER[name]
        for row in rows:
            day = _day(row.get(header) or "")
            if day is None or rng.random() >= share:
                continue
            moved = day - timedelta(days=rng.randint(7, 35))  # a field not yet updated
            row[header] = moved.strftime("%d/%m/%Y")
            planted[row["Child Unique ID"]] = "last_statutory_visit"
    return planted


def write_annex_a(path: Path, lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    """The lists as an Annex A workbook: a merged title row above each header, dates by turns
    as date cells, Excel serial numbers and UK text, trailing formatted empty rows."""
    import xlsxwriter

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


def write_return(extract: Path, path: Path, seed: int, share: float = 0.05) -> dict[str, Any]:
    """The Annex A return of a generated CSV extract, with a seeded share of planted
    disagreements; writes the workbook at ``path`` and, beside it, ``annex_a_key.json`` (the
    planted child ids and items). Returns that key, with the list sizes."""
    lists = annex_a_from_extract(extract)
    planted = plant_disagreements(lists, seed, share)
    write_annex_a(path, lists)
    key = {
        "workbook": path.name,
        "lists": {name: len(rows) for name, rows in lists.items()},
        "planted": dict(sorted(planted.items())),
    }
    (path.parent / "annex_a_key.json").write_text(json.dumps(key, indent=1) + "\n")
    return key
