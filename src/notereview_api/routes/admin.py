"""Administration: users and the access log (read-only; users are managed by the CLI)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query

from notereview.store import list_users, read_access_log
from notereview_api.deps import EngineDep
from notereview_api.routes._common import iso

router = APIRouter(tags=["admin"])


@router.get("/users")
def users(engine: EngineDep) -> dict[str, Any]:
    return {
        "users": [
            {
                "name": u.name,
                "role": u.role,
                "teams": list(u.teams),
                "created_at": iso(u.created_at),
                "revoked_at": iso(u.revoked_at),
                "token_expires_at": iso(u.token_expires_at),
                "active_tokens": u.active_tokens,
            }
            for u in list_users(engine)
        ]
    }


@router.get("/access-log")
def access_log(
    engine: EngineDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    return {
        "entries": [{**asdict(e), "at": iso(e.at)} for e in read_access_log(engine, limit=limit)]
    }
