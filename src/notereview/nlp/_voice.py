"""The child's voice in one sentence, read from its targets and its graph of modifiers: the
child's quoted words, else a reporting or view verb of the child's, else an observation of the
child or a failed attempt to hear the child; and whose words or view the sentence gives."""

from __future__ import annotations

import re
from typing import NamedTuple

from notereview.nlp._clauses import VIEW, Clauses, Verb
from notereview.nlp._context_rules import (
    BLOCK_ATTEMPT,
    BLOCK_OBSERVATION,
    BLOCK_VOICE,
    INFERRED,
    THIRD_PARTY,
    SentenceGraph,
    Span,
)
from notereview.nlp._mentions import Mention, in_quote
from notereview.nlp._text_facts import TextFacts

_SPEAKER_PRIORITY = ("child", "parent_carer", "professional", "other_child", "other", "writer")
_THIRD_PARTY_ROLES = frozenset({"parent_carer", "professional", "other_child", "other"})
_EMPTY: frozenset[str] = frozenset()
#: After the child's reporting verb, what shows the child's words follow (a that-clause, a
#: subject, a quote), as against a topic ("asked him about moving").
_WORDS_FOLLOW = re.compile(
    r"\s+(?:(?:(?:his|her|their|the|a|an|my|our)\s+)?(?:me|us|him|her|them|sw|staff|[A-Z][a-z]+)"
    r"\s+)?(?:that\b|(?:he|she|they|i|it|we)\b|[\"“'‘]|:)",
    re.IGNORECASE,
)


class Sentence(NamedTuple):
    """One sentence's targets and people: ``text[start:end]``, its cues, quotes and mentions;
    ``quote_spans``: every quote of the text."""

    text: str
    start: int
    end: int
    cues: list[Span]
    mentions: list[Mention]
    quotes: list[Span]
    quote_spans: list[tuple[int, int]]


class QuoteRole(NamedTuple):
    """A quote, who said it (None: unknown) and the reporting verb that says so, if any."""

    quote: Span
    who: str | None
    verb: Span | None


class Voice(NamedTuple):
    """The child's voice in a sentence and its evidence (``kind``: a cue kind of its own, as
    "attempted"; empty: the evidence's own cue kind)."""

    voice: str
    evidence: Span | None = None
    kind: str = ""


_NO_VOICE = Voice("none")


def reported_voice(
    sent: Sentence,
    verbs: list[Verb],
    quote_roles: list[QuoteRole],
    graph: SentenceGraph,
    facts: TextFacts,
) -> Voice | None:
    """A reporting or view verb of the child's, unquoted."""
    # A reporting verb whose words are quoted is judged by its quote.
    quoting = {role.verb for role in quote_roles if role.verb is not None}
    for v in verbs:
        if v.who != "child" or v.passive or graph.refusal_follows(v.span):
            continue
        if v.span in quoting:
            continue
        if facts.baby and v.role != VIEW:
            continue  # a baby does not tell anyone anything: someone else's words
        covered = graph.covered(v.span[0], v.span[1])
        blocked = covered & BLOCK_VOICE
        if (
            blocked == THIRD_PARTY
            and v.role != VIEW
            and facts.relay_ok
            and _WORDS_FOLLOW.match(sent.text, v.span[1], sent.end)
        ):
            # 'Mum said Kai told her he was scared': the child's words, relayed.
            return Voice("reported", v.span)
        if v.role == VIEW and covered & INFERRED:
            continue  # "I think Kai feels safer": the writer's reading, not Kai's view
        if not blocked and not (facts.pre_verbal and v.role == VIEW):
            # (a baby "wants": observation, below); "you told me" in a letter to the
            # child is the child's own words
            return Voice("direct" if facts.letter and v.role != VIEW else "reported", v.span)
    return None


def observed_voice(
    sent: Sentence,
    verbs: list[Verb],
    graph: SentenceGraph,
    facts: TextFacts,
    kind: dict[str, str],
    clauses: Clauses,
    things: frozenset[str] = frozenset(),
) -> Voice:
    """An observation of the child, a pre-verbal child's view, or a failed attempt.
    ``things``: observation rules that count only where the child is in the sentence as a
    person, not only as an owner ("his room was tidy, with toys")."""
    mentions = sent.mentions
    child_here = any(m.who == "child" for m in mentions)
    child_acting = any(m.who == "child" and m.form != "possessive" for m in mentions)
    others_here = any(m.form != "possessive" and m.who in _THIRD_PARTY_ROLES for m in mentions)
    if facts.observation_ok and (child_here or not others_here):
        for c in sent.cues:
            if (
                kind[c[2]] == "observation"
                and not in_quote(sent.quote_spans, c[0], c[1])  # someone's words, not seen
                and (child_acting or c[2] not in things)
                and not (graph.covered(c[0], c[1]) & BLOCK_OBSERVATION)
            ):
                return Voice("observation", c)
    if facts.pre_verbal:
        for v in verbs:
            if (
                v.who == "child"
                and v.role == VIEW
                and not graph.covered(v.span[0], v.span[1]) & BLOCK_VOICE
            ):
                return Voice("observation", v.span)
    if facts.baby:  # a baby's views are not sought in words
        return _NO_VOICE
    for mod in graph.modifiers:
        if "attempted" not in mod.qualifiers:
            continue
        if graph.outside_own(mod) & BLOCK_ATTEMPT:
            continue
        subject = clauses.subject_before(sent.text, mod.start, sent.start, mentions, sent.quotes)
        who = subject.who if subject is not None else None
        if (
            who == "child"
            or (who == "writer" and child_here)
            or (who is None and (child_here or not others_here))
        ):
            return Voice("attempted_not_obtained", Span(mod.start, mod.end, mod.rule), "attempted")
    return _NO_VOICE


def quoted_voice(
    quote_roles: list[QuoteRole], graph: SentenceGraph, facts: TextFacts
) -> Voice | None:
    """The child's quoted words: direct (observation for a baby's babble), or reported where
    someone else relays them and nothing else blocks them."""
    found: Voice | None = None
    for q, who, verb in quote_roles:
        if who != "child":
            continue
        blocked = graph.covered(q[0], q[1]) | (graph.covered(verb[0], verb[1]) if verb else _EMPTY)
        if (
            blocked & BLOCK_VOICE == THIRD_PARTY
            and found is None
            and facts.relay_ok
            and not facts.baby
        ):
            # The child's own words relayed by someone else ('Gran told me Alfie said
            # "..."'): reported, not the other person's account (docs/criteria.md).
            found = Voice("reported", q)
            continue
        if not blocked & BLOCK_VOICE:
            if facts.baby:
                # A baby's sounds are babble: observation, not words.
                return Voice("observation", q)
            # Words through an aid ('signed "more"', a talker, symbols) are the child's own
            # words (docs/criteria.md).
            return Voice("direct", q)
    return found


def sentence_speaker(
    quote_whos: list[str | None], verb_whos: list[str | None], quotes: bool
) -> str:
    roles = {who for who in (*quote_whos, *verb_whos) if who}
    for role in _SPEAKER_PRIORITY:
        if role in roles:
            return "unknown" if role == "other" else role
    return "unknown" if quotes else "writer"
