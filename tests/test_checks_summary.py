"""S1, S2, S4: how the case summary checks read age, length and the child's voice."""

from __future__ import annotations

from datetime import date

from notereview import CaseFile, CaseSummary, Child, ChronologyEntry

AS_OF = date(2026, 10, 30)
STORY = (
    "Leo is 11 and lives with his dad and his younger sister. The worry is that dad's drinking "
    "means Leo looks after his sister in the evenings. Dad goes to the alcohol service weekly. "
)


def _child() -> Child:
    return Child(
        child_id="C1",
        legal_status="CIN",
        status_start=date(2025, 9, 1),
        team="T",
        worker_id="W",
        first_name="Leo",
        age_years=11,
        gender="M",
    )


def _finding(reviewer, cid: str, text: str, updated: date, chronology=()):
    summary = CaseSummary("S1", "C1", updated, text)
    case = CaseFile.build(_child(), case_summaries=[summary], chronology=list(chronology))
    review = reviewer.review(case, AS_OF)
    return next(f for f in review.findings if f.criterion == cid)


def _arrest(day: date) -> ChronologyEntry:
    return ChronologyEntry(
        "E1", "C1", day, "Dad arrested after a fight in the street.", source="Police"
    )


def test_a_recent_summary_is_current_though_an_event_followed_it(reviewer):
    f = _finding(reviewer, "S1", STORY, date(2026, 10, 1), [_arrest(date(2026, 10, 20))])
    assert f.status == "met"


def test_an_older_summary_is_met_unless_overtaken_by_events(reviewer):
    four_months = date(2026, 6, 25)
    assert _finding(reviewer, "S1", STORY, four_months).status == "met"
    f = _finding(reviewer, "S1", STORY, four_months, [_arrest(date(2026, 8, 3))])
    assert f.status == "partly_met" and "significant event" in f.missing
    assert _finding(reviewer, "S1", STORY, date(2026, 3, 1)).status == "not_met"


def test_a_short_summary_is_succinct_and_a_long_one_is_not(reviewer):
    assert _finding(reviewer, "S2", STORY, date(2026, 10, 1)).status == "met"
    assert _finding(reviewer, "S2", "Open case. See notes.", date(2026, 10, 1)).status == (
        "partly_met"
    )
    long = STORY * 60
    f = _finding(reviewer, "S2", long, date(2026, 10, 1))
    assert f.status == "not_met" and "too long" in f.missing


def test_one_line_of_the_childs_voice_is_partly_met(reviewer):
    one = STORY + "Leo told me he wants to play football on Saturdays."
    f = _finding(reviewer, "S4", one, date(2026, 10, 1))
    assert f.status == "partly_met" and "one line" in f.missing
    two = one + ' He said "I worry about my sister when dad goes out."'
    assert _finding(reviewer, "S4", two, date(2026, 10, 1)).status == "met"
    assert _finding(reviewer, "S4", STORY, date(2026, 10, 1)).status == "not_met"


def test_saying_how_the_child_communicates_is_partly_the_childs_voice(reviewer):
    # naming the aid the child uses is regard for their voice, but not what they tell us
    how = STORY + "Leo communicates using PECS and a few Makaton signs."
    f = _finding(reviewer, "S4", how, date(2026, 10, 1))
    assert f.status == "partly_met" and "how the child communicates" in f.missing
    assert f.evidence[0].source == "voice.how_communicates"


def test_a_safety_plan_says_what_happens_if_it_does_not_work_under_its_own_heading(reviewer):
    plan = (
        "Safety plan. Worries: dad drinks in the evenings. Strengths: dad goes to the alcohol "
        "service every week. Who does what by when: dad to stop drinking at home by 30/11; "
        "SW to visit weekly until the review.\n"
    )
    without = _finding(reviewer, "S3", STORY + plan, AS_OF)
    assert "what happens if the plan is not followed" in without.missing
    heading = "If it goes wrong: Leo goes to his aunt's for the night and rings the SW.\n"
    with_it = _finding(reviewer, "S3", STORY + plan + heading, AS_OF)
    assert "what happens if the plan is not followed" not in with_it.missing
