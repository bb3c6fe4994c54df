"""The rules path's plan-link search (V4): the content words of a sentence and of a plan action,
and the sentence of a visit that shares most of them with an action.

Functions only, so that mypyc compiles this module (``notereview._compiled``) while
``PlanLinker`` in ``_linking`` stays a Python class that the models' linker can subclass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources

from notereview.nlp._model import SentenceAnnotation

_TOKEN = re.compile(r"[a-z]{4,}")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
_SKIP = frozenset({"hypothetical", "negated"})
_STEM_CACHE_MAX = 65_536

_generic: frozenset[str] | None = None
_stems: dict[str, str] = {}
_action_cache: dict[str, frozenset[str]] = {}


def generic_words() -> frozenset[str]:
    """Words too common in plans and visits to link them (plan_link_generic_words.txt)."""
    global _generic
    if _generic is None:
        folder = resources.files("notereview.checks")
        raw = folder.joinpath("plan_link_generic_words.txt").read_text()
        _generic = frozenset(
            w.strip() for w in raw.splitlines() if w.strip() and not w.startswith("#")
        )
    return _generic


def stem(word: str) -> str:
    """A crude stem: one of a few suffixes off, where four letters stay."""
    found = _stems.get(word)
    if found is not None:
        return found
    out = word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            out = word[: -len(suffix)]
            break
    if len(_stems) >= _STEM_CACHE_MAX:
        _stems.clear()
    _stems[word] = out
    return out


def content_stems(text: str) -> frozenset[str]:
    """The stems of the text's words of four letters or more, less the generic ones."""
    generic = generic_words()
    return frozenset([stem(w) for w in _TOKEN.findall(text.lower()) if w not in generic])


def action_stems(text: str) -> frozenset[str]:
    """``content_stems`` of a plan action's text, kept: every visit of the file compares with
    it (at most 4,096 actions are kept)."""
    found = _action_cache.get(text)
    if found is None:
        if len(_action_cache) >= 4096:
            _action_cache.clear()
        found = content_stems(text)
        _action_cache[text] = found
    return found


def name_stems(names: frozenset[str]) -> frozenset[str]:
    """The stems of people's names (lower-cased words of four letters or more)."""
    return frozenset([stem(w) for n in names for w in _TOKEN.findall(n.lower())])


def best_shared(
    text: str,
    sentences: Sequence[SentenceAnnotation],
    actions: Sequence[tuple[str, frozenset[str]]],
    min_shared: int,
    min_shared_with_plan_language: int,
    purpose: re.Pattern[str],
    names: frozenset[str] = frozenset(),
) -> tuple[int, int, str, int, int] | None:
    """The asserted sentence that shares most content words with one of ``actions`` (action
    id, stems), as (shared, plan language 0/1, action id, start, end), or None. A sentence in
    plan language, or the one that states the visit's purpose, needs only
    ``min_shared_with_plan_language`` words in common; any other ``min_shared``. ``names``
    (stems of people's names) are never shared words."""
    fewest = min(min_shared, min_shared_with_plan_language)
    best: tuple[int, int, str, int, int] | None = None
    for s in sentences:
        if not _SKIP.isdisjoint(s.qualifiers):
            continue
        stems = content_stems(text[s.start : s.end])
        if names:
            stems = stems - names
        if not stems:
            continue
        plan_language = -1  # looked up only where it can decide
        for action_id, a_stems in actions:
            shared = len(stems & a_stems)
            if shared < fewest:
                continue
            if plan_language < 0:
                plan_language = int(
                    any(c.kind == "plan_language" for c in s.cues)
                    or purpose.search(text, s.start, s.end) is not None
                )
            needed = min_shared_with_plan_language if plan_language else min_shared
            if shared >= needed and (best is None or (shared, plan_language) > best[:2]):
                best = (shared, plan_language, action_id, s.start, s.end)
    return best


def first_asserted_match(
    text: str, sentences: Sequence[SentenceAnnotation], pattern: re.Pattern[str]
) -> SentenceAnnotation | None:
    """The first sentence, neither hypothetical nor negated, in which ``pattern`` is found."""
    for s in sentences:
        if _SKIP.isdisjoint(s.qualifiers) and pattern.search(text, s.start, s.end):
            return s
    return None
