"""Clauses of one sentence: the subject of a reporting or view verb, and who said a quotation.

- A reporting or view verb's subject is the nearest person before it in the same clause that
  can be a subject (not "me", "him", "his", and not a noun after a preposition: "to Mum").
- A quotation is attributed by the reporting clause right after it ('", said Kai') or before
  it ('Kai said "'), by "Kai: '...'", or by the sender of a message or call it quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from notereview.nlp._context_rules import Span
from notereview.nlp._mentions import NOT_SUBJECT_FORMS, Mention, in_quote, named_as_topic
from notereview.nlp._patterns import Grammar

# Cue roles for the voice logic.
PLAIN, REPORTING, VIEW, AID_REPORTING = 0, 1, 2, 3

_WORD_RX = re.compile(r"[A-Za-z’']+")
_WHO_RX = re.compile(r"\s*,?\s*who\b", re.IGNORECASE)
_PAREN_NAME = re.compile(r"[\s,.]*\(\s*([^\s()][^()]{0,30}?)\s*\)")
#: After the speaker in such a bracket: nothing, or an age ("(Amira, 9)", "(Kai age 12)").
_PAREN_REST = re.compile(r"(?:[\s,]*(?:aged?\s*)?\d{1,2}(?:\s*(?:yrs?|years?(?:\s+old)?))?)?\s*")
_POSSESSIVE_GAP = re.compile(r"(?:['’]s)?\s+(?:[a-z]+\s+){0,2}")
#: A noun before this joined a verb that came before it: "Kai hugged his mum and said ...",
#: "..., then said" ("Kai then said" is Kai's adverb, not a new clause).
_CONJUNCTION_GAP = re.compile(r"\s*(?:,?\s*(?:and|but|or|yet)|,\s*then)\b", re.IGNORECASE)
_QUOTE_TAIL_GAP = re.compile(r"[\s,.!?;:—–-]*")
#: A communication aid right before a reporting verb ("his talker said", "her device (Grid 3)
#: spoke"): whose aid it is says whose words they are.
_AID_BEFORE = re.compile(
    r"\b(?:talker|device|ipad|tablet|app|aac|voice\s+output\s+device|communication\s+aid)"
    r"(?:\s*\([^()\n]{1,20}\))?\s+$",
    re.IGNORECASE,
)
#: Between the subject and the verb of a reporting clause after a quote: a space, an
#: auxiliary, an adverb ('", she said', '" - he is telling us', '", Mum quietly said');
#: "she was upset telling me" is another clause.
_SUBJECT_VERB_GAP = re.compile(
    r"\s+(?:(?:is|was|are|were|has|had|have|been|keeps|kept|would|will|did|does|do|then|also|"
    r"later|just|[a-z]+ly)\s+){0,2}"
)
#: Between a reporting verb and the quote it governs: nothing, a listener ("to Mum", "me",
#: "to the worker"), a comma or a colon.
_RIGHT_BEFORE = re.compile(
    r"\s*(?:(?:to\s+)?(?:me|us|him|her|them|(?:his|her|their|the|a|my)?\s*[A-Za-z]+)\s*)?[,:]?\s*"
)
_ATTRIBUTION_GAP = re.compile(r"\s*[:\-–—]\s*")
#: A message or call named before its sender ("Text from", "WhatsApp message from"), and what
#: may stand between the sender and the quoted words (a time, a date, "at 23:14", a colon).
_CONTACT_BEFORE = re.compile(
    r"\b(?:te?xt|txt|message|msg|whats\s?app|snap(?:chat)?|e-?mail|dm|voice\s?note|call|"
    r"voicemail)s?\s+(?:message\s+)?from\s+$",
    re.IGNORECASE,
)
_CONTACT_TAIL = re.compile(r"\s*(?:(?:at|on)\s+)?[\d:./]{0,10}\s*[:,\-–—]?\s*")
#: The sender first: "Kai rang from the station:", "Kai texted at 23:14 -", or a note's
#: "Kai text 23:14 '...'" (the message named after its sender, a time, the words).
_CONTACT_AFTER = re.compile(
    r"\s+(?:rang|phoned|called|texted|messaged|emailed|wrote|whatsapped|snapchatted|"
    r"sent\s+(?:a\s+|me\s+a\s+)?(?:text|message|msg|voice\s?note))\b[^\n\"“'‘.]{0,40}?[:\-–—]\s*"
    r"|\s+(?:te?xt|txt|sms|msg|message|whats\s?app|voice\s?note)\s*(?:(?:at|on)\s+)?"
    r"[\d:./]{0,10}\s*[:,\-–—]?\s*",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Verb:
    """A reporting or view verb of a sentence (a target), with its subject."""

    span: Span
    role: int  # REPORTING, VIEW or AID_REPORTING
    subject: Mention | None
    who: str | None
    passive: bool

    def clause_start(self) -> int:
        """Where the verb's clause begins: its subject, where that comes before it."""
        vs = self.span[0]
        return self.subject.start if self.subject and self.subject.start < vs else vs


class Clauses:
    """The grammar settings of the speaker lexicon, and the readings that use them. Built once
    per pattern set; holds no per-text state."""

    def __init__(self, grammar: Grammar) -> None:
        self._passive = frozenset(w.lower() for w in grammar.passive_auxiliaries)
        self._prepositions = frozenset(w.lower() for w in grammar.prepositions)
        self._determiners = frozenset(w.lower() for w in grammar.determiners)
        self._adverbs = frozenset(w.lower() for w in grammar.adverbs)
        self._subject_window = grammar.subject_window
        self._quote_window = grammar.quote_window
        dets = "|".join(sorted((re.escape(d) for d in self._determiners), key=len, reverse=True))
        self._inverted_gap = re.compile(rf"\s*(?:(?:{dets})\s+)?$", re.IGNORECASE)

    def subject_before(
        self,
        text: str,
        pos: int,
        ss: int,
        mentions: list[Mention],
        quotes: list[Span],
    ) -> Mention | None:
        for j in range(len(mentions) - 1, -1, -1):
            m = mentions[j]
            if m.end > pos:
                continue
            if pos - m.end > self._subject_window:
                return None
            gap = text[m.end : pos]
            if "\n" in gap or ";" in gap or ":" in gap:
                return None
            if quotes and any(m.end <= qs and qe <= pos for qs, qe, _ in quotes):
                return None
            if m.form in NOT_SUBJECT_FORMS:
                continue  # "me", "him", "his", "Kai's health needs"
            if m.form == "noun" and self._after_preposition(text, ss, m.start):
                if _WHO_RX.match(gap):
                    return m
                continue
            if m.form == "noun" and _CONJUNCTION_GAP.match(gap):
                continue  # "Kai hugged his mum and said ...": mum is the object
            return m
        return None

    @staticmethod
    def possessive_before(text: str, pos: int, mentions: list[Mention]) -> Mention | None:
        """The possessive right before a view noun: "Kai's view is", "her biggest worry"."""
        for j in range(len(mentions) - 1, -1, -1):
            m = mentions[j]
            if m.end > pos:
                continue
            gap = text[m.end : pos]
            if m.form not in NOT_SUBJECT_FORMS or not _POSSESSIVE_GAP.fullmatch(gap):
                return None
            if m.role == "pronoun" and text[m.start : m.end].lower() in ("him", "them", "me"):
                return None
            return m
        return None

    def aid_owner_before(self, text: str, pos: int, mentions: list[Mention]) -> Mention | None:
        """Whose communication aid stands right before a reporting verb: "Kai's talker said",
        "her device said" (the words are its owner's)."""
        aid = _AID_BEFORE.search(text, max(0, pos - 40), pos)
        return self.possessive_before(text, aid.start(), mentions) if aid else None

    def subject_after(self, text: str, pos: int, mentions: list[Mention]) -> Mention | None:
        for m in mentions:
            if m.start < pos:
                continue
            if m.start - pos > 25 or not self._inverted_gap.match(text[pos : m.start]):
                return None
            if m.role in ("pronoun", "writer") and m.form in NOT_SUBJECT_FORMS:
                return None
            return m
        return None

    def _after_preposition(self, text: str, ss: int, start: int) -> bool:
        lo = max(ss, start - 40)
        # An aside in brackets, or a new clause after a dash, colon or comma, starts afresh:
        # in "towards her (Nell says ...)" and "when asked about her, Nell chose" Nell is the
        # subject, not the object of "towards" or "about".
        cut = max(text.rfind(ch, lo, start) for ch in "(;:–—,")
        words: list[str] = _WORD_RX.findall(text, max(lo, cut + 1), start)
        for word in reversed(words):
            w = word.lower()
            if w in self._determiners or w.endswith(("'s", "’s")):
                continue
            return w in self._prepositions
        return False

    def is_passive(self, gap: str) -> bool:
        words = [w.lower() for w in _WORD_RX.findall(gap)]
        while words and (words[-1] in self._adverbs or words[-1].endswith("ly")):
            words.pop()
        return bool(words) and words[-1] in self._passive

    def attribute_quote(
        self,
        text: str,
        q: Span,
        ss: int,
        se: int,
        verbs: list[Verb],
        mentions: list[Mention],
        quotes: list[Span],
    ) -> tuple[str | None, Span | None]:
        qs, qe, _ = q
        # '"I like my room" (Amira)' - the bracket holds only the speaker (and an age); a
        # bracket that says more is something else: '"ami bhalo achi" (I am fine)' translates
        paren = _PAREN_NAME.match(text, qe, se)
        if paren is not None:
            for m in mentions:
                if m.start == paren.start(1) and _PAREN_REST.fullmatch(text, m.end, paren.end(1)):
                    return m.who, None
        # The reporting verb nearest before the quote, if it comes after any earlier quote.
        prev_end = max((e for _s, e, _r in quotes if e <= qs), default=ss)
        before = next((v for v in reversed(verbs) if v.role != VIEW and v.span[1] <= qs), None)
        if before is not None and before.span[0] < prev_end:
            before = None
        # Right before the quote, it governs it, whatever follows: in 'Kai said to Mum "...",
        # Mum told me' the words are Kai's, relayed by Mum.
        if (
            before is not None
            and not before.passive
            and _RIGHT_BEFORE.fullmatch(text, before.span[1], qs)
        ):
            return before.who, before.span
        # After the quote: '", said Kai' / '" Kai said' / '", she told me'
        gap = _QUOTE_TAIL_GAP.match(text, qe, se)
        p = gap.end() if gap else qe
        for v in verbs:
            if v.role == VIEW or v.span[0] < qe:
                continue
            if v.span[0] - p > 25:
                break
            if v.span[0] == p:
                after = self.subject_after(text, v.span[1], mentions)
                if after is not None:
                    return after.who, v.span
            if (
                v.subject is not None
                and v.subject.start == p
                and _SUBJECT_VERB_GAP.fullmatch(text, v.subject.end, v.span[0])
            ):
                return v.who, v.span
            break
        # Before the quote: 'Kai said "' / 'Kai told me: "'
        if before is not None and qs - before.span[1] <= self._quote_window:
            return (None, before.span) if before.passive else (before.who, before.span)
        # 'Kai rang from Leeds: "..."': the sender of a call or message whose clause runs
        # up to the words, before any name inside that clause (the sentence's mentions)
        for m in reversed(mentions):
            if m.end <= qs and _CONTACT_AFTER.fullmatch(text, m.end, qs):
                return m.who, None
        # 'Kai: "..."'
        for m in reversed(mentions):
            if m.end <= qs:
                if _ATTRIBUTION_GAP.fullmatch(text, m.end, qs):
                    # "About his birth mum: '...'" is a topic, not a speaker's label
                    return (None, None) if named_as_topic(text, m) else (m.who, None)
                # 'Text from Kai 23:14: "..."': the words of a message are its sender's
                if _CONTACT_BEFORE.search(
                    text, max(ss, m.start - 30), m.start
                ) and _CONTACT_TAIL.fullmatch(text, m.end, qs):
                    return m.who, None
                break
        return None, None


def quote_right_before(text: str, pos: int, quote_spans: list[tuple[int, int]]) -> bool:
    return any(
        qe <= pos and _QUOTE_TAIL_GAP.fullmatch(text, qe, pos) is not None
        for _qs, qe in quote_spans
    )


#: After a verb of how words sound, the words: a quote or colon, a that-clause, or a
#: subject ("shouted at Mum that", "screamed 'no'", "whispered she was scared").
_SOUND_WORDS = re.compile(
    r"\s*(?:(?:at|to)\s+)?(?:(?:his|her|their|the|my)\s+)?(?:[A-Za-z]+\s+)?"
    r"(?:that\b|[\"“'‘:]|(?:he|she|they|i|we|you)\b)",
    re.IGNORECASE,
)


def words_with(text: str, verb: Span, quote_spans: list[tuple[int, int]]) -> bool:
    """Whether words go with a verb of sound: after it, or a quote ending just before it."""
    if _SOUND_WORDS.match(text, verb[1]):
        return True
    return any(qe <= verb[0] and verb[0] - qe <= 30 for _qs, qe in quote_spans)


#: What may stand between a subject and its present-tense verb: adverbs, "and", "then".
_TO_VERB_GAP = re.compile(
    r"(?:\s*,?\s+(?:and|then|also|now|often|sometimes|usually|always|still|just|[a-z]+ly))*\s+$",
    re.IGNORECASE,
)


def after_subject(text: str, pos: int, mentions: list[Mention]) -> bool:
    """Whether a word in -s at ``pos`` follows a person, so is a verb ("Kai signs", "she often
    signs", "Kai smiles and signs") rather than a plural noun ("Makaton signs")."""
    gap = _TO_VERB_GAP.search(text, max(0, pos - 60), pos)
    end = gap.start() if gap else pos
    return any(m.end == end for m in mentions)


_WORD_AT = re.compile(r"[A-Za-z]+")


def elided_subjects(
    text: str,
    sents: list[tuple[int, int]],
    cues: list[Span],
    voice_role: dict[str, int],
    quote_spans: list[tuple[int, int]],
) -> list[Mention]:
    """A note's sentence that opens with a verb of the third person ("Says he is fine.",
    "Wants to stay at Nan's.", or "Said" before quoted words) leaves out its subject: the
    person the sentence before was about. An empty pronoun of any gender stands for it at the
    verb, to be resolved like "he" or "she". "Told him ...", "Explained ..." leave out "I" and
    are left alone."""
    ends = dict(sents)
    out: list[Mention] = []
    for s, e, rule in cues:
        if s not in ends or rule not in voice_role or not text[s : s + 1].isupper():
            continue
        if quote_spans and in_quote(quote_spans, s, e):
            continue
        first_word = _WORD_AT.match(text, s)
        word = first_word.group() if first_word else ""
        third_person = word.endswith("s") and not word.endswith("ss")
        quoted = any(s < qs < ends[s] for qs, _qe in quote_spans)
        if third_person or (word.lower() == "said" and quoted):
            out.append(Mention(s, s, "pronoun", "any", "subject"))
    return out
