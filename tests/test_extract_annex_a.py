"""Reading an Ofsted Annex A return: lists found by sheet name, headers matched by pattern,
coded cells read, and every error one line naming the workbook, sheet, row and column."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xlsxwriter

from notereview.errors import ConfigError, ExtractError
from notereview.extract._annexa import (
    AnnexSpec,
    annex_spec,
    code_of,
    match_headers,
    read_annex_a,
)
from xlsx_support import LIST_HEADERS, write_annex_a


def test_the_published_list_headers_are_matched_to_their_fields() -> None:
    spec = annex_spec()
    want = {
        "list_6": {
            "child_id": "Child Unique ID", "status_start": "CIN Start Date",
            "last_statutory_visit": "Date Child Was Last Seen", "end_date": "CIN Closure Date",
            "date_of_birth": "Date of Birth", "age_years": "Age of Child (Years)",
            "team": "Allocated Team", "worker_id": "Allocated Worker",
            "disability": "Does the Child have a Disability",
        },
        "list_7": {
            "status_start": "Child Protection Plan Start Date",
            "end_date": "Child Protection Plan End Date",
            "last_statutory_visit": "Date of the Last Statutory Visit",
            "seen_alone": "Was the Child Seen Alone?",
            "latest_review": "Date of latest review conference",
        },
        "list_8": {
            "status_start": "Date Started to be Looked After",
            "legal_status_start": "Start date of current legal status",
            "legal_status_code": "Child's Legal Status",
            "placement_start": "Start Date of Most Recent Placement",
            "end_date": "Date Ceased to be Looked After",
            "last_iro_visit": "Date of Last IRO Visit / Contact to the Child",
            "latest_review": "Date of Latest Statutory Review",
            "last_statutory_visit": "Date of Last Social Work Visit",
        },
    }  # fmt: skip
    for list_id, sheet in (("list_6", "List 6"), ("list_7", "List 7"), ("list_8", "List 8")):
        header = LIST_HEADERS[sheet]
        found = {
            k: header[i] for k, i in match_headers(header, spec.lists[list_id].columns).items()
        }
        for name, text in want[list_id].items():
            assert found.get(name) == text, (list_id, name, found.get(name))


def test_headers_reworded_or_broken_over_lines_still_match() -> None:
    spec = annex_spec()
    header = ["Child  ID", "DOB", "Sex", "Date of last\nstatutory visit", "CP Plan start date"]
    found = match_headers([" ".join(h.split()) for h in header], spec.lists["list_7"].columns)
    assert found == {
        "child_id": 0, "date_of_birth": 1, "gender": 2, "last_statutory_visit": 3,
        "status_start": 4,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [("gender", "b) Female", "F"), ("gender", "a) Male", "M"), ("gender", "Male", "M"),
     ("gender", "c) Not stated/recorded", "unknown"), ("gender", "d) Neither", "other"),
     ("yes_no", "a) Yes", "yes"), ("yes_no", "N", "no"), ("yes_no", "c) Unknown", "unknown"),
     ("yes_no", "perhaps", None)],
)  # fmt: skip
def test_coded_cells(kind: str, raw: str, value: str | None) -> None:
    assert code_of(annex_spec(), kind, raw) == value


def test_a_pattern_that_does_not_compile_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not compile"):
        AnnexSpec.model_validate(
            {"lists": {"x": {"name": "x", "legal_status": "CP", "sheet": ["("],
                             "columns": {"child_id": ["id"]}}}}
        )  # fmt: skip
    bad = tmp_path / "annex.yaml"
    bad.write_text("lists: {x: {name: x, legal_status: CP, sheet: [a], columns: {team: [b]}}}\n")
    with pytest.raises(ConfigError, match="every list needs a child_id column"):
        annex_spec(str(bad))


def test_a_workbook_without_the_lists_is_a_clear_error(tmp_path: Path) -> None:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.add_worksheet("Summary").write_row(0, 0, ["a", "b"])
    book.close()
    path = tmp_path / "return.xlsx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(ExtractError) as err:
        read_annex_a(path)
    assert str(err.value).startswith("workbook return.xlsx holds none of the Annex A lists")
    with pytest.raises(ExtractError, match="does not exist"):
        read_annex_a(tmp_path / "absent.xlsx")


def test_a_list_without_a_child_id_column_names_its_header_row(tmp_path: Path) -> None:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("List 7")
    ws.merge_range(0, 0, 0, 3, "Annex A List 7")
    ws.write_row(1, 0, ["Gender", "Child Protection Plan Start Date", "Allocated Team"])
    book.close()
    path = tmp_path / "return.xlsx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(ExtractError) as err:
        read_annex_a(path)
    assert str(err.value) == (
        "workbook return.xlsx, sheet 'List 7', row 2 (the header row): no child id column "
        "(a header like 'Child Unique ID') for List 7: child protection"
    )


def test_a_child_on_two_lists_takes_the_stronger_status(tmp_path: Path) -> None:
    row = {"Child Unique ID": "C1", "Gender": "b) Female", "Allocated Team": "East",
           "Allocated Worker": "W1"}  # fmt: skip
    path = write_annex_a(
        tmp_path / "r.xlsx",
        {
            "List 6": [{**row, "CIN Start Date": "01/02/2026"}],
            "List 7": [{**row, "Child Protection Plan Start Date": "03/04/2026",
                        "Was the Child Seen Alone?": "maybe"}],
            "List 8": [],
        },
    )  # fmt: skip
    annex = read_annex_a(path)
    assert annex.rows_read == 2 and annex.rows_used == 1
    assert annex.children["C1"].legal_status == "CIN"  # List 7's row was quarantined
    (q,) = annex.quarantine
    assert q.reason == (
        "workbook r.xlsx, sheet 'List 7', row 3: seen alone is not yes, no or unknown "
        "(column K 'Was the Child Seen Alone?')"
    )
    fixed = write_annex_a(
        tmp_path / "s.xlsx",
        {"List 6": [{**row, "CIN Start Date": "01/02/2026"}],
         "List 7": [{**row, "Child Protection Plan Start Date": "03/04/2026"}]},
    )  # fmt: skip
    child = read_annex_a(fixed).children["C1"]
    assert child.legal_status == "CP" and child.lists == ("list_6", "list_7")
    assert child.entry.get("status_start").isoformat() == "2026-04-03"


def test_an_ended_episode_gives_way_to_an_open_one(tmp_path: Path) -> None:
    row = {"Child Unique ID": "C1", "Gender": "a) Male", "Allocated Team": "East",
           "Allocated Worker": "W1"}  # fmt: skip
    path = write_annex_a(
        tmp_path / "r.xlsx",
        {
            "List 6": [{**row, "CIN Start Date": "01/02/2026"}],
            "List 7": [{**row, "Child Protection Plan Start Date": "03/04/2026",
                        "Child Protection Plan End Date": "01/09/2026"}],
        },
    )  # fmt: skip
    child = read_annex_a(path).children["C1"]
    assert child.legal_status == "CIN" and child.lists == ("list_6", "list_7")
    ended = write_annex_a(
        tmp_path / "s.xlsx",
        {"List 7": [{**row, "Child Protection Plan Start Date": "03/04/2026",
                     "Child Protection Plan End Date": "01/09/2026"}]},
    )  # fmt: skip
    assert read_annex_a(ended).children["C1"].legal_status == "CP"  # the only episode
