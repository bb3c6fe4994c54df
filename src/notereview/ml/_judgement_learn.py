"""Fitting the visit judgement: multiple-instance logistic regression over windows of sentences,
per label, on hand-written passages (and, for the voice class, pseudo-records of them)."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from notereview.checks._judgement import LABELS, LabelModel, VoiceClass
from notereview.errors import ModelError
from notereview.vocabulary import VOICE_KINDS

#: L2 strength and multiple-instance rounds of the shipped recipe (training/train_judgement.py).
C = 0.3


ROUNDS = 4


#: How much one corrected record counts beside one training passage. Chosen before any
#: measurement (a council's own record is worth several passages by other authors); never
#: fitted to an evaluation set.
CORRECTION_WEIGHT = 4.0


#: The least rise in pooled held-out agreement that promotes a candidate.
PROMOTION_MARGIN = 0.02


FOLDS = 5


BOOTSTRAP = 1000


SEED = 17


#: The correction family for each of the judgement's labels.
FAMILY_OF = {"analysis": "analysis", "plan_link": "plan_link", "voice": "voice"}


Bag = list[Counter[str]]


@dataclass
class Example:
    """One labelled bag of sentences: a passage of one author, or a corrected record.
    ``labels`` holds the labels it has (a label it says nothing about is absent)."""

    source: str
    sentences: Bag
    labels: dict[str, bool]
    weight: float = 1.0
    group: str = ""
    rules: dict[str, int] = field(default_factory=dict)
    #: The auditor's (or the passage's) voice of the record, where known, and the rules'.
    voice: str | None = None
    rules_voice: str = "none"


#: Kinds of voice, strongest first (notereview.vocabulary); each but "none" may get a
#: learned check.
VOICE_ORDER: tuple[str, ...] = VOICE_KINDS


def rules_voice_of(sentences: Bag) -> str:
    """The strongest voice the rules gave a sentence of the record (from its features)."""
    present = {f[6:] for s in sentences for f in s if f.startswith("voice:")}
    return next((k for k in VOICE_ORDER if k in present), "none")


#: Pseudo-records built from the passages for the voice model (records run longer than
#: passages: two to eight passages of one author in a row, the strongest voice among them).
VOICE_PSEUDO_RECORDS = 1500


VOICE_PASSAGES_PER_RECORD = (2, 8)


def _voice_row(e: Example) -> dict[str, int]:
    row = dict.fromkeys(frozenset().union(*map(frozenset, e.sentences)), 1)
    row[f"rules:{e.rules_voice}"] = 1
    return row


def voice_pseudo_records(passages: Sequence[Example], seed: int = SEED) -> list[Example]:
    """Records of several passages of one author, voiced as the strongest of them."""
    rng = random.Random(f"{seed}-voice")
    by_author: dict[str, list[Example]] = defaultdict(list)
    for e in passages:
        if e.voice is not None:
            by_author[e.group].append(e)
    authors = sorted(by_author)
    out = []
    for i in range(VOICE_PSEUDO_RECORDS if authors else 0):
        pool = by_author[authors[i % len(authors)]]
        parts = rng.sample(pool, min(len(pool), rng.randint(*VOICE_PASSAGES_PER_RECORD)))
        out.append(
            Example(
                "pseudo-record",
                [s for e in parts for s in e.sentences],
                {},
                group=parts[0].group,
                voice=min((str(e.voice) for e in parts), key=VOICE_ORDER.index),
                rules_voice=min((e.rules_voice for e in parts), key=VOICE_ORDER.index),
            )
        )
    return out


def fit_voice(examples: Sequence[Example], c: float = C) -> dict[str, VoiceClass]:
    """The learned reading of a record's voice: multinomial logistic regression over the
    record's features and the rules' kind, on every example whose voice is known (passages,
    pseudo-records of passages, corrected records, each with its weight). Empty where the
    examples hold fewer than two kinds."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    usable = [e for e in examples if e.voice is not None and e.sentences]
    y = [str(e.voice) for e in usable]
    if len(set(y)) < 2:
        return {}
    rows = [_voice_row(e) for e in usable]
    vec = DictVectorizer().fit(rows)
    model = LogisticRegression(C=c, max_iter=5000).fit(
        vec.transform(rows), y, sample_weight=[e.weight for e in usable]
    )
    classes = [str(k) for k in model.classes_]
    coef = model.coef_
    bias = model.intercept_
    if len(classes) == 2:  # sklearn keeps one row for two classes
        coef = np.vstack([-coef[0], coef[0]])
        bias = np.array([-bias[0], bias[0]])
    out = {}
    for i, kind in enumerate(classes):
        weights = {
            f: round(float(w), 5)
            for f, w in zip(vec.feature_names_, coef[i], strict=True)
            if abs(w) >= 1e-4
        }
        out[kind] = VoiceClass(kind, round(float(bias[i]), 5), weights)
    return out


def windows(bag: Bag, width: int) -> list[Counter[str]]:
    """Every window of ``width`` consecutive sentences, as the presence of its features (the
    scorer counts a feature once per window)."""
    out = []
    for i in range(max(1, len(bag) - width + 1)):
        present: set[str] = set()
        for s in bag[i : i + width]:
            present.update(s)
        out.append(Counter(dict.fromkeys(present, 1)))
    return out


def fit(examples: Sequence[Example], label: str, width: int, c: float = C) -> LabelModel:
    """Multiple-instance logistic regression over windows of ``width`` sentences (threshold 0:
    the caller sets it). Examples without the label are left out; each counts its weight."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    usable = [e for e in examples if label in e.labels and e.sentences]
    neg = [
        (w, e.weight) for e in usable if not e.labels[label] for w in windows(e.sentences, width)
    ]
    pos_examples = [e for e in usable if e.labels[label]]
    positives_bags = [windows(e.sentences, width) for e in pos_examples]
    # The first round takes each positive bag whole; later ones its best window.
    positives = [
        Counter(dict.fromkeys({f for s in e.sentences for f in s}, 1)) for e in pos_examples
    ]
    pos_weights = [e.weight for e in pos_examples]
    if not neg or not positives:
        raise ModelError(f"{label}: the training data holds no records with and without it")
    vec = DictVectorizer().fit([w for w, _ in neg] + [w for bag in positives_bags for w in bag])
    # Class balance as sklearn's "balanced" computes it, on the summed weights.
    w_neg = np.array([w for _, w in neg])
    w_pos = np.array(pos_weights)
    total = w_neg.sum() + w_pos.sum()
    w_neg = w_neg * total / (2 * w_neg.sum())
    w_pos = w_pos * total / (2 * w_pos.sum())
    model = None
    for _ in range(ROUNDS):
        x = vec.transform([w for w, _ in neg] + positives)
        y = [0] * len(neg) + [1] * len(positives)
        model = LogisticRegression(C=c, max_iter=5000).fit(
            x, y, sample_weight=np.concatenate([w_neg, w_pos])
        )
        positives = [
            bag[int(np.argmax(model.decision_function(vec.transform(bag))))]
            for bag in positives_bags
        ]
    assert model is not None
    weights = {
        f: round(float(w), 5)
        for f, w in zip(vec.feature_names_, model.coef_[0], strict=True)
        if abs(w) >= 1e-4
    }
    return LabelModel(label, round(float(model.intercept_[0]), 5), weights, width, 0.0)


def read_passages(train_dir: Path) -> list[Example]:
    """Every labelled passage of ``train_dir/<author>/snippets.jsonl``, read by the rules as a
    visit record about that child."""
    from notereview.checks._judgement import sentence_features
    from notereview.nlp import build_pipeline

    annotator = build_pipeline()
    out: list[Example] = []
    for path in sorted(train_dir.glob("*/snippets.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            child = item["child"]
            text = item["text"]
            ctx = annotator.child_context(
                child["name"], child.get("gender") or "unknown", child.get("age"), [], [text]
            )
            forms = frozenset({child["name"], *ctx.nicknames})
            at = annotator.annotate(text, ctx)
            bag = [Counter(sentence_features(text, s, forms)) for s in at.sentences]
            labels = {k: bool(item["labels"][k]) for k in LABELS}
            out.append(
                Example(
                    path.parent.name,
                    bag,
                    labels,
                    group=path.parent.name,
                    voice=str(item["labels"].get("voice") or "none"),
                    rules_voice=rules_voice_of(bag),
                )
            )
    return out
