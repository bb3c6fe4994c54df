"""GET /health: no authentication, no data."""

from __future__ import annotations

from fastapi import APIRouter

from notereview_api.responses import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok")
