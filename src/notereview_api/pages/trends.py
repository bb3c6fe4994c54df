"""Practice trends: the share of files meeting each criterion, week by week across runs, by
team (only where enough files), with Focus on Practice weeks and before/after comparisons.
Pure functions over the store's counts; no child, worker or text is involved."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from notereview.store import CriterionShare, FocusWeekInfo
from notereview.triage import wilson_interval
from notereview_api.pages.charts import Band, Series

ALL_TEAMS = ""  # the service as a whole


@dataclass(frozen=True, slots=True)
class Cell:
    met: int
    applicable: int
    shown: bool  # False: fewer files than the minimum (a team's figure is withheld)

    @property
    def share(self) -> float | None:
        if not self.shown or self.applicable == 0:
            return None
        return self.met / self.applicable


@dataclass(frozen=True, slots=True)
class WeekRow:
    week: date  # the Monday of the week
    as_of: date  # the run that stands for the week (the latest in it)
    cells: dict[str, Cell]  # criterion -> counts


@dataclass(frozen=True, slots=True)
class Comparison:
    criterion: str
    before: Cell | None
    after: Cell | None
    before_interval: tuple[float, float] | None
    after_interval: tuple[float, float] | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        b, a = self.before.share, self.after.share
        return None if a is None or b is None else a - b


@dataclass(frozen=True, slots=True)
class FocusComparison:
    week: FocusWeekInfo
    before_as_of: date | None
    after_as_of: date | None
    rows: tuple[Comparison, ...]


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def teams_shown(shares: Iterable[CriterionShare], minimum: int) -> list[str]:
    """Teams with at least ``minimum`` files in their latest run (others are never listed)."""
    latest: dict[str, tuple[date, int, int]] = {}
    for s in shares:
        key = (s.as_of, s.run_id)
        held = latest.get(s.team)
        if held is None or key > held[:2]:
            latest[s.team] = (s.as_of, s.run_id, s.applicable)
        elif key == held[:2]:
            latest[s.team] = (s.as_of, s.run_id, max(held[2], s.applicable))
    return sorted(team for team, (_, _, files) in latest.items() if files >= minimum)


def weekly(shares: Iterable[CriterionShare], theme: str, team: str, minimum: int) -> list[WeekRow]:
    """One row per week (the latest run of the week), the theme's criteria as cells; a team's
    cell with fewer than ``minimum`` applicable files is withheld."""
    runs: dict[tuple[date, int], dict[str, list[int]]] = {}
    for s in shares:
        if s.theme != theme or (team != ALL_TEAMS and s.team != team):
            continue
        counts = runs.setdefault((s.as_of, s.run_id), {}).setdefault(s.criterion, [0, 0])
        counts[0] += s.met
        counts[1] += s.applicable
    by_week: dict[date, tuple[date, int]] = {}
    for as_of, run_id in runs:
        week = monday(as_of)
        if week not in by_week or (as_of, run_id) > by_week[week]:
            by_week[week] = (as_of, run_id)
    rows = []
    for week in sorted(by_week):
        key = by_week[week]
        cells = {
            criterion: Cell(m, a, team == ALL_TEAMS or a >= minimum)
            for criterion, (m, a) in sorted(runs[key].items())
        }
        rows.append(WeekRow(week, key[0], cells))
    return rows


def series(
    rows: Sequence[WeekRow], criteria: Sequence[str], titles: dict[str, str]
) -> list[Series]:
    return [
        Series(
            label=_short(f"{c} {titles.get(c, '')}", 52),
            points=tuple(
                (row.week, row.cells[c].share if c in row.cells else None) for row in rows
            ),
        )
        for c in criteria
    ]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bands(weeks: Iterable[FocusWeekInfo]) -> list[Band]:
    return [Band(w.starts_on, w.ends_on, w.title) for w in weeks]


def _interval(cell: Cell | None) -> tuple[float, float] | None:
    if cell is None or cell.share is None:
        return None
    return wilson_interval(cell.share, cell.applicable)


def compare(
    rows: Sequence[WeekRow], week: FocusWeekInfo, criteria: Sequence[str]
) -> FocusComparison:
    """The last run before the week began against the latest run after it ended, per criterion,
    each share with its 95% Wilson interval."""
    before = [r for r in rows if r.as_of < week.starts_on]
    after = [r for r in rows if r.as_of > week.ends_on]
    b = before[-1] if before else None
    a = after[-1] if after else None
    result = []
    for c in criteria:
        bc = b.cells.get(c) if b else None
        ac = a.cells.get(c) if a else None
        result.append(Comparison(c, bc, ac, _interval(bc), _interval(ac)))
    return FocusComparison(
        week=week,
        before_as_of=b.as_of if b else None,
        after_as_of=a.as_of if a else None,
        rows=tuple(result),
    )
