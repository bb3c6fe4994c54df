"""Hostile input: an extract mixing valid case files with damaged rows is scored without a crash
or a lost row, both ingest paths read it alike, no output cell is one a spreadsheet would run,
and a bad value in an optional column costs the row nothing but a data-quality note.

The extract here has 800 rows; ``python -m bench.hostile --rows 10000`` is the 10,000-row run.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bench.hostile import evaluated, formula_cells, make_hostile_extract, score_hostile
from tests.test_batch_stream import _streamed

from notereview.batch import score_extract, write_outputs
from notereview.extract import read_extract
from notereview.extract._schema import CONTRACT_TABLES

ROWS = 800
DAY = date(2026, 11, 2)
KINDS = {
    "control_characters", "date_format", "duplicate_id", "formula", "id_from_another_table",
    "missing_value", "one_megabyte_cell", "random_unicode", "right_to_left_marks", "wrong_type",
}  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("hostile") / "extract"
    return folder, make_hostile_extract(folder, ROWS, seed=19)


def test_the_generator_plants_every_kind_of_hostile_row(hostile, tmp_path: Path):
    folder, made = hostile
    assert made["rows"] == sum(made["rows_per_table"].values()) == ROWS
    assert set(made["planted"]) == KINDS and all(made["planted"].values())
    again = make_hostile_extract(tmp_path / "again", ROWS, seed=19)
    assert again == made  # seeded: the same extract every time
    assert (folder / "visits.csv").read_bytes() == (tmp_path / "again/visits.csv").read_bytes()
    sizes = [p.stat().st_size for p in folder.iterdir()]
    assert max(sizes) > 1_000_000  # the 1 MB cell is there


def test_a_hostile_extract_is_scored_without_a_crash_or_a_lost_row(hostile, tmp_path: Path):
    folder, made = hostile
    got = score_hostile(folder, tmp_path / "out", workers=2, timeout=600)
    assert got["exit_code"] == 0, got["stderr_tail"]
    assert "Traceback" not in got["stderr_tail"]
    assert got["rows_read"] == ROWS == got["rows_scored"] + got["rows_quarantined"]
    for table, rows in made["rows_per_table"].items():
        counts = got["tables"][table]
        assert counts["rows_read"] == rows, table
        assert counts["rows_read"] == counts["rows_scored"] + counts["rows_quarantined"], table
        assert counts["rows_scored"] > 0 and counts["rows_quarantined"] > 0, table
    assert got["children_scored"] > 0
    # optional values that could not be read were emptied with a note, not quarantined
    emptied = sum(sum(t["values_emptied"].values()) for t in got["data_quality"].values())
    assert emptied > 0
    assert got["output_files_opened"] == 7
    assert got["formula_cells_found"] == 0, got["formula_cells"]
    quarantine = (tmp_path / "out/quarantine.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in quarantine  # the formulas reached the outputs, neutralised


def test_both_ingest_paths_read_a_hostile_extract_alike(hostile, tmp_path: Path):
    folder, _ = hostile
    expected = read_extract(folder, as_of=DAY)
    part, cases, quarantine, accepted = _streamed(folder, tmp_path, 3, as_of=DAY)
    assert part.notes == expected.notes
    assert quarantine == expected.quarantine
    assert [c.content_hash() for c in cases] == [c.content_hash() for c in expected.case_files()]
    for table in CONTRACT_TABLES:
        assert accepted.get(table, 0) == expected.counts[table].accepted, table


def test_the_in_memory_path_writes_no_cell_a_spreadsheet_would_run(
    hostile, reviewer, tmp_path: Path
):
    folder, _ = hostile
    result = score_extract(read_extract(folder, as_of=DAY), reviewer, source=folder)
    write_outputs(result, tmp_path / "out", "csv")
    files, cells = formula_cells(tmp_path / "out")
    assert files >= 5
    assert cells == []


def test_the_output_scan_finds_a_formula_it_is_shown(tmp_path: Path):
    """The scan itself can fail: a cell a spreadsheet would run is found, a number is not."""
    (tmp_path / "x.csv").write_text('a,b\n=1+1,-2.5\n"\t=SUM(A1)",@x\n+3,plain\n', "utf-8")
    files, cells = formula_cells(tmp_path)
    assert files == 1
    assert [(r, c) for _, r, c, _ in cells] == [(1, 0), (2, 0), (2, 1)]
    assert not evaluated("-2.5") and not evaluated("+3") and evaluated("-2+3")


# ------------------------------------------------------------------ optional values


def _write(folder: Path, table: str, rows: list[dict[str, str]]) -> None:
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
        writer.writeheader()
        writer.writerows(rows)


def _hand_written(folder: Path) -> Path:
    """A new user's extract: 4 children, 8 plans (one typed "Care Plan (interim)"), 80 plan
    actions whose due dates include "Ongoing", "TBC", "Termly" and a date that is not one."""
    folder.mkdir(parents=True)
    statuses = ["CP", "LAC", "CIN", "CL"]
    _write(folder, "children", [
        dict(child_id=f"K{i}", date_of_birth="2014-02-03", legal_status=s,
             status_start="2025-01-06", team="East", worker_id="W1",
             placement_start="2025-01-06" if s == "LAC" else "",
             long_term_placement="perhaps" if i == 0 else "no")
        for i, s in enumerate(statuses)
    ])  # fmt: skip
    _write(folder, "visits", [
        dict(visit_id=f"V{i}", child_id=f"K{i}", visit_date="2026-10-01",
             recorded_at="2026-10-02", seen="y", seen_alone="sometimes",
             text="Visited at home; we talked about school.")
        for i in range(4)
    ])  # fmt: skip
    plan_types = [
        "Child Protection Plan",
        "Care Plan (interim)",
        "Child in Need Plan",
        "Pathway Plan",
        "CP",
        "Leaving Care Plan",
        "Family Support Plan",
        "CIN/CP plan",
    ]
    _write(folder, "plans", [
        dict(plan_id=f"P{i}", child_id=f"K{i % 4}", plan_type=t, start_date="2025-02-03",
             last_review_date="31/02/2026" if i == 2 else "2026-06-01",
             next_review_date="Termly" if i == 3 else "")
        for i, t in enumerate(plan_types)
    ])  # fmt: skip
    dues = ["2026-12-01", "Ongoing", "TBC", "Termly", "2026-13-45", "ASAP", "2026-11-30", ""]
    _write(folder, "plan_actions", [
        dict(action_id=f"A{i}", plan_id=f"P{i % 8}", text="Social worker to visit Mum weekly.",
             owner="Social worker", due_date=dues[i % len(dues)], status="open")
        for i in range(80)
    ])  # fmt: skip
    return folder


def test_bad_optional_values_keep_the_row_with_a_note(tmp_path: Path):
    folder = _hand_written(tmp_path / "extract")
    ex = read_extract(folder, as_of=DAY)
    assert ex.quarantine == []
    assert ex.counts["plan_actions"].accepted == 80
    plans = {p.plan_id: p for f in ex.case_files() for p in f.plans}
    assert {pid: p.plan_type for pid, p in plans.items()} == {
        "P0": "CP", "P1": "care", "P2": "CIN", "P3": "pathway", "P4": "CP", "P5": "pathway",
        # no plan type found in the words, or two: the child's legal status decides
        "P6": "CIN", "P7": "pathway",
    }  # fmt: skip
    assert sum(len(p.actions) for p in plans.values()) == 80
    assert plans["P2"].last_review_date is None
    notes = ex.notes
    assert notes["plan_actions"]["data_quality"]["values_emptied"] == {"due_date": 10}
    assert notes["plan_actions"]["values_unrecognised"] == {"due_date": 40}  # the words
    assert notes["plans"]["data_quality"]["values_read"] == {"plan_type": 5}
    assert notes["plans"]["data_quality"]["values_kept_unrecognised"] == {"plan_type": 2}
    assert notes["plans"]["data_quality"]["values_emptied"] == {
        "last_review_date": 1,
        "next_review_date": 1,
    }
    assert notes["children"]["data_quality"]["values_emptied"] == {"long_term_placement": 1}
    assert notes["visits"]["data_quality"]["records_noted"] == 4
    record = notes["plan_actions"]["data_quality"]["records"][0]
    assert record == {"row_number": 5, "record_id": "A4", "notes": [
        "due_date is not a readable date (expected YYYY-MM-DD): read as empty"]}  # fmt: skip
    # the streamed batch path reads it the same way
    part, cases, quarantine, _ = _streamed(folder, tmp_path, 2, as_of=DAY)
    assert part.notes == notes and quarantine == []
    assert [c.content_hash() for c in cases] == [c.content_hash() for c in ex.case_files()]


def test_an_unreadable_required_value_still_quarantines(tmp_path: Path):
    folder = _hand_written(tmp_path / "extract")
    _write(folder, "plans", [
        dict(plan_id="P0", child_id="K0", plan_type="CP", start_date="Ongoing"),
        dict(plan_id="P1", child_id="K1", plan_type="", start_date="2025-02-03"),
    ])  # fmt: skip
    ex = read_extract(folder, as_of=DAY)
    reasons = {(q.table, q.record_id): q.reason for q in ex.quarantine if q.table == "plans"}
    assert reasons == {
        ("plans", "P0"): "start_date is not a readable date (expected YYYY-MM-DD)",
        ("plans", "P1"): "plan_type is missing",
    }


def test_a_looked_after_child_needs_a_readable_placement_start(tmp_path: Path):
    folder = _hand_written(tmp_path / "extract")
    _write(folder, "children", [
        dict(child_id="K1", date_of_birth="2014-02-03", legal_status="LAC",
             status_start="2025-01-06", team="East", worker_id="W1", placement_start="soon"),
        dict(child_id="K2", date_of_birth="yesterday", age_years="9", legal_status="CIN",
             status_start="2025-01-06", team="East", worker_id="W1", placement_start="soon"),
        dict(child_id="K3", date_of_birth="yesterday", age_years="", legal_status="CIN",
             status_start="2025-01-06", team="East", worker_id="W1", placement_start=""),
    ])  # fmt: skip
    ex = read_extract(folder, as_of=DAY)
    reasons = {q.record_id: q.reason for q in ex.quarantine if q.table == "children"}
    assert reasons == {
        "K1": "placement_start is not a readable date (expected YYYY-MM-DD)",
        "K3": "date_of_birth is not a readable date (expected YYYY-MM-DD)",
    }
    k2 = next(f.child for f in ex.case_files() if f.child_id == "K2")
    assert (k2.date_of_birth, k2.age_years, k2.placement_start) == (None, 9, None)


def test_an_optional_date_after_as_of_is_emptied_not_quarantined(tmp_path: Path):
    folder = _hand_written(tmp_path / "extract")
    _write(folder, "children", [
        dict(child_id="K0", date_of_birth="2014-02-03", legal_status="CP",
             status_start="2025-01-06", team="East", worker_id="W1", placement_start="2027-01-01"),
        dict(child_id="K1", date_of_birth="2014-02-03", legal_status="LAC",
             status_start="2025-01-06", team="East", worker_id="W1", placement_start="2027-01-01"),
        dict(child_id="K2", date_of_birth="2014-02-03", legal_status="CIN",
             status_start="2025-01-06", team="East", worker_id="W1", placement_start=""),
    ])  # fmt: skip
    _write(folder, "plans", [
        dict(plan_id="P0", child_id="K0", plan_type="CP", start_date="2025-02-03",
             last_review_date="2026-12-24"),
        dict(plan_id="P2", child_id="K2", plan_type="CIN", start_date="2025-02-03",
             last_review_date="2026-06-01"),
    ])  # fmt: skip
    ex = read_extract(folder, as_of=DAY)
    children = {q.record_id: q.reason for q in ex.quarantine if q.table == "children"}
    assert children == {"K1": "placement_start 2027-01-01 is after the as-of date 2026-11-02"}
    assert not [q for q in ex.quarantine if q.table == "plans"]
    files = {f.child_id: f for f in ex.case_files()}
    assert files["K0"].child.placement_start is None
    assert files["K0"].plans[0].last_review_date is None
    assert files["K2"].plans[0].last_review_date == date(2026, 6, 1)
    note = "last_review_date is after the as-of date 2026-11-02: read as empty"
    assert ex.notes["plans"]["data_quality"]["records"] == [
        {"row_number": 1, "record_id": "P0", "notes": [note]}
    ]
    assert ex.notes["children"]["data_quality"]["values_emptied"] == {"placement_start": 1}
    part, cases, quarantine, _ = _streamed(folder, tmp_path, 2, as_of=DAY)
    assert part.notes == ex.notes and quarantine == ex.quarantine
    assert [c.content_hash() for c in cases] == [c.content_hash() for c in ex.case_files()]
