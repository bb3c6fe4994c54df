"""The models path's speed work keeps its outputs: the semantic linker's per-case batch decides
exactly what the per-visit path decides, SMART labels read one shared TF-IDF matrix with the
same probabilities, vocabularies are saved as plain ints, and torch's thread count is explicit."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from tests.ml_fixtures import HashEmbedder, kai_case

from notereview.errors import ModelError
from notereview.ml import MultiLabelTextClassifier, TabularClassifier, TextClassifier
from notereview.ml._artefact import LoadedModel, load_model, save_model
from notereview.ml._embed import THREADS_ENV, default_threads
from notereview.ml._estimators import _same_union
from notereview.ml._linking import SemanticPlanLinker

VISITS = (
    "Visited Kai at home. We talked about how he has been getting to his lessons every "
    "morning this week. Kai said school is fine.",
    "Home visit. Mum said the GP appointment for his asthma review is booked for Friday. "
    "The kitchen was clean and there was food in the cupboards.",
    "Saw Kai at school. If mum misses the review again I will call the GP. He did not want "
    "to talk about dad today.",
)


def _linker(mode: str) -> tuple[SemanticPlanLinker, HashEmbedder]:
    x = np.array([[0, 0, 0, c, c, c, 0.3] for c in np.linspace(0, 1, 20)])
    model = TabularClassifier().fit(x, x[:, 3] > 0.35)
    emb = HashEmbedder()
    linker = SemanticPlanLinker(LoadedModel("link", "t", model, {}, Path(".")), emb,  # type: ignore[arg-type]
                                mode=mode)
    return linker, emb


@pytest.mark.parametrize("mode", ["override", "fallback"])
def test_prepared_case_links_exactly_as_visit_by_visit(mode: str) -> None:
    case, annotations = kai_case(VISITS)
    actions = case.plan_actions  # type: ignore[attr-defined]
    batched, emb = _linker(mode)
    batched.prepare(case, annotations)  # type: ignore[arg-type]
    calls_after_prepare = len(emb.calls)
    got = [batched.link_visit(v.visit_id, v.text, annotations[("visits", v.visit_id)], actions)
           for v in case.visits]  # type: ignore[attr-defined]
    assert len(emb.calls) == calls_after_prepare  # link_visit used the prepared decisions
    assert calls_after_prepare == 1  # the plan's actions and every visit's sentences at once
    one_by_one, _ = _linker(mode)
    want = [one_by_one.link_visit(v.visit_id, v.text, annotations[("visits", v.visit_id)],
                                  actions) for v in case.visits]  # type: ignore[attr-defined]
    assert got == want
    if mode == "override":
        assert any(link.linked for link in got) and not all(link.linked for link in got)


def test_a_prepared_decision_is_not_reused_for_other_text() -> None:
    case, annotations = kai_case(VISITS)
    actions = case.plan_actions  # type: ignore[attr-defined]
    linker, _ = _linker("override")
    linker.prepare(case, annotations)  # type: ignore[arg-type]
    other = annotations[("visits", "v1")]
    fresh = linker.link_visit("v0", VISITS[1], other, actions)  # v0's id, v1's text
    again, _ = _linker("override")
    assert fresh == again.link_visit("v0", VISITS[1], other, actions)


TEXTS = [
    "thechild said she likes school zzrvreported", "mum to attend the gp by friday zzownercol",
    "thechild told me he wants to see dad zzrvreported", "improve things at home zznoownercol",
    "social worker to refer to camhs by 2 march", "school to check attendance weekly",
] * 3


def test_smart_labels_share_one_tfidf_matrix_with_the_same_probabilities(tmp_path: Path) -> None:
    y = {"specific": [True, False, True, False, True, True] * 3,
         "timebound": [False, True, False, False, True, False] * 3}
    model = MultiLabelTextClassifier(labels=("specific", "timebound"), min_df=1,
                                     max_features=50).fit(TEXTS, y)
    shared = model.predict_proba(TEXTS)
    assert model._shares_features is True
    for label, est in model.estimators_.items():
        proba = est.predict_proba(TEXTS)
        col = list(est.classes_).index(True)
        assert np.array_equal(shared[label], proba[:, col])
    import zipfile

    folder = save_model(model, tmp_path, "smart", "1", {}, "")
    schema = zipfile.ZipFile(folder / "model.skops").read("schema.json").decode()
    assert "_shares_features" not in schema  # the cache is never saved
    other = TextClassifier(min_df=1).fit(TEXTS[:6] * 2, [True, False] * 6)
    first = model.estimators_["specific"].pipeline_.named_steps["features"]
    assert not _same_union(first, other.pipeline_.named_steps["features"])


def test_vocabularies_are_saved_as_plain_ints(tmp_path: Path) -> None:
    model = TextClassifier(min_df=1, max_features=40).fit(TEXTS, [True, False] * 9)
    for _, vec in model.pipeline_.named_steps["features"].transformer_list:
        assert all(type(i) is int for i in vec.vocabulary_.values())
    save_model(model, tmp_path, "tiny", "1", {}, "")
    loaded = load_model(tmp_path, "tiny", "1").estimator
    assert np.array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_torch_threads_are_explicit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "3")
    assert default_threads() == 3
    monkeypatch.setenv(THREADS_ENV, "0")
    with pytest.raises(ModelError, match="at least 1"):
        default_threads()
    monkeypatch.setenv(THREADS_ENV, "many")
    with pytest.raises(ModelError, match="whole number"):
        default_threads()
    monkeypatch.delenv(THREADS_ENV)
    assert default_threads() == min(2, os.cpu_count() or 1)  # not in a worker process
    assert default_threads(in_worker=True) == 1
    assert default_threads(in_worker=False) == min(2, os.cpu_count() or 1)


def test_run_json_gives_the_torch_threads_of_the_processes_that_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The main process describes the transformer with its own threads; when a pool scores,
    run.json must give a worker's (1, or $NOTEREVIEW_TORCH_THREADS)."""
    from notereview.batch._run import _as_scored_in_workers

    monkeypatch.delenv(THREADS_ENV, raising=False)
    described = {"path": "rules+models", "transformer": {"id": "minilm", "threads": 2}}
    pooled = _as_scored_in_workers(described)
    assert pooled == {"path": "rules+models", "transformer": {"id": "minilm", "threads": 1}}
    assert described["transformer"]["threads"] == 2  # not changed in place
    monkeypatch.setenv(THREADS_ENV, "3")
    assert _as_scored_in_workers(described)["transformer"]["threads"] == 3
    rules = {"path": "rules", "transformer": "not used: the rules path"}
    assert _as_scored_in_workers(rules) == rules
