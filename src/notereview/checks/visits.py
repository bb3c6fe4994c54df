"""Visits to children: V1–V5."""

from __future__ import annotations

from datetime import date

from notereview.casefile import Visit
from notereview.checks._common import (
    confidence_near,
    lapses_status,
    make,
    not_applicable,
    record_fact,
    share_finding,
)
from notereview.checks._context import ReviewContext
from notereview.checks._finding import Evidence, Finding, status_for_share
from notereview.checks._registry import BaseCheck, CheckParams, register
from notereview.policy import VisitInterval


class _VisitCheck(BaseCheck):
    theme = "visits"


class IntervalParams(CheckParams):
    # A lapse of at most this many working days is minor (a visit a day or two late).
    partly_max_overdue_working_days: int = 5
    # Partly met allows one lapse of any length, or up to this many minor ones.
    partly_max_minor_lapses: int = 2


@register("visits.interval@1")
class VisitsWithinInterval(_VisitCheck):
    """V1: seen visits within the interval the legal status requires (policy schedule)."""

    criterion = "V1"
    Params = IntervalParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        from notereview.policy import visit_due_dates

        # The schedule judged opens at the review window's start (or the last seen visit
        # before it, not before the status start), as the M1 schedule does: an interval
        # opened long before the window is not this review's to judge.
        child = ctx.case.child
        intervals = visit_due_dates(
            child.legal_status,
            child.status_start,
            child.placement_start,
            child.long_term_placement,
            sorted({v.visit_date for v in ctx.case.visits if v.seen}),
            ctx.as_of,
            ctx.window_start,
            ctx.policy,
            ctx.calendar,
        )
        overdue = [i for i in intervals if i.overdue_working_days > 0]
        overdue_now = any(i.closed_by is None for i in overdue)
        seen_in_window = [v for v in ctx.window_visits if v.seen]
        p = self.params
        minor = [i for i in overdue if i.overdue_working_days <= p.partly_max_overdue_working_days]
        if not seen_in_window:
            status = "not_met"
        else:
            status = lapses_status(len(overdue), len(minor), overdue_now, p.partly_max_minor_lapses)
        worst = max((i.overdue_working_days for i in overdue), default=0)
        share = 1 - len(overdue) / len(intervals) if intervals else 0.0
        return make(
            self,
            status,
            share=share,
            confidence=0.95,
            evidence=_interval_evidence(ctx, overdue, seen_in_window),
            missing=_interval_missing(ctx, overdue, overdue_now, bool(seen_in_window)),
            overdue_intervals=len(overdue),
            worst_overdue_working_days=worst,
        )


def _interval_evidence(
    ctx: ReviewContext, overdue: list[VisitInterval], seen_in_window: list[Visit]
) -> list[Evidence]:
    by_date = {v.visit_date: v.visit_id for v in ctx.case.visits if v.seen}
    evidence = []
    for i in overdue[:4]:
        rid = by_date.get(i.closed_by) if i.closed_by else None
        closed = f"seen on {i.closed_by}" if i.closed_by else f"no visit by {ctx.as_of}"
        evidence.append(
            record_fact(
                "visits" if rid else "children",
                rid or ctx.case.child_id,
                f"policy:{i.rule}",
                f"visit due by {i.due} ({i.rule}); {closed}: "
                f"{i.overdue_working_days} working days overdue",
            )
        )
    if not overdue and seen_in_window:
        evidence.append(
            record_fact(
                "visits",
                seen_in_window[-1].visit_id,
                "policy:schedule",
                f"{len(seen_in_window)} seen visits in the review window, none overdue",
            )
        )
    return evidence


def _interval_missing(
    ctx: ReviewContext, overdue: list[VisitInterval], overdue_now: bool, any_seen: bool
) -> str:
    if not any_seen:
        return "no visit in which the child was seen in the review window"
    if not overdue:
        return ""
    worst = max(i.overdue_working_days for i in overdue)
    missing = (
        f"{len(overdue)} visit interval(s) overdue under the policy for "
        f"{ctx.case.child.legal_status}; the longest by {worst} working days"
    )
    if overdue_now:
        missing += f"; a visit is overdue now (on {ctx.as_of})"
    return missing


class SeenParams(CheckParams):
    # The same "most visits" bar for being seen and for being seen alone where age allows.
    met_seen_share: float = 0.8
    met_alone_share: float = 0.8
    partly_seen_share: float = 0.5


def followed_up(visit: Visit, seen_dates: list[date], ctx: ReviewContext) -> bool:
    """A visit where the child was not seen, followed by a visit that saw the child within the
    policy's no-access follow-up time."""
    deadline = ctx.calendar.add_interval(visit.visit_date, ctx.policy.no_access.follow_up)
    return any(visit.visit_date < d <= deadline for d in seen_dates)


@register("visits.seen@1")
class ChildSeen(_VisitCheck):
    """V2: the child seen, and seen alone where age allows.

    A visit where the child was not seen but that was followed up (the child seen within the
    policy's follow-up time) is made good and not counted against V2. Where the legal status has
    a no-access procedure (child protection), an unfollowed no-access visit keeps V2 below met."""

    criterion = "V2"
    Params = SeenParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        visits = ctx.window_visits
        if not visits:
            return not_applicable(self, "no visits in the review window")
        p = self.params
        seen_dates = sorted({v.visit_date for v in ctx.case.visits if v.seen})
        seen = [v for v in visits if v.seen]
        unseen = [v for v in visits if not v.seen]
        made_good = [v for v in unseen if followed_up(v, seen_dates, ctx)]
        unfollowed = [v for v in unseen if v not in made_good]
        judged = len(visits) - len(made_good)
        child = ctx.case.child
        alone_applies = [
            v for v in seen if (child.age_on(v.visit_date) or 0) >= ctx.policy.seen_alone_min_age
        ]
        alone = [v for v in alone_applies if v.seen_alone]
        seen_share = len(seen) / judged if judged else 1.0
        alone_share = len(alone) / len(alone_applies) if alone_applies else 1.0
        procedure_breach = bool(unfollowed) and (
            child.legal_status in ctx.policy.no_access.procedure_for
        )
        if seen_share >= p.met_seen_share and alone_share >= p.met_alone_share:
            status = "partly_met" if procedure_breach else "met"
        elif seen_share >= p.partly_seen_share:
            status = "partly_met"
        else:
            status = "not_met"
        evidence = _seen_evidence(ctx, visits, seen, alone, made_good)
        missing_parts = []
        if unfollowed:
            missing_parts.append(
                f"child not seen on {len(unfollowed)} of {len(visits)} visits and not seen "
                f"within {ctx.policy.no_access.follow_up.describe()} after"
            )
        if procedure_breach:
            missing_parts.append(
                f"a no-access visit not followed up under the {child.legal_status} procedure"
            )
        if alone_applies and alone_share < p.met_alone_share:
            missing_parts.append(
                f"seen alone on {len(alone)} of {len(alone_applies)} visits where age allows"
            )
        return make(
            self,
            status,
            share=min(seen_share, alone_share),
            confidence=0.95,
            evidence=evidence,
            missing="; ".join(missing_parts),
        )


def _seen_evidence(
    ctx: ReviewContext,
    visits: list[Visit],
    seen: list[Visit],
    alone: list[Visit],
    made_good: list[Visit],
) -> list[Evidence]:
    evidence = [
        record_fact(
            "visits",
            v.visit_id,
            "extract.seen",
            "child not seen on this visit"
            + (" (seen at a follow-up visit soon after)" if v in made_good else ""),
        )
        for v in visits
        if not v.seen
    ][:3]
    evidence += [
        record_fact("visits", v.visit_id, "extract.seen_alone", "child seen alone")
        for v in alone[:2]
    ]
    if seen:
        evidence.append(
            record_fact(
                "visits",
                seen[-1].visit_id,
                "extract.seen",
                f"child seen on {len(seen)} of {len(visits)} visits in the review window",
            )
        )
    return evidence


class RecordedParams(CheckParams):
    met_at: float = 0.9
    partly_at: float = 0.6


@register("visits.recorded_on_time@1")
class RecordedOnTime(_VisitCheck):
    """V3: recorded within the recording timescale (working days)."""

    criterion = "V3"
    Params = RecordedParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        visits = ctx.window_visits
        if not visits:
            return not_applicable(self, "no visits in the review window")
        labels = ctx.visit_labels
        late = [v for v in visits if labels[v.visit_id].recorded_late_days > 0]
        evidence = [
            record_fact(
                "visits",
                v.visit_id,
                "policy:recording_timescale",
                f"visit {v.visit_date}, recorded {v.recorded_at}: "
                f"{labels[v.visit_id].recorded_late_days} working days late",
            )
            for v in sorted(late, key=lambda v: -labels[v.visit_id].recorded_late_days)[:4]
        ]
        if not late:
            evidence.append(
                record_fact(
                    "visits",
                    visits[-1].visit_id,
                    "policy:recording_timescale",
                    f"all {len(visits)} visits in the review window recorded within "
                    f"{ctx.policy.recording_timescale.describe()}",
                )
            )
        worst = max((labels[v.visit_id].recorded_late_days for v in late), default=0)
        share = 1 - len(late) / len(visits)
        status = status_for_share(share, self.params.met_at, self.params.partly_at)
        missing = (
            f"{len(late)} of {len(visits)} visits recorded late; the latest by {worst} working days"
            if late
            else ""
        )
        return make(
            self,
            status,
            share=share,
            confidence=0.95,
            evidence=evidence,
            missing=missing,
        )


class LinkedParams(CheckParams):
    # Auditors' share convention for visit records: most (>= 0.8) met, some (>= 0.4) partly.
    met_at: float = 0.8
    partly_at: float = 0.4


@register("visits.plan_linked@1")
class PlanLinked(_VisitCheck):
    """V4: the purpose of the visit linked to the child's plan."""

    criterion = "V4"
    Params = LinkedParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if not ctx.case.plans:
            return not_applicable(self, "the child has no plan to link visits to")
        visits = ctx.window_visits
        if not visits:
            return not_applicable(self, "no visits in the review window")
        labels = [ctx.visit_labels[v.visit_id] for v in visits]
        linked = [lab for lab in labels if lab.plan_linked]
        return share_finding(
            self,
            len(linked),
            len(labels),
            self.params.met_at,
            self.params.partly_at,
            evidence=[e for lab in linked for e in lab.plan_evidence],
            missing=(
                f"{len(labels) - len(linked)} of {len(labels)} visit records do not say "
                "what the visit did about the child's plan"
            ),
        )


class AnalysisParams(CheckParams):
    # Auditors' share convention for visit records: most (>= 0.8) met, some (>= 0.4) partly.
    met_at: float = 0.8
    partly_at: float = 0.4


@register("visits.analysis@1")
class VisitAnalysis(_VisitCheck):
    """V5: what was observed, what it means for the child, next steps; no copy-paste."""

    criterion = "V5"
    Params = AnalysisParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        visits = ctx.window_visits
        if not visits:
            return not_applicable(self, "no visits in the review window")
        p = self.params
        labels = [ctx.visit_labels[v.visit_id] for v in visits]
        with_analysis = [lab for lab in labels if lab.analysis]
        copies = [lab for lab in labels if lab.copy_of]
        share = len(with_analysis) / len(labels)
        status = status_for_share(share, p.met_at, p.partly_at)
        if copies and status == "met":
            status = "partly_met"
        evidence = [e for lab in with_analysis for e in lab.analysis_evidence[:1]]
        # Observed facts without analysis are recorded too: better than a bare opinion.
        evidence += [e for lab in labels if not lab.analysis for e in lab.facts_evidence[:1]]
        copy_evidence = [
            record_fact(
                "visits",
                lab.visit_id,
                "copy_paste.shingles",
                f"near-identical to visit {lab.copy_of} (copied and pasted)",
            )
            for lab in copies
        ]
        missing = []
        if len(with_analysis) < len(labels):
            missing.append(
                f"{len(labels) - len(with_analysis)} of {len(labels)} visit records describe "
                "without saying what it means for the child"
            )
        if copies:
            missing.append(f"{len(copies)} visit record(s) copied from an earlier visit")
        return make(
            self,
            status,
            share=share,
            confidence=confidence_near(share, (p.met_at, p.partly_at), 0.75),
            evidence=copy_evidence[:2] + evidence,
            missing="; ".join(missing),
        )
