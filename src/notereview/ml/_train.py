"""Training the learned labellers from a :class:`Dataset` (library code shared by the CLI and
the scripts in ``training/``). Every function is deterministic for a given ``random_state``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from notereview.ml._data import SMART_PARTS, ActionExample, RecordExample, VisitExample
from notereview.ml._estimators import (
    MultiLabelTextClassifier,
    TabularClassifier,
    TextClassifier,
)
from notereview.vocabulary import VOICE_KINDS

if TYPE_CHECKING:
    from notereview.ml._embed import Embedder

VOICES: tuple[str, ...] = VOICE_KINDS


def _rank(v: str) -> int:
    return VOICES.index(v)


def _sentence_labels(v: VisitExample) -> list[str] | None:
    """Sentence labels from the visit's true voice and the rules' per-sentence voices; None when
    the rules found no sentence of the true voice (resolved in the second round)."""
    t = v.truth["voice"]
    if t == "none":
        return ["none"] * len(v.sentences)
    if t not in v.sentence_rule_voice:
        return None
    return [r if r == t or (r != "none" and _rank(r) > _rank(t)) else "none"
            for r in v.sentence_rule_voice]


def train_voice(
    visits: Sequence[VisitExample],
    random_state: int = 0,
    char_ngrams: bool = True,
    make: Callable[[], Any] | None = None,
) -> Any:
    """Per-sentence voice classifier, trained in two rounds (multiple-instance style): first on
    visits whose true voice the rules found in some sentence, then adding the rules' misses with
    the round-one model's most likely sentence labelled with the visit's true voice. ``make``
    builds the estimator (default: the project's TextClassifier); training/embedding_features.py
    passes others."""

    def fresh() -> Any:
        if make is not None:
            return make()
        return TextClassifier(char_ngrams=char_ngrams, random_state=random_state)

    x: list[str] = []
    y: list[str] = []
    misses = []
    for v in visits:
        labels = _sentence_labels(v)
        if labels is None:
            misses.append(v)
            continue
        x += v.sentences
        y += labels
    model = fresh().fit(x, y)
    misses = [v for v in misses if v.sentences]
    if not misses:
        return model
    classes = list(model.classes_)
    all_proba = model.predict_proba([s for v in misses for s in v.sentences])
    at = 0
    for v in misses:
        proba = all_proba[at : at + len(v.sentences)]
        at += len(v.sentences)
        t = v.truth["voice"]
        best = int(np.argmax(proba[:, classes.index(t)])) if t in classes else 0
        labels = ["none"] * len(v.sentences)
        labels[best] = t
        x += v.sentences
        y += labels
    return fresh().fit(x, y)


def visit_voice(model: TextClassifier, sentences: Sequence[str]) -> tuple[str, list[int], float]:
    """The visit's voice (strongest sentence label), the sentences behind it, and its
    probability."""
    if not sentences:
        return "none", [], 1.0
    return voice_from_proba(list(model.classes_), model.predict_proba(sentences))


def voice_from_proba(classes: list[str], proba: np.ndarray) -> tuple[str, list[int], float]:
    """The strongest sentence label of a visit from its sentences' probabilities."""
    if len(proba) == 0:
        return "none", [], 1.0
    best = [classes[i] for i in np.argmax(proba, axis=1)]
    voice = min(best, key=_rank)
    if voice == "none":
        return "none", [], float(proba[:, classes.index("none")].min())
    idx = [i for i, b in enumerate(best) if b == voice]
    return voice, idx, float(max(proba[i, classes.index(voice)] for i in idx))


def train_smart(
    actions: Sequence[ActionExample], random_state: int = 0, char_ngrams: bool = True
) -> Any:
    labels = (*SMART_PARTS, "smart")
    y = {k: [a.truth[k] for a in actions] for k in labels}
    return MultiLabelTextClassifier(
        labels=labels, char_ngrams=char_ngrams, random_state=random_state
    ).fit(
        [a.features for a in actions], y
    )


def train_record_binary(
    features: Sequence[str], labels: Sequence[bool], random_state: int = 0,
    char_ngrams: bool = True,
) -> TextClassifier:
    return TextClassifier(char_ngrams=char_ngrams, random_state=random_state).fit(
        list(features), list(labels)
    )


def supervision_labelled(records: Sequence[RecordExample]) -> list[RecordExample]:
    return [r for r in records if r.truth is not None]


def plan_link_features(
    rules_linked: bool, shared: int, plan_language: bool, cosines: np.ndarray
) -> list[float]:
    """rules' verdict, shared content words, plan language, the two best sentence–action
    cosines, the mean over actions of each action's best cosine, and how many sentences."""
    top = np.sort(cosines.ravel())[::-1] if cosines.size else np.zeros(2)
    top = np.pad(top, (0, max(0, 2 - top.size)))
    per_action = float(cosines.max(axis=0).mean()) if cosines.size else 0.0
    n = float(cosines.shape[0]) if cosines.size else 0.0
    return [float(rules_linked), float(min(shared, 5)), float(plan_language),
            float(top[0]), float(top[1]), per_action, min(n, 30.0) / 30.0]


def sentence_cosines(
    embedder: Embedder, sentences: Sequence[str], actions_matrix: np.ndarray
) -> np.ndarray:
    if not sentences or actions_matrix.size == 0:
        return np.zeros((0, 0), dtype=np.float32)
    return embedder.embed(list(sentences)) @ actions_matrix.T


def link_candidates(sentences: Sequence[str]) -> list[int]:
    """Which sentences the plan linker embeds: long enough to say what was done (4+ words)."""
    return [i for i, s in enumerate(sentences) if len(s.split()) >= 4]


def train_plan_link(
    visits: Sequence[VisitExample], embedder: Embedder, random_state: int = 0
) -> tuple[TabularClassifier, np.ndarray, np.ndarray]:
    """Calibrated P(plan-linked) from the rules' verdict, shared content words, plan language
    and the MiniLM cosine between the visit's sentences and the plan's actions."""
    x, y = visit_link_matrix(visits, embedder)
    return TabularClassifier(random_state=random_state).fit(x, y), x, y


def visit_link_matrix(
    visits: Sequence[VisitExample], embedder: Embedder
) -> tuple[np.ndarray, np.ndarray]:
    rows, y = [], []
    cache: dict[tuple[str, ...], np.ndarray] = {}
    for v in visits:
        if not v.actions:
            continue
        key = tuple(v.actions)
        if key not in cache:
            cache[key] = embedder.embed(list(v.actions))
        cand = [v.sentence_text[i] for i in link_candidates(v.sentence_text)]
        cos = sentence_cosines(embedder, cand, cache[key])
        rows.append(plan_link_features(v.rules["plan_linked"], v.rule_link_shared,
                                       v.plan_language, cos))
        y.append(bool(v.truth["plan_linked"]))
    return np.asarray(rows, dtype=float), np.asarray(y)
