"""The dip sample, estimates of compliance and agreement between model and auditors."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, replace
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from notereview.store import (
    AuditRecord,
    active_claims,
    agreement_over_time,
    case_scores,
    criterion_statuses,
    latest_audits,
    record_dip_sample,
)
from notereview.triage import (
    CASE_MODEL_RANKING,
    THEMES,
    AuditedFile,
    Estimate,
    agreement,
    build_queue,
    criterion_estimates,
    draw_dip_sample,
)
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep, record_access
from notereview_api.routes._common import iso, queue_params, require_latest_run, scope_teams

router = APIRouter(tags=["sampling"])


@router.get("/dip-sample")
def dip_sample(
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
    size: Annotated[int, Query(ge=1, le=2000)],
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)],
    team: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    """A seeded random sample stratified by team and legal status (latest run). The draw is
    kept, so audits of its files count toward the estimates."""
    run = require_latest_run(engine)
    teams = scope_teams(user, team)
    if teams == set():
        record_access(request, user, "out_of_scope", 404)
        raise HTTPException(status_code=404, detail="no files of that team in your scope")
    cases = case_scores(engine, run.run_id, teams=teams)
    sample = draw_dip_sample(cases, size=size, seed=seed, teams=teams)
    sample_id = record_dip_sample(
        engine,
        run.run_id,
        size,
        seed,
        sorted(teams) if teams else [],
        user.user_id,
        [(f.child_id, f.team, f.legal_status) for f in sample.files],
        now=now,
    )
    claims = active_claims(engine, now=now, child_ids=[f.child_id for f in sample.files])
    return {
        "sample_id": sample_id,
        "run_id": run.run_id,
        "as_of": iso(run.as_of),
        "seed": seed,
        "size": size,
        "population": sample.population,
        "items": [
            {
                **asdict(f),
                "claimed_by": claims[f.child_id].user_name if f.child_id in claims else None,
            }
            for f in sample.files
        ],
        "strata": [asdict(s) for s in sample.strata],
        "reasons": list(sample.reasons),
    }


def _estimate(estimate: Estimate) -> dict[str, Any]:
    return asdict(estimate)


def _audited_files(engine: Any, audits: list[AuditRecord]) -> list[AuditedFile]:
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


@router.get("/estimates")
def estimates(engine: EngineDep) -> dict[str, Any]:
    """For each criterion, the share of files meeting it: from audited random-sample files
    (stratum-weighted, 95% Wilson interval) and from the model on every file."""
    run = require_latest_run(engine)
    cases = case_scores(engine, run.run_id)
    population = Counter((c.team, c.legal_status) for c in cases)
    audited = _audited_files(engine, latest_audits(engine, dip_sample_only=True))
    result = criterion_estimates(population, criterion_statuses(engine, run.run_id), audited)
    return {
        "run_id": run.run_id,
        "as_of": iso(run.as_of),
        "files": len(cases),
        "audited_sample_files": len(audited),
        "criteria": [
            {
                "criterion": r.criterion,
                "from_sample": _estimate(r.from_sample),
                "from_model": _estimate(r.from_model),
            }
            for r in result
        ],
    }


def _agreement_cell(cell: Any) -> dict[str, Any]:
    return {
        "family": cell.family,
        **({"month": cell.period} if cell.period else {"model_version": cell.model_version}),
        "corrections": cell.corrections,
        "agreed": cell.agreed,
        "agreement": round(cell.agreement, 4),
    }


@router.get("/agreement")
def agreement_report(
    engine: EngineDep,
    settings: SettingsDep,
    k: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> dict[str, Any]:
    """Quadratic-weighted kappa per theme (model band vs auditor grade) and precision of the
    top k of the queue against the auditors' inadequate grades: ``overall`` and each theme
    ranked on the rubric's scores; where every file of the run has a case-model estimate,
    ``overall_case_model`` too, the queue ranked on it. The case model learns from these
    audits, so its precision is partly measured on files it was trained on (``in_sample``)."""
    run = require_latest_run(engine)
    top = k or settings.agreement_k
    cases = case_scores(engine, run.run_id)
    by_rubric = replace(queue_params(settings), use_case_model=False)
    rankings = {
        "overall": [item.child_id for item in build_queue(cases, limit=top, params=by_rubric)]
    }
    for theme in THEMES:
        themed = build_queue(cases, theme=theme, limit=top, params=by_rubric)
        rankings[theme] = [item.child_id for item in themed]
    by_model = build_queue(cases, limit=top, params=replace(by_rubric, use_case_model=True))
    if by_model and by_model[0].ranked_on == "case_model":
        rankings[CASE_MODEL_RANKING] = [item.child_id for item in by_model]
    audited = _audited_files(engine, latest_audits(engine))
    result = agreement(audited, rankings, k=top)
    over_time = agreement_over_time(engine)
    return {
        "run_id": run.run_id,
        "audited_files": len(audited),
        "k": top,
        "corrections": {
            "by_month": [_agreement_cell(c) for c in over_time.by_month],
            "by_model_version": [_agreement_cell(c) for c in over_time.by_model_version],
        },
        "kappa": [asdict(x) for x in result.kappa],
        "precision_at_k": [
            {**asdict(x), "in_sample": x.theme == CASE_MODEL_RANKING} for x in result.precision
        ],
    }
