"""The dip sample, estimates of compliance and agreement between model and auditors."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from notereview.triage import CASE_MODEL_RANKING
from notereview_api import services
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep, record_access
from notereview_api.responses import (
    AgreementCellOut,
    AgreementOut,
    CorrectionsAgreement,
    CriterionEstimate,
    DipSampleOut,
    EstimateOut,
    Estimates,
    Kappa,
    PrecisionOut,
)

router = APIRouter(tags=["sampling"])


@router.get("/dip-sample", response_model=DipSampleOut)
def dip_sample(
    request: Request,
    engine: EngineDep,
    user: UserDep,
    now: NowDep,
    size: Annotated[int, Query(ge=1, le=2000)],
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)],
    team: Annotated[str | None, Query(max_length=128)] = None,
) -> DipSampleOut:
    """A seeded random sample stratified by team and legal status (latest run). The draw is
    kept, so audits of its files count toward the estimates."""
    run = services.require_latest_run(engine)
    drawn = services.draw_sample(engine, user, run, now, size=size, seed=seed, team=team)
    if drawn is None:
        record_access(request, user, "out_of_scope", 404)
        raise HTTPException(status_code=404, detail="no files of that team in your scope")
    return DipSampleOut.of_sample(drawn.sample_id, run, drawn.sample, size, seed, drawn.claims)


@router.get("/estimates", response_model=Estimates)
def estimates(engine: EngineDep) -> Estimates:
    """For each criterion, the share of files meeting it: from audited random-sample files
    (stratum-weighted, 95% Wilson interval) and from the model on every file."""
    run = services.require_latest_run(engine)
    found = services.criterion_estimates_of(engine, run)
    return Estimates(
        run_id=run.run_id,
        as_of=run.as_of.isoformat(),
        files=found.files,
        audited_sample_files=found.audited_sample_files,
        criteria=[
            CriterionEstimate(
                criterion=r.criterion,
                from_sample=EstimateOut.of(r.from_sample),
                from_model=EstimateOut.of(r.from_model),
            )
            for r in found.criteria
        ],
    )


def _agreement_cell(cell: Any) -> AgreementCellOut:
    period = {"month": cell.period} if cell.period else {"model_version": cell.model_version}
    return AgreementCellOut(
        family=cell.family,
        **period,
        corrections=cell.corrections,
        agreed=cell.agreed,
        agreement=round(cell.agreement, 4),
    )


@router.get("/agreement", response_model=AgreementOut, response_model_exclude_unset=True)
def agreement_report(
    engine: EngineDep,
    settings: SettingsDep,
    k: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> AgreementOut:
    """Quadratic-weighted kappa per theme (model band vs auditor grade) and precision of the
    top k of the queue against the auditors' inadequate grades: ``overall`` and each theme
    ranked on the rubric's scores; where every file of the run has a case-model estimate,
    ``overall_case_model`` too, the queue ranked on it. The case model learns from these
    audits, so its precision is partly measured on files it was trained on (``in_sample``)."""
    run = services.require_latest_run(engine)
    report = services.agreement_report(engine, settings, run, k)
    return AgreementOut(
        run_id=run.run_id,
        audited_files=report.audited,
        k=report.k,
        corrections=CorrectionsAgreement(
            by_month=[_agreement_cell(c) for c in report.over_time.by_month],
            by_model_version=[_agreement_cell(c) for c in report.over_time.by_model_version],
        ),
        kappa=[Kappa(**asdict(x)) for x in report.result.kappa],
        precision_at_k=[
            PrecisionOut(**asdict(x), in_sample=x.theme == CASE_MODEL_RANKING)
            for x in report.result.precision
        ],
    )
