"""Linking a visit record to the child's plan (V4).

The rules path: a sentence of the visit shares content words with a plan action, or uses plan
language ("as agreed in the plan", "core group action") together with at least one of them.
The models issue adds semantic similarity behind the same interface.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from notereview.checks._finding import Evidence
from notereview.checks._lexicon import lexicon

if TYPE_CHECKING:
    from notereview.casefile import PlanAction
    from notereview.nlp import AnnotatedText

_TOKEN = re.compile(r"[a-z]{4,}")


@lru_cache(maxsize=1)
def _generic_words() -> frozenset[str]:
    raw = resources.files("notereview.checks").joinpath("plan_link_generic_words.txt").read_text()
    return frozenset(w.strip() for w in raw.splitlines() if w.strip() and not w.startswith("#"))


_SUFFIXES = ("ing", "ed", "es", "s", "ly")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> frozenset[str]:
    generic = _generic_words()
    return frozenset(_stem(w) for w in _TOKEN.findall(text.lower()) if w not in generic)


@lru_cache(maxsize=4096)
def _action_stems(text: str) -> frozenset[str]:
    """``content_stems`` of a plan action's text: every visit of the file compares with it."""
    return content_stems(text)


@dataclass(frozen=True, slots=True)
class PlanLink:
    linked: bool
    action_id: str | None
    evidence: tuple[Evidence, ...]


class PlanLinker:
    """Rules-path plan linkage: shared content words between a sentence and a plan action."""

    name = "plan_link.content_words@1"

    def __init__(self, min_shared: int = 2, min_shared_with_plan_language: int = 1) -> None:
        self.min_shared = min_shared
        self.min_shared_with_plan_language = min_shared_with_plan_language

    def link_visit(
        self,
        visit_id: str,
        text: str,
        at: AnnotatedText,
        actions: Sequence[PlanAction],
    ) -> PlanLink:
        if not actions:
            return self._plan_language_only(visit_id, text, at)
        action_stems = [(a.action_id, _action_stems(a.text)) for a in actions]
        fewest = min(self.min_shared, self.min_shared_with_plan_language)
        purpose = lexicon().visit_purpose
        best: tuple[int, int, str, int, int] | None = (
            None  # (shared, plan_lang, action, start, end)
        )
        for s in at.sentences:
            if {"hypothetical", "negated"} & s.qualifiers:
                continue
            stems = content_stems(text[s.start : s.end])
            if not stems:
                continue
            plan_language: bool | None = None  # looked up only where it can decide
            for action_id, a_stems in action_stems:
                shared = len(stems & a_stems)
                if shared < fewest:
                    continue
                if plan_language is None:
                    # Plan language, or the sentence that states the visit's purpose, needs
                    # only one word in common with an action.
                    plan_language = any(c.kind == "plan_language" for c in s.cues) or (
                        purpose.search(text, s.start, s.end) is not None
                    )
                needed = self.min_shared_with_plan_language if plan_language else self.min_shared
                if shared >= needed:
                    key = (shared, int(plan_language), action_id, s.start, s.end)
                    if best is None or key[:2] > best[:2]:
                        best = key
        if best is None:
            return self._explicit_link(visit_id, text, at)
        shared, plan_language, action_id, start, end = best
        why = f"refers to plan action {action_id}" + (" in plan language" if plan_language else "")
        return quote_link(visit_id, text, start, end, self.name, why, action_id)

    def _explicit_link(self, visit_id: str, text: str, at: AnnotatedText) -> PlanLink:
        """A sentence that says in so many words that the visit served the plan ("as per the
        CIN plan"), though it names the action in other words than the plan does."""
        pattern = lexicon().explicit_plan_link
        for s in at.sentences:
            if {"hypothetical", "negated"} & s.qualifiers:
                continue
            if pattern.search(text, s.start, s.end):
                return quote_link(visit_id, text, s.start, s.end, f"{self.name}:explicit_plan_link",
                             "says the visit served the child's plan")  # fmt: skip
        return PlanLink(False, None, ())

    def _plan_language_only(self, visit_id: str, text: str, at: AnnotatedText) -> PlanLink:
        """Without plan actions to compare with, plan language itself is the link."""
        for s in at.sentences:
            if {"hypothetical", "negated"} & s.qualifiers:
                continue
            cue = next((c for c in s.cues if c.kind == "plan_language"), None)
            if cue is not None:
                return quote_link(visit_id, text, s.start, s.end,
                             f"{self.name}:plan_language.{cue.rule}",
                             "refers to the child's plan")  # fmt: skip
        return PlanLink(False, None, ())


def quote_link(
    visit_id: str,
    text: str,
    start: int,
    end: int,
    source: str,
    why: str,
    action_id: str | None = None,
) -> PlanLink:
    """A link with one quote as its evidence: ``text[start:end]`` of the visit."""
    evidence = Evidence("visits", visit_id, start, end, text[start:end], source, why)
    return PlanLink(True, action_id, (evidence,))
