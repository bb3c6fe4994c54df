"""Scoring runs: what each nightly run read, scored and quarantined; a remote scorer posts here."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from notereview.store import get_run, list_runs, write_run
from notereview_api.deps import EngineDep
from notereview_api.routes._common import run_summary
from notereview_api.schemas import RunIn

router = APIRouter(tags=["runs"])


@router.get("/runs")
def runs(engine: EngineDep) -> dict[str, Any]:
    return {"runs": [run_summary(run) for run in list_runs(engine)]}


@router.get("/runs/{run_id}")
def run_detail(
    run_id: Annotated[int, Path(ge=1, le=2**31 - 1)], engine: EngineDep
) -> dict[str, Any]:
    detail = get_run(engine, run_id)
    return {
        **run_summary(detail.summary),
        "run_info": detail.info,
        "quarantine": [asdict(q) for q in detail.quarantine],
    }


@router.post(
    "/runs",
    status_code=201,
    responses={200: {"description": "The same run was stored already: nothing changed."}},
)
async def post_run(run: RunIn, engine: EngineDep, response: Response) -> dict[str, Any]:
    """Store a run (run.json + tables); the same run twice changes nothing (200)."""
    run_info, tables = run.as_store()
    result = await run_in_threadpool(write_run, engine, run_info, tables)
    if not result.created:
        response.status_code = 200
    return {"run_id": result.run_id, "created": result.created}
