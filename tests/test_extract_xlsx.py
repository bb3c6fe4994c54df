"""Excel in: every table of an extract may be a sheet of an .xlsx workbook, read with the same
mapping, the same quarantine and the same messages as CSV, in the in-memory and the streamed
ingest alike; every sheet error names the workbook, sheet, row and column."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from notereview.errors import ExtractError
from notereview.extract import ColumnMapping, assemble_chunk, partition_extract, read_extract
from notereview.extract._columns import DATE_COLUMNS
from notereview.extract._readers import column_letter, excel_serial_date, find_header_row
from notereview.extract._schema import CONTRACT_TABLES, TABLE_SPECS
from test_extract_support import assert_accounting, valid_tables, write_extract
from xlsx_support import write_workbook

ALL_DATES = sorted(set().union(*DATE_COLUMNS.values()))


def _sheets(tables: dict[str, list[dict[str, str]]]) -> dict:
    return {
        t: (list(dict.fromkeys(k for r in rows for k in r)), rows) for t, rows in tables.items()
    }


def _hashes(ex) -> list[str]:
    return [c.content_hash() for c in ex.case_files()]


def _streamed(path: Path, tmp: Path, **kwargs):
    part = partition_extract(path, tmp / "spill", chunk_children=2, **kwargs)
    cases, quarantine = [], list(part.quarantine)
    for task in part.tasks:
        got = assemble_chunk(task, part.as_of, part.children_q, part.plans_q)
        cases += got.case_files
        quarantine += got.quarantine
    return part, cases, quarantine


# ------------------------------------------------------------------ pieces


def test_excel_serial_dates_and_column_letters() -> None:
    assert excel_serial_date(46023) == date(2026, 1, 1)
    assert excel_serial_date(1) == date(1900, 1, 1)
    assert excel_serial_date(61) == date(1900, 3, 1)  # after Excel's 29 February 1900
    assert excel_serial_date(0) is None and excel_serial_date(3_000_000) is None
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


def test_header_row_is_found_below_title_rows() -> None:
    grid = [
        ["Children in need (list 6)", "", ""],
        ["", "", ""],
        ["Run on", "", ""],
        ["Child ID", "Gender", "DOB"],
        ["C1", "F", 1.0],
    ]
    assert find_header_row(grid, {"child id", "dob"}) == 3
    assert find_header_row(grid, set()) == 3  # the first row with two filled cells
    assert find_header_row([["", ""], ["", ""]], set()) is None


# ------------------------------------------------------------------ same as CSV


def test_a_workbook_of_sheets_reads_as_the_csv_extract(tmp_path: Path) -> None:
    tables = valid_tables()
    csv_ex = read_extract(write_extract(tmp_path / "csv", tables))
    book = write_workbook(tmp_path / "xl" / "export.xlsx", _sheets(tables), date_columns=ALL_DATES)
    for source in (book.parent, book):  # a folder holding the workbook, or the workbook
        ex = read_extract(source)
        assert_accounting(ex)
        assert ex.counts == csv_ex.counts
        assert ex.as_of == csv_ex.as_of
        assert ex.quarantine == []
        assert _hashes(ex) == _hashes(csv_ex)
        note = ex.notes["visits"]
        assert note["format"] == "xlsx" and note["sheet"] == "visits"
        assert note["header_row"] == 3  # below the merged title row and a blank row
        assert note["file"] == "export.xlsx#visits"


def test_one_workbook_per_table_and_a_mapped_sheet(tmp_path: Path) -> None:
    tables = valid_tables()
    csv_ex = read_extract(write_extract(tmp_path / "csv", tables))
    folder = tmp_path / "xl"
    for name, rows in tables.items():
        sheet = "Contacts" if name == "visits" else "Sheet1"
        header = list(dict.fromkeys(k for r in rows for k in r))
        write_workbook(
            folder / f"{name}.xlsx", {"Notes": (["a", "b"], []), sheet: (header, rows)}
            if name == "visits" else {sheet: (header, rows)}, date_columns=ALL_DATES,
        )  # fmt: skip
    mapping = ColumnMapping.model_validate({"tables": {"visits": {"sheet": "Contacts"}}})
    ex = read_extract(folder, mapping=mapping)
    assert _hashes(ex) == _hashes(csv_ex)
    with pytest.raises(ExtractError) as err:
        read_extract(
            folder,
            mapping=ColumnMapping.model_validate({"tables": {"visits": {"sheet": "Nope"}}}),
        )
    assert "workbook visits.xlsx has no sheet 'Nope'" in str(err.value)
    assert "\n" not in str(err.value)


def test_formula_cells_are_read_as_their_cached_values(tmp_path: Path) -> None:
    tables = valid_tables()
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, rows in tables.items():
        ws = book.add_worksheet(name)
        header = list(dict.fromkeys(k for r in rows for k in r))
        ws.write_row(0, 0, header)
        for i, row in enumerate(rows, start=1):
            for c, column in enumerate(header):
                value = row.get(column) or ""
                if name == "children" and column == "team":  # ="No"&"rth", cached "North"
                    ws.write_formula(i, c, f'="{value[:2]}"&"{value[2:]}"', None, value)
                elif value:
                    ws.write_string(i, c, value)
    book.close()
    (tmp_path / "xl").mkdir()
    (tmp_path / "xl" / "extract.xlsx").write_bytes(buf.getvalue())
    ex = read_extract(tmp_path / "xl")
    csv_ex = read_extract(write_extract(tmp_path / "csv", tables))
    assert _hashes(ex) == _hashes(csv_ex)


def test_dates_as_text_follow_the_mapping_as_in_csv(tmp_path: Path) -> None:
    tables = valid_tables()
    for row in tables["visits"]:
        y, m, d = row["visit_date"].split("-")
        row["visit_date"] = f"{d}/{m}/{y}"  # text, day first
    book = write_workbook(tmp_path / "xl" / "x.xlsx", _sheets(tables))
    plain = read_extract(book)
    assert all("visit_date is not a readable date" in q.reason for q in plain.quarantine)
    assert plain.counts["visits"].quarantined == len(tables["visits"])
    dayfirst = read_extract(book, mapping=ColumnMapping(dayfirst=True))
    assert dayfirst.counts["visits"].quarantined == 0


# ------------------------------------------------------------------ errors say where


def test_a_quarantined_sheet_row_names_workbook_sheet_row_and_column(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["visits"][1]["visit_date"] = "31/13/2026"
    tables["visits"][2]["seen"] = "maybe"
    book = write_workbook(tmp_path / "xl" / "export.xlsx", _sheets(tables))
    ex = read_extract(book)
    assert_accounting(ex)
    header = list(dict.fromkeys(k for r in tables["visits"] for k in r))
    got = {q.row_number: q.reason for q in ex.quarantine if q.table == "visits"}
    date_col = column_letter(header.index("visit_date"))
    seen_col = column_letter(header.index("seen"))
    assert got == {
        5: "workbook export.xlsx, sheet 'visits', row 5: visit_date is not a readable date "
        f"(expected YYYY-MM-DD) (column {date_col} 'visit_date')",
        6: "workbook export.xlsx, sheet 'visits', row 6: seen is not a yes/no value "
        f"(expected y/n, yes/no, true/false or 1/0) (column {seen_col} 'seen')",
    }
    assert all("\n" not in r for r in got.values())


def test_a_missing_column_names_workbook_sheet_and_header_row(tmp_path: Path) -> None:
    tables = valid_tables()
    for row in tables["visits"]:
        del row["seen"]
    book = write_workbook(tmp_path / "xl" / "export.xlsx", _sheets(tables))
    with pytest.raises(ExtractError) as err:
        read_extract(book)
    message = str(err.value)
    assert message.startswith(
        "workbook export.xlsx, sheet 'visits', row 3 (the header row): "
        "table 'visits' has no column 'seen'"
    )
    assert "\n" not in message
    with pytest.raises(ExtractError) as streamed:
        partition_extract(book, tmp_path / "spill")
    assert str(streamed.value) == message


def test_a_file_that_is_not_a_workbook_is_a_clear_error(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x", {"children": valid_tables()["children"]})
    (folder / "visits.xlsx").write_bytes(b"not a workbook at all")
    with pytest.raises(ExtractError) as err:
        read_extract(folder)
    assert "workbook visits.xlsx cannot be read as an Excel .xlsx workbook" in str(err.value)


def test_an_empty_sheet_is_an_empty_table(tmp_path: Path) -> None:
    tables = valid_tables()
    sheets = _sheets(tables)
    sheets["supervision"] = ([], [])
    ex = read_extract(write_workbook(tmp_path / "x.xlsx", sheets, titles=False))
    assert ex.counts["supervision"].read == 0


# ------------------------------------------------------------------ the streamed ingest


def test_the_streamed_ingest_reads_a_workbook_as_read_extract_does(tmp_path: Path) -> None:
    from notereview.synth import generate

    generate(tmp_path / "gen", 12, 3)
    frames = {
        t: pd.read_csv(tmp_path / "gen" / f"{t}.csv", dtype=str, keep_default_na=False)
        for t in CONTRACT_TABLES
        if (tmp_path / "gen" / f"{t}.csv").exists()
    }
    frames["visits"].loc[3, "child_id"] = "C-UNKNOWN"  # an orphan, quarantined in a worker
    frames["visits"].loc[4, "recorded_at"] = "not a date"
    sheets = {t: (list(f.columns), f.to_dict("records")) for t, f in frames.items()}
    book = write_workbook(tmp_path / "xl" / "council.xlsx", sheets, date_columns=ALL_DATES)
    csv_ex = read_extract(tmp_path / "gen")
    expected = read_extract(book)
    assert_accounting(expected)
    assert expected.counts["children"] == csv_ex.counts["children"]
    assert expected.counts["visits"].quarantined == 2
    part, cases, quarantine = _streamed(book, tmp_path)
    order = {t: i for i, t in enumerate(CONTRACT_TABLES)}
    quarantine.sort(key=lambda q: (order[q.table], q.row_number))
    assert part.notes == expected.notes
    assert [c.content_hash() for c in cases] == _hashes(expected)
    assert [(q.table, q.row_number) for q in quarantine] == [
        (q.table, q.row_number) for q in expected.quarantine
    ]
    located = [q.reason for q in expected.quarantine]
    assert any("row 7: unknown child_id C-UNKNOWN (column B" in r for r in located), located
    assert all(r.startswith("workbook council.xlsx, sheet 'visits', row ") for r in located)
    assert set(TABLE_SPECS) >= set(part.read)


def test_excels_lock_files_are_not_tables(tmp_path: Path) -> None:
    tables = valid_tables()
    folder = tmp_path / "xl"
    write_workbook(folder / "export.xlsx", _sheets(tables), date_columns=ALL_DATES)
    (folder / "~$export.xlsx").write_bytes(b"\x0bowner  ")  # Excel has the workbook open
    (folder / "~$visits.xlsx").write_bytes(b"\x0bowner  ")
    ex = read_extract(folder)
    assert ex.counts["visits"].read == len(tables["visits"])
    assert ex.notes["visits"]["file"] == "export.xlsx#visits"


def test_every_quarantined_sheet_row_is_one_line_with_its_place(tmp_path: Path) -> None:
    """Each kind of bad row, from a sheet: the reason is one line that starts with the
    workbook, sheet and row and names the sheet's column, in both ingests."""
    import re

    tables = valid_tables()
    v = tables["visits"]
    bad = [
        {**v[0], "visit_id": "VB1", "visit_date": "31/13/2026"},  # unreadable date
        {**v[0], "visit_id": "VB2", "seen": "perhaps"},  # not yes/no
        {**v[0], "visit_id": "VB3", "text": "   "},  # empty text
        {**v[0], "visit_id": v[1]["visit_id"]},  # duplicate id
        {**v[0], "visit_id": "VB4", "child_id": "C-NOBODY"},  # unknown child
        {**v[0], "visit_id": "VB5", "visit_date": "2026-03-10", "recorded_at": "2026-03-01"},
        {**v[0], "visit_id": "VB6", "visit_date": "2027-01-05", "recorded_at": "2027-01-05"},
    ]
    tables["visits"] = v + bad
    tables["children"] = tables["children"] + [{**tables["children"][0], "child_id": "CB1",
                                                "legal_status": "XX"}]  # fmt: skip
    book = write_workbook(tmp_path / "xl" / "export.xlsx", _sheets(tables))
    shape = re.compile(r"workbook export\.xlsx, sheet '(visits|children)', row \d+: .+"
                       r"\(column [A-Z]+ '[a-z_]+'\)")  # fmt: skip
    ex = read_extract(book, as_of=date(2026, 3, 31))
    assert_accounting(ex)
    assert len([q for q in ex.quarantine if q.table == "visits"]) == len(bad)
    for q in ex.quarantine:
        assert "\n" not in q.reason and shape.fullmatch(q.reason), q.reason
    _, _, quarantine = _streamed(book, tmp_path, as_of=date(2026, 3, 31))
    assert sorted((q.table, q.row_number) for q in quarantine) == sorted(
        (q.table, q.row_number) for q in ex.quarantine
    )


def test_the_batch_engine_writes_the_located_reasons(tmp_path: Path) -> None:
    from notereview.batch import BatchOptions, run_batch

    tables = valid_tables()
    tables["visits"][1]["seen"] = "perhaps"
    tables["visits"][2]["child_id"] = "C-NOBODY"  # quarantined in a worker, located after
    book = write_workbook(tmp_path / "xl" / "export.xlsx", _sheets(tables))
    expected = read_extract(book)
    run_batch(book, tmp_path / "out", BatchOptions(workers=1, fmt="csv"))
    got = pd.read_csv(tmp_path / "out" / "quarantine.csv", dtype={"record_id": str})
    assert list(got["reason"]) == [q.reason for q in expected.quarantine]
    assert all(r.startswith("workbook export.xlsx, sheet 'visits', row ") for r in got["reason"])
