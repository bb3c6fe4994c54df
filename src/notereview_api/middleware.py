"""Pure ASGI middleware: request log and security headers, body size limit, and
authentication / authorisation / rate limiting (in that order, outermost first)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notereview.store import (
    AccessEvent,
    Principal,
    authenticate,
    count_request,
    database_away,
    log_access,
    session_user,
)
from notereview_api.access import allowed_roles, is_page, is_public
from notereview_api.problems import DATABASE_AWAY, PROBLEM, RETRY_AFTER_S
from notereview_api.settings import Settings

logger = logging.getLogger("notereview.api")

JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The web pages: nothing from another origin, no inline script or style, no plugins, no framing.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SESSION_COOKIE = "nr_session"
_FORBIDDEN_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>You cannot open this page - notereview</title>"
    '<link rel="stylesheet" href="/static/app.css"></head><body><main class="page">'
    "<h1>You cannot open this page</h1><p>Your role ({role}) does not give access to it.</p>"
    '<p><a href="/">Go to the start page</a></p></main></body></html>'
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


def _state(scope: Scope) -> dict[str, Any]:
    return scope.setdefault("state", {})


async def send_problem(
    send: Send, status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    raw_headers = [
        (b"content-type", PROBLEM.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body.encode()})


def request_cookie(scope: Scope, name: str) -> str | None:
    """The value of cookie ``name`` on the request, if any."""
    for header, value in scope.get("headers", ()):
        if header != b"cookie":
            continue
        for part in value.decode("latin-1").split(";"):
            key, _, cookie = part.strip().partition("=")
            if key == name and cookie:
                return cookie
    return None


def wants_html(scope: Scope) -> bool:
    """A browser navigating (Accept names text/html), not an API client."""
    for header, value in scope.get("headers", ()):
        if header == b"accept":
            return b"text/html" in value
    return False


async def send_redirect(send: Send, location: str, clear_cookie: bool = False) -> None:
    headers = [
        (b"location", location.encode("latin-1")),
        (b"content-length", b"0"),
        (b"content-security-policy", PAGE_CSP.encode()),
    ]
    if clear_cookie:
        headers.append(
            (
                b"set-cookie",
                f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict".encode(),
            )
        )
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def send_forbidden_page(send: Send, role: str) -> None:
    body = _FORBIDDEN_PAGE.format(role=role.replace("_", " ")).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"content-security-policy", PAGE_CSP.encode()),
    ]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _sign_in_location(scope: Scope) -> str:
    from urllib.parse import quote

    target = scope.get("path", "/")
    if scope["method"] == "GET" and scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    return "/sign-in?next=" + quote(target, safe="")


def client_ip(scope: Scope, settings: Settings) -> str | None:
    if settings.trust_forwarded_for:
        for name, value in scope.get("headers", ()):
            if name == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[0].strip()[:64] or None
    client = scope.get("client")
    return client[0][:64] if client else None


class RequestLogMiddleware:
    """Logs method, route template, status, duration and user id (never paths, query strings
    or bodies), adds security headers, and turns an unhandled error into a bare 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", JSON_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # the message may hold data: log the kind only
            state = _state(scope)
            logger.error(
                "unhandled %s on %s %s",
                type(exc).__name__,
                scope["method"],
                state.get("route_template", "<unmatched>"),
            )
            away = database_away(exc)  # raised before a route: signing in, the access log
            status = 503 if away else 500
            if not response_started:
                if away:
                    await send_problem(
                        send_with_headers, 503, "Service Unavailable", DATABASE_AWAY,
                        {"Retry-After": RETRY_AFTER_S},
                    )  # fmt: skip
                else:
                    await send_problem(
                        send_with_headers, 500, "Internal Server Error", "internal error"
                    )
        finally:
            state = _state(scope)
            principal = state.get("principal")
            logger.info(
                "%s %s %d %.1fms user=%s",
                scope["method"],
                state.get("route_template", "<unmatched>"),
                status,
                (time.perf_counter() - started) * 1000,
                principal.user_id if principal else "-",
            )


class BodyLimitMiddleware:
    """413 for request bodies over the limit (a larger one for POST /runs)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, scope: Scope) -> int:
        if scope["method"] == "POST" and scope["path"].rstrip("/") == "/runs":
            return self.settings.max_run_body_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_problem(send, 400, "Bad Request", "Content-Length is not a number")
                    return
        if declared is not None:
            if declared > limit:
                await send_problem(
                    send, 413, "Content Too Large", f"the request body is over {limit} bytes"
                )
                return
            await self.app(scope, receive, send)
            return
        # no declared length: read the body (up to the limit) before the app sees it
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await send_problem(
                    send, 413, "Content Too Large", f"the request body is over {limit} bytes"
                )
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RateLimiter:
    """``per_minute`` requests per key in a sliding minute, counted in the database
    (:func:`notereview.store.count_request`) so that every worker process shares the limit.
    Blocking: call it in a thread from async code."""

    def __init__(
        self, per_minute: int, engine: Engine, clock: Callable[[], float] = time.time
    ) -> None:
        self.per_minute = per_minute
        self.engine = engine
        self.clock = clock

    def allow(self, key: str) -> tuple[bool, int]:
        """(allowed, seconds to wait when not)."""
        if self.per_minute <= 0:
            return True, 0
        return count_request(self.engine, key, self.clock(), self.per_minute)


class AuthMiddleware:
    """Rate limit, then bearer-token authentication (or, on the web pages, the signed-in
    session cookie), then the role check from :data:`api.access.ROUTE_ROLES`, before the body
    is read. Refusals are logged to the access log (except 429). A browser (Accept: text/html)
    refused on a web page is sent to the sign-in page (401) or shown a page (403)."""

    def __init__(self, app: ASGIApp, router_app: Any) -> None:
        self.app = app
        self.router_app = router_app

    def _match(self, scope: Scope) -> tuple[str | None, bool, dict[str, Any]]:
        partial: tuple[str | None, bool, dict[str, Any]] = (None, False, {})
        for route in self.router_app.router.routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                return route.path, True, child.get("path_params", {})
            if match == Match.PARTIAL and partial[0] is None:
                partial = (route.path, False, child.get("path_params", {}))
        return partial

    def _methods_of(self, template: str) -> list[str]:
        """Every method some route of ``template`` answers (the app mounts one route per
        method, so the router's own 405 would name only the first route's)."""
        methods: set[str] = set()
        for route in self.router_app.router.routes:
            if getattr(route, "path", None) == template:
                methods.update(getattr(route, "methods", None) or ())
        return sorted(methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state_app = self.router_app.state
        settings: Settings = state_app.settings
        template, full, params = self._match(scope)
        state = _state(scope)
        if template is not None:
            state["route_template"] = template
        method = scope["method"]
        if template is not None and is_public(method, template):
            await self.app(scope, receive, send)
            return
        token = None
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, credentials = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and credentials.strip():
                    token = credentials.strip()
        page = is_page(template)
        session_id = request_cookie(scope, SESSION_COOKIE) if token is None and page else None
        ip = client_ip(scope, settings)
        if token:
            key = "t:" + hashlib.sha256(token.encode()).hexdigest()
        elif session_id:
            key = "s:" + hashlib.sha256(session_id.encode()).hexdigest()
        else:
            key = f"ip:{ip}"
        allowed, wait = await run_in_threadpool(state_app.rate_limiter.allow, key)
        if not allowed:
            await send_problem(
                send, 429, "Too Many Requests", "slow down", headers={"Retry-After": str(wait)}
            )
            return
        now: datetime = state_app.clock()
        engine = state_app.engine
        principal: Principal | None = None
        throttle = state_app.sign_in_throttle
        if token is not None and throttle.on:  # an address locked after failed sign-ins
            wait = await run_in_threadpool(throttle.wait_s, engine, throttle.keys(ip, None), now)
            if wait:
                await send_problem(
                    send,
                    429,
                    "Too Many Requests",
                    "too many failed sign-ins from this address; try again later",
                    headers={"Retry-After": str(wait)},
                )
                return
        if token is not None:
            principal = await run_in_threadpool(authenticate, engine, token, now)
            if principal is None and throttle.on:
                await run_in_threadpool(throttle.failed, engine, throttle.keys(ip, token), now)
        elif session_id is not None:
            idle = timedelta(minutes=settings.session_idle_minutes)
            web = await run_in_threadpool(session_user, engine, session_id, idle, now)
            if web is not None:
                principal = web.principal
                state["web_session"] = web
        child_id = params.get("child_id") if isinstance(params.get("child_id"), str) else None

        browser = page and wants_html(scope)

        async def refuse(status: int, action: str, detail: str, headers: dict[str, str]) -> None:
            if browser and status == 401:
                status = 303  # to the sign-in page
            event = AccessEvent(
                at=now,
                user_id=principal.user_id if principal else None,
                action=action,
                method=method[:8],
                route=(template or "<unmatched>")[:128],
                child_id=child_id[:64] if child_id else None,
                status=status,
                client_ip=ip,
            )
            await run_in_threadpool(log_access, engine, event)
            if browser and status == 303:
                await send_redirect(send, _sign_in_location(scope), session_id is not None)
                return
            if browser and status == 403 and principal is not None:
                await send_forbidden_page(send, principal.role)
                return
            await send_problem(
                send, status, "Unauthorized" if status == 401 else "Forbidden", detail, headers
            )

        if principal is None:
            if token is not None or session_id is not None:  # guesses also count per address
                allowed, wait = await run_in_threadpool(state_app.rate_limiter.allow, f"ip:{ip}")
                if not allowed:
                    await send_problem(
                        send,
                        429,
                        "Too Many Requests",
                        "slow down",
                        headers={"Retry-After": str(wait)},
                    )
                    return
            await refuse(
                401,
                "unauthenticated",
                "a valid bearer token is needed: Authorization: Bearer <token>",
                {"WWW-Authenticate": 'Bearer realm="notereview"'},
            )
            return
        state["principal"] = principal
        if not full and template is not None:  # a known path, another method: 405 and Allow
            allow = ", ".join(self._methods_of(template))
            await send_problem(
                send, 405, "Method Not Allowed", f"this path answers {allow}", {"Allow": allow}
            )
            return
        if not full:  # unknown route: the router answers 404
            await self.app(scope, receive, send)
            return
        roles = allowed_roles(method, template or "")
        if roles is None or principal.role not in roles:
            await refuse(403, "forbidden", f"the {principal.role} role may not do this", {})
            return
        await self.app(scope, receive, send)
