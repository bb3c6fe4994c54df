"""The pages' router: every page module's routes, in one router that the app mounts."""

from __future__ import annotations

from fastapi import APIRouter

from notereview_api.pages import case, practice, queue, session

router = APIRouter(tags=["pages"], include_in_schema=False)
router.routes.extend(
    route for module in (session, queue, case, practice) for route in module.router.routes
)
