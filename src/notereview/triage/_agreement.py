"""How far the model and the auditors agree: weighted kappa on the four-point grade and
precision at the top of the queue, per theme."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from notereview.triage._estimates import AuditedFile
from notereview.triage._queue import CASE_MODEL_RANKING
from notereview.vocabulary import GRADES, THEMES


def band_grade(score: float, cuts: tuple[float, float, float] = (0.5, 0.75, 0.9)) -> str:
    """A 0..1 score on the auditors' 4-point scale: below cuts[0] inadequate, then
    requires improvement, good, and outstanding from cuts[2]."""
    if score < cuts[0]:
        return GRADES[0]
    if score < cuts[1]:
        return GRADES[1]
    if score < cuts[2]:
        return GRADES[2]
    return GRADES[3]


def weighted_kappa(
    a: Sequence[int], b: Sequence[int], categories: int = 4, weights: str = "quadratic"
) -> float | None:
    """Cohen's weighted kappa (scikit-learn's ``cohen_kappa_score``) between two raters'
    ordinal ratings 0..categories-1, ``weights`` "linear" or "quadratic": the project's one
    kappa. None when there are no pairs or the ratings leave no room for disagreement (every
    rating the same category), where kappa is undefined."""
    if len(set(a) | set(b)) < 2:  # no pairs, or one category only: no chance term
        return None
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(a, b, labels=list(range(categories)), weights=weights))


def quadratic_weighted_kappa(pairs: Iterable[tuple[int, int]], categories: int = 4) -> float | None:
    """:func:`weighted_kappa` with quadratic weights over (a, b) pairs."""
    listed = list(pairs)
    return weighted_kappa(
        [x for x, _ in listed], [y for _, y in listed], categories, weights="quadratic"
    )


@dataclass(frozen=True, slots=True)
class KappaResult:
    theme: str  # a theme, or "overall"
    kappa: float | None
    n: int


@dataclass(frozen=True, slots=True)
class PrecisionAtK:
    theme: str  # a theme, or "overall"
    k: int
    audited: int  # files in the top k with an auditor's grade
    inadequate: int  # of those, graded inadequate
    precision: float | None


def precision_at_k(
    ranking: Sequence[str], inadequate: Mapping[str, bool], k: int, theme: str = "overall"
) -> PrecisionAtK:
    """Of the top ``k`` files of ``ranking`` that auditors graded, the share they graded
    inadequate (files in the top k without a grade are not counted either way)."""
    top = [child for child in ranking[:k] if child in inadequate]
    bad = sum(1 for child in top if inadequate[child])
    return PrecisionAtK(theme, k, len(top), bad, bad / len(top) if top else None)


@dataclass(frozen=True, slots=True)
class Agreement:
    kappa: tuple[KappaResult, ...]
    precision: tuple[PrecisionAtK, ...]


def agreement(
    audited: Iterable[AuditedFile],
    rankings: Mapping[str, Sequence[str]],
    k: int = 20,
    cuts: tuple[float, float, float] = (0.5, 0.75, 0.9),
) -> Agreement:
    """Model vs auditors: quadratic-weighted kappa per theme (and overall), the model's score
    banded to the 4-point scale against the auditor's grade; and precision of the top ``k`` of
    each ranking (``rankings``: "overall", CASE_MODEL_RANKING or a theme -> child ids in queue
    order) against the auditors' inadequate grades."""
    files = list(audited)
    index: dict[str, int] = {grade: i for i, grade in enumerate(GRADES)}
    kappas = []
    overall_pairs = [
        (index[band_grade(a.model_score, cuts)], index[a.overall])
        for a in files
        if a.model_score is not None and a.overall in index
    ]
    overall_kappa = quadratic_weighted_kappa(overall_pairs)
    kappas.append(KappaResult("overall", overall_kappa, len(overall_pairs)))
    for theme in THEMES:
        pairs = []
        for a in files:
            model = a.model_themes.get(theme)
            grade = a.themes.get(theme)
            if model is None or grade not in index:
                continue
            if isinstance(model, float) and math.isnan(model):
                continue
            pairs.append((index[band_grade(float(model), cuts)], index[grade]))
        kappas.append(KappaResult(theme, quadratic_weighted_kappa(pairs), len(pairs)))
    precisions = []
    for name, ranking in rankings.items():
        if name in ("overall", CASE_MODEL_RANKING):
            graded = {a.child_id: a.overall == GRADES[0] for a in files if a.overall in index}
        else:
            graded = {a.child_id: a.themes[name] == GRADES[0] for a in files if name in a.themes}
        precisions.append(precision_at_k(ranking, graded, k, theme=name))
    return Agreement(kappa=tuple(kappas), precision=tuple(precisions))
