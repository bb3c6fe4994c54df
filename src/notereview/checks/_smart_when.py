"""The when of a plan action, read from its text: a date, a timescale ("within 10 working days",
"by the next review"), a frequency ("every Thursday") or a milestone; for ``checks._smart``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from notereview.checks._smart_clauses import Found, _phrase_re, _Rx, _rx
from notereview.checks._smart_fields import smart_fields

# ---------------------------------------------------------------------------- when


@dataclass(frozen=True)
class _TimeReaders:
    frequency: _Rx
    milestone: re.Pattern[str]  # case matters: a name opens "until Ava is two"
    within: _Rx
    relative: _Rx
    anchored: _Rx
    past_before: _Rx
    recurring: _Rx
    calendar_unit: _Rx


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|fri"
)


def _alts(words: list[str]) -> str:
    return "|".join(_phrase_re(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _time_readers() -> _TimeReaders:
    ts = smart_fields().timescales
    numbers = _alts(list(ts.number_words)) + r"|\d{1,3}"
    units = _alts(ts.units)
    markers = _alts(ts.markers)
    starts = _alts(ts.start_markers)
    qualifier = (
        rf"(?:(?:the|her|his|their|next|first|second|final|initial|midway|following|upcoming|"
        rf"planned|{_MONTHS}|20\d\d)\s+)"
    )
    point = rf"(?:{_alts(ts.review_points)})"
    period = rf"(?:(?:{_MONTHS})\s+)?(?:{_alts(ts.periods)})"
    calendar = rf"(?:{period}|(?:{_MONTHS})\b(?:\s+20\d\d)?|(?:{_WEEKDAYS})\b)"
    anchored = (
        rf"\b(?:(?:{markers})\s+{qualifier}*(?:{point}|{calendar})"
        rf"|(?:{starts})\s+{qualifier}*{calendar})(?=\W|$)"
    )
    past = _alts(ts.past_markers)
    adjacent = _alts(ts.past_markers_adjacent)
    return _TimeReaders(
        frequency=_rx("|".join(rf"\b(?:{p})" for p in ts.frequency_patterns)),
        milestone=re.compile("|".join(rf"\b(?:{p})" for p in ts.milestone_patterns)),
        within=_rx(
            rf"\b(?:(?:within|in|after|over|for|inside)\s+(?:the\s+next\s+|the\s+first\s+)?"
            rf"(?:{numbers})\s+(?:working\s+|calendar\s+|school\s+|clear\s+)?(?:{units})\b"
            rf"|(?:{numbers})\s+(?:working\s+|calendar\s+|school\s+)?(?:{units})\s+"
            rf"(?:after|before|from|of)\b"
            rf"|(?:within|after)\s+(?:the\s+)?(?:first|next)\s+(?:{units})\b)"
        ),
        relative=_rx(
            r"\b(?:(?:the\s+)?same\s+(?:day|week)|that\s+(?:day|week)|(?:the\s+)?next\s+"
            r"(?:day|working\s+day)|within\s+(?:the\s+)?(?:hour|day|week|month|fortnight))\b"
        ),
        anchored=_rx(anchored),
        past_before=_rx(rf"\b(?:(?:{past})\W*(?:\w+\W+){{0,2}}|(?:{adjacent})\W*)$"),
        recurring=_rx(r"\b(?:every|each|all|any)\b"),
        calendar_unit=_rx(
            rf"\b(?:day|week|fortnight|month|term|year|morning|evening|night|{_WEEKDAYS})"
        ),
    )


_MONTH_NUMBER = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
#: A calendar date written out (the absolute forms of notereview.checks._textdates, in lower
#: case): 30/10, 30/10/2026, 2026-10-30, 30th October (2026), October 30.
_ABSOLUTE_DATE = _rx(
    rf"(?<![\d/])(?P<d1>\d{{1,2}})/(?P<m1>\d{{1,2}})(?:/(?P<y1>\d{{2,4}}))?(?![\d/])"
    rf"|\b(?P<y2>(?:19|20)\d\d)-(?P<m2>\d\d)-(?P<d2>\d\d)\b"
    rf"|\b(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m3>{_MONTH_NAMES})\b\.?"
    rf"(?:\s+(?P<y3>20\d\d))?"
    rf"|\b(?P<m4>{_MONTH_NAMES})\.?\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\b"
)


_DIGIT = re.compile(r"\d")


def _calendar_date(m: re.Match[str]) -> date | None:
    """The date a match stands for (a year-less one in a leap year, so 29/02 is a date), or
    None when there is no such day (31/02)."""
    g = m.groupdict()
    if g["d1"]:
        day, month, year = int(g["d1"]), int(g["m1"]), g["y1"]
    elif g["y2"]:
        day, month, year = int(g["d2"]), int(g["m2"]), g["y2"]
    elif g["d3"]:
        day, month, year = int(g["d3"]), _MONTH_NUMBER[g["m3"].lower()], g["y3"]
    else:
        day, month, year = int(g["d4"]), _MONTH_NUMBER[g["m4"].lower()], None
    y = int(year) if year else 2024
    try:
        return date(y + 2000 if y < 100 else y, month, day)
    except ValueError:
        return None


def _written_dates(text: str, low: str, plan_start: date) -> Found | None:
    """The first written date that can be a deadline: not "24/7", not a past reference ("sent
    02/02", "agreed at the last meeting on 11/01/2027") and, where it has a year, not before
    the plan began."""
    r = _time_readers()
    if _DIGIT.search(text) is None:
        return None  # every form of a written date has a number in it
    for m in _ABSOLUTE_DATE.finditer(text, low):
        day = _calendar_date(m)
        if m.group() == "24/7" or day is None:
            continue
        if (m.group("y1") or m.group("y2") or m.group("y3")) and day < plan_start:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        if r.past_before.search(before) is not None:
            continue
        return Found(m.start(), m.end(), "date")
    return None


def when_in_text(text: str, reference: date) -> Found | None:
    """Where the text says when, the first kind found of: a written date that is not a past
    reference (nor, with its year, before ``reference``, the plan's start); a timescale
    ("within 10 working days", "after twelve weeks"); a calendar frequency ("every Thursday");
    a point in the plan's life ("before the next review", "at the panel meeting") or the child's
    ("before her 18th birthday"). Vague time ("ASAP", "ongoing", "in the coming weeks", "at
    every visit") is none of these."""
    r = _time_readers()
    low = text.lower()
    if (d := _written_dates(text, low, reference)) is not None:
        return d
    readers: tuple[tuple[str, _Rx | re.Pattern[str]], ...] = (
        ("within", r.within),
        ("frequency", r.frequency),
        ("review_point", r.anchored),
        ("milestone", r.milestone),
        ("relative", r.relative),
    )
    for rule, rx in readers:
        m = rx.search(text, low) if isinstance(rx, _Rx) else rx.search(text)
        if m is None or _recurring_event(m.group()):
            continue
        if rule == "review_point" and r.past_before.search(
            text[max(0, m.start() - 40) : m.start()]
        ):
            continue  # "agreed at the last meeting": where it came from, not when it is due
        return Found(m.start(), m.end(), rule)
    return None


def _recurring_event(said: str) -> bool:
    """ "at every visit", "at each handover": tied to events, not to the calendar."""
    r = _time_readers()
    return r.recurring.search(said) is not None and r.calendar_unit.search(said) is None
