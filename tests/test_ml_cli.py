"""``notereview train --from-audits`` falls back to the answer key's simulated auditors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from notereview.cli import app
from notereview.ml import load_model


def test_train_from_audits_with_answer_key(tmp_path: Path) -> None:
    from notereview.synth import generate

    extract = tmp_path / "x"
    generate(extract, 30, 4)
    models, reports = tmp_path / "models", tmp_path / "reports"
    result = CliRunner().invoke(
        app,
        ["train", "--from-audits", "--answer-key", str(extract / "answer_key.json"),
         "--models-dir", str(models), "--report-dir", str(reports), "--version", "t"],
    )
    assert result.exit_code == 0, result.output
    assert "simulated auditors" in result.output
    loaded = load_model(models, "case_audit", "t")
    assert set(loaded.estimator.weights_) >= {"visits", "voice", "plans"}
    assert (reports / "case_audit_learning_curve.md").is_file()


def test_train_from_audits_needs_a_source() -> None:
    result = CliRunner().invoke(app, ["train", "--from-audits"])
    assert result.exit_code != 0
