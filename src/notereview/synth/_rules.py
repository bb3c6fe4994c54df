"""The policy as the generator applies it: visit intervals, reviews, timescales.

Every number comes from the policy the checks read (``notereview.policy``, England defaults):
one source of truth, so a timescale changed there changes the records and the answer key
together. The working out is the generator's own (its own calendar in ``_calendar.py``, its
own walk through each schedule from the records it wrote), so the answer key still tests the
checks' reading of the same dates rather than repeating it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from notereview.policy import Interval, Policy, VisitRule, load_policy
from notereview.synth._calendar import WorkCalendar, add_months


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The England default policy (``policy/england.yaml``), loaded once."""
    return load_policy()


def add_interval(cal: WorkCalendar, day: date, interval: Interval) -> date:
    """``day`` plus a policy interval in its own unit (working days on the generator's
    calendar; days and weeks as calendar days; months as calendar months)."""
    unit, amount = interval.unit, interval.amount
    if unit == "working_days":
        return cal.add(day, amount)
    if unit == "days":
        return day + timedelta(days=amount)
    if unit == "weeks":
        return day + timedelta(weeks=amount)
    return add_months(day, amount)


def interval_days(interval: Interval) -> int:
    """An interval's rough length in calendar days (for drawing dates, never for judging)."""
    per = {"working_days": 7 / 5, "days": 1, "weeks": 7, "months": 30.44}[interval.unit]
    return round(interval.amount * per)


def window_start(as_of: date, policy: Policy | None = None) -> date:
    """First day of the review window that ends on (and includes) ``as_of``."""
    return (policy or default_policy()).window_start(as_of)


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last day a visit may fall on; ``working`` deadlines ignore a trailing weekend."""

    day: date
    working: bool

    def overdue_by(self, cal: WorkCalendar, when: date) -> int | None:
        """None when ``when`` meets the deadline, else the working days it is late by."""
        late = cal.count(self.day, when)
        if self.working:
            return late if late > 0 else None
        return late if when > self.day else None


def deadline_after(cal: WorkCalendar, day: date, interval: Interval) -> Deadline:
    return Deadline(add_interval(cal, day, interval), interval.in_working_days)


def recorded_late_days(cal: WorkCalendar, visit_day: date, recorded: date) -> int:
    """Working days a visit was recorded after the policy's recording timescale (0 on time)."""
    deadline = deadline_after(cal, visit_day, default_policy().recording_timescale)
    late = deadline.overdue_by(cal, recorded)
    return 0 if late is None else max(late, 1)


@dataclass(frozen=True, slots=True)
class VisitPolicy:
    """Visit intervals for one child: the policy's visit rule for the legal status."""

    cal: WorkCalendar
    status: str
    status_start: date
    placement_start: date | None
    long_term: bool

    @property
    def rule(self) -> VisitRule:
        return default_policy().visit_rule(self.status)

    def _schedule_start(self) -> date | None:
        """Where the staged rule counts from: the placement start for a placement schedule
        (None when the child has no placement date), else the status start."""
        if self.rule.schedule_from == "placement_start":
            return self.placement_start
        return self.status_start

    def due_after(self, seen_on: date) -> Deadline:
        """The deadline for the next seen visit after a seen visit (or anchor) on ``seen_on``."""
        rule, cal = self.rule, self.cal
        start = self._schedule_start() or self.status_start
        staged = rule.first_year_interval is not None or rule.long_term_interval is not None
        if not staged:
            return deadline_after(cal, seen_on, rule.interval)
        if (
            rule.schedule_from == "placement_start"
            and rule.first_visit is not None
            and seen_on < start
        ):
            # seen before the placement began: the placement's first visit may come sooner
            normal = deadline_after(cal, seen_on, rule.first_year_interval or rule.interval)
            first = deadline_after(cal, start, rule.first_visit)
            return min(normal, first, key=lambda d: d.day)
        in_first_year = seen_on < add_interval(cal, start, rule.first_year_length)
        if in_first_year and rule.first_year_interval is not None:
            return deadline_after(cal, seen_on, rule.first_year_interval)
        if self.long_term and rule.long_term_interval is not None:
            return deadline_after(cal, seen_on, rule.long_term_interval)
        return deadline_after(cal, seen_on, rule.interval)

    def first_due(self, anchor: date) -> Deadline:
        """The deadline for the first seen visit counted from ``anchor``: the rule's first
        visit (a week after a placement starts, 7 working days after a private fostering
        notification) when ``anchor`` is the schedule's start, else the ordinary interval."""
        rule = self.rule
        if rule.first_visit is not None and anchor == self._schedule_start():
            return deadline_after(self.cal, anchor, rule.first_visit)
        return self.due_after(anchor)

    def schedule_anchor(self) -> date:
        """Where the child's schedule starts: the status start, or for a placement schedule
        the placement start if later (a move restarts the schedule)."""
        if self.rule.schedule_from == "placement_start" and self.placement_start is not None:
            return max(self.status_start, self.placement_start)
        return self.status_start


def review_step(plan_type: str, review_number: int) -> Interval:
    """The policy interval before review number ``review_number`` (0 = first)."""
    rule = default_policy().plan_review_rule(plan_type)
    if review_number == 0:
        return rule.first
    if review_number == 1 and rule.second is not None:
        return rule.second
    return rule.then


def review_due(cal: WorkCalendar, plan_type: str, previous: date, review_number: int) -> date:
    """When review number ``review_number`` (0 = first) is due, counted from ``previous``
    (the plan start for the first review, else the previous review)."""
    return add_interval(cal, previous, review_step(plan_type, review_number))
