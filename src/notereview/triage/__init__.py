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

from notereview.triage._agreement import (
    Agreement,
    KappaResult,
    PrecisionAtK,
    agreement,
    band_grade,
    precision_at_k,
    quadratic_weighted_kappa,
    weighted_kappa,
)
from notereview.triage._errors import TriageError
from notereview.triage._estimates import (
    Z95,
    AuditedFile,
    CriterionEstimate,
    Estimate,
    audited_met,
    criterion_estimates,
    estimate_from_model,
    estimate_from_sample,
    wilson_interval,
)
from notereview.triage._queue import (
    CASE_MODEL_RANKING,
    DEFAULT_RISK_WEIGHTS,
    RANKED_ON,
    QueueItem,
    QueueParams,
    ScoredCase,
    build_queue,
    case_model_estimate,
)
from notereview.triage._sampling import (
    DipSample,
    SampledFile,
    SampleUnit,
    Stratum,
    StratumAllocation,
    allocate_proportional,
    draw_dip_sample,
)
from notereview.vocabulary import CRITERIA, GRADES, THEMES, VERDICTS

__all__ = [
    "CASE_MODEL_RANKING",
    "CRITERIA",
    "DEFAULT_RISK_WEIGHTS",
    "GRADES",
    "RANKED_ON",
    "THEMES",
    "VERDICTS",
    "Z95",
    "Agreement",
    "AuditedFile",
    "CriterionEstimate",
    "DipSample",
    "Estimate",
    "KappaResult",
    "PrecisionAtK",
    "QueueItem",
    "QueueParams",
    "SampleUnit",
    "SampledFile",
    "ScoredCase",
    "Stratum",
    "StratumAllocation",
    "TriageError",
    "agreement",
    "allocate_proportional",
    "audited_met",
    "band_grade",
    "build_queue",
    "case_model_estimate",
    "criterion_estimates",
    "draw_dip_sample",
    "estimate_from_model",
    "estimate_from_sample",
    "precision_at_k",
    "quadratic_weighted_kappa",
    "weighted_kappa",
    "wilson_interval",
]
