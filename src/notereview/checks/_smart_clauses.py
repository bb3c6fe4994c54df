"""The clauses of a plan action, for reading its what and its who (``checks._smart``): tokens,
the vocabularies of ``lexicon.yaml``'s ``smart`` section, and the predicates (a verb with its
subject and object) that a short imperative or "X to do Y" sentence is made of.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from notereview.checks._lexicon import SmartSpec, lexicon


@dataclass(frozen=True, slots=True)
class Found:
    """A span of the action's text and the rule that found it."""

    start: int
    end: int
    rule: str


# ---------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d+(?:[/.:\-]\d+)*(?:st|nd|rd|th)?|\n|[^\sA-Za-z\d]")
_BOUNDARY = frozenset({".", ";", ":", "!", "?", "\n", "–", "—"})
_DETERMINERS = frozenset({
    "the", "a", "an", "his", "her", "their", "its", "my", "your", "our", "this", "that", "these",
    "those", "both", "each", "every", "all", "any", "some", "another",
})  # fmt: skip
_PRONOUNS = frozenset({
    "him", "her", "them", "me", "us", "it", "himself", "herself", "themselves", "he", "she",
    "they", "i", "we", "you", "someone",
})  # fmt: skip
_PREPOSITIONS = frozenset({
    "with", "for", "of", "to", "re", "about", "between", "from", "at", "in", "on", "into", "onto",
    "by", "via", "around", "regarding", "including", "within", "after", "before", "until",
    "during", "below", "above", "over", "under", "through", "throughout", "per", "than",
})  # fmt: skip
#: Words that open a clause that is a condition or a time, not an act: "if his attendance drops".
_SUBORDINATORS = frozenset({"if", "when", "once", "unless", "while", "whilst", "as", "because",
                            "so", "should", "where"})  # fmt: skip
_LEADS: tuple[tuple[str, ...], ...] = (
    ("will", "be", "responsible", "for"),
    ("is", "responsible", "for"),
    ("are", "responsible", "for"),
    ("responsible", "for"),
    ("has", "agreed", "to"),
    ("have", "agreed", "to"),
    ("has", "committed", "to"),
    ("agreed", "to"),
    ("needs", "to"),
    ("need", "to"),
    ("is", "to"),
    ("are", "to"),
    ("has", "to"),
    ("have", "to"),
    ("will",),
    ("shall",),
    ("must",),
    ("should",),
    ("to",),
)
#: Endings of nouns made from verbs and adjectives: "Swimming to continue" names no one.
_NOUN_ENDINGS = ("ing", "tion", "ment", "ness", "ance", "ence", "ship", "ity")
_ADVERBS = frozenset({
    "also", "then", "now", "jointly", "both", "each", "together", "first", "still",
})  # fmt: skip
#: Vague verbs whose "to" complement is part of them ("continue to call", "try to attend").
_TAKES_COMPLEMENT = frozenset({
    "continue", "try", "aim", "want", "wish", "hope", "seek", "begin", "need", "strive",
})  # fmt: skip


class _Token(NamedTuple):
    text: str
    low: str
    start: int
    end: int
    is_word: bool
    capitalised: bool


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        first = word[:1]
        out.append(_Token(word, word.lower(), m.start(), m.end(), first.isalpha(), first.isupper()))
    return out


# ---------------------------------------------------------------------------- vocabularies


@dataclass(frozen=True)
class _Vocab:
    spec: SmartSpec
    roles: frozenset[tuple[str, ...]]
    max_role_len: int
    verb_heads: frozenset[str]
    collective: frozenset[str]
    not_people: frozenset[str]
    verb_class: dict[tuple[str, ...], str]
    max_verb_len: int
    act_nouns: frozenset[str]
    activity: frozenset[str]
    outcome: frozenset[str]
    helping: frozenset[str]
    state: frozenset[str]
    participles: dict[str, str]
    measure: _Rx
    count: _Rx
    hedge: _Rx


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    s = lexicon().smart
    verb_class: dict[tuple[str, ...], str] = {}
    for cls, verbs in (
        ("concrete", s.concrete_verbs),
        ("light", s.light_verbs),
        ("process", s.process_verbs),
        ("vague", s.vague_verbs),
    ):
        for v in verbs:
            verb_class[tuple(v.split())] = cls
    measure = _rx("|".join(rf"\b(?:{m})" for m in s.counts + s.measures))
    count = _rx("|".join(rf"\b(?:{m})" for m in s.counts))
    hedge = _rx(r"\b(?:" + "|".join(_phrase_re(h) for h in s.hedges) + r")\b")
    return _Vocab(
        spec=s,
        roles=frozenset(tuple(r.split()) for r in s.owner_roles),
        max_role_len=max(len(r.split()) for r in s.owner_roles),
        verb_heads=frozenset(k[0] for k in verb_class),
        collective=frozenset(s.collective_owners),
        not_people=frozenset(s.not_people),
        verb_class=verb_class,
        max_verb_len=max(len(k) for k in verb_class),
        act_nouns=frozenset(s.act_nouns),
        activity=frozenset(s.activity_verbs),
        outcome=frozenset(s.outcome_verbs),
        helping=frozenset(s.helping_verbs),
        state=frozenset(s.state_verbs),
        participles=dict(s.irregular_participles),
        measure=measure,
        count=count,
        hedge=hedge,
    )


def _phrase_re(phrase: str) -> str:
    return r"\s+".join(re.escape(w) for w in phrase.split())


@dataclass(frozen=True)
class _Rx:
    """A pattern written in lower case, searched in the lower-cased text (several times faster
    than a case-insensitive search); a text whose lower case changes length (a few non-ASCII
    letters) is searched case-insensitively instead, so offsets stay the text's own."""

    lower: re.Pattern[str]
    any_case: re.Pattern[str]

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        low = text.lower() if low is None else low
        if len(low) == len(text):
            return self.lower.search(low)
        return self.any_case.search(text)

    def finditer(self, text: str, low: str) -> Iterator[re.Match[str]]:
        return self.lower.finditer(low) if len(low) == len(text) else self.any_case.finditer(text)


def _rx(pattern: str) -> _Rx:
    return _Rx(re.compile(pattern), re.compile(pattern, re.IGNORECASE))


def _lemma_candidates(word: str) -> list[str]:
    w = word.lower()
    out = [w]
    if w.endswith("ies"):
        out.append(w[:-3] + "y")
    if w.endswith("es"):
        out.append(w[:-2])
    if w.endswith("s"):
        out.append(w[:-1])
    return out


def _participle_lemma(word: str) -> str | None:
    """The verb of a past participle ("sent" -> "send", "referred" -> "refer"), or None."""
    w = word.lower()
    v = _vocab()
    if w in v.participles:
        return v.participles[w]
    if not w.endswith("ed") or len(w) < 4:
        return None
    stem = w[:-2]
    undoubled = stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem
    for cand in (stem, w[:-1], undoubled, stem[:-1] + "y" if stem.endswith("i") else stem):
        if (cand,) in v.verb_class:
            return cand
    return None  # an unlisted participle: "to be <adjective>" reads as a state


_PARTICLES = frozenset({"up", "out", "through", "on", "back", "off", "in", "over"})


def _verb_at(toks: list[_Token], i: int, base_only: bool = False) -> tuple[str, str, int] | None:
    """(lemma, class, tokens used) of the known verb starting at token i, longest first; a
    phrasal verb split by a pronoun ("follow it up") is the phrasal verb."""
    v = _vocab()
    if i + 2 < len(toks) and toks[i + 1].low in _PRONOUNS and toks[i + 2].low in _PARTICLES:
        heads = [toks[i].low] if base_only else _lemma_candidates(toks[i].low)
        for head in heads:
            cls = v.verb_class.get((head, toks[i + 2].low))
            if cls is not None:
                return f"{head} {toks[i + 2].low}", cls, 1
    heads0 = [toks[i].low] if base_only else _lemma_candidates(toks[i].low)
    if not any(h in v.verb_heads for h in heads0):
        return None
    for n in range(min(v.max_verb_len, len(toks) - i), 0, -1):
        words = [t.low for t in toks[i : i + n]]
        if not all(t.is_word for t in toks[i : i + n]):
            continue
        heads = [words[0]] if base_only else _lemma_candidates(words[0])
        for head in heads:
            key = (head, *words[1:])
            cls = v.verb_class.get(key)
            if cls is not None:
                return " ".join(key), cls, n
    return None


# ---------------------------------------------------------------------------- predicates


@dataclass(frozen=True, slots=True)
class _Predicate:
    lemma: str
    cls: str  # concrete | light | process | vague | unknown
    first: int  # token index of the verb
    last: int  # token index after the verb
    passive: bool
    subject: tuple[int, int] | None  # token range of the subject, if any
    how: str  # lead | imperative | and | gerund
    negated: bool = False


_SO = frozenset({"and", "then", "so"})
_LEADS_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(lead for lead in _LEADS if lead[0] == first) for first in {x[0] for x in _LEADS}
}


def _match_lead(toks: list[_Token], i: int) -> int:
    """How many tokens the lead at i uses ("needs to" = 2), or 0."""
    for lead in _LEADS_BY_FIRST.get(toks[i].low, ()):
        n = len(lead)
        if i + n <= len(toks) and all(toks[i + k].low == lead[k] for k in range(1, n)):
            return n
    return 0


def _clause_start(toks: list[_Token], i: int) -> int:
    j = i
    while j > 0 and toks[j - 1].text not in _BOUNDARY and toks[j - 1].text != ",":
        j -= 1
    return j


def _predicates(toks: list[_Token]) -> list[_Predicate]:
    preds: list[_Predicate] = []
    i = 0
    last_pred_end = 0
    while i < len(toks):
        low = toks[i].low
        pred = None
        if low in _LEADS_BY_FIRST:
            pred = _lead_predicate(toks, i, last_pred_end)
        if pred is None and (i == 0 or toks[i - 1].text in _BOUNDARY or toks[i - 1].low in _SO):
            pred = _imperative(toks, i)
        if pred is None and preds and low in _SO:
            pred = _coordinated(toks, i, preds[-1])
        if pred is None and low == "by":
            pred = _gerund(toks, i)
        if pred is None:
            i += 1
            continue
        preds.append(pred)
        last_pred_end = pred.last
        i = pred.last
    return preds


def _subject_range(toks: list[_Token], lead_at: int, last_pred_end: int) -> tuple[int, int] | None:
    start = max(_clause_start(toks, lead_at), 0)
    if last_pred_end > start:
        # "Nan to pick Leo up and Grandad to cook tea": the subject starts after the last
        # "and" / "then" that follows the previous predicate.
        joins = [k for k in range(last_pred_end, lead_at) if toks[k].low in ("and", "then")]
        if not joins:
            return None
        start = joins[-1] + 1
    while start < lead_at and toks[start].low in ("and", "then", "but", "so"):
        start += 1
    return (start, lead_at) if lead_at > start else None


def _lead_predicate(toks: list[_Token], i: int, last_pred_end: int) -> _Predicate | None:
    n = _match_lead(toks, i)
    if n == 0:
        return None
    lead = tuple(t.low for t in toks[i : i + n])
    j = i + n
    negated = False
    if j < len(toks) and toks[j].low in ("not", "never"):
        negated, j = True, j + 1
    if j < len(toks) and toks[j].low in _ADVERBS and j + 1 < len(toks):
        j += 1
    if j >= len(toks) or not toks[j].is_word:
        return None
    subject = _subject_range(toks, i, last_pred_end)
    before = _verb_at(toks, i - 1) if lead == ("to",) and i > 0 else None
    if before is not None and before[0] in _TAKES_COMPLEMENT:
        return None  # "continue to call": part of the vague verb
    if lead[-1] == "for":  # "is responsible for arranging"
        if not toks[j].low.endswith("ing"):
            return None
        lemma = _gerund_lemma(toks[j].low)
        cls = _vocab().verb_class.get((lemma,), "unknown")
        return _Predicate(lemma, cls, j, j + 1, False, subject, "lead", negated)
    if toks[j].low == "be" and j + 1 < len(toks):
        done = _participle_lemma(toks[j + 1].low)
        if done is not None:
            cls = _vocab().verb_class.get((done,), "unknown")
            return _Predicate(done, cls, j, j + 2, True, subject, "lead", negated)
        return _Predicate("be", "vague", j, j + 1, False, subject, "lead", negated)
    found = _verb_at(toks, j, base_only=True)
    if found is not None:
        lemma, cls, used = found
        return _Predicate(lemma, cls, j, j + used, False, subject, "lead", negated)
    # An unlisted word after "<someone> to" / "will" is a verb all the same ("Leo to revise");
    # after a bare "to" with no subject it is more likely a place ("a referral to CAMHS").
    word = toks[j]
    if word.capitalised or word.low in _DETERMINERS or word.low in _PRONOUNS:
        return None
    if lead == ("to",) and subject is None:
        return None
    if word.low in _PREPOSITIONS:
        return None
    return _Predicate(word.low, "unknown", j, j + 1, False, subject, "lead", negated)


def _gerund_lemma(word: str) -> str:
    stem = word[:-3]
    v = _vocab().verb_class
    for cand in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem):
        if (cand,) in v:
            return cand
    return stem


def _imperative(toks: list[_Token], i: int) -> _Predicate | None:
    """An instruction opening the action or a clause: "Book an interpreter ...", "Review ...",
    "Sam has asked for it, so arrange ..."."""
    prev = toks[i - 1] if i > 0 else None
    after_so = prev is not None and prev.low in ("so", "then") and i > 1 and toks[i - 2].text == ","
    if prev is not None and prev.text not in _BOUNDARY and not after_so:
        return None
    found = _verb_at(toks, i, base_only=True)
    if found is None:
        return None
    lemma, cls, used = found
    nxt = toks[i + used] if i + used < len(toks) else None
    if nxt is None or nxt.text in _BOUNDARY or nxt.text == ",":
        return None
    # "Transport to college ...", "Support for the family": a noun, not an instruction ("Enrol
    # on the course" is one: "enrol" is no noun).
    v = _vocab()
    if nxt.low in _PREPOSITIONS and (lemma in v.act_nouns or lemma in v.not_people):
        return None
    return _Predicate(lemma, cls, i, i + used, False, None, "imperative")


def _coordinated(toks: list[_Token], i: int, prev: _Predicate) -> _Predicate | None:
    """ "... and post the results", "to be bought and fitted": a verb joined to the last one."""
    if toks[i].low not in ("and", "then") or i + 1 >= len(toks):
        return None
    j = i + 1
    if toks[j].low == "then" and j + 1 < len(toks):
        j += 1
    if prev.passive:
        lemma = _participle_lemma(toks[j].low)
        if lemma is None or (lemma,) not in _vocab().verb_class:
            return None
        cls = _vocab().verb_class[(lemma,)]
        return _Predicate(lemma, cls, j, j + 1, True, prev.subject, "and")
    found = _verb_at(toks, j, base_only=True)
    if found is None:
        return None
    lemma, cls, used = found
    nxt = toks[j + used] if j + used < len(toks) else None
    # A verb is followed by its object or a particle; "advice and support." is a noun.
    if nxt is None or not (
        nxt.low in _DETERMINERS
        or nxt.low in _PRONOUNS
        or nxt.capitalised
        or nxt.text[:1].isdigit()
        or (cls != "vague" and nxt.low in _PREPOSITIONS)
        or nxt.low in ("with", "on", "up", "out", "back")
    ):
        return None
    return _Predicate(lemma, cls, j, j + used, False, prev.subject, "and")


def _gerund(toks: list[_Token], i: int) -> _Predicate | None:
    """ "By measuring each child's progress ...": an action written as a means."""
    if toks[i].low != "by" or (i > 0 and toks[i - 1].text not in _BOUNDARY):
        return None
    if i + 1 >= len(toks) or not toks[i + 1].low.endswith("ing"):
        return None
    lemma = _gerund_lemma(toks[i + 1].low)
    cls = _vocab().verb_class.get((lemma,), "unknown")
    return _Predicate(lemma, cls, i + 1, i + 2, False, None, "gerund")


def _object_range(toks: list[_Token], pred: _Predicate, nxt: _Predicate | None) -> tuple[int, int]:
    end = nxt.first if nxt is not None else len(toks)
    k = pred.last
    while k < end and toks[k].text not in _BOUNDARY:
        k += 1
    return pred.last, k


@lru_cache(maxsize=64)
def _parse(text: str) -> tuple[list[_Token], list[_Predicate]]:
    """Tokens and predicates of one action (read for its what and its who: parse once)."""
    toks = _tokens(text)
    return toks, _predicates(toks)
