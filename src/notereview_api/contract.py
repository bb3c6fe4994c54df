"""The OpenAPI document as the service behaves: every operation lists the errors it can answer
(``application/problem+json``, RFC 9457), the bearer scheme it needs, and nothing it cannot.

FastAPI documents the 2xx answers and its own 422 (as ``application/json``, which the service
never sends: its 422 is problem+json too). :func:`openapi_document` adds, per operation, what
the middleware and the handlers answer: 401 and 403 (the access-rule table), 404 (no run
stored yet, no such file or run, or a file outside the user's teams), 409 (a claimed file),
413 (a body over the limit), 422 (a request that does not validate), 429 (the rate limit and
the sign-in lockout, with ``Retry-After``) and 503 (the store or a data file of the service is
unavailable).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from notereview_api.access import allowed_roles, is_public
from notereview_api.problems import PROBLEM

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error (RFC 9457); it never quotes what the client sent.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "type": {"type": "string"},
                    "msg": {"type": "string"},
                },
            },
        },
        "claimed_by": {"type": ["string", "null"]},
    },
    "required": ["type", "title", "status"],
}

_WHY: dict[int, str] = {
    401: "No valid bearer token (missing, unknown, expired or revoked).",
    403: "The caller's role may not do this.",
    404: "No scoring run stored yet, or no such file or run (or one outside the caller's teams).",
    400: "The body is not JSON.",
    409: "Another auditor holds the claim on this file, or a posted run repeats a key.",
    413: "The request body is over the service's limit.",
    422: "The request does not validate (the errors name where, never what was sent).",
    429: "Too many requests, or too many failed sign-ins from this address: wait Retry-After.",
    503: "The store or a data file of the service is unavailable; try again later.",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}
_CONFLICTS = frozenset(
    {("POST", "/queue/{child_id}/claim"), ("POST", "/cases/{child_id}/audits"), ("POST", "/runs")}
)


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses ``method path`` can answer."""
    if is_public(method, path):
        return [503] if path != "/health" else []
    statuses = [401, 403, 404, 422, 429, 503]
    if "requestBody" in operation:
        statuses += [400, 413]
    if (method, path) in _CONFLICTS:
        statuses.append(409)
    roles = allowed_roles(method, path)
    if roles is None:
        statuses = [401, 403]
    return sorted(statuses)


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _WHY[status],
        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 429:
        response["headers"] = _RETRY_AFTER
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}
        }
    return response


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The service's OpenAPI document (built once, then cached on the app)."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `notereview users add` or `users token`.",
        }
    }
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            verb = method.upper()
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's, as application/json: replaced below
            for status in error_statuses(verb, path, operation):
                responses[str(status)] = _problem_response(status)
            if not is_public(verb, path):
                operation["security"] = [{"bearer": []}]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    exemplar = schemas.get("ExemplarIn", {}).get("properties", {}).get("text")
    if exemplar is not None:  # the service's own limit (NOTEREVIEW_EXEMPLAR_MAX_CHARS)
        exemplar["maxLength"] = app.state.settings.exemplar_max_chars
    app.openapi_schema = doc
    return doc
