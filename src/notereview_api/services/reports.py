"""Estimates of compliance and agreement between the reviewer and the auditors."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine

from notereview.store import (
    AuditRecord,
    RunSummary,
    agreement_over_time,
    audits_mark,
    case_scores,
    criterion_statuses,
    kept,
    latest_audits,
)
from notereview.triage import (
    CASE_MODEL_RANKING,
    THEMES,
    Agreement,
    AuditedFile,
    CriterionEstimate,
    QueueItem,
    QueueParams,
    agreement,
    criterion_estimates,
)
from notereview_api.services.ranking import ranked_queue
from notereview_api.services.scope import queue_params
from notereview_api.settings import Settings


def audited_files(engine: Engine, audits: list[AuditRecord]) -> list[AuditedFile]:
    """Each audit beside what the run it was made against said of the file."""
    by_run: dict[int, list[str]] = {}
    for audit in audits:
        by_run.setdefault(audit.run_id, []).append(audit.child_id)
    statuses = {run_id: criterion_statuses(engine, run_id, ids) for run_id, ids in by_run.items()}
    # each run's scores once (kept per process), not one query per audited file
    scores = {run_id: {c.child_id: c for c in case_scores(engine, run_id)} for run_id in by_run}
    files = []
    for audit in audits:
        case = scores[audit.run_id].get(audit.child_id)
        files.append(
            AuditedFile(
                child_id=audit.child_id,
                team=audit.team,
                legal_status=audit.legal_status,
                from_dip_sample=audit.from_dip_sample,
                overall=audit.overall,
                themes=audit.themes,
                verdicts=audit.findings,
                model_statuses=statuses[audit.run_id].get(audit.child_id, {}),
                model_score=case.score if case else None,
                model_themes=case.themes if case else {},
            )
        )
    return files


@dataclass(frozen=True, slots=True)
class CriterionEstimates:
    files: int
    audited_sample_files: int
    criteria: list[CriterionEstimate]


def criterion_estimates_of(engine: Engine, run: RunSummary) -> CriterionEstimates:
    """For each criterion, the share of files meeting it: from audited random-sample files
    (stratum-weighted, 95% Wilson interval) and from the model on every file. Worked out
    again only when the run or the random-sample audits (:func:`audits_mark`) have changed: a
    run never changes, and audits are only added or removed."""
    key = (run.run_id, run.run_key, audits_mark(engine, None, dip_sample_only=True))
    # one entry: a new audit makes the last one stale
    found = kept(engine, key, lambda: _criterion_estimates(engine, run), pool="estimates", size=1)
    return replace(found, criteria=list(found.criteria))


def _criterion_estimates(engine: Engine, run: RunSummary) -> CriterionEstimates:
    cases = case_scores(engine, run.run_id)
    population = Counter((c.team, c.legal_status) for c in cases)
    audited = audited_files(engine, latest_audits(engine, dip_sample_only=True))
    result = criterion_estimates(population, criterion_statuses(engine, run.run_id), audited)
    return CriterionEstimates(len(cases), len(audited), list(result))


@dataclass(frozen=True, slots=True)
class AgreementReport:
    k: int
    audited: int
    result: Agreement
    #: the store's agreement with the corrections (``by_month``, ``by_model_version``)
    over_time: Any


def agreement_report(
    engine: Engine, settings: Settings, run: RunSummary, k: int | None = None
) -> AgreementReport:
    """Quadratic-weighted kappa per theme and precision of the top k of the queue against the
    auditors' inadequate grades: ``overall`` and each theme ranked on the rubric's scores, and
    ``overall_case_model`` where every file of the run has a case-model estimate; with the
    agreement of the run's verdicts with the auditors' corrections over time."""
    top = k or settings.agreement_k
    cases = case_scores(engine, run.run_id)
    by_rubric = replace(queue_params(settings), use_case_model=False)

    def ranking(theme: str | None, params: QueueParams) -> tuple[QueueItem, ...]:
        return ranked_queue(
            engine, run, None, cases, legal_status=None, theme=theme, last_audited={},
            now=None, limit=top, params=params,
        )  # fmt: skip

    rankings = {"overall": [item.child_id for item in ranking(None, by_rubric)]}
    for theme in THEMES:
        rankings[theme] = [item.child_id for item in ranking(theme, by_rubric)]
    by_model = ranking(None, replace(by_rubric, use_case_model=True))
    if by_model and by_model[0].ranked_on == "case_model":
        rankings[CASE_MODEL_RANKING] = [item.child_id for item in by_model]
    audited = audited_files(engine, latest_audits(engine))
    return AgreementReport(
        k=top,
        audited=len(audited),
        result=agreement(audited, rankings, k=top),
        over_time=agreement_over_time(engine),
    )
