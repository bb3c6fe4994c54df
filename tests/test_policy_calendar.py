"""The working-day calendar: weekends, England and Wales bank holidays, gov.uk override file."""

from __future__ import annotations

import json
import pickle
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notereview.errors import ConfigError
from notereview.policy import (
    Interval,
    WorkingCalendar,
    add_months,
    load_policy,
    read_govuk_bank_holidays,
)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.from_policy(load_policy())


_SHARED_CAL: list[WorkingCalendar] = []


def _shared_cal() -> WorkingCalendar:
    if not _SHARED_CAL:
        _SHARED_CAL.append(WorkingCalendar())
    return _SHARED_CAL[0]


@lru_cache(maxsize=1)
def _naive_closed_days() -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=range(2019, 2032)))


def _naive_is_working(d: date) -> bool:
    return d.weekday() < 5 and d not in _naive_closed_days()


def _naive_between(a: date, b: date) -> int:
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    count = 0
    day = a + timedelta(days=1)
    while day <= b:
        count += _naive_is_working(day)
        day += timedelta(days=1)
    return sign * count


def _write_govuk(path: Path, events: list[dict[str, object]]) -> Path:
    path.write_text(
        json.dumps(
            {
                "england-and-wales": {"division": "england-and-wales", "events": events},
                "scotland": {"division": "scotland", "events": []},
            }
        ),
        encoding="utf-8",
    )
    return path


# -- the holidays package gives England and Wales bank holidays -----------------------------


def test_gb_eng_subdivision_is_england_and_wales_bank_holidays_with_substitutes() -> None:
    found = holidays.country_holidays("GB", subdiv="ENG", years=[2022, 2023, 2026, 2027])
    for day in (
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # Early May bank holiday
        date(2026, 8, 31),  # Summer bank holiday (England and Wales, not Scotland's)
        date(2026, 12, 28),  # Boxing Day substitute (26 Dec 2026 is a Saturday)
        date(2027, 12, 27),  # Christmas Day substitute
        date(2027, 12, 28),  # Boxing Day substitute
        date(2022, 6, 3),  # Platinum Jubilee one-off
        date(2022, 9, 19),  # State funeral one-off
        date(2023, 5, 8),  # Coronation one-off
    ):
        assert day in found, day
    assert date(2026, 1, 2) not in found  # Scotland's 2 January is not an E&W bank holiday
    assert date(2026, 8, 3) not in found  # Scotland's summer holiday neither


def test_weekends_and_bank_holidays_are_not_working_days(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(date(2026, 4, 2))  # Thursday before Easter
    assert not cal.is_working_day(date(2026, 4, 3))  # Good Friday
    assert not cal.is_working_day(date(2026, 4, 4))  # Saturday
    assert not cal.is_working_day(date(2026, 4, 5))  # Sunday
    assert not cal.is_working_day(date(2026, 4, 6))  # Easter Monday
    assert cal.is_working_day(date(2026, 4, 7))
    assert not cal.is_working_day(date(2026, 12, 28))  # substitute day
    assert cal.bank_holidays(2026, 2026) == [
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),
    ]


def test_add_working_days_skips_weekends_and_holidays(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert cal.add_working_days(date(2026, 3, 13), 3) == date(2026, 3, 18)  # Fri -> Wed
    assert cal.add_working_days(date(2026, 3, 14), 1) == date(2026, 3, 16)  # Sat -> Mon
    assert cal.add_working_days(date(2026, 3, 16), 0) == date(2026, 3, 16)
    assert cal.add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)
    assert cal.add_working_days(date(2026, 3, 14), -1) == date(2026, 3, 13)  # Sat -> Fri
    assert cal.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_working_days_between_counts_after_a_up_to_and_including_b(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(date(2026, 3, 13), date(2026, 3, 18)) == 3
    assert cal.working_days_between(date(2026, 3, 18), date(2026, 3, 13)) == -3
    assert cal.working_days_between(date(2026, 3, 13), date(2026, 3, 13)) == 0
    assert cal.working_days_between(date(2026, 4, 2), date(2026, 4, 6)) == 0
    # 2026: 261 weekdays, 8 bank holidays on weekdays (1 January among them)
    assert cal.working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 261 - 8


def test_add_interval_in_every_unit(cal: WorkingCalendar) -> None:
    start = date(2026, 1, 30)
    assert cal.add_interval(start, Interval(working_days=2)) == date(2026, 2, 3)
    assert cal.add_interval(start, Interval(days=42)) == date(2026, 3, 13)
    assert cal.add_interval(start, Interval(weeks=1)) == date(2026, 2, 6)
    assert cal.add_interval(start, Interval(months=1)) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_calendar_grows_to_far_dates() -> None:
    cal = WorkingCalendar()
    assert cal.is_working_day(date(2026, 3, 16))
    assert not cal.is_working_day(date(1975, 12, 25))
    assert not cal.is_working_day(date(2090, 12, 25))
    assert cal.add_working_days(date(2026, 1, 1), 5000) > date(2045, 1, 1)
    far = cal.working_days_between(date(1960, 1, 1), date(2100, 1, 1))
    assert 140 * 250 < far < 140 * 262
    # beyond the years the holidays package knows, the calendar refuses rather than guesses
    assert cal.covered_years() == (1900, 2100)
    with pytest.raises(ValueError, match="covers the years 1900-2100"):
        cal.is_working_day(date(2150, 12, 25))
    with pytest.raises(ValueError, match="covers the years"):
        cal.add_working_days(date(2100, 12, 1), 100)


def test_calendar_pickles_for_process_pools(cal: WorkingCalendar) -> None:
    cal.is_working_day(date(2026, 1, 5))
    copy = pickle.loads(pickle.dumps(cal))
    assert not copy.is_working_day(date(2026, 4, 6))
    assert copy.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert not copy.is_working_day(date(2090, 12, 25))  # and it can still grow


# -- gov.uk override file -------------------------------------------------------------------


def test_govuk_file_adds_a_one_off_bank_holiday(tmp_path: Path) -> None:
    file = _write_govuk(
        tmp_path / "bank-holidays.json",
        [
            {
                "title": "Bank holiday for a coronation",
                "date": "2026-06-15",
                "notes": "",
                "bunting": True,
            }
        ],
    )
    council = tmp_path / "council.yaml"
    council.write_text("calendar:\n  bank_holidays_file: bank-holidays.json\n", encoding="utf-8")
    policy = load_policy(council)
    assert policy.calendar.bank_holidays_file == file.resolve()
    cal = WorkingCalendar.from_policy(policy)
    assert not cal.is_working_day(date(2026, 6, 15))
    assert not cal.is_working_day(date(2026, 4, 6))  # the package's holidays still apply
    # Friday 12 June + 1 working day skips the extra Monday
    assert cal.add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 16)
    default = WorkingCalendar.from_policy(load_policy())
    assert default.is_working_day(date(2026, 6, 15))
    assert policy.fingerprint() != load_policy().fingerprint()


def test_govuk_file_can_be_the_only_source(tmp_path: Path) -> None:
    _write_govuk(
        tmp_path / "bh.json",
        [{"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": True}],
    )
    council = tmp_path / "council.yaml"
    council.write_text(
        "calendar:\n  bank_holidays_file: bh.json\n  bank_holidays_file_only: true\n",
        encoding="utf-8",
    )
    cal = WorkingCalendar.from_policy(load_policy(council))
    assert not cal.is_working_day(date(2026, 12, 25))
    assert cal.is_working_day(date(2026, 4, 6))  # Easter Monday is not in the file


def test_govuk_file_in_the_wrong_shape_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bh.json"
    bad.write_text(json.dumps({"england-and-wales": {"division": "x", "events": [{"day": 1}]}}))
    with pytest.raises(ConfigError, match=r"gov\.uk format"):
        read_govuk_bank_holidays(bad)
    with pytest.raises(ConfigError, match="no division 'northern-ireland'"):
        read_govuk_bank_holidays(bad, "northern-ireland")
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        read_govuk_bank_holidays(bad)


def test_unknown_holidays_country_is_a_config_error(tmp_path: Path) -> None:
    council = tmp_path / "council.yaml"
    council.write_text("calendar:\n  holidays_country: XX\n  holidays_subdiv: null\n")
    with pytest.raises(ConfigError, match="holidays_country"):
        WorkingCalendar.from_policy(load_policy(council))
    council.write_text("calendar:\n  holidays_subdiv: XX\n")
    with pytest.raises(ConfigError, match="holidays_subdiv 'XX'"):
        WorkingCalendar.from_policy(load_policy(council))


# -- properties against a naive day-by-day count ---------------------------------------------

_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(a=_dates, b=_dates)
def test_working_days_between_agrees_with_naive_count(a: date, b: date) -> None:
    cal = _shared_cal()
    assert cal.working_days_between(a, b) == _naive_between(a, b)
    assert cal.working_days_between(b, a) == -cal.working_days_between(a, b)
    assert cal.is_working_day(a) == _naive_is_working(a)


@settings(max_examples=300, deadline=None)
@given(d=_dates, n=st.integers(min_value=-400, max_value=400))
def test_add_working_days_is_inverse_of_working_days_between(d: date, n: int) -> None:
    cal = _shared_cal()
    result = cal.add_working_days(d, n)
    if n > 0:
        assert cal.is_working_day(result)
        assert cal.working_days_between(d, result) == n
        # the first date with n working days after d: the day before has one fewer
        assert cal.working_days_between(d, result - timedelta(days=1)) == n - 1
    if cal.is_working_day(d):
        assert cal.working_days_between(d, result) == n
        assert cal.add_working_days(result, -n) == d
    if n < 0:
        assert cal.is_working_day(result)
        assert result < d


@settings(max_examples=200, deadline=None)
@given(
    d=_dates, m=st.integers(min_value=0, max_value=300), k=st.integers(min_value=0, max_value=300)
)
def test_add_working_days_and_between_are_monotone(d: date, m: int, k: int) -> None:
    cal = _shared_cal()
    lo, hi = sorted((m, k))
    assert cal.add_working_days(d, lo) <= cal.add_working_days(d, hi)
    e1, e2 = sorted((d + timedelta(days=m), d + timedelta(days=k)))
    assert cal.working_days_between(d, e1) <= cal.working_days_between(d, e2)
    naive = d
    for _ in range(min(hi, 40)):
        naive += timedelta(days=1)
        while not _naive_is_working(naive):
            naive += timedelta(days=1)
    assert cal.add_working_days(d, min(hi, 40)) == naive
