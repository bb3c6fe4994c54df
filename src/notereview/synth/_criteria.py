"""The answer key's criterion statuses, from the facts the generator chose (docs/criteria.md).

Readings where docs/criteria.md leaves a choice (the checks may differ; these are stated so
an evaluation can tell a disagreement from a bug):
- V1 judges seen visits from the window start (or status / placement start if later); the
  first interval runs from that anchor. A per-visit ``on_time`` label runs from the previous
  seen visit in the extract instead.
- H1 with two or three of its conditions failing is not_met.
- H4 judges gaps from the status start to as-of (the table's wording; judged only inside the
  window, no more than one gap could ever exceed 92 days).
- P2 and P3 are not_applicable for a child with no plan; P2 uses the plan's own review history.
- C4 counts a child-shaped action whatever its status.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from notereview.synth._calendar import WorkCalendar, add_months
from notereview.synth._case import CaseFacts, Event, VisitFacts
from notereview.synth._rules import (
    CHRONOLOGY_ENTRY_WORKING_DAYS,
    CHRONOLOGY_MAX_GAP_DAYS,
    CHRONOLOGY_WINDOW_DAYS,
    RECORDING_WORKING_DAYS,
    SIGNIFICANT_EVENTS,
    STALE_ACTION_WORKING_DAYS,
    VisitPolicy,
    window_start,
)

MET, PARTLY, NOT_MET, NA = "met", "partly_met", "not_met", "not_applicable"
THEMES: dict[str, tuple[str, ...]] = {
    "visits": ("V1", "V2", "V3", "V4", "V5"),
    "voice": ("C1", "C2", "C3", "C4"),
    "case_summary": ("S1", "S2", "S3", "S4"),
    "chronology": ("H1", "H2", "H3", "H4"),
    "plans": ("P1", "P2", "P3"),
    "genogram": ("G1", "G2", "G3"),
    "oversight": ("M1", "M2", "M3"),
}
CRITERIA: tuple[str, ...] = tuple(c for cs in THEMES.values() for c in cs)
_SCORE = {MET: 1.0, PARTLY: 0.5, NOT_MET: 0.0}


def _share(flags: list[bool], met_at: float, partly_at: float) -> str:
    if not flags:
        return NOT_MET
    share = sum(flags) / len(flags)
    return MET if share >= met_at else PARTLY if share >= partly_at else NOT_MET


def v1_status(f: CaseFacts, cal: WorkCalendar, as_of: date) -> str:
    policy = VisitPolicy(cal, f.status, f.status_start, f.placement_start, f.long_term)
    anchor = policy.judged_anchor(window_start(as_of))
    seen = [v.day for v in f.visits if v.seen and anchor <= v.day <= as_of]
    if not seen:
        return NOT_MET
    deadline = policy.first_due(anchor)
    overdue: list[int] = []
    for day in seen:
        late = deadline.overdue_by(cal, day)
        if late is not None:
            overdue.append(late)
        deadline = policy.due_after(day)
    late = deadline.overdue_by(cal, as_of)
    if late is not None:
        overdue.append(late)
    if not overdue:
        return MET
    if len(overdue) == 1 and overdue[0] <= 5:
        return PARTLY
    return NOT_MET


def _near_identical_pair(window_visits: list[VisitFacts]) -> bool:
    ids = {v.visit_id for v in window_visits}
    return any(v.copy_of in ids for v in window_visits if v.copy_of)


def criteria_for(f: CaseFacts, cal: WorkCalendar, as_of: date) -> dict[str, str]:
    w_start = window_start(as_of)
    out: dict[str, str] = {}
    window = [v for v in f.visits if w_start <= v.day <= as_of]
    seen = [v for v in window if v.seen]
    # --- visits
    out["V1"] = v1_status(f, cal, as_of)
    if not window:
        out["V2"] = out["V3"] = out["V5"] = NA
    else:
        seen_share = len(seen) / len(window)
        older = [v for v in seen if _age(f, v.day) >= 4]
        alone_ok = not older or sum(bool(v.seen_alone) for v in older) / len(older) >= 0.5
        out["V2"] = (
            MET if seen_share >= 0.8 and alone_ok else PARTLY if seen_share >= 0.5 else NOT_MET
        )
        out["V3"] = _share(
            [cal.count(v.day, v.recorded) <= RECORDING_WORKING_DAYS for v in window], 0.9, 0.6
        )
        analysis = sum(v.analysis for v in window) / len(window)
        pair = _near_identical_pair(window)
        if analysis >= 0.6 and not pair:
            out["V5"] = MET
        elif analysis >= 0.3:  # covers ">= 0.6 with a copy-paste pair"
            out["V5"] = PARTLY
        else:
            out["V5"] = NOT_MET
    out["V4"] = NA if f.plan is None else _share([v.plan_linked for v in window], 0.6, 0.3)
    # --- voice
    if not f.verbal or not seen:
        out["C1"] = out["C2"] = NA
    else:
        voiced = [v.voice in ("direct", "reported") for v in seen]
        attempts = [v.voice == "attempted_not_obtained" for v in seen]
        share = sum(voiced) / len(seen)
        out["C1"] = (
            MET
            if share >= 0.5
            else PARTLY
            if any(voiced) or sum(attempts) / len(seen) >= 0.5
            else NOT_MET
        )
        wf = [v.wishes and v.voice in ("direct", "reported") for v in seen]
        out["C2"] = MET if sum(wf) / len(seen) >= 0.5 else PARTLY if any(wf) else NOT_MET
    if f.verbal or not seen:
        out["C3"] = NA
    else:
        obs = [v.observation for v in seen]
        out["C3"] = MET if sum(obs) / len(seen) >= 0.5 else PARTLY if any(obs) else NOT_MET
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
        sig = [e.day for e in (f.chronology or []) if e.etype in SIGNIFICANT_EVENTS]
        latest_event = max(sig) if sig else None
        fresh = summary.day >= add_months(as_of, -3)
        before_event = latest_event is not None and summary.day < latest_event
        if summary.day < add_months(as_of, -6):
            out["S1"] = NOT_MET
        elif fresh and not before_event:
            out["S1"] = MET
        else:
            out["S1"] = PARTLY
        w = summary.words
        out["S2"] = MET if 150 <= w <= 800 else PARTLY if 60 <= w <= 1500 else NOT_MET
        n = len(summary.parts)
        out["S3"] = MET if n == 4 else PARTLY if n >= 2 else NOT_MET
        if summary.voice in ("direct", "reported") or (
            not f.verbal and summary.voice == "observation"
        ):
            out["S4"] = MET
        elif summary.voice == "generic":
            out["S4"] = PARTLY
        else:
            out["S4"] = NOT_MET
    # --- chronology
    chron = f.chronology
    mentioned = [e for e in f.events if e.mentions]
    if not chron:
        out["H1"] = NOT_MET
        out["H3"] = out["H4"] = NA
    else:
        fails = 0
        fails += len(chron) < 3
        fails += sum(bool(e.source) for e in chron) / len(chron) < 0.9
        prompt = [cal.count(e.day, e.entered) <= CHRONOLOGY_ENTRY_WORKING_DAYS for e in chron]
        fails += sum(prompt) / len(chron) < 0.9
        out["H1"] = MET if fails == 0 else PARTLY if fails == 1 else NOT_MET
        out["H3"] = _share([e.impact for e in chron], 0.6, 0.3)
        start = f.status_start
        points = [start] + [e.day for e in chron if start <= e.day <= as_of] + [as_of]
        gaps = sum((b - a).days > CHRONOLOGY_MAX_GAP_DAYS for a, b in pairwise(points))
        out["H4"] = MET if gaps == 0 else PARTLY if gaps == 1 else NOT_MET
    if not mentioned:
        out["H2"] = NA
    elif not chron:
        out["H2"] = NOT_MET
    else:
        missing = len(missing_events(f))
        out["H2"] = MET if missing == 0 else PARTLY if missing == 1 else NOT_MET
    # --- plans
    plan = f.plan
    if plan is None:
        out["P1"] = NOT_MET
        out["P2"] = out["P3"] = NA
    else:
        open_actions = [a for a in plan.actions if a.status == "open"]
        out["P1"] = _share([_smart(a) for a in open_actions], 0.7, 0.4)
        out["P2"] = _p2(plan, cal, as_of)
        if not plan.reviews:
            out["P3"] = NA
        else:
            stale = [
                a
                for a in open_actions
                if a.due is not None and cal.count(a.due, as_of) > STALE_ACTION_WORKING_DAYS
            ]
            if not stale:
                out["P3"] = MET
            elif len(stale) <= 2 and len(stale) < len(open_actions):
                out["P3"] = PARTLY
            else:
                out["P3"] = NOT_MET
    # --- genogram
    g = f.genogram
    if g is None:
        out["G1"] = NOT_MET
        out["G2"] = NA
    else:
        out["G1"] = MET if g.day >= add_months(as_of, -12) else PARTLY
        n = sum(genogram_conditions(g.members))
        out["G2"] = MET if n == 4 else PARTLY if n >= 2 else NOT_MET
    g_notes = g is not None and g.network
    v_net = any(v.network for v in f.visits)
    out["G3"] = MET if g_notes and v_net else PARTLY if g_notes or v_net else NOT_MET
    # --- oversight
    sup = [s for s in f.supervision if w_start <= s.day <= as_of]
    if not sup:
        out["M1"] = NOT_MET
        out["M2"] = out["M3"] = NA
    else:
        limit = 28 if f.status == "CP" else 42
        # From the window start, or the status start if later (docs/criteria.md M1).
        points = [max(w_start, f.status_start)] + [s.day for s in sup] + [as_of]
        over = [(b - a).days - limit for a, b in pairwise(points) if (b - a).days > limit]
        out["M1"] = MET if not over else PARTLY if len(over) == 1 and over[0] <= 10 else NOT_MET
        out["M2"] = _share([s.reflective for s in sup], 0.5, 1e-9)
        out["M3"] = _share([s.actions_owned for s in sup], 0.5, 1e-9)
    return {c: out[c] for c in CRITERIA}


def _age(f: CaseFacts, day: date) -> int:
    years = day.year - f.dob.year
    if (day.month, day.day) < (f.dob.month, f.dob.day):
        years -= 1
    return years


def _smart(a) -> bool:
    return a.specific and a.measurable and a.owner_named and a.timebound


def _p2(plan, cal: WorkCalendar, as_of: date) -> str:
    if not plan.reviews:
        return NA if as_of <= plan.first_due else NOT_MET
    last, due = plan.reviews[-1], plan.review_dues[-1]
    late_last = cal.count(due, last) if last > due else 0
    last_late = last > due
    next_late = as_of > plan.next_due
    late_next = cal.count(plan.next_due, as_of) if next_late else 0
    if not last_late and not next_late:
        return MET
    if max(late_last, late_next) <= 10:
        return PARTLY
    return NOT_MET


def genogram_conditions(members: list[dict[str, object]]) -> tuple[bool, bool, bool, bool]:
    """G2's four conditions: both sides, three generations, every relationship named, >= 6."""
    sides = {m.get("side") for m in members}
    gens = {m.get("generation") for m in members}
    named = all(str(m.get("relationship") or "").strip() for m in members)
    return ("maternal" in sides and "paternal" in sides, len(gens) >= 3, named, len(members) >= 6)


def missing_events(f: CaseFacts) -> list[Event]:
    """Mentioned significant events with no chronology entry of their type within 14 days."""
    chron = f.chronology or []
    out: list[Event] = []
    for e in f.events:
        if not e.mentions:
            continue
        near = any(
            c.etype == e.etype and abs((c.day - e.day).days) <= CHRONOLOGY_WINDOW_DAYS
            for c in chron
        )
        if not near:
            out.append(e)
    return out


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


__all__ = ["CRITERIA", "THEMES", "band", "case_score", "criteria_for"]
