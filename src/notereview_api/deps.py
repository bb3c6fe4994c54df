"""Annotated dependencies: the engine, settings, clock and the signed-in user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine

from notereview.store import AccessEvent, Principal, log_access
from notereview_api.middleware import client_ip
from notereview_api.settings import Settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_now(request: Request) -> datetime:
    return request.app.state.clock()


def current_user(request: Request) -> Principal:
    """The user the auth middleware authenticated (it refuses every request without one)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise HTTPException(status_code=401, detail="a valid bearer token is needed")
    return principal


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
UserDep = Annotated[Principal, Depends(current_user)]


def record_access(
    request: Request, user: Principal, action: str, status: int, child_id: str | None = None
) -> None:
    """Append to the access log: who, what, which file, when (UTC), from where."""
    route = getattr(request.scope.get("route"), "path", None) or request.scope.get("state", {}).get(
        "route_template", "<unmatched>"
    )
    log_access(
        request.app.state.engine,
        AccessEvent(
            at=request.app.state.clock(),
            user_id=user.user_id,
            action=action,
            method=request.method[:8],
            route=str(route)[:128],
            child_id=child_id[:64] if child_id else None,
            status=status,
            client_ip=client_ip(request.scope, request.app.state.settings),
        ),
    )
