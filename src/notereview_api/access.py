"""Who may call what: the access-rule table, as data.

Every route of the app must have an entry (a test enumerates ``app.routes`` and fails on a
route without one); a route missing from the table is refused to everyone (fail closed).
"""

from __future__ import annotations

PUBLIC: frozenset[str] = frozenset({"public"})
AUDITOR = "auditor"
PRACTICE_LEAD = "practice_lead"
ADMIN = "admin"
SERVICE = "service"

# (method, route template) -> roles allowed. HEAD is treated as GET.
ROUTE_ROLES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/queue"): frozenset({AUDITOR, ADMIN}),
    ("POST", "/queue/{child_id}/claim"): frozenset({AUDITOR, ADMIN}),
    ("DELETE", "/queue/{child_id}/claim"): frozenset({AUDITOR, ADMIN}),
    ("GET", "/cases/{child_id}"): frozenset({AUDITOR, ADMIN}),
    ("POST", "/cases/{child_id}/audits"): frozenset({AUDITOR, ADMIN}),
    ("GET", "/cases/{child_id}/corrections"): frozenset({AUDITOR, ADMIN}),
    ("POST", "/cases/{child_id}/corrections"): frozenset({AUDITOR, ADMIN}),
    ("GET", "/dip-sample"): frozenset({AUDITOR, ADMIN}),
    ("GET", "/estimates"): frozenset({PRACTICE_LEAD, ADMIN}),
    ("GET", "/agreement"): frozenset({PRACTICE_LEAD, ADMIN}),
    ("POST", "/exemplars/check"): frozenset({PRACTICE_LEAD, ADMIN}),
    ("GET", "/runs"): frozenset({ADMIN}),
    ("GET", "/runs/{run_id}"): frozenset({ADMIN}),
    ("POST", "/runs"): frozenset({SERVICE, ADMIN}),
    ("GET", "/users"): frozenset({ADMIN}),
    ("GET", "/access-log"): frozenset({ADMIN}),
    ("GET", "/openapi.json"): frozenset({ADMIN}),
    ("GET", "/docs"): frozenset({ADMIN}),
    # the web pages (src/notereview_api/pages): a signed-in session cookie or a bearer token
    ("GET", "/static/{name}"): PUBLIC,
    ("GET", "/sign-in"): PUBLIC,
    ("POST", "/sign-in"): PUBLIC,
    ("POST", "/sign-out"): frozenset({AUDITOR, PRACTICE_LEAD, ADMIN, SERVICE}),
    ("GET", "/"): frozenset({AUDITOR, PRACTICE_LEAD, ADMIN}),
    ("GET", "/app/queue"): frozenset({AUDITOR, ADMIN}),
    ("POST", "/app/queue/{child_id}/claim"): frozenset({AUDITOR, ADMIN}),
    ("GET", "/app/cases/{child_id}"): frozenset({AUDITOR, ADMIN}),
    ("POST", "/app/cases/{child_id}/audit"): frozenset({AUDITOR, ADMIN}),
    ("POST", "/app/cases/{child_id}/corrections"): frozenset({AUDITOR, ADMIN}),
    ("GET", "/app/exemplars"): frozenset({PRACTICE_LEAD, ADMIN}),
    ("POST", "/app/exemplars"): frozenset({PRACTICE_LEAD, ADMIN}),
    ("GET", "/app/trends"): frozenset({PRACTICE_LEAD, ADMIN}),
    ("GET", "/app/equality"): frozenset({PRACTICE_LEAD, ADMIN}),
    ("GET", "/app/focus-weeks"): frozenset({ADMIN}),
    ("POST", "/app/focus-weeks"): frozenset({ADMIN}),
    ("POST", "/app/focus-weeks/{week_id}/delete"): frozenset({ADMIN}),
}

# Routes that a signed-in browser session may call (besides a bearer token). The JSON API is
# bearer-only, so a session cookie can never reach it (no CSRF exposure there).
PAGE_ROUTES: frozenset[str] = frozenset(
    route for _, route in ROUTE_ROLES if route == "/" or route.startswith(("/app/", "/sign-"))
)


def allowed_roles(method: str, route: str) -> frozenset[str] | None:
    """The roles that may call ``method route``; None when the table has no entry."""
    verb = "GET" if method.upper() == "HEAD" else method.upper()
    return ROUTE_ROLES.get((verb, route))


def is_page(route: str | None) -> bool:
    """Whether ``route`` is a web page (session cookies count there)."""
    return route in PAGE_ROUTES


def is_public(method: str, route: str) -> bool:
    return allowed_roles(method, route) == PUBLIC
