"""Signing in and out, the start page and the pages' static files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from notereview.store import (
    AccessEvent,
    Principal,
    authenticate,
    end_session,
    log_access,
    open_session,
)
from notereview_api.deps import EngineDep, NowDep, SettingsDep, UserDep
from notereview_api.middleware import SESSION_COOKIE, client_ip, request_cookie
from notereview_api.pages import _web

router = _web.page_router()
CsrfDep = _web.CSRF
STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_FILES: dict[str, str] = {
    "app.css": "text/css; charset=utf-8",
    "htmx.min.js": "text/javascript; charset=utf-8",
    "corrections.js": "text/javascript; charset=utf-8",
    "htmx-LICENSE.txt": "text/plain; charset=utf-8",
}
ROLE_HOME = {"auditor": "/app/queue", "practice_lead": "/app/trends", "admin": "/"}


# --- static files, sign in, sign out, start page -------------------------------------------


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """The pages' own CSS and script and the vendored htmx (nothing else is served here)."""
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404, detail="no such file")
    body = (STATIC / name).read_bytes()
    return Response(
        body,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )


def _sign_in_page(
    request: Request, next_path: str, error: str | None, status: int = 200
) -> HTMLResponse:
    value = _web.new_sign_in_token()
    response = _web.render(
        request, "sign_in.html", status=status, next_path=next_path, error=error, form_token=value
    )
    response.set_cookie(
        _web.SIGN_IN_COOKIE,
        value,
        max_age=1800,
        path="/sign-in",
        httponly=True,
        samesite="strict",
        secure=_web.secure_request(request, request.app.state.settings),
    )
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    return _sign_in_page(request, _web.safe_next(next), None)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=256)] = "",
    form_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Exchange an access token for a session cookie (the token is not kept in the browser)."""
    target = _web.safe_next(next)
    expected = request_cookie(request.scope, _web.SIGN_IN_COOKIE)
    if not expected or not form_token or form_token != expected:
        return _sign_in_page(request, target, "The sign-in form expired. Please try again.")
    ip = client_ip(request.scope, settings)
    allowed, _ = await run_in_threadpool(request.app.state.rate_limiter.allow, f"sign-in:{ip}")
    if not allowed:
        return _sign_in_page(request, target, "Too many attempts. Wait a minute.", status=429)
    throttle = request.app.state.sign_in_throttle
    keys = throttle.keys(ip, token.strip())
    wait = await run_in_threadpool(throttle.wait_s, engine, keys, now)

    def log(status: int, who: Principal | None, action: str) -> None:
        event = AccessEvent(
            at=now,
            user_id=who.user_id if who else None,
            action=action,
            method="POST",
            route="/sign-in",
            child_id=None,
            status=status,
            client_ip=ip,
        )
        log_access(engine, event)

    if wait:
        await run_in_threadpool(log, 429, None, "sign_in_locked")
        minutes = max(1, round(wait / 60))
        error = f"Too many failed sign-ins. Try again in {minutes} minute(s)."
        page = _sign_in_page(request, target, error, status=429)
        page.headers["Retry-After"] = str(wait)
        return page
    principal = await run_in_threadpool(authenticate, engine, token.strip(), now)
    if principal is None:
        await run_in_threadpool(throttle.failed, engine, keys, now)
    if principal is None or principal.role == "service":
        await run_in_threadpool(log, 401, principal, "sign_in_refused")
        error = (
            "This token belongs to a service, not a person."
            if principal is not None
            else "The access token was not recognised, has expired or was revoked."
        )
        return _sign_in_page(request, target, error, status=401)
    lifetime = timedelta(hours=settings.session_hours)
    await run_in_threadpool(throttle.succeeded, engine, principal.user_id)
    web = await run_in_threadpool(open_session, engine, principal, lifetime, now)
    await run_in_threadpool(log, 303, principal, "sign_in")
    if target == "/":
        target = ROLE_HOME.get(principal.role, "/")
    response = _web.redirect(target)
    _web.set_session_cookie(response, request, settings, web.session_id)
    response.delete_cookie(_web.SIGN_IN_COOKIE, path="/sign-in", httponly=True, samesite="strict")
    return response


@router.post("/sign-out", dependencies=[CsrfDep])
def sign_out(request: Request, engine: EngineDep, now: NowDep) -> Response:
    session_id = request_cookie(request.scope, SESSION_COOKIE)
    if session_id:
        end_session(engine, session_id, now)
    response = _web.redirect("/sign-in")
    _web.clear_session_cookie(response)
    return response


@router.get("/")
def start_page(request: Request, user: UserDep) -> Response:
    return _web.render(request, "home.html")
