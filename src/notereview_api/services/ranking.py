"""The audit queue worked out from the files that can reach its first places.

:func:`notereview.triage.build_queue` weighs every file of the run (its priority and its
reasons, in words) on every call; for a queue of 20 out of 5,000 files almost all of that is
thrown away. :func:`ranked_queue` gives build_queue's own answer, from fewer files:

1. Each file's priority has an upper bound that needs no audit and no clock: its weakness
   times its legal status's weight, plus its bonus for an unsure score. The files sorted on
   that bound are kept per run and scope (``store._cache``: a run never changes); on each
   request the recently audited files' bounds are lowered by their penalty for the audit
   (the files auditors have just read sink, and the head follows them).
2. build_queue runs on the files with the highest bounds (the head). Its answer is the whole
   queue's when no file left out could have been chosen at any place: at each place (its
   spread penalties replayed from the answer), every file left out is worth less than the
   value at which the place was taken. Then none of them sorts before a chosen file either,
   so the positions build_queue reports ("placed N lower") are the same.
3. Otherwise the head grows fourfold, and at the end build_queue runs on every file. The
   next request for the same run, scope and length starts at the head that proved (or at
   every file): a head too small to prove costs a build and a proof for nothing.

A queue whose files mix case-model estimates and none is always built from every file (its
reasons count the files of the whole queue), as is one whose chosen priorities exceed their
bound (the triage's weighing changed: the bound no longer holds).
"""

from __future__ import annotations

import heapq
import math
from collections import ChainMap, Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from notereview.store import CaseScoreRow, RunSummary, kept
from notereview.triage import QueueItem, QueueParams, build_queue, case_model_estimate

#: The head's first size is this many times the queue's length (at least ``HEAD_MIN``).
HEAD_TIMES = 4
HEAD_MIN = 200
#: QueueItem.priority is rounded to 6 places.
_ROUNDING = 1e-6


def priority_bounds(
    cases: Sequence[CaseScoreRow], theme: str | None, params: QueueParams
) -> list[tuple[float, CaseScoreRow]] | None:
    """(upper bound of the priority, file) for every file that build_queue would weigh, the
    highest first (ties: child id); None for a whole-file queue that mixes files with and
    without a case-model estimate."""
    estimates = [case_model_estimate(c) for c in cases]
    without = sum(1 for e in estimates if e is None)
    if theme is None and 0 < without < len(cases):
        return None
    on_model = theme is None and params.use_case_model and without == 0
    bounds = []
    for case, estimate in zip(cases, estimates, strict=True):
        if theme is not None:
            value = case.themes.get(theme)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            weakness = 1.0 - float(value)
        elif on_model and estimate is not None:
            weakness = estimate
        else:
            weakness = 1.0 - case.score
        weakness = min(max(weakness, 0.0), 1.0)
        risk = params.risk_weights.get(case.legal_status, params.unknown_status_weight)
        bonus = 0.0
        if case.confidence < params.unsure_below and params.unsure_below > 0:
            bonus = params.unsure_bonus * (params.unsure_below - case.confidence)
            bonus /= params.unsure_below
        bounds.append((weakness * risk + max(bonus, 0.0), case))
    bounds.sort(key=lambda pair: (-pair[0], pair[1].child_id))
    return bounds


@dataclass(frozen=True, slots=True)
class _Bounds:
    """A run's files on their priority bounds (highest first), kept per run and scope, with
    the highest bound of each team and each worker below a head of each size asked for."""

    ranked: list[tuple[float, CaseScoreRow]]
    bound_of: Mapping[str, float]
    below: dict[int, tuple[dict[str, float], dict[str, float]]] = field(default_factory=dict)
    #: queue length -> the head size that last gave a proven answer (where to start next)
    proved: dict[int, int] = field(default_factory=dict)

    def below_head(self, size: int) -> tuple[dict[str, float], dict[str, float]]:
        found = self.below.get(size)
        if found is None:
            by_team: dict[str, float] = {}
            by_worker: dict[str, float] = {}
            for bound, case in self.ranked[size:]:
                by_team.setdefault(case.team, bound)
                by_worker.setdefault(case.worker_id, bound)
            found = self.below[size] = (by_team, by_worker)
        return found


def _proven(items: Sequence[QueueItem], bounds: _Bounds, size: int, params: QueueParams) -> bool:
    """Whether no file left out of the head of ``size`` files could have taken any of the
    places of ``items`` (build_queue's answer on the head), nor sorts before one of them:
    every chosen file's priority is above every bound left out, and at each place every file
    left out is worth at most its bound less the spread penalties of its team and its worker
    there, which is below the value at which the place was taken."""
    left_out = bounds.ranked[size:]
    if not left_out:
        return True
    by_team, by_worker = bounds.below_head(size)
    window: deque[QueueItem] = deque(maxlen=max(params.spread_window, 0))
    for item in items:
        if item.priority > bounds.bound_of[item.child_id] + _ROUNDING:
            return False  # the bound does not hold: the triage weighs files another way
        if item.priority <= left_out[0][0] + 2 * _ROUNDING:
            return False  # a file left out might sort before it: its position would differ
        teams = Counter(w.team for w in window)
        workers = Counter(w.worker_id for w in window)
        value = (
            item.priority
            - params.team_penalty * teams[item.team]
            - params.worker_penalty * workers[item.worker_id]
        )
        best_by_team = max(b - params.team_penalty * teams[t] for t, b in by_team.items())
        best_by_worker = max(
            [by_worker[w] - params.worker_penalty * n for w, n in workers.items() if w in by_worker]
            + [next((b for b, c in left_out if c.worker_id not in workers), -math.inf)]
        )
        if min(best_by_team, best_by_worker) >= value - 2 * _ROUNDING:
            return False
        if window.maxlen:
            window.append(item)
    return True


def _after_audits(
    bounds: _Bounds,
    last_audited: Mapping[str, datetime],
    now: datetime | None,
    params: QueueParams,
) -> _Bounds:
    """The bounds with each recently audited file's lowered by its penalty for the audit (the
    files auditors have just read sink, and the head must follow them down)."""
    if now is None or params.recent_audit_days <= 0 or not last_audited:
        return bounds
    lowered: dict[str, float] = {}
    for child_id, audited_at in last_audited.items():
        bound = bounds.bound_of.get(child_id)
        if bound is None:
            continue
        days = max((now - audited_at).total_seconds() / 86400.0, 0.0)
        if days < params.recent_audit_days:
            penalty = params.recent_audit_penalty * (1.0 - days / params.recent_audit_days)
            lowered[child_id] = bound - penalty + _ROUNDING  # never below the true priority
    if not lowered:
        return bounds
    order = lambda pair: (-pair[0], pair[1].child_id)  # noqa: E731
    audited = sorted(((lowered[c.child_id], c) for _, c in bounds.ranked if c.child_id in lowered),
                     key=order)  # fmt: skip
    others = (pair for pair in bounds.ranked if pair[1].child_id not in lowered)
    ranked = list(heapq.merge(others, audited, key=order))
    return _Bounds(ranked, ChainMap(lowered, dict(bounds.bound_of)))


def _bounds(
    cases: Sequence[CaseScoreRow], theme: str | None, params: QueueParams
) -> _Bounds | None:
    ranked = priority_bounds(cases, theme, params)
    if ranked is None:
        return None
    return _Bounds(ranked, {case.child_id: bound for bound, case in ranked})


def ranked_queue(
    engine: Engine,
    run: RunSummary,
    scope: tuple[str, ...] | None,
    cases: Sequence[CaseScoreRow],
    *,
    legal_status: str | None,
    theme: str | None,
    last_audited: Mapping[str, datetime],
    now: datetime | None,
    limit: int,
    params: QueueParams,
) -> tuple[QueueItem, ...]:
    """``build_queue(cases, legal_status=..., theme=..., last_audited=..., now=..., limit=...,
    params=...)``, the same answer, from the files that can reach its first ``limit`` places.
    ``cases`` are the run's files in ``scope`` (the cache key: the same scope, the same
    files)."""
    in_queue = [c for c in cases if legal_status is None or c.legal_status == legal_status]

    def build(files: Sequence[CaseScoreRow]) -> tuple[QueueItem, ...]:
        return build_queue(
            files, theme=theme, last_audited=last_audited, now=now, limit=limit, params=params
        )

    if limit < 1 or not in_queue:
        return build(in_queue)
    key = ("priority_bounds", run.run_id, run.run_key, scope, legal_status, theme, repr(params))
    kept_bounds = kept(engine, key, lambda: _bounds(in_queue, theme, params))
    if kept_bounds is None:
        return build(in_queue)
    bounds = _after_audits(kept_bounds, last_audited, now, params)
    # start at the head that proved last time (any head that proves gives the same answer):
    # once auditors have read the top, the small heads fail on every request
    first = max(HEAD_TIMES * limit, HEAD_MIN)
    size = max(first, kept_bounds.proved.get(limit, first))
    while size < len(bounds.ranked):
        items = build([case for _, case in bounds.ranked[:size]])
        if len(items) == limit and _proven(items, bounds, size, params):
            kept_bounds.proved[limit] = size
            return items
        size *= HEAD_TIMES
    kept_bounds.proved[limit] = size
    return build(in_queue)
