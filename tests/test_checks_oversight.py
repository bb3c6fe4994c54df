"""M1 and M3: supervision lapses read by where the child stands now; actions one by one."""

from __future__ import annotations

from datetime import date, timedelta

from notereview import CaseFile, Child, SupervisionRecord

AS_OF = date(2026, 10, 30)
TIMED = "Actions: SW to visit Noah at school by 20/11/2026; TM to check the plan by 27/11/2026."


def _child() -> Child:
    return Child(
        child_id="C1",
        legal_status="CIN",
        status_start=date(2025, 9, 1),
        team="T",
        worker_id="W",
        first_name="Noah",
        age_years=12,
        gender="M",
    )


def _records(days: list[date], texts: list[str] | None = None) -> list[SupervisionRecord]:
    texts = texts or [TIMED] * len(days)
    return [
        SupervisionRecord(f"R{i}", "C1", d, t)
        for i, (d, t) in enumerate(zip(days, texts, strict=True))
    ]


def _finding(reviewer, cid: str, records):
    review = reviewer.review(CaseFile.build(_child(), supervision=records), AS_OF)
    return next(f for f in review.findings if f.criterion == cid)


def test_one_long_lapse_made_good_is_partly_met(reviewer):
    # 6-weekly standard: monthly, then a gap of about 11 weeks, then monthly up to as-of.
    days = [date(2026, 5, 5), date(2026, 6, 2), date(2026, 8, 18)]
    days += [date(2026, 8, 18) + timedelta(days=30 * k) for k in (1, 2)]
    f = _finding(reviewer, "M1", _records(days))
    assert f.status == "partly_met", f.missing


def test_supervision_overdue_on_the_audit_date_is_not_met(reviewer):
    days = [date(2026, 5, 5), date(2026, 6, 2), date(2026, 6, 30), date(2026, 7, 28)]
    f = _finding(reviewer, "M1", _records(days))
    assert f.status == "not_met" and "overdue now" in f.missing


def test_actions_are_judged_one_by_one(reviewer):
    days = [date(2026, 5, 5) + timedelta(days=28 * k) for k in range(7)]
    assert _finding(reviewer, "M3", _records(days)).status == "met"
    half = "Actions: SW to visit Noah at school by 20/11/2026; TM to speak to the school nurse."
    f = _finding(reviewer, "M3", _records(days, [half] * len(days)))
    assert f.status == "partly_met" and "no timescale" in f.missing
    none = "Discussed. SW to keep visiting. TM to be updated."
    assert _finding(reviewer, "M3", _records(days, [none] * len(days))).status == "not_met"


def test_a_record_with_a_list_of_actions_sets_what_the_list_holds(reviewer):
    days = [date(2026, 5, 5) + timedelta(days=28 * k) for k in range(7)]
    text = (
        "Supervision with the team manager.\n"
        "We agreed the SW will take more time with Noah and go at his pace; mum will need "
        "support too.\n"
        "Agreed actions: SW to visit Noah at school by 20/11/2026; TM to book the review by "
        "30/11/2026."
    )
    assert _finding(reviewer, "M3", _records(days, [text] * len(days))).status == "met"
    # Without the heading, the discussion's owners are actions too, and have no timescale.
    flat = text.replace("Agreed actions:", "Also")
    assert _finding(reviewer, "M3", _records(days, [flat] * len(days))).status == "partly_met"


def test_reflection_is_read_outside_the_actions_and_in_plain_words(reviewer):
    days = [date(2026, 5, 5) + timedelta(days=28 * k) for k in range(7)]
    listed = "Case discussed.\nActions: SW to consider a referral to CAMHS by 30/11/2026."
    assert _finding(reviewer, "M2", _records(days, [listed] * len(days))).status == "not_met"
    plain = (
        "We talked about the fights at school: they fit with the weeks mum is unwell, so "
        "they are not because Noah is naughty.\nActions: SW to visit by 20/11/2026."
    )
    assert _finding(reviewer, "M2", _records(days, [plain] * len(days))).status == "met"
    # "mum will ..." names an owner, but here it is a reading, not a task
    reading = "We think mum will struggle over the holidays, which is the risk for Noah."
    assert _finding(reviewer, "M2", _records(days, [reading] * len(days))).status == "met"
