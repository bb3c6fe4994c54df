"""Helpers for the pages: the template environment, rendering with the pages' headers, the
session cookie, CSRF checks and the lazily built reviewer and policy."""

from __future__ import annotations

import hmac
import secrets
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notereview_api.middleware import PAGE_CSP, SESSION_COOKIE
from notereview_api.pages.standards import (
    BAND_WORDS,
    LEGAL_STATUS_WORDS,
    RECORD_KINDS,
    STATUS_WORDS,
)
from notereview_api.services.reviewer import app_policy, app_reviewer, app_rubric
from notereview_api.settings import Settings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SIGN_IN_COOKIE = "nr_sign_in"  # the sign-in form's CSRF value (before there is a session)
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"}


def _pct(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}%"


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    return value.strftime("%d %b %Y").lstrip("0")


def _words(value: str | None) -> str:
    return "" if value is None else str(value).replace("_", " ")


def build_environment() -> Environment:
    """The Jinja2 environment of the pages (autoescaping on, undefined names are errors)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "svg"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = _pct
    env.filters["day"] = _day
    env.filters["words"] = _words
    env.globals.update(
        STATUS_WORDS=STATUS_WORDS,
        BAND_WORDS=BAND_WORDS,
        RECORD_KINDS=RECORD_KINDS,
        LEGAL_STATUS_WORDS=LEGAL_STATUS_WORDS,
    )
    return env


def compile_templates(env: Environment) -> None:
    """Compile every template now (Jinja compiles one on its first use: 30-40 ms a page)."""
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an htmx fragment) with the pages' CSP and no caching."""
    env: Environment = request.app.state.page_environment
    web = getattr(request.state, "web_session", None)
    html = env.get_template(template).render(
        user=getattr(request.state, "principal", None),
        csrf_token=web.csrf_token if web is not None else "",
        signed_in=web is not None,
        current_path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=PAGE_HEADERS)


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in (anything else goes to the start page)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def secure_request(request: Request, settings: Settings) -> bool:
    return settings.secure_cookies or request.url.scheme == "https"


def set_session_cookie(
    response: Response, request: Request, settings: Settings, session_id: str
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(settings.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure_request(request, settings),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


def same_origin(request: Request) -> bool:
    """False when the browser says the request came from another site or origin
    (Sec-Fetch-Site, else Origin; with Referrer-Policy no-referrer a form post's Origin is
    "null", which says nothing either way)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", "") and parts.scheme in {"http", "https"}


async def verify_csrf(request: Request) -> None:
    """Every form posted with a session cookie carries the session's CSRF token (a hidden
    field, or the X-CSRF-Token header) and comes from this origin. Requests authenticated by
    a bearer token carry no ambient credential and need neither."""
    web = getattr(request.state, "web_session", None)
    if web is None:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, web.csrf_token) or not same_origin(request):
        raise HTTPException(
            status_code=403, detail="the form has expired or came from elsewhere; reload the page"
        )


def page_reviewer(request: Request) -> Any:
    """The app's Reviewer (the annotation pipeline loads once)."""
    return app_reviewer(request.app.state)


def page_policy(request: Request) -> tuple[Any, Any]:
    """(policy, working calendar): the England defaults, for the visit timeline."""
    return app_policy(request.app.state)


def page_rubric(request: Request) -> Any:
    return app_rubric(request.app.state)


def theme_titles(request: Request) -> dict[str, str]:
    """Each theme's title in the rubric, in the rubric's theme order."""
    from notereview.triage import THEMES

    rubric = page_rubric(request)
    return {t: rubric.spec.themes[t].title for t in THEMES if t in rubric.spec.themes}


def criterion_title(request: Request, criterion: str) -> str:
    """A criterion's title in the rubric (its id when the rubric has none)."""
    try:
        return str(page_rubric(request).title(criterion))
    except KeyError:
        return criterion


def install_page_errors(app: Any) -> None:
    """Errors on a web page asked for by a browser (Accept: text/html) are shown as a page;
    everything else keeps the API's problem+json (call after the API's handlers)."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from notereview_api.access import is_page

    for kind in (StarletteHTTPException, RequestValidationError):
        api_handler = app.exception_handlers[kind]

        async def handler(request: Request, exc: Exception, _api: Any = api_handler) -> Response:
            route = getattr(request.scope.get("route"), "path", None)
            if is_page(route) and "text/html" in request.headers.get("accept", ""):
                status = getattr(exc, "status_code", 422)
                detail = getattr(exc, "detail", None)
                message = detail if isinstance(detail, str) else "Check what you entered."
                return render(
                    request, "error.html", status=status, status_code=status, message=message
                )
            return await _api(request, exc)

        app.add_exception_handler(kind, handler)


def page_router() -> APIRouter:
    """A router for web pages: kept out of the OpenAPI document, which describes the JSON API."""
    return APIRouter(tags=["pages"], include_in_schema=False)


#: The dependency that refuses a form post without the session's CSRF token.
CSRF = Depends(verify_csrf)
