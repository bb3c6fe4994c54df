"""Chronology: H1–H4."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from pydantic import Field

from notereview.casefile import ChronologyEntry
from notereview.checks._common import (
    absent_table,
    make,
    not_applicable,
    record_fact,
    share_finding,
)
from notereview.checks._context import EventMention, ReviewContext, asserted, cue_evidence
from notereview.checks._finding import Evidence, Finding
from notereview.checks._registry import BaseCheck, CheckParams, register

_NON_WORD = re.compile(r"[^a-z0-9]+")
_WORDS = re.compile(r"[\w’'-]+")


class _ChronologyCheck(BaseCheck):
    theme = "chronology"


def _norm(text: str) -> set[str]:
    return {w for w in _NON_WORD.split(text.lower()) if len(w) >= 3}


def entry_event_types(ctx: ReviewContext, entry: ChronologyEntry) -> set[str]:
    """The significant-event types a chronology entry records (from its text and event_type)."""
    at = ctx.annotation("chronology", entry.entry_id)
    kinds = [c.kind for s in at.sentences for c in s.cues] if at is not None else []
    kinds += ctx.entry_kinds.get(entry.entry_id, ())
    return {k.split(":", 1)[1] for k in kinds if k.startswith("significant_event:")}


SAME_INCIDENT_DAYS = 2


def _covers(ctx: ReviewContext, entry: ChronologyEntry, event: EventMention) -> bool:
    types = entry_event_types(ctx, entry)
    if event.event_type in types:
        return True
    # One incident told two ways ("an argument between Mum and her partner" in a visit, "police
    # call-out" in the chronology) is one event: a significant entry within two days covers it.
    if types and abs((entry.event_date - event.event_date).days) <= SAME_INCIDENT_DAYS:
        return True
    # A coded event_type column ("Police call-out", "POLICE_CALLOUT") names the type too.
    if entry.event_type:
        wanted = _norm(event.event_type.replace("_", " "))
        return bool(wanted) and wanted <= _norm(entry.event_type)
    return False


def judged_events(ctx: ReviewContext) -> list[EventMention]:
    """The events H2 judges: significant events mentioned outside the chronology and dated
    inside the review window (the period the audit covers; an older event retold in a record
    is history, and its date is often only the text's guess)."""
    return [e for e in ctx.events if ctx.in_window(e.event_date)]


def entries_in_window(ctx: ReviewContext, event: EventMention) -> list[ChronologyEntry]:
    """The chronology entries within the policy window of the event's date, in file order. A
    mention the text does not date may tell of anything since the record of the same kind
    before it (``EventMention.since``; a case summary's or a first visit's, anything before):
    entries from then on count too."""
    window = timedelta(days=ctx.policy.chronology_window_days)
    first = date.min if event.since is None else event.since - window
    last = event.event_date + window
    return [e for e in ctx.case.chronology if first <= e.event_date <= last]


def rules_covering_entry(ctx: ReviewContext, event: EventMention) -> ChronologyEntry | None:
    """The first chronology entry within the policy window that the rules say records
    ``event`` (same event type, a significant entry within two days, or a coded event_type
    naming it), or None."""
    return next((e for e in entries_in_window(ctx, event) if _covers(ctx, e, event)), None)


#: ``ReviewContext.extras`` key under which a model passes in the events it found in the
#: chronology by meaning: ``Mapping[EventMention, MeaningMatch]`` (notereview.ml's
#: SemanticChronologyCoverage, chosen by the rubric's ``models.chronology_coverage``). The
#: check reads it only for events the rules found no entry for; without it, the rules alone.
COVERAGE_BY_MEANING = "chronology.coverage_by_meaning"


@dataclass(frozen=True, slots=True)
class MeaningMatch:
    """A chronology entry that records an event in other words: the embedding cosine between
    the sentence that mentions the event and the entry, at or above the model's threshold."""

    entry_id: str
    event_date: date
    cosine: float
    threshold: float
    source: str  # which model said so, e.g. "chronology_coverage.chronology_coverage@1"


class PresentParams(CheckParams):
    min_entries: int = 3
    source_share: float = 0.9


@register("chronology.present@1")
class ChronologyPresent(_ChronologyCheck):
    """H1: present and kept; entries dated, in order, with source.

    Not met only when there is no chronology. Present but short, with entries lacking a
    source, or no longer kept (no entry within the policy's maximum gap before as-of): partly
    met. When an entry was typed in is not H1's question: a chronology backfilled from the
    file is still a chronology."""

    criterion = "H1"
    Params = PresentParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "chronology")) is not None:
            return na
        entries = ctx.case.chronology
        if not entries:
            return make(self, "not_met", confidence=0.95, missing="no chronology on the file")
        p = self.params
        sourced = [e for e in entries if e.source and e.source.strip()]
        kept_since = ctx.as_of - timedelta(days=ctx.policy.chronology_max_gap_days)
        last_kept = max(_kept_on(e) for e in entries)
        failures = []
        if len(entries) < p.min_entries:
            failures.append(f"only {len(entries)} entries")
        if len(sourced) / len(entries) < p.source_share:
            failures.append(
                f"{len(entries) - len(sourced)} of {len(entries)} entries have no source"
            )
        if last_kept < kept_since:
            failures.append(
                f"no entry added or dated since {last_kept}: the chronology is not kept"
            )
        if not failures:
            evidence = [
                record_fact(
                    "chronology",
                    entries[-1].entry_id,
                    "chronology.present",
                    f"{len(entries)} dated entries with sources, the latest {last_kept}",
                )
            ]
            return make(self, "met", confidence=0.9, evidence=evidence)
        evidence: list[Evidence] = [
            record_fact("chronology", e.entry_id, "chronology.source_missing", "no source recorded")
            for e in entries
            if e not in sourced
        ][:2]
        if last_kept < kept_since:
            evidence.append(
                record_fact(
                    "chronology",
                    entries[-1].entry_id,
                    "chronology.not_kept",
                    f"latest entry {last_kept}, more than "
                    f"{ctx.policy.chronology_max_gap_days} days before {ctx.as_of}",
                )
            )
        return make(
            self, "partly_met", confidence=0.85, evidence=evidence, missing="; ".join(failures)
        )


def _kept_on(entry: ChronologyEntry) -> date:
    """When the chronology was last touched by this entry: the later of the event and entry."""
    return max(entry.event_date, entry.entered_at or entry.event_date)


def _not_found(ev: EventMention, window_days: int) -> str:
    if ev.dated_from_text:
        return f" (date from the text) has no chronology entry within {window_days} days"
    if ev.since is not None:
        return (
            f" (the record's date; the text gives none) has no chronology entry between "
            f"{ev.since} (the record before) and {window_days} days after"
        )
    return (
        f" (the record's date; the text gives none) has no chronology entry before it or within "
        f"{window_days} days after"
    )


def _mention_evidence(ev: EventMention, source: str, said: str) -> Evidence:
    """Evidence quoting where ``ev`` is mentioned: "<event type> on <date><said>"."""
    why = f"{ev.event_type.replace('_', ' ')} on {ev.event_date}{said}"
    return Evidence(ev.table, ev.record_id, ev.start, ev.end, ev.quote, source, why)


class CoverageParams(CheckParams):
    partly_max_missing: int = 1


@register("chronology.coverage@1")
class ChronologyCoverage(_ChronologyCheck):
    """H2: significant events found elsewhere in the file appear in the chronology: an entry
    the rules match, or, where the rubric chose a model, one that says it in other words
    (``ctx.extras[COVERAGE_BY_MEANING]``, read only for events the rules found no entry for)."""

    criterion = "H2"
    Params = CoverageParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "chronology")) is not None:
            return na
        events = judged_events(ctx)
        if not events:
            return not_applicable(
                self, "no significant event is mentioned in visits, summaries or supervision"
            )
        entries = ctx.case.chronology
        by_meaning: Mapping[EventMention, MeaningMatch] = ctx.extras.get(COVERAGE_BY_MEANING, {})
        covering = {id(ev): rules_covering_entry(ctx, ev) for ev in events}
        meaning = {
            id(ev): by_meaning[ev] for ev in events if covering[id(ev)] is None and ev in by_meaning
        }
        uncovered = [ev for ev in events if covering[id(ev)] is None and id(ev) not in meaning]
        n_missing = len(uncovered)
        window_days = ctx.policy.chronology_window_days
        evidence = [
            _mention_evidence(
                ev,
                f"significant_event.{ev.rule}",
                _not_found(ev, window_days),
            )
            for ev in uncovered
        ]
        evidence += [
            _mention_evidence(
                ev,
                f"significant_event.{ev.rule}",
                f" is in the chronology (entry {entry.entry_id}, {entry.event_date})",
            )
            for ev in events
            if (entry := covering[id(ev)]) is not None
        ]
        evidence += [
            _mention_evidence(
                ev,
                m.source,
                f" is in the chronology by meaning: entry {m.entry_id} ({m.event_date}) says it "
                f"in other words (similarity {m.cosine:.2f}, threshold {m.threshold:.2f})",
            )
            for ev in events
            if (m := meaning.get(id(ev))) is not None
        ]
        if n_missing == 0:
            status = "met"
        elif n_missing <= self.params.partly_max_missing and entries:
            status = "partly_met"
        else:
            status = "not_met"
        covered = len(events) - n_missing
        missing = (
            f"{n_missing} of {len(events)} significant events mentioned elsewhere are missing "
            "from the chronology: "
            + ", ".join(f"{e.event_type.replace('_', ' ')} ({e.event_date})" for e in uncovered[:4])
            if uncovered
            else ""
        )
        return make(
            self,
            status,
            share=covered / len(events),
            confidence=0.7,
            evidence=evidence,
            missing=missing,
            missing_events=[(e.event_type, e.event_date.isoformat()) for e in uncovered],
        )


class ImpactParams(CheckParams):
    # The auditors' share convention (as for V4/V5): nearly every entry met, some partly.
    met_at: float = 0.8
    partly_at: float = 0.4
    # An impact column holding fewer words than this, or only a placeholder, says nothing of
    # what the event meant for the child ("N/A", "Safe place.").
    min_impact_words: int = 3
    placeholders: list[str] = Field(default_factory=list)  # the rubric lists them


def states_impact(impact: str | None, params: ImpactParams) -> bool:
    """The impact column says something about the child: not blank, not a placeholder, and
    more than a word or two."""
    text = (impact or "").strip()
    if not text or text.strip(" .-").lower() in params.placeholders:
        return False
    return len(_WORDS.findall(text)) >= params.min_impact_words


@register("chronology.impact@1")
class ChronologyImpact(_ChronologyCheck):
    """H3: entries say the impact on the child and what worked and why."""

    criterion = "H3"
    Params = ImpactParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "chronology")) is not None:
            return na
        entries = ctx.case.chronology
        if not entries:
            return not_applicable(self, "no chronology to judge")
        evidence: list[Evidence] = []
        hits = 0
        for e in entries:
            if states_impact(e.impact, self.params):
                hits += 1
                evidence.append(
                    record_fact(
                        "chronology",
                        e.entry_id,
                        "chronology.impact_column",
                        "impact on the child recorded",
                    )
                )
                continue
            at = ctx.annotation("chronology", e.entry_id)
            cue = next(
                (
                    c
                    for s in (at.sentences if at else ())
                    for c in s.cues
                    if c.kind == "analysis" and asserted(c)
                ),
                None,
            )
            if cue is not None:
                hits += 1
                evidence.append(
                    cue_evidence(
                        "chronology",
                        e.entry_id,
                        e.text,
                        cue.start,
                        cue.end,
                        f"analysis.{cue.rule}",
                        "says the impact on the child",
                    )
                )
        return share_finding(
            self,
            hits,
            len(entries),
            self.params.met_at,
            self.params.partly_at,
            evidence=evidence,
            missing=(
                f"{len(entries) - hits} of {len(entries)} chronology entries say what happened "
                "but not its impact on the child"
            ),
        )


@dataclass(frozen=True, slots=True)
class ChronologyGap:
    """A stretch of the judged period with no chronology entry, and the significant events
    mentioned elsewhere that fall in it but are missing from the chronology."""

    start: date
    end: date
    missed: tuple[EventMention, ...]

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def chronology_gaps(ctx: ReviewContext) -> list[ChronologyGap]:
    """The unexplained gaps H4 judges, in the period the case was open inside the review window.

    A gap is unexplained when it is longer than the policy's maximum gap, or when it is longer
    than half of it and something significant happened in it (an event mentioned elsewhere in
    the file that the chronology lacks): a quiet stretch is explained by nothing happening, not
    by the chronology falling silent while things happened."""
    max_gap = ctx.policy.chronology_max_gap_days
    start = max(ctx.case.child.status_start, ctx.window_start)
    inside = sorted(
        {e.event_date for e in ctx.case.chronology if start < e.event_date <= ctx.as_of}
    )
    missed = [ev for ev in judged_events(ctx) if rules_covering_entry(ctx, ev) is None]
    gaps = []
    for a, b in pairwise([start, *inside, ctx.as_of]):
        in_gap = tuple(ev for ev in missed if a < ev.event_date < b)
        days = (b - a).days
        if days > max_gap or (in_gap and days > max_gap / 2):
            gaps.append(ChronologyGap(a, b, in_gap))
    return gaps


@register("chronology.gaps@1")
class ChronologyGaps(_ChronologyCheck):
    """H4: no unexplained gaps while the case is open (inside the review window).

    Not met when the chronology has stopped (the last gap runs to as-of and is longer than the
    policy's maximum gap) or there are two or more unexplained gaps; partly met for one."""

    criterion = "H4"

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "chronology")) is not None:
            return na
        entries = ctx.case.chronology
        if not entries:
            return not_applicable(self, "no chronology to judge")
        max_gap = ctx.policy.chronology_max_gap_days
        gaps = chronology_gaps(ctx)
        stopped = any(g.end == ctx.as_of and g.days > max_gap for g in gaps)
        if not gaps:
            status = "met"
        elif stopped or len(gaps) > 1:
            status = "not_met"
        else:
            status = "partly_met"
        start = max(ctx.case.child.status_start, ctx.window_start)
        evidence = [_gap_evidence(entries[-1].entry_id, g) for g in gaps[:3]] or [
            record_fact(
                "chronology",
                entries[-1].entry_id,
                "chronology.gap",
                f"no gap over {max_gap} days since {start}",
            )
        ]
        missing = ""
        if gaps:
            missing = f"{len(gaps)} unexplained gap(s) with no chronology entry"
            if stopped:
                missing += f"; no entry in the last {max_gap} days: the chronology has stopped"
        return make(self, status, confidence=0.85, evidence=evidence, missing=missing)


def _gap_evidence(entry_id: str, gap: ChronologyGap) -> Evidence:
    why = f"no entry between {gap.start} and {gap.end} ({gap.days} days)"
    if gap.missed:
        kinds = sorted({ev.event_type.replace("_", " ") for ev in gap.missed})
        why += f", although the file records {', '.join(kinds)} in that time"
    return record_fact("chronology", entry_id, "chronology.gap", why)
