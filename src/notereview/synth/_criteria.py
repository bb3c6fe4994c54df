"""The answer key's criterion statuses, from the facts the generator chose (docs/criteria.md).

The conventions are the auditors' (docs/criteria.md), and every number in them is read from
where the checks read it: the policy (``notereview.policy``, England defaults) and each
criterion's parameters in the rubric (``checks/rubric.yaml``, with the check's defaults for
what the rubric leaves out). What the statuses are judged from is the generator's own truth
(which visits really are plan-linked, which chronology entry really records which event), not
the checks' reading of the text: the key and the checks share a convention, not a reading.

Readings where docs/criteria.md leaves a choice (the checks may differ; these are stated so
an evaluation can tell a disagreement from a bug):
- V1 and M1 judge the intervals that end inside the window: where the schedule started
  before the window, the first runs from the last seen visit (supervision record) before the
  window start, if any since the status / placement start, else from the window start; where
  it started inside the window, from its start (with the first-visit rule). This is how
  ``notereview.policy`` reads a schedule; docs/criteria.md's table says "from the window
  start", which is the case with no earlier visit.
- V4 is not_applicable when the child has a plan but no visit in the window (as V2/V3/V5).
- P2 judges the last review against its true due date (from the review before it, which the
  generator knows): no grace for a projected due date, since nothing here is projected.
- P3's stale actions use each action's real due date (in the column or in its words); a
  system-default date in the due column is no due date, and the generator never takes it
  for one.
- G1's household changes are events of the rubric's kinds recorded anywhere (mentioned in a
  record or entered in the chronology) after the genogram's date.
- C4 counts a child-shaped action whatever its status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from notereview.checks._common import lapses_status
from notereview.checks._finding import status_for_share
from notereview.checks._rubric import load_rubric
from notereview.policy import Policy
from notereview.synth._calendar import WorkCalendar, add_months
from notereview.synth._case_facts import ActionFacts, CaseFacts, Event, PlanFacts, VisitFacts
from notereview.synth._rules import (
    VisitPolicy,
    add_interval,
    default_policy,
    review_step,
    window_start,
)
from notereview.vocabulary import CRITERIA, SIGNIFICANT_EVENTS, STATUSES, THEME_CRITERIA

MET, PARTLY, NOT_MET, NA = STATUSES
THEMES = THEME_CRITERIA
_SCORE = {MET: 1.0, PARTLY: 0.5, NOT_MET: 0.0}
#: G3: the genogram made with this many of the family (or with the child) is a wide discussion.
G3_WIDE_PEOPLE = 2
#: C1: recorded attempts on this share of seen visits are partly met (checks/voice.py).
C1_ATTEMPTS_PARTLY = 0.5


@dataclass(frozen=True)
class Conventions:
    """The policy and each criterion's rubric parameters, as the checks are given them."""

    policy: Policy
    params: dict[str, Any]

    def p(self, criterion: str) -> Any:
        return self.params[criterion]


@lru_cache(maxsize=1)
def default_conventions() -> Conventions:
    """The England default policy and the shipped rubric's parameters."""
    rubric = load_rubric()
    return Conventions(default_policy(), {c.criterion: c.params for c in rubric.checks})


def _share(flags: list[bool], met_at: float, partly_at: float) -> str:
    if not flags:
        return NOT_MET
    return status_for_share(sum(flags) / len(flags), met_at, partly_at)


def v1_status(f: CaseFacts, cal: WorkCalendar, as_of: date, conv: Conventions) -> str:
    """Seen visits against the schedule, read by where the child stands on as-of."""
    policy = VisitPolicy(cal, f.status, f.status_start, f.placement_start, f.long_term)
    anchor = policy.schedule_anchor()
    start = max(window_start(as_of, conv.policy), anchor)
    seen_days = sorted(v.day for v in f.visits if v.seen and v.day <= as_of)
    judged = [d for d in seen_days if d >= start]
    if not judged:
        return NOT_MET
    if start == anchor:  # the schedule starts inside the window: its first-visit rule
        deadline = policy.first_due(anchor)
    else:  # the last seen visit before the window (since the anchor) opens the first interval
        before = [d for d in seen_days if anchor <= d < start]
        deadline = policy.due_after(before[-1] if before else start)
    lapses: list[int] = []
    for day in judged:
        late = deadline.overdue_by(cal, day)
        if late is not None:
            lapses.append(late)
        deadline = policy.due_after(day)
    late_now = deadline.overdue_by(cal, as_of)
    if late_now is not None:
        lapses.append(late_now)
    p = conv.p("V1")
    minor = sum(late <= p.partly_max_overdue_working_days for late in lapses)
    return lapses_status(len(lapses), minor, late_now is not None, p.partly_max_minor_lapses)


def _v2(f: CaseFacts, cal: WorkCalendar, window: list[VisitFacts], conv: Conventions) -> str:
    """Seen and seen alone; a no-access visit followed up in time is not counted against the
    file, and for a status with a no-access procedure an unfollowed one caps V2 at partly."""
    policy, p = conv.policy, conv.p("V2")
    seen_days = sorted(v.day for v in f.visits if v.seen)
    unseen = [v for v in window if not v.seen]
    made_good = [
        v
        for v in unseen
        if any(v.day < d <= add_interval(cal, v.day, policy.no_access.follow_up) for d in seen_days)
    ]
    unfollowed = len(unseen) - len(made_good)
    judged = len(window) - len(made_good)
    seen = [v for v in window if v.seen]
    alone_applies = [v for v in seen if _age(f, v.day) >= policy.seen_alone_min_age]
    seen_share = len(seen) / judged if judged else 1.0
    alone_share = (
        sum(bool(v.seen_alone) for v in alone_applies) / len(alone_applies)
        if alone_applies
        else 1.0
    )
    breach = unfollowed > 0 and f.status in policy.no_access.procedure_for
    if seen_share >= p.met_seen_share and alone_share >= p.met_alone_share:
        return PARTLY if breach else MET
    return PARTLY if seen_share >= p.partly_seen_share else NOT_MET


def _near_identical_pair(window_visits: list[VisitFacts]) -> bool:
    ids = {v.visit_id for v in window_visits}
    return any(v.copy_of in ids for v in window_visits if v.copy_of)


def criteria_for(
    f: CaseFacts, cal: WorkCalendar, as_of: date, conv: Conventions | None = None
) -> dict[str, str]:
    conv = conv or default_conventions()
    policy = conv.policy
    w_start = window_start(as_of, policy)
    out: dict[str, str] = {}
    window = [v for v in f.visits if w_start <= v.day <= as_of]
    seen = [v for v in window if v.seen]
    # --- visits
    out["V1"] = v1_status(f, cal, as_of, conv)
    if not window:
        out["V2"] = out["V3"] = out["V4"] = out["V5"] = NA
    else:
        out["V2"] = _v2(f, cal, window, conv)
        p3 = conv.p("V3")
        out["V3"] = _share([v.late_days == 0 for v in window], p3.met_at, p3.partly_at)
        p4 = conv.p("V4")
        linked = [v.plan_linked for v in window]
        out["V4"] = NA if f.plan is None else _share(linked, p4.met_at, p4.partly_at)
        p5 = conv.p("V5")
        out["V5"] = _share([v.analysis for v in window], p5.met_at, p5.partly_at)
        if out["V5"] == MET and _near_identical_pair(window):
            out["V5"] = PARTLY
    if f.plan is None:
        out["V4"] = NA
    # --- voice
    c_met = conv.p("C1").met_at
    if not f.verbal or not seen:
        out["C1"] = out["C2"] = NA
    else:
        voiced = [v.voice in ("direct", "reported") for v in seen]
        attempts = [v.voice == "attempted_not_obtained" for v in seen]
        share = sum(voiced) / len(seen)
        out["C1"] = (
            MET
            if share >= c_met
            else PARTLY
            if any(voiced) or sum(attempts) / len(seen) >= C1_ATTEMPTS_PARTLY
            else NOT_MET
        )
        wf = [v.wishes and v.voice in ("direct", "reported") for v in seen]
        c2_met = conv.p("C2").met_at
        out["C2"] = MET if sum(wf) / len(seen) >= c2_met else PARTLY if any(wf) else NOT_MET
    if f.verbal or not seen:
        out["C3"] = NA
    else:
        obs = [v.observation for v in seen]
        c3_met = conv.p("C3").met_at
        out["C3"] = MET if sum(obs) / len(seen) >= c3_met else PARTLY if any(obs) else NOT_MET
    shaped_action = f.plan is not None and any(a.child_wishes for a in f.plan.actions)
    summary = f.summary
    if shaped_action or (summary is not None and summary.shaped):
        out["C4"] = MET
    elif summary is not None and summary.voice in ("direct", "reported", "observation"):
        out["C4"] = PARTLY
    else:
        out["C4"] = NOT_MET
    # --- case summary
    if summary is None:
        out["S1"] = NOT_MET
        out["S2"] = out["S3"] = out["S4"] = NA
    else:
        out["S1"] = _s1(f, summary.day, as_of, policy)
        p2 = conv.p("S2")
        w = summary.words
        if p2.min_words <= w <= p2.met_max_words:
            out["S2"] = MET
        elif w < p2.min_words or w <= p2.partly_max_words:
            out["S2"] = PARTLY
        else:
            out["S2"] = NOT_MET
        n = len(summary.parts)
        out["S3"] = MET if n == 4 else PARTLY if n >= 2 else NOT_MET
        if summary.voice_sentences >= conv.p("S4").met_min_sentences:
            out["S4"] = MET
        elif summary.voice_sentences or summary.voice == "generic":
            out["S4"] = PARTLY
        else:
            out["S4"] = NOT_MET
    # --- chronology
    out.update(_chronology(f, as_of, conv))
    # --- plans
    plan = f.plan
    if plan is None:
        out["P1"] = NOT_MET
        out["P2"] = out["P3"] = NA
    else:
        p1 = conv.p("P1")
        actions = plan.actions
        out["P1"] = _share([_smart(a) for a in actions], p1.met_at, p1.partly_at)
        out["P2"] = _p2(plan, cal, as_of)
        out["P3"] = _p3(plan, cal, as_of, conv)
    # --- genogram
    out.update(_genogram(f, as_of, conv))
    # --- oversight
    sup = [s for s in f.supervision if w_start <= s.day <= as_of]
    if not sup:
        out["M1"] = NOT_MET
        out["M2"] = out["M3"] = NA
    else:
        out["M1"] = _m1(f, as_of, conv)
        out["M2"] = _share([s.reflective for s in sup], conv.p("M2").met_at, 1e-9)
        timed = [t for s in sup for t in s.actions]
        out["M3"] = _share(timed, conv.p("M3").met_at, 1e-9)
    return {c: out[c] for c in CRITERIA}


def _s1(f: CaseFacts, written: date, as_of: date, policy: Policy) -> str:
    """Met within the policy age, or older (up to the not-met age) when nothing significant
    has been recorded since it was written; partly met when overtaken by such an event."""
    if written < add_months(as_of, -policy.summary_not_met_age_months):
        return NOT_MET
    if written >= add_months(as_of, -policy.summary_max_age_months):
        return MET
    recorded = [e.day for e in f.chronology or () if e.etype in SIGNIFICANT_EVENTS]
    recorded += [e.day for e in f.events if e.mentions]
    return PARTLY if any(written < d <= as_of for d in recorded) else MET


def _chronology(f: CaseFacts, as_of: date, conv: Conventions) -> dict[str, str]:
    policy = conv.policy
    out: dict[str, str] = {}
    chron = f.chronology
    judged = judged_events(f, as_of, policy)
    if not chron:
        out["H1"] = NOT_MET
        out["H3"] = out["H4"] = NA
        out["H2"] = NA if not judged else NOT_MET
        return out
    p1 = conv.p("H1")
    kept = max(max(e.day, e.entered) for e in chron)
    failing = (
        len(chron) < p1.min_entries
        or sum(bool(e.source.strip()) for e in chron) / len(chron) < p1.source_share
        or kept < as_of - timedelta(days=policy.chronology_max_gap_days)
    )
    out["H1"] = PARTLY if failing else MET
    missed = [e for e in judged if not _covered(e, chron, policy)]
    if not judged:
        out["H2"] = NA
    elif not missed:
        out["H2"] = MET
    elif len(missed) <= conv.p("H2").partly_max_missing:
        out["H2"] = PARTLY
    else:
        out["H2"] = NOT_MET
    p3 = conv.p("H3")
    out["H3"] = _share([e.impact for e in chron], p3.met_at, p3.partly_at)
    max_gap = policy.chronology_max_gap_days
    start = max(f.status_start, window_start(as_of, policy))
    inside = sorted({e.day for e in chron if start < e.day <= as_of})
    gaps: list[tuple[date, int]] = []
    for a, b in pairwise([start, *inside, as_of]):
        days = (b - a).days
        quiet = not any(a < e.day < b for e in missed)
        if days > max_gap or (not quiet and days > max_gap / 2):
            gaps.append((b, days))
    stopped = any(end == as_of and days > max_gap for end, days in gaps)
    out["H4"] = MET if not gaps else NOT_MET if stopped or len(gaps) > 1 else PARTLY
    return out


def judged_events(f: CaseFacts, as_of: date, policy: Policy) -> list[Event]:
    """H2's events: significant events mentioned outside the chronology and dated inside the
    review window."""
    w_start = window_start(as_of, policy)
    return [e for e in f.events if e.mentions and w_start <= e.day <= as_of]


def _covered(e: Event, chron: list[Any], policy: Policy) -> bool:
    limit = policy.chronology_window_days
    return any(c.etype == e.etype and abs((c.day - e.day).days) <= limit for c in chron)


def _genogram(f: CaseFacts, as_of: date, conv: Conventions) -> dict[str, str]:
    out: dict[str, str] = {}
    g = f.genogram
    if g is None:
        out["G1"] = out["G2"] = NOT_MET
    else:
        kinds = set(conv.p("G1").household_change_events)
        changed = any(
            e.etype in kinds and g.day < e.day <= as_of and (e.in_chron or e.mentions)
            for e in f.events
        )
        too_old = g.day < add_months(as_of, -conv.policy.genogram_max_age_months)
        out["G1"] = PARTLY if too_old or changed else MET
        n = sum(genogram_conditions(g.members, conv))
        out["G2"] = MET if n == 4 else PARTLY if n >= 2 else NOT_MET
    notes = 0 if g is None else g.discussed_with
    wide = notes >= G3_WIDE_PEOPLE
    visit = any(v.network for v in f.visits)
    if wide or (notes and visit):
        out["G3"] = MET
    elif notes or visit:
        out["G3"] = PARTLY
    else:
        out["G3"] = NOT_MET
    return out


def _m1(f: CaseFacts, as_of: date, conv: Conventions) -> str:
    """Supervision against the policy frequency, read like V1 by where the child stands."""
    interval = conv.policy.supervision_interval(f.status)
    w_start = window_start(as_of, conv.policy)
    start = max(w_start, f.status_start)
    days = sorted({s.day for s in f.supervision if s.day <= as_of})
    before = [d for d in days if f.status_start <= d < start]
    opening = before[-1] if before and start == w_start else start
    lapses: list[int] = []
    for a, b in pairwise([opening, *(d for d in days if d >= start)]):
        due = add_interval_calendar(a, interval)
        if b > due:
            lapses.append((b - due).days)
    due = add_interval_calendar(max(opening, *days) if days else opening, interval)
    overdue_now = as_of > due
    if overdue_now:
        lapses.append((as_of - due).days)
    p = conv.p("M1")
    minor = sum(late <= p.partly_max_overdue_days for late in lapses)
    return lapses_status(len(lapses), minor, overdue_now, p.partly_max_minor_lapses)


def add_interval_calendar(day: date, interval: Any) -> date:
    """``day`` plus a calendar-unit interval (supervision frequencies are weeks or days)."""
    unit, amount = interval.unit, interval.amount
    if unit == "months":
        return add_months(day, amount)
    if unit == "working_days":  # no working-day frequency is used for supervision
        return day + timedelta(days=round(amount * 7 / 5))
    return day + timedelta(days=amount * (7 if unit == "weeks" else 1))


def _age(f: CaseFacts, day: date) -> int:
    years = day.year - f.dob.year
    if (day.month, day.day) < (f.dob.month, f.dob.day):
        years -= 1
    return years


def _smart(a: ActionFacts) -> bool:
    return a.specific and a.measurable and a.owner_named and a.timebound


def _late(cal: WorkCalendar, due: date, when: date, working: bool) -> bool:
    """``when`` is past ``due`` (a working-day due date is missed only once a working day
    has passed; a calendar one as soon as the day has)."""
    return cal.count(due, when) > 0 if working else when > due


def _next_review_overdue(plan: PlanFacts, cal: WorkCalendar, as_of: date) -> bool:
    working = review_step(plan.plan_type, len(plan.reviews)).in_working_days
    return _late(cal, plan.next_due, as_of, working)


def _p2(plan: PlanFacts, cal: WorkCalendar, as_of: date) -> str:
    """A review overdue on as-of is not met; the last review held late is partly met."""
    if _next_review_overdue(plan, cal, as_of):
        return NOT_MET
    if not plan.reviews:
        return NA  # younger than its first review timescale
    k = len(plan.reviews) - 1
    working = review_step(plan.plan_type, k).in_working_days
    return PARTLY if _late(cal, plan.review_dues[k], plan.reviews[k], working) else MET


def _p3(plan: PlanFacts, cal: WorkCalendar, as_of: date, conv: Conventions) -> str:
    """Stale open actions (past due at the last review and left open, or now more than the
    policy's limit past due); a plan whose review is overdue has not been brought up to date."""
    if not plan.reviews:
        return NA
    if _next_review_overdue(plan, cal, as_of):
        return NOT_MET
    last = plan.reviews[-1]
    limit = conv.policy.stale_action_working_days
    open_actions = [a for a in plan.actions if a.status == "open"]
    stale = [
        a
        for a in open_actions
        if a.due is not None and (a.due < last or cal.count(a.due, as_of) > limit)
    ]
    if not stale:
        return MET
    if len(stale) <= conv.p("P3").partly_max_stale and len(stale) < len(open_actions):
        return PARTLY
    return NOT_MET


def genogram_conditions(
    members: list[dict[str, object]], conv: Conventions | None = None
) -> tuple[bool, bool, bool, bool]:
    """G2's four conditions: both sides (each with the parent and a relative), enough
    generations (the child's counted), every relationship named, enough people."""
    p = (conv or default_conventions()).p("G2")
    sides = [m.get("side") for m in members]
    both = all(sides.count(side) >= p.min_per_side for side in ("maternal", "paternal"))
    gens = {m.get("generation") for m in members} | {0}
    named = bool(members) and all(str(m.get("relationship") or "").strip() for m in members)
    return (both, len(gens) >= p.min_generations, named, len(members) >= p.min_members)


def missing_events(f: CaseFacts, policy: Policy | None = None) -> list[Event]:
    """Mentioned significant events (any date) with no chronology entry of their type within
    the policy's chronology window; H2 judges those dated inside the review window."""
    policy = policy or default_policy()
    chron = f.chronology or []
    return [e for e in f.events if e.mentions and not _covered(e, chron, policy)]


def theme_scores(criteria: dict[str, str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for theme, ids in THEMES.items():
        vals = [_SCORE[criteria[c]] for c in ids if criteria[c] != NA]
        out[theme] = sum(vals) / len(vals) if vals else None
    return out


def case_score(themes: dict[str, float | None]) -> float:
    vals = [v for v in themes.values() if v is not None]
    return sum(vals) / len(vals) if vals else 0.0


def band(score: float) -> str:
    return "good" if score >= 0.75 else "requires_improvement" if score >= 0.5 else "inadequate"


__all__ = [
    "CRITERIA",
    "THEMES",
    "Conventions",
    "band",
    "case_score",
    "criteria_for",
    "default_conventions",
]
