"""Administration: users and the access log (read-only; users are managed by the CLI)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from notereview.store import list_users, read_access_log
from notereview_api.deps import EngineDep
from notereview_api.responses import AccessEntry, AccessLog, User, Users

router = APIRouter(tags=["admin"])


@router.get("/users", response_model=Users)
def users(engine: EngineDep) -> Users:
    return Users(users=[User.of(u) for u in list_users(engine)])


@router.get("/access-log", response_model=AccessLog)
def access_log(engine: EngineDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> AccessLog:
    return AccessLog(entries=[AccessEntry.of(e) for e in read_access_log(engine, limit=limit)])
