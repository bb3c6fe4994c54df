"""Who does what by when: a plan action read from what is really there (P1).

A case-management system fills an action's owner and due-date columns whether or not anyone
chose them: "SW", "All", "TBC" or "Ongoing" as the owner; the last day of the year, the first,
9999-12-31 or the plan's own start as the due date. Practitioners meanwhile write the real who
and when in the action ("Mum to attend ... by 30/10", "within 10 working days", "before the
next review", "every Thursday"). This module tells junk fields from real ones
(``owner_field_problem``, ``due_date_problem``, with the reason in plain words) and reads the
who (``who_in_text``), the when (``when_in_text``) and the what (``what_in_text``: a concrete
act, how it will be measured, and what takes the measure away) from the text.

Vocabularies are data: the junk values, default-date rules and timescale words in
``smart_fields.yaml`` beside this module, the verbs, roles and measures in ``lexicon.yaml``'s
``smart`` section. Nothing here logs or raises with the action's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from notereview.checks._lexicon import SmartSpec, lexicon
from notereview.checks._smart_fields import smart_fields

# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Found:
    """A span of the action's text and the rule that found it."""

    start: int
    end: int
    rule: str


@dataclass(frozen=True, slots=True)
class WhatReading:
    """What the action asks for. ``act``: the first concrete act (or an act written as a noun,
    "Housing referral for the family"); ``measure``: how we will know; ``hedge``: a qualifier
    that leaves how much or whether open ("where possible", "regularly"); ``vague_part``: a
    vague aim joined to the act ("go to the gym and be healthier") with no measure of its own."""

    act: Found | None
    measure: Found | None
    hedge: Found | None
    vague_part: Found | None
    words: int
    bounded: bool = True  # some act is done or not done by itself (not "weigh", "observe")

    @property
    def specific(self) -> bool:
        return self.act is not None and self.words >= _vocab().spec.min_words

    @property
    def measurable(self) -> bool:
        if not self.specific or self.vague_part is not None:
            return False
        if self.measure is None and not self.bounded:
            return False
        return self.hedge is None or (self.measure is not None and self.measure.rule == "count")


# ---------------------------------------------------------------------------- junk fields


def _norm(value: str) -> str:
    return re.sub(r"\s+", " ", value.strip().strip(".").lower())


@lru_cache(maxsize=1)
def _junk_owner_kinds() -> dict[str, str]:
    junk = smart_fields().junk_owners
    kinds: dict[str, str] = {}
    for kind, words in (
        ("placeholder", junk.placeholders),
        ("collective", junk.collective),
        ("system_role", junk.system_roles),
        ("time_word", junk.time_words),
    ):
        for w in words:
            kinds.setdefault(w, kind)
    return kinds


_OWNER_WHY = {
    "placeholder": "is a placeholder, not a person",
    "collective": "names no one in particular",
    "system_role": "is the bare role a system fills in, not a named person",
    "time_word": "is a time word, not a person",
}


def owner_field_problem(value: str | None) -> str | None:
    """Why the owner field names no one ("the owner field "All" names no one in particular"),
    or None when it names someone. An empty field is a problem too ("the owner field is
    empty"). A field listing several owners is junk only when all of them are."""
    if value is None or not value.strip():
        return "the owner field is empty"
    kinds = _junk_owner_kinds()
    whole = _norm(value)
    kind = kinds.get(whole)
    if kind is None:
        parts = [p for p in re.split(smart_fields().junk_owners.separators_pattern, whole) if p]
        found = [kinds.get(_norm(p)) for p in parts]
        if not parts or any(k is None for k in found):
            return None
        kind = found[0]
    assert kind is not None
    return f'the owner field "{value.strip()}" {_OWNER_WHY[kind]}'


def uk_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def due_date_problem(due: date, plan_start: date | None) -> str | None:
    """Why a due date looks like a system default ("the due date 31/12/2026 looks like a
    system default: the last day of a year"), or None when it looks chosen."""
    rules = smart_fields().default_dates
    reason = None
    if rules.year_end and (due.month, due.day) == (12, 31):
        reason = "the last day of a year"
    elif rules.year_start and (due.month, due.day) == (1, 1):
        reason = "the first day of a year"
    elif plan_start is not None and rules.on_or_before_plan_start and due <= plan_start:
        reason = "the plan's own start date" if due == plan_start else "before the plan began"
    elif (
        plan_start is not None
        and rules.far_future_years is not None
        and (due - plan_start).days > 365.25 * rules.far_future_years
    ):
        reason = f"more than {rules.far_future_years} years after the plan began"
    if reason is None:
        return None
    return f"the due date {uk_date(due)} looks like a system default: {reason}"


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


# ---------------------------------------------------------------------------- what


def _object_range(toks: list[_Token], pred: _Predicate, nxt: _Predicate | None) -> tuple[int, int]:
    end = nxt.first if nxt is not None else len(toks)
    k = pred.last
    while k < end and toks[k].text not in _BOUNDARY:
        k += 1
    return pred.last, k


_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "ten", "twelve"})


def _has_act_noun(toks: list[_Token], lo: int, hi: int) -> bool:
    """Whether tokens lo..hi hold something done, counted or handed over, or a number."""
    v = _vocab()
    for t in toks[lo:hi]:
        if t.text[:1].isdigit() or t.low in _NUMBER_WORDS:
            return True
        if t.low in v.act_nouns or t.low.rstrip("s") in v.act_nouns:
            return True
    return False


def _predicate_class(
    toks: list[_Token], preds: list[_Predicate], k: int
) -> tuple[str, tuple[int, int]]:
    """A predicate's class once light and helping verbs are resolved, and its object range."""
    p = preds[k]
    nxt = preds[k + 1] if k + 1 < len(preds) else None
    lo, hi = _object_range(toks, p, nxt)
    cls = p.cls
    v = _vocab()
    if p.negated:
        return "vague", (lo, hi)
    if cls == "light":
        span = p.subject if p.passive and p.subject else (lo, min(hi, lo + 6))
        cls = "concrete" if _has_act_noun(toks, *span) else "vague"
    elif p.lemma in v.helping and not p.passive:
        inner = _helped_verb(toks, lo, hi)
        if inner is not None:
            cls = inner
    elif p.lemma in v.outcome:
        outcome = " ".join(t.text for t in toks[lo:hi])
        cls = "concrete" if v.count.search(outcome) else "vague"
    elif cls == "unknown":
        cls = "concrete"
    if cls == "concrete" and lo < hi and toks[lo].low == "any":
        cls = "open"  # "report any concerns": nothing to count
    return cls, (lo, hi)


def _helped_verb(toks: list[_Token], lo: int, hi: int) -> str | None:
    """The class of the verb inside "help Leo sign up for the gym" / "support her to phone": the
    person helped (a name, a pronoun, up to three words), an optional "to", then the verb."""
    k = lo
    while k < min(hi, lo + 3) and (
        toks[k].low in _PRONOUNS or (toks[k].capitalised and not toks[k].low.endswith("'s"))
    ):
        k += 1
    if k == lo or k >= hi:
        return None
    if toks[k].low == "to":
        k += 1
    found = _verb_at(toks, k, base_only=True) if k < hi else None
    if found is None:
        return None
    _, cls, used = found
    if cls == "light":
        return "concrete" if _has_act_noun(toks, k + used, min(hi, k + used + 6)) else "vague"
    return cls


def _nominal_act(toks: list[_Token], lo: int, hi: int) -> Found | None:
    """An act written as a noun, opening a clause that has no verb: "CAMHS referral for Sam.",
    "...; a follow-up call the next day" (the head before any preposition)."""
    v = _vocab()
    if toks[lo].low in _SUBORDINATORS or toks[lo].low in _PREPOSITIONS:
        return None
    k = lo
    while k < hi and toks[k].is_word and toks[k].low not in _PREPOSITIONS:
        k += 1
    if k == lo or k - lo > 6:
        return None
    head = toks[k - 1]
    if head.low not in v.act_nouns and head.low.rstrip("s") not in v.act_nouns:
        return None
    if v.hedge.search(" ".join(t.text for t in toks[lo:k])):
        return None  # "Ongoing review of ...": no end to it
    return Found(toks[lo].start, head.end, "nominal")


def _clauses_without_verbs(toks: list[_Token], preds: list[_Predicate]) -> list[tuple[int, int]]:
    taken = {i for p in preds for i in range(p.first, p.last)}
    out: list[tuple[int, int]] = []
    lo = 0
    for i, t in enumerate([*toks, _Token(".", ".", -1, -1, False, False)]):
        if t.text in _BOUNDARY or t.text == ",":
            if lo < i and not any(k in taken for k in range(lo, i)):
                out.append((lo, i))
            lo = i + 1
    return out


@lru_cache(maxsize=64)
def _parse(text: str) -> tuple[list[_Token], list[_Predicate]]:
    """Tokens and predicates of one action (read for its what and its who: parse once)."""
    toks = _tokens(text)
    return toks, _predicates(toks)


def what_in_text(text: str) -> WhatReading:
    toks, preds = _parse(text)
    v = _vocab()
    act: Found | None = None
    vague_part: Found | None = None
    seen_concrete = False
    bounded = False
    for k, p in enumerate(preds):
        cls, (lo, hi) = _predicate_class(toks, preds, k)
        span = Found(toks[p.first].start, toks[p.last - 1].end, f"verb.{cls}")
        if cls == "concrete":
            seen_concrete = True
            act = act or span
            bounded = bounded or p.lemma not in v.activity
        elif cls == "vague" and seen_concrete and p.how == "and" and vague_part is None:
            part = text[toks[p.first].start : toks[hi - 1].end if hi > lo else span.end]
            if not v.measure.search(part):
                vague_part = span
    if act is None:
        for lo, hi in _clauses_without_verbs(toks, preds):
            act = _nominal_act(toks, lo, hi)
            if act is not None:
                bounded = True
                break
    low = text.lower()
    measure = None
    if (count_m := v.count.search(text, low)) is not None:
        measure = Found(count_m.start(), count_m.end(), "count")
    elif (measure_m := v.measure.search(text, low)) is not None:
        measure = Found(measure_m.start(), measure_m.end(), "measure")
    hedge_m = v.hedge.search(text, low)
    hedge = Found(hedge_m.start(), hedge_m.end(), "hedge") if hedge_m else None
    words = sum(1 for t in toks if t.is_word or t.text[:1].isdigit())
    return WhatReading(act, measure, hedge, vague_part, words, bounded)


# ---------------------------------------------------------------------------- who


def _is_role(words: list[str]) -> bool:
    v = _vocab()
    n = len(words)
    for m in range(1, min(v.max_role_len, n) + 1):
        for s in range(0, n - m + 1):
            if tuple(words[s : s + m]) in v.roles:
                return True
    return False


def _names_someone(toks: list[_Token], lo: int, hi: int) -> bool:
    """Whether a subject (tokens lo..hi) names a person, a role or an agency."""
    v = _vocab()
    seg = [t for t in toks[lo:hi]]
    # Drop parentheticals: "OT (Priya Lal)" is the OT, and "(SW)" a gloss.
    clean: list[_Token] = []
    depth = 0
    for t in seg:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            clean.append(t)
    # The head comes before any preposition: "Head of the panel", "Calls to Ava".
    for idx, t in enumerate(clean):
        if t.low in _PREPOSITIONS and idx > 0:
            clean = clean[:idx]
            break
    words = [t.low for t in clean if t.is_word]
    if not words:
        return False
    bare = [w for w in words if w not in ("the", "all", "both")]
    if " ".join(words) in v.collective or " ".join(bare) in v.collective or not bare:
        return False
    head = clean[-1]
    if head.low.endswith(("'s", "’s")):
        return False
    if head.low in v.not_people or " ".join(words[-2:]) in v.not_people:
        return False
    if len(clean) == 1 and head.low.endswith(_NOUN_ENDINGS):
        return False  # "Swimming to continue", "Mediation to start"
    if _is_role(words[-3:]) or _is_role([words[-1]]):
        return True
    return head.capitalised and head.is_word


def who_in_text(text: str) -> Found | None:
    """The first place the text names who does the action: the subject of a predicate that is
    an act (not "to be assessed", not "to feel calmer", not "all agencies"), the agent of a
    passive ("to be gathered by his IRO"), or a label ("Owner: the PA")."""
    toks, preds = _parse(text)
    v = _vocab()
    for p in preds:
        if p.passive:
            agent = _agent(toks, p.last)
            if agent is not None:
                return agent
            continue
        if p.how not in ("lead",) or p.subject is None:
            continue
        if p.lemma in v.state:
            continue
        lo, hi = p.subject
        if _names_someone(toks, lo, hi):
            return Found(toks[lo].start, toks[p.last - 1].end, "subject")
    return _owner_label(text)


def _agent(toks: list[_Token], k: int) -> Found | None:
    """ "... by his IRO, Ruth Ames", "by the school nurse": a passive's doer, in its sentence."""
    for j in range(k, len(toks)):
        if toks[j].text in _BOUNDARY:
            return None
        if toks[j].low != "by" or j + 1 >= len(toks):
            continue
        end = j + 1
        while (
            end < len(toks)
            and end < j + 7
            and (toks[end].is_word and toks[end].low not in _PREPOSITIONS)
        ):
            end += 1
        if end > j + 1 and _names_someone(toks, j + 1, end):
            return Found(toks[j].start, toks[end - 1].end, "agent")
    return None


_LABEL = re.compile(
    r"\b(?:owner|lead(?:\s+person)?|responsible(?:\s+person)?|action\s+by|by\s+whom|who)\s*[:\-–]\s*",
    re.IGNORECASE,
)


def _owner_label(text: str) -> Found | None:
    for m in _LABEL.finditer(text):
        rest = text[m.end() :]
        toks = _tokens(rest)
        end = 0
        while end < len(toks) and end < 6 and toks[end].is_word:
            end += 1
        if end and _names_someone(toks, 0, end):
            return Found(m.start(), m.end() + toks[end - 1].end, "label")
    return None


# ---------------------------------------------------------------------------- when


@dataclass(frozen=True)
class _TimeReaders:
    frequency: _Rx
    milestone: re.Pattern[str]  # case matters: a name opens "until Ava is two"
    within: _Rx
    relative: _Rx
    anchored: _Rx
    past_before: _Rx
    recurring: _Rx
    calendar_unit: _Rx


_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|fri"
)


def _alts(words: list[str]) -> str:
    return "|".join(_phrase_re(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _time_readers() -> _TimeReaders:
    ts = smart_fields().timescales
    numbers = _alts(list(ts.number_words)) + r"|\d{1,3}"
    units = _alts(ts.units)
    markers = _alts(ts.markers)
    starts = _alts(ts.start_markers)
    qualifier = (
        rf"(?:(?:the|her|his|their|next|first|second|final|initial|midway|following|upcoming|"
        rf"planned|{_MONTHS}|20\d\d)\s+)"
    )
    point = rf"(?:{_alts(ts.review_points)})"
    period = rf"(?:(?:{_MONTHS})\s+)?(?:{_alts(ts.periods)})"
    calendar = rf"(?:{period}|(?:{_MONTHS})\b(?:\s+20\d\d)?|(?:{_WEEKDAYS})\b)"
    anchored = (
        rf"\b(?:(?:{markers})\s+{qualifier}*(?:{point}|{calendar})"
        rf"|(?:{starts})\s+{qualifier}*{calendar})(?=\W|$)"
    )
    past = _alts(ts.past_markers)
    adjacent = _alts(ts.past_markers_adjacent)
    return _TimeReaders(
        frequency=_rx("|".join(rf"\b(?:{p})" for p in ts.frequency_patterns)),
        milestone=re.compile("|".join(rf"\b(?:{p})" for p in ts.milestone_patterns)),
        within=_rx(
            rf"\b(?:(?:within|in|after|over|for|inside)\s+(?:the\s+next\s+|the\s+first\s+)?"
            rf"(?:{numbers})\s+(?:working\s+|calendar\s+|school\s+|clear\s+)?(?:{units})\b"
            rf"|(?:{numbers})\s+(?:working\s+|calendar\s+|school\s+)?(?:{units})\s+"
            rf"(?:after|before|from|of)\b"
            rf"|(?:within|after)\s+(?:the\s+)?(?:first|next)\s+(?:{units})\b)"
        ),
        relative=_rx(
            r"\b(?:(?:the\s+)?same\s+(?:day|week)|that\s+(?:day|week)|(?:the\s+)?next\s+"
            r"(?:day|working\s+day)|within\s+(?:the\s+)?(?:hour|day|week|month|fortnight))\b"
        ),
        anchored=_rx(anchored),
        past_before=_rx(rf"\b(?:(?:{past})\W*(?:\w+\W+){{0,2}}|(?:{adjacent})\W*)$"),
        recurring=_rx(r"\b(?:every|each|all|any)\b"),
        calendar_unit=_rx(
            rf"\b(?:day|week|fortnight|month|term|year|morning|evening|night|{_WEEKDAYS})"
        ),
    )


_MONTH_NUMBER = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
#: A calendar date written out (the absolute forms of notereview.checks._textdates, in lower
#: case): 30/10, 30/10/2026, 2026-10-30, 30th October (2026), October 30.
_ABSOLUTE_DATE = _rx(
    rf"(?<![\d/])(?P<d1>\d{{1,2}})/(?P<m1>\d{{1,2}})(?:/(?P<y1>\d{{2,4}}))?(?![\d/])"
    rf"|\b(?P<y2>(?:19|20)\d\d)-(?P<m2>\d\d)-(?P<d2>\d\d)\b"
    rf"|\b(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m3>{_MONTH_NAMES})\b\.?"
    rf"(?:\s+(?P<y3>20\d\d))?"
    rf"|\b(?P<m4>{_MONTH_NAMES})\.?\s+(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\b"
)


_DIGIT = re.compile(r"\d")


def _calendar_date(m: re.Match[str]) -> date | None:
    """The date a match stands for (a year-less one in a leap year, so 29/02 is a date), or
    None when there is no such day (31/02)."""
    g = m.groupdict()
    if g["d1"]:
        day, month, year = int(g["d1"]), int(g["m1"]), g["y1"]
    elif g["y2"]:
        day, month, year = int(g["d2"]), int(g["m2"]), g["y2"]
    elif g["d3"]:
        day, month, year = int(g["d3"]), _MONTH_NUMBER[g["m3"].lower()], g["y3"]
    else:
        day, month, year = int(g["d4"]), _MONTH_NUMBER[g["m4"].lower()], None
    y = int(year) if year else 2024
    try:
        return date(y + 2000 if y < 100 else y, month, day)
    except ValueError:
        return None


def _written_dates(text: str, low: str, plan_start: date) -> Found | None:
    """The first written date that can be a deadline: not "24/7", not a past reference ("sent
    02/02", "agreed at the last meeting on 11/01/2027") and, where it has a year, not before
    the plan began."""
    r = _time_readers()
    if _DIGIT.search(text) is None:
        return None  # every form of a written date has a number in it
    for m in _ABSOLUTE_DATE.finditer(text, low):
        day = _calendar_date(m)
        if m.group() == "24/7" or day is None:
            continue
        if (m.group("y1") or m.group("y2") or m.group("y3")) and day < plan_start:
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        if r.past_before.search(before) is not None:
            continue
        return Found(m.start(), m.end(), "date")
    return None


def when_in_text(text: str, reference: date) -> Found | None:
    """Where the text says when, the first kind found of: a written date that is not a past
    reference (nor, with its year, before ``reference``, the plan's start); a timescale
    ("within 10 working days", "after twelve weeks"); a calendar frequency ("every Thursday");
    a point in the plan's life ("before the next review", "at the panel meeting") or the child's
    ("before her 18th birthday"). Vague time ("ASAP", "ongoing", "in the coming weeks", "at
    every visit") is none of these."""
    r = _time_readers()
    low = text.lower()
    if (d := _written_dates(text, low, reference)) is not None:
        return d
    readers: tuple[tuple[str, _Rx | re.Pattern[str]], ...] = (
        ("within", r.within),
        ("frequency", r.frequency),
        ("review_point", r.anchored),
        ("milestone", r.milestone),
        ("relative", r.relative),
    )
    for rule, rx in readers:
        m = rx.search(text, low) if isinstance(rx, _Rx) else rx.search(text)
        if m is None or _recurring_event(m.group()):
            continue
        if rule == "review_point" and r.past_before.search(
            text[max(0, m.start() - 40) : m.start()]
        ):
            continue  # "agreed at the last meeting": where it came from, not when it is due
        return Found(m.start(), m.end(), rule)
    return None


def _recurring_event(said: str) -> bool:
    """ "at every visit", "at each handover": tied to events, not to the calendar."""
    r = _time_readers()
    return r.recurring.search(said) is not None and r.calendar_unit.search(said) is None
