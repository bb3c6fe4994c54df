"""The app factory: settings, engine, middleware, routers. Nothing is built at import time."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from notereview.store import connect, upgrade
from notereview_api.contract import openapi_document
from notereview_api.middleware import (
    AuthMiddleware,
    BodyLimitMiddleware,
    RateLimiter,
    RequestLogMiddleware,
)
from notereview_api.pages import build_environment, compile_templates, install_page_errors
from notereview_api.pages import router as pages_router
from notereview_api.problems import install_problem_handlers
from notereview_api.routes import admin, cases, exemplars, health, queue, runs, sampling
from notereview_api.services import warm
from notereview_api.settings import Settings
from notereview_api.throttle import SignInThrottle

DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src data: https://fastapi.tiangolo.com; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _mount(app: FastAPI, router: APIRouter) -> None:
    """Add a resource's routes to the app as plain routes (so ``app.routes`` lists every
    path template, which the access-rule table and its test rely on)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only API routes may be mounted, not {type(route).__name__}")
        app.add_api_route(
            route.path,
            route.endpoint,
            methods=sorted(route.methods),
            status_code=route.status_code,
            tags=list(route.tags),
            summary=route.summary,
            description=route.description,
            name=route.name,
            include_in_schema=route.include_in_schema,
            dependencies=list(route.dependencies),
            response_model=route.response_model,
            responses=dict(route.responses),
            response_description=route.response_description,
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API. ``settings`` default to :meth:`Settings.from_env`. The engine is opened
    here (and the schema migrated when ``migrate_on_start``); ``app.state.clock`` may be
    replaced (tests) to move time."""
    settings = settings or Settings.from_env()
    settings.validate()
    engine = connect(settings.database_url)
    if settings.migrate_on_start:
        upgrade(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_on_start:
            await run_in_threadpool(warm, app.state, engine, settings)
            await run_in_threadpool(compile_templates, app.state.page_environment)
        yield
        engine.dispose()

    app = FastAPI(
        title="notereview",
        summary="Case-note quality review: the audit queue, case view, audits and estimates.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = _utc_now
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, engine)
    app.state.sign_in_throttle = SignInThrottle(settings)

    for module in (health, queue, cases, sampling, exemplars, runs, admin):
        _mount(app, module.router)
    # the web pages (notereview_api.pages): same authentication and roles, plus signed-in sessions
    app.state.page_environment = build_environment()
    _mount(app, pages_router)

    if settings.api_docs:  # off: /openapi.json and /docs are not routes at all (404)

        @app.get("/openapi.json", include_in_schema=False)
        def openapi_schema() -> JSONResponse:
            return JSONResponse(app.openapi())

        @app.get("/docs", include_in_schema=False)
        def docs() -> HTMLResponse:
            spec = json.dumps(app.openapi()).replace("</", "<\\/")
            page = f"""<!doctype html>
<html><head><title>notereview API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head><body><div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{spec: {spec}, dom_id: "#swagger-ui"}});</script>
</body></html>"""
            return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_CSP})

    install_problem_handlers(app)
    install_page_errors(app)  # a browser on a web page gets an error page, not JSON
    # added innermost first: the request log wraps everything
    app.add_middleware(AuthMiddleware, router_app=app)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(RequestLogMiddleware)
    return app


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path template) the app serves (HEAD folded into GET)."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        methods: Any = getattr(route, "methods", None) or {"GET"}
        for method in methods:
            if method != "HEAD":
                found.add((method, route.path))  # type: ignore[attr-defined]
    return sorted(found)
