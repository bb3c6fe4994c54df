"""The annotated case file that every check reads: parse once, label once, share.

``build_context`` annotates every text of a case file with the one spaCy pipeline, derives the
per-record labels that several criteria share (a visit's voice, plan link, analysis, timeliness;
a plan action's SMART parts; significant events and their dates), and hands the result to the
checks, which only read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from notereview.casefile import CaseFile, PlanAction, Visit
from notereview.checks._finding import Evidence
from notereview.checks._lexicon import lexicon
from notereview.checks._linking import PlanLinker
from notereview.checks._smart import (
    WhatReading,
    due_date_problem,
    owner_field_problem,
    uk_date,
    what_in_text,
    when_in_text,
    who_in_text,
)
from notereview.checks._textdates import dates_in

# Imported at run time (not only for type checking): a compiled build (notereview._compiled)
# reads the dataclasses' field types when the module loads.
from notereview.nlp import AnnotatedText, ChildContext, Cue
from notereview.policy import Policy, WorkingCalendar

if TYPE_CHECKING:
    from notereview.checks._judgement import Judgement
    from notereview.nlp import Annotator  # would import spaCy

VOICE_ORDER: tuple[str, ...] = (
    "direct",
    "reported",
    "observation",
    "attempted_not_obtained",
    "none",
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SHINGLE = 5


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


@dataclass(frozen=True, slots=True)
class VisitLabel:
    visit_id: str
    voice: str
    plan_linked: bool
    analysis: bool
    wishes_feelings: bool
    observation: bool
    on_time: bool
    recorded_late_days: int
    copy_of: str | None
    evidence: tuple[Evidence, ...]  # every span behind the labels above
    voice_evidence: tuple[Evidence, ...] = ()
    wishes_evidence: tuple[Evidence, ...] = ()
    observation_evidence: tuple[Evidence, ...] = ()
    analysis_evidence: tuple[Evidence, ...] = ()
    plan_evidence: tuple[Evidence, ...] = ()
    attempt_evidence: tuple[Evidence, ...] = ()
    facts_evidence: tuple[Evidence, ...] = ()  # specific observed facts (not opinion)


@dataclass(frozen=True, slots=True)
class ActionLabel:
    action_id: str
    plan_id: str
    specific: bool
    measurable: bool
    owner_named: bool
    timebound: bool
    child_wishes: bool
    evidence: tuple[Evidence, ...]
    missing: tuple[str, ...]

    @property
    def smart(self) -> bool:
        return self.specific and self.measurable and self.owner_named and self.timebound

    @property
    def score(self) -> float:
        return (self.specific + self.measurable + self.owner_named + self.timebound) / 4


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

    def in_window(self, day: date) -> bool:
        return self.window_start <= day <= self.as_of

    @property
    def window_visits(self) -> tuple[Visit, ...]:
        return tuple(v for v in self.case.visits if self.in_window(v.visit_date))

    def annotation(self, table: str, record_id: str) -> AnnotatedText | None:
        return self.annotations.get((table, record_id))


def asserted(cue: Cue) -> bool:
    """A cue outside the scope of a negation or a hypothetical (ConText qualifiers on the cue)."""
    return not ({"hypothetical", "negated"} & cue.qualifiers)


def cue_evidence(
    table: str, record_id: str, text: str, start: int, end: int, source: str, why: str
) -> Evidence:
    return Evidence(table, record_id, start, end, text[start:end], source, why)


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


def _voice_of(
    at: AnnotatedText,
    day: date | None = None,
    earlier: frozenset[str] = frozenset(),
) -> tuple[str, list[Any]]:
    """The record's strongest voice and its sentences. The child's words from an earlier
    record repeated (``earlier``: normalised quotes of the child's earlier visits), or dated a
    month or more before this visit ("as she told me in June"), are not this visit's voice."""
    best = "none"
    spans: list[Any] = []
    for s in at.sentences:
        voice = s.voice
        if (
            voice in ("direct", "reported")
            and day is not None
            and _said_before(at, s, day, earlier)
        ):
            continue
        if VOICE_ORDER.index(voice) < VOICE_ORDER.index(best):
            best, spans = voice, [s]
        elif voice == best and best != "none":
            spans.append(s)
    return best, spans


_QUOTE_WORDS = re.compile(r"[a-z0-9']+")
_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_REF = re.compile(
    r"\b(?:in|back\s+in|during|last|at\s+the\s+end\s+of|at\s+the\s+start\s+of)\s+("
    + "|".join(_MONTHS)
    + r")\b",
    re.IGNORECASE,
)
_SINCE = re.compile(r"\b(?:since|from|after|as\s+of)\s+(?:the\s+)?$", re.IGNORECASE)
#: Words a child said at least this long before the visit are not this visit's voice.
_OLD_WORDS_DAYS = 28


def quote_key(text: str) -> str | None:
    """A quotation's words, lower-cased (three or more, or None): how a repeat is found."""
    words = _QUOTE_WORDS.findall(text.lower())
    return " ".join(words) if len(words) >= 3 else None


def child_quotes(at: AnnotatedText) -> set[str]:
    """The normalised words of every quotation that is the child's voice in a record."""
    out: set[str] = set()
    for s in at.sentences:
        cue = s.voice_cue
        if s.voice in ("direct", "reported") and cue is not None and cue.kind == "quote":
            key = quote_key(at.text[cue.start : cue.end])
            if key:
                out.add(key)
    return out


def _said_before(at: AnnotatedText, s: Any, day: date, earlier: frozenset[str]) -> bool:
    cue = s.voice_cue
    if earlier and cue is not None and cue.kind == "quote":
        key = quote_key(at.text[cue.start : cue.end])
        if key is not None and key in earlier:
            return True
    text = at.text
    limit = day - timedelta(days=_OLD_WORDS_DAYS)
    refs: list[date] = [
        d for st, _en, d in dates_in(text, s.start, s.end, day)
        if not _SINCE.search(text, max(s.start, st - 12), st)
    ]  # fmt: skip
    for m in _MONTH_REF.finditer(text, s.start, s.end):
        month = _MONTHS.index(m.group(1).lower()) + 1
        year = day.year if month <= day.month else day.year - 1
        last_day = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
        refs.append(last_day)
    return bool(refs) and all(d < limit for d in refs)


def label_visit(
    visit: Visit,
    at: AnnotatedText,
    linker: PlanLinker,
    actions: Sequence[PlanAction],
    on_time: bool,
    late_days: int,
    copy_of: str | None,
    judgement: Judgement | None = None,
    child_forms: frozenset[str] = frozenset(),
    names: frozenset[str] = frozenset(),
    earlier_quotes: frozenset[str] = frozenset(),
) -> VisitLabel:
    text = visit.text
    vid = visit.visit_id

    def ev(start: int, end: int, source: str, why: str) -> Evidence:
        return cue_evidence("visits", vid, text, start, end, source, why)

    voice, voice_sents = _voice_of(at, visit.visit_date, earlier_quotes)
    voice_note = ""
    if judgement is not None and judgement.voice:
        # A version retrained on a council's corrections reads the record's voice itself,
        # from the rules' kind and the record's words; its evidence is the sentences the
        # rules gave that kind, or the one that counted most for it.
        learned_voice, margin, shown = judgement.read_voice(
            voice, text, at.sentences, child_forms
        )
        if learned_voice != voice:
            voice_note = f" ({judgement.model_id} reads {learned_voice}, margin {margin:+.2f})"
            voice = learned_voice
            voice_sents = [at.sentences[i] for i in shown]
    why_voice = {
        "direct": "the child's own words, quoted",
        "reported": "the child's words or views, reported",
        "observation": "specific observation of a young or non-verbal child",
        "attempted_not_obtained": (
            "the worker tried to hear the child; the child's views not obtained"
        ),
    }
    voice_ev = tuple(
        ev(s.start, s.end, f"voice.{voice}", why_voice[voice] + voice_note)
        for s in voice_sents[:3]
    )
    # Evidence is built for the sentences shown only (the first two or three of each kind).
    attempt_ev = tuple(
        ev(s.start, s.end, "voice.attempted_not_obtained", why_voice["attempted_not_obtained"])
        for s in [s for s in at.sentences if s.voice == "attempted_not_obtained"][:2]
    )
    wishes = [
        s
        for s in at.sentences
        if s.voice in ("direct", "reported") and any(c.kind == "wishes_feelings" for c in s.cues)
    ]
    why_wishes = "the child's wishes and feelings, in their voice"
    wishes_ev = tuple(ev(s.start, s.end, "voice.wishes_feelings", why_wishes) for s in wishes[:3])
    obs_ev = tuple(
        ev(s.start, s.end, "voice.observation", why_voice["observation"])
        for s in [s for s in at.sentences if s.voice == "observation"][:3]
    )
    analysis_cues = [
        c for s in at.sentences for c in s.cues if c.kind == "analysis" and asserted(c)
    ]
    link = linker.link_visit(vid, text, at, actions, names=names)
    learned = (
        judgement.read(text, at.sentences, child_forms, {"plan_link": link.strength})
        if judgement is not None
        else {}
    )
    analysis_ev: tuple[Evidence, ...]
    if judgement is not None:
        # The learned judgement decides (the rules' cues are among its features); its
        # evidence is the passage it read as analysis.
        has_analysis, margin, first, last = learned["analysis"]
        analysis_ev = (
            (
                ev(
                    at.sentences[first].start,
                    at.sentences[last].end,
                    f"analysis.{judgement.model_id}",
                    f"says what this means for the child (learned judgement, margin {margin:+.2f})",
                ),
            )
            if has_analysis
            else ()
        )
    else:
        has_analysis = bool(analysis_cues)
        analysis_ev = tuple(
            ev(c.start, c.end, f"analysis.{c.rule}", "says what this means for the child")
            for c in analysis_cues[:3]
        )
    facts = lexicon().observed_facts.search(text)
    facts_ev = (
        (ev(facts.start(), facts.end(), "observed_facts", "records what the worker observed"),)
        if facts
        else ()
    )
    plan_linked, plan_ev = link.linked, link.evidence
    if judgement is not None:
        # The learned judgement reads the passage that works on the plan (its actions in
        # other words, a conference's or core group's decisions); a sentence sharing words
        # with an action lowers the bar it must clear, by an amount learned beside it.
        plan_linked, margin, first, last = learned["plan_link"]
        window_ev = ev(
            at.sentences[first].start,
            at.sentences[last].end,
            f"plan_link.{judgement.model_id}",
            f"works on the child's plan (learned judgement, margin {margin:+.2f})",
        )
        plan_ev = (*link.evidence, window_ev) if plan_linked and at.sentences else ()
    evidence = voice_ev + wishes_ev + obs_ev + analysis_ev + plan_ev + attempt_ev
    return VisitLabel(
        visit_id=vid,
        voice=voice,
        plan_linked=plan_linked,
        analysis=has_analysis,
        wishes_feelings=bool(wishes_ev),
        observation=bool(obs_ev),
        on_time=on_time,
        recorded_late_days=late_days,
        copy_of=copy_of,
        evidence=evidence,
        voice_evidence=voice_ev,
        wishes_evidence=wishes_ev,
        observation_evidence=obs_ev,
        analysis_evidence=analysis_ev,
        plan_evidence=plan_ev,
        attempt_evidence=attempt_ev,
        facts_evidence=facts_ev,
    )


def smart_parts(text: str) -> WhatReading:
    """What the action asks for: the first concrete act, how it will be measured, and what
    takes the measure away (notereview.checks._smart.what_in_text)."""
    return what_in_text(text)


def _who(action: PlanAction, ev: Any, fact: Any) -> tuple[bool, list[Evidence]]:
    """Owner named: in the text (the subject of an act, a passive's agent, a label) or in an
    owner field that names someone; a placeholder ("SW", "All", "TBC") names no one."""
    who = who_in_text(action.text)
    problem = owner_field_problem(action.owner)
    evidence: list[Evidence] = []
    if who is not None:
        evidence.append(ev(who.start, who.end, f"plan.owner_text:{who.rule}", "names who does it"))
    elif problem is None:
        evidence.append(fact("plan.owner_column", "owner recorded"))
    if problem is not None and action.owner and action.owner.strip():
        evidence.append(fact("plan.field_default:owner", problem))
    return who is not None or problem is None, evidence


def _when(action: PlanAction, reference: date, ev: Any, fact: Any) -> tuple[bool, list[Evidence]]:
    """Time-bound: a date or timescale in the text, or a due date that is not a system default
    (the year's last or first day, far in the future, on or before the plan's start)."""
    when = when_in_text(action.text, reference)
    due = action.due_date
    problem = due_date_problem(due, reference) if due is not None else None
    evidence: list[Evidence] = []
    if when is not None:
        source = "plan.date_in_text" if when.rule == "date" else f"plan.timescale:{when.rule}"
        evidence.append(ev(when.start, when.end, source, "says by when"))
    elif due is not None and problem is None:
        evidence.append(fact("plan.due_date_column", f"due date recorded ({uk_date(due)})"))
    if problem is not None:
        evidence.append(fact("plan.field_default:due_date", problem))
    return when is not None or (due is not None and problem is None), evidence


def label_action(action: PlanAction, at: AnnotatedText | None, reference: date) -> ActionLabel:
    """SMART parts of one plan action, judged on what is really there: the text's own who,
    what and when, and the owner and due-date fields unless a system filled them
    (``reference`` is the plan's start date)."""
    text = action.text
    aid = action.action_id
    missing: list[str] = []

    def ev(start: int, end: int, source: str, why: str) -> Evidence:
        return cue_evidence("plan_actions", aid, text, start, end, source, why)

    def fact(source: str, why: str) -> Evidence:
        return Evidence("plan_actions", aid, 0, 0, "", source, why)

    owner_named, evidence = _who(action, ev, fact)
    if not owner_named:
        missing.append("who is responsible")
    timebound, when_ev = _when(action, reference, ev, fact)
    evidence += when_ev
    if not timebound:
        missing.append("a due date or timescale")

    what = smart_parts(text)
    specific = what.specific
    if specific and what.act is not None:
        evidence.append(ev(what.act.start, what.act.end, "plan.action", "says what will be done"))
    else:
        missing.append("what exactly will be done")
    measurable = what.measurable
    if measurable and what.measure is not None:
        m = what.measure
        evidence.append(ev(m.start, m.end, "plan.measure", "says how we will know"))
    elif measurable and what.act is not None:
        a = what.act
        evidence.append(ev(a.start, a.end, "plan.completion", "done or not done: measurable"))
    else:
        missing.append("how progress will be measured")
        if specific and what.vague_part is not None:
            v = what.vague_part
            evidence.append(ev(v.start, v.end, "plan.vague_part", "an aim with no measure"))
        elif specific and what.hedge is not None:
            h = what.hedge
            evidence.append(ev(h.start, h.end, "plan.hedge", "leaves how much or how often open"))

    # Shaped by the child: the action itself carries the child's voice ("Kai has asked to see
    # his brother more, so ...") or, for a young child, what was observed of them.
    voiced = [s for s in (at.sentences if at is not None else ()) if s.voice in VOICE_ORDER[:3]]
    wish_ev = [
        ev(s.start, s.end, f"plan.child_wishes:voice.{s.voice}", "shaped by the child's wishes")
        for s in voiced[:1]
    ]
    child_wishes = bool(wish_ev)
    return ActionLabel(
        action_id=aid,
        plan_id=action.plan_id,
        specific=specific,
        measurable=measurable,
        owner_named=owner_named,
        timebound=timebound,
        child_wishes=child_wishes,
        evidence=tuple(evidence + wish_ev),
        missing=tuple(missing),
    )


def find_events(
    case: CaseFile, annotations: dict[tuple[str, str], AnnotatedText]
) -> list[EventMention]:
    """Significant events mentioned in visits, case summaries and supervision, with dates."""
    sources: list[tuple[str, str, str, date]] = [
        ("visits", v.visit_id, v.text, v.visit_date) for v in case.visits
    ]
    sources += [("case_summaries", s.summary_id, s.text, s.updated_at) for s in case.case_summaries]
    sources += [("supervision", r.record_id, r.text, r.date) for r in case.supervision]
    events: list[EventMention] = []
    for table, rid, text, ref in sources:
        at = annotations.get((table, rid))
        if at is None:
            continue
        for s in at.sentences:
            for c in s.cues:
                if not c.kind.startswith("significant_event:") or not asserted(c):
                    continue
                written = dates_in(text, s.start, s.end, ref)
                when, from_text = (written[0][2], True) if written else (ref, False)
                if when > ref + timedelta(days=1):  # a future date is a plan, not an event
                    continue
                events.append(
                    EventMention(
                        event_type=c.kind.split(":", 1)[1],
                        event_date=when,
                        table=table,
                        record_id=rid,
                        start=c.start,
                        end=c.end,
                        quote=text[c.start : c.end],
                        rule=c.rule,
                        dated_from_text=from_text,
                    )
                )
    # The same event told twice (a visit and the supervision after it) is one event.
    unique: dict[tuple[str, date], EventMention] = {}
    for e in sorted(events, key=lambda e: (e.event_date, e.table, e.record_id, e.start)):
        if any(k[0] == e.event_type and abs((k[1] - e.event_date).days) <= 3 for k in unique):
            continue
        unique[(e.event_type, e.event_date)] = e
    return list(unique.values())


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
        events=tuple(find_events(case, annotations)),
        tables_absent=frozenset(tables_absent),
        extras={"visit_intervals": tuple(intervals)},
    )
