"""notereview: reads a nightly extract of children's social care case files, scores every record
against the practice standards, shows the evidence, and puts the weakest files in front of
auditors first. It scores the record, never the family.

Importing the package does no work: the public names below are loaded when first used, and the
compiled hot path (notereview._compiled) is looked for when its first module is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from notereview._compiled import use_compiled
from notereview._lazy import lazy_getattr

use_compiled()  # cheap: puts a finder on sys.meta_path, reads nothing until a hot module loads

if TYPE_CHECKING:
    from notereview.casefile import (
        CaseFile,
        CaseSummary,
        Child,
        ChronologyEntry,
        Genogram,
        GenogramMember,
        Plan,
        PlanAction,
        SupervisionRecord,
        Visit,
    )
    from notereview.errors import ConfigError, ExtractError, ModelError, NotereviewError
    from notereview.review import CaseReview, Reviewer, check_text

__version__ = "0.1.0"

#: Each public name and the module it comes from.
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        ("CaseFile", "CaseSummary", "Child", "ChronologyEntry", "Genogram", "GenogramMember",
         "Plan", "PlanAction", "SupervisionRecord", "Visit"),
        "notereview.casefile",
    ),
    **dict.fromkeys(
        ("ConfigError", "ExtractError", "ModelError", "NotereviewError"), "notereview.errors"
    ),
    **dict.fromkeys(("CaseReview", "Reviewer", "check_text"), "notereview.review"),
}

__all__ = [
    "CaseFile",
    "CaseReview",
    "CaseSummary",
    "Child",
    "ChronologyEntry",
    "ConfigError",
    "ExtractError",
    "Genogram",
    "GenogramMember",
    "ModelError",
    "NotereviewError",
    "Plan",
    "PlanAction",
    "Reviewer",
    "SupervisionRecord",
    "Visit",
    "__version__",
    "check_text",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
