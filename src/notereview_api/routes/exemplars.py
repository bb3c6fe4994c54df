"""The exemplar checker: findings for one piece of text. The text is neither stored nor logged."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

import notereview
from notereview_api import services
from notereview_api.deps import SettingsDep
from notereview_api.responses import ExemplarChecked
from notereview_api.schemas import ExemplarIn

router = APIRouter(tags=["exemplars"])


@router.post("/exemplars/check", response_model=ExemplarChecked)
def check_exemplar(
    exemplar: ExemplarIn, request: Request, settings: SettingsDep
) -> ExemplarChecked:
    """The ``notereview check`` JSON for one text."""
    if len(exemplar.text) > settings.exemplar_max_chars:
        raise HTTPException(
            status_code=422,
            detail=f"the text is longer than {settings.exemplar_max_chars} characters",
        )
    if getattr(notereview, "check_text", None) is None:
        raise HTTPException(status_code=503, detail="the exemplar checker is not installed")
    checked = services.check_exemplar(
        request.app.state, exemplar.kind, exemplar.text, exemplar.child_name, exemplar.age
    )
    return ExemplarChecked.model_validate(checked)
