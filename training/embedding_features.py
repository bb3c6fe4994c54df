"""Do MiniLM sentence embeddings make better features than TF-IDF for notereview's three text
classifiers (issue 4)? A measurement only: nothing here changes a model, the rubric or src/.

For each classifier (voice of the child per sentence ``voice_sentence``, SMART plan actions
``smart_action``, analysis in visit records ``visit_analysis``) it trains, on exactly the
examples and labels ``notereview train text`` trains on (synth seed 101, 250 children, every
writer style but the four held-out ones; built by the project's own ``make_sets`` and
``build_dataset``; voice in the project's two rounds; random_state 0), these variants:

    tfidf      the project's pipeline as shipped: TF-IDF (words 1-2, characters 2-5) of the
               feature string (masked text + the rules' tags) -> sigmoid-calibrated logistic
               regression, C=4 (the project's own train_voice / train_smart /
               train_record_binary, called unchanged)
    tfidf_c    the same pipeline with C picked like the embedding variants' (a control: the
               embeddings get a tuned C, so TF-IDF gets one too)
    tags       the rules' tags alone, no text (a control: what the tags alone are worth)
    emb        MiniLM embedding of the masked text alone (no rule tags) -> standardised ->
               the same calibrated logistic regression, C picked on the training set
    emb_tags   that embedding plus the rules' tags (the zz... tokens the TF-IDF also reads)
    tfidf_emb  the project's TF-IDF features plus the embedding (unit length, like each TF-IDF
               block), C=4 as the project

Sentences and plan actions are embedded whole; a visit record (analysis) is split into
sentences (punctuation and line breaks, 60 words at most a piece) and represented by the mean
and the maximum of its pieces' embeddings. C for every variant but tfidf and tfidf_emb is the
one of C_GRID with the best macro-F1 in 3-fold cross-validation over the training children
(GroupKFold by child; uncalibrated regression); nothing is tuned on a held-out set or on the
exemplars.

Each variant is measured on the held-out synthetic extract the reports use (seed 303, 40
children, the four styles never trained on), on the training run's own held-out extract (seed
202, 120 children, the same styles) and on ../shared/eval/exemplars_dev.jsonl, which is read
only to measure: it is scored by ``notereview.evaluation.evaluate_exemplars``, as
training/evaluate_models.py scores it, with the variant in place of the rules for its label
family; no exemplar text is stored, logged or written. Cost: MiniLM's load time in a fresh
process and its time per sentence on this machine (torch on one thread; BLAS on one thread).
Writes training/reports/embedding_features.{md,json}.

    .venv/bin/python training/embedding_features.py [--work /tmp/nr-embedding-features]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import StandardScaler, normalize

from notereview.evaluation import evaluate_exemplars
from notereview.ml._artefact import LoadedModel
from notereview.ml._data import SMART_PARTS, Dataset, VisitExample, build_dataset
from notereview.ml._embed import DIMENSION, Embedder, load_embedder
from notereview.ml._estimators import (
    MultiLabelTextClassifier,
    TextClassifier,
    _calibrated_lr,
)
from notereview.ml._features import CHILD_TOKEN
from notereview.ml._labeller import ModelLabeller
from notereview.ml._pipeline import EVAL_STYLES, TrainConfig, make_sets
from notereview.ml._train import (
    _sentence_labels,
    train_record_binary,
    train_smart,
    train_voice,
    voice_from_proba,
)
from notereview.review import Reviewer

ROOT = Path(__file__).resolve().parents[1]
EXEMPLARS = ROOT.parent / "shared" / "eval" / "exemplars_dev.jsonl"
REPORTS = ROOT / "training" / "reports"
VARIANTS: tuple[str, ...] = ("tfidf", "tfidf_c", "tags", "emb", "emb_tags", "tfidf_emb")
TUNED: frozenset[str] = frozenset({"tfidf_c", "tags", "emb", "emb_tags"})
VARIANT_WORDS = {
    "rules": "rules only (baseline)",
    "tfidf": "(a) TF-IDF + rule tags (as shipped, C=4)",
    "tfidf_c": "(a') TF-IDF + rule tags, C tuned (control)",
    "tags": "rule tags alone (control)",
    "emb": "(b) MiniLM embedding alone",
    "emb_tags": "(b') MiniLM embedding + rule tags",
    "tfidf_emb": "(c) TF-IDF + rule tags + MiniLM",
}
C_GRID: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
PROJECT_C = 4.0  # TextClassifier's and MultiLabelTextClassifier's C
#: classifier -> (ModelLabeller argument, exemplar themes that judge it)
CLASSIFIERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "voice_sentence": ("voice", ("voice_of_child",)),
    "smart_action": ("smart", ("plan",)),
    "visit_analysis": ("analysis", ("visit_record", "other")),
}
HEARD = ("direct", "reported")
PIECE_WORDS = 60  # MiniLM reads 128 word pieces at most: ~60 words fit

_TAGS = re.compile(r"(?:\s+zz[a-z0-9]+)+\s*$")
_PIECES = re.compile(r"(?<=[.!?])\s+|\n+")


# Feature strings -> text for MiniLM ---------------------------------------------------------

def split_features(feature: str) -> tuple[str, str]:
    """A feature string (notereview.ml._features) as (masked text, the rules' tags)."""
    m = _TAGS.search(feature)
    if m is None:
        return feature.strip(), ""
    return feature[: m.start()].strip(), m.group().strip()


def embedding_text(feature: str) -> str:
    """The masked text as MiniLM should read it: the child's-name token as 'the child'."""
    return split_features(feature)[0].replace(CHILD_TOKEN, "the child") or "."


def record_pieces(text: str) -> list[str]:
    """A record's sentences (punctuation and line breaks), PIECE_WORDS words at most each."""
    out = []
    for part in _PIECES.split(text):
        words = part.split()
        out += [" ".join(words[i : i + PIECE_WORDS]) for i in range(0, len(words), PIECE_WORDS)]
    return out or ["."]


class Embeddings:
    """MiniLM vectors by text through the project's Embedder, each distinct text embedded
    once per run (held in memory only: nothing is written)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}
        self.seconds = 0.0
        self.embedded = 0

    def of(self, texts: Sequence[str]) -> np.ndarray:
        todo = sorted({t for t in texts if t not in self.vectors})
        if todo:
            t0 = time.perf_counter()
            for start in range(0, len(todo), 4096):
                chunk = todo[start : start + 4096]
                for text, vec in zip(chunk, self.embedder.embed(chunk), strict=True):
                    self.vectors[text] = vec
            self.seconds += time.perf_counter() - t0
            self.embedded += len(todo)
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])

    def features(self, x: Sequence[str], unit: str) -> np.ndarray:
        """(n, 384) for sentences and plan actions; (n, 768) mean and max over a record's
        pieces for records."""
        texts = [embedding_text(f) for f in x]
        if unit != "record":
            return self.of(texts)
        per = [record_pieces(t) for t in texts]
        flat = self.of([p for ps in per for p in ps])
        out = np.zeros((len(texts), 2 * DIMENSION), dtype=np.float32)
        at = 0
        for i, ps in enumerate(per):
            block = flat[at : at + len(ps)]
            at += len(ps)
            out[i, :DIMENSION] = block.mean(axis=0)
            out[i, DIMENSION:] = block.max(axis=0)
        return out


# Estimators -----------------------------------------------------------------------------------

def project_tfidf(min_df: int, max_features: int) -> FeatureUnion:
    """The TF-IDF features of notereview.ml._estimators.TextClassifier, same settings."""
    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True,
                                  lowercase=True, max_features=max_features)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=min_df,
                                  sublinear_tf=True, max_features=max_features)),
    ])


class EmbeddingTextClassifier(ClassifierMixin, BaseEstimator):
    """Feature strings -> [the project's TF-IDF] + MiniLM embedding [+ the rules' tags] -> the
    project's sigmoid-calibrated, class-balanced logistic regression (``_calibrated_lr``).
    ``variant``: emb, emb_tags or tfidf_emb; ``unit``: sentence or record."""

    def __init__(
        self,
        embeddings: Embeddings | None = None,
        variant: str = "emb",
        unit: str = "sentence",
        c: float = 1.0,
        cv: int = 3,
        random_state: int = 0,
        min_df: int = 2,
        max_features: int = 60000,
    ) -> None:
        self.embeddings = embeddings
        self.variant = variant
        self.unit = unit
        self.c = c
        self.cv = cv
        self.random_state = random_state
        self.min_df = min_df
        self.max_features = max_features

    def matrix(self, x: Sequence[str], fit: bool = False) -> Any:
        texts = list(x)
        if self.variant == "tags":
            return self._tags(texts, fit)
        assert self.embeddings is not None
        vec = self.embeddings.features(texts, self.unit)
        if self.variant == "tfidf_emb":
            if fit:
                self.tfidf_ = project_tfidf(self.min_df, self.max_features).fit(texts)
            return sparse.hstack(
                [self.tfidf_.transform(texts), sparse.csr_matrix(normalize(vec))], format="csr"
            )
        if fit:
            self.scaler_ = StandardScaler().fit(vec)
        blocks = [self.scaler_.transform(vec)]
        if self.variant == "emb_tags":
            blocks.append(self._tags(texts, fit))
        return np.hstack(blocks)

    def _tags(self, texts: Sequence[str], fit: bool) -> np.ndarray:
        """The rules' tags (zz... tokens) as 0/1 columns."""
        tags = [split_features(t)[1] for t in texts]
        if fit:
            self.tags_ = CountVectorizer(token_pattern=r"zz[a-z0-9]+", lowercase=False,
                                         binary=True).fit(tags)
        return self.tags_.transform(tags).toarray().astype(float)

    def fit(self, x: Sequence[str], y: Sequence[Any]) -> EmbeddingTextClassifier:
        y_arr = np.asarray(y)
        counts = np.unique(y_arr, return_counts=True)[1]
        self.model_ = _calibrated_lr(self.c, self.cv, self.random_state, int(counts.min()),
                                     len(counts))
        self.model_.fit(self.matrix(x, fit=True), y_arr)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, x: Sequence[str]) -> np.ndarray:
        return self.model_.predict_proba(self.matrix(x))

    def predict(self, x: Sequence[str]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(x), axis=1)]


class MultiLabelEmbeddingClassifier(BaseEstimator):
    """One EmbeddingTextClassifier per label, ``predict_proba`` as the project's
    MultiLabelTextClassifier: label -> P(label true)."""

    def __init__(
        self,
        labels: tuple[str, ...] = (),
        embeddings: Embeddings | None = None,
        variant: str = "emb",
        c: float = 1.0,
        random_state: int = 0,
        max_features: int = 15000,
    ) -> None:
        self.labels = labels
        self.embeddings = embeddings
        self.variant = variant
        self.c = c
        self.random_state = random_state
        self.max_features = max_features

    def fit(self, x: Sequence[str], y: dict[str, Sequence[bool]]) -> MultiLabelEmbeddingClassifier:
        self.estimators_ = {
            label: EmbeddingTextClassifier(
                self.embeddings, self.variant, "sentence", self.c,
                random_state=self.random_state, max_features=self.max_features,
            ).fit(x, np.asarray(y[label], dtype=bool))
            for label in self.labels
        }
        return self

    def predict_proba(self, x: Sequence[str]) -> dict[str, np.ndarray]:
        out = {}
        for label, est in self.estimators_.items():
            proba = est.predict_proba(x)
            col = list(est.classes_).index(True) if True in est.classes_ else None
            out[label] = proba[:, col] if col is not None else np.zeros(len(x))
        return out


# Picking C on the training set ---------------------------------------------------------------

def pick_c(
    matrix: Any, targets: dict[str, np.ndarray], groups: Sequence[str]
) -> tuple[float, dict[str, float]]:
    """The C of C_GRID with the best mean macro-F1 over ``targets`` in 3-fold cross-validation
    by child (GroupKFold: deterministic), uncalibrated class-balanced regression."""
    folds = list(GroupKFold(n_splits=3).split(matrix, groups=np.asarray(groups)))
    scores: dict[str, float] = {}
    for c in C_GRID:
        f1 = []
        for y in targets.values():
            for tr, te in folds:
                lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
                pred = lr.fit(matrix[tr], y[tr]).predict(matrix[te])
                f1.append(f1_score(y[te], pred, average="macro"))
        scores[str(c)] = float(np.mean(f1))
    best = max(C_GRID, key=lambda c: scores[str(c)])
    return best, scores


def cv_matrix(embeddings: Embeddings, x: Sequence[str], unit: str, variant: str,
              max_features: int) -> Any:
    """A variant's features for picking C (the vectorisers and the scaler fitted on the whole
    training set: unsupervised, no labels)."""
    if variant == "tfidf_c":
        return project_tfidf(2, max_features).fit_transform(list(x))
    est = EmbeddingTextClassifier(embeddings, variant, unit)
    return est.matrix(x, fit=True)


# Measuring -----------------------------------------------------------------------------------

def _macro_f1(truth: Sequence[Any], pred: Sequence[Any]) -> float:
    labels = sorted({str(t) for t in truth} | {str(p) for p in pred})
    return float(f1_score([str(t) for t in truth], [str(p) for p in pred], labels=labels,
                          average="macro"))


def _bootstrap(right: np.ndarray, base: np.ndarray, children: Sequence[str],
               reps: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% interval of the accuracy difference (right - base), children resampled."""
    ids = sorted(set(children))
    index = {c: i for i, c in enumerate(ids)}
    child = np.array([index[c] for c in children])
    diff_sum = np.bincount(child, weights=right.astype(float) - base.astype(float),
                           minlength=len(ids))
    count = np.bincount(child, minlength=len(ids))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(ids), size=(reps, len(ids)))
    stats = diff_sum[draws].sum(axis=1) / count[draws].sum(axis=1)
    lo, hi = np.percentile(stats, [2.5, 97.5])
    return float(lo), float(hi)


def voice_predictions(est: Any, visits: Sequence[VisitExample]) -> list[str]:
    flat = [s for v in visits for s in v.sentences]
    proba = est.predict_proba(flat)
    classes = list(est.classes_)
    out, at = [], 0
    for v in visits:
        out.append(voice_from_proba(classes, proba[at : at + len(v.sentences)])[0])
        at += len(v.sentences)
    return out


def held_out_scores(name: str, est: Any, data: Dataset) -> dict[str, Any]:
    """Accuracy and macro-F1 of one classifier (or the rules, est None) on a held-out set, and
    per item whether it was right (for the paired bootstrap)."""
    if name == "voice_sentence":
        truth = [v.truth["voice"] for v in data.visits]
        pred = ([v.rules["voice"] for v in data.visits] if est is None
                else voice_predictions(est, data.visits))
        heard = [(t in HEARD) == (p in HEARD) for t, p in zip(truth, pred, strict=True)]
        extra = {"voice_heard_accuracy": float(np.mean(heard))}
        children = [v.child_id for v in data.visits]
    elif name == "smart_action":
        truth = [a.truth["smart"] for a in data.actions]
        if est is None:
            pred = [a.rules["smart"] for a in data.actions]
            parts = {k: [a.rules[k] for a in data.actions] for k in SMART_PARTS}
        else:
            proba = est.predict_proba([a.features for a in data.actions])
            parts = {k: [bool(p >= 0.5) for p in proba[k]] for k in SMART_PARTS}
            pred = [all(parts[k][i] for k in SMART_PARTS) for i in range(len(truth))]
        extra = {"parts_mean_accuracy": float(np.mean([
            np.mean([a.truth[k] == parts[k][i] for i, a in enumerate(data.actions)])
            for k in SMART_PARTS]))}
        children = [a.child_id for a in data.actions]
    else:
        truth = [v.truth["analysis"] for v in data.visits]
        pred = ([v.rules["analysis"] for v in data.visits] if est is None
                else [bool(p) for p in est.predict([v.record for v in data.visits])])
        extra = {}
        children = [v.child_id for v in data.visits]
    right = np.array([t == p for t, p in zip(truth, pred, strict=True)])
    return {"n": len(truth), "accuracy": float(right.mean()), "macro_f1": _macro_f1(truth, pred),
            **extra, "_right": right, "_children": children}


class OneModelReviewer(Reviewer):
    """The rules' Reviewer with one label family's labels from a given estimator (what the
    rubric's ``models:`` section would do with that model as an artefact)."""

    def __init__(self, family: str, name: str, estimator: Any) -> None:
        super().__init__()
        loaded = LoadedModel(name, "measure", estimator, {}, Path("."))
        self._one_labeller = ModelLabeller(**{family: loaded})

    @property  # type: ignore[override]
    def labeller(self) -> Any:
        return self._one_labeller


def exemplar_scores(reviewer: Reviewer, themes: Sequence[str]) -> dict[str, Any]:
    """Right / n per theme (and together) from evaluate_exemplars: numbers only, no text."""
    result = evaluate_exemplars(EXEMPLARS, reviewer)
    out: dict[str, Any] = {}
    for theme in themes:
        m = result.get(theme, {"n": 0, "accuracy": float("nan")})
        out[theme] = {"n": m["n"], "right": round(m["accuracy"] * m["n"]),
                      "accuracy": m["accuracy"]}
    if len(themes) > 1:
        n = sum(out[t]["n"] for t in themes)
        right = sum(out[t]["right"] for t in themes)
        out["together"] = {"n": n, "right": right, "accuracy": right / n if n else float("nan")}
    return out


# Cost ----------------------------------------------------------------------------------------

def fresh_load_seconds() -> dict[str, float]:
    """MiniLM's load in a fresh process: importing torch and transformers, then
    load_embedder(threads=1) (hash check of every file, tokenizer and weights)."""
    code = (
        "import time,json;t=time.perf_counter();import torch,transformers;"
        "i=time.perf_counter()-t;from notereview.ml import load_embedder;"
        "t1=time.perf_counter();load_embedder(threads=1);"
        "print(json.dumps({'import_torch_transformers_s':i,"
        "'load_embedder_s':time.perf_counter()-t1,'total_s':time.perf_counter()-t}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "NOTEREVIEW_TORCH_THREADS": "1"})
    return json.loads(done.stdout.strip().splitlines()[-1])


def embedding_cost(embedder: Embedder, data: Dataset, tfidf_voice: Any,
                   sample: int) -> dict[str, Any]:
    """Per sentence, on the held-out visits' distinct sentences (not cached: one fresh
    Embedder.embed call), against the shipped kind of TF-IDF voice model's predict_proba on
    the same sentences' feature strings."""
    by_text: dict[str, str] = {}
    for v in data.visits:
        for f in v.sentences:
            by_text.setdefault(embedding_text(f), f)
    texts = sorted(by_text)[:sample]
    tokens = embedder._tokenizer(texts, truncation=True, max_length=128)["input_ids"]
    t0 = time.perf_counter()
    embedder.embed(texts)
    emb_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    tfidf_voice.predict_proba([by_text[t] for t in texts])
    tfidf_s = time.perf_counter() - t0
    per_visit = float(np.mean([len(v.sentences) for v in data.visits]))
    return {
        "sentences": len(texts),
        "mean_tokens": float(np.mean([len(t) for t in tokens])),
        "embed_ms_per_sentence": 1000 * emb_s / len(texts),
        "embed_sentences_per_s": len(texts) / emb_s,
        "tfidf_voice_ms_per_sentence": 1000 * tfidf_s / len(texts),
        "sentences_per_visit": per_visit,
        "embed_ms_per_visit": 1000 * emb_s / len(texts) * per_visit,
    }


# The run -------------------------------------------------------------------------------------

def train_variant(name: str, variant: str, train: Dataset, embeddings: Embeddings,
                  c: float, random_state: int) -> Any:
    if name == "voice_sentence":
        if variant == "tfidf":
            return train_voice(train.visits, random_state)
        if variant == "tfidf_c":
            return train_voice(train.visits, make=lambda: TextClassifier(
                c=c, random_state=random_state))
        return train_voice(train.visits, make=lambda: EmbeddingTextClassifier(
            embeddings, variant, "sentence", c, random_state=random_state))
    if name == "smart_action":
        if variant == "tfidf":
            return train_smart(train.actions, random_state)
        labels = (*SMART_PARTS, "smart")
        y = {k: [a.truth[k] for a in train.actions] for k in labels}
        if variant == "tfidf_c":
            return MultiLabelTextClassifier(labels=labels, c=c, random_state=random_state).fit(
                [a.features for a in train.actions], y)
        return MultiLabelEmbeddingClassifier(labels, embeddings, variant, c, random_state).fit(
            [a.features for a in train.actions], y)
    x = [v.record for v in train.visits]
    y = [v.truth["analysis"] for v in train.visits]
    if variant == "tfidf":
        return train_record_binary(x, y, random_state)
    if variant == "tfidf_c":
        return TextClassifier(c=c, random_state=random_state).fit(x, y)
    return EmbeddingTextClassifier(embeddings, variant, "record", c,
                                   random_state=random_state).fit(x, y)


def cv_inputs(name: str, train: Dataset) -> tuple[list[str], dict[str, np.ndarray], list[str],
                                                   str]:
    """Examples, targets and children for picking C: voice on round one's sentence labels."""
    if name == "voice_sentence":
        x, y, groups = [], [], []
        for v in train.visits:
            labels = _sentence_labels(v)
            if labels is None:
                continue
            x += v.sentences
            y += labels
            groups += [v.child_id] * len(labels)
        return x, {"voice": np.asarray(y)}, groups, "sentence"
    if name == "smart_action":
        return ([a.features for a in train.actions],
                {k: np.asarray([a.truth[k] for a in train.actions]) for k in SMART_PARTS},
                [a.child_id for a in train.actions], "sentence")
    return ([v.record for v in train.visits],
            {"analysis": np.asarray([v.truth["analysis"] for v in train.visits])},
            [v.child_id for v in train.visits], "record")


def run(args: argparse.Namespace, log: Callable[[str], None]) -> dict[str, Any]:
    import torch

    torch.set_num_threads(1)
    t_start = time.perf_counter()
    load_start = os.getloadavg()
    fresh = fresh_load_seconds()
    log(f"MiniLM in a fresh process: {fresh['total_s']:.1f}s")
    cfg = TrainConfig(work_dir=args.work, models_dir=args.work / "unused-models",
                      train_children=args.train_children, eval_children=args.eval_children,
                      random_state=args.random_state)
    held_out = {"seed303": (303, 40), "seed202": (cfg.eval_seed, cfg.eval_children)}
    args.work.mkdir(parents=True, exist_ok=True)
    train_dir, _ = make_sets(cfg)  # seed 101 (train) and seed 202 (held out), as train_all
    from notereview.synth import generate

    generate(args.work / "held_out_303", held_out["seed303"][1], held_out["seed303"][0],
             styles=list(EVAL_STYLES))
    train = build_dataset(train_dir)
    held = {"seed303": build_dataset(args.work / "held_out_303"),
            "seed202": build_dataset(args.work / "synth_eval")}
    t_data = time.perf_counter() - t_start
    log(f"data in {t_data:.0f}s: {len(train.visits)} training visits "
        f"({sum(len(v.sentences) for v in train.visits)} sentences), {len(train.actions)} "
        "training plan actions")
    t0 = time.perf_counter()
    embedder = load_embedder(threads=1)
    load_in_process = time.perf_counter() - t0
    embeddings = Embeddings(embedder)
    exemplars = EXEMPLARS.is_file()
    rules_reviewer = Reviewer()
    results: dict[str, Any] = {}
    for name, (family, themes) in CLASSIFIERS.items():
        res: dict[str, Any] = {"variants": {}, "c": {}, "c_cv_macro_f1": {}}
        rules: dict[str, Any] = {k: held_out_scores(name, None, d) for k, d in held.items()}
        if exemplars:
            rules["exemplars"] = exemplar_scores(rules_reviewer, themes)
        res["variants"]["rules"] = rules
        x, targets, groups, unit = cv_inputs(name, train)
        for variant in VARIANTS:
            if variant not in TUNED:
                c = PROJECT_C
            else:
                t0 = time.perf_counter()
                max_features = 15000 if name == "smart_action" else 60000
                c, scores = pick_c(cv_matrix(embeddings, x, unit, variant, max_features),
                                   targets, groups)
                res["c_cv_macro_f1"][variant] = scores
                log(f"{name} {variant}: C={c} by cross-validation on the training children "
                    f"({time.perf_counter() - t0:.0f}s)")
            res["c"][variant] = c
            t0 = time.perf_counter()
            emb_before = embeddings.seconds
            est = train_variant(name, variant, train, embeddings, c, args.random_state)
            train_s = time.perf_counter() - t0 - (embeddings.seconds - emb_before)
            out: dict[str, Any] = {k: held_out_scores(name, est, d) for k, d in held.items()}
            if exemplars:
                out["exemplars"] = exemplar_scores(OneModelReviewer(family, name, est), themes)
            out["train_s_without_embedding"] = train_s
            res["variants"][variant] = out
            if name == "voice_sentence" and variant == "tfidf":
                res["_tfidf_voice"] = est
            log(f"{name} {variant}: seed303 {out['seed303']['accuracy']:.3f} seed202 "
                f"{out['seed202']['accuracy']:.3f} ({train_s:.0f}s training)")
        for variant in VARIANTS[1:]:
            for k in held:
                base = res["variants"]["tfidf"][k]
                mine = res["variants"][variant][k]
                mine["diff_vs_tfidf"] = mine["accuracy"] - base["accuracy"]
                mine["diff_ci95"] = _bootstrap(mine["_right"], base["_right"], base["_children"])
        results[name] = res
    cost = embedding_cost(embedder, held["seed303"], results["voice_sentence"].pop("_tfidf_voice"),
                          args.cost_sample)
    for res in results.values():
        for v in res["variants"].values():
            for k in held:
                v[k].pop("_right", None)
                v[k].pop("_children", None)
    return {
        "command": " ".join([".venv/bin/python", "training/embedding_features.py",
                             *sys.argv[1:]]),
        "random_state": args.random_state,
        "training_data": {
            "seed": cfg.train_seed, "children": cfg.train_children,
            "styles": f"all except {', '.join(EVAL_STYLES)}",
            "visits": len(train.visits),
            "visit_sentences": sum(len(v.sentences) for v in train.visits),
            "plan_actions": len(train.actions),
            "capped": cfg.train_children != TrainConfig.train_children,
        },
        "held_out": {k: {"seed": held_out[k][0], "children": held_out[k][1],
                         "styles": list(EVAL_STYLES), "visits": len(d.visits),
                         "plan_actions": len(d.actions)} for k, d in held.items()},
        "exemplars": str(EXEMPLARS.relative_to(ROOT.parent)) if exemplars else None,
        "c_grid": list(C_GRID),
        "classifiers": results,
        "cost": {
            "fresh_process_load": fresh,
            "load_embedder_in_process_s": load_in_process,
            "distinct_texts_embedded": embeddings.embedded,
            "embedding_s_total": embeddings.seconds,
            **cost,
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine(),
                    "load_average_at_start": load_start, "load_average_at_end": os.getloadavg(),
                    "torch_threads": torch.get_num_threads()},
        "data_s": t_data,
        "run_s": time.perf_counter() - t_start,
    }


# Report --------------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{x:.3f}"


def _diff(v: dict[str, Any]) -> str:
    if "diff_vs_tfidf" not in v:
        return "–"
    lo, hi = v["diff_ci95"]
    return f"{v['diff_vs_tfidf']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def _ex(v: dict[str, Any], themes: Sequence[str]) -> str:
    if "exemplars" not in v:
        return "–"
    parts = [f"{v['exemplars'][t]['right']}/{v['exemplars'][t]['n']}" for t in themes]
    if len(themes) > 1:
        together = v["exemplars"]["together"]
        parts.append(f"together {together['right']}/{together['n']}")
    return ", ".join(parts)


def markdown(r: dict[str, Any]) -> str:
    held = r["held_out"]
    capped = r["training_data"]["capped"]
    lines = [
        "# MiniLM embeddings versus TF-IDF as features (issue 4)",
        "",
        f"Written by `training/embedding_features.py`: `{r['command']}` "
        f"(run time {r['run_s'] / 60:.1f} min on {r['machine']['cpus']} cores, torch on "
        f"{r['machine']['torch_threads']} thread; load average "
        f"{r['machine']['load_average_at_start'][0]:.1f} at the start, "
        f"{r['machine']['load_average_at_end'][0]:.1f} at the end). random_state "
        f"{r['random_state']}; every number below comes from that run and "
        "`embedding_features.json` beside this file.",
        "",
        f"Training data, identical for every variant: what `notereview train text` trains on "
        f"(synth seed {r['training_data']['seed']}, {r['training_data']['children']} children, "
        f"{r['training_data']['styles']}): {r['training_data']['visits']} visits "
        f"({r['training_data']['visit_sentences']} sentences) and "
        f"{r['training_data']['plan_actions']} plan actions, "
        f"{'CAPPED: fewer children than the project' if capped else 'not capped'}. "
        "Held out: seed 303, "
        f"{held['seed303']['children']} children ({held['seed303']['visits']} visits, "
        f"{held['seed303']['plan_actions']} plan actions), the set "
        "`training/reports/rules_vs_models.md` uses, and seed 202, "
        f"{held['seed202']['children']} children ({held['seed202']['visits']} visits, "
        f"{held['seed202']['plan_actions']} plan actions), the training run's own held-out set; "
        f"both only the styles {', '.join(EVAL_STYLES)}, never trained on. Dev exemplars: "
        f"`{r['exemplars']}` (measured only, scored by `evaluate_exemplars` as "
        "`evaluate_models.py` does, with the variant in place of the rules for its family).",
        "",
        "Variants: (a) the project's pipeline, trained by the project's own functions; (a') "
        "the same with C tuned (control); the rules' tags alone, no text (control); (b) the "
        "masked text's MiniLM embedding alone (the child's name token read as 'the child'), "
        "standardised; (b') the same plus the rules' tags that the TF-IDF also reads (who "
        "speaks, the rules' voice, cues, qualifiers, columns filled); (c) (a)'s TF-IDF plus the "
        "embedding. All: class-balanced logistic regression, sigmoid-calibrated 3-fold "
        "(`_calibrated_lr`, as the project). C: 4 for (a) and (c) (the project's); for the "
        f"others the best of {', '.join(f'{c:g}' for c in r['c_grid'])} by macro-F1 in 3-fold "
        "cross-validation over the training children (* : at the grid's edge). Sentences and "
        "plan actions are embedded whole; a visit record (analysis) as the mean and maximum of "
        "its sentences' embeddings (60 words at most a piece: MiniLM reads 128 word pieces).",
        "",
        "Δ: accuracy minus (a)'s on the same items, with a 95% interval from 2,000 bootstrap "
        "resamples of the held-out children (paired). Exemplars: right/n.",
        "",
    ]
    heads = {
        "voice_sentence": ("Voice of the child (voice_sentence; visit voice of 5, C1–C3)",
                           "voice_heard_accuracy", "heard"),
        "smart_action": ("SMART plan actions (smart_action; P1: all four parts)",
                         "parts_mean_accuracy", "parts mean"),
        "visit_analysis": ("Analysis in visit records (visit_analysis; V5)", None, None),
    }
    for name, res in r["classifiers"].items():
        title, extra_key, extra_word = heads[name]
        themes = CLASSIFIERS[name][1]
        lines += [f"## {title}", ""]
        head = ["variant", "C", "303 acc", "303 macro-F1"]
        if extra_key:
            head.append(f"303 {extra_word}")
        head += ["303 Δ acc [95%]", "202 acc", "202 macro-F1", "202 Δ acc [95%]",
                 f"exemplars ({', '.join(themes)})", "train s"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for variant, v in res["variants"].items():
            c = res["c"].get(variant)
            edge = "*" if variant in TUNED and c in (C_GRID[0], C_GRID[-1]) else ""
            row = [VARIANT_WORDS[variant], "–" if c is None else f"{c:g}{edge}",
                   _pct(v["seed303"]["accuracy"]), _pct(v["seed303"]["macro_f1"])]
            if extra_key:
                row.append(_pct(v["seed303"][extra_key]))
            row += [_diff(v["seed303"]), _pct(v["seed202"]["accuracy"]),
                    _pct(v["seed202"]["macro_f1"]), _diff(v["seed202"]), _ex(v, themes),
                    f"{v['train_s_without_embedding']:.0f}" if variant != "rules" else "–"]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    c = r["cost"]
    fresh = c["fresh_process_load"]
    lines += [
        "## Cost (this machine, torch on one thread)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| MiniLM load, fresh process: import torch + transformers | "
        f"{fresh['import_torch_transformers_s']:.1f} s |",
        f"| MiniLM load, fresh process: load_embedder (hash check, tokenizer, weights) | "
        f"{fresh['load_embedder_s']:.1f} s |",
        f"| MiniLM embedding per sentence ({c['sentences']} distinct held-out visit sentences, "
        f"{c['mean_tokens']:.1f} word pieces on average, one call) | "
        f"{c['embed_ms_per_sentence']:.2f} ms ({c['embed_sentences_per_s']:.0f}/s) |",
        f"| TF-IDF voice model predict_proba per sentence, same sentences | "
        f"{c['tfidf_voice_ms_per_sentence']:.3f} ms |",
        f"| embedding per visit record ({c['sentences_per_visit']:.1f} sentences on average) | "
        f"{c['embed_ms_per_visit']:.0f} ms |",
        f"| distinct texts embedded in the whole run / time | {c['distinct_texts_embedded']} / "
        f"{c['embedding_s_total']:.0f} s |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/nr-embedding-features"),
                    help="scratch folder for the synthetic extracts")
    ap.add_argument("--reports", type=Path, default=REPORTS)
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--train-children", type=int, default=TrainConfig.train_children,
                    help="training children (the project's 250; fewer only for a smoke test)")
    ap.add_argument("--eval-children", type=int, default=TrainConfig.eval_children,
                    help="children of the seed-202 held-out set (the project's 120)")
    ap.add_argument("--cost-sample", type=int, default=2000,
                    help="distinct held-out sentences timed for the embedding cost")
    args = ap.parse_args()
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        result = run(args, lambda s: print(s, flush=True))
    args.reports.mkdir(parents=True, exist_ok=True)
    (args.reports / "embedding_features.json").write_text(
        json.dumps(result, indent=2, default=str) + "\n")
    text = markdown(result)
    md = args.reports / "embedding_features.md"
    conclusion = _kept_conclusion(md)
    md.write_text(text + conclusion)
    print(text)


CONCLUSION_MARK = "## Conclusion"


def _kept_conclusion(md: Path) -> str:
    """The hand-written conclusion below the tables survives a rerun (read it again against
    the new numbers)."""
    if not md.is_file():
        return f"{CONCLUSION_MARK}\n\n(to write: read the tables above)\n"
    old = md.read_text(encoding="utf-8")
    at = old.find(CONCLUSION_MARK)
    return old[at:] if at >= 0 else f"{CONCLUSION_MARK}\n\n(to write)\n"


if __name__ == "__main__":
    main()
