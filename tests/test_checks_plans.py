"""P1, P2, P3: which actions P1 judges, review timeliness now and in the past, and staleness."""

from __future__ import annotations

from datetime import date

from notereview import CaseFile, Child, Plan, PlanAction

AS_OF = date(2026, 10, 30)
SMART = (
    "Dad (Tom) to attend all 10 sessions of the parenting course by 15/12/2026; the social "
    "worker will check attendance with the course leader every month."
)


def _child(status: str = "CIN", start: date = date(2026, 1, 5)) -> Child:
    return Child(
        child_id="C1",
        legal_status=status,
        status_start=start,
        team="T",
        worker_id="W",
        first_name="Ava",
        age_years=7,
        gender="F",
    )


def _plan(actions=(), *, start=date(2026, 1, 5), last=None, plan_type="CIN") -> Plan:
    return Plan("P1", "C1", plan_type, start, last_review_date=last, actions=tuple(actions))


def _finding(reviewer, cid: str, plan: Plan, child: Child | None = None):
    case = CaseFile.build(child or _child(), plans=[plan])
    review = reviewer.review(case, AS_OF)
    return next(f for f in review.findings if f.criterion == cid)


def test_p1_judges_every_action_done_or_open(reviewer):
    done_vague = PlanAction("A1", "P1", "Support the family.", status="done")
    open_smart = PlanAction("A2", "P1", SMART, status="open")
    f = _finding(reviewer, "P1", _plan([done_vague, open_smart], last=date(2026, 9, 1)))
    assert f.status == "partly_met"  # one of two, not every action


def test_a_review_overdue_on_the_audit_date_is_not_met(reviewer):
    # CIN reviewed every 3 months: last review 20 July, next due 20 October.
    f = _finding(reviewer, "P2", _plan(last=date(2026, 7, 20)))
    assert f.status == "not_met" and "has not happened" in f.missing


def test_a_first_review_held_late_is_partly_met(reviewer):
    # CP plan from 2 March: the first review conference was due 2 June, held 23 June.
    cp = _child("CP", date(2026, 3, 2))
    plan = _plan(start=date(2026, 3, 2), last=date(2026, 6, 23), plan_type="CP")
    f = _finding(reviewer, "P2", plan, cp)
    assert f.status == "partly_met" and "held" in f.missing
    on_time = _plan(start=date(2026, 3, 2), last=date(2026, 5, 28), plan_type="CP")
    assert _finding(reviewer, "P2", on_time, cp).status == "met"


def test_a_care_plan_remade_at_a_review_is_not_due_twenty_days_on(reviewer):
    looked_after = _child("LAC", date(2022, 4, 4))
    plan = _plan(start=date(2026, 6, 1), plan_type="care")
    assert _finding(reviewer, "P2", plan, looked_after).status == "not_applicable"
    reviewed = _plan(start=date(2026, 3, 2), last=date(2026, 9, 1), plan_type="care")
    assert _finding(reviewer, "P2", reviewed, looked_after).status == "met"


def test_actions_carried_past_due_through_a_review_are_stale(reviewer):
    carried = PlanAction("A1", "P1", SMART, due_date=date(2026, 9, 1), status="open")
    fresh = PlanAction("A2", "P1", SMART, due_date=date(2026, 12, 10), status="open")
    plan = _plan([carried, fresh], start=date(2026, 4, 6), last=date(2026, 9, 28))
    f = _finding(reviewer, "P3", plan)
    assert f.status == "partly_met" and "not updated" in f.missing


def test_a_system_default_due_date_is_not_a_due_date(reviewer):
    default = PlanAction("A1", "P1", SMART, due_date=date(2026, 1, 1), status="open")
    fresh = PlanAction("A2", "P1", SMART, due_date=date(2026, 12, 10), status="open")
    plan = _plan([default, fresh], start=date(2026, 4, 6), last=date(2026, 9, 28))
    assert _finding(reviewer, "P3", plan).status == "met"


def test_a_plan_overdue_for_review_has_not_been_updated(reviewer):
    fresh = PlanAction("A2", "P1", SMART, due_date=date(2026, 12, 10), status="open")
    plan = _plan([fresh], start=date(2026, 1, 5), last=date(2026, 4, 1))
    f = _finding(reviewer, "P3", plan)
    assert f.status == "not_met" and "next review was due" in f.missing
