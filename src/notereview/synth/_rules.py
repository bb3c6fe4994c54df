"""The default England policy as the generator applies it (visit intervals, reviews, timescales).

Deliberately independent of ``notereview.policy``: the answer key is computed from what the
generator wrote, by this module's reading of docs/criteria.md, not by the checks it will test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from notereview.synth._calendar import WorkCalendar, add_months

RECORDING_WORKING_DAYS = 3
CHRONOLOGY_ENTRY_WORKING_DAYS = 20
CHRONOLOGY_WINDOW_DAYS = 14
CHRONOLOGY_MAX_GAP_DAYS = 92
REVIEW_WINDOW_DAYS = 182
PRE_VERBAL_AGE_BELOW = 3
STALE_ACTION_WORKING_DAYS = 20
SIGNIFICANT_EVENTS: tuple[str, ...] = (
    "police_call_out",
    "hospital_attendance",
    "missing_episode",
    "placement_move",
    "strategy_discussion",
    "section_47",
    "cp_conference",
    "court_hearing",
    "school_exclusion",
    "new_adult_in_household",
    "arrest",
)


def window_start(as_of: date) -> date:
    """First day of the 182-day review window that ends on (and includes) ``as_of``."""
    return as_of - timedelta(days=REVIEW_WINDOW_DAYS - 1)


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


@dataclass(frozen=True, slots=True)
class VisitPolicy:
    """Visit intervals for one child (DESIGN.md default policy)."""

    cal: WorkCalendar
    status: str
    status_start: date
    placement_start: date | None
    long_term: bool

    def due_after(self, seen_on: date) -> Deadline:
        """The deadline for the next seen visit after a seen visit (or anchor) on ``seen_on``."""
        s = self.status
        if s == "CP":
            return Deadline(self.cal.add(seen_on, 10), True)
        if s == "CIN":
            return Deadline(self.cal.add(seen_on, 20), True)
        if s == "CL":
            return Deadline(seen_on + timedelta(weeks=8), False)
        if s == "PF":
            if seen_on < add_months(self.status_start, 12):
                return Deadline(seen_on + timedelta(weeks=6), False)
            return Deadline(seen_on + timedelta(weeks=12), False)
        # LAC, regulation 28
        start = self.placement_start or self.status_start
        if seen_on < start:
            normal = seen_on + timedelta(weeks=6)
            first = start + timedelta(weeks=1)
            return Deadline(min(normal, first), False)
        if seen_on < add_months(start, 12) or not self.long_term:
            return Deadline(seen_on + timedelta(weeks=6), False)
        return Deadline(add_months(seen_on, 3), False)

    def first_due(self, anchor: date) -> Deadline:
        """The deadline for the first seen visit counted from ``anchor``: one week after a
        placement starts, 7 working days after a private fostering notification, else the
        ordinary interval."""
        placement = self.placement_start
        if self.status == "LAC" and placement is not None and anchor == placement:
            return Deadline(anchor + timedelta(weeks=1), False)
        if self.status == "PF" and anchor == self.status_start:
            return Deadline(self.cal.add(anchor, 7), True)
        return self.due_after(anchor)

    def judged_anchor(self, w_start: date) -> date:
        """Where V1's first judged interval starts: the window start, or the status or
        placement start if later."""
        anchor = max(w_start, self.status_start)
        if self.status == "LAC" and self.placement_start is not None:
            anchor = max(anchor, self.placement_start)
        return anchor


# Plan review timescales: (first review, second review, then every) as (kind, amount).
# CP and LAC follow DESIGN.md; CIN (3-monthly) and pathway (6-monthly) are the generator's
# assumptions where DESIGN.md gives no default.
REVIEW_SCHEDULE: dict[str, tuple[tuple[str, int], tuple[str, int], tuple[str, int]]] = {
    "CP": (("months", 3), ("months", 6), ("months", 6)),
    "care": (("wd", 20), ("months", 3), ("months", 6)),
    "CIN": (("months", 3), ("months", 3), ("months", 3)),
    "pathway": (("months", 6), ("months", 6), ("months", 6)),
}


def review_due(cal: WorkCalendar, plan_type: str, previous: date, review_number: int) -> date:
    """When review number ``review_number`` (0 = first) is due, counted from ``previous``
    (the plan start for the first review, else the previous review)."""
    schedule = REVIEW_SCHEDULE[plan_type]
    kind, amount = schedule[min(review_number, 2)]
    if kind == "wd":
        return cal.add(previous, amount)
    return add_months(previous, amount)
