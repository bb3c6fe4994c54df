"""Dates written in record text ("on 3rd May", "12/03/2026", "last Tuesday", "yesterday"),
resolved against the record's own date. Used to date significant events for H2."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}  # fmt: skip
_WEEKDAYS = {
    d: i
    for i, names in enumerate(
        [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
         ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"),
         ("sunday", "sun")]
    )
    for d in names
}  # fmt: skip

_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))

DATE_PATTERN = re.compile(
    rf"""
    (?P<dmy>\b(?P<d1>\d{{1,2}})/(?P<m1>\d{{1,2}})(?:/(?P<y1>\d{{2,4}}))?\b)
  | (?P<iso>\b(?P<y2>20\d\d)-(?P<m2>\d\d)-(?P<d2>\d\d)\b)
  | (?P<dm>\b(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m3>{_MONTH_RE})\.?
      (?:\s+(?P<y3>20\d\d))?\b)
  | (?P<md>\b(?P<m4>{_MONTH_RE})\.?\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\b)
  | (?P<rel>\b(?P<lastthis>last|this\s+past|on)\s+(?P<wd>{_DAY_RE})\b)
  | (?P<yday>\byesterday\b)
  | (?P<wkend>\b(?:at\s+|over\s+)?the\s+weekend\b|\blast\s+weekend\b)
  | (?P<ago>\b(?P<n>\d{{1,2}}|a|one|two|three)\s+(?P<unit>days?|weeks?)\s+ago\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)

_SMALL = {"a": 1, "one": 1, "two": 2, "three": 3}


def _year_for(month: int, day: int, ref: date, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(ref.year, month, day)
    except ValueError:
        return None
    # A date written without a year is the most recent such date not after the record.
    if candidate > ref + timedelta(days=7):
        try:
            candidate = date(ref.year - 1, month, day)
        except ValueError:
            return None
    return candidate


def resolve(match: re.Match[str], ref: date) -> date | None:
    """The calendar date a DATE_PATTERN match stands for, given the record's date."""
    g = match.groupdict()
    if g["dmy"]:
        year = None
        if g["y1"]:
            year = int(g["y1"])
            year = year + 2000 if year < 100 else year
        return _year_for(int(g["m1"]), int(g["d1"]), ref, year)
    if g["iso"]:
        try:
            return date(int(g["y2"]), int(g["m2"]), int(g["d2"]))
        except ValueError:
            return None
    if g["dm"]:
        year = int(g["y3"]) if g["y3"] else None
        return _year_for(_MONTHS[g["m3"].lower()], int(g["d3"]), ref, year)
    if g["md"]:
        return _year_for(_MONTHS[g["m4"].lower()], int(g["d4"]), ref, None)
    if g["rel"]:
        target = _WEEKDAYS[g["wd"].lower()]
        back = (ref.weekday() - target) % 7 or 7
        return ref - timedelta(days=back)
    if g["yday"]:
        return ref - timedelta(days=1)
    if g["wkend"]:
        back = (ref.weekday() - 5) % 7 or 7  # the Saturday before
        return ref - timedelta(days=back)
    if g["ago"]:
        n = g["n"].lower()
        count = int(n) if n.isdigit() else _SMALL[n]
        days = count * (7 if g["unit"].lower().startswith("week") else 1)
        return ref - timedelta(days=days)
    return None


def dates_in(text: str, start: int, end: int, ref: date) -> list[tuple[int, int, date]]:
    """Every resolvable date written in text[start:end], with its offsets."""
    found = []
    for m in DATE_PATTERN.finditer(text, start, end):
        d = resolve(m, ref)
        if d is not None:
            found.append((m.start(), m.end(), d))
    return found
