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
    for cid in ("V1", "V2", "V3", "S1", "S2", "H1", "H4", "P2", "P3", "G1", "G2", "M1"):
        assert evaluation.criteria[cid]["accuracy"] >= 0.85, (cid, evaluation.criteria[cid])


def test_schedules_and_structured_fields_follow_one_convention(evaluation):
    # Read from dates, flags and counts alone (no text), the checks and the answer key apply
    # the same convention (docs/criteria.md): a disagreement here is a convention drifting.
    for cid in ("V1", "V2", "V3", "S2", "H1", "G2", "M1"):
        assert evaluation.criteria[cid]["accuracy"] >= 0.95, (cid, evaluation.criteria[cid])


def test_overall_judgement_and_ranking(evaluation):
    mean = sum(m["accuracy"] for m in evaluation.criteria.values()) / 26
    assert mean >= 0.85
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


def _auditor_key(synth_extract: Path, out: Path, tmp_path: Path) -> Path:
    """The synth key rewritten in an auditor's format: criteria as {status, why}, the run's own
    reading order and grades, and one visit the run never scored."""
    import pandas as pd

    key = json.loads((synth_extract / "answer_key.json").read_text())
    cases = pd.read_parquet(out / "cases.parquet")
    band = dict(zip(cases.child_id, cases.grade_band, strict=True))
    children = {}
    for cid, c in key["children"].items():
        children[cid] = {
            "overall_grade": band[cid],  # the run's own grades: every inadequate on top
            "criteria": {
                k: {"status": v, "why": "auditor's reason"} for k, v in c["criteria"].items()
            },
            "visits": {
                vid: {k: lab[k] for k in ("voice", "plan_linked", "analysis")}
                for vid, lab in c["visits"].items()
            },
            "plan_actions": {
                aid: {"smart": lab["smart"]} for aid, lab in c["plan_actions"].items()
            },
        }
    first = next(iter(children))
    children[first]["visits"]["NEVER-SCORED"] = {
        "voice": "direct",
        "plan_linked": True,
        "analysis": True,
    }
    order = list(cases.sort_values("rank").child_id)  # the run's own order: rho 1
    path = tmp_path / "auditor_key.json"
    path.write_text(
        json.dumps({"as_of": key["as_of"], "children": children, "weakest_first": order})
    )
    return path


def test_an_auditors_key_gives_the_judgement_table_and_every_miss(
    scored_run, synth_extract: Path, tmp_path: Path
):
    from notereview.evaluation import summary_markdown, write_errors

    _, out = scored_run
    ev = evaluate_run(out, _auditor_key(synth_extract, out, tmp_path))
    assert set(ev.summary) >= {"criteria", "voice", "plan_linked", "analysis", "smart"}
    assert ev.summary["ranking_rho"] == pytest.approx(1.0)
    # the run's own weakest files are on top of its own order
    assert ev.summary["inadequate_on_top"] == ev.summary["inadequate_files"]
    # a visit the run never scored is a miss, never left out of the denominator
    missed = [e for e in ev.errors if e["record_id"] == "NEVER-SCORED"]
    assert {e["kind"] for e in missed} == {"visit.voice", "visit.plan_linked", "visit.analysis"}
    assert all(e["verdict"] is None for e in missed)
    wrong = [e for e in ev.errors if e["kind"] == "criterion"]
    assert all(e["auditor_why"] == "auditor's reason" for e in wrong)
    n = write_errors(ev, tmp_path / "errors.jsonl")
    assert n == len(ev.errors) == len((tmp_path / "errors.jsonl").read_text().splitlines())
    assert "| criteria (4-way) |" in summary_markdown(ev)


def test_the_auditors_key_and_the_generators_agree_on_the_same_run(
    scored_run, synth_extract: Path, tmp_path: Path
):
    _, out = scored_run
    plain = evaluate_run(out, synth_extract / "answer_key.json")
    auditor = evaluate_run(out, _auditor_key(synth_extract, out, tmp_path))
    assert plain.criteria == auditor.criteria
    assert plain.summary["smart"] == auditor.summary["smart"]


def test_an_unreadable_answer_key_is_a_clear_error(scored_run, tmp_path: Path):
    from notereview.errors import NotereviewError

    _, out = scored_run
    bad = tmp_path / "key.json"
    bad.write_text("[1, 2]")
    with pytest.raises(NotereviewError, match="not readable as an answer key"):
        evaluate_run(out, bad)
