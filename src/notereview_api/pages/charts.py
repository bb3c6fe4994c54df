"""Charts as inline SVG, drawn on the server by hand: no script, no style attribute (the pages'
Content-Security-Policy allows neither), presentation attributes only, every text escaped.
Each chart carries a <title> and <desc>; the page shows the same figures as a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

# Colour-blind-safe (Okabe-Ito), each also with its own marker shape.
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "circle", "square")
INK = "#0b0c0c"
GRID = "#b1b4b6"
FOCUS_FILL = "#ffdd00"
OVERDUE = "#d4351c"
ON_TIME = "#00703c"


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: tuple[tuple[date, float | None], ...]  # None: not shown (too few files)


@dataclass(frozen=True, slots=True)
class Band:
    start: date
    end: date
    label: str


def _f(x: float) -> str:
    return f"{x:.1f}"


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{_f(x - 4)}" y="{_f(y - 4)}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        pts = f"{_f(x)},{_f(y - 5)} {_f(x - 5)},{_f(y + 4)} {_f(x + 5)},{_f(y + 4)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    if shape == "diamond":
        pts = f"{_f(x)},{_f(y - 5)} {_f(x + 5)},{_f(y)} {_f(x)},{_f(y + 5)} {_f(x - 5)},{_f(y)}"
        return f'<polygon points="{pts}" fill="{colour}"/>'
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4.5" fill="{colour}"/>'


def _svg(width: int, height: int, chart_id: str, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="Arial, sans-serif" font-size="12">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def trend_chart(
    series: Sequence[Series],
    bands: Sequence[Band],
    chart_id: str,
    title: str,
    width: int = 760,
    height: int = 300,
) -> Markup:
    """Shares (0..1) over time, one line and marker shape per series, Focus on Practice weeks
    as shaded bands. A gap in a line is a week with too few files to show."""
    legend_rows = (len(series) + 1) // 2
    left, right, top, bottom = 48, 40, 16, 44 + 18 * legend_rows
    height += 18 * max(legend_rows - 1, 0)
    days = [d for s in series for d, _ in s.points] + [d for b in bands for d in (b.start, b.end)]
    desc = "Share of files meeting each criterion, week by week. The table below has the figures."
    if not days:
        return _svg(width, height, chart_id, title, "No runs to show yet.", [])
    first, last = min(days), max(days)
    if first == last:
        first, last = first - timedelta(days=7), last + timedelta(days=7)
    span = (last - first).days
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(d: date) -> float:
        return left + plot_w * (d - first).days / span

    def y(share: float) -> float:
        return top + plot_h * (1.0 - share)

    body: list[str] = []
    for band in bands:
        x0, x1 = x(band.start), max(x(band.end + timedelta(days=1)), x(band.start) + 3)
        body.append(
            f'<rect x="{_f(x0)}" y="{top}" width="{_f(x1 - x0)}" height="{plot_h}" '
            f'fill="{FOCUS_FILL}" fill-opacity="0.45"><title>{escape(band.label)}</title></rect>'
        )
        short = band.label if len(band.label) <= 30 else band.label[:29] + "…"
        body.append(
            f'<text x="{_f(x0 + 2)}" y="{top + 12}" fill="{INK}" font-size="11">'
            f"{escape(short)}</text>"
        )
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_f(y(tick))}" y2="{_f(y(tick))}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_f(y(tick) + 4)}" text-anchor="end" fill="{INK}">'
            f"{int(tick * 100)}%</text>"
        )
    ticks = sorted({d for s in series for d, _ in s.points})
    step = max(1, len(ticks) // 8)
    for d in ticks[::step]:
        body.append(
            f'<text x="{_f(x(d))}" y="{top + plot_h + 16}" text-anchor="middle" fill="{INK}">'
            f"{d.strftime('%d %b')}</text>"
        )
    for i, s in enumerate(series):
        colour, shape = PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]
        run: list[str] = []
        for d, share in [*list(s.points), (last, None)]:
            if share is None:
                if len(run) > 1:
                    body.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                        'stroke-width="2.5"/>'
                    )
                run = []
                continue
            run.append(f"{_f(x(d))},{_f(y(share))}")
        for d, share in s.points:
            if share is not None:
                body.append(_marker(shape, x(d), y(share), colour))
        lx = left + (i % 2) * (plot_w / 2)
        ly = top + plot_h + 40 + (i // 2) * 18
        body.append(_marker(shape, lx + 5, ly - 4, colour))
        body.append(f'<text x="{_f(lx + 14)}" y="{_f(ly)}" fill="{INK}">{escape(s.label)}</text>')
    return _svg(width, height, chart_id, title, desc, body)


@dataclass(frozen=True, slots=True)
class DueStretch:
    start: date
    due: date
    closed_by: date | None
    overdue: bool


def visit_timeline(
    visits: Sequence[tuple[date, bool]],
    stretches: Sequence[DueStretch],
    window_start: date,
    as_of: date,
    chart_id: str = "timeline",
    width: int = 760,
    height: int = 130,
) -> Markup:
    """Visits (filled: the child was seen; hollow: not seen), due dates (ticks) and overdue gaps
    (red bars from the due date to the visit that closed it, or to as-of)."""
    left, right = 16, 16
    first = min([window_start, *(d for d, _ in visits), *(s.start for s in stretches)])
    last = max([as_of, *(s.due for s in stretches)])
    span = max((last - first).days, 1)
    plot_w = width - left - right
    axis = 70

    def x(d: date) -> float:
        return left + plot_w * (d - first).days / span

    body = [f'<line x1="{left}" x2="{left + plot_w}" y1="{axis}" y2="{axis}" stroke="{INK}"/>']
    for s in stretches:
        end = s.closed_by or as_of
        if s.overdue and end > s.due:
            body.append(
                f'<rect x="{_f(x(s.due))}" y="{axis - 24}" width="{_f(max(x(end) - x(s.due), 2))}"'
                f' height="12" fill="{OVERDUE}"><title>overdue from {s.due.isoformat()} to '
                f"{end.isoformat()}</title></rect>"
            )
        body.append(
            f'<line x1="{_f(x(s.due))}" x2="{_f(x(s.due))}" y1="{axis - 30}" y2="{axis + 8}" '
            f'stroke="{INK}" stroke-dasharray="3,2"><title>due {s.due.isoformat()}</title></line>'
        )
    for d, seen in visits:
        fill = ON_TIME if seen else "#ffffff"
        body.append(
            f'<circle cx="{_f(x(d))}" cy="{axis}" r="6" fill="{fill}" stroke="{ON_TIME}" '
            f'stroke-width="2"><title>visit {d.isoformat()}{"" if seen else " (not seen)"}'
            "</title></circle>"
        )
    for d, label in ((first, first.strftime("%d %b %Y")), (as_of, f"as of {as_of:%d %b %Y}")):
        anchor = "start" if d == first else "end"
        body.append(
            f'<text x="{_f(x(d))}" y="{axis + 28}" text-anchor="{anchor}" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    legend = (
        f'<circle cx="{left + 6}" cy="14" r="5" fill="{ON_TIME}"/>'
        f'<text x="{left + 16}" y="18" fill="{INK}">visit, child seen</text>'
        f'<line x1="{left + 140}" x2="{left + 140}" y1="6" y2="22" stroke="{INK}" '
        'stroke-dasharray="3,2"/>'
        f'<text x="{left + 148}" y="18" fill="{INK}">due date</text>'
        f'<rect x="{left + 220}" y="8" width="18" height="10" fill="{OVERDUE}"/>'
        f'<text x="{left + 244}" y="18" fill="{INK}">overdue gap</text>'
        f'<circle cx="{left + 340}" cy="14" r="5" fill="#ffffff" stroke="{ON_TIME}" '
        'stroke-width="2"/>'
        f'<text x="{left + 350}" y="18" fill="{INK}">visit, child not seen</text>'
    )
    body.append(legend)
    desc = (
        f"{len(visits)} visits; {sum(1 for s in stretches if s.overdue)} overdue gaps. "
        "The list below gives every due date."
    )
    return _svg(width, height, chart_id, "Visit timeline", desc, body)
