"""The estimators follow scikit-learn's conventions, and training is reproducible for a seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from notereview.ml import (
    CaseAuditModel,
    MultiLabelTextClassifier,
    TabularClassifier,
    TextClassifier,
)
from notereview.ml._data import Dataset, build_dataset
from notereview.ml._train import train_smart, train_voice, visit_voice


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    from notereview.synth import generate

    folder = tmp_path_factory.mktemp("synth")
    generate(folder, 6, 5, styles=["formal_third_person", "child_centred", "locum_minimal"])
    return build_dataset(folder)


@pytest.fixture(scope="module")
def voice_model(tiny_data: Dataset) -> TextClassifier:
    return train_voice(tiny_data.visits, random_state=3, char_ngrams=False)


@pytest.mark.parametrize(
    "est",
    [TextClassifier(c=2.0), MultiLabelTextClassifier(labels=("a",)), TabularClassifier(c=0.5),
     CaseAuditModel(criteria=("V1",))],
)
def test_sklearn_conventions(est: object) -> None:
    params = est.get_params()  # type: ignore[attr-defined]
    twin = clone(est)
    assert twin.get_params() == params
    assert not [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]


def test_text_classifier_fit_returns_self_and_calibrated() -> None:
    x = ["thechild said yes", "mum said no", "thechild told me", "the carer said"] * 5
    y = ["child", "other", "child", "other"] * 5
    est = TextClassifier(min_df=1)
    assert est.fit(x, y) is est
    proba = est.predict_proba(x)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert hasattr(est, "pipeline_") and list(est.classes_) == ["child", "other"]


def test_training_is_reproducible(tiny_data: Dataset, voice_model: TextClassifier) -> None:
    assert tiny_data.visits and tiny_data.actions
    feats = [s for v in tiny_data.visits[:10] for s in v.sentences]
    a = voice_model.predict_proba(feats)
    b = train_voice(tiny_data.visits, random_state=3, char_ngrams=False).predict_proba(feats)
    assert np.array_equal(a, b)
    x = [act.features for act in tiny_data.actions]
    pa = train_smart(tiny_data.actions, 3, char_ngrams=False).predict_proba(x)
    pb = train_smart(tiny_data.actions, 3, char_ngrams=False).predict_proba(x)
    assert all(np.array_equal(pa[k], pb[k]) for k in pa)


def test_visit_voice_is_the_strongest_sentence(
    tiny_data: Dataset, voice_model: TextClassifier
) -> None:
    model = voice_model
    voice, idx, p = visit_voice(model, [])
    assert (voice, idx) == ("none", [])
    v = next(v for v in tiny_data.visits if v.sentences)
    voice, idx, p = visit_voice(model, v.sentences)
    assert voice in model.classes_ and 0.0 <= p <= 1.0


def test_case_audit_model_learns_weights() -> None:
    rng = np.random.default_rng(0)
    scores, grades = [], []
    for _ in range(80):
        a, b = rng.random(), rng.random()
        scores.append({"V1": a, "P1": b})
        grades.append(["inadequate" if a < 0.4 else "good"])
    m = CaseAuditModel(criteria=("V1", "P1"), random_state=0).fit(scores, grades)
    assert m.weights_["V1"] > m.weights_["P1"]
    p = m.p_inadequate([{"V1": 0.1, "P1": 0.9}, {"V1": 0.9, "P1": 0.1}])
    assert p[0] > 0.5 > p[1]


def test_answer_key_must_exist(tmp_path: Path) -> None:
    from notereview.errors import NotereviewError

    with pytest.raises(NotereviewError, match="answer key"):
        build_dataset(tmp_path)
