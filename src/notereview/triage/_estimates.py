"""What the audits say about the whole service: the share of files meeting each criterion, from
the model or from the dip sample, with 95% Wilson intervals."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from notereview.triage._sampling import Stratum
from notereview.vocabulary import CRITERIA, VERDICTS

Z95 = 1.959963984540054


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
