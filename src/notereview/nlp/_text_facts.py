"""What holds for every sentence of one text, for one child: a letter to the child, a family
member interpreting, a pre-verbal child, quotes with no reporting clause, lines headed by
someone else's name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from notereview.nlp._context_rules import Span
from notereview.nlp._mentions import Mention, named_as_topic

_THIRD_PARTY_ROLES = frozenset({"parent_carer", "professional", "other_child", "other"})


@dataclass(frozen=True, slots=True)
class TextFacts:
    """What holds for every sentence of one text."""

    #: The record is written as a letter to the child: "you told me" is the child's words,
    #: counted as their own (the auditors' convention).
    letter: bool
    #: The child's words relayed by someone else count as reported: not where a family member
    #: interprets for the child (then what they say the child says is their own account).
    relay_ok: bool
    #: Observation of the child counts as their voice (a baby, a child who does not speak, or
    #: a passage about an unnamed child of unknown age).
    observation_ok: bool
    #: A baby or a child the text says does not speak: a view verb ("wants") is observation.
    pre_verbal: bool
    #: Younger than the policy's pre-verbal age: words quoted from them are babble.
    baby: bool
    #: Quote start -> who said it, for quotes with no reporting clause.
    quote_fallback: dict[int, str]
    #: Starts of the sentences on a line headed by another person ("Mr Hale: ...").
    headed: frozenset[int]


_PARAGRAPH_BREAK = re.compile(r"\n")
#: What may come right before a quoted turn of a conversation: the start of a line or sentence,
#: a dash, a colon ('Asked about school - "it's alright"') or a bracketed aside.
_OPENS_UTTERANCE = re.compile(r"(?:^|[\n.!?)]|[–—:-]|\s-)\s*$")
#: What may stand before the person who heads a line: nothing, or "The teacher: ...".
_HEADING_DETERMINERS = frozenset({"", "the", "his", "her", "their"})
#: After a name at a line's start, what makes it a heading: a colon or a dash, perhaps after an
#: apposition ("Mr Hale, class teacher: ..."), or a call or message from them.
_HEADING_COLON = re.compile(
    r"(?:[ \t]*,[^:\n,]{1,40})?[ \t]*[:\-–—][ \t]*\S"
    # or a call or message from them: "Ruth (SSW) from the unit rang:", "Nan phoned, said"
    r"|(?:[ \t]*\([^()\n]{1,30}\))?(?:[ \t]+from[ \t]+[^:\n,.()]{1,40}?)?[ \t]+"
    r"(?:rang|phoned|called|emailed|texted|messaged|e-mailed)(?:[ \t]+(?:in|back|me|today))?"
    r"(?:[ \t]*[:\-–—]|[ \t]*,[ \t]*(?:said|says|reported|to\s+say))[ \t]*\S",
    re.IGNORECASE,
)


#: The stems of the interpreting verbs; a text without any of them cannot match (a quick find).
_INTERPRETING_STEMS = ("interpret", "translat", "sign")
_INTERPRETING = re.compile(
    r"\b(?:interpret(?:ed|s|ing)?|translat(?:ed|es|ing)|sign(?:ed|s|ing)\s+(?:with|for|to))\b",
    re.IGNORECASE,
)
_FAMILY = frozenset({"parent_carer", "other_child"})


def family_interprets(text: str, mentions: list[Mention]) -> bool:
    """A parent, carer or sibling interprets or signs for the child ("mum translated", "so Dad
    interpreted", "Nan signed with her"): the nearest person before the verb is family."""
    if not any(p.who in _FAMILY for p in mentions):
        return False
    if text.isascii():  # no stem in any case, no match
        low = text.lower()
        if not any(stem in low for stem in _INTERPRETING_STEMS):
            return False
    for m in _INTERPRETING.finditer(text):
        before = [p for p in mentions if p.end <= m.start() and m.start() - p.end <= 40]
        if before and before[-1].who in _FAMILY:
            return True
    return False


#: Only list marks and spaces between a line's start and its quote: the line is the quote.
_LIST_MARKS = " \t-–—•*·>"


def unattributed_quotes(text: str, quotes: list[Span], mentions: list[Mention]) -> dict[int, str]:
    """Quotes with no reporting clause belong to the child where the last person named before
    them on the same line or paragraph is the child ('Went over the contact plan with H. "Do I
    see Dad on Sundays then?"'); a person named as a topic ("About his mum: '...'") is not a
    speaker. A quote that is a line of its own, next after a line whose quote is the child's,
    is the child's too (a list of the child's words under one heading). Anyone else named
    last, or no one, leaves them unattributed."""
    out: dict[int, str] = {}
    j = 0
    last: Mention | None = None
    child_line_end = -1  # the end of the last line whose quote was the child's
    for qs, qe, _rule in quotes:
        if not _OPENS_UTTERANCE.search(text, max(0, qs - 40), qs):
            continue  # a word in quotes inside a clause ('came round "furious"') is not a turn
        named = False
        while j < len(mentions) and mentions[j].end <= qs:
            m = mentions[j]
            j += 1
            if m.role == "writer" or (m.role == "pronoun" and m.resolved in (None, "writer")):
                continue
            if named_as_topic(text, m):
                continue
            last = m
            named = True
        line_start = text.rfind("\n", 0, qs) + 1
        gap = text[child_line_end:line_start] if child_line_end >= 0 else None
        if (
            not named
            and gap is not None
            and gap.isspace()
            and gap.count("\n") == 1
            and not text[line_start:qs].strip(_LIST_MARKS)
        ):
            out[qs] = "child"  # the next line of a list of the child's words
        elif (
            last is not None
            and last.who == "child"
            and not _PARAGRAPH_BREAK.search(text, last.end, qs)
        ):
            out[qs] = "child"
        if out.get(qs) == "child":
            line_end = text.find("\n", qe)
            child_line_end = len(text) if line_end == -1 else line_end
        else:
            child_line_end = -1
    return out


def headed_by_others(
    text: str,
    mentions: list[Mention],
    sents: list[tuple[int, int]],
    by_quotes: list[list[Span]],
    by_cues: list[list[Span]],
    voice_role: dict[str, int],
) -> frozenset[int]:
    """Sentences on a line that starts with someone else's name or role and a colon ("Mr Hale:
    no marks, attendance good", "Dad - says he is fine"): that person's account, from the
    heading's sentence until a sentence on the line with a quote or a reporting verb of its own
    (someone else speaking)."""
    heads: set[int] = set()
    for m in mentions:
        if m.role not in _THIRD_PARTY_ROLES or m.form != "noun":
            continue
        line_start = text.rfind("\n", 0, m.start) + 1
        before = text[line_start : m.start].strip(_LIST_MARKS).lower()
        if before not in _HEADING_DETERMINERS or not _HEADING_COLON.match(text, m.end):
            continue
        line_end = text.find("\n", m.end)
        line_end = len(text) if line_end == -1 else line_end
        for i, (ss, _se) in enumerate(sents):
            if ss < line_start or ss >= line_end:
                continue
            own_clause = by_quotes[i] or any(c[2] in voice_role for c in by_cues[i])
            if ss > m.start and own_clause:
                break
            heads.add(ss)
    return frozenset(heads)
