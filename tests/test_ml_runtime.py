"""The product with models: the rubric chooses them, the labels change through the labeller
strategy, and without torch / transformers the rules and TF-IDF path runs and says so."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.ml_fixtures import rubric_with_models

from notereview.ml import TabularClassifier, describe_models, save_model, transformer_available
from notereview.ml._data import Dataset, build_dataset
from notereview.ml._train import train_record_binary, train_smart, train_voice
from notereview.review import Reviewer, check_text


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from notereview.synth import generate

    folder = tmp_path_factory.mktemp("synth")
    generate(folder, 6, 9, styles=["formal_third_person", "child_centred", "locum_minimal"])
    data: Dataset = build_dataset(folder)
    out = tmp_path_factory.mktemp("models")
    save_model(train_voice(data.visits, char_ngrams=False), out, "voice_sentence", "t", {}, "")
    save_model(train_smart(data.actions, char_ngrams=False), out, "smart_action", "t", {}, "")
    analysis = train_record_binary([v.record for v in data.visits],
                                   [v.truth["analysis"] for v in data.visits],
                                   char_ngrams=False)
    save_model(analysis, out, "visit_analysis", "t", {}, "")
    link = TabularClassifier().fit(np.random.default_rng(0).random((20, 7)),
                                   [True, False] * 10)
    save_model(link, out, "plan_link", "t", {"threshold": 0.5}, "")
    return out


CHOICE = {"visit_voice": "voice_sentence@t", "visit_analysis": "visit_analysis@t",
          "plan_actions_smart": "smart_action@t", "plan_link": "plan_link@t"}


def test_rules_only_by_default() -> None:
    info = describe_models(Reviewer())
    assert info["path"] == "rules"
    assert set(info["labels"].values()) == {"rules"}


def test_models_chosen_by_rubric_label_texts(tmp_path: Path, models_dir: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # keep this test off the transformer
    reviewer = Reviewer(rubric_path=rubric_with_models(tmp_path, CHOICE), models=models_dir)
    info = describe_models(reviewer)
    assert info["path"] == "rules+models"
    assert info["labels"]["visit_voice"] == "voice_sentence@t"
    assert info["labels"]["plan_link"] == "rules"
    result = check_text("visit", "Kai told me he misses his brother and wants to see him.",
                        child_name="Kai", age=9, reviewer=reviewer)
    assert result["labels"]["voice"] in ("direct", "reported", "observation",
                                         "attempted_not_obtained", "none")
    plan = check_text("plan_action", "Mum to attend all six parenting sessions by 1 March.",
                      reviewer=reviewer)
    assert set(plan["labels"]) >= {"smart", "specific", "measurable"}


def test_runs_without_the_transformer(tmp_path: Path, models_dir: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """torch absent: plan linkage falls back to the rules, and run.json's statement says so."""
    monkeypatch.setitem(sys.modules, "torch", None)
    ok, why = transformer_available()
    assert not ok and "torch" in why
    reviewer = Reviewer(rubric_path=rubric_with_models(tmp_path, CHOICE), models=models_dir)
    from notereview.checks._linking import PlanLinker

    assert type(reviewer.linker) is PlanLinker
    info = describe_models(reviewer)
    assert info["transformer"].startswith("not available: torch")
    assert "rules used" in info["notes"]["plan_link"]
    rules_only = describe_models(Reviewer())
    assert rules_only["transformer"].startswith("not available")
    # The whole path still scores a file.
    from notereview.synth import generate

    extract = tmp_path / "x"
    generate(extract, 3, 2)
    from notereview.batch import score_extract
    from notereview.extract import read_extract

    result = score_extract(read_extract(extract), reviewer)
    assert len(result.tables["cases"]) == 3
    assert "torch" not in sys.modules or sys.modules["torch"] is None


def test_missing_model_falls_back_and_says_so(tmp_path: Path, models_dir: Path) -> None:
    rubric = rubric_with_models(tmp_path, {"visit_voice": "voice_sentence@9"})
    reviewer = Reviewer(rubric_path=rubric, models=models_dir)
    info = describe_models(reviewer)
    assert info["labels"]["visit_voice"] == "rules"
    assert "not found" in info["notes"]["visit_voice"]


def test_unknown_family_is_an_error(tmp_path: Path, models_dir: Path) -> None:
    from notereview.errors import ModelError

    rubric = rubric_with_models(tmp_path, {"nonsense": "x@1"})
    reviewer = Reviewer(rubric_path=rubric, models=models_dir)
    with pytest.raises(ModelError, match="unknown label family"):
        describe_models(reviewer)


def test_a_case_model_chosen_by_the_rubric_adds_p_inadequate(tmp_path: Path) -> None:
    from notereview.batch import review_rows
    from notereview.extract import read_extract
    from notereview.synth import generate

    generate(tmp_path / "x", 4, 5)
    extract = read_extract(tmp_path / "x")
    case = next(iter(extract.case_files()))
    rules = Reviewer().review(case, extract.as_of)
    assert rules.score.p_inadequate is None
    assert review_rows(rules)["cases"][0]["p_inadequate"] is None

    rubric = rubric_with_models(tmp_path, {"case_audit": "case_audit@1"})  # the shipped model
    reviewer = Reviewer(rubric_path=rubric, models="auto")
    assert describe_models(reviewer)["labels"]["case_audit"] == "case_audit@1"
    got = reviewer.review(case, extract.as_of)
    p = got.score.p_inadequate
    assert p is not None and 0.0 <= p <= 1.0
    assert got.score.score == rules.score.score  # the score keeps the rubric's weights
    expected = reviewer.case_model.p_inadequate([rules.score.themes])[0]
    assert p == round(float(expected), 4)
    assert review_rows(got)["cases"][0]["p_inadequate"] == p


def test_a_rubric_option_picks_the_plan_link_mode(models_dir: Path) -> None:
    """``plan_link@t:fallback`` embeds only the visits the rules did not link (opt-in);
    without an option the artefact's meta.json mode; an unknown option is an error."""
    from notereview.errors import ModelError
    from notereview.ml import load_model_set

    with pytest.raises(ModelError, match="not an option"):
        load_model_set({"plan_link": "plan_link@t:sometimes"}, models_dir)
    with pytest.raises(ModelError, match="takes none"):
        load_model_set({"visit_voice": "voice_sentence@t:fallback"}, models_dir)
    if not transformer_available()[0]:
        pytest.skip("transformer extra not installed")
    for option in ("override", "fallback"):
        ms = load_model_set({"plan_link": f"plan_link@t:{option}"}, models_dir, threads=1)
        assert ms.linker().mode == option  # type: ignore[union-attr]
        assert ms.describe()["labels"]["plan_link"] == f"plan_link@t:{option}"
    plain = load_model_set({"plan_link": "plan_link@t"}, models_dir, threads=1)
    assert plain.describe()["labels"]["plan_link"] == "plan_link@t"


def test_a_batch_run_with_models_names_them_in_run_json(tmp_path: Path) -> None:
    """run.json's ``models`` on the models path says which model each label family used and
    its hash (the rules path says only that it was the rules path)."""
    import json

    from notereview.batch import BatchOptions, run_batch
    from notereview.synth import generate

    generate(tmp_path / "x", 6, 5)
    rubric = rubric_with_models(tmp_path, {"case_audit": "case_audit@1"})
    opts = BatchOptions(workers=1, models="auto", rubric_path=rubric)
    summary = run_batch(tmp_path / "x", tmp_path / "out", opts)
    models = json.loads((tmp_path / "out" / "run.json").read_text())["models"]
    assert models == summary.run_info["models"]
    assert models["option"] == "auto" and models["path"] == "rules+models"
    assert models["labels"]["case_audit"] == "case_audit@1"
    assert models["labels"]["visit_voice"] == "rules"
    assert len(models["sha256"]["case_audit"]) == 64
    assert pd.read_parquet(tmp_path / "out" / "cases.parquet")["p_inadequate"].notna().all()
    rules = run_batch(tmp_path / "x", tmp_path / "rules", BatchOptions(workers=1, models="none"))
    assert rules.run_info["models"] == {"path": "rules", "transformer": "not used: the rules path"}
