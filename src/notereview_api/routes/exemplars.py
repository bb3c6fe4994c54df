"""The exemplar checker: findings for one piece of text. The text is neither stored nor logged."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

import notereview
from notereview_api.deps import SettingsDep
from notereview_api.responses import ExemplarChecked
from notereview_api.schemas import ExemplarIn

router = APIRouter(tags=["exemplars"])


@router.post("/exemplars/check", response_model=ExemplarChecked)
def check_exemplar(exemplar: ExemplarIn, settings: SettingsDep) -> ExemplarChecked:
    """The ``notereview check`` JSON for one text."""
    if len(exemplar.text) > settings.exemplar_max_chars:
        raise HTTPException(
            status_code=422,
            detail=f"the text is longer than {settings.exemplar_max_chars} characters",
        )
    check_text = getattr(notereview, "check_text", None)
    if check_text is None:
        raise HTTPException(status_code=503, detail="the exemplar checker is not installed")
    checked = check_text(
        exemplar.kind, exemplar.text, child_name=exemplar.child_name, age=exemplar.age
    )
    return ExemplarChecked.model_validate(checked)
