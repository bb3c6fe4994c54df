"""Ingest of an extract: formats, encodings, malformed files and every quarantine rule."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from notereview.casefile import CaseFile
from notereview.errors import ExtractError, NotereviewError
from notereview.extract import (
    CONTRACT_TABLES,
    REQUIRED_TABLES,
    ColumnMapping,
    Extract,
    TableCount,
    read_extract,
)
from test_extract_support import (
    AS_OF,
    NEWEST,
    Rows,
    assert_accounting,
    csv_bytes,
    reasons,
    valid_tables,
    write_extract,
    zip_folder,
)


def _ingest(tmp_path: Path, tables: dict[str, Rows], **kwargs: object) -> Extract:
    ex = read_extract(write_extract(tmp_path / "extract", tables), **kwargs)  # type: ignore[arg-type]
    assert_accounting(ex)
    return ex


def _with(
    table: str, *rows: dict[str, str], base: dict[str, Rows] | None = None
) -> dict[str, Rows]:
    tables = base if base is not None else valid_tables()
    tables[table] = tables[table] + list(rows)
    return tables


def _visit(**overrides: str) -> dict[str, str]:
    row = dict(visit_id="V9", child_id="C1", visit_date="2026-02-02", recorded_at="2026-02-02",
               seen="y", text="Aria showed me her drawing.")  # fmt: skip
    row.update(overrides)
    return row


def _child(**overrides: str) -> dict[str, str]:
    row = dict(child_id="C9", date_of_birth="2016-05-05", legal_status="CIN",
               status_start="2025-06-01", team="North", worker_id="W1")  # fmt: skip
    row.update(overrides)
    return row


# ------------------------------------------------------------------ the happy path


def test_constants() -> None:
    assert REQUIRED_TABLES == ("children", "visits")
    assert CONTRACT_TABLES == (
        "children", "visits", "case_summaries", "plans", "plan_actions", "chronology",
        "genograms", "supervision",
    )  # fmt: skip


def test_valid_extract_is_read_whole(tmp_path: Path) -> None:
    ex = _ingest(tmp_path, valid_tables())
    assert ex.quarantine == []
    assert ex.tables_absent == []
    assert ex.as_of == NEWEST  # the newest visit / record / event / supervision date
    assert ex.counts["visits"] == TableCount(4, 4, 0)
    assert ex.counts["plan_actions"] == TableCount(3, 3, 0)
    files = list(ex.case_files())
    assert [f.child_id for f in files] == ["C1", "C2", "C3"]
    assert all(isinstance(f, CaseFile) for f in files)
    c1 = files[0]
    assert [v.visit_id for v in c1.visits] == ["V1", "V2"]
    assert c1.visits[0].seen is True and c1.visits[1].seen_alone is False
    assert [a.action_id for a in c1.plan_actions] == ["A1", "A2"]
    assert c1.child.date_of_birth == date(2015, 4, 2) and c1.child.gender == "F"
    assert {m.side for m in c1.latest_genogram.members} == {"other", "maternal", "paternal"}
    c2 = files[1]
    assert c2.child.age_years == 9 and c2.child.placement_start == date(2025, 1, 15)
    assert ex.notes["visits"]["file"] == "visits.csv"
    assert ex.notes["visits"]["format"] == "csv"
    assert ex.notes["visits"]["encoding"] == "utf-8"
    frame = ex.quarantine_frame()
    assert list(frame.columns) == ["table", "row_number", "record_id", "reason"]
    assert len(frame) == 0


def test_optional_tables_absent_are_listed_not_errors(tmp_path: Path) -> None:
    tables = valid_tables()
    for name in ("case_summaries", "genograms", "supervision", "plans", "plan_actions"):
        del tables[name]
    ex = _ingest(tmp_path, tables)
    assert ex.tables_absent == ["case_summaries", "plans", "plan_actions", "genograms",
                                "supervision"]  # fmt: skip
    assert ex.counts["genograms"] == TableCount(0, 0, 0)
    assert all(f.genograms == () for f in ex.case_files())


def test_as_of_given_is_used(tmp_path: Path) -> None:
    ex = _ingest(tmp_path, valid_tables(), as_of=AS_OF)
    assert ex.as_of == AS_OF
    assert ex.quarantine == []


def test_empty_file_is_a_table_with_no_rows(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    (folder / "supervision.csv").write_bytes(b"")
    (folder / "genograms.jsonl").write_bytes(b"\n\n")
    (folder / "genograms.csv").unlink()
    ex = read_extract(folder)
    assert_accounting(ex)
    assert ex.counts["supervision"] == TableCount(0, 0, 0)
    assert ex.counts["genograms"] == TableCount(0, 0, 0)
    assert "supervision" not in ex.tables_absent


# ------------------------------------------------------------------ whole-extract errors


def test_missing_required_table(tmp_path: Path) -> None:
    tables = valid_tables()
    del tables["visits"]
    with pytest.raises(ExtractError) as err:
        read_extract(write_extract(tmp_path / "x", tables))
    message = str(err.value)
    assert "required table 'visits' not found" in message
    assert "tables.visits.file" in message
    assert "children.csv" in message  # what was found


def test_missing_required_column(tmp_path: Path) -> None:
    tables = valid_tables()
    for row in tables["visits"]:
        row["ContactDate"] = row.pop("visit_date")
    with pytest.raises(ExtractError) as err:
        read_extract(write_extract(tmp_path / "x", tables))
    message = str(err.value)
    assert message.startswith("table 'visits' has no column 'visit_date' (found: visit_id, ")
    assert "ContactDate" in message
    assert message.endswith("Map it in the mapping file under tables.visits.columns.visit_date")


def test_missing_required_column_of_optional_table(tmp_path: Path) -> None:
    tables = valid_tables()
    for row in tables["supervision"]:
        del row["text"]
    with pytest.raises(ExtractError, match=r"tables\.supervision\.columns\.text"):
        read_extract(write_extract(tmp_path / "x", tables))


def test_mapped_column_missing_names_the_mapping_key(tmp_path: Path) -> None:
    mapping = ColumnMapping.model_validate(
        {"tables": {"visits": {"columns": {"visit_date": "ContactDate"}}}}
    )
    with pytest.raises(ExtractError) as err:
        read_extract(write_extract(tmp_path / "x"), mapping=mapping)
    assert "no column 'ContactDate' (mapped from 'visit_date')" in str(err.value)
    assert "tables.visits.columns.visit_date" in str(err.value)


def test_neither_date_of_birth_nor_age_column(tmp_path: Path) -> None:
    tables = valid_tables()
    for row in tables["children"]:
        row.pop("date_of_birth", None)
        row.pop("age_years", None)
    with pytest.raises(ExtractError, match=r"tables\.children\.columns\.date_of_birth or"):
        read_extract(write_extract(tmp_path / "x", tables))


def test_headerless_file_does_not_print_its_first_row(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    data = (folder / "children.csv").read_bytes().split(b"\r\n", 1)[1]
    (folder / "children.csv").write_bytes(data)
    with pytest.raises(ExtractError) as err:
        read_extract(folder)
    message = str(err.value)
    assert "2015-04-02" not in message  # a date of birth
    assert "Aria" not in message  # a child's first name
    assert "is the header row missing?" in message


def test_missing_extract_and_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(ExtractError, match="does not exist"):
        read_extract(tmp_path / "nope")
    bogus = tmp_path / "extract.zip"
    bogus.write_bytes(b"not a zip at all")
    with pytest.raises(ExtractError, match=r"neither a folder nor a readable \.zip"):
        read_extract(bogus)
    assert issubclass(ExtractError, NotereviewError)


def test_two_files_for_one_table(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    (folder / "visits.jsonl").write_text("", "utf-8")
    with pytest.raises(ExtractError, match="more than one file"):
        read_extract(folder)


def test_unreadable_parquet_is_an_extract_error(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    (folder / "visits.csv").unlink()
    (folder / "visits.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(ExtractError, match="cannot be read as Parquet"):
        read_extract(folder)


# ------------------------------------------------------------------ formats and containers


def test_mixed_formats_in_one_extract(tmp_path: Path) -> None:
    formats = {"children": "parquet", "visits": "jsonl", "plans": "parquet", "chronology": "jsonl"}
    folder = write_extract(tmp_path / "x", formats=formats)
    ex = read_extract(folder)
    assert_accounting(ex)
    assert ex.quarantine == []
    assert ex.notes["children"]["format"] == "parquet"
    assert ex.notes["children"]["encoding"] is None
    assert ex.notes["visits"]["format"] == "jsonl"
    assert ex.notes["case_summaries"]["format"] == "csv"
    assert sum(len(f.visits) for f in ex.case_files()) == 4


def test_parquet_typed_columns_become_strings(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_extract(tmp_path / "x")
    (folder / "visits.csv").unlink()
    pq.write_table(
        pa.table({
            "visit_id": pa.array([101, 102], pa.int64()),
            "child_id": ["C1", "C2"],
            "visit_date": pa.array([date(2026, 1, 5), date(2026, 1, 6)], pa.date32()),
            "recorded_at": pa.array([None, date(2026, 1, 7)], pa.date32()),
            "seen": pa.array([True, False]),
            "text": ["Aria said hello.", "Ben was out."],
        }),
        folder / "visits.parquet",
    )  # fmt: skip
    ex = read_extract(folder)
    assert_accounting(ex)
    assert reasons(ex, "visits") == [(1, "101", "recorded_at is missing")]
    visit = next(f for f in ex.case_files() if f.child_id == "C2").visits[0]
    assert (visit.visit_id, visit.visit_date, visit.seen) == ("102", date(2026, 1, 6), False)


@pytest.mark.parametrize("inner", ["", "export_2026_03_31"])
def test_zip_with_or_without_a_single_top_folder(tmp_path: Path, inner: str) -> None:
    folder = write_extract(tmp_path / "x", formats={"visits": "jsonl", "children": "parquet"})
    archive = zip_folder(folder, tmp_path / "extract.zip", inner=inner)
    ex = read_extract(archive)
    assert_accounting(ex)
    assert ex.counts["visits"] == TableCount(4, 4, 0)
    assert ex.counts["children"] == TableCount(3, 3, 0)


def test_folder_with_a_single_subfolder(tmp_path: Path) -> None:
    write_extract(tmp_path / "outer" / "export")
    ex = read_extract(tmp_path / "outer")
    assert ex.counts["visits"] == TableCount(4, 4, 0)


def test_file_names_match_regardless_of_case(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    (folder / "visits.csv").rename(folder / "Visits.CSV")
    assert read_extract(folder).counts["visits"] == TableCount(4, 4, 0)


def test_cp1252_file_with_pound_and_curly_quotes(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["visits"][0]["text"] = "Mum said \u201cwe\u2019re fine\u201d \u2013 she owes \u00a340."
    folder = write_extract(tmp_path / "x", tables, encoding="cp1252")
    ex = read_extract(folder)
    assert_accounting(ex)
    assert ex.notes["visits"]["encoding"] == "cp1252"
    text = next(iter(ex.case_files())).visits[0].text
    assert text == "Mum said \u201cwe\u2019re fine\u201d \u2013 she owes \u00a340."


def test_cp1252_undefined_bytes_fall_back_to_latin1(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    raw = csv_bytes(valid_tables()["visits"]).replace(b"Home was warm.", b"Home \x81 \xa3 warm.")
    (folder / "visits.csv").write_bytes(raw)
    ex = read_extract(folder)
    assert ex.notes["visits"]["encoding"] == "cp1252"
    # \x81 is undefined in cp1252: read as latin-1, it is a control character, cleaned out
    assert next(iter(ex.case_files())).visits[0].text.endswith("Home  \u00a3 warm.")


def test_utf8_bom_header_is_read(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    (folder / "visits.csv").write_bytes(b"\xef\xbb\xbf" + csv_bytes(valid_tables()["visits"]))
    ex = read_extract(folder)
    assert ex.counts["visits"] == TableCount(4, 4, 0)
    assert ex.notes["visits"]["encoding"] == "utf-8"


# ------------------------------------------------------------------ malformed files


def test_csv_row_with_wrong_field_count(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    lines = csv_bytes(valid_tables()["children"]).decode().split("\r\n")
    lines.insert(2, "C7,Zed,2016-01-01")  # three fields instead of eleven
    (folder / "children.csv").write_text("\r\n".join(lines), "utf-8")
    ex = read_extract(folder)
    assert_accounting(ex)
    assert reasons(ex, "children") == [(2, "C7", "row has 3 fields but the header has 11")]
    assert ex.counts["children"] == TableCount(4, 3, 1)


def test_stray_quote_is_one_bad_row_not_the_rest_of_the_file(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    header, *rows = csv_bytes(valid_tables()["visits"]).decode().split("\r\n")
    bad = 'V8,C1,"2026-02-02,2026-02-02,y,,,,Unclosed note'
    text = "\r\n".join([header, rows[0], bad, *rows[1:]])
    (folder / "visits.csv").write_text(text, "utf-8")
    ex = read_extract(folder)
    assert_accounting(ex)
    assert reasons(ex, "visits") == [(2, "V8", "malformed CSV row (unbalanced or misplaced quote)")]
    assert ex.counts["visits"] == TableCount(5, 4, 1)


def test_multiline_row_with_a_wrong_field_count_is_one_row(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    header, *rows = csv_bytes(valid_tables()["visits"]).decode().split("\r\n")
    rows[0] += ',"an extra\r\nfield"'
    (folder / "visits.csv").write_text("\r\n".join([header, *rows]), "utf-8")
    ex = read_extract(folder)
    assert_accounting(ex)
    assert reasons(ex, "visits") == [(1, "V1", "row has 10 fields but the header has 9")]


def test_sloppy_but_unambiguous_quoting_is_accepted(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    header, *rows = csv_bytes(valid_tables()["visits"]).decode().split("\r\n")
    rows[0] = rows[0].replace(",home,", ',"home" ,')  # a space after the closing quote
    (folder / "visits.csv").write_text("\r\n".join([header, *rows]), "utf-8")
    ex = read_extract(folder)
    assert ex.counts["visits"] == TableCount(4, 4, 0)


def test_quoted_multiline_text_is_one_row(tmp_path: Path) -> None:
    tables = valid_tables()
    tables["visits"][0]["text"] = 'First paragraph.\r\n\r\nSecond, with "quotes".'
    ex = _ingest(tmp_path, tables)
    assert ex.counts["visits"] == TableCount(4, 4, 0)
    assert next(iter(ex.case_files())).visits[0].text == (
        'First paragraph.\n\nSecond, with "quotes".'
    )


def test_nul_bytes_do_not_crash(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    raw = csv_bytes(valid_tables()["visits"]).replace(b"Home was", b"Ho\x00me was\x00")
    (folder / "visits.csv").write_bytes(raw)
    ex = read_extract(folder)
    assert_accounting(ex)
    assert ex.counts["visits"] == TableCount(4, 4, 0)
    assert ex.notes["visits"]["nul_characters_removed"] == 2


def test_blank_lines_are_skipped_but_numbered(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x")
    header, *rows = csv_bytes(valid_tables()["visits"]).decode().split("\r\n")
    rows[1] = rows[1].replace(",yes,", ",maybe,", 1)
    text = "\r\n".join([header, rows[0], "", rows[1], *rows[2:]])
    (folder / "visits.csv").write_text(text, "utf-8")
    ex = read_extract(folder)
    assert_accounting(ex)
    assert ex.counts["visits"].read == 4
    assert [r for r, _, _ in reasons(ex, "visits")] == [3]  # the blank line counts as a row number


def test_jsonl_bad_lines_are_quarantined_with_line_numbers(tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "x", formats={"visits": "jsonl"})
    lines = (folder / "visits.jsonl").read_text("utf-8").splitlines()
    lines[1] = lines[1][:-5]  # cut off: not valid JSON
    lines.insert(2, "")  # a blank line: skipped, but line numbers go on
    lines.insert(3, "[1, 2, 3]")
    (folder / "visits.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    ex = read_extract(folder)
    assert_accounting(ex)
    assert reasons(ex, "visits") == [
        (2, None, "line is not valid JSON"),
        (4, None, "line is not a JSON object"),
    ]
    assert ex.counts["visits"] == TableCount(5, 3, 2)


def test_jsonl_typed_values_and_members_as_a_real_list(tmp_path: Path) -> None:
    tables = valid_tables()
    folder = write_extract(tmp_path / "x", tables, formats={"genograms": "jsonl"})
    rows = [json.loads(x) for x in (folder / "genograms.jsonl").read_text("utf-8").splitlines()]
    rows[0]["members"] = json.loads(rows[0]["members"])
    (folder / "genograms.jsonl").write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    ex = read_extract(folder)
    assert ex.counts["genograms"] == TableCount(2, 2, 0)
    assert len(next(iter(ex.case_files())).genograms[0].members) == 4


def test_unknown_extra_columns_are_kept_and_ignored(tmp_path: Path) -> None:
    tables = valid_tables()
    for row in tables["visits"]:
        row["LegacyFlag"] = "x"
        row["Comments"] = "anything"
    ex = _ingest(tmp_path, tables)
    assert ex.counts["visits"] == TableCount(4, 4, 0)
    assert ex.notes["visits"]["extra_columns"] == ["LegacyFlag", "Comments"]


# ------------------------------------------------------------------ row rules


def test_required_value_missing(tmp_path: Path) -> None:
    tables = _with("children", _child(child_id="C8", team=" "), _child(child_id="", team="X"))
    tables = _with("visits", _visit(visit_id="V8", seen=""), _visit(visit_id="V9", child_id=""),
                   base=tables)  # fmt: skip
    ex = _ingest(tmp_path, tables)
    assert reasons(ex, "children") == [
        (4, "C8", "team is missing"),
        (5, None, "child_id is missing"),
    ]
    assert reasons(ex, "visits") == [(5, "V8", "seen is missing"), (6, "V9", "child_id is missing")]


@pytest.mark.parametrize("text", ["", "   ", "\r\n\t", "<p></p>", "<br/>&nbsp;"])
def test_empty_text_is_quarantined(tmp_path: Path, text: str) -> None:
    ex = _ingest(tmp_path, _with("visits", _visit(text=text)))
    assert reasons(ex, "visits") == [(5, "V9", "text is empty")]
    assert ex.counts["visits"] == TableCount(5, 4, 1)


def test_unreadable_dates(tmp_path: Path) -> None:
    tables = _with("visits", _visit(visit_id="V7", visit_date="2026-13-01"),
                   _visit(visit_id="V8", visit_date="04/02/2026"),
                   _visit(visit_id="V9", recorded_at="2026-02-30"),
                   _visit(visit_id="V10", visit_date="2026-02-02T09:30:00",
                          recorded_at="2026-02-03 17:00"))  # fmt: skip
    ex = _ingest(tmp_path, tables)
    assert reasons(ex, "visits") == [
        (5, "V7", "visit_date is not a readable date (expected YYYY-MM-DD)"),
        (6, "V8", "visit_date is not a readable date (expected YYYY-MM-DD)"),
        (7, "V9", "recorded_at is not a readable date (expected YYYY-MM-DD)"),
    ]


def test_dayfirst_dates(tmp_path: Path) -> None:
    mapping = ColumnMapping(dayfirst=True)
    tables = _with("visits",
                   _visit(visit_id="V7", visit_date="04/02/2026", recorded_at="4/2/2026"),
                   _visit(visit_id="V8", visit_date="31/02/2026"),
                   _visit(visit_id="V9", visit_date="2026-02-04",
                          recorded_at="2026-02-05"))  # fmt: skip
    ex = _ingest(tmp_path, tables, mapping=mapping)
    assert reasons(ex, "visits") == [
        (6, "V8", "visit_date is not a readable date (expected DD/MM/YYYY or YYYY-MM-DD)")
    ]
    visits = {v.visit_id: v for f in ex.case_files() for v in f.visits}
    assert visits["V7"].visit_date == date(2026, 2, 4) == visits["V9"].visit_date


def test_booleans(tmp_path: Path) -> None:
    tables = _with("visits", _visit(visit_id="V7", seen="Yes", seen_alone="N"),
                   _visit(visit_id="V8", seen="seen"),
                   _visit(visit_id="V9", seen_alone="2"))  # fmt: skip
    ex = _ingest(tmp_path, tables)
    hint = "is not a yes/no value (expected y/n, yes/no, true/false or 1/0)"
    # seen is required: the row goes; seen_alone is optional: emptied, the row kept with a note
    assert reasons(ex, "visits") == [(6, "V8", f"seen {hint}")]
    visits = {v.visit_id: v for f in ex.case_files() for v in f.visits}
    assert (visits["V7"].seen, visits["V7"].seen_alone) == (True, False)
    assert visits["V9"].seen_alone is None
    quality = ex.notes["visits"]["data_quality"]
    assert quality["records_noted"] == 1
    assert quality["values_emptied"] == {"seen_alone": 1}
    assert quality["records"] == [
        {"row_number": 7, "record_id": "V9", "notes": [f"seen_alone {hint}: read as empty"]}
    ]


def test_bad_enums(tmp_path: Path) -> None:
    tables = _with("children", _child(child_id="C7", legal_status="cp"),
                   _child(child_id="C8", legal_status="CP Plan"))  # fmt: skip
    tables = _with("plans", dict(plan_id="P9", child_id="C1", plan_type="safety",
                                 start_date="2025-01-01"),
                   dict(plan_id="P8", child_id="C1", plan_type="Care Plan (interim)",
                        start_date="2025-01-01"), base=tables)  # fmt: skip
    tables = _with("visits", _visit(visit_type="Virtual"), base=tables)
    ex = _ingest(tmp_path, tables)
    assert reasons(ex, "children") == [
        (5, "C8", "legal_status is not one of CIN, CP, LAC, PF, CL "
                  "(map the export's codes under values.legal_status in the mapping file)"),
    ]  # fmt: skip
    # a required code: one that names a plan type is read so; another is kept with a note
    assert reasons(ex, "plans") == []
    plans = {p.plan_id: p for f in ex.case_files() for p in f.plans}
    assert plans["P8"].plan_type == "care"
    assert plans["P9"].plan_type == "CP"  # C1 is on a CP plan: reviewed as a CP plan
    quality = ex.notes["plans"]["data_quality"]
    assert quality["values_read"] == {"plan_type": 1}
    assert quality["values_kept_unrecognised"] == {"plan_type": 1}
    assert [r["record_id"] for r in quality["records"]] == ["P9", "P8"]
    assert "safety" not in str(quality)
    # optional codes are not worth a visit: unknown visit_type becomes "other", and is counted
    assert reasons(ex, "visits") == []
    assert ex.notes["visits"]["values_unrecognised"] == {"visit_type": 1}
    c7 = next(f for f in ex.case_files() if f.child_id == "C7")
    assert c7.child.legal_status == "CP"


def test_duplicate_ids(tmp_path: Path) -> None:
    tables = _with("visits", _visit(visit_id="V1"), _visit(visit_id="V2"), _visit(visit_id="V1"))
    tables = _with("genograms", dict(child_id="C1", updated_at="2025-11-01", members="[]"),
                   base=tables)  # fmt: skip
    ex = _ingest(tmp_path, tables)
    assert reasons(ex, "visits") == [
        (5, "V1", "duplicate visit_id; first seen at row 1"),
        (6, "V2", "duplicate visit_id; first seen at row 2"),
        (7, "V1", "duplicate visit_id; first seen at row 1"),
    ]
    assert reasons(ex, "genograms") == [
        (3, "C1@2025-11-01",
         "duplicate genogram (same child_id and updated_at); first seen at row 1"),
    ]  # fmt: skip
    assert [v.text for f in ex.case_files() for v in f.visits if v.visit_id == "V1"] == [
        "Aria said she likes her new school. Home was warm."
    ]


def test_orphans(tmp_path: Path) -> None:
    tables = _with("children", _child(child_id="C8", legal_status="??"))
    tables = _with("visits", _visit(visit_id="V8", child_id="C8"),
                   _visit(visit_id="V9", child_id="C404"), base=tables)  # fmt: skip
    tables = _with("plans", dict(plan_id="P8", child_id="C8", plan_type="CIN",
                                 start_date="2025-06-01"), base=tables)  # fmt: skip
    tables = _with("plan_actions", dict(action_id="A8", plan_id="P8", text="Do a thing."),
                   dict(action_id="A9", plan_id="P404", text="Do another."),
                   base=tables)  # fmt: skip
    tables = _with("supervision", dict(record_id="R9", child_id="C8", date="2026-01-01",
                                       text="Discussed."), base=tables)  # fmt: skip
    ex = _ingest(tmp_path, tables)
    assert reasons(ex, "visits") == [
        (5, "V8", "child_id C8 was quarantined (children row 4)"),
        (6, "V9", "unknown child_id C404"),
    ]
    assert reasons(ex, "plans") == [(3, "P8", "child_id C8 was quarantined (children row 4)")]
    assert reasons(ex, "plan_actions") == [
        (4, "A8", "plan_id P8 was quarantined (plans row 3)"),
        (5, "A9", "unknown plan_id P404"),
    ]
    assert reasons(ex, "supervision") == [(3, "R9", "child_id C8 was quarantined (children row 4)")]


def test_impossible_dates(tmp_path: Path) -> None:
    tables = _with("children",
                   _child(child_id="C5", date_of_birth="2026-04-01"),
                   _child(child_id="C6", date_of_birth="2000-03-30"),
                   _child(child_id="C7", status_start="2026-04-02"),
                   _child(child_id="C8", date_of_birth="1949-12-31"),
                   _child(child_id="C9", date_of_birth="2001-04-01"))  # fmt: skip
    tables = _with("visits",
                   _visit(visit_id="V7", visit_date="2026-04-01", recorded_at="2026-04-01"),
                   _visit(visit_id="V8", visit_date="2026-02-10", recorded_at="2026-02-09"),
                   _visit(visit_id="V9", visit_date="1949-06-01"),
                   base=tables)  # fmt: skip
    tables = _with("chronology", dict(entry_id="E9", child_id="C1", event_date="2026-05-01",
                                      text="Future."),
                   dict(entry_id="E8", child_id="C1", event_date="2026-01-05",
                        entered_at="2026-01-04", text="Entered before it happened."),
                   base=tables)  # fmt: skip
    tables = _with("supervision", dict(record_id="R9", child_id="C1", date="2026-04-30",
                                       text="Future."), base=tables)  # fmt: skip
    ex = _ingest(tmp_path, tables, as_of=AS_OF)
    assert reasons(ex, "children") == [
        (4, "C5", "date_of_birth is after the as-of date 2026-03-31"),
        (5, "C6", "date_of_birth is more than 25 years before the as-of date 2026-03-31"),
        (6, "C7", "status_start 2026-04-02 is after the as-of date 2026-03-31"),
        (7, "C8", "date_of_birth is before 1950"),
    ]
    assert reasons(ex, "visits") == [
        (5, "V7", "visit_date 2026-04-01 is after the as-of date 2026-03-31; "
                  "recorded_at 2026-04-01 is after the as-of date 2026-03-31"),
        (6, "V8", "recorded_at is before visit_date"),
        (7, "V9", "visit_date is before 1950"),
    ]  # fmt: skip
    assert reasons(ex, "chronology") == [
        (4, "E9", "event_date 2026-05-01 is after the as-of date 2026-03-31"),
    ]
    # entered_at is optional: one before the event is emptied, the entry kept with a note
    e8 = next(e for f in ex.case_files() for e in f.chronology if e.entry_id == "E8")
    assert e8.entered_at is None
    assert ex.notes["chronology"]["data_quality"]["values_emptied"] == {"entered_at": 1}
    assert reasons(ex, "supervision") == [
        (3, "R9", "date 2026-04-30 is after the as-of date 2026-03-31")
    ]
    assert "C9" in [f.child_id for f in ex.case_files()]  # 24 years old: still in range


def test_inferred_as_of_ignores_rows_that_fail_their_own_checks(tmp_path: Path) -> None:
    tables = _with("visits", _visit(visit_id="V8", visit_date="2026-06-01", recorded_at="bad"))
    ex = _ingest(tmp_path, tables)
    assert ex.as_of == NEWEST


def test_children_need_placement_start_if_lac_and_a_dob_or_age(tmp_path: Path) -> None:
    tables = _with("children", _child(child_id="C7", legal_status="LAC"),
                   _child(child_id="C8", date_of_birth=""),
                   _child(child_id="C9", date_of_birth="", age_years="twelve"),
                   _child(child_id="C10", date_of_birth="", age_years="30"))  # fmt: skip
    ex = _ingest(tmp_path, tables)
    assert reasons(ex, "children") == [
        (4, "C7", "placement_start is missing (required for a looked-after child)"),
        (5, "C8", "date_of_birth or age_years is needed (both are missing)"),
        (6, "C9", "age_years is not a whole number"),
        (7, "C10", "age_years is outside 0-25"),
    ]


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ("[{'name': 'Mum'}]", "members is not valid JSON"),
        ('{"name": "Mum"}', "members is not a JSON list"),
        ('["Mum"]', "members[0] is not an object"),
        ('[{"name": "Mum", "relationship": "mother", "side": "maternal", "generation": 1},'
         ' {"name": "Dad", "side": "left", "generation": 1}]',
         "members[1].side is not maternal, paternal or other"),
        ('[{"name": "Mum", "side": "maternal"}]', "members[0].generation is missing"),
        ('[{"name": "Mum", "side": "maternal", "generation": "one"}]',
         "members[0].generation is not a whole number"),
        ("", "members is missing"),
    ],
)  # fmt: skip
def test_genogram_members(tmp_path: Path, members: str, reason: str) -> None:
    tables = _with("genograms", dict(child_id="C3", updated_at="2026-01-01", members=members))
    ex = _ingest(tmp_path, tables)
    assert reasons(ex, "genograms") == [(3, "C3@2026-01-01", reason)]


def test_genogram_members_are_normalised(tmp_path: Path) -> None:
    members = json.dumps([
        {"name": "Gran", "relationship": "grandmother", "side": "Maternal", "generation": "2"},
        {"name": "Dad", "side": None, "generation": 1.0},
    ])  # fmt: skip
    ex = _ingest(tmp_path, _with("genograms", dict(child_id="C3", updated_at="2026-01-01",
                                                   members=members)))  # fmt: skip
    c3 = next(f for f in ex.case_files() if f.child_id == "C3")
    assert [(m.side, m.generation, m.relationship) for m in c3.genograms[0].members] == [
        ("maternal", 2, "grandmother"),
        ("other", 1, ""),
    ]


# ------------------------------------------------------------------ text cleaning


def test_html_rtf_and_line_endings_are_cleaned(tmp_path: Path) -> None:
    rtf = (
        r"{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}}{\colortbl;\red0\green0\blue0;}"
        r"\f0\fs24 Ben said \ldblquote I\rquote m happy\rdblquote .\par Carer \'a3 ok.\par}"
    )
    tables = _with("visits",
                   _visit(visit_id="V7", text="<p>Aria said &quot;hi&quot;.</p><p>Mum &amp; me"
                                              "<br>went out.</p>"),
                   _visit(visit_id="V8", text=rtf),
                   _visit(visit_id="V9", text="Line one.\r\nLine two.\rLine three."))  # fmt: skip
    ex = _ingest(tmp_path, tables)
    visits = {v.visit_id: v.text for f in ex.case_files() for v in f.visits}
    assert visits["V7"] == 'Aria said "hi".\n\nMum & me\nwent out.'
    assert visits["V8"] == "Ben said \u201cI\u2019m happy\u201d.\nCarer \u00a3 ok."
    assert visits["V9"] == "Line one.\nLine two.\nLine three."
    assert ex.notes["visits"]["texts_html_cleaned"] == 1
    assert ex.notes["visits"]["texts_rtf_cleaned"] == 1
    assert ex.notes["visits"]["texts_truncated"] == 0


def test_angle_brackets_that_are_not_html_are_kept(tmp_path: Path) -> None:
    ex = _ingest(tmp_path, _with("visits", _visit(text="Scores <5 and >2 are fine. Q&A done.")))
    v = next(v for f in ex.case_files() for v in f.visits if v.visit_id == "V9")
    assert v.text == "Scores <5 and >2 are fine. Q&A done."
    assert ex.notes["visits"]["texts_html_cleaned"] == 0


def test_a_one_megabyte_note_is_truncated_quickly(tmp_path: Path) -> None:
    long_text = ("Aria talked about school and her friends. " * 25_000)[:1_000_000]
    html_text = "<p>" + "word " * 200_000 + "</p>"
    tables = _with("visits", _visit(visit_id="V8", text=long_text),
                   _visit(visit_id="V9", text=html_text))  # fmt: skip
    started = time.perf_counter()
    ex = _ingest(tmp_path, tables, max_text_chars=100_000)
    elapsed = time.perf_counter() - started
    visits = {v.visit_id: v.text for f in ex.case_files() for v in f.visits}
    assert 80_000 < len(visits["V8"]) <= 100_000
    assert visits["V8"].endswith("friends.") or visits["V8"][-1].isalpha()
    assert long_text.startswith(visits["V8"])
    assert len(visits["V9"]) <= 100_000
    assert ex.notes["visits"]["texts_truncated"] == 2
    assert ex.counts["visits"] == TableCount(6, 6, 0)
    assert elapsed < 10  # generous: a slow shared machine; typically well under a second


# ------------------------------------------------------------------ privacy


def test_reasons_and_errors_never_quote_text_names_or_dates_of_birth(tmp_path: Path) -> None:
    secret_name, secret_text, secret_dob = "Zebedee", "Secret-note-words", "2099-12-31"
    tables = _with("children",
                   _child(child_id="C7", first_name=secret_name, date_of_birth=secret_dob),
                   _child(child_id="C8", first_name=secret_name, date_of_birth=secret_name),
                   _child(child_id="C9", date_of_birth="", age_years=secret_name),
                   _child(child_id="C10", legal_status=secret_text,
                          gender=secret_text))  # fmt: skip
    tables = _with("visits", _visit(visit_id="V7", seen=secret_text, text=secret_text),
                   _visit(visit_id="V8", visit_date=secret_text, text=secret_text),
                   base=tables)  # fmt: skip
    tables = _with("genograms", dict(child_id="C1", updated_at="2026-01-01",
                                     members=json.dumps([{"name": secret_name, "side": secret_text,
                                                          "generation": 0}])),
                   base=tables)  # fmt: skip
    ex = _ingest(tmp_path, tables)
    assert len(ex.quarantine) == 7
    everything = repr(ex.quarantine) + repr(ex.notes)
    for secret in (secret_name, secret_text, secret_dob):
        assert secret not in everything


def test_records_pickle_as_their_constructor_and_values() -> None:
    """Pass 1 spills every record and the workers read them back: each record type pickles as
    (its class, its field values) and comes back equal, nested records included."""
    import pickle
    from dataclasses import fields

    from notereview import casefile as cf

    day = date(2026, 3, 4)
    action = cf.PlanAction("A1", "P1", "Mum to take Kai to the GP", "Mum", day, "open")
    records = [
        cf.Child("C1", "CP", day, "North", "W1", "Kai", day, None, "M", day, True),
        cf.Visit("V1", "C1", day, day, True, "Saw Kai alone.", True, "home", "W1"),
        cf.CaseSummary("S1", "C1", day, "Summary."),
        action,
        cf.Plan("P1", "C1", "CP", day, day, day, (action,)),
        cf.ChronologyEntry("H1", "C1", day, "Referral.", day, "referral", "school", "high"),
        cf.Genogram("C1", day, (cf.GenogramMember("Ann", "mother", "maternal", 1),), "Notes."),
        cf.SupervisionRecord("M1", "C1", day, "Discussed."),
    ]
    for record in records:
        cls, values = record.__reduce__()
        assert cls is type(record)
        assert values == tuple(getattr(record, f.name) for f in fields(record))
        assert pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)) == record


def test_words_in_a_due_date_field_mean_no_due_date_and_keep_the_action(tmp_path: Path) -> None:
    # Case-management systems write "Ongoing", "ASAP" or "TBC" where there is no due date:
    # the action is kept with no due date (counted), not thrown away. A value shaped like a
    # date that is not one is an error in the data: the action is still kept (due_date is
    # optional), with a data-quality note saying so.
    tables = _with(
        "plan_actions",
        dict(action_id="A7", plan_id="P1", text="Mum to attend the course.", due_date="Ongoing"),
        dict(action_id="A8", plan_id="P1", text="SW to visit weekly.", due_date="within 2 weeks"),
        dict(action_id="A9", plan_id="P1", text="Dad to ring school.", due_date="31/13/2026"),
    )
    ex = _ingest(tmp_path, tables)
    assert_accounting(ex)
    assert reasons(ex, "plan_actions") == []
    kept = {a.action_id: a for c in ex.case_files() for a in c.plan_actions}
    assert kept["A7"].due_date is None and kept["A8"].due_date is None
    assert kept["A9"].due_date is None
    assert ex.notes["plan_actions"]["values_unrecognised"] == {"due_date": 2}
    quality = ex.notes["plan_actions"]["data_quality"]
    assert quality["values_emptied"] == {"due_date": 1}
    assert quality["records"] == [
        {
            "row_number": 6,
            "record_id": "A9",
            "notes": ["due_date is not a readable date (expected YYYY-MM-DD): read as empty"],
        }
    ]
