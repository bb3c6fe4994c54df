"""Judgement against the synthetic answer key: a floor under the figures we report, so a
regression in the rules shows up as a failing test, not as a quieter README."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notereview.evaluation import evaluate_exemplars, evaluate_run, run_markdown


@pytest.fixture(scope="module")
def evaluation(scored_run, synth_extract: Path):
    _, out = scored_run
    return evaluate_run(out, synth_extract / "answer_key.json")


def test_every_criterion_is_measured(evaluation):
    assert len(evaluation.criteria) == 26
    for cid, m in evaluation.criteria.items():
        assert m["n"] == evaluation.children, cid


def test_date_based_criteria_agree_with_the_generator(evaluation):
    for cid in ("V1", "V2", "V3", "S1", "H4", "G1", "G2"):
        assert evaluation.criteria[cid]["accuracy"] >= 0.85, (cid, evaluation.criteria[cid])


def test_overall_judgement_and_ranking(evaluation):
    mean = sum(m["accuracy"] for m in evaluation.criteria.values()) / 26
    assert mean >= 0.75
    assert evaluation.ranking["spearman_vs_true_statuses"] >= 0.75
    assert evaluation.visits["voice_heard_accuracy"] >= 0.65
    assert evaluation.plan_actions["smart_accuracy"] >= 0.65
    assert "| V1 |" in run_markdown(evaluation)


def test_exemplar_evaluation_reads_a_jsonl_file(tmp_path: Path):
    # Invented passages (never the held-out evaluation text).
    rows = [
        {"id": "t1", "theme": "plan", "label": "poor", "text": "Dad to engage with services."},
        {
            "id": "t2",
            "theme": "plan",
            "label": "good",
            "text": "Dad to attend the six-week parenting course every Monday and complete it by "
            "the end of March.",
        },
        {"id": "t3", "theme": "visit_record", "label": "poor", "text": "Home was fine."},
    ]
    path = tmp_path / "ex.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = evaluate_exemplars(path)
    assert result["all"]["n"] == 3
    assert result["plan"]["accuracy"] == 1.0
    assert result["visit_record"]["accuracy"] == 1.0
