"""Errors as ``application/problem+json`` (RFC 9457) that never quote what the client sent."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from notereview.errors import ConfigError, ModelError, NotereviewError
from notereview.store import (
    ClaimConflictError,
    NotFoundError,
    RunConflictError,
    database_away,
)
from notereview.triage import CRITERIA, THEMES, TriageError
from notereview_api.schemas import RUN_BODY_NAMES

PROBLEM = "application/problem+json"
#: When the database cannot be reached: 503, and when to try again (seconds).
DATABASE_AWAY = "the database is not reachable; try again shortly"
RETRY_AFTER_S = "5"

# Names that may appear in the location of a validation error; anything else the client
# chose (a dict key, an extra field) is replaced by "?" so it is never echoed back.
_SAFE_LOCATION = frozenset(
    {
        "body",
        "query",
        "path",
        "header",
        "[key]",
        "overall",
        "themes",
        "findings",
        "comments",
        "sample_id",
        "kind",
        "text",
        "child_name",
        "age",
        "run_info",
        "tables",
        "team",
        "legal_status",
        "theme",
        "limit",
        "size",
        "seed",
        "k",
        "child_id",
        "run_id",
        *THEMES,
        *CRITERIA,
        *RUN_BODY_NAMES,
    }
)


def problem(
    status: int, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A problem+json response with the status's standard title."""
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase}
    body["status"] = status
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _safe_errors(errors: Any) -> list[dict[str, Any]]:
    safe = []
    for error in errors:
        location = [
            part if isinstance(part, int) or part in _SAFE_LOCATION else "?"
            for part in error.get("loc", ())
        ]
        safe.append(
            {
                "loc": location,
                "type": str(error.get("type", "invalid")),
                "msg": str(error.get("msg", "invalid value"))[:200],
            }
        )
    return safe


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_problem(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        if detail == HTTPStatus(exc.status_code).phrase:
            detail = None
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_problem(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(
            422, "the request does not validate; see errors", errors=_safe_errors(exc.errors())
        )

    @app.exception_handler(NotFoundError)
    async def not_found(_request: Request, exc: NotFoundError) -> JSONResponse:
        return problem(404, str(exc))

    @app.exception_handler(ClaimConflictError)
    async def conflict(_request: Request, exc: ClaimConflictError) -> JSONResponse:
        return problem(409, str(exc), claimed_by=exc.holder)

    @app.exception_handler(RunConflictError)
    async def run_conflict(_request: Request, exc: RunConflictError) -> JSONResponse:
        return problem(409, str(exc))

    @app.exception_handler(TriageError)
    async def triage_problem(_request: Request, exc: TriageError) -> JSONResponse:
        return problem(422, str(exc))

    @app.exception_handler(DBAPIError)
    async def database_problem(_request: Request, exc: DBAPIError) -> JSONResponse:
        # the message may quote SQL and values: never shown, whatever the cause
        if database_away(exc):
            return problem(503, DATABASE_AWAY, headers={"Retry-After": RETRY_AFTER_S})
        return problem(500, "internal error")

    @app.exception_handler(ConfigError)
    @app.exception_handler(ModelError)
    async def misconfigured(_request: Request, exc: NotereviewError) -> JSONResponse:
        # a data file or model of the service is broken: not the client's fault
        return problem(503, str(exc))

    @app.exception_handler(DataError)
    async def data_problem(_request: Request, _exc: DataError) -> JSONResponse:
        # a value the database cannot hold (a NUL character in a path, a number out of range):
        # the request's fault, and never a 500
        return problem(422, "a value in the request cannot be looked up or stored")

    @app.exception_handler(NotereviewError)
    async def notereview_problem(_request: Request, exc: NotereviewError) -> JSONResponse:
        return problem(422, str(exc))
