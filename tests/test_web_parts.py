"""The pages' pure parts: evidence marking, SVG charts and the trends arithmetic."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from notereview.store import CriterionShare, FocusWeekInfo
from notereview_api.pages.charts import Band, DueStretch, Series, trend_chart, visit_timeline
from notereview_api.pages.highlight import Span, locate, mark_text, place_evidence
from notereview_api.pages.trends import ALL_TEAMS, compare, monday, teams_shown, weekly


def _plain(html: str) -> str:
    """The text back out of marked HTML (tags dropped, entities undone)."""
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&#34;", '"'), ("&#39;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&")


def test_marks_wrap_spans_and_escape_everything() -> None:
    text = 'Mum said <script>alert("x")</script>. Kai told me "I miss Sam" & smiled.'
    start = text.index("Kai")
    end = text.index("smiled") - 3
    marked = mark_text(text, [Span(start, end, "C1", "the child's words <b>", "ev-1")])
    html = str(marked.html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<mark id="ev-1" class="evidence"' in html
    assert "the child&#39;s words &lt;b&gt;" in html
    assert _plain(html) == text


def test_overlapping_spans_are_split_and_every_anchor_kept() -> None:
    text = "Kai told me he misses his brother and wants to see him."
    spans = [
        Span(0, 33, "C1", "words", "ev-1"),
        Span(12, 55, "C2", "wishes", "ev-2"),
        Span(0, 33, "V5", "analysis", "ev-3"),
    ]
    html = str(mark_text(text, spans).html)
    assert html.count("<mark") == 3  # [0,12) [12,33) [33,55)
    for anchor in ("ev-1", "ev-2", "ev-3"):
        assert f'id="{anchor}"' in html
    assert 'data-criteria="C1 C2 V5"' in html
    assert _plain(html) == text


def test_evidence_is_found_by_its_quote_when_the_offsets_are_wrong() -> None:
    text = "Visited at home. Kai said he likes school."
    assert locate(text, 17, 41, "Kai said he likes school") == (17, 41)
    assert locate(text, 0, 5, "Kai said") == (17, 25)  # offsets do not hold the quote
    assert locate(text, "x", None, "likes school") == (29, 41)
    assert locate(text, 0, 3, "not in the text") is None
    spans, refs = place_evidence(
        [
            ("C1", [{"table": "visits", "record_id": "V1", "start": 0, "end": 5, "quote": "Kai"}]),
            ("V1", [{"table": "visits", "record_id": "V1", "start": 0, "end": 0, "quote": ""}]),
            ("C2", [{"table": "visits", "record_id": "V9", "start": 0, "end": 3, "quote": "Kai"}]),
            ("S1", ["not a dict"]),
        ],
        {("visits", "V1"): text},
    )
    assert [(s.start, s.end, s.label) for s in spans[("visits", "V1")]] == [(17, 20, "C1")]
    assert refs["C1"][0].anchor == "ev-1"
    assert refs["V1"][0].anchor is None and refs["C2"][0].anchor is None
    assert "S1" not in refs


@given(
    st.text(min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6),
)
def test_marking_never_changes_or_loses_the_text(text: str, offsets: list) -> None:
    spans = [Span(a, b, "C1", "why", f"ev-{i}") for i, (a, b) in enumerate(offsets)]
    html = str(mark_text(text, spans).html)
    assert _plain(html) == text
    assert html.count("<mark") == html.count("</mark>")


def test_charts_are_plain_svg_with_escaped_labels() -> None:
    day = date(2026, 3, 2)
    chart = str(
        trend_chart(
            [
                Series(
                    "C1 <words>",
                    ((day, 0.4), (day + timedelta(7), None), (day + timedelta(14), 0.6)),
                ),
                Series("C2", ((day, 0.2), (day + timedelta(7), 0.3), (day + timedelta(14), 0.5))),
            ],
            [Band(day + timedelta(3), day + timedelta(5), "Voice & week")],
            "t",
            "Voice",
        )
    )
    assert chart.startswith("<svg") and chart.endswith("</svg>")
    assert "style" not in chart and "<script" not in chart
    assert "C1 &lt;words&gt;" in chart and "Voice &amp; week" in chart
    assert chart.count("<polyline") == 1  # C1 has a gap, so only C2 draws a line
    assert 'role="img"' in chart and "<title" in chart and "<desc" in chart
    empty = str(trend_chart([], [], "e", "Nothing"))
    assert "No runs" in empty
    timeline = str(
        visit_timeline(
            [(day, True), (day + timedelta(30), False)],
            [DueStretch(day, day + timedelta(14), day + timedelta(40), True)],
            day - timedelta(10),
            day + timedelta(50),
        )
    )
    assert "overdue from 2026-03-16" in timeline and "(not seen)" in timeline


def _share(
    run: int, as_of: date, team: str, criterion: str, met: int, applicable: int
) -> CriterionShare:
    return CriterionShare(run, as_of, team, criterion, "voice", met, applicable)


def test_trends_weekly_minimum_and_before_after() -> None:
    w1, w2, w3 = date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30)
    shares = [
        _share(1, w1, "North", "C1", 5, 12),
        _share(1, w1, "South", "C1", 1, 4),
        _share(2, w2 + timedelta(2), "North", "C1", 6, 12),
        _share(2, w2 + timedelta(2), "South", "C1", 2, 4),
        _share(3, w2 + timedelta(3), "North", "C1", 7, 12),  # same week: the later run wins
        _share(3, w2 + timedelta(3), "South", "C1", 2, 4),
        _share(4, w3, "North", "C1", 10, 12),
        _share(4, w3, "South", "C1", 4, 4),
    ]
    assert teams_shown(shares, 10) == ["North"]
    rows = weekly(shares, "voice", ALL_TEAMS, 10)
    assert [r.week for r in rows] == [monday(w1), monday(w2), monday(w3)]
    assert rows[1].as_of == w2 + timedelta(3)
    assert rows[1].cells["C1"].met == 9 and rows[1].cells["C1"].applicable == 16
    south = weekly(shares, "voice", "South", 10)
    assert all(r.cells["C1"].share is None for r in south)  # 4 files: withheld
    week = FocusWeekInfo(1, date(2026, 3, 23), date(2026, 3, 27), "voice", "Voice week")
    result = compare(rows, week, ["C1"])
    assert result.before_as_of == w2 + timedelta(3) and result.after_as_of == w3
    row = result.rows[0]
    assert row.before.share == 9 / 16 and row.after.share == 14 / 16
    assert row.change == 14 / 16 - 9 / 16
    low, high = row.after_interval
    assert low < 14 / 16 < high
    nothing_after = compare(rows, FocusWeekInfo(2, w3, w3, "voice", "late"), ["C1"])
    assert nothing_after.after_as_of is None and nothing_after.rows[0].change is None
