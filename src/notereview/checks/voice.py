"""Voice of the child: C1–C4."""

from __future__ import annotations

from typing import ClassVar

from notereview.checks._common import make, not_applicable, share_finding
from notereview.checks._context import ReviewContext, VisitLabel
from notereview.checks._finding import Evidence, Finding
from notereview.checks._registry import BaseCheck, CheckParams, register


class _VoiceCheck(BaseCheck):
    theme = "voice"


class ShareParams(CheckParams):
    met_at: float = 0.5


def _pre_verbal_reason(ctx: ReviewContext) -> str:
    if ctx.age is not None and ctx.age < ctx.policy.pre_verbal_age_below:
        return f"the child is {ctx.age}: observation (C3) is the evidence, not words"
    return "the records say the child is non-verbal: observation (C3) is the evidence"


class _SeenVisitShare(_VoiceCheck):
    """A share of the visits in the window where the child was seen: C1, C2 for a child who
    speaks, C3 for one who does not."""

    Params = ShareParams
    for_verbal: ClassVar[bool] = True

    def hit(self, label: VisitLabel) -> tuple[Evidence, ...]:
        """The evidence that this visit meets the criterion (empty: it does not)."""
        raise NotImplementedError

    def missing(self, lacking: int, total: int) -> str:
        raise NotImplementedError

    def __call__(self, ctx: ReviewContext) -> Finding:
        # C1, C2 for a child who speaks (or signs, or uses an aid); C3 for one who does not,
        # and for one whose file says they communicate partly other than by speech.
        applies = ctx.verbal if self.for_verbal else (not ctx.verbal or ctx.observed)
        if not applies:
            reason = (
                _pre_verbal_reason(ctx)
                if self.for_verbal
                else "the child speaks: their words (C1, C2) are the evidence"
            )
            return not_applicable(self, reason)
        labels = [ctx.visit_labels[v.visit_id] for v in ctx.window_visits if v.seen]
        if not labels:
            return not_applicable(self, "the child was not seen on any visit in the review window")
        evidence = [ev[:1] for lab in labels if (ev := self.hit(lab))]
        return self.judge(labels, evidence)

    def judge(self, labels: list[VisitLabel], evidence: list[tuple[Evidence, ...]]) -> Finding:
        return share_finding(
            self,
            len(evidence),
            len(labels),
            self.params.met_at,
            1e-9,
            evidence=[e for ev in evidence for e in ev],
            missing=self.missing(len(labels) - len(evidence), len(labels)),
        )


@register("voice.words@1")
class ChildsWords(_SeenVisitShare):
    """C1: the child's own words, quoted or reported, attributed to the child."""

    criterion = "C1"

    def hit(self, label: VisitLabel) -> tuple[Evidence, ...]:
        return label.voice_evidence if label.voice in ("direct", "reported") else ()

    def missing(self, lacking: int, total: int) -> str:
        return (
            f"{lacking} of {total} visits where the child was seen record none of the "
            "child's own words"
        )

    def judge(self, labels: list[VisitLabel], evidence: list[tuple[Evidence, ...]]) -> Finding:
        finding = super().judge(labels, evidence)
        attempts = [lab for lab in labels if lab.voice == "attempted_not_obtained"]
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
class WishesFeelings(_SeenVisitShare):
    """C2: the child's wishes and feelings explored, in the child's voice."""

    criterion = "C2"

    def hit(self, label: VisitLabel) -> tuple[Evidence, ...]:
        return label.wishes_evidence

    def missing(self, lacking: int, total: int) -> str:
        return (
            f"{lacking} of {total} visits do not explore what the child wishes or feels "
            "in the child's own voice"
        )


@register("voice.observation@1")
class Observation(_SeenVisitShare):
    """C3: specific observation of a pre-verbal or non-verbal child."""

    criterion = "C3"
    for_verbal = False

    def hit(self, label: VisitLabel) -> tuple[Evidence, ...]:
        return label.observation_evidence

    def missing(self, lacking: int, total: int) -> str:
        return (
            f"{lacking} of {total} visits record no specific observation of the child "
            "(cues, play, how they are with their carer)"
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
