"""The audit queue: weakness x legal-status risk, plus a bonus where the model is unsure, minus
files audited recently, re-ranked so no team or worker fills the page."""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from notereview.triage._errors import TriageError
from notereview.vocabulary import THEMES

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
    """A file's priority; its reasons, in words, are written only for the files chosen
    (:func:`_why`): a queue of 20 out of thousands would otherwise throw nearly all away."""

    case: ScoredCase
    priority: float
    weakness: float
    estimate: float | None
    #: the sums that made the priority, kept for the reasons: the legal status's weight, the
    #: bonus for unsure checks, and (days since, penalty) for a recent audit
    risk: float
    unsure_bonus: float | None
    recent_audit: tuple[float, float] | None


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
    if theme is not None:
        theme_score = case.themes.get(theme)
        if theme_score is None or (isinstance(theme_score, float) and math.isnan(theme_score)):
            return None
        weakness = 1.0 - float(theme_score)
    elif scale.ranked_on == "case_model" and estimate is not None:
        weakness = estimate
    else:
        weakness = 1.0 - case.score
    weakness = min(max(weakness, 0.0), 1.0)
    risk = params.risk_weights.get(case.legal_status, params.unknown_status_weight)
    priority = weakness * risk
    bonus = recent = None
    if case.confidence < params.unsure_below and params.unsure_below > 0:
        bonus = params.unsure_bonus * (params.unsure_below - case.confidence) / params.unsure_below
        priority += bonus
    if audited_at is not None and now is not None and params.recent_audit_days > 0:
        days = max((now - audited_at).total_seconds() / 86400.0, 0.0)
        if days < params.recent_audit_days:
            penalty = params.recent_audit_penalty * (1.0 - days / params.recent_audit_days)
            priority -= penalty
            recent = (days, penalty)
    return _Candidate(case, priority, weakness, estimate, risk, bonus, recent)


def _why(chosen: _Candidate, theme: str | None, scale: _Scale) -> list[str]:
    """The reasons, in words, for a chosen file's priority (the sums :func:`_priority` kept)."""
    case, estimate = chosen.case, chosen.estimate
    band = case.grade_band.replace("_", " ")
    notes: list[str] = []
    if theme is not None:
        theme_score = case.themes.get(theme)
        label = f"{theme.replace('_', ' ')} score {float(theme_score):.2f}"  # type: ignore[arg-type]
    elif scale.ranked_on == "case_model" and estimate is not None:
        label = (
            f"the case model puts the chance an auditor grades it inadequate at {estimate:.2f}; "
            f"rubric score {case.score:.2f} ({band})"
        )
    else:
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
    risk = chosen.risk
    why = [f"weak file: {label}; legal status {case.legal_status} weighs x{risk:.2f}", *notes]
    if chosen.unsure_bonus is not None:
        why.append(
            f"the rubric's checks are unsure (confidence {case.confidence:.2f}): "
            f"+{chosen.unsure_bonus:.2f}"
        )
    if chosen.recent_audit is not None:
        days, penalty = chosen.recent_audit
        why.append(f"audited {int(days)} days ago: -{penalty:.2f}")
    return why


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
    # (candidate, its place on priority alone)
    remaining = [(c, i + 1) for i, c in enumerate(candidates)]
    wanted = len(remaining) if limit is None else min(limit, len(remaining))
    window: deque[_Candidate] = deque(maxlen=max(params.spread_window, 0))
    items: list[QueueItem] = []
    while len(items) < wanted:
        team_counts = Counter(c.case.team for c in window)
        worker_counts = Counter(c.case.worker_id for c in window)
        best_index, best_value = 0, -math.inf
        for index, (candidate, _) in enumerate(remaining):
            if candidate.priority <= best_value:
                break  # sorted by priority and a penalty only lowers: nothing later can win
            value = (
                candidate.priority
                - params.team_penalty * team_counts[candidate.case.team]
                - params.worker_penalty * worker_counts[candidate.case.worker_id]
            )
            if value > best_value:
                best_index, best_value = index, value
        chosen, raw_position = remaining.pop(best_index)
        if window.maxlen:
            window.append(chosen)
        position = len(items) + 1
        why = _why(chosen, theme, scale)
        if position > raw_position:
            why.append(
                f"placed {position - raw_position} lower than its priority alone "
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
                p_inadequate=chosen.estimate,
                ranked_on=scale.ranked_on,
            )
        )
    return tuple(items)
