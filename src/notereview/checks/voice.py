"""Voice of the child: C1–C4."""

from __future__ import annotations

from notereview.checks._common import make, not_applicable, share_finding
from notereview.checks._context import ReviewContext
from notereview.checks._finding import Evidence, Finding
from notereview.checks._registry import BaseCheck, CheckParams, register


class _VoiceCheck(BaseCheck):
    theme = "voice"


class ShareParams(CheckParams):
    met_at: float = 0.5


def _seen_labels(ctx: ReviewContext) -> list:
    return [ctx.visit_labels[v.visit_id] for v in ctx.window_visits if v.seen]


def _pre_verbal_reason(ctx: ReviewContext) -> str:
    if ctx.age is not None and ctx.age < ctx.policy.pre_verbal_age_below:
        return f"the child is {ctx.age}: observation (C3) is the evidence, not words"
    return "the records say the child is non-verbal: observation (C3) is the evidence"


@register("voice.words@1")
class ChildsWords(_VoiceCheck):
    """C1: the child's own words, quoted or reported, attributed to the child."""

    criterion = "C1"
    Params = ShareParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if not ctx.verbal:
            return not_applicable(self, _pre_verbal_reason(ctx))
        labels = _seen_labels(ctx)
        if not labels:
            return not_applicable(self, "the child was not seen on any visit in the review window")
        voiced = [lab for lab in labels if lab.voice in ("direct", "reported")]
        attempts = [lab for lab in labels if lab.voice == "attempted_not_obtained"]
        finding = share_finding(
            self,
            len(voiced),
            len(labels),
            self.params.met_at,
            1e-9,
            evidence=[e for lab in voiced for e in lab.voice_evidence[:1]],
            missing=(
                f"{len(labels) - len(voiced)} of {len(labels)} visits where the child was seen "
                "record none of the child's own words"
            ),
        )
        if finding.status == "not_met" and attempts and len(attempts) / len(labels) >= 0.5:
            return make(
                self,
                "partly_met",
                share=0.0,
                confidence=0.7,
                evidence=[e for lab in attempts for e in lab.attempt_evidence[:1]],
                missing="the worker tried but the child's views were not obtained; "
                "no visit records the child's own words",
            )
        return finding


@register("voice.wishes_feelings@1")
class WishesFeelings(_VoiceCheck):
    """C2: the child's wishes and feelings explored, in the child's voice."""

    criterion = "C2"
    Params = ShareParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if not ctx.verbal:
            return not_applicable(self, _pre_verbal_reason(ctx))
        labels = _seen_labels(ctx)
        if not labels:
            return not_applicable(self, "the child was not seen on any visit in the review window")
        explored = [lab for lab in labels if lab.wishes_feelings]
        return share_finding(
            self,
            len(explored),
            len(labels),
            self.params.met_at,
            1e-9,
            evidence=[e for lab in explored for e in lab.wishes_evidence[:1]],
            missing=(
                f"{len(labels) - len(explored)} of {len(labels)} visits do not explore what the "
                "child wishes or feels in the child's own voice"
            ),
        )


@register("voice.observation@1")
class Observation(_VoiceCheck):
    """C3: specific observation of a pre-verbal or non-verbal child."""

    criterion = "C3"
    Params = ShareParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if ctx.verbal:
            return not_applicable(self, "the child speaks: their words (C1, C2) are the evidence")
        labels = _seen_labels(ctx)
        if not labels:
            return not_applicable(self, "the child was not seen on any visit in the review window")
        observed = [lab for lab in labels if lab.observation]
        return share_finding(
            self,
            len(observed),
            len(labels),
            self.params.met_at,
            1e-9,
            evidence=[e for lab in observed for e in lab.observation_evidence[:1]],
            missing=(
                f"{len(labels) - len(observed)} of {len(labels)} visits record no specific "
                "observation of the child (cues, play, how they are with their carer)"
            ),
        )


@register("voice.shaped_plan@1")
class VoiceShapedPlan(_VoiceCheck):
    """C4: the child's voice shaped the plan or the actions."""

    criterion = "C4"

    def __call__(self, ctx: ReviewContext) -> Finding:
        shaped = [lab for lab in ctx.action_labels.values() if lab.child_wishes]
        evidence: list[Evidence] = [
            e for lab in shaped for e in lab.evidence if e.source.startswith("plan.child_wishes")
        ]
        if shaped:
            return make(self, "met", confidence=0.7, evidence=evidence)
        summary = ctx.case.latest_summary
        if summary is not None:
            at = ctx.annotation("case_summaries", summary.summary_id)
            wanted = ("direct", "reported") if ctx.verbal else ("observation",)
            sents = [s for s in at.sentences if s.voice in wanted] if at else []
            if sents:
                s = sents[0]
                ev = Evidence(
                    "case_summaries",
                    summary.summary_id,
                    s.start,
                    s.end,
                    summary.text[s.start : s.end],
                    f"voice.{s.voice}",
                    "the child's voice is in the summary",
                )
                return make(
                    self,
                    "partly_met",
                    confidence=0.65,
                    evidence=[ev],
                    missing="no plan action says how the child's wishes shaped it",
                )
        return make(
            self,
            "not_met",
            confidence=0.7,
            missing="nothing shows the child's wishes or experience shaped the plan",
        )
