"""The per-record labels that several criteria share: a visit's voice, plan link, analysis and
timeliness (``label_visit``), and a plan action's SMART parts (``label_action``).

Each label keeps the evidence behind it; the checks only read the labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from notereview.casefile import PlanAction, Visit
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
from notereview.nlp import AnnotatedText, Cue

if TYPE_CHECKING:
    from notereview.checks._judgement import Judgement

VOICE_ORDER: tuple[str, ...] = (
    "direct",
    "reported",
    "observation",
    "attempted_not_obtained",
    "none",
)


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


def asserted(cue: Cue) -> bool:
    """A cue outside the scope of a negation or a hypothetical (ConText qualifiers on the cue)."""
    return not ({"hypothetical", "negated"} & cue.qualifiers)


def cue_evidence(
    table: str, record_id: str, text: str, start: int, end: int, source: str, why: str
) -> Evidence:
    return Evidence(table, record_id, start, end, text[start:end], source, why)


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
        learned_voice, margin, shown = judgement.read_voice(voice, text, at.sentences, child_forms)
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
        ev(s.start, s.end, f"voice.{voice}", why_voice[voice] + voice_note) for s in voice_sents[:3]
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
