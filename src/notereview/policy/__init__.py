"""The policy: every timescale the checks use, the working-day calendar and the due dates.

``load_policy()`` gives the England defaults (``england.yaml``); ``load_policy(path)``
deep-merges a council's file over them. ``WorkingCalendar.from_policy(policy)`` builds the
working-day calendar. The schedule functions turn dates into due dates and working days overdue.

    >>> from datetime import date
    >>> policy = load_policy()
    >>> cal = WorkingCalendar.from_policy(policy)
    >>> cal.add_working_days(date(2026, 4, 2), 1)   # Good Friday and Easter Monday skipped
    datetime.date(2026, 4, 7)
"""

from notereview.policy._calendar import WorkingCalendar, add_months, read_govuk_bank_holidays
from notereview.policy._load import deep_merge, load_policy
from notereview.policy._schedule import (
    DueInterval,
    PastReview,
    ReviewDue,
    SupervisionInterval,
    VisitInterval,
    last_review_timeliness,
    plan_review_due,
    recorded_late_working_days,
    seen_visits_on_time,
    supervision_due_dates,
    visit_due_dates,
)
from notereview.policy._schema import (
    UNITS,
    CalendarPolicy,
    Interval,
    PlanReviewRule,
    Policy,
    VisitRule,
)

__all__ = [
    "UNITS",
    "CalendarPolicy",
    "DueInterval",
    "Interval",
    "PastReview",
    "PlanReviewRule",
    "Policy",
    "ReviewDue",
    "SupervisionInterval",
    "VisitInterval",
    "VisitRule",
    "WorkingCalendar",
    "add_months",
    "deep_merge",
    "last_review_timeliness",
    "load_policy",
    "plan_review_due",
    "read_govuk_bank_holidays",
    "recorded_late_working_days",
    "seen_visits_on_time",
    "supervision_due_dates",
    "visit_due_dates",
]
