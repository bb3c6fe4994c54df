"""`notereview score` with the batch flags: workers, chunk size, models, the end summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from notereview.cli import app

runner = CliRunner()


def test_score_with_batch_flags_prints_the_summary(synth_extract: Path, tmp_path: Path):
    out = tmp_path / "out"
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["score", str(synth_extract), "--out", str(out), "--workers", "1", "--chunk-size",
            "30", "--models", "none", "--db", db, "--top", "2"]  # fmt: skip
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "stored as run" in first.output
    assert "skipped as unchanged 0" in first.output and "time per stage:" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "already stored as run" in again.output
    assert "children reviewed 0, skipped as unchanged 80" in again.output
    info = json.loads((out / "run.json").read_text())
    assert info["batch"]["chunks"] == 3 and info["children_scored"] == 80
    assert {"load", "ingest", "review", "write", "store"} <= set(info["timings_s"])


def test_an_unknown_models_choice_is_exit_2(synth_extract: Path, tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", "from notereview.cli import main; main()", "score",
         str(synth_extract), "--out", str(tmp_path), "--models", "gpt"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--models" in result.stderr and "Traceback" not in result.stderr
