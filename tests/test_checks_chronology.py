"""H1, H2, H3, H4: how the chronology checks read presence, the review window, impact and gaps."""

from __future__ import annotations

from datetime import date, timedelta

from notereview import CaseFile, Child, ChronologyEntry, Visit

AS_OF = date(2026, 10, 30)


def _child() -> Child:
    return Child(
        child_id="C1",
        legal_status="CIN",
        status_start=date(2025, 9, 1),
        team="T",
        worker_id="W",
        first_name="Sam",
        age_years=8,
        gender="M",
    )


def _entry(
    i: int,
    day: date,
    *,
    entered: date | None = None,
    source: str | None = "School",
    impact: str | None = None,
    text: str = "Review meeting held at school with the family.",
) -> ChronologyEntry:
    return ChronologyEntry(
        f"E{i}", "C1", day, text, entered_at=entered or day, source=source, impact=impact
    )


def _finding(reviewer, cid: str, entries=(), visits=()):
    case = CaseFile.build(_child(), visits=list(visits), chronology=list(entries))
    review = reviewer.review(case, AS_OF)
    return next(f for f in review.findings if f.criterion == cid)


def _monthly(n: int, **kw) -> list[ChronologyEntry]:
    return [_entry(i, AS_OF - timedelta(days=30 * (n - i)), **kw) for i in range(n)]


def test_entries_typed_in_late_still_make_a_chronology(reviewer):
    # Backfilled entries (entered months after the event) are dated, sourced and in order.
    entries = [
        _entry(i, e.event_date, entered=AS_OF - timedelta(days=2))
        for i, e in enumerate(_monthly(6))
    ]
    assert _finding(reviewer, "H1", entries).status == "met"


def test_a_chronology_that_has_stopped_or_lacks_sources_is_partly_met(reviewer):
    stopped = [_entry(i, date(2026, 1, 10) + timedelta(days=20 * i)) for i in range(5)]
    f = _finding(reviewer, "H1", stopped)
    assert f.status == "partly_met" and "not kept" in f.missing
    unsourced = [
        _entry(i, e.event_date, source=None if i < 2 else "Police")
        for i, e in enumerate(_monthly(6))
    ]
    f = _finding(reviewer, "H1", unsourced)
    assert f.status == "partly_met" and "no source" in f.missing
    assert _finding(reviewer, "H1", []).status == "not_met"


def test_impact_needs_words_not_a_placeholder(reviewer):
    said = "Sam was frightened and has not wanted to walk home alone since."
    entries = [_entry(i, e.event_date, impact=said) for i, e in enumerate(_monthly(5))]
    assert _finding(reviewer, "H3", entries).status == "met"
    thin = [
        _entry(i, e.event_date, impact="N/A" if i % 2 else "Upset.")
        for i, e in enumerate(_monthly(5))
    ]
    assert _finding(reviewer, "H3", thin).status == "not_met"
    most = entries[:3] + thin[3:]  # three of five: some, not most
    assert _finding(reviewer, "H3", most).status == "partly_met"


def test_a_quiet_stretch_is_not_a_gap_but_a_silence_while_things_happen_is(reviewer):
    # Entries every two months inside the window: no gap over the maximum.
    entries = [_entry(i, AS_OF - timedelta(days=60 * k)) for i, k in enumerate(range(4))]
    assert _finding(reviewer, "H4", entries).status == "met"
    # A 70-day silence during which a visit records a police call-out the chronology lacks.
    entries = [
        _entry(0, date(2026, 5, 10)),
        _entry(1, date(2026, 7, 1)),
        _entry(2, date(2026, 9, 9)),
    ]
    entries += [_entry(3, date(2026, 10, 20))]
    visit = Visit(
        "V1", "C1", date(2026, 8, 4), date(2026, 8, 4), True,
        "The police were called to the home on 02/08/2026 after an argument between the adults.",
    )  # fmt: skip
    f = _finding(reviewer, "H4", entries, [visit])
    assert f.status == "partly_met", f.missing
    assert any("police" in e.why for e in f.evidence)


def test_a_chronology_silent_up_to_the_audit_date_has_stopped(reviewer):
    entries = [_entry(i, date(2026, 5, 1) + timedelta(days=25 * i)) for i in range(3)]
    f = _finding(reviewer, "H4", entries)
    assert f.status == "not_met" and "stopped" in f.missing


def test_gaps_before_the_review_window_are_not_judged(reviewer):
    # A year-long silence in 2025, then monthly entries through the window.
    entries = [_entry(90, date(2025, 9, 5)), *_monthly(7)]
    assert _finding(reviewer, "H4", entries).status == "met"


def test_coverage_judges_events_dated_inside_the_review_window(reviewer):
    old = Visit(
        "V1", "C1", date(2026, 6, 2), date(2026, 6, 2), True,
        "Mum told me the police were called to the house on 14/01/2025 after a fight.",
    )  # fmt: skip
    assert _finding(reviewer, "H2", _monthly(6), [old]).status == "not_applicable"


def test_coverage_does_not_look_for_events_still_to_come_or_retold_without_a_date(reviewer):
    day = AS_OF - timedelta(days=20)
    visits = [
        Visit("V1", "C1", day, day, True,
              "Sam and I read his book together to prepare him for the court hearing."),
        Visit("V2", "C1", day, day, True, "The review conference is listed for next month."),
        Visit("V3", "C1", day, day, True, "Dad had previously been arrested for assault."),
    ]  # fmt: skip
    assert _finding(reviewer, "H2", _monthly(6), visits).status == "not_applicable"
    told = Visit("V4", "C1", day, day, True, "Police were called to the house last night.")
    assert _finding(reviewer, "H2", _monthly(6), [*visits, told]).status != "not_applicable"


def test_an_undated_mention_may_tell_of_anything_since_the_visit_before(reviewer):
    day = AS_OF - timedelta(days=10)
    earlier = Visit("V0", "C1", day - timedelta(days=40), day - timedelta(days=40), True,
                    "Sam showed me his room.")  # fmt: skip
    told = Visit("V1", "C1", day, day, True, "Mum said the police were called to the house.")
    callout = "Police call-out to the home after an argument; no arrests."

    def h2(days_before: int):
        entry = _entry(99, day - timedelta(days=days_before), text=callout)
        return _finding(reviewer, "H2", [*_monthly(6), entry], [earlier, told])

    # Between the two visits (and up to the policy's window before the first): recorded.
    assert h2(30).status == "met"
    assert h2(50).status == "met"
    # Long before the visit before: another call-out, not this one.
    found = h2(120)
    assert found.status != "met"
    assert any("the record before" in e.why for e in found.evidence)


def _coverage_entry(i: int, day: date, text: str, event_type: str | None = None):
    return ChronologyEntry(
        f"X{i}", "C1", day, text, entered_at=day, source="SW", event_type=event_type
    )


def test_an_undated_retelling_of_a_dated_event_is_the_same_event(reviewer):
    day = AS_OF - timedelta(days=10)
    earlier = Visit("V0", "C1", day - timedelta(days=40), day - timedelta(days=40), True,
                    "Sam showed me his room.")  # fmt: skip
    excluded = f"{(day - timedelta(days=27)):%d/%m/%Y}"
    dated = Visit("V1", "C1", day - timedelta(days=25), day - timedelta(days=25), True,
                  f"Sam was excluded from school on {excluded}.")  # fmt: skip
    retold = Visit("V2", "C1", day, day, True,
                   "We talked about the exclusion and how he felt about going back.")  # fmt: skip
    found = _finding(reviewer, "H2", _monthly(6), [earlier, dated, retold])
    # One exclusion, missing once: not two missing events.
    assert found.missing.startswith("1 of 1 ")
    assert found.status == "partly_met"
    # "again" tells of a second one
    again = Visit("V2", "C1", day, day, True, "Sam was excluded again this week.")
    assert _finding(reviewer, "H2", _monthly(6), [earlier, dated, again]).missing.startswith(
        "2 of 2 "
    )


def test_an_event_named_only_to_compare_or_weighed_is_not_news(reviewer):
    day = AS_OF - timedelta(days=10)
    visits = [
        Visit("V1", "C1", day, day, True,
              "Sam's reading is no better than at the review in the spring."),
        Visit("V2", "C1", day, day, True,
              "My manager and I considered whether to call a strategy meeting, and decided no."),
    ]  # fmt: skip
    assert _finding(reviewer, "H2", _monthly(6), visits).status == "not_applicable"


def test_a_coded_event_type_column_names_the_event_the_entry_records(reviewer):
    day = AS_OF - timedelta(days=10)
    admitted = f"{(day - timedelta(days=5)):%d/%m/%Y}"
    told = Visit("V1", "C1", day, day, True,
                 f"Sam was admitted to hospital on {admitted} for his operation.")  # fmt: skip
    entry = _coverage_entry(1, day - timedelta(days=5), "Planned operation on his knee.")
    assert _finding(reviewer, "H2", [*_monthly(6), entry], [told]).status == "partly_met"
    coded = _coverage_entry(
        1, day - timedelta(days=5), "Planned operation on his knee.",
        event_type="ADMITTED_TO_HOSPITAL",
    )  # fmt: skip
    assert _finding(reviewer, "H2", [*_monthly(6), coded], [told]).status == "met"


def test_losing_a_home_and_moving_back_in_are_significant_events(reviewer):
    day = AS_OF - timedelta(days=10)
    for text in (
        f"The family were evicted from the flat on {(day - timedelta(days=3)):%d/%m/%Y}.",
        f"Sam's dad moved back in on {(day - timedelta(days=3)):%d/%m/%Y}, the neighbours say.",
        f"Sam was placed temporarily with his aunt on {(day - timedelta(days=3)):%d/%m/%Y}.",
    ):
        found = _finding(reviewer, "H2", _monthly(6), [Visit("V1", "C1", day, day, True, text)])
        assert found.status != "not_applicable", text
    at_risk = Visit("V1", "C1", day, day, True, "Mum says they are at risk of eviction.")
    assert _finding(reviewer, "H2", _monthly(6), [at_risk]).status == "not_applicable"


def test_court_named_as_where_things_are_said_is_no_hearing(reviewer):
    day = AS_OF - timedelta(days=10)
    careful = Visit("V1", "C1", day, day, True,
                    "Sam knows that his mum's solicitor speaks for her in court.")  # fmt: skip
    assert _finding(reviewer, "H2", _monthly(6), [careful]).status == "not_applicable"
    hearing = Visit("V2", "C1", day, day, True,
                    f"Mum was in court on {(day - timedelta(days=4)):%d/%m/%Y}.")  # fmt: skip
    assert _finding(reviewer, "H2", _monthly(6), [careful, hearing]).status != "not_applicable"
