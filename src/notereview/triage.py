"""Triage: which file an auditor reads next, which files a dip sample draws, and what the
audits say about the whole service.

Pure functions over plain values: no database, no clock, no randomness that is not seeded.
Every queue item and every sample carries the reasons for its place.

- :func:`build_queue`: weakness x legal-status risk, plus a bonus where the model is unsure,
  minus files audited recently, re-ranked so no team or worker fills the page. Weakness is the
  case model's ``p_inadequate`` where every file in the queue has one, else 1 - case score.
- :func:`draw_dip_sample`: a seeded random sample stratified by team and legal status
  (proportional allocation, largest remainder).
- :func:`estimate_from_sample`, :func:`estimate_from_model`, :func:`criterion_estimates`:
  the share of files meeting each criterion, with 95% Wilson intervals.
- :func:`quadratic_weighted_kappa`, :func:`precision_at_k`, :func:`agreement`: how far the
  model and the auditors agree.
"""

from __future__ import annotations

import math
import random
from collections import Counter, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from notereview.checks import CRITERIA, THEMES

# The auditors' four-point scale, weakest first (index = ordinal value).
GRADES: tuple[str, ...] = ("inadequate", "requires_improvement", "good", "outstanding")
VERDICTS: tuple[str, ...] = ("agree", "disagree")
Z95 = 1.959963984540054

DEFAULT_RISK_WEIGHTS: Mapping[str, float] = {
    "CP": 1.0,
    "LAC": 0.85,
    "PF": 0.7,
    "CIN": 0.55,
    "CL": 0.4,
}


class ScoredCase(Protocol):
    """What triage needs of a child's scores (``notereview.store.CaseScoreRow`` fits)."""

    @property
    def child_id(self) -> str: ...
    @property
    def team(self) -> str: ...
    @property
    def worker_id(self) -> str: ...
    @property
    def legal_status(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def grade_band(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def themes(self) -> Mapping[str, float | None]: ...
    @property
    def reasons(self) -> Sequence[str]: ...
    @property
    def p_inadequate(self) -> float | None:
        """The case model's calibrated probability that an auditor grades the file
        inadequate; None (or NaN) where no case model scored the file."""
        ...


class TriageError(ValueError):
    """A triage parameter is out of range (an unknown theme, a negative sample size...)."""


# --- the queue -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueParams:
    """How the queue weighs a file. Every number is a parameter, not a truth.

    ``use_case_model``: rank the whole-file queue on the case model's ``p_inadequate`` (the
    learned, calibrated chance that an auditor grades the file inadequate) when every file in
    the queue has one; off, always on the rubric score (1 - score)."""

    use_case_model: bool = True
    risk_weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RISK_WEIGHTS))
    unknown_status_weight: float = 0.5
    unsure_below: float = 0.6
    unsure_bonus: float = 0.15
    recent_audit_days: float = 90.0
    recent_audit_penalty: float = 0.5
    team_penalty: float = 0.08
    worker_penalty: float = 0.12
    spread_window: int = 10
    top_reasons: int = 3


@dataclass(frozen=True, slots=True)
class QueueItem:
    position: int
    child_id: str
    team: str
    worker_id: str
    legal_status: str
    score: float
    grade_band: str
    priority: float
    reasons: tuple[str, ...]
    p_inadequate: float | None = None  # the case model's estimate, shown whether used or not
    ranked_on: str = "rubric_score"  # what weakness came from: one of RANKED_ON


# What a queue's weakness came from: the case model's p_inadequate, 1 - the case score, or
# 1 - the theme's score (a theme queue).
RANKED_ON: tuple[str, ...] = ("case_model", "rubric_score", "theme_score")
#: The name of the whole-file queue ranked on the case model, beside "overall" (ranked on the
#: rubric's score) in :func:`agreement`.
CASE_MODEL_RANKING = "overall_case_model"


@dataclass(frozen=True, slots=True)
class _Scale:
    """Which weakness a whole queue ranks on, decided once for all its files."""

    ranked_on: str
    files: int = 0  # files in the queue
    without_model: int = 0  # of those, files with no case-model estimate
    case_model_off: bool = False


@dataclass(frozen=True, slots=True)
class _Candidate:
    case: ScoredCase
    priority: float
    weakness: float
    why: tuple[str, ...]
    raw_position: int = 0


def case_model_estimate(case: ScoredCase) -> float | None:
    """The case's ``p_inadequate`` as a number in 0..1, or None where it has none (None or NaN)."""
    value = case.p_inadequate
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    return min(max(value, 0.0), 1.0)


def _scale(cases: Sequence[ScoredCase], theme: str | None, params: QueueParams) -> _Scale:
    """One scale for the whole queue: the case model's estimate only when the queue is the
    whole-file one, the parameter allows it and every file in it has an estimate; otherwise
    the rubric score for every file (a probability and a rubric score are never compared)."""
    if theme is not None:
        return _Scale("theme_score")
    without = sum(1 for case in cases if case_model_estimate(case) is None)
    if params.use_case_model and cases and without == 0:
        return _Scale("case_model", len(cases), 0)
    return _Scale("rubric_score", len(cases), without, case_model_off=not params.use_case_model)


def _priority(
    case: ScoredCase,
    theme: str | None,
    audited_at: datetime | None,
    now: datetime | None,
    params: QueueParams,
    scale: _Scale,
) -> _Candidate | None:
    estimate = case_model_estimate(case)
    band = case.grade_band.replace("_", " ")
    notes: list[str] = []
    if theme is not None:
        theme_score = case.themes.get(theme)
        if theme_score is None or (isinstance(theme_score, float) and math.isnan(theme_score)):
            return None
        weakness = 1.0 - float(theme_score)
        label = f"{theme.replace('_', ' ')} score {float(theme_score):.2f}"
    elif scale.ranked_on == "case_model" and estimate is not None:
        weakness = estimate
        label = (
            f"the case model puts the chance an auditor grades it inadequate at {estimate:.2f}; "
            f"rubric score {case.score:.2f} ({band})"
        )
    else:
        weakness = 1.0 - case.score
        label = f"score {case.score:.2f} ({band})"
        if estimate is not None and scale.case_model_off:
            notes.append(
                f"ranked on the rubric score, not the case model's {estimate:.2f}: "
                "the queue is set not to use the case model"
            )
        elif estimate is not None:
            verb = "has" if scale.without_model == 1 else "have"
            notes.append(
                f"ranked on the rubric score, not the case model's {estimate:.2f}: "
                f"{scale.without_model} of the {scale.files} files in this queue {verb} no "
                "case-model estimate, and one queue never mixes the two scales"
            )
    weakness = min(max(weakness, 0.0), 1.0)
    risk = params.risk_weights.get(case.legal_status, params.unknown_status_weight)
    priority = weakness * risk
    why = [f"weak file: {label}; legal status {case.legal_status} weighs x{risk:.2f}", *notes]
    if case.confidence < params.unsure_below and params.unsure_below > 0:
        bonus = params.unsure_bonus * (params.unsure_below - case.confidence) / params.unsure_below
        priority += bonus
        why.append(
            f"the rubric's checks are unsure (confidence {case.confidence:.2f}): +{bonus:.2f}"
        )
    if audited_at is not None and now is not None and params.recent_audit_days > 0:
        days = max((now - audited_at).total_seconds() / 86400.0, 0.0)
        if days < params.recent_audit_days:
            penalty = params.recent_audit_penalty * (1.0 - days / params.recent_audit_days)
            priority -= penalty
            why.append(f"audited {int(days)} days ago: -{penalty:.2f}")
    return _Candidate(case=case, priority=priority, weakness=weakness, why=tuple(why))


def build_queue(
    cases: Iterable[ScoredCase],
    *,
    team: str | Collection[str] | None = None,
    legal_status: str | Collection[str] | None = None,
    theme: str | None = None,
    last_audited: Mapping[str, datetime] | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    params: QueueParams | None = None,
) -> tuple[QueueItem, ...]:
    """The files to audit, most in need first, each with its reasons.

    Weakness, for the whole-file queue, is the case model's ``p_inadequate`` (the calibrated
    chance that an auditor grades the file inadequate) when ``params.use_case_model`` is on and
    every file left after the team and legal-status filters has one; if any file lacks it (an
    older run, a run without a case model), every file is ranked on 1 - its rubric score, so a
    probability and a rubric score are never compared, and the files that had an estimate say
    why it was not used. ``theme`` ranks by weakness in that theme, on the theme's score (files
    with no applicable criterion in it drop out). ``last_audited`` (child_id -> when) with
    ``now`` lowers files audited recently. A greedy re-ranking then lowers a file by
    ``team_penalty`` / ``worker_penalty`` for every file of the same team / worker among the
    last ``spread_window`` places, so one team's or one worker's files do not fill the page."""
    params = params or QueueParams()
    if theme is not None and theme not in THEMES:
        raise TriageError(f"unknown theme {theme!r}; use one of {list(THEMES)}")
    if limit is not None and limit < 0:
        raise TriageError("limit must be 0 or more")
    teams = {team} if isinstance(team, str) else (set(team) if team is not None else None)
    statuses = (
        {legal_status}
        if isinstance(legal_status, str)
        else (set(legal_status) if legal_status is not None else None)
    )
    audited = last_audited or {}
    in_queue = [
        case
        for case in cases
        if (teams is None or case.team in teams)
        and (statuses is None or case.legal_status in statuses)
    ]
    scale = _scale(in_queue, theme, params)
    candidates: list[_Candidate] = []
    for case in in_queue:
        candidate = _priority(case, theme, audited.get(case.child_id), now, params, scale)
        if candidate is not None:
            candidates.append(candidate)
    candidates.sort(key=lambda c: (-c.priority, c.case.child_id))
    remaining = [
        _Candidate(c.case, c.priority, c.weakness, c.why, raw_position=i + 1)
        for i, c in enumerate(candidates)
    ]
    wanted = len(remaining) if limit is None else min(limit, len(remaining))
    window: deque[_Candidate] = deque(maxlen=max(params.spread_window, 0))
    items: list[QueueItem] = []
    while len(items) < wanted:
        team_counts = Counter(c.case.team for c in window)
        worker_counts = Counter(c.case.worker_id for c in window)
        best_index, best_value = 0, -math.inf
        for index, candidate in enumerate(remaining):
            if candidate.priority <= best_value:
                break  # sorted by priority and a penalty only lowers: nothing later can win
            value = (
                candidate.priority
                - params.team_penalty * team_counts[candidate.case.team]
                - params.worker_penalty * worker_counts[candidate.case.worker_id]
            )
            if value > best_value:
                best_index, best_value = index, value
        chosen = remaining.pop(best_index)
        if window.maxlen:
            window.append(chosen)
        position = len(items) + 1
        why = list(chosen.why)
        if position > chosen.raw_position:
            why.append(
                f"placed {position - chosen.raw_position} lower than its priority alone "
                "so that one team's or worker's files do not fill the page"
            )
        why.insert(0, f"position {position}: priority {chosen.priority:.2f}")
        case_reasons = tuple(chosen.case.reasons)[: params.top_reasons]
        items.append(
            QueueItem(
                position=position,
                child_id=chosen.case.child_id,
                team=chosen.case.team,
                worker_id=chosen.case.worker_id,
                legal_status=chosen.case.legal_status,
                score=chosen.case.score,
                grade_band=chosen.case.grade_band,
                priority=round(chosen.priority, 6),
                reasons=(*case_reasons, *why),
                p_inadequate=case_model_estimate(chosen.case),
                ranked_on=scale.ranked_on,
            )
        )
    return tuple(items)


# --- the dip sample ------------------------------------------------------------------------


class SampleUnit(Protocol):
    @property
    def child_id(self) -> str: ...
    @property
    def team(self) -> str: ...
    @property
    def legal_status(self) -> str: ...


Stratum = tuple[str, str]  # (team, legal_status)


@dataclass(frozen=True, slots=True)
class StratumAllocation:
    team: str
    legal_status: str
    population: int
    quota: float
    allocated: int


@dataclass(frozen=True, slots=True)
class SampledFile:
    child_id: str
    team: str
    legal_status: str
    weight: float  # files in the stratum per sampled file (N_h / n_h)
    reason: str


@dataclass(frozen=True, slots=True)
class DipSample:
    seed: int
    size: int
    population: int
    files: tuple[SampledFile, ...]
    strata: tuple[StratumAllocation, ...]
    reasons: tuple[str, ...]


def allocate_proportional(counts: Mapping[Stratum, int], size: int) -> dict[Stratum, int]:
    """Split ``size`` across strata in proportion to their counts, by largest remainder
    (ties: the larger stratum, then the stratum's name)."""
    total = sum(counts.values())
    if size < 0:
        raise TriageError("a sample size must be 0 or more")
    if total == 0 or size == 0:
        return dict.fromkeys(counts, 0)
    size = min(size, total)
    quotas = {key: size * n / total for key, n in counts.items()}
    allocated = {key: min(math.floor(q), counts[key]) for key, q in quotas.items()}
    left = size - sum(allocated.values())
    order = sorted(
        counts, key=lambda key: (-(quotas[key] - math.floor(quotas[key])), -counts[key], key)
    )
    while left > 0:
        progressed = False
        for key in order:
            if left == 0:
                break
            if allocated[key] < counts[key]:
                allocated[key] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return allocated


def draw_dip_sample(
    cases: Iterable[SampleUnit],
    size: int,
    seed: int,
    teams: Collection[str] | None = None,
) -> DipSample:
    """A seeded random sample of ``size`` files stratified by team and legal status.

    The same cases, size, seed and teams always give the same sample; each stratum draws
    with its own generator seeded by (seed, team, legal status), so a new team elsewhere does
    not reshuffle the others."""
    if size < 1:
        raise TriageError("a dip sample needs a size of 1 or more")
    strata: dict[Stratum, list[str]] = {}
    for case in cases:
        if teams is not None and case.team not in teams:
            continue
        strata.setdefault((case.team, case.legal_status), []).append(case.child_id)
    counts = {key: len(ids) for key, ids in strata.items()}
    population = sum(counts.values())
    allocation = allocate_proportional(counts, size)
    files: list[SampledFile] = []
    summary: list[StratumAllocation] = []
    for key in sorted(strata):
        team, status = key
        take = allocation[key]
        quota = size * counts[key] / population if population else 0.0
        summary.append(StratumAllocation(team, status, counts[key], round(quota, 4), take))
        if take == 0:
            continue
        rng = random.Random(f"notereview-dip:{seed}:{team}:{status}")
        chosen = rng.sample(sorted(strata[key]), take)
        weight = counts[key] / take
        for child_id in sorted(chosen):
            files.append(
                SampledFile(
                    child_id=child_id,
                    team=team,
                    legal_status=status,
                    weight=weight,
                    reason=(
                        f"drawn at random (seed {seed}) from the {counts[key]} {status} files "
                        f"of team {team}: {take} of them, in proportion to the stratum's size"
                    ),
                )
            )
    reasons = [
        f"{len(files)} of {population} files, stratified by team and legal status, "
        "proportional allocation by largest remainder",
    ]
    if size > population:
        reasons.append(f"asked for {size} but only {population} files exist: all are taken")
    return DipSample(
        seed=seed,
        size=size,
        population=population,
        files=tuple(files),
        strata=tuple(summary),
        reasons=tuple(reasons),
    )


# --- estimates -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """A share with its 95% interval. ``share`` is None when there is nothing to go on."""

    share: float | None
    low: float | None
    high: float | None
    n: int
    method: str
    note: str = ""


def wilson_interval(share: float, n: float, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion ``share`` observed on ``n`` (may be an
    effective, non-integer sample size)."""
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def estimate_from_model(statuses: Iterable[str]) -> Estimate:
    """The share of files the model judges ``met``, among files where the criterion applies
    (a census of the model's view; the interval is the Wilson interval on that count)."""
    applicable = [s for s in statuses if s != "not_applicable"]
    n = len(applicable)
    if n == 0:
        return Estimate(None, None, None, 0, "model", "the criterion applies to no file")
    share = sum(1 for s in applicable if s == "met") / n
    low, high = wilson_interval(share, n)
    return Estimate(share, low, high, n, "model")


def estimate_from_sample(
    observations: Iterable[tuple[Stratum, bool]],
    population: Mapping[Stratum, int],
) -> Estimate:
    """The share of files meeting a criterion, from audited files of a stratified random sample.

    Each observation is (stratum, met). The estimate weights each stratum's share by its
    population size (strata with no audited file are left out and the others reweighted);
    its variance is the stratified one with the finite-population correction, and the 95%
    interval is Wilson's on the effective sample size p(1-p)/variance."""
    met: Counter[Stratum] = Counter()
    seen: Counter[Stratum] = Counter()
    for stratum, is_met in observations:
        seen[stratum] += 1
        met[stratum] += int(bool(is_met))
    n = sum(seen.values())
    if n == 0:
        return Estimate(None, None, None, 0, "dip_sample", "no audited random-sample file")
    covered = {h: max(population.get(h, 0), seen[h]) for h in seen}
    total_covered = sum(covered.values())
    total = sum(population.values()) or total_covered
    share = 0.0
    variance = 0.0
    for h, n_h in seen.items():
        weight = covered[h] / total_covered
        p_h = met[h] / n_h
        share += weight * p_h
        s2 = n_h / (n_h - 1) * p_h * (1 - p_h) if n_h > 1 else 0.25
        fpc = 1.0 - n_h / covered[h]
        variance += weight * weight * fpc * s2 / n_h
    informative = 0.0 < share < 1.0 and variance > 0
    n_eff = share * (1 - share) / variance if informative else float(n)
    low, high = wilson_interval(share, n_eff)
    note = ""
    if total_covered < total:
        note = f"strata holding {total - total_covered} of {total} files have no audited file"
    return Estimate(share, low, high, n, "dip_sample", note)


def audited_met(model_status: str | None, verdict: str | None) -> bool | None:
    """Whether an auditor judged a criterion met: the model's ``met`` kept when they agree,
    flipped when they disagree. None when the criterion does not apply or has no verdict.
    (A disagreement with ``partly_met`` counts as met: the auditor found it better.)"""
    if model_status is None or model_status == "not_applicable" or verdict not in VERDICTS:
        return None
    model_met = model_status == "met"
    return model_met if verdict == "agree" else not model_met


@dataclass(frozen=True, slots=True)
class AuditedFile:
    """An audited file as the estimates and agreement see it."""

    child_id: str
    team: str
    legal_status: str
    from_dip_sample: bool
    overall: str
    themes: Mapping[str, str]  # auditor grade per theme
    verdicts: Mapping[str, str]  # criterion -> agree / disagree
    model_statuses: Mapping[str, str]  # criterion -> the model's status in the audited run
    model_score: float | None = None
    model_themes: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CriterionEstimate:
    criterion: str
    from_sample: Estimate
    from_model: Estimate


def criterion_estimates(
    population: Mapping[Stratum, int],
    model_statuses: Mapping[str, Mapping[str, str]],
    audited: Iterable[AuditedFile],
    criteria: Sequence[str] = CRITERIA,
) -> tuple[CriterionEstimate, ...]:
    """For each criterion, the share of files meeting it (a) from audited random-sample files
    only (queue audits are biased toward weak files and are left out) and (b) from the model
    on every file of the current run."""
    sample_files = [a for a in audited if a.from_dip_sample]
    result = []
    for criterion in criteria:
        observations = []
        for audit in sample_files:
            judged = audited_met(audit.model_statuses.get(criterion), audit.verdicts.get(criterion))
            if judged is not None:
                observations.append(((audit.team, audit.legal_status), judged))
        statuses = [s[criterion] for s in model_statuses.values() if criterion in s]
        result.append(
            CriterionEstimate(
                criterion=criterion,
                from_sample=estimate_from_sample(observations, population),
                from_model=estimate_from_model(statuses),
            )
        )
    return tuple(result)


# --- agreement -----------------------------------------------------------------------------


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
    index = {grade: i for i, grade in enumerate(GRADES)}
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
