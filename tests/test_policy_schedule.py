"""Due dates: statutory visits (V1), recording (V3), supervision (M1), plan reviews (P2)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest

from notereview.policy import (
    Policy,
    VisitInterval,
    WorkingCalendar,
    last_review_timeliness,
    load_policy,
    plan_review_due,
    recorded_late_working_days,
    seen_visits_on_time,
    supervision_due_dates,
    visit_due_dates,
)

AS_OF = date(2026, 6, 30)
WINDOW_START = AS_OF - timedelta(days=181)  # 182 days up to and including as-of


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="module")
def cal(policy: Policy) -> WorkingCalendar:
    return WorkingCalendar.from_policy(policy)


def _schedule(
    policy: Policy,
    cal: WorkingCalendar,
    status: str,
    visits: Sequence[date],
    *,
    status_start: date = date(2024, 1, 8),
    placement_start: date | None = None,
    long_term: bool = False,
    as_of: date = AS_OF,
    window_start: date = WINDOW_START,
) -> list[VisitInterval]:
    return visit_due_dates(
        status,
        status_start,
        placement_start,
        long_term,
        visits,
        as_of,
        window_start,
        policy,
        cal,
    )


# -- CP: 10 working days, bank holidays extend the due date ----------------------------------


def test_bank_holiday_inside_cp_interval_extends_the_due_date(
    policy: Policy, cal: WorkingCalendar
) -> None:
    # visit Thursday 26 March 2026; 10 working days skip Good Friday 3 April and Easter
    # Monday 6 April, so the next visit is due Monday 13 April (not Thursday 9 April)
    on_time = _schedule(
        policy, cal, "CP", [date(2026, 3, 26), date(2026, 4, 13)], as_of=date(2026, 4, 13)
    )
    assert on_time[1].start == date(2026, 3, 26)
    assert on_time[1].due == date(2026, 4, 13)
    assert on_time[1].closed_by == date(2026, 4, 13)
    assert on_time[1].overdue_working_days == 0
    assert on_time[1].rule == "CP local policy: 10 working days"

    late = _schedule(
        policy, cal, "CP", [date(2026, 3, 26), date(2026, 4, 14)], as_of=date(2026, 4, 14)
    )
    assert late[1].overdue_working_days == 1
    assert late[1].overdue_days == 1


def test_christmas_substitute_day_extends_the_cp_interval(
    policy: Policy, cal: WorkingCalendar
) -> None:
    # Friday 18 Dec 2026 + 10 working days: 25 Dec, the 28 Dec substitute for Boxing Day and
    # 1 Jan are skipped -> Wednesday 6 January 2027
    intervals = _schedule(
        policy,
        cal,
        "CP",
        [date(2026, 12, 18)],
        as_of=date(2027, 1, 6),
        window_start=date(2026, 12, 1),
    )
    assert intervals[-1].due == date(2027, 1, 6)
    assert intervals[-1].closed_by is None
    assert intervals[-1].overdue_working_days == 0


def test_open_interval_is_overdue_only_once_as_of_is_past_due(
    policy: Policy, cal: WorkingCalendar
) -> None:
    visits = [date(2026, 6, 1)]  # Monday; due Monday 15 June
    (_, still_open) = _schedule(policy, cal, "CP", visits, as_of=date(2026, 6, 15))
    assert still_open.due == date(2026, 6, 15)
    assert still_open.closed_by is None and still_open.overdue_working_days == 0
    (_, overdue) = _schedule(policy, cal, "CP", visits, as_of=date(2026, 6, 22))
    assert overdue.overdue_working_days == 5


def test_schedule_walks_from_window_start_with_previous_visit(
    policy: Policy, cal: WorkingCalendar
) -> None:
    before_window = WINDOW_START - timedelta(days=3)
    intervals = _schedule(policy, cal, "CIN", [before_window, date(2026, 1, 20)])
    assert intervals[0].start == before_window
    assert intervals[0].closed_by == date(2026, 1, 20)
    assert intervals[0].rule == "CIN local policy: 20 working days"
    assert intervals[-1].start == date(2026, 1, 20) and intervals[-1].closed_by is None
    assert intervals[-1].overdue_working_days > 0


def test_no_seen_visit_in_the_window_is_one_open_overdue_interval(
    policy: Policy, cal: WorkingCalendar
) -> None:
    (only,) = _schedule(policy, cal, "CP", [])
    assert only.start == WINDOW_START
    assert only.closed_by is None
    assert only.overdue_working_days == cal.working_days_between(only.due, AS_OF)


def test_status_starting_inside_the_window_starts_the_schedule(
    policy: Policy, cal: WorkingCalendar
) -> None:
    start = date(2026, 5, 4)  # a bank holiday: 10 working days still count from it
    intervals = _schedule(
        policy, cal, "CP", [date(2026, 4, 1), date(2026, 5, 18)], status_start=start
    )
    assert intervals[0].start == start
    assert intervals[0].due == date(2026, 5, 18)
    assert intervals[0].closed_by == date(2026, 5, 18)
    assert _schedule(policy, cal, "CP", [], status_start=AS_OF + timedelta(days=1)) == []


def test_visits_after_as_of_are_ignored(policy: Policy, cal: WorkingCalendar) -> None:
    intervals = _schedule(policy, cal, "CP", [date(2026, 6, 29), date(2026, 7, 2)])
    assert intervals[-1].closed_by is None


# -- LAC: regulation 28 ------------------------------------------------------------------------


def test_reg28_after_a_placement_move(policy: Policy, cal: WorkingCalendar) -> None:
    move = date(2026, 3, 2)  # placement start inside the window
    visits = [date(2026, 2, 20), date(2026, 3, 6), date(2026, 4, 20)]
    first, second, third = _schedule(
        policy, cal, "LAC", visits, status_start=date(2024, 5, 1), placement_start=move
    )
    # the visit before the move does not count: the schedule restarts at the move
    assert first.start == move
    assert first.due == date(2026, 3, 9)  # within 1 week
    assert first.closed_by == date(2026, 3, 6) and first.overdue_working_days == 0
    assert first.rule == "LAC reg 28: first visit within 1 week of placement start"
    # then at most 6 weeks apart in the first year of the placement
    assert second.due == date(2026, 4, 17)
    assert second.rule == "LAC reg 28: 6 weeks in first year of placement"
    assert second.closed_by == date(2026, 4, 20)
    assert second.overdue_working_days == 1  # Friday due, Monday visit
    assert second.overdue_days == 3
    assert third.due == date(2026, 6, 1) and third.closed_by is None
    assert third.overdue_working_days == cal.working_days_between(date(2026, 6, 1), AS_OF)


def test_reg28_first_visit_late_after_a_move(policy: Policy, cal: WorkingCalendar) -> None:
    move = date(2026, 3, 2)
    first = _schedule(
        policy, cal, "LAC", [date(2026, 3, 11)], status_start=date(2024, 5, 1), placement_start=move
    )[0]
    assert first.due == date(2026, 3, 9)
    assert first.overdue_working_days == 2


def test_reg28_visit_on_the_placement_day_closes_the_first_interval(
    policy: Policy, cal: WorkingCalendar
) -> None:
    move = date(2026, 3, 2)
    first, second = _schedule(
        policy,
        cal,
        "LAC",
        [move],
        status_start=date(2024, 5, 1),
        placement_start=move,
        as_of=date(2026, 3, 20),
    )
    assert first.closed_by == move and not first.overdue
    assert second.start == move and second.due == date(2026, 4, 13)


def test_reg28_long_term_placement_after_year_one(policy: Policy, cal: WorkingCalendar) -> None:
    placed = date(2024, 9, 2)  # first year ends 2 September 2025
    visits = [date(2025, 8, 1), date(2025, 9, 12), date(2025, 12, 11), date(2026, 3, 10)]
    kwargs = {"status_start": date(2024, 9, 2), "placement_start": placed}
    long_term = _schedule(
        policy, cal, "LAC", visits, long_term=True, window_start=date(2025, 8, 15), **kwargs
    )
    # the stretch opening 1 Aug 2025 (first year) is 6 weeks, even for a long-term placement
    assert long_term[0].start == date(2025, 8, 1)
    assert long_term[0].due == date(2025, 9, 12)
    assert long_term[0].rule == "LAC reg 28: 6 weeks in first year of placement"
    assert not long_term[0].overdue
    # after the first year, 3 months
    assert long_term[1].due == date(2025, 12, 12)
    assert long_term[1].rule == "LAC reg 28: 3 months after first year (long-term placement)"
    assert not long_term[1].overdue
    assert long_term[2].due == date(2026, 3, 11) and not long_term[2].overdue

    other = _schedule(
        policy, cal, "LAC", visits, long_term=False, window_start=date(2025, 8, 15), **kwargs
    )
    assert other[1].due == date(2025, 10, 24)
    assert other[1].rule == "LAC reg 28: 6 weeks after first year of placement"
    assert other[1].overdue_working_days == cal.working_days_between(
        date(2025, 10, 24), date(2025, 12, 11)
    )


def test_lac_without_placement_start_counts_from_status_start(
    policy: Policy, cal: WorkingCalendar
) -> None:
    start = date(2026, 5, 1)
    (first, _) = _schedule(policy, cal, "LAC", [date(2026, 5, 7)], status_start=start)
    assert first.start == start and first.due == date(2026, 5, 8)


# -- PF: private fostering --------------------------------------------------------------------


def test_private_fostering_first_visit_within_7_working_days(
    policy: Policy, cal: WorkingCalendar
) -> None:
    notified = date(2026, 3, 30)  # Monday; Easter falls in the next 7 working days
    on_time = _schedule(
        policy, cal, "PF", [date(2026, 4, 10), date(2026, 5, 20)], status_start=notified
    )
    assert on_time[0].due == date(2026, 4, 10)
    assert on_time[0].rule == "PF regs 2005: first visit within 7 working days of notification"
    assert not on_time[0].overdue
    assert on_time[1].due == date(2026, 5, 22)  # then 6 weeks in the first year
    assert on_time[1].rule == "PF regs 2005: 6 weeks in first year of arrangement"

    late = _schedule(policy, cal, "PF", [date(2026, 4, 13)], status_start=notified)
    assert late[0].overdue_working_days == 1


def test_private_fostering_after_the_first_year_is_12_weeks(
    policy: Policy, cal: WorkingCalendar
) -> None:
    intervals = _schedule(
        policy, cal, "PF", [date(2026, 2, 2), date(2026, 4, 27)], status_start=date(2024, 6, 3)
    )
    assert intervals[1].due == date(2026, 4, 27)
    assert intervals[1].rule == "PF regs 2005: 12 weeks after first year of arrangement"
    assert not intervals[1].overdue


def test_care_leaver_contact_every_8_weeks(policy: Policy, cal: WorkingCalendar) -> None:
    intervals = _schedule(policy, cal, "CL", [date(2026, 3, 2), date(2026, 4, 28)])
    assert intervals[1].due == date(2026, 4, 27)
    assert intervals[1].overdue_working_days == 1
    assert seen_visits_on_time(intervals)[date(2026, 4, 28)] is False


def test_weekend_closing_after_a_calendar_due_date_is_late(
    policy: Policy, cal: WorkingCalendar
) -> None:
    # 6 weeks from Saturday 7 March 2026 is Saturday 18 April; a visit on Sunday 19 April is
    # past the regulation's limit though no working day has passed
    move = date(2026, 3, 7)
    intervals = _schedule(
        policy,
        cal,
        "LAC",
        [move, date(2026, 4, 19)],
        status_start=date(2024, 5, 1),
        placement_start=move,
    )
    assert intervals[1].due == date(2026, 4, 18)
    assert intervals[1].overdue_working_days == 1
    assert intervals[1].overdue_days == 1


# -- V3: recording timescale ------------------------------------------------------------------


def test_visit_recorded_on_time_across_a_weekend(policy: Policy, cal: WorkingCalendar) -> None:
    friday = date(2026, 3, 13)
    assert recorded_late_working_days(friday, date(2026, 3, 18), policy, cal) == 0  # Wednesday
    assert recorded_late_working_days(friday, date(2026, 3, 19), policy, cal) == 1  # Thursday
    assert recorded_late_working_days(friday, friday, policy, cal) == 0
    assert recorded_late_working_days(friday, date(2026, 3, 27), policy, cal) == 7


def test_recording_deadline_skips_bank_holidays(policy: Policy, cal: WorkingCalendar) -> None:
    # visit Thursday 2 April 2026: Good Friday and Easter Monday do not count
    assert recorded_late_working_days(date(2026, 4, 2), date(2026, 4, 9), policy, cal) == 0
    assert recorded_late_working_days(date(2026, 4, 2), date(2026, 4, 10), policy, cal) == 1


# -- M1: supervision --------------------------------------------------------------------------


def test_supervision_every_4_weeks_for_cp_6_weeks_otherwise(
    policy: Policy, cal: WorkingCalendar
) -> None:
    records = [date(2026, 1, 5), date(2026, 2, 9)]  # 5 weeks apart
    window = date(2026, 1, 1)
    cp = supervision_due_dates(
        "CP", date(2025, 6, 1), records, date(2026, 2, 20), window, policy, cal
    )
    cin = supervision_due_dates(
        "CIN", date(2025, 6, 1), records, date(2026, 2, 20), window, policy, cal
    )
    assert cp[0].start == window and cp[0].closed_by == date(2026, 1, 5)
    assert cp[1].due == date(2026, 2, 2)
    assert cp[1].overdue_working_days == 5 and cp[1].overdue_days == 7
    assert cp[1].rule == "supervision local policy: supervision every 4 weeks (CP)"
    assert cin[1].due == date(2026, 2, 16) and not cin[1].overdue


def test_supervision_previous_record_opens_the_first_interval(
    policy: Policy, cal: WorkingCalendar
) -> None:
    intervals = supervision_due_dates(
        "CP",
        date(2025, 1, 6),
        [date(2025, 12, 22)],
        date(2026, 1, 30),
        date(2026, 1, 1),
        policy,
        cal,
    )
    (only,) = intervals
    assert only.start == date(2025, 12, 22) and only.due == date(2026, 1, 19)
    assert only.overdue_working_days == 9


# -- P2: plan reviews -------------------------------------------------------------------------


def test_cp_review_conference_within_3_months_then_6_monthly(
    policy: Policy, cal: WorkingCalendar
) -> None:
    first = plan_review_due("CP", date(2026, 1, 15), None, date(2026, 4, 1), policy, cal)
    assert first.due == date(2026, 4, 15) and first.is_first_review
    assert first.overdue_working_days == 0
    later = plan_review_due(
        "CP", date(2025, 1, 15), date(2025, 10, 1), date(2026, 4, 3), policy, cal
    )
    assert later.due == date(2026, 4, 1)
    assert later.overdue_working_days == 1  # 2 April; Good Friday is not a working day
    assert later.rule == "CP review conference (Working Together 2023): review every 6 months"


def test_lac_review_20_working_days_then_3_months_then_6_monthly(
    policy: Policy, cal: WorkingCalendar
) -> None:
    start = date(2026, 3, 23)  # 20 working days skip Easter: due Wednesday 22 April
    first = plan_review_due("care", start, None, date(2026, 4, 24), policy, cal)
    assert first.due == date(2026, 4, 22)
    assert first.overdue_working_days == 2
    second = plan_review_due("care", start, date(2026, 4, 20), date(2026, 6, 1), policy, cal)
    assert second.due == date(2026, 7, 20)
    assert second.rule == "LAC review reg 33: second review within 3 months of the first"
    third = plan_review_due("care", start, date(2026, 7, 14), date(2026, 12, 1), policy, cal)
    assert third.due == date(2027, 1, 14) and not third.overdue


def test_cin_and_pathway_reviews(policy: Policy, cal: WorkingCalendar) -> None:
    cin = plan_review_due("CIN", date(2026, 1, 5), date(2026, 2, 10), date(2026, 6, 1), policy, cal)
    assert cin.due == date(2026, 5, 10)
    # due on a Sunday, as-of the next day (a working day): 1 working day overdue
    assert cin.overdue_working_days == cal.working_days_between(date(2026, 5, 10), date(2026, 6, 1))
    pathway = plan_review_due("pathway", date(2025, 9, 1), None, date(2026, 3, 2), policy, cal)
    assert pathway.due == date(2026, 3, 1) and pathway.overdue_working_days == 1


def test_unknown_plan_type_or_status_is_a_config_error(
    policy: Policy, cal: WorkingCalendar
) -> None:
    from notereview.errors import ConfigError

    with pytest.raises(ConfigError, match="plan type"):
        plan_review_due("adoption", date(2026, 1, 1), None, AS_OF, policy, cal)
    with pytest.raises(ConfigError, match="legal status"):
        _schedule(policy, cal, "XX", [])


def test_a_plan_begun_at_a_review_runs_at_the_later_interval(
    policy: Policy, cal: WorkingCalendar
) -> None:
    # A care plan re-made at a looked-after review: its start is itself a review, so the next
    # is due six months on, not 20 working days after it.
    start = date(2026, 3, 10)
    fresh = plan_review_due("care", start, None, date(2026, 5, 1), policy, cal)
    assert fresh.due == cal.add_working_days(start, 20) and fresh.overdue
    remade = plan_review_due(
        "care", start, None, date(2026, 5, 1), policy, cal, began_at_review=True
    )
    assert remade.due == date(2026, 9, 10) and not remade.overdue


def test_a_first_review_held_late_is_late_by_its_known_due_date(
    policy: Policy, cal: WorkingCalendar
) -> None:
    # CP plan from 2 Feb 2026: the first review conference is due 2 May (3 months).
    past = last_review_timeliness("CP", date(2026, 2, 2), date(2026, 5, 15), policy, cal)
    assert past.due == date(2026, 5, 2) and past.late_working_days > 0 and not past.projected
    on_time = last_review_timeliness("CP", date(2026, 2, 2), date(2026, 4, 28), policy, cal)
    assert on_time.late_working_days == 0


def test_a_later_review_is_read_against_the_projected_slot_it_is_nearest(
    policy: Policy, cal: WorkingCalendar
) -> None:
    # CIN reviews every 3 months from 6 Jan 2026: due 6 Apr, 6 Jul, 6 Oct. A review on 20 Jul
    # is the July review held late (projected: the April review is not in the extract); one
    # on 25 Sep is the October review held early, not the July one held very late.
    start = date(2026, 1, 6)
    late = last_review_timeliness("CIN", start, date(2026, 7, 20), policy, cal)
    assert late.due == date(2026, 7, 6) and late.projected
    assert late.late_working_days == cal.working_days_between(date(2026, 7, 6), date(2026, 7, 20))
    early = last_review_timeliness("CIN", start, date(2026, 9, 25), policy, cal)
    assert early.due == date(2026, 10, 6) and early.late_working_days == 0
