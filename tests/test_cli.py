"""The command line end to end: synth → score → check, and clear errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from notereview.batch import (
    CASES_COLUMNS,
    CRITERIA_COLUMNS,
    PLAN_ACTIONS_COLUMNS,
    QUARANTINE_COLUMNS,
    VISITS_COLUMNS,
)
from notereview.cli import app

runner = CliRunner()


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from notereview.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_help_explains_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("synth", "score", "check", "evaluate"):
        assert command in result.output


def test_synth_then_score_writes_the_contract_files(tmp_path: Path):
    extract = tmp_path / "extract"
    out = tmp_path / "out"
    r = runner.invoke(app, ["synth", "--children", "25", "--seed", "3", "--out", str(extract)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["score", str(extract), "--out", str(out), "--format", "csv",
                            "--report", str(tmp_path / "report.md")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "weakest files" in r.output
    expected = {
        "cases": CASES_COLUMNS,
        "criteria": CRITERIA_COLUMNS,
        "visits": VISITS_COLUMNS,
        "plan_actions": PLAN_ACTIONS_COLUMNS,
        "quarantine": QUARANTINE_COLUMNS,
    }
    for name, columns in expected.items():
        frame = pd.read_csv(out / f"{name}.csv")
        assert list(frame.columns) == columns, name
    cases = pd.read_csv(out / "cases.csv")
    assert len(cases) == 25
    assert sorted(cases["rank"]) == list(range(1, 26))
    assert cases.sort_values("rank")["score"].is_monotonic_increasing
    assert set(cases["grade_band"]) <= {"good", "requires_improvement", "inadequate"}
    criteria = pd.read_csv(out / "criteria.csv")
    assert len(criteria) == 25 * 26
    for evidence in criteria["evidence"]:
        for item in json.loads(evidence):
            assert set(item) == {"table", "record_id", "start", "end", "quote", "source", "why"}
    run = json.loads((out / "run.json").read_text())
    for table, counts in run["tables"].items():
        assert counts["rows_read"] == counts["rows_scored"] + counts["rows_quarantined"], table
    assert {"as_of", "started_at", "finished_at", "versions", "timings_s"} <= set(run)
    assert (tmp_path / "report.md").read_text().startswith("# notereview run")


def test_a_missing_column_is_one_clear_line_and_exit_2(tmp_path: Path):
    extract = tmp_path / "extract"
    runner.invoke(app, ["synth", "--children", "5", "--seed", "1", "--out", str(extract)])
    visits = pd.read_csv(extract / "visits.csv", dtype=str)
    visits.drop(columns=["visit_date"]).to_csv(extract / "visits.csv", index=False)
    result = _cli("score", str(extract), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "visit_date" in result.stderr and "tables.visits.columns.visit_date" in result.stderr


def test_a_missing_extract_is_exit_2(tmp_path: Path):
    result = _cli("score", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_check_prints_the_contract_json():
    r = runner.invoke(
        app, ["check", "--kind", "visit", "--child-name", "Kai", "--age", "9",
              "Kai told me he misses his brother."],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    payload = json.loads(r.output)
    assert payload["kind"] == "visit"
    assert {f["criterion"] for f in payload["findings"]} == {"C1", "C2", "C3", "C4", "V4", "V5"}
    assert set(payload["labels"]) == {"voice", "plan_linked", "analysis"}
    contract = {"criterion", "status", "score", "confidence", "evidence", "missing"}
    for f in payload["findings"]:
        # CONTRACT.md's keys, and per criterion a verdict and advice a practice lead can use
        assert set(f) == contract | {"verdict", "advice"}
        assert f["verdict"] in ("good", "partly", "missing", "not applicable")
        assert f["advice"]
    c1 = next(f for f in payload["findings"] if f["criterion"] == "C1")
    assert c1["verdict"] == "good" and c1["advice"].endswith(": good")


def test_check_judges_a_pasted_plan_action_on_what_its_text_can_show():
    r = runner.invoke(
        app, ["check", "--kind", "plan_action",
              "Dad to attend all six sessions of the Tuesday parenting course."],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    (p1,) = json.loads(r.output)["findings"]
    assert p1["status"] == "met" and p1["verdict"] == "good"
    assert "by when" in p1["advice"]  # no date in the text: advice, not a failure
    vague = runner.invoke(app, ["check", "--kind", "plan_action", "Dad to engage with services."])
    (p1,) = json.loads(vague.output)["findings"]
    assert p1["verdict"] == "missing" and "add" in p1["advice"]


def _finding(*args: str) -> dict:
    r = runner.invoke(app, ["check", *args])
    assert r.exit_code == 0, r.output
    return {f["criterion"]: f for f in json.loads(r.output)["findings"]}


def test_check_hears_a_child_the_passage_names_without_being_told_the_name():
    found = _finding("--kind", "visit", 'Tyler said "I want to go back to my old school."')
    assert found["C1"]["verdict"] == "good"
    # a parent speaking about the child is not the child's voice
    found = _finding("--kind", "visit", "Mum said Tyler is happy at school and has no worries.")
    assert found["C1"]["verdict"] == "missing"


def test_check_reads_a_worry_statement_and_a_record_of_facts_as_what_they_can_show():
    worry = (
        "The school and social worker are worried that when Dad has been drinking he shouts "
        "at Tyler and pushes him, and Tyler has come to school with bruises on his arms."
    )
    s3 = _finding("--kind", "case_summary", worry)["S3"]
    assert s3["verdict"] == "good" and "strengths" in s3["advice"]  # the rest is advice
    s3 = _finding("--kind", "case_summary", "There are some concerns at home.")["S3"]
    assert s3["verdict"] == "missing" and "who is worried" in s3["advice"]
    facts = "I saw Tyler in the kitchen; there was no food in the fridge and the heating was off."
    v5 = _finding("--kind", "visit", facts)["V5"]
    assert v5["verdict"] == "good" and "mean for the child" in v5["advice"]
    opinion = _finding("--kind", "visit", "The home conditions are not good enough.")["V5"]
    assert opinion["verdict"] == "missing" and opinion["advice"].startswith(
        "Record says what was observed"
    )


def test_check_rejects_an_unknown_kind_cleanly():
    result = _cli("check", "--kind", "poem", "roses are red")
    assert result.returncode == 2
    assert "unknown kind" in result.stderr and "roses" not in result.stderr
