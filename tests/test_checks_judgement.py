"""The learned judgement of a visit record (checks._judgement): its features, its windows, its
artefact, and what it makes of records written in plain words. Invented text throughout."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from notereview.checks._judgement import (
    FEATURES_VERSION,
    Judgement,
    LabelModel,
    judgement_from_dict,
    load_judgement,
    sentence_features,
)
from notereview.errors import ModelError
from notereview.nlp import ChildContext, build_pipeline

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def annotator():
    return build_pipeline()


def _sentences(annotator, text, name="Rowan"):
    return annotator.annotate(text, ChildContext(name, "M", 10)).sentences


def test_features_mask_names_and_carry_the_rules_reading(annotator):
    text = "Analysis: Rowan told me that Gareth shouts at night."
    (s,) = _sentences(annotator, text)
    feats = sentence_features(text, s, frozenset({"Rowan"}))
    assert "<child>" in feats and "rowan" not in feats
    assert "<cap>" in feats and "gareth" not in feats  # another person's name, masked
    assert "head:analysis" in feats  # the heading the line starts with
    assert f"voice:{s.voice}" in feats and f"spk:{s.speaker}" in feats
    assert any(f.startswith("cue:reporting_verb:") for f in feats)


def test_a_window_counts_each_feature_once():
    model = LabelModel("analysis", -1.0, {"because": 1.0, "means": 0.5}, window=2, threshold=0)
    once = [frozenset({"because"}), frozenset({"because"})]
    assert model.best_window(once) == (0.0, 0, 1)  # -1 + 1, not -1 + 2
    spread = [frozenset({"x"}), frozenset({"because"}), frozenset({"means"}), frozenset({"y"})]
    assert model.best_window(spread) == (0.5, 1, 2)
    assert model.best_window([frozenset({"means"})]) == (-0.5, 0, 0)  # shorter than a window


def test_the_rules_finding_moves_the_margin():
    link = LabelModel("plan_link", -1.0, {"plan": 0.5}, 1, 0.0, rule_offset=0.5, rule_cap=2)
    other = LabelModel("analysis", 0.0, {}, window=1, threshold=0.0)
    judgement = Judgement("t@1", "", {"plan_link": link, "analysis": other})
    text = "We went through the plan."
    from notereview.nlp import SentenceAnnotation

    s = SentenceAnnotation(0, len(text), "writer", "none", frozenset(), ())
    assert judgement.read(text, [s], frozenset())["plan_link"][0] is False
    assert judgement.read(text, [s], frozenset(), {"plan_link": 1})["plan_link"][0] is False
    assert judgement.read(text, [s], frozenset(), {"plan_link": 2})["plan_link"][0] is True
    assert judgement.read(text, [s], frozenset(), {"plan_link": 9})["plan_link"][1] == 0.5


def test_the_shipped_artefact_loads_and_is_hash_checked(tmp_path):
    judgement = load_judgement()
    assert judgement.model_id == "visit_judgement@1"
    assert set(judgement.models) == {"analysis", "plan_link"}
    copy = tmp_path / "visit_judgement" / "1"
    shutil.copytree(ROOT / "models" / "visit_judgement" / "1", copy)
    data = json.loads((copy / "weights.json").read_text())
    data["labels"]["analysis"]["threshold"] = -99
    (copy / "weights.json").write_text(json.dumps(data))
    with pytest.raises(ModelError, match="changed after training"):
        load_judgement(models_dir=tmp_path)
    with pytest.raises(ModelError, match="not found"):
        load_judgement(version="9", models_dir=tmp_path)


def test_an_artefact_of_other_features_or_labels_is_refused():
    spec = {"bias": 0, "weights": {}, "window": 1, "threshold": 0}
    with pytest.raises(ModelError, match="features version"):
        judgement_from_dict({"features_version": "0", "labels": {}}, "t@1", "")
    with pytest.raises(ModelError, match="no model for plan_link"):
        judgement_from_dict(
            {"features_version": FEATURES_VERSION, "labels": {"analysis": spec}}, "t@1", ""
        )


def test_training_learns_a_window_and_round_trips_through_the_artefact(tmp_path):
    from training.train_judgement import Example, LabelResult, fit, write_artefact

    def ex(words: list[list[str]], label: bool) -> Example:
        return Example("a1", [Counter(w) for w in words], {"analysis": label, "plan_link": label})

    examples = [ex([["saw", "kitchen"], ["i", "think", "because"]], True) for _ in range(12)]
    examples += [ex([["saw", "kitchen"], ["went", "home"]], False) for _ in range(12)]
    results = []
    for label in ("analysis", "plan_link"):
        model = fit(examples, label, 1)
        assert model.weights["because"] > 0 > model.weights.get("home", -1)
        results.append(LabelResult(label, 1, 0.0, model, {"a1": {"passages": 1.0}}))
    provenance = {
        "passages": 24, "authors": ["a1"], "synth_records": 0, "synth_children": 0,
        "synth_seed": 0,
    }  # fmt: skip
    results[0].held_out["a1"]["pseudo_records"] = 1.0
    results[1].held_out["a1"]["pseudo_records"] = 1.0
    write_artefact(results, tmp_path, "7", provenance)
    loaded = load_judgement(version="7", models_dir=tmp_path)
    assert loaded.models["analysis"].weights == results[0].model.weights
    assert (tmp_path / "visit_judgement" / "7" / "MODEL_CARD.md").read_text().startswith("# ")


@pytest.mark.parametrize(
    ("text", "analysis"),
    [
        (
            "Rowan was in the garden when I arrived. He showed me his bike and his room.\n"
            "Mum made tea. We talked about school.\n"
            "What I make of it: Rowan goes quiet whenever his dad's name comes up, and I think "
            "that is because he still blames himself for the move. He needs someone to tell him "
            "it was not his fault.",
            True,
        ),
        (
            "Rowan was in the garden when I arrived. He showed me his bike and his room.\n"
            "Mum made tea. We talked about school and the holidays. He had his tea and went out "
            "to play with the boy next door.",
            False,
        ),
    ],
)
def test_analysis_in_plain_words_is_read_as_analysis(text, analysis):
    from notereview.review import Reviewer, check_text

    labels = check_text("visit", text, child_name="Rowan", age=10, reviewer=Reviewer())["labels"]
    assert labels["analysis"] is analysis


def test_a_windows_score_does_not_depend_on_the_order_of_its_features():
    # Sets iterate in a different order in every process (string hashing is salted): the
    # score of a window must come out the same in every worker, to the last bit.
    weights = {f"w{i}": 0.1 * (i % 7) - 0.3 + 1e-9 * i for i in range(200)}
    model = LabelModel("analysis", -0.123456789, weights, window=1, threshold=0.0)
    feats = list(weights)
    forward = model.score(feats)
    assert model.score(list(reversed(feats))) == forward
    assert model.score(sorted(feats, key=lambda f: hash(f) % 97)) == forward
