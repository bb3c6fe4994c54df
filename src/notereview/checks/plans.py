"""Plans: P1–P3."""

from __future__ import annotations

from notereview.casefile import Plan
from notereview.checks._common import (
    absent_table,
    make,
    not_applicable,
    record_fact,
    share_finding,
)
from notereview.checks._context import ReviewContext
from notereview.checks._finding import Finding
from notereview.checks._registry import BaseCheck, CheckParams, register


class _PlanCheck(BaseCheck):
    theme = "plans"


def current_plan(ctx: ReviewContext) -> Plan | None:
    """The plan in force: the latest that started on or before as-of."""
    plans = [p for p in ctx.case.plans if p.start_date <= ctx.as_of]
    return plans[-1] if plans else None


def _open(status: str | None) -> bool:
    return status is None or status.strip().lower() in ("", "open")


class SmartParams(CheckParams):
    met_at: float = 0.7
    partly_at: float = 0.4


@register("plans.smart@1")
class PlanActionsSmart(_PlanCheck):
    """P1: each action specific, measurable, owned and timebound."""

    criterion = "P1"
    Params = SmartParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "plans")) is not None:
            return na
        plan = current_plan(ctx)
        if plan is None or not plan.actions:
            return make(
                self,
                "not_met",
                confidence=0.9,
                missing="no current plan with actions"
                if plan is None
                else "the plan has no actions",
            )
        actions = [a for a in plan.actions if _open(a.status)] or list(plan.actions)
        labels = [ctx.action_labels[a.action_id] for a in actions]
        smart = [lab for lab in labels if lab.smart]
        weak = [lab for lab in labels if not lab.smart]
        gaps: dict[str, int] = {}
        for lab in weak:
            for m in lab.missing:
                gaps[m] = gaps.get(m, 0) + 1
        missing = (
            f"{len(weak)} of {len(labels)} actions are not SMART: "
            + "; ".join(
                f"{n} without {what}" for what, n in sorted(gaps.items(), key=lambda kv: -kv[1])
            )
            if weak
            else ""
        )
        evidence = [e for lab in smart[:2] for e in lab.evidence[:2]]
        evidence += [
            record_fact(
                "plan_actions", lab.action_id, "plan.not_smart", "missing " + ", ".join(lab.missing)
            )
            for lab in weak[:3]
        ]
        return share_finding(
            self,
            len(smart),
            len(labels),
            self.params.met_at,
            self.params.partly_at,
            evidence=evidence,
            missing=missing,
            base_confidence=0.7,
        )


@register("plans.reviewed@1")
class PlanReviewed(_PlanCheck):
    """P2: reviewed within the review timescale for the plan type."""

    criterion = "P2"

    def __call__(self, ctx: ReviewContext) -> Finding:
        from notereview.policy import plan_review_due

        if (na := absent_table(self, ctx, "plans")) is not None:
            return na
        plan = current_plan(ctx)
        if plan is None:
            return not_applicable(self, "no current plan to review (P1 already counts its absence)")
        due = plan_review_due(
            plan.plan_type,
            plan.start_date,
            plan.last_review_date,
            ctx.as_of,
            ctx.policy,
            ctx.calendar,
        )
        if plan.last_review_date is None and due.overdue_working_days == 0:
            return not_applicable(
                self, f"the plan started {plan.start_date}; its first review is due {due.due}"
            )
        last = plan.last_review_date
        fact = record_fact(
            "plans",
            plan.plan_id,
            f"policy:{due.rule}",
            f"plan {plan.plan_id} last reviewed {last or 'never'}; next review due {due.due}"
            + (
                f", {due.overdue_working_days} working days overdue"
                if due.overdue_working_days
                else ""
            ),
        )
        if due.overdue_working_days == 0:
            return make(self, "met", confidence=0.9, evidence=[fact])
        status = (
            "partly_met"
            if due.overdue_working_days <= ctx.policy.p2_grace_working_days
            else "not_met"
        )
        return make(
            self,
            status,
            confidence=0.9,
            evidence=[fact],
            missing=f"plan review overdue by {due.overdue_working_days} working days ({due.rule})",
        )


class UpdatedParams(CheckParams):
    partly_max_stale: int = 2


@register("plans.updated@1")
class PlanUpdated(_PlanCheck):
    """P3: updated after review: no open action left long past its due date."""

    criterion = "P3"
    Params = UpdatedParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "plans")) is not None:
            return na
        plan = current_plan(ctx)
        if plan is None or plan.last_review_date is None:
            return not_applicable(self, "the plan has not been reviewed yet")
        limit = ctx.policy.stale_action_working_days
        cal = ctx.calendar
        open_actions = [a for a in plan.actions if _open(a.status)]
        stale = [
            a
            for a in open_actions
            if a.due_date is not None and cal.working_days_between(a.due_date, ctx.as_of) > limit
        ]
        evidence = [
            record_fact(
                "plan_actions",
                a.action_id,
                "plan.stale_action",
                f"open, due {a.due_date}: "
                f"{cal.working_days_between(a.due_date, ctx.as_of)} working days past due",
            )
            for a in stale[:4]
            if a.due_date is not None
        ]
        n = len(stale)
        if n == 0:
            status = "met"
            evidence = [
                record_fact("plan_actions", a.action_id, "plan.action_current", "action up to date")
                for a in plan.actions[:1]
            ]
        elif n <= self.params.partly_max_stale and n < len(plan.actions):
            status = "partly_met"
        else:
            status = "not_met"
        return make(
            self,
            status,
            confidence=0.85,
            evidence=evidence,
            missing=(
                f"{n} open action(s) more than {limit} working days past their due date "
                f"since the review on {plan.last_review_date}"
                if n
                else ""
            ),
        )
