"""Management oversight: M1–M3."""

from __future__ import annotations

from dataclasses import replace

from notereview.casefile import SupervisionRecord
from notereview.checks._common import (
    absent_table,
    make,
    not_applicable,
    record_fact,
    share_finding,
)
from notereview.checks._context import ReviewContext, asserted, cue_evidence
from notereview.checks._finding import Evidence, Finding
from notereview.checks._registry import BaseCheck, CheckParams, register


class _OversightCheck(BaseCheck):
    theme = "oversight"


def _window_records(ctx: ReviewContext) -> list[SupervisionRecord]:
    return [r for r in ctx.case.supervision if ctx.in_window(r.date)]


class FrequencyParams(CheckParams):
    partly_max_overdue_days: int = 10


@register("oversight.frequency@1")
class SupervisionFrequency(_OversightCheck):
    """M1: supervision or oversight recorded within the policy frequency."""

    criterion = "M1"
    Params = FrequencyParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        from notereview.policy import supervision_due_dates

        if (na := absent_table(self, ctx, "supervision")) is not None:
            return na
        records = _window_records(ctx)
        if not records:
            return make(
                self,
                "not_met",
                confidence=0.95,
                missing="no supervision or management oversight in the review window",
            )
        child = ctx.case.child
        intervals = supervision_due_dates(
            child.legal_status,
            child.status_start,
            [r.date for r in ctx.case.supervision],
            ctx.as_of,
            ctx.window_start,
            ctx.policy,
            ctx.calendar,
        )
        overdue = [i for i in intervals if i.overdue_working_days > 0]
        by_date = {r.date: r.record_id for r in ctx.case.supervision}
        evidence = [
            record_fact(
                "supervision" if i.closed_by in by_date else "children",
                by_date.get(i.closed_by, child.child_id) if i.closed_by else child.child_id,
                f"policy:{i.rule}",
                f"supervision due by {i.due}; "
                + (f"recorded {i.closed_by}" if i.closed_by else f"none by {ctx.as_of}")
                + f": {i.overdue_working_days} working days overdue",
            )
            for i in overdue[:3]
        ]
        if not overdue:
            return make(
                self,
                "met",
                confidence=0.95,
                evidence=[
                    record_fact(
                        "supervision",
                        records[-1].record_id,
                        "policy:supervision",
                        f"{len(records)} supervision records in the window, none overdue",
                    )
                ],
            )
        status = (
            "partly_met"
            if len(overdue) == 1 and overdue[0].overdue_days <= self.params.partly_max_overdue_days
            else "not_met"
        )
        worst = max(i.overdue_working_days for i in overdue)
        return make(
            self,
            status,
            confidence=0.95,
            evidence=evidence,
            missing=(
                f"{len(overdue)} supervision interval(s) overdue; "
                f"the longest by {worst} working days"
            ),
        )


def _first_cue(ctx: ReviewContext, record: SupervisionRecord, kinds: set[str]) -> Evidence | None:
    at = ctx.annotation("supervision", record.record_id)
    if at is None:
        return None
    for s in at.sentences:
        for c in s.cues:
            # Reflection is often conditional ("what if"); actions and analysis are asserted.
            if c.kind in kinds and ("reflective" in kinds or asserted(c)):
                return cue_evidence(
                    "supervision",
                    record.record_id,
                    record.text,
                    c.start,
                    c.end,
                    f"{c.kind}.{c.rule}",
                    "",
                )
    return None


def _records_to_judge(check: BaseCheck, ctx: ReviewContext) -> list[SupervisionRecord] | Finding:
    """The supervision records in the window, or the not-applicable finding (M2, M3)."""
    if (na := absent_table(check, ctx, "supervision")) is not None:
        return na
    records = _window_records(ctx)
    if not records:
        return not_applicable(check, "no supervision in the review window")
    return records


class ShareParams(CheckParams):
    met_at: float = 0.5


@register("oversight.reflective@1")
class SupervisionReflective(_OversightCheck):
    """M2: reflective and analytic, not only a list."""

    criterion = "M2"
    Params = ShareParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        records = _records_to_judge(self, ctx)
        if isinstance(records, Finding):
            return records
        evidence = []
        for r in records:
            ev = _first_cue(ctx, r, {"reflective", "analysis"})
            if ev is not None:
                evidence.append(
                    replace(ev, why="reflects on what is happening for the child and why")
                )
        return share_finding(
            self,
            len(evidence),
            len(records),
            self.params.met_at,
            1e-9,
            evidence=evidence,
            missing=(
                f"{len(records) - len(evidence)} of {len(records)} supervision records list "
                "decisions without reflecting on what they mean for the child"
            ),
            base_confidence=0.7,
        )


@register("oversight.actions@1")
class SupervisionActions(_OversightCheck):
    """M3: supervision sets actions with owners and timescales."""

    criterion = "M3"
    Params = ShareParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        records = _records_to_judge(self, ctx)
        if isinstance(records, Finding):
            return records
        evidence = []
        for r in records:
            owner = _first_cue(ctx, r, {"action_owner"})
            when = _first_cue(ctx, r, {"timescale"})
            if owner is not None and when is not None:
                evidence.append(replace(owner, why="an action with an owner"))
                evidence.append(replace(when, why="and a timescale"))
        hits = len(evidence) // 2
        return share_finding(
            self,
            hits,
            len(records),
            self.params.met_at,
            1e-9,
            evidence=evidence,
            missing=(
                f"{len(records) - hits} of {len(records)} supervision records set no action "
                "with both an owner and a timescale"
            ),
            base_confidence=0.75,
        )
