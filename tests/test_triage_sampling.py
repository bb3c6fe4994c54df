"""Dip samples and estimates: determinism, allocation, and unbiasedness with 95% coverage."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import pytest

from notereview.triage import (
    AuditedFile,
    TriageError,
    allocate_proportional,
    audited_met,
    criterion_estimates,
    draw_dip_sample,
    estimate_from_model,
    estimate_from_sample,
    wilson_interval,
)


@dataclass(frozen=True)
class Unit:
    child_id: str
    team: str
    legal_status: str


def population(seed: int = 1) -> tuple[list[Unit], dict[str, bool], dict[tuple[str, str], int]]:
    """A synthetic service whose true per-stratum compliance rates are known."""
    rng = random.Random(seed)
    units, met = [], {}
    sizes: dict[tuple[str, str], int] = {}
    for team in ("North", "South", "East"):
        for status in ("CP", "LAC", "PF", "CIN", "CL"):
            rate = rng.uniform(0.15, 0.9)
            n = rng.randint(15, 250)
            sizes[(team, status)] = n
            for _ in range(n):
                child = f"c{len(units):05d}"
                units.append(Unit(child, team, status))
                met[child] = rng.random() < rate
    return units, met, sizes


def test_largest_remainder_allocation() -> None:
    counts = {("A", "CP"): 50, ("A", "CIN"): 30, ("B", "CP"): 20}
    assert allocate_proportional(counts, 10) == {("A", "CP"): 5, ("A", "CIN"): 3, ("B", "CP"): 2}
    counts = {("A", "x"): 1, ("B", "x"): 1, ("C", "x"): 1}
    assert sum(allocate_proportional(counts, 2).values()) == 2
    assert allocate_proportional({("A", "x"): 3}, 10) == {("A", "x"): 3}
    with pytest.raises(TriageError):
        allocate_proportional(counts, -1)


def test_dip_sample_is_seeded_stratified_and_proportional() -> None:
    units, _, sizes = population()
    first = draw_dip_sample(units, size=60, seed=42)
    assert first == draw_dip_sample(list(reversed(units)), size=60, seed=42)
    assert first != draw_dip_sample(units, size=60, seed=43)
    assert len(first.files) == 60 and len({f.child_id for f in first.files}) == 60
    total = sum(sizes.values())
    per_stratum = Counter((f.team, f.legal_status) for f in first.files)
    for stratum in first.strata:
        quota = 60 * stratum.population / total
        assert abs(per_stratum[(stratum.team, stratum.legal_status)] - quota) < 1
    assert all(
        f.weight
        == pytest.approx(sizes[(f.team, f.legal_status)] / per_stratum[(f.team, f.legal_status)])
        for f in first.files
    )
    north = draw_dip_sample(units, size=20, seed=42, teams={"North"})
    assert {f.team for f in north.files} == {"North"} and len(north.files) == 20
    everything = draw_dip_sample(units, size=10_000, seed=1)
    assert len(everything.files) == len(units) and "only" in everything.reasons[-1]
    with pytest.raises(TriageError):
        draw_dip_sample(units, size=0, seed=1)


def test_stratified_estimates_are_unbiased_and_cover_95_percent() -> None:
    units, met, sizes = population(seed=3)
    truth = sum(met.values()) / len(met)
    draws, covered, total = 300, 0, 0.0
    for seed in range(draws):
        sample = draw_dip_sample(units, size=150, seed=seed)
        estimate = estimate_from_sample(
            (((f.team, f.legal_status), met[f.child_id]) for f in sample.files), sizes
        )
        assert estimate.share is not None and estimate.low is not None
        assert estimate.high is not None
        total += estimate.share
        covered += estimate.low <= truth <= estimate.high
    assert abs(total / draws - truth) < 0.01
    assert 0.91 <= covered / draws <= 0.99


def test_a_sample_of_weak_files_would_be_biased() -> None:
    """Why the queue's audits are left out: the weakest files understate compliance."""
    units, met, sizes = population(seed=3)
    truth = sum(met.values()) / len(met)
    weak_first = sorted(units, key=lambda u: (met[u.child_id], u.child_id))[:150]
    biased = estimate_from_sample(
        (((u.team, u.legal_status), met[u.child_id]) for u in weak_first), sizes
    )
    assert biased.share is not None and biased.share < truth - 0.2


def test_wilson_and_model_estimates() -> None:
    low, high = wilson_interval(0.5, 100)
    assert low == pytest.approx(0.4038, abs=1e-3) and high == pytest.approx(0.5962, abs=1e-3)
    assert wilson_interval(0.0, 10)[0] == 0.0
    model = estimate_from_model(["met", "met", "not_met", "partly_met", "not_applicable"])
    assert model.share == 0.5 and model.n == 4
    assert estimate_from_model(["not_applicable"]).share is None
    assert estimate_from_sample([], {("A", "CP"): 10}).share is None


def test_audited_met_and_criterion_estimates() -> None:
    assert audited_met("met", "agree") is True
    assert audited_met("met", "disagree") is False
    assert audited_met("not_met", "disagree") is True
    assert audited_met("not_applicable", "agree") is None
    assert audited_met("met", None) is None
    sampled = AuditedFile("a", "North", "CP", True, "good", {}, {"V1": "agree"}, {"V1": "met"})
    queued = AuditedFile(
        "b", "North", "CP", False, "inadequate", {}, {"V1": "agree"}, {"V1": "not_met"}
    )
    (estimate,) = criterion_estimates(
        {("North", "CP"): 2},
        {"a": {"V1": "met"}, "b": {"V1": "not_met"}},
        [sampled, queued],
        criteria=["V1"],
    )
    assert estimate.from_sample.share == 1.0 and estimate.from_sample.n == 1  # queue left out
    assert estimate.from_model.share == 0.5
