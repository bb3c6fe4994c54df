"""Annex A in, reconciliation out (issue 20): a return built here from the published list
headers, with a merged title row, Excel serial dates and malformed rows, read beside a
generated extract; scored; the planted disagreements, and only those, are in the
reconciliation table, and no row is lost."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from notereview.batch import BatchOptions, run_batch, score_extract, write_outputs
from notereview.errors import ExtractError
from notereview.extract import read_extract
from notereview.extract._annexa import read_annex_a
from notereview.extract._schema import CONTRACT_TABLES
from notereview.reconciliation import RECONCILIATION_COLUMNS
from xlsx_support import annex_a_from_extract, write_annex_a


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _shift(uk_text: str, days: int) -> str:
    d, m, y = (int(x) for x in uk_text.split("/"))
    return _uk(date(y, m, d) + timedelta(days=days))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):
    """A generated extract, its Annex A return with planted disagreements and bad rows."""
    from notereview.synth import generate

    root = tmp_path_factory.mktemp("annex")
    extract = root / "extract"
    generate(extract, 40, 21)
    (extract / "answer_key.json").unlink()
    lists = annex_a_from_extract(extract)
    l6, l7, l8 = lists["List 6"], lists["List 7"], lists["List 8"]
    assert len(l6) >= 2 and len(l7) >= 2 and len(l8) >= 3, {k: len(v) for k, v in lists.items()}
    expect: dict[tuple[str, str], str] = {}

    row = next(r for r in l7 if r["Date of the Last Statutory Visit"])
    true_day = row["Date of the Last Statutory Visit"]
    row["Date of the Last Statutory Visit"] = _shift(true_day, 21)
    expect[(row["Child Unique ID"], "last_statutory_visit")] = (
        f"Annex A: last statutory visit {row['Date of the Last Statutory Visit']}; "
        f"the last seen visit recorded is {true_day}"
    )
    row = next(r for r in l7 if r["Was the Child Seen Alone?"] and r is not row)
    flipped = "b) No" if row["Was the Child Seen Alone?"].startswith("a") else "a) Yes"
    row["Was the Child Seen Alone?"] = flipped
    expect[(row["Child Unique ID"], "seen_alone")] = "Annex A: child seen alone at the last"

    row = next(r for r in l8 if r["Date of Latest Statutory Review"])
    true_day = row["Date of Latest Statutory Review"]
    row["Date of Latest Statutory Review"] = _shift(true_day, -30)
    expect[(row["Child Unique ID"], "latest_review")] = (
        f"Annex A: latest statutory review {row['Date of Latest Statutory Review']}; "
        f"the latest plan review recorded is {true_day}"
    )
    row = next(r for r in l8 if r["Child Unique ID"] != row["Child Unique ID"])
    iro = row["Date of Last IRO Visit / Contact to the Child"]
    row["Date of Last IRO Visit / Contact to the Child"] = _shift(iro, 14) if iro else "01/10/2026"
    expect[(row["Child Unique ID"], "last_iro_visit")] = "Annex A: last IRO visit"

    row = next(r for r in l6 if r["Date Child Was Last Seen"])
    true_day = row["Date Child Was Last Seen"]
    row["Date Child Was Last Seen"] = ""
    expect[(row["Child Unique ID"], "last_statutory_visit")] = (
        f"Annex A gives no child last seen; the last seen visit recorded is {true_day}"
    )

    # malformed rows: each quarantined with its workbook, sheet, row and column
    l7.append(
        {**l7[0], "Child Unique ID": "C999990", "Date of the Last Statutory Visit": "31/13/2026"}
    )
    l6.append({**l6[0], "Child Unique ID": ""})
    l8.append(dict(l8[0]))  # a duplicate
    book = write_annex_a(root / "AnnexA.xlsx", lists)
    rows = sum(len(v) for v in lists.values())
    return extract, book, expect, rows


def test_the_return_is_read_with_its_bad_rows_quarantined(planted) -> None:
    _, book, _, rows = planted
    annex = read_annex_a(book)
    assert annex.rows_read == rows == annex.rows_used + len(annex.quarantine)
    assert set(annex.lists) == {"list_6", "list_7", "list_8"}
    assert annex.lists["list_7"]["header_row"] == 2  # below the merged title row
    reasons = [q.reason for q in annex.quarantine]
    assert len(reasons) == 3, reasons
    assert all(q.table == "annex_a" for q in annex.quarantine)
    assert any(
        r.startswith("workbook AnnexA.xlsx, sheet 'List 7', row ")
        and "last statutory visit is not a readable date (expected DD/MM/YYYY) "
        "(column J 'Date of the Last Statutory Visit')"
        in r
        for r in reasons
    ), reasons
    assert any("sheet 'List 6'" in r and "child id is missing (column A 'Child Unique ID')" in r
               for r in reasons), reasons  # fmt: skip
    assert any("sheet 'List 8'" in r and "duplicate child id; first seen at row 3" in r
               for r in reasons), reasons  # fmt: skip
    assert all("\n" not in r for r in reasons)
    # serial numbers, date cells and text all read as the same days
    child = next(iter(annex.children.values()))
    assert isinstance(child.entry.get("status_start"), date)


def test_scoring_with_the_return_finds_the_planted_disagreements(
    planted, reviewer, tmp_path: Path
) -> None:
    extract, book, expect, rows = planted
    out = tmp_path / "out"
    db = f"sqlite:///{tmp_path / 'runs.db'}"
    summary = run_batch(
        extract, out, BatchOptions(workers=1, annex_a_path=book, fmt="parquet", db=db)
    )
    info = json.loads((out / "run.json").read_text())
    rec = pd.read_parquet(out / "reconciliation.parquet")
    assert list(rec.columns) == RECONCILIATION_COLUMNS
    statutory = rec[rec["item"].isin(
        ["last_statutory_visit", "seen_alone", "latest_review", "last_iro_visit"]
    )]  # fmt: skip
    got = {(r.child_id, r.item): r.finding for r in statutory.itertuples()}
    assert set(got) == set(expect), (set(got) ^ set(expect), got)
    for key, start in expect.items():
        assert got[key].startswith(start), (key, got[key])
    # nothing lost: the return's rows and every table's rows are accounted for
    counts = info["reconciliation"]
    assert counts["rows_read"] == rows == counts["rows_used"] + counts["rows_quarantined"]
    assert counts["rows_quarantined"] == 3
    assert counts["findings"] == len(rec)
    for table, c in info["tables"].items():
        assert c["rows_read"] == c["rows_scored"] + c["rows_quarantined"], table
    quarantine = pd.read_parquet(out / "quarantine.parquet")
    assert (quarantine["table"] == "annex_a").sum() == 3
    # the children table and the return agree on everyone on the return; care leavers and
    # privately fostered children are not on Lists 6-8, and that is no finding
    assert rec.index.isin(statutory.index).all()
    # the in-memory path gives the same table
    ex = read_extract(extract, annex_a=read_annex_a(book))
    result = score_extract(ex, reviewer)
    mem = tmp_path / "mem"
    write_outputs(result, mem, "parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(mem / "reconciliation.parquet"), rec)
    assert result.run_info["reconciliation"] == counts
    assert summary.reconciliation is not None and len(summary.reconciliation) == len(rec)
    # stored with the run, and on the child's case view
    from notereview.store import case_file, connect, monitoring_rows

    engine = connect(db)
    try:
        assert summary.db_run is not None
        stored = monitoring_rows(engine, summary.db_run[0])  # and the monitoring fields
        assert len(stored) == info["children_scored"]
        assert stored == pd.read_parquet(out / "monitoring.parquet").to_dict("records")
        for (child_id, item), start in expect.items():
            view = case_file(engine, summary.db_run[0], child_id)
            shown = {r["item"]: r["finding"] for r in view.reconciliation}
            assert shown[item].startswith(start)
    finally:
        engine.dispose()


def test_the_command_line_takes_the_return(planted, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from notereview.cli import app

    extract, book, _, _ = planted
    out = tmp_path / "out"
    args = ["score", str(extract), "--out", str(out), "--workers", "1", "--annex-a", str(book)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Annex A AnnexA.xlsx: rows read" in result.output
    assert "disagreements with the files" in result.output
    assert (out / "reconciliation.parquet").exists()
    missing = CliRunner().invoke(app, [*args[:-1], str(tmp_path / "nope.xlsx")])
    assert isinstance(missing.exception, ExtractError)  # main() makes it one line, exit 2
    assert "Annex A workbook" in str(missing.exception) and "does not exist" in str(
        missing.exception
    )


def test_where_the_children_table_and_the_return_differ_it_is_listed(planted, tmp_path) -> None:
    extract, book, _, _ = planted
    folder = tmp_path / "x"
    shutil.copytree(extract, folder)
    kids = pd.read_csv(folder / "children.csv", dtype=str, keep_default_na=False)
    on_return = kids["legal_status"].isin(["CIN", "CP", "LAC"])
    first, second = kids.index[on_return][:2]
    kids.loc[first, "team"] = "Somewhere Else"
    kids.loc[second, "gender"] = "F" if kids.loc[second, "gender"] != "F" else "M"
    kids.loc[second, "date_of_birth"] = "2015-01-01"
    kids.to_csv(folder / "children.csv", index=False)
    ex = read_extract(folder, annex_a=read_annex_a(book))
    found = {(f["child_id"], f["item"]): f for f in ex.children_findings}
    assert len(found) == 3  # the three planted and nothing else
    team = found[(kids.loc[first, "child_id"], "team")]
    assert team["finding"].endswith("the children table has Somewhere Else")
    assert (kids.loc[second, "child_id"], "gender") in found
    dob = found[(kids.loc[second, "child_id"], "date_of_birth")]
    assert dob["annex_a_value"] is None and dob["file_value"] is None
    assert "2015" not in dob["finding"]  # a date of birth is never shown
    # the extract's own table is the one used: nothing silently resolved
    child = next(
        c.child for c in ex.case_files() if c.child.child_id == kids.loc[first, "child_id"]
    )
    assert child.team == "Somewhere Else"


def test_the_return_supplies_the_children_table(planted, tmp_path: Path) -> None:
    extract, book, _, _ = planted
    folder = tmp_path / "x"
    shutil.copytree(extract, folder)
    kids = pd.read_csv(folder / "children.csv", dtype=str, keep_default_na=False)
    (folder / "children.csv").unlink()
    annex = read_annex_a(book)
    ex = read_extract(folder, annex_a=annex)
    for table, c in ex.counts.items():
        assert c.read == c.accepted + c.quarantined, table
    assert ex.notes["children"]["format"] == "annex_a"
    assert ex.counts["children"].read == len(annex.children)
    on_return = kids[kids["legal_status"].isin(["CIN", "CP", "LAC"])]
    assert set(ex.child_ids) == set(on_return["child_id"])
    scored = {c.child.child_id: c.child for c in ex.case_files()}
    for k in on_return.itertuples():
        child = scored[k.child_id]
        assert (child.legal_status, child.team, child.worker_id) == (
            k.legal_status, k.team, k.worker_id,
        )  # fmt: skip
        assert child.status_start.isoformat() == k.status_start
    # the others' records are quarantined as records of an unknown child, not lost
    gone = set(kids["child_id"]) - set(on_return["child_id"])
    orphaned = {q.record_id for q in ex.quarantine if q.table == "visits"}
    assert gone and orphaned
    assert all("unknown child_id" in q.reason for q in ex.quarantine if q.table == "visits")
    assert set(CONTRACT_TABLES) == set(ex.counts)
    # the streamed ingest reads the same
    from notereview.extract import partition_extract

    part = partition_extract(folder, tmp_path / "spill", annex_a=annex)
    assert part.accepted["children"] == ex.counts["children"].accepted
    assert part.notes == ex.notes


# ------------------------------------------------------------------ one child at a time


def _case(visits=(), plans=(), chronology=()):
    from notereview.casefile import CaseFile, Child

    child = Child("C1", "LAC", date(2025, 1, 6), "East", "W1", placement_start=date(2025, 1, 6))
    return CaseFile.build(child, visits=visits, plans=plans, chronology=chronology)


def _visit(day: date, seen: bool = True, alone: bool | None = None, vid: str = "V1"):
    from notereview.casefile import Visit

    return Visit(vid, "C1", day, day, seen, "Visited.", seen_alone=alone)


def _dates(list_id: str = "list_8", **kw):
    from notereview.reconciliation import StatutoryDates

    base = dict(last_statutory_visit=None, seen_alone=None, latest_review=None,
                last_iro_visit=None)  # fmt: skip
    base.update(kw)
    has = frozenset({"last_statutory_visit", "seen_alone", "latest_review", "last_iro_visit"})
    return StatutoryDates("C1", list_id, "List 8, row 3", has=has, **base)


AS_OF = date(2026, 11, 2)


def test_a_visit_where_the_child_was_not_seen_is_not_the_last_statutory_visit() -> None:
    from notereview.reconciliation import reconcile_case

    case = _case([_visit(date(2026, 9, 12)), _visit(date(2026, 10, 3), seen=False, vid="V2")])
    (f,) = reconcile_case(case, _dates(last_statutory_visit=date(2026, 10, 3)), AS_OF)
    assert f.finding == (
        "Annex A: last statutory visit 03/10/2026; the last seen visit recorded is 12/09/2026"
    )
    assert (f.annex_a_value, f.file_value) == ("03/10/2026", "12/09/2026")
    assert reconcile_case(case, _dates(last_statutory_visit=date(2026, 9, 12)), AS_OF) == []
    (none,) = reconcile_case(_case(), _dates(last_statutory_visit=date(2026, 9, 12)), AS_OF)
    assert none.finding.endswith("no visit where the child was seen is recorded")


def test_seen_alone_is_compared_with_the_visit_of_that_day() -> None:
    from notereview.reconciliation import reconcile_case

    day = date(2026, 10, 3)
    for alone, annex, expect in (
        (None, "yes", "does not say whether the child was seen alone"),
        (False, "yes", "says the child was not seen alone"),
        (True, "no", "says the child was seen alone"),
    ):
        case = _case([_visit(day, alone=alone)])
        (f,) = reconcile_case(case, _dates(last_statutory_visit=day, seen_alone=annex), AS_OF)
        assert f.item == "seen_alone" and f.finding.endswith(expect), f.finding
    case = _case([_visit(day, alone=True)])
    assert reconcile_case(case, _dates(last_statutory_visit=day, seen_alone="yes"), AS_OF) == []
    assert reconcile_case(case, _dates(last_statutory_visit=day, seen_alone="unknown"), AS_OF) == []


def test_reviews_and_iro_visits_are_compared_with_plans_and_chronology() -> None:
    from notereview.casefile import ChronologyEntry, Plan
    from notereview.reconciliation import reconcile_case

    plans = [
        Plan("P1", "C1", "care", date(2025, 1, 6), last_review_date=date(2026, 7, 1)),
        Plan("P2", "C1", "CIN", date(2024, 1, 6), last_review_date=date(2026, 9, 1)),
    ]
    iro = ChronologyEntry("E1", "C1", date(2026, 8, 20), "Met the child.", event_type="iro_visit")
    other = ChronologyEntry("E2", "C1", date(2026, 9, 20), "School meeting.", source="School")
    case = _case(plans=plans, chronology=[iro, other])
    found = reconcile_case(
        case, _dates(latest_review=date(2026, 7, 1), last_iro_visit=date(2026, 8, 20)), AS_OF
    )
    assert found == []  # the care plan's review, not the older CIN plan's later one
    (review, visit) = reconcile_case(case, _dates(last_iro_visit=date(2026, 10, 1)), AS_OF)
    assert review.finding == (
        "Annex A gives no latest statutory review; the latest plan review recorded is 01/07/2026"
    )
    assert visit.finding == (
        "Annex A: last IRO visit 01/10/2026; the latest IRO entry in the chronology is 20/08/2026"
    )


def test_the_generator_writes_a_return_whose_planted_gaps_are_found(tmp_path: Path) -> None:
    """``synth --annex-a`` (the demo's path): a return that agrees with the generated files but
    for the planted last-visit dates, each found by the reconciliation, and nothing else
    about a statutory date."""
    from typer.testing import CliRunner

    from notereview.cli import app
    from notereview.synth._annexa import write_return

    extract, book = tmp_path / "extract", tmp_path / "AnnexA.xlsx"
    made = CliRunner().invoke(
        app, ["synth", "--out", str(extract), "--children", "30", "--seed", "5", "--annex-a",
              str(book)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "wrote the Annex A return" in made.output and book.exists()
    key = write_return(extract, book, seed=5, share=0.4)  # more planted than the default
    assert len(key["planted"]) >= 3, key
    annex = read_annex_a(book)
    assert annex.rows_read == sum(key["lists"].values()) == annex.rows_used
    ex = read_extract(extract, annex_a=annex)
    assert ex.children_findings == []  # the children table and the return agree
    out = tmp_path / "out"
    run_batch(extract, out, BatchOptions(workers=1, annex_a_path=book, fmt="parquet"))
    rec = pd.read_parquet(out / "reconciliation.parquet")
    visits = rec[rec["item"] == "last_statutory_visit"]
    assert dict(zip(visits["child_id"], visits["item"], strict=True)) == key["planted"]
    # a moved visit date can leave "seen alone" pointing at a day with no visit: that child's
    # follow-on finding; no other child has any
    assert set(rec["child_id"]) <= set(key["planted"])
    parquet = CliRunner().invoke(
        app, ["synth", "--out", str(tmp_path / "p"), "--children", "3", "--format", "parquet",
              "--annex-a", str(tmp_path / "p.xlsx")],
    )  # fmt: skip
    assert parquet.exit_code == 2 and "--annex-a is written from a CSV extract" in parquet.output
