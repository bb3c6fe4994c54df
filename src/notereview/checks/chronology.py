"""Chronology: H1–H4."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

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


class _ChronologyCheck(BaseCheck):
    theme = "chronology"


def _norm(text: str) -> set[str]:
    return {w for w in _NON_WORD.split(text.lower()) if len(w) >= 3}


def entry_event_types(ctx: ReviewContext, entry: ChronologyEntry) -> set[str]:
    """The significant-event types a chronology entry records (from its text and event_type)."""
    types: set[str] = set()
    at = ctx.annotation("chronology", entry.entry_id)
    if at is not None:
        types |= {
            c.kind.split(":", 1)[1]
            for s in at.sentences
            for c in s.cues
            if c.kind.startswith("significant_event:")
        }
    return types


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
    """The events H2 judges: significant events mentioned outside the chronology, dated up to
    the as-of date."""
    return [e for e in ctx.events if e.event_date <= ctx.as_of]


def entries_in_window(ctx: ReviewContext, event: EventMention) -> list[ChronologyEntry]:
    """The chronology entries within the policy window of the event's date, in file order."""
    window = timedelta(days=ctx.policy.chronology_window_days)
    return [e for e in ctx.case.chronology if abs(e.event_date - event.event_date) <= window]


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
    prompt_share: float = 0.9


@register("chronology.present@1")
class ChronologyPresent(_ChronologyCheck):
    """H1: present; entries dated, in order, with source."""

    criterion = "H1"
    Params = PresentParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "chronology")) is not None:
            return na
        entries = ctx.case.chronology
        if not entries:
            return make(self, "not_met", confidence=0.95, missing="no chronology on the file")
        p = self.params
        cal = ctx.calendar
        limit = ctx.policy.chronology_entry_max_delay_working_days
        sourced = [e for e in entries if e.source and e.source.strip()]
        late = [
            e
            for e in entries
            if e.entered_at is not None
            and cal.working_days_between(e.event_date, e.entered_at) > limit
        ]
        failures = []
        if len(entries) < p.min_entries:
            failures.append(f"only {len(entries)} entries")
        if len(sourced) / len(entries) < p.source_share:
            failures.append(
                f"{len(entries) - len(sourced)} of {len(entries)} entries have no source"
            )
        if 1 - len(late) / len(entries) < p.prompt_share:
            failures.append(
                f"{len(late)} of {len(entries)} entries entered more than {limit} working days "
                "after the event"
            )
        evidence: list[Evidence] = [
            record_fact("chronology", e.entry_id, "chronology.source_missing", "no source recorded")
            for e in entries
            if e not in sourced
        ][:2]
        evidence += [
            record_fact(
                "chronology",
                e.entry_id,
                "chronology.entered_late",
                f"event {e.event_date}, entered {e.entered_at}",
            )
            for e in late[:2]
        ]
        if not failures:
            evidence = [
                record_fact(
                    "chronology",
                    entries[-1].entry_id,
                    "chronology.present",
                    f"{len(entries)} dated entries with sources",
                )
            ]
            return make(self, "met", confidence=0.9, evidence=evidence)
        status = "partly_met" if len(failures) == 1 else "not_met"
        return make(self, status, confidence=0.85, evidence=evidence, missing="; ".join(failures))


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
                f"{' (date from the text)' if ev.dated_from_text else ''} has no chronology "
                f"entry within {window_days} days",
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
    met_at: float = 0.6
    partly_at: float = 0.3


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
            if e.impact and e.impact.strip():
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


@register("chronology.gaps@1")
class ChronologyGaps(_ChronologyCheck):
    """H4: no unexplained gaps while the case is open."""

    criterion = "H4"

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "chronology")) is not None:
            return na
        entries = ctx.case.chronology
        if not entries:
            return not_applicable(self, "no chronology to judge")
        max_gap = ctx.policy.chronology_max_gap_days
        start = ctx.case.child.status_start
        dates = [start, *[e.event_date for e in entries if e.event_date >= start], ctx.as_of]
        gaps = [(a, b) for a, b in pairwise(dates) if (b - a).days > max_gap]
        evidence = [
            record_fact(
                "chronology",
                entries[-1].entry_id,
                "chronology.gap",
                f"no entry between {a} and {b} ({(b - a).days} days)",
            )
            for a, b in gaps[:3]
        ]
        status = "met" if not gaps else "partly_met" if len(gaps) == 1 else "not_met"
        if not gaps:
            evidence = [
                record_fact(
                    "chronology",
                    entries[-1].entry_id,
                    "chronology.gap",
                    f"no gap over {max_gap} days since {start}",
                )
            ]
        return make(
            self,
            status,
            confidence=0.9,
            evidence=evidence,
            missing=f"{len(gaps)} gap(s) of more than {max_gap} days with no entry" if gaps else "",
        )
