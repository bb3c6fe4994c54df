"""notereview: reads a nightly extract of children's social care case files, scores every record
against the practice standards, shows the evidence, and puts the weakest files in front of
auditors first. It scores the record, never the family."""

from notereview._compiled import use_compiled

use_compiled()  # the compiled hot path when a fresh build exists (notereview._compiled)

from notereview.casefile import (  # noqa: E402
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
from notereview.errors import ConfigError, ExtractError, ModelError, NotereviewError  # noqa: E402
from notereview.review import CaseReview, Reviewer, check_text  # noqa: E402

__version__ = "0.1.0"

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
