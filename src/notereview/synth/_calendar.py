"""Working days for England (weekends and England & Wales bank holidays), computed here.

The generator keeps its own calendar on purpose: its answer key must follow from what it
generated, independently of the project's policy module.
"""

from __future__ import annotations

import bisect
import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clipped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class WorkCalendar:
    """Working days between ``first`` and ``last`` (inclusive), as a sorted list of ordinals."""

    first: date
    last: date
    ordinals: tuple[int, ...]

    def cum(self, day: date) -> int:
        """How many working days fall on or before ``day`` (within the calendar's range)."""
        return bisect.bisect_right(self.ordinals, day.toordinal())

    def count(self, start: date, end: date) -> int:
        """Working days in the half-open span (start, end]; 0 when end <= start."""
        if end <= start:
            return 0
        return self.cum(end) - self.cum(start)

    def add(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` (``day`` itself when n == 0)."""
        if n <= 0:
            return day
        return date.fromordinal(self.ordinals[self.cum(day) + n - 1])

    def is_working(self, day: date) -> bool:
        i = bisect.bisect_left(self.ordinals, day.toordinal())
        return i < len(self.ordinals) and self.ordinals[i] == day.toordinal()

    def next_working(self, day: date) -> date:
        """``day`` if it is a working day, else the next one."""
        i = bisect.bisect_left(self.ordinals, day.toordinal())
        return date.fromordinal(self.ordinals[i])

    def prev_working(self, day: date) -> date:
        """``day`` if it is a working day, else the previous one."""
        i = bisect.bisect_right(self.ordinals, day.toordinal())
        return date.fromordinal(self.ordinals[i - 1])


@lru_cache(maxsize=8)
def england_calendar(first_year: int, last_year: int) -> WorkCalendar:
    """England's working days from 1 January ``first_year`` to 31 December ``last_year``."""
    years = list(range(first_year, last_year + 1))
    bank = set(holidays.country_holidays("GB", subdiv="ENG", years=years).keys())
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    out: list[int] = []
    day = first
    one = timedelta(days=1)
    while day <= last:
        if day.weekday() < 5 and day not in bank:
            out.append(day.toordinal())
        day += one
    return WorkCalendar(first=first, last=last, ordinals=tuple(out))
