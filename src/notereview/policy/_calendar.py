"""The working-day calendar: weekends and England and Wales bank holidays excluded.

Batch scoring asks millions of date questions, so the calendar precomputes, per span of years,
an array of every working day and a running count of working days per calendar day. Every
question is then one or two list look-ups: no holiday-object lookups per call. The span grows
on demand (a date outside it rebuilds the arrays once for a wider span).
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import json
import threading
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError

from notereview.errors import ConfigError

if TYPE_CHECKING:
    from notereview.policy._schema import Interval, Policy

_MIN_YEAR = 1900
_MAX_YEAR = 2200
_MARGIN_YEARS = 10


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months; the day is clamped to the month's last day
    (31 January + 1 month = 28 or 29 February)."""
    y, m0 = divmod(d.month - 1 + months, 12)
    year = d.year + y
    last = _stdlib_calendar.monthrange(year, m0 + 1)[1]
    return date(year, m0 + 1, min(d.day, last))


class _GovUkEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    date: date
    notes: str = ""
    bunting: bool = False


class _GovUkDivision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    division: str
    events: list[_GovUkEvent]


def read_govuk_bank_holidays(path: str | Path, division: str = "england-and-wales") -> list[date]:
    """The bank-holiday dates of ``division`` in a gov.uk bank-holidays JSON file
    (``{"england-and-wales": {"division": ..., "events": [{"title", "date", "notes",
    "bunting"}]}, ...}``). Raises ConfigError if the file is missing or not in that format."""
    file = Path(path)
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"cannot read bank-holidays file {file} ({exc.strerror or type(exc).__name__}); "
            "check calendar.bank_holidays_file in the policy"
        ) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"bank-holidays file {file} is not valid JSON (line {exc.lineno}); "
            "allowed: the gov.uk bank-holidays JSON format"
        ) from None
    if not isinstance(raw, dict) or division not in raw:
        found = ", ".join(sorted(raw)) if isinstance(raw, dict) else "none"
        raise ConfigError(
            f"bank-holidays file {file} has no division {division!r} (found: {found}); "
            "allowed: a gov.uk bank-holidays JSON file, or set calendar.bank_holidays_division"
        )
    try:
        parsed = _GovUkDivision.model_validate(raw[division])
    except ValidationError as exc:
        problems = "; ".join(
            f"{division}." + ".".join(str(p) for p in e["loc"]) + f": {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(
            f"bank-holidays file {file} is not in the gov.uk format: {problems}; allowed keys "
            "per division: division, events; per event: title, date, notes, bunting"
        ) from None
    return sorted({event.date for event in parsed.events})


class _Span(NamedTuple):
    """The precomputed arrays for the calendar days ``base .. base + length - 1`` (ordinals)."""

    base: int
    length: int
    first_year: int
    last_year: int
    is_working: bytes  # 1 where the day is a working day
    count_to: list[int]  # working days in [base, base + i], inclusive
    working_days: list[date]  # every working day in the span, ascending


class WorkingCalendar:
    """Working days: not Saturday or Sunday, and not a bank holiday.

    Bank holidays come from the ``holidays`` package (``country``/``subdiv``; GB/ENG gives the
    England and Wales bank holidays including substitute days and one-off days) unless
    ``use_package`` is false, plus every date in ``extra_holidays`` (for example a gov.uk
    bank-holidays file). Build one from a policy with :meth:`from_policy`.

    Conventions: ``add_working_days(d, n)`` is the date ``n`` working days after ``d`` (``d``
    itself does not count, so the result of ``n > 0`` is always a working day);
    ``working_days_between(a, b)`` counts the working days after ``a`` up to and including
    ``b`` (negative when ``b < a``). They are inverse: for a working day ``d``,
    ``working_days_between(d, add_working_days(d, n)) == n``.
    """

    __slots__ = ("_country", "_extra", "_lock", "_span", "_subdiv", "_use_package", "_years")

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        *,
        country: str = "GB",
        subdiv: str | None = "ENG",
        use_package: bool = True,
    ) -> None:
        self._country = country
        self._subdiv = subdiv
        self._use_package = use_package
        self._extra: frozenset[date] = frozenset(extra_holidays)
        self._lock = threading.Lock()
        self._span: _Span | None = None
        self._years: tuple[int, int] | None = None  # the years the calendar can cover

    @classmethod
    def from_policy(cls, policy: Policy) -> WorkingCalendar:
        """The calendar a policy asks for (``policy.calendar``). Reads the bank-holidays file
        now and checks the country, so a bad setting fails before any scoring."""
        settings = policy.calendar
        extra: list[date] = []
        if settings.bank_holidays_file is not None:
            extra = read_govuk_bank_holidays(
                settings.bank_holidays_file, settings.bank_holidays_division
            )
        cal = cls(
            extra,
            country=settings.holidays_country,
            subdiv=settings.holidays_subdiv,
            use_package=not settings.bank_holidays_file_only,
        )
        cal._package_holidays(2000, 2000)  # fails now on an unknown country or subdivision
        return cal

    def __getstate__(self) -> dict[str, object]:
        # picklable for process pools: everything but the lock (the arrays travel along)
        return {
            "country": self._country,
            "subdiv": self._subdiv,
            "use_package": self._use_package,
            "extra": self._extra,
            "span": self._span,
            "years": self._years,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self._country = state["country"]
        self._subdiv = state["subdiv"]
        self._use_package = state["use_package"]
        self._extra = state["extra"]
        self._span = state["span"]
        self._years = state["years"]
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        source = f"{self._country}/{self._subdiv}" if self._use_package else "file only"
        return f"WorkingCalendar({source}, {len(self._extra)} extra holidays)"

    # -- building -------------------------------------------------------------------------

    def _package_holidays(self, first_year: int, last_year: int) -> set[date]:
        if not self._use_package:
            return set()
        found = self._package_calendar(range(first_year, last_year + 1))
        return set(found.keys())

    def _package_calendar(self, years: range) -> Any:
        import holidays  # imported on first build, not at notereview import time

        try:
            return holidays.country_holidays(self._country, subdiv=self._subdiv, years=years)
        except (NotImplementedError, ValueError) as exc:
            if "subdivision" in str(exc):
                raise ConfigError(
                    f"calendar.holidays_subdiv {self._subdiv!r} is not a subdivision of "
                    f"{self._country!r} in the holidays package; "
                    "allowed for GB: ENG (England and Wales bank holidays), NIR, SCT, WLS"
                ) from None
            raise ConfigError(
                f"calendar.holidays_country {self._country!r} is not known to the holidays "
                "package; allowed: an ISO 3166 country code such as GB"
            ) from None

    def covered_years(self) -> tuple[int, int]:
        """The first and last year the calendar can answer for: where the holidays package
        is used, the years it knows bank holidays for (GB: up to 2100)."""
        if self._years is None:
            first, last = _MIN_YEAR, _MAX_YEAR
            if self._use_package:
                known = self._package_calendar(range(0))
                first = max(first, int(getattr(known, "start_year", first)))
                last = min(last, int(getattr(known, "end_year", last)))
            self._years = (first, last)
        return self._years

    def _build(self, first_year: int, last_year: int) -> _Span:
        closed = self._package_holidays(first_year, last_year) | self._extra
        start = date(first_year, 1, 1)
        base = start.toordinal()
        length = date(last_year, 12, 31).toordinal() - base + 1
        is_working = bytearray(length)
        count_to = [0] * length
        working_days: list[date] = []
        running = 0
        one_day = timedelta(days=1)
        day = start
        for i in range(length):
            if day.weekday() < 5 and day not in closed:
                is_working[i] = 1
                running += 1
                working_days.append(day)
            count_to[i] = running
            day += one_day
        return _Span(base, length, first_year, last_year, bytes(is_working), count_to, working_days)

    def _cover(self, first_year: int, last_year: int) -> _Span:
        """A span covering the given years (rebuilt wider if needed)."""
        min_year, max_year = self.covered_years()
        if first_year < min_year or last_year > max_year:
            raise ValueError(
                f"the working-day calendar covers the years {min_year}-{max_year}; "
                f"asked for {first_year}-{last_year}"
            )
        with self._lock:
            span = self._span
            if span is not None and span.first_year <= first_year and last_year <= span.last_year:
                return span
            lo = first_year - _MARGIN_YEARS
            hi = last_year + _MARGIN_YEARS
            if span is not None:
                lo = min(lo, span.first_year)
                hi = max(hi, span.last_year)
            span = self._build(max(lo, min_year), min(hi, max_year))
            self._span = span
            return span

    def _span_for(self, d: date) -> tuple[_Span, int]:
        span = self._span
        if span is not None:
            i = d.toordinal() - span.base
            if 0 <= i < span.length:
                return span, i
        span = self._cover(d.year, d.year)
        return span, d.toordinal() - span.base

    # -- questions --------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True for a weekday that is not a bank holiday."""
        span, i = self._span_for(d)
        return span.is_working[i] == 1

    def add_working_days(self, d: date, n: int) -> date:
        """The date ``n`` working days after ``d`` (before it for negative ``n``; ``d`` for 0).
        ``d`` need not be a working day: 1 working day after a Saturday is the Monday (or the
        next working day after it)."""
        if n == 0:
            return d
        while True:
            span, i = self._span_for(d)
            k = span.count_to[i]  # working days up to and including d
            j = k + n - 1 if n > 0 else k - span.is_working[i] + n
            if 0 <= j < len(span.working_days):
                return span.working_days[j]
            years = abs(n) // 240 + 1
            if j < 0:
                self._cover(span.first_year - years, span.last_year)
            else:
                self._cover(span.first_year, span.last_year + years)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative (minus the working
        days after ``b`` up to and including ``a``) when ``b < a``; 0 when equal."""
        span = self._span
        if span is not None:
            i = a.toordinal() - span.base
            j = b.toordinal() - span.base
            if 0 <= i < span.length and 0 <= j < span.length:
                return span.count_to[j] - span.count_to[i]
        span = self._cover(min(a.year, b.year), max(a.year, b.year))
        return span.count_to[b.toordinal() - span.base] - span.count_to[a.toordinal() - span.base]

    def next_working_day(self, d: date) -> date:
        """``d`` if it is a working day, else the first working day after it."""
        return d if self.is_working_day(d) else self.add_working_days(d, 1)

    def add_interval(self, d: date, interval: Interval) -> date:
        """``d`` plus a policy interval in its own unit: working days via the calendar,
        days and weeks as calendar days, months as calendar months (day clamped)."""
        unit = interval.unit
        amount = interval.amount
        if unit == "working_days":
            return self.add_working_days(d, amount)
        if unit == "days":
            return d + timedelta(days=amount)
        if unit == "weeks":
            return d + timedelta(weeks=amount)
        return add_months(d, amount)

    def bank_holidays(self, first_year: int, last_year: int) -> list[date]:
        """Every bank holiday that falls on a weekday in the given years (for reports/tests)."""
        span = self._cover(first_year, last_year)
        out: list[date] = []
        start = date(first_year, 1, 1).toordinal() - span.base
        end = date(last_year, 12, 31).toordinal() - span.base
        for i in range(start, end + 1):
            day = date.fromordinal(span.base + i)
            if day.weekday() < 5 and not span.is_working[i]:
                out.append(day)
        return out
