"""Genogram and family network: G1–G3."""

from __future__ import annotations

from notereview.checks._common import absent_table, make, not_applicable, record_fact
from notereview.checks._context import ReviewContext, asserted, cue_evidence
from notereview.checks._finding import Evidence, Finding
from notereview.checks._lexicon import lexicon
from notereview.checks._registry import BaseCheck, CheckParams, register
from notereview.policy import add_months

_UNNAMED = {"", "unknown", "other", "n/a", "na", "?", "not known", "relative"}


class _GenogramCheck(BaseCheck):
    theme = "genogram"


@register("genogram.current@1")
class GenogramCurrent(_GenogramCheck):
    """G1: genogram present and updated."""

    criterion = "G1"

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "genograms")) is not None:
            return na
        g = ctx.case.latest_genogram
        if g is None:
            return make(self, "not_met", confidence=0.95, missing="no genogram on the file")
        limit = add_months(ctx.as_of, -ctx.policy.genogram_max_age_months)
        fact = record_fact(
            "genograms",
            g.genogram_id,
            "policy:genogram_age",
            f"genogram last updated {g.updated_at}",
        )
        if g.updated_at >= limit:
            return make(self, "met", confidence=0.95, evidence=[fact])
        return make(
            self,
            "partly_met",
            confidence=0.95,
            evidence=[fact],
            missing=f"genogram not updated for over {ctx.policy.genogram_max_age_months} months",
        )


class MeaningfulParams(CheckParams):
    min_generations: int = 3
    min_members: int = 6


@register("genogram.meaningful@1")
class GenogramMeaningful(_GenogramCheck):
    """G2: both sides of the family, generations, relationships named."""

    criterion = "G2"
    Params = MeaningfulParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "genograms")) is not None:
            return na
        g = ctx.case.latest_genogram
        if g is None:
            return not_applicable(self, "no genogram to judge")
        p = self.params
        sides = {m.side for m in g.members}
        generations = {m.generation for m in g.members} | {0}
        unnamed = [m for m in g.members if m.relationship.strip().lower() in _UNNAMED]
        tests = {
            "people from both the maternal and paternal sides": {"maternal", "paternal"} <= sides,
            f"at least {p.min_generations} generations": len(generations) >= p.min_generations,
            "every relationship named": bool(g.members) and not unnamed,
            f"at least {p.min_members} people": len(g.members) >= p.min_members,
        }
        passed = sum(tests.values())
        status = "met" if passed == 4 else "partly_met" if passed >= 2 else "not_met"
        fact = record_fact(
            "genograms",
            g.genogram_id,
            "genogram.members",
            f"{len(g.members)} people, sides: {', '.join(sorted(sides)) or 'none'}, "
            f"{len(generations)} generations",
        )
        return make(
            self,
            status,
            share=passed / 4,
            confidence=0.95,
            evidence=[fact],
            missing="the genogram lacks " + "; ".join(k for k, ok in tests.items() if not ok)
            if passed < 4
            else "",
        )


def _network_discussed(
    ctx: ReviewContext, table: str, record_id: str, text: str
) -> Evidence | None:
    """A sentence where the network was discussed with someone: a network cue together with a
    discussion ("we talked about who in the family could help"), or a meeting that is itself
    one (a family group conference). A genogram "taken from the referral" is not a discussion."""
    at = ctx.annotation(table, record_id)
    if at is None:
        return None
    lex = lexicon()
    for s in at.sentences:
        for c in s.cues:
            if c.kind != "network_discussion" or not asserted(c):
                continue
            sentence = text[s.start : s.end]
            if lex.network_meeting.search(text, c.start, c.end) or lex.discussion.search(sentence):
                return cue_evidence(
                    table,
                    record_id,
                    text,
                    s.start,
                    s.end,
                    f"network.{c.rule}",
                    "the family or support network discussed with the family or child",
                )
    return None


@register("genogram.network@1")
class SupportNetwork(_GenogramCheck):
    """G3: the support network discussed with the family or child."""

    criterion = "G3"

    def __call__(self, ctx: ReviewContext) -> Finding:
        evidence: list[Evidence] = []
        g = ctx.case.latest_genogram
        found = (
            _network_discussed(ctx, "genograms", g.genogram_id, g.notes) if g and g.notes else None
        )
        in_notes = found is not None
        if found is not None:
            evidence.append(found)
        in_visits = False
        for v in ctx.case.visits:
            found = _network_discussed(ctx, "visits", v.visit_id, v.text)
            if found is not None:
                in_visits = True
                evidence.append(found)
                break
        n = in_notes + in_visits
        status = "met" if n == 2 else "partly_met" if n == 1 else "not_met"
        missing = []
        if not in_notes:
            missing.append("the genogram notes do not say the network was discussed")
        if not in_visits:
            missing.append("no visit record shows the family network discussed with the family")
        return make(self, status, confidence=0.7, evidence=evidence, missing="; ".join(missing))
