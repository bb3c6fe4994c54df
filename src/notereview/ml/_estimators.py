"""scikit-learn estimators for notereview's learned labels.

They follow scikit-learn's conventions: ``__init__`` only stores parameters, ``fit`` returns
self and sets attributes ending in ``_``, probabilities are calibrated (CalibratedClassifierCV,
sigmoid) and ``random_state`` makes training reproducible. Inputs are feature strings built by
:mod:`notereview.ml._features` (the text with the child's name masked, plus rule tags).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from notereview.vocabulary import GRADES


def _calibrated_lr(c: float, cv: int, random_state: int, smallest: int, n_classes: int) -> Any:
    """Sigmoid-calibrated logistic regression; with too few examples of a class to calibrate,
    the plain regression; with a single class, the class prior."""
    if n_classes < 2:
        return DummyClassifier(strategy="prior")
    lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=random_state)
    if smallest < 2:
        return lr
    return CalibratedClassifierCV(lr, method="sigmoid", cv=max(2, min(cv, smallest)))


class TextClassifier(ClassifierMixin, BaseEstimator):
    """TF-IDF (words 1–2 and characters 2–5) → calibrated logistic regression."""

    def __init__(
        self,
        c: float = 4.0,
        min_df: int = 2,
        char_ngrams: bool = True,
        cv: int = 3,
        random_state: int = 0,
        max_features: int = 60000,
    ) -> None:
        self.c = c
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.max_features = max_features
        self.cv = cv
        self.random_state = random_state

    def fit(self, x: Sequence[str], y: Sequence[Any]) -> TextClassifier:
        y_arr = np.asarray(y)
        parts: list[tuple[str, Any]] = [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=(1, 2),
                    min_df=self.min_df,
                    sublinear_tf=True,
                    lowercase=True,
                    max_features=self.max_features,
                ),
            )
        ]
        if self.char_ngrams:
            parts.append(
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=(2, 5),
                        min_df=self.min_df,
                        sublinear_tf=True,
                        max_features=self.max_features,
                    ),
                )
            )
        counts = np.unique(y_arr, return_counts=True)[1]
        model = _calibrated_lr(self.c, self.cv, self.random_state, int(counts.min()), len(counts))
        self.pipeline_ = Pipeline(
            [
                ("features", FeatureUnion(parts)),
                ("model", model),
            ]
        )
        self.pipeline_.fit(list(x), y_arr)
        for _, vectorizer in self.pipeline_.named_steps["features"].transformer_list:
            # The pruned terms are kept only for introspection; dropping them keeps the
            # artefact small (scikit-learn documents this as safe).
            if hasattr(vectorizer, "stop_words_"):
                delattr(vectorizer, "stop_words_")
            compact_vocabulary(vectorizer)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, x: Sequence[str]) -> np.ndarray:
        return self.pipeline_.predict_proba(list(x))

    def predict(self, x: Sequence[str]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(x), axis=1)]


def compact_vocabulary(vectorizer: Any) -> bool:
    """Make a fitted vectoriser's vocabulary map terms to plain ints. With ``max_features``,
    scikit-learn leaves numpy int64 values, and skops writes each numpy scalar as a file of its
    own inside the archive: tens of thousands of files that made loading a model take seconds.
    The mapping is the same; True if anything changed."""
    vocabulary = getattr(vectorizer, "vocabulary_", None)
    if not isinstance(vocabulary, dict) or all(type(i) is int for i in vocabulary.values()):
        return False
    vectorizer.vocabulary_ = {term: int(i) for term, i in vocabulary.items()}
    return True


class MultiLabelTextClassifier(BaseEstimator):
    """One calibrated binary TextClassifier per label (SMART: specific, measurable, ...)."""

    def __init__(
        self,
        labels: tuple[str, ...] = (),
        c: float = 4.0,
        min_df: int = 2,
        char_ngrams: bool = True,
        random_state: int = 0,
        max_features: int = 15000,
    ) -> None:
        self.labels = labels
        self.c = c
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.random_state = random_state
        self.max_features = max_features

    def fit(self, x: Sequence[str], y: Mapping[str, Sequence[bool]]) -> MultiLabelTextClassifier:
        self.estimators_ = {}
        for label in self.labels:
            est = TextClassifier(c=self.c, min_df=self.min_df, char_ngrams=self.char_ngrams,
                                 random_state=self.random_state,
                                 max_features=self.max_features)
            self.estimators_[label] = est.fit(x, np.asarray(y[label], dtype=bool))
        return self

    def predict_proba(self, x: Sequence[str]) -> dict[str, np.ndarray]:
        """label -> P(label true) for each input.

        Every label's TF-IDF step was fitted on the same texts with the same settings, so they
        are equal: when they are (checked once per loaded model), the texts are vectorised
        once and each label's calibrated regression reads that one matrix (the same numbers
        as vectorising per label, at a fifth of the cost)."""
        texts = list(x)
        shared = self._shared_features()
        matrix = shared.transform(texts) if shared is not None else None
        out = {}
        for label, est in self.estimators_.items():
            if matrix is None:
                proba = est.predict_proba(texts)
            else:
                proba = est.pipeline_.named_steps["model"].predict_proba(matrix)
            col = list(est.classes_).index(True) if True in est.classes_ else None
            out[label] = proba[:, col] if col is not None else np.zeros(len(texts))
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_shares_features", None)  # a cache: never saved with the model
        return state

    def _shared_features(self) -> Any:
        """The labels' common FeatureUnion, or None where they differ. The answer is cached on
        the instance (``_shares_features``, a bool: a cache, not fitted state)."""
        ests = list(self.estimators_.values())
        if not ests:
            return None
        shares = getattr(self, "_shares_features", None)
        if shares is None:
            first = ests[0].pipeline_.named_steps["features"]
            shares = all(
                _same_union(first, e.pipeline_.named_steps["features"]) for e in ests[1:]
            )
            self._shares_features = shares
        return ests[0].pipeline_.named_steps["features"] if shares else None


def _same_union(a: FeatureUnion, b: FeatureUnion) -> bool:
    """Whether two fitted FeatureUnions of TF-IDF vectorisers transform every text alike."""
    if a is b:
        return True
    if [n for n, _ in a.transformer_list] != [n for n, _ in b.transformer_list]:
        return False
    if a.transformer_weights != b.transformer_weights:
        return False
    for (_, va), (_, vb) in zip(a.transformer_list, b.transformer_list, strict=True):
        if not (isinstance(va, TfidfVectorizer) and isinstance(vb, TfidfVectorizer)):
            return False
        if va.get_params() != vb.get_params() or va.vocabulary_ != vb.vocabulary_:
            return False
        if not np.array_equal(va.idf_, vb.idf_):
            return False
    return True


class TabularClassifier(ClassifierMixin, BaseEstimator):
    """Scaled numeric features → calibrated logistic regression (plan link, case model)."""

    def __init__(self, c: float = 1.0, cv: int = 3, random_state: int = 0) -> None:
        self.c = c
        self.cv = cv
        self.random_state = random_state

    def fit(self, x: np.ndarray, y: Sequence[Any]) -> TabularClassifier:
        y_arr = np.asarray(y)
        counts = np.unique(y_arr, return_counts=True)[1]
        model = _calibrated_lr(self.c, self.cv, self.random_state, int(counts.min()), len(counts))
        self.pipeline_ = Pipeline(
            [
                ("scale", StandardScaler()),
                ("model", model),
            ]
        )
        self.pipeline_.fit(np.asarray(x, dtype=float), y_arr)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return self.pipeline_.predict_proba(np.asarray(x, dtype=float))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(x), axis=1)]


class CosineThreshold(BaseEstimator):
    """One similarity threshold: a pair counts as the same thing when its cosine is at or
    above ``threshold_``. ``fit`` takes the cut between two neighbouring training cosines
    that classifies the most pairs right; among equally good cuts, the one in the widest gap
    (the largest margin either side). Chronology coverage by meaning (H2)."""

    def __init__(self, min_threshold: float = 0.0) -> None:
        self.min_threshold = min_threshold

    def fit(self, x: Sequence[float] | np.ndarray, y: Sequence[bool]) -> CosineThreshold:
        cos = np.asarray(x, dtype=float).ravel()
        truth = np.asarray(y, dtype=bool)
        if cos.shape != truth.shape or cos.size == 0:
            raise ValueError("CosineThreshold.fit needs one cosine per label, at least one")
        values = np.unique(cos)
        cuts = [(float(values[0]), 0.0), (float(self.min_threshold), 0.0)]  # (cut, margin)
        cuts += [(float((a + b) / 2), float(b - a)) for a, b in pairwise(values)]
        cuts.append((float(np.nextafter(values[-1], np.inf)), 0.0))  # above every cosine
        best: tuple[int, float, float] | None = None  # (pairs right, margin, cut)
        for cut, margin in cuts:
            if cut < self.min_threshold:
                continue
            right = int(np.sum((cos >= cut) == truth))
            if best is None or (right, margin) > best[:2]:
                best = (right, margin, cut)
        assert best is not None
        self.threshold_ = best[2]
        self.train_accuracy_ = best[0] / cos.size
        self.n_examples_ = int(cos.size)
        return self

    def covers(self, cosine: float) -> bool:
        return cosine >= self.threshold_

    def predict(self, x: Sequence[float] | np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=float).ravel() >= self.threshold_


class CaseAuditModel(BaseEstimator):
    """Learns from auditors' grades: the weights of the case score's parts (``criteria``: theme
    or criterion names; non-negative least squares of the auditors' mean grade on the parts'
    scores, normalised to sum to the number of parts), grade cut-points on that score, and a
    calibrated probability that an auditor grades the file inadequate."""

    GRADE_VALUE: ClassVar[dict[str, float]] = {g: float(i) for i, g in enumerate(GRADES)}

    def __init__(self, criteria: tuple[str, ...] = (), c: float = 1.0, random_state: int = 0):
        self.criteria = criteria
        self.c = c
        self.random_state = random_state

    def features(self, scores: Sequence[Mapping[str, float | None]]) -> np.ndarray:
        """Criterion scores (a missing / not applicable criterion takes the file's mean) and
        one 'applicable' flag per criterion."""
        rows = []
        for s in scores:
            vals = [s.get(c) for c in self.criteria]
            known = [v for v in vals if v is not None and not np.isnan(v)]
            mean = float(np.mean(known)) if known else 0.5
            rows.append(
                [mean if v is None or np.isnan(v) else float(v) for v in vals]
                + [0.0 if v is None or np.isnan(v) else 1.0 for v in vals]
            )
        return np.asarray(rows, dtype=float)

    def fit(
        self, scores: Sequence[Mapping[str, float | None]], grades: Sequence[Sequence[str]]
    ) -> CaseAuditModel:
        from scipy.optimize import nnls

        x = self.features(scores)
        k = len(self.criteria)
        target = np.array([np.mean([self.GRADE_VALUE[g] for g in gs]) for gs in grades]) / 3.0
        # One row per auditor's grade: P(inadequate) is the chance that an auditor says so.
        rows = [i for i, gs in enumerate(grades) for _ in gs]
        inadequate = np.array([g == "inadequate" for gs in grades for g in gs])
        design = np.hstack([x[:, :k], np.ones((len(x), 1))])
        coef, _ = nnls(design, target)
        w = coef[:k]
        self.weights_ = dict(
            zip(self.criteria, (w * k / w.sum() if w.sum() > 0 else np.ones(k)), strict=True)
        )
        ws = np.array([self.weighted_score(sc) for sc in scores])
        self.cuts_ = self._fit_cuts(ws, grades)
        self.inadequate_ = TabularClassifier(c=self.c, random_state=self.random_state).fit(
            x[rows], inadequate
        )
        return self

    @staticmethod
    def _fit_cuts(ws: np.ndarray, grades: Sequence[Sequence[str]]) -> tuple[float, float, float]:
        """Grade cut-points on the learned score (inadequate | RI | good | outstanding) that
        agree best with the auditors, searched one boundary at a time, in order."""
        grid = np.round(np.linspace(0.05, 0.99, 95), 3)
        order = GRADES
        cuts: list[float] = []
        for b in range(3):
            lo = cuts[-1] if cuts else 0.0
            best, best_acc = lo, -1.0
            for c in grid[grid > lo]:
                acc = np.mean([(s >= c) == (order.index(g) > b)
                               for s, gs in zip(ws, grades, strict=True) for g in gs])
                if acc > best_acc:
                    best, best_acc = float(c), float(acc)
            cuts.append(best)
        return (cuts[0], cuts[1], cuts[2])

    def grade(self, scores: Mapping[str, float | None]) -> str:
        s = self.weighted_score(scores)
        return GRADES[sum(s >= c for c in self.cuts_)]

    def weighted_score(self, scores: Mapping[str, float | None]) -> float:
        items = [
            (self.weights_[c], float(v))
            for c, v in scores.items()
            if c in self.weights_ and v is not None and not np.isnan(v)
        ]
        total = sum(w for w, _ in items)
        return sum(w * v for w, v in items) / total if total else 0.0

    def p_inadequate(self, scores: Sequence[Mapping[str, float | None]]) -> np.ndarray:
        est = self.inadequate_
        proba = est.predict_proba(self.features(scores))
        col = list(est.classes_).index(True) if True in est.classes_ else None
        return proba[:, col] if col is not None else np.zeros(len(scores))
