"""Scoring runs: what each nightly run read, scored and quarantined; a remote scorer posts here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from starlette.concurrency import run_in_threadpool

from notereview.store import get_run, list_runs, write_run
from notereview_api.deps import EngineDep
from notereview_api.responses import RunDetailOut, RunOut, Runs, RunStored
from notereview_api.schemas import RunIn

router = APIRouter(tags=["runs"])


@router.get("/runs", response_model=Runs)
def runs(engine: EngineDep) -> Runs:
    return Runs(runs=[RunOut.of_run(run) for run in list_runs(engine)])


@router.get("/runs/{run_id}", response_model=RunDetailOut)
def run_detail(run_id: Annotated[int, Path(ge=1, le=2**31 - 1)], engine: EngineDep) -> RunDetailOut:
    return RunDetailOut.of_detail(get_run(engine, run_id))


@router.post(
    "/runs",
    status_code=201,
    response_model=RunStored,
    responses={200: {"description": "The same run was stored already: nothing changed.",
                     "model": RunStored}},
)  # fmt: skip
async def post_run(run: RunIn, engine: EngineDep, response: Response) -> RunStored:
    """Store a run (run.json + tables); the same run twice changes nothing (200)."""
    run_info, tables = run.as_store()
    result = await run_in_threadpool(write_run, engine, run_info, tables)
    if not result.created:
        response.status_code = 200
    return RunStored(run_id=result.run_id, created=result.created)
