"""The service layer: what the JSON routes and the web pages both do with the store (the latest
run, the user's team scope, the queue, claims, the case file, audits, corrections, the dip
sample, estimates and agreement). Routes and pages only read the request and shape the answer;
nothing here knows whether the caller wants JSON or a page."""

from notereview_api.services.cases import (
    OpenedCase,
    corrections_of,
    open_case,
    save_audit,
    save_correction,
)
from notereview_api.services.queue import (
    AuditQueue,
    DrawnSample,
    audit_queue,
    claim,
    draw_sample,
    release,
)
from notereview_api.services.reports import (
    AgreementReport,
    CriterionEstimates,
    agreement_report,
    audited_files,
    criterion_estimates_of,
)
from notereview_api.services.reviewer import (
    app_policy,
    app_reviewer,
    app_rubric,
    check_exemplar,
    warm,
)
from notereview_api.services.scope import (
    queue_params,
    require_latest_run,
    scope_teams,
    visible_case,
)

__all__ = [
    "AgreementReport",
    "AuditQueue",
    "CriterionEstimates",
    "DrawnSample",
    "OpenedCase",
    "agreement_report",
    "app_policy",
    "app_reviewer",
    "app_rubric",
    "audit_queue",
    "audited_files",
    "check_exemplar",
    "claim",
    "corrections_of",
    "criterion_estimates_of",
    "draw_sample",
    "open_case",
    "queue_params",
    "release",
    "require_latest_run",
    "save_audit",
    "save_correction",
    "scope_teams",
    "visible_case",
    "warm",
]
