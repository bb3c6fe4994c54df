"""Genogram and family network: G1–G3."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from pydantic import Field

from notereview.casefile import Genogram
from notereview.checks._common import absent_table, event_after, make, record_fact
from notereview.checks._context import ReviewContext, asserted, cue_evidence
from notereview.checks._finding import Evidence, Finding
from notereview.checks._lexicon import lexicon
from notereview.checks._registry import BaseCheck, CheckParams, register
from notereview.checks.chronology import entry_event_types
from notereview.policy import add_months

_UNNAMED = {"", "unknown", "other", "n/a", "na", "?", "not known", "relative"}


class _GenogramCheck(BaseCheck):
    theme = "genogram"


class CurrentParams(CheckParams):
    # Significant events that change who is in the child's household or network: a genogram
    # drawn before one of them no longer shows the child's family as it is.
    household_change_events: list[str] = Field(
        default_factory=lambda: ["new_adult_in_household", "placement_move"]
    )


def household_change_after(
    ctx: ReviewContext, day: date, kinds: list[str]
) -> tuple[date, Evidence] | None:
    """The first change to the child's household after ``day`` (up to as-of): an event of
    one of ``kinds`` mentioned in any record or entered in the chronology."""
    found: list[tuple[date, Evidence]] = [
        event_after(ev, "genogram")
        for ev in ctx.events
        if ev.event_type in kinds and day < ev.event_date <= ctx.as_of
    ]
    found += [
        (
            e.event_date,
            record_fact(
                "chronology",
                e.entry_id,
                "chronology.household_change",
                f"{', '.join(sorted(k.replace('_', ' ') for k in kinds_found))} on "
                f"{e.event_date}, after the genogram",
            ),
        )
        for e in ctx.case.chronology
        if day < e.event_date <= ctx.as_of
        and (kinds_found := entry_event_types(ctx, e) & set(kinds))
    ]
    return min(found, key=lambda f: f[0]) if found else None


@register("genogram.current@1")
class GenogramCurrent(_GenogramCheck):
    """G1: genogram present and updated: within the policy age, and since the child's
    household last changed (a new adult, a move)."""

    criterion = "G1"
    Params = CurrentParams

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
        if g.updated_at < limit:
            return make(
                self,
                "partly_met",
                confidence=0.95,
                evidence=[fact],
                missing=(
                    f"genogram not updated for over {ctx.policy.genogram_max_age_months} months"
                ),
            )
        change = household_change_after(ctx, g.updated_at, self.params.household_change_events)
        if change is not None:
            return make(
                self,
                "partly_met",
                confidence=0.75,
                evidence=[fact, change[1]],
                missing=(
                    f"genogram not updated since the child's household changed on {change[0]}"
                ),
            )
        return make(self, "met", confidence=0.9, evidence=[fact])


class MeaningfulParams(CheckParams):
    min_generations: int = 3
    min_members: int = 6
    # A side of the family is there when more than its parent is: the parent's own family.
    min_per_side: int = 2


@register("genogram.meaningful@1")
class GenogramMeaningful(_GenogramCheck):
    """G2: both sides of the family, generations, relationships named. With no genogram the
    family is not mapped at all: not met."""

    criterion = "G2"
    Params = MeaningfulParams

    def __call__(self, ctx: ReviewContext) -> Finding:
        if (na := absent_table(self, ctx, "genograms")) is not None:
            return na
        g = ctx.case.latest_genogram
        if g is None:
            return make(
                self, "not_met", confidence=0.9, missing="no genogram: the family is not mapped"
            )
        p = self.params
        per_side = Counter(m.side for m in g.members)
        both = all(per_side[side] >= p.min_per_side for side in ("maternal", "paternal"))
        generations = {m.generation for m in g.members} | {0}
        unnamed = [m for m in g.members if m.relationship.strip().lower() in _UNNAMED]
        tests = {
            "people from both the maternal and paternal families, not only the parents": both,
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
            f"{len(g.members)} people (maternal {per_side['maternal']}, paternal "
            f"{per_side['paternal']}), {len(generations)} generations",
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


_NAME_TOKEN = re.compile(r"[A-Z][\w'’-]+")
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+([A-Z][\w'’-]+)")


def _given_names(name: str) -> set[str]:
    """The names a record would call a person by: every capitalised word of the name but the
    last (the surname), and any nickname in brackets ("Wesley (Wes) Oakes": Wesley, Wes)."""
    tokens = _NAME_TOKEN.findall(name)
    if len(tokens) > 1:
        tokens = tokens[:-1]
    return set(tokens) | set(_NAME_TOKEN.findall(" ".join(re.findall(r"\(([^)]*)\)", name))))


def _child_names(ctx: ReviewContext, g: Genogram) -> set[str]:
    """What the notes call the child: the first name, and the given names (nickname
    included) of the member of the child's generation who carries it."""
    first = ctx.case.child.first_name
    if not first:
        return set()
    names = {first}
    for m in g.members:
        if m.generation == 0 and first in _given_names(m.name):
            names |= _given_names(m.name)
    return names


@dataclass(frozen=True, slots=True)
class NotesDiscussion:
    """Genogram notes that say the genogram was made with someone: the first such sentence,
    how many of the family took part, and whether the child did."""

    evidence: Evidence
    people: int
    with_child: bool


def notes_discussion(ctx: ReviewContext, g: Genogram) -> NotesDiscussion | None:
    """The genogram notes are about the family network by definition: a sentence saying it was
    drawn, built or talked through with someone is a network discussion. The people are the
    genogram's members named in those sentences (by given name, or title and surname)."""
    notes = g.notes or ""
    at = ctx.annotation("genograms", g.genogram_id)
    if at is None or not notes:
        return None
    lex = lexicon()
    sentences = [
        s
        for s in at.sentences
        if lex.discussion.search(notes, s.start, s.end)
        or lex.network_meeting.search(notes, s.start, s.end)
    ]
    if not sentences:
        return None
    child_names = _child_names(ctx, g)
    surnames = {t[-1] for m in g.members if (t := _NAME_TOKEN.findall(m.name))}
    people: set[str] = set()
    with_child = False
    for s in sentences:
        sentence = notes[s.start : s.end]
        words = set(_NAME_TOKEN.findall(sentence))
        with_child |= bool(child_names & words)
        people |= {m.name for m in g.members if _given_names(m.name) & words - child_names}
        people |= {f"title:{t}" for t in _TITLED.findall(sentence) if t in surnames}
    first = sentences[0]
    ev = cue_evidence(
        "genograms",
        g.genogram_id,
        notes,
        first.start,
        first.end,
        "network.genogram_notes",
        "the genogram was made or talked through with the family or child",
    )
    return NotesDiscussion(ev, len(people), with_child)


@register("genogram.network@1")
class SupportNetwork(_GenogramCheck):
    """G3: the support network discussed with the family or child.

    Met when the genogram notes show it was made with the child or with two or more of the
    family, or with one of them and a visit record shows the network talked through with the
    family; partly met for one of those alone (drawn with one parent only, or only a visit);
    not met when neither (a genogram "taken from the referral")."""

    criterion = "G3"

    def __call__(self, ctx: ReviewContext) -> Finding:
        g = ctx.case.latest_genogram
        notes = notes_discussion(ctx, g) if g is not None else None
        visit = next(
            (
                found
                for v in ctx.case.visits
                if (found := _network_discussed(ctx, "visits", v.visit_id, v.text)) is not None
            ),
            None,
        )
        evidence = [e for e in (notes.evidence if notes else None, visit) if e is not None]
        wide = notes is not None and (notes.with_child or notes.people >= 2)
        if wide or (notes is not None and visit is not None):
            status = "met"
        elif notes is not None or visit is not None:
            status = "partly_met"
        else:
            status = "not_met"
        missing = []
        if notes is None:
            missing.append("the genogram notes do not say it was made with the family or child")
        elif not wide:
            missing.append("the genogram notes show it was made with one person only")
        if visit is None:
            missing.append("no visit record shows the family network discussed with the family")
        return make(
            self,
            status,
            confidence=0.7,
            evidence=evidence,
            missing="; ".join(missing) if status != "met" else "",
        )
