"""Plans: P1–P3."""

from __future__ import annotations

from notereview.casefile import Plan, PlanAction
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
    # DESIGN: "each action" SMART is met; the auditors' "some" (>= 0.4, as for V4/V5) partly.
    met_at: float = 1.0
    partly_at: float = 0.4


@register("plans.smart@1")
class PlanActionsSmart(_PlanCheck):
    """P1: each action of the current plan specific, measurable, owned and timebound."""

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
        # How the plan is written: every action, done or open (a completed action was still
        # written SMART or not).
        actions = list(plan.actions)
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


def began_at_review(ctx: ReviewContext, plan: Plan) -> bool:
    """The plan replaced an earlier one at a review: it started after the child's first review
    under the current legal status was due (a care plan re-made at a looked-after review)."""
    rule = ctx.policy.plan_review_rule(plan.plan_type)
    return plan.start_date > ctx.calendar.add_interval(ctx.case.child.status_start, rule.first)


@register("plans.reviewed@1")
class PlanReviewed(_PlanCheck):
    """P2: reviewed within the review timescale for the plan type.

    Not met when a review is overdue at as-of (a review that has not happened); partly met when
    the last review was held, but late; met otherwise. A late review is read against its due
    date; where that date rests on earlier reviews the extract does not hold (projected as held
    on time), lateness within the policy's grace is not counted."""

    criterion = "P2"

    def __call__(self, ctx: ReviewContext) -> Finding:
        from notereview.policy import last_review_timeliness, plan_review_due

        if (na := absent_table(self, ctx, "plans")) is not None:
            return na
        plan = current_plan(ctx)
        if plan is None:
            return not_applicable(self, "no current plan to review (P1 already counts its absence)")
        at_review = began_at_review(ctx, plan)
        due = plan_review_due(
            plan.plan_type,
            plan.start_date,
            plan.last_review_date,
            ctx.as_of,
            ctx.policy,
            ctx.calendar,
            began_at_review=at_review,
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
        if due.overdue_working_days > 0:
            return make(
                self,
                "not_met",
                confidence=0.9,
                evidence=[fact],
                missing=(
                    f"plan review overdue by {due.overdue_working_days} working days "
                    f"({due.rule}): the review has not happened"
                ),
            )
        if last is not None:
            past = last_review_timeliness(
                plan.plan_type,
                plan.start_date,
                last,
                ctx.policy,
                ctx.calendar,
                began_at_review=at_review,
            )
            grace = ctx.policy.p2_grace_working_days if past.projected else 0
            if past.late_working_days > grace:
                return make(
                    self,
                    "partly_met",
                    confidence=0.75 if past.projected else 0.85,
                    evidence=[fact],
                    missing=(
                        f"the last review ({last}) was held {past.late_working_days} working "
                        f"days after it was due ({past.due}"
                        + (", assuming earlier reviews on time)" if past.projected else ")")
                    ),
                )
        return make(self, "met", confidence=0.9, evidence=[fact])


class UpdatedParams(CheckParams):
    partly_max_stale: int = 2


def _stale_reason(action: PlanAction, plan: Plan, ctx: ReviewContext, limit: int) -> str | None:
    """Why an open action shows the plan was not updated: already past due when the plan was
    last reviewed and left open (carried over unchanged), or more than ``limit`` working days
    past due now. A due date a system filled in (notereview.checks._smart) is no due date."""
    from notereview.checks._smart import due_date_problem

    due = action.due_date
    if due is None or not _open(action.status) or due_date_problem(due, plan.start_date):
        return None
    last = plan.last_review_date
    if last is not None and due < last:
        return f"open, due {due}: already past due at the review on {last} and not updated"
    late = ctx.calendar.working_days_between(due, ctx.as_of)
    if late > limit:
        return f"open, due {due}: {late} working days past due"
    return None


@register("plans.updated@1")
class PlanUpdated(_PlanCheck):
    """P3: updated after review.

    Not met when the plan's review is overdue (the plan has not been brought up to date when
    it had to be), or three or more open actions are stale, or all of them are; partly met for
    one or two stale actions. An action is stale when it was already past due at the last
    review and left open, or is now more than the policy's limit past due."""

    criterion = "P3"
    Params = UpdatedParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        from notereview.policy import plan_review_due

        if (na := absent_table(self, ctx, "plans")) is not None:
            return na
        plan = current_plan(ctx)
        if plan is None or plan.last_review_date is None:
            return not_applicable(self, "the plan has not been reviewed yet")
        limit = ctx.policy.stale_action_working_days
        open_actions = [a for a in plan.actions if _open(a.status)]
        stale = [
            (a, reason)
            for a in open_actions
            if (reason := _stale_reason(a, plan, ctx, limit)) is not None
        ]
        review = plan_review_due(
            plan.plan_type,
            plan.start_date,
            plan.last_review_date,
            ctx.as_of,
            ctx.policy,
            ctx.calendar,
            began_at_review=began_at_review(ctx, plan),
        )
        evidence = [
            record_fact("plan_actions", a.action_id, "plan.stale_action", why)
            for a, why in stale[:4]
        ]
        n = len(stale)
        missing = []
        if review.overdue:
            status = "not_met"
            missing.append(
                f"the plan has not been updated since its review on {plan.last_review_date}, "
                f"and the next review was due {review.due}"
            )
            evidence.append(
                record_fact(
                    "plans", plan.plan_id, f"policy:{review.rule}", f"review due {review.due}"
                )
            )
        elif n == 0:
            status = "met"
            evidence = [
                record_fact("plan_actions", a.action_id, "plan.action_current", "action up to date")
                for a in plan.actions[:1]
            ] or [record_fact("plans", plan.plan_id, "plan.current", "no open action is stale")]
        elif n <= self.params.partly_max_stale and n < len(open_actions):
            status = "partly_met"
        else:
            status = "not_met"
        if n:
            missing.append(
                f"{n} open action(s) not updated since the review on {plan.last_review_date} "
                f"(past due at the review, or more than {limit} working days past due now)"
            )
        return make(self, status, confidence=0.85, evidence=evidence, missing="; ".join(missing))
