"""The annotated case file that every check reads: parse once, label once, share.

``build_context`` annotates every text of a case file with the one spaCy pipeline, derives the
per-record labels that several criteria share (``checks._labels``: a visit's voice, plan link,
analysis, timeliness; a plan action's SMART parts), finds significant events and their dates,
and hands the result to the checks, which only read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from notereview.casefile import CaseFile, Visit
from notereview.checks._labels import (
    VOICE_ORDER,
    ActionLabel,
    VisitLabel,
    asserted,
    child_quotes,
    cue_evidence,
    label_action,
    label_visit,
)
from notereview.checks._lexicon import lexicon
from notereview.checks._linking import PlanLinker
from notereview.checks._textdates import dates_in

# Imported at run time (not only for type checking): a compiled build (notereview._compiled)
# reads the dataclasses' field types when the module loads.
from notereview.nlp import AnnotatedText, ChildContext, Cue
from notereview.policy import Policy, WorkingCalendar

#: The names the checks read from here (the labels live in ``checks._labels``).
__all__ = [
    "VOICE_ORDER",
    "ActionLabel",
    "Cue",
    "EventMention",
    "ReviewContext",
    "VisitLabel",
    "annotate_case",
    "asserted",
    "build_context",
    "child_context",
    "cue_evidence",
    "label_action",
    "label_visit",
    "people_names",
]

if TYPE_CHECKING:
    from notereview.checks._judgement import Judgement
    from notereview.nlp import Annotator  # would import spaCy

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SHINGLE = 5
#: A sentence that tells of a repeat: "went missing again", "another call-out".
_AGAIN = re.compile(
    r"\b(?:again|another|a\s+(?:second|third|further|fresh)|once\s+more)\b",
    re.IGNORECASE,
)
#: Two mentions of an event of one kind this close together are one event.
_SAME_EVENT_DAYS = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class EventMention:
    """A significant event mentioned outside the chronology, with the date it happened."""

    event_type: str
    event_date: date
    table: str
    record_id: str
    start: int
    end: int
    quote: str
    rule: str
    dated_from_text: bool
    #: The earliest day it can have happened: the text's date where it gives one; else the
    #: date of the record of the same kind before (a visit tells what happened since the last
    #: visit), or None where there is no such bound (a case summary's history, a first visit).
    since: date | None


@dataclass(frozen=True)
class ReviewContext:
    """Everything a check may read. Built once per case file; never mutated."""

    case: CaseFile
    as_of: date
    window_start: date
    policy: Policy
    calendar: WorkingCalendar
    age: int | None
    verbal: bool
    annotations: dict[tuple[str, str], AnnotatedText]
    visit_labels: dict[str, VisitLabel]
    action_labels: dict[str, ActionLabel]
    events: tuple[EventMention, ...]
    tables_absent: frozenset[str] = frozenset()
    extras: dict[str, Any] = field(default_factory=dict)
    #: The file says the child communicates partly other than by speech (few or no words,
    #: signs, symbols, a communication aid): observation of them is part of their voice, so
    #: C3 applies beside C1 and C2.
    observed: bool = False
    #: entry_id -> the cue kinds a chronology entry's coded event_type names, read by the
    #: same patterns as the texts ("A&E ATTENDANCE", "Admitted - ward 4": a hospital visit).
    entry_kinds: dict[str, frozenset[str]] = field(default_factory=dict)

    def in_window(self, day: date) -> bool:
        return self.window_start <= day <= self.as_of

    @property
    def window_visits(self) -> tuple[Visit, ...]:
        return tuple(v for v in self.case.visits if self.in_window(v.visit_date))

    def annotation(self, table: str, record_id: str) -> AnnotatedText | None:
        return self.annotations.get((table, record_id))


def child_context(case: CaseFile, as_of: date, annotator: Annotator) -> ChildContext:
    """The child as the reader needs them: the names the file uses for the child and for the
    people around them (the latest genogram's members, the file's own texts)."""
    from notereview.nlp._people import FamilyMember

    child = case.child
    genogram = case.genograms[-1] if case.genograms else None
    family = [FamilyMember(m.name, m.relationship) for m in genogram.members] if genogram else []
    return annotator.child_context(
        child.first_name,
        child.gender,
        child.age_on(as_of),
        family,
        (text for _, _, text in _texts(case)),
    )


def people_names(case: CaseFile, people: ChildContext) -> tuple[frozenset[str], frozenset[str]]:
    """(the forms of the child's name, everyone's names lower-cased) for the judgement's
    features and the plan linker (a name shared with an action is no link)."""
    child_forms = frozenset(n for n in (case.child.first_name, *people.nicknames) if n)
    names = frozenset(n.lower() for n in (*child_forms, *(f for f, _r, _g in people.others)))
    return child_forms, names


def _texts(case: CaseFile) -> list[tuple[str, str, str]]:
    """(table, record_id, text) for every text of the file that gets annotated."""
    out: list[tuple[str, str, str]] = [("visits", v.visit_id, v.text) for v in case.visits]
    out += [("case_summaries", s.summary_id, s.text) for s in case.case_summaries]
    out += [("plan_actions", a.action_id, a.text) for a in case.plan_actions]
    out += [("chronology", c.entry_id, c.text) for c in case.chronology]
    out += [("supervision", r.record_id, r.text) for r in case.supervision]
    out += [("genograms", g.genogram_id, g.notes) for g in case.genograms if g.notes]
    return out


def annotate_case(
    case: CaseFile, annotator: Annotator, as_of: date, ctx: ChildContext | None = None
) -> dict[tuple[str, str], AnnotatedText]:
    ctx = ctx or child_context(case, as_of, annotator)
    items = _texts(case)
    # A case file repeats texts (a chronology's standard lines, a note copied forward): each
    # distinct text is annotated once for this child, and its immutable result shared.
    distinct = list(dict.fromkeys(text for _, _, text in items))
    annotated = annotator.annotate_many([(text, ctx) for text in distinct])
    by_text = dict(zip(distinct, annotated, strict=True))
    return {(table, rid): by_text[text] for table, rid, text in items}


def _shingles(text: str) -> set[tuple[str, ...]]:
    # _WORD matches ASCII letters only, so an ASCII text lower-cased first gives the same words;
    # another may not ("K", the Kelvin sign, lower-cases to an ASCII "k").
    if text.isascii():
        words = _WORD.findall(text.lower())
    else:
        words = [w.lower() for w in _WORD.findall(text)]
    return set(zip(*(words[k:] for k in range(_SHINGLE)), strict=False))


def copy_pairs(visits: Sequence[Visit], threshold: float = 0.8) -> dict[str, str]:
    """visit_id -> the earlier visit it is a near-copy of (5-word shingle Jaccard >= threshold)."""
    sets = [(v.visit_id, _shingles(v.text)) for v in visits]
    copies: dict[str, str] = {}
    for i, (vid, s) in enumerate(sets):
        n = len(s)
        if n < 8:
            continue
        for prev_id, p in sets[:i]:
            m = len(p)
            # Jaccard is at most min/max of the sizes: most pairs need no intersection.
            if m < 8 or min(n, m) < threshold * max(n, m):
                continue
            inter = _overlap(s, p, n - threshold * (n + m) / (1 + threshold) + 1)
            if inter and inter / (n + m - inter) >= threshold:
                copies[vid] = prev_id
                break
    return copies


def _overlap(s: set[tuple[str, ...]], p: set[tuple[str, ...]], misses_allowed: float) -> int:
    """``len(s & p)``, or 0 as soon as more than ``misses_allowed`` of ``s`` are not in ``p``.
    Jaccard I / (|s| + |p| - I) >= t means I >= t (|s| + |p|) / (1 + t), so a pair at the
    threshold misses at most |s| - t (|s| + |p|) / (1 + t) of ``s`` (the caller adds 1 to spare
    rounding): a visit unlike the earlier one is told apart after about a ninth of its
    shingles, not all of them."""
    hits = 0
    misses = 0
    for x in s:
        if x in p:
            hits += 1
        else:
            misses += 1
            if misses > misses_allowed:
                return 0
    return hits


def find_events(
    case: CaseFile, annotations: dict[tuple[str, str], AnnotatedText], window_days: int
) -> list[EventMention]:
    """Significant events mentioned in visits, case summaries and supervision, with dates.
    ``window_days``: the policy's chronology window, by which an undated mention's range
    reaches back before the record before it (as H2 reads the chronology for it)."""
    sources: list[tuple[str, str, str, date]] = [
        ("visits", v.visit_id, v.text, v.visit_date) for v in case.visits
    ]
    sources += [("case_summaries", s.summary_id, s.text, s.updated_at) for s in case.case_summaries]
    sources += [("supervision", r.record_id, r.text, r.date) for r in case.supervision]
    window = timedelta(days=window_days)
    # Each mention with the earliest day of an earlier mention that it may retell.
    events: list[tuple[EventMention, date]] = []
    previous: dict[tuple[str, str], date | None] = {}
    for table in ("visits", "supervision"):
        days = sorted({ref for t, _r, _x, ref in sources if t == table})
        before = dict(zip(days[1:], days[:-1], strict=True))
        for t, rid, _x, ref in sources:
            if t == table:
                previous[(t, rid)] = before.get(ref)
    for table, rid, text, ref in sources:
        at = annotations.get((table, rid))
        if at is None:
            continue
        for s in at.sentences:
            for c in s.cues:
                if (
                    not c.kind.startswith("significant_event:")
                    or not asserted(c)
                    or "anticipated" in c.qualifiers  # listed, booked, prepared for: not yet
                ):
                    continue
                written = dates_in(text, s.start, s.end, ref)
                if not written and "historical" in c.qualifiers:
                    # "Mum had previously been arrested": an earlier event retold without its
                    # date; the record's own date would place it where it did not happen.
                    continue
                when, from_text = (written[0][2], True) if written else (ref, False)
                since = when if from_text else previous.get((table, rid))
                if when > ref + timedelta(days=1):  # a future date is a plan, not an event
                    continue
                mention = EventMention(
                    event_type=c.kind.split(":", 1)[1],
                    event_date=when,
                    table=table,
                    record_id=rid,
                    start=c.start,
                    end=c.end,
                    quote=text[c.start : c.end],
                    rule=c.rule,
                    dated_from_text=from_text,
                    since=since,
                )
                retells_from = when - _SAME_EVENT_DAYS
                if not from_text and not _AGAIN.search(text, s.start, s.end):
                    retells_from = date.min if since is None else min(retells_from, since - window)
                events.append((mention, retells_from))
    # The same event told twice (a visit and the supervision after it) is one event: a mention
    # is one with an earlier mention of its kind dated from its retells_from on. That is three
    # days before it; for a mention the text does not date, anything since the record before
    # (less the window): "the exclusion" in a supervision note retells the one a visit dated.
    # A sentence that tells of a repeat ("missing again", "another call-out") keeps three days.
    # Each mention is compared with every earlier one, kept or merged.
    unique: list[EventMention] = []
    seen: list[EventMention] = []
    for e, first in sorted(
        events, key=lambda p: (p[0].event_date, p[0].table, p[0].record_id, p[0].start)
    ):
        if not any(k.event_type == e.event_type and first <= k.event_date for k in seen):
            unique.append(e)
        seen.append(e)
    return unique


def is_non_verbal(case: CaseFile) -> bool:
    pattern = lexicon().non_verbal
    return any(pattern.search(v.text) for v in case.visits)


def build_context(
    case: CaseFile,
    annotator: Annotator,
    policy: Policy,
    calendar: WorkingCalendar,
    as_of: date,
    linker: PlanLinker | None = None,
    tables_absent: Iterable[str] = (),
    annotations: dict[tuple[str, str], AnnotatedText] | None = None,
    labeller: Any = None,
    judgement: Judgement | None = None,
    people: ChildContext | None = None,
) -> ReviewContext:
    """``people``: the case's ChildContext where the caller has it already (it annotated the
    case itself), so the names are worked out once."""
    from notereview.policy import recorded_late_working_days, visit_due_dates

    linker = linker or PlanLinker()
    people = people or child_context(case, as_of, annotator)
    if annotations is None:
        annotations = annotate_case(case, annotator, as_of, people)
    child_forms, names = people_names(case, people)
    child = case.child
    age = child.age_on(as_of)
    window_start = policy.window_start(as_of)
    verbal = (age is None or age >= policy.pre_verbal_age_below) and not is_non_verbal(case)

    seen_dates = sorted({v.visit_date for v in case.visits if v.seen})
    intervals = visit_due_dates(
        child.legal_status,
        child.status_start,
        child.placement_start,
        child.long_term_placement,
        seen_dates,
        as_of,
        min([child.status_start, *seen_dates]),
        policy,
        calendar,
    )
    closing = {i.closed_by: i for i in intervals if i.closed_by is not None}
    copies = copy_pairs(case.visits)
    actions = case.plan_actions
    visit_labels: dict[str, VisitLabel] = {}
    earlier: set[str] = set()  # the child's quoted words in the visits before (date order)
    for v in case.visits:
        interval = closing.get(v.visit_date) if v.seen else None
        on_time = bool(v.seen and interval is not None and interval.overdue_working_days == 0)
        late = recorded_late_working_days(v.visit_date, v.recorded_at, policy, calendar)
        visit_labels[v.visit_id] = label_visit(
            v,
            annotations[("visits", v.visit_id)],
            linker,
            actions,
            on_time,
            late,
            copies.get(v.visit_id),
            judgement,
            child_forms,
            names,
            frozenset(earlier),
        )
        earlier |= child_quotes(annotations[("visits", v.visit_id)])
    action_labels = {}
    for plan in case.plans:
        for a in plan.actions:
            action_labels[a.action_id] = label_action(
                a, annotations.get(("plan_actions", a.action_id)), plan.start_date
            )
    if labeller is not None:  # model-backed labels (notereview.ml.ModelLabeller), if chosen
        visit_labels, action_labels = labeller.relabel(
            case, annotations, age, visit_labels, action_labels
        )
    return ReviewContext(
        case=case,
        as_of=as_of,
        window_start=window_start,
        policy=policy,
        calendar=calendar,
        age=age,
        verbal=verbal,
        observed=people.observed,
        annotations=annotations,
        visit_labels=visit_labels,
        action_labels=action_labels,
        events=tuple(find_events(case, annotations, policy.chronology_window_days)),
        tables_absent=frozenset(tables_absent),
        extras={"visit_intervals": tuple(intervals)},
        entry_kinds={
            e.entry_id: annotator.label_kinds(e.event_type) for e in case.chronology if e.event_type
        },
    )
