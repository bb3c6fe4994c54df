"""Due dates: statutory visits (V1), recording (V3), supervision (M1) and plan reviews (P2).

Pure functions of dates, the policy and the working-day calendar. Every overdue result says by
how many working days it is overdue; 0 means on time.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from notereview.policy._calendar import WorkingCalendar
from notereview.policy._schema import Interval, Policy, VisitRule


@dataclass(frozen=True, slots=True)
class DueInterval:
    """One stretch of a schedule: it opens at ``start`` (the last visit or record, or the
    schedule's start), must be closed by ``due``, and was closed by ``closed_by`` (None while
    still open at as-of). ``overdue_working_days`` is 0 when closed on time (or still open and
    not yet due); otherwise the working days after ``due`` up to and including the closing
    date (or as-of). A calendar-unit due date (weeks, months) missed only by a weekend still
    counts as 1 working day overdue; a working-day due date is only missed once a working day
    has passed. ``rule`` names the policy rule. ``overdue_days`` is the lateness in calendar
    days."""

    start: date
    due: date
    closed_by: date | None
    overdue_working_days: int
    rule: str
    overdue_days: int = 0

    @property
    def overdue(self) -> bool:
        return self.overdue_working_days > 0


@dataclass(frozen=True, slots=True)
class VisitInterval(DueInterval):
    """An interval of the statutory visit schedule (V1), closed by a visit where the child
    was seen."""


@dataclass(frozen=True, slots=True)
class SupervisionInterval(DueInterval):
    """An interval of the supervision schedule (M1), closed by a supervision record."""


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """When a plan's next review is due (P2). ``is_first_review``: the plan has not been
    reviewed yet, so ``due`` is its first review."""

    due: date
    overdue_working_days: int
    rule: str
    is_first_review: bool
    overdue_days: int = 0

    @property
    def overdue(self) -> bool:
        return self.overdue_working_days > 0


def _lateness(due: date, when: date, cal: WorkingCalendar) -> tuple[int, int]:
    """(working days, calendar days) that ``when`` is past ``due``; (0, 0) if not past.

    A date past a calendar-unit due date but on a non-working day (due Saturday, closed
    Sunday) is still late: it counts as at least 1 working day. Past a working-day due date
    (always a working day), a non-working day is not late: no working day has passed."""
    if when <= due:
        return 0, 0
    working = cal.working_days_between(due, when)
    if working == 0 and cal.is_working_day(due):
        return 0, 0
    return max(working, 1), (when - due).days


def _visit_step(
    rule: VisitRule,
    anchor: date,
    interval_start: date,
    is_first: bool,
    long_term: bool,
    cal: WorkingCalendar,
) -> tuple[Interval, str]:
    """The interval in force for a stretch that opens at ``interval_start``, and its name."""
    if is_first and rule.first_visit is not None:
        return rule.first_visit, (
            f"{rule.basis}: first visit within {rule.first_visit.describe()} of {rule.start_label}"
        )
    staged = rule.first_year_interval is not None or rule.long_term_interval is not None
    if not staged:
        return rule.interval, f"{rule.basis}: {rule.interval.describe()}"
    # the rule in force is the one at the moment the stretch opens
    in_first_year = interval_start < cal.add_interval(anchor, rule.first_year_length)
    subject = "placement" if rule.schedule_from == "placement_start" else "arrangement"
    if in_first_year and rule.first_year_interval is not None:
        return rule.first_year_interval, (
            f"{rule.basis}: {rule.first_year_interval.describe()} in first year of {subject}"
        )
    if long_term and rule.long_term_interval is not None:
        return rule.long_term_interval, (
            f"{rule.basis}: {rule.long_term_interval.describe()} after first year "
            f"(long-term {subject})"
        )
    return rule.interval, f"{rule.basis}: {rule.interval.describe()} after first year of {subject}"


def _schedule_anchor(rule: VisitRule, status_start: date, placement_start: date | None) -> date:
    if rule.schedule_from == "placement_start" and placement_start is not None:
        return max(status_start, placement_start)
    return status_start


def visit_due_dates(
    child_status: str,
    status_start: date,
    placement_start: date | None,
    long_term: bool,
    seen_visit_dates: Sequence[date],
    as_of: date,
    window_start: date,
    policy: Policy,
    cal: WorkingCalendar,
) -> list[VisitInterval]:
    """The statutory visit schedule for one child, interval by interval, up to ``as_of``.

    The schedule starts at the later of ``window_start`` and the schedule anchor (the status
    start, or for a looked-after child the placement start: a placement move inside the window
    restarts the schedule there, with reg 28's first interval of 1 week). Where the window
    start is later, the last seen visit before it (but not before the anchor) opens the first
    interval; with none, the window start does. Each interval's due date follows the rule in
    force when it opens; it is closed by the next seen visit (a visit on the anchor day itself
    closes the first interval). The last interval is still open at ``as_of`` and is overdue
    only if ``as_of`` is past its due date. Only seen visits may be passed: a visit where the
    child was not seen does not close an interval. Returns [] if the schedule starts after
    ``as_of``.
    """
    rule = policy.visit_rule(child_status)
    anchor = _schedule_anchor(rule, status_start, placement_start)
    start = max(window_start, anchor)
    if start > as_of:
        return []
    visits = sorted({v for v in seen_visit_dates if v <= as_of})
    # the stretch opening the schedule: a previous visit, the anchor itself, or the window start
    first_index = bisect_left(visits, start)
    if start == anchor:
        # a visit on the anchor day itself closes the first interval
        opening, is_first, next_index = anchor, True, first_index
    else:
        before = first_index - 1
        has_previous = before >= 0 and visits[before] >= anchor
        opening, is_first = (visits[before] if has_previous else start), False
        next_index = first_index
    result: list[VisitInterval] = []
    while True:
        step, rule_name = _visit_step(rule, anchor, opening, is_first, long_term, cal)
        due = cal.add_interval(opening, step)
        closed_by = visits[next_index] if next_index < len(visits) else None
        working, days = _lateness(due, closed_by if closed_by is not None else as_of, cal)
        result.append(VisitInterval(opening, due, closed_by, working, rule_name, days))
        if closed_by is None:
            return result
        opening, is_first = closed_by, False
        next_index += 1


def recorded_late_working_days(
    visit_date: date, recorded_at: date, policy: Policy, cal: WorkingCalendar
) -> int:
    """Working days a visit record was written beyond the recording timescale (0 when on
    time): visit on a Friday, recorded the next Wednesday = 3 working days = on time."""
    deadline = cal.add_interval(visit_date, policy.recording_timescale)
    return _lateness(deadline, recorded_at, cal)[0]


def supervision_due_dates(
    child_status: str,
    status_start: date,
    supervision_dates: Sequence[date],
    as_of: date,
    window_start: date,
    policy: Policy,
    cal: WorkingCalendar,
) -> list[SupervisionInterval]:
    """The supervision schedule (M1) up to ``as_of``, in the same way as
    :func:`visit_due_dates`: from the later of the window start and the status start (the
    last record before the window, if any on or after the status start, opens the first
    interval), each interval at most the policy frequency for the legal status."""
    interval = policy.supervision_interval(child_status)
    rule_name = (
        f"{policy.supervision.basis}: supervision every {interval.describe()} ({child_status})"
    )
    start = max(window_start, status_start)
    if start > as_of:
        return []
    records = sorted({d for d in supervision_dates if d <= as_of})
    first_index = bisect_left(records, start)
    opening = start
    if start == window_start and first_index > 0 and records[first_index - 1] >= status_start:
        opening = records[first_index - 1]
    next_index = first_index
    result: list[SupervisionInterval] = []
    while True:
        due = cal.add_interval(opening, interval)
        closed_by = records[next_index] if next_index < len(records) else None
        working, days = _lateness(due, closed_by if closed_by is not None else as_of, cal)
        result.append(SupervisionInterval(opening, due, closed_by, working, rule_name, days))
        if closed_by is None:
            return result
        opening = closed_by
        next_index += 1


def plan_review_due(
    plan_type: str,
    start_date: date,
    last_review_date: date | None,
    as_of: date,
    policy: Policy,
    cal: WorkingCalendar,
    *,
    began_at_review: bool = False,
) -> ReviewDue:
    """When the plan's next review is due, and by how many working days it is overdue at
    ``as_of``.

    Never reviewed: the first review is due ``first`` after the start. Reviewed: where the
    rule has a ``second`` step (looked-after reviews: 3 months after the first), a last review
    held on or before the first review's due date is taken to be the first review; any later
    one (only the last review date is known) is taken as the second or later, so the next is
    due ``then`` after it. ``began_at_review``: the plan replaced an earlier one at a review
    (it started after the child's first review was due), so its own start is a review and the
    next is due ``then`` after the latest of its start and its last review.
    """
    rule = policy.plan_review_rule(plan_type)
    first_due = cal.add_interval(start_date, rule.first)
    if began_at_review:
        due = cal.add_interval(last_review_date or start_date, rule.then)
        name = f"{rule.basis}: review every {rule.then.describe()}"
        is_first = False
    elif last_review_date is None:
        due = first_due
        name = f"{rule.basis}: first review within {rule.first.describe()} of the plan start"
        is_first = True
    elif rule.second is not None and last_review_date <= first_due:
        due = cal.add_interval(last_review_date, rule.second)
        name = f"{rule.basis}: second review within {rule.second.describe()} of the first"
        is_first = False
    else:
        due = cal.add_interval(last_review_date, rule.then)
        name = f"{rule.basis}: review every {rule.then.describe()}"
        is_first = False
    working, days = _lateness(due, as_of, cal)
    return ReviewDue(due, working, name, is_first, days)


@dataclass(frozen=True, slots=True)
class PastReview:
    """How the plan's last review stood against its own due date (P2). ``projected``: the due
    date assumes the earlier reviews, which the extract does not hold, were held on time (only
    the first review's due date is known for certain)."""

    held: date
    due: date
    late_working_days: int
    projected: bool


def last_review_timeliness(
    plan_type: str,
    start_date: date,
    last_review_date: date,
    policy: Policy,
    cal: WorkingCalendar,
    *,
    began_at_review: bool = False,
) -> PastReview:
    """Whether the last review was held by its due date.

    The due dates follow the rule from the plan's start (``first``, ``second``, then ``then``;
    from a plan that began at a review, ``then`` from its start), each from the one before.
    The last review fills the slot whose due date it is nearest: a review five months early is
    not credible, one three weeks late is. It is late by the working days after that slot's
    due date."""
    rule = policy.plan_review_rule(plan_type)
    steps = (
        [rule.then] if began_at_review else [rule.first, *([rule.second] if rule.second else [])]
    )
    dues = [cal.add_interval(start_date, steps[0])]
    while dues[-1] < last_review_date:
        step = steps[len(dues)] if len(dues) < len(steps) else rule.then
        following = cal.add_interval(dues[-1], step)
        if following <= dues[-1]:  # a zero interval: no later slot to fill
            break
        dues.append(following)
    after = dues[-1]
    before = dues[-2] if len(dues) > 1 else None
    if before is not None and (last_review_date - before) < (after - last_review_date):
        slot, index = before, len(dues) - 2
    else:
        slot, index = after, len(dues) - 1
    late = _lateness(slot, last_review_date, cal)[0]
    return PastReview(last_review_date, slot, late, projected=index > 0)


def seen_visits_on_time(intervals: Sequence[DueInterval]) -> dict[date, bool]:
    """For the visits output's ``on_time`` column: each closing visit date -> whether the
    interval it closed was on time."""
    return {i.closed_by: not i.overdue for i in intervals if i.closed_by is not None}


__all__ = [
    "DueInterval",
    "PastReview",
    "ReviewDue",
    "SupervisionInterval",
    "VisitInterval",
    "last_review_timeliness",
    "plan_review_due",
    "recorded_late_working_days",
    "seen_visits_on_time",
    "supervision_due_dates",
    "visit_due_dates",
]
