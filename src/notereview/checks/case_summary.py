"""Case summary: S1–S4."""

from __future__ import annotations

import re
from datetime import date

from notereview.casefile import CaseSummary
from notereview.checks._common import (
    absent_table,
    event_after,
    make,
    not_applicable,
    record_fact,
)
from notereview.checks._context import ReviewContext, cue_evidence
from notereview.checks._finding import Evidence, Finding
from notereview.checks._lexicon import lexicon
from notereview.checks._registry import BaseCheck, CheckParams, register
from notereview.policy import add_months

_WORD = re.compile(r"\b[\w’'-]+\b")


class _SummaryCheck(BaseCheck):
    theme = "case_summary"


def significant_entry_dates(ctx: ReviewContext) -> list[tuple[date, str]]:
    """Dates of chronology entries that record a significant event."""
    out = []
    for entry in ctx.case.chronology:
        at = ctx.annotation("chronology", entry.entry_id)
        if at is not None and any(
            c.kind.startswith("significant_event:") for s in at.sentences for c in s.cues
        ):
            out.append((entry.event_date, entry.entry_id))
    return out


def _summary_to_judge(check: BaseCheck, ctx: ReviewContext) -> CaseSummary | Finding:
    """The latest summary, or the not-applicable finding when there is none to judge."""
    if (na := absent_table(check, ctx, "case_summaries")) is not None:
        return na
    summary = ctx.case.latest_summary
    if summary is None:
        return not_applicable(check, "no case summary to judge")
    return summary


@register("case_summary.current@1")
class SummaryCurrent(_SummaryCheck):
    """S1: present, and updated since the last significant event or within the policy age.

    Met when updated within the policy age (the summary's update cycle: it is not rewritten
    the day after every event), or when older but nothing significant has happened since it was
    written. Partly met when older than the policy age and overtaken by a significant event (in
    the chronology or mentioned in any record), up to the not-met age. Not met when absent or
    older than that."""

    criterion = "S1"

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "case_summaries")) is not None:
            return na
        summary = ctx.case.latest_summary
        if summary is None:
            return make(self, "not_met", confidence=0.95, missing="no case summary on the file")
        policy = ctx.policy
        fresh_limit = add_months(ctx.as_of, -policy.summary_max_age_months)
        stale_limit = add_months(ctx.as_of, -policy.summary_not_met_age_months)
        fact = record_fact(
            "case_summaries",
            summary.summary_id,
            "policy:summary_age",
            f"case summary last updated {summary.updated_at}",
        )
        if summary.updated_at < stale_limit:
            return make(
                self,
                "not_met",
                confidence=0.9,
                evidence=[fact],
                missing=(
                    f"case summary older than {policy.summary_not_met_age_months} months "
                    f"(last updated {summary.updated_at})"
                ),
            )
        if summary.updated_at >= fresh_limit:
            return make(self, "met", confidence=0.9, evidence=[fact])
        later = _first_event_after(ctx, summary.updated_at)
        if later is None:
            return make(self, "met", confidence=0.8, evidence=[fact])
        return make(
            self,
            "partly_met",
            confidence=0.85,
            evidence=[fact, later[1]],
            missing=(
                f"case summary older than {policy.summary_max_age_months} months and not "
                f"updated since the significant event on {later[0]}"
            ),
        )


def _first_event_after(ctx: ReviewContext, day: date) -> tuple[date, Evidence] | None:
    """The earliest significant event after ``day`` (up to as-of), from the chronology or
    mentioned in any record, with evidence pointing at it."""
    found: list[tuple[date, Evidence]] = [
        (
            d,
            record_fact(
                "chronology",
                entry_id,
                "chronology.significant_event",
                f"significant event on {d}, after the summary",
            ),
        )
        for d, entry_id in significant_entry_dates(ctx)
        if day < d <= ctx.as_of
    ]
    found += [event_after(ev, "summary") for ev in ctx.events if day < ev.event_date <= ctx.as_of]
    return min(found, key=lambda f: f[0]) if found else None


class SuccinctParams(CheckParams):
    met_max_words: int = 800
    partly_max_words: int = 1500
    # Fewer words than this cannot say who the child is, what the worry is and what the plan
    # is: a note, not a summary.
    min_words: int = 30


@register("case_summary.succinct@1")
class SummarySuccinct(_SummaryCheck):
    """S2: succinct: short enough to read at a glance. Brevity is not a fault here; a summary
    that is short and thin misses the safety plan (S3) or the child's voice (S4) instead."""

    criterion = "S2"
    Params = SuccinctParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        summary = _summary_to_judge(self, ctx)
        if isinstance(summary, Finding):
            return summary
        p = self.params
        words = len(_WORD.findall(summary.text))
        fact = record_fact("case_summaries", summary.summary_id, "length.words", f"{words} words")
        if p.min_words <= words <= p.met_max_words:
            return make(self, "met", confidence=0.85, evidence=[fact], words=words)
        if words < p.min_words:
            missing = f"too short to be a summary ({words} words; at least {p.min_words})"
            status = "partly_met"
        else:
            missing = f"too long to read at a glance ({words} words; at most {p.met_max_words})"
            status = "partly_met" if words <= p.partly_max_words else "not_met"
        return make(self, status, confidence=0.85, evidence=[fact], missing=missing, words=words)


SAFETY_PARTS: dict[str, str] = {
    "safety_worry": "what the worries and risks are",
    "safety_strength": "strengths and protective factors",
    "safety_who_what_when": "who does what by when",
    "safety_contingency": "what happens if the plan is not followed",
}


@register("case_summary.safety_plan@1")
class SummarySafetyPlan(_SummaryCheck):
    """S3: a safety plan: worries, strengths, who does what by when, contingency."""

    criterion = "S3"

    def __call__(self, ctx: ReviewContext) -> Finding:
        summary = _summary_to_judge(self, ctx)
        if isinstance(summary, Finding):
            return summary
        at = ctx.annotation("case_summaries", summary.summary_id)
        found: dict[str, Evidence] = {}
        if at is not None:
            for s in at.sentences:
                for c in s.cues:
                    # A contingency is conditional by nature; the other parts must be asserted.
                    if c.kind != "safety_contingency" and "negated" in c.qualifiers:
                        continue
                    if c.kind in SAFETY_PARTS and c.kind not in found:
                        found[c.kind] = cue_evidence(
                            "case_summaries",
                            summary.summary_id,
                            summary.text,
                            c.start,
                            c.end,
                            f"safety_plan.{c.rule}",
                            SAFETY_PARTS[c.kind],
                        )
        statement = lexicon().worry_statement.search(summary.text)
        if statement is not None:
            # The specific worry statement is better evidence than a worry word.
            found["safety_worry"] = cue_evidence(
                "case_summaries",
                summary.summary_id,
                summary.text,
                statement.start(),
                statement.end(),
                "safety_plan.worry_statement",
                "says who is worried and what they are worried about, specifically",
            )
        n = len(found)
        status = "met" if n == 4 else "partly_met" if n >= 2 else "not_met"
        absent = [words for kind, words in SAFETY_PARTS.items() if kind not in found]
        return make(
            self,
            status,
            share=n / 4,
            confidence=0.7,
            evidence=list(found.values()),
            missing=("the safety plan does not say " + "; ".join(absent)) if absent else "",
            parts=sorted(found),
        )


class SummaryVoiceParams(CheckParams):
    # The child's voice runs through a summary, not a single line: one sentence is partly met.
    met_min_sentences: int = 2


@register("case_summary.voice@1")
class SummaryVoice(_SummaryCheck):
    """S4: the child's voice in the summary: what the child says, wishes and feels (or, for a
    pre-verbal child, how they present) in more than one line. A single line, or a generic
    mention that the child's wishes were considered, is partly met."""

    criterion = "S4"
    Params = SummaryVoiceParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        summary = _summary_to_judge(self, ctx)
        if isinstance(summary, Finding):
            return summary
        at = ctx.annotation("case_summaries", summary.summary_id)
        wanted = ("direct", "reported") if ctx.verbal else ("direct", "reported", "observation")
        sents = [s for s in at.sentences if s.voice in wanted] if at is not None else []
        evidence = [
            cue_evidence(
                "case_summaries",
                summary.summary_id,
                summary.text,
                s.start,
                s.end,
                f"voice.{s.voice}",
                "the child's voice in the summary",
            )
            for s in sents[:3]
        ]
        if len(sents) >= self.params.met_min_sentences:
            return make(self, "met", confidence=0.75, evidence=evidence)
        if sents:
            return make(
                self,
                "partly_met",
                confidence=0.65,
                evidence=evidence,
                missing="the child's voice is one line of the summary, not a thread through it",
            )
        generic = lexicon().generic_wishes.search(summary.text)
        if generic:
            ev = cue_evidence(
                "case_summaries",
                summary.summary_id,
                summary.text,
                generic.start(),
                generic.end(),
                "voice.generic_mention",
                "mentions the child's wishes without saying what they are",
            )
            return make(
                self,
                "partly_met",
                confidence=0.7,
                evidence=[ev],
                missing="the summary says the child's views were considered but not what they are",
            )
        how = _how_child_communicates(summary.text)
        if how is not None:
            ev = cue_evidence(
                "case_summaries",
                summary.summary_id,
                summary.text,
                how.start(),
                how.end(),
                "voice.how_communicates",
                "says how the child communicates",
            )
            return make(
                self,
                "partly_met",
                confidence=0.65,
                evidence=[ev],
                missing="the summary says how the child communicates but not what they tell us",
            )
        return make(
            self,
            "not_met",
            confidence=0.75,
            missing="the summary does not say what the child thinks, wishes or feels",
        )


def _how_child_communicates(text: str) -> re.Match[str] | None:
    """Where a summary names how the child communicates ("uses PECS and some Makaton", "has a
    talker"; the lexicon's ``communicates_by``)."""
    return lexicon().communicates_by.search(text)
