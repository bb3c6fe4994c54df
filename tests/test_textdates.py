from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from notereview.checks._textdates import dates_in

REF = date(2026, 5, 14)  # a Thursday


def _one(text: str) -> date:
    found = dates_in(text, 0, len(text), REF)
    assert len(found) == 1, found
    return found[0][2]


def test_written_dates_resolve_against_the_record_date():
    assert _one("Police were called on 3rd May.") == date(2026, 5, 3)
    assert _one("seen at A&E on 12/03/2026") == date(2026, 3, 12)
    assert _one("went missing last Tuesday") == date(2026, 5, 12)
    assert _one("she was arrested yesterday") == date(2026, 5, 13)
    assert _one("a police call-out at the weekend") == date(2026, 5, 9)
    assert _one("excluded two weeks ago") == date(2026, 4, 30)
    assert _one("on 2026-04-01 a strategy discussion") == date(2026, 4, 1)


def test_a_date_without_year_is_not_in_the_future():
    assert _one("on 20th December") == date(2025, 12, 20)


def test_impossible_dates_are_ignored():
    assert dates_in("on 31/02/2026", 0, 13, REF) == []


@given(st.text(max_size=300))
def test_never_raises_and_offsets_slice(text):
    for start, end, _ in dates_in(text, 0, len(text), REF):
        assert 0 <= start < end <= len(text)
