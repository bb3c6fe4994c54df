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
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from notereview.checks._smart_clauses import (
    _BOUNDARY,
    _NOUN_ENDINGS,
    _PREPOSITIONS,
    _PRONOUNS,
    _SUBORDINATORS,
    Found,
    _object_range,
    _parse,
    _Predicate,
    _Token,
    _tokens,
    _verb_at,
    _vocab,
)
from notereview.checks._smart_fields import smart_fields
from notereview.checks._smart_when import when_in_text

#: The readings of a plan action the checks use (``when_in_text`` lives in ``_smart_when``).
__all__ = [
    "Found",
    "WhatReading",
    "due_date_problem",
    "owner_field_problem",
    "smart_fields",
    "uk_date",
    "what_in_text",
    "when_in_text",
    "who_in_text",
]

# ---------------------------------------------------------------------------- results


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


# ---------------------------------------------------------------------------- what


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
