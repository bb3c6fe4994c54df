"""The dip sample: a seeded random sample stratified by team and legal status (proportional
allocation, largest remainder)."""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from notereview.triage._errors import TriageError


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
