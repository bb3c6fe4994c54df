"""Linking a visit record to the child's plan (V4).

The rules path: a sentence of the visit shares content words with a plan action, or uses plan
language ("as agreed in the plan", "core group action") together with at least one of them.
The models issue adds semantic similarity behind the same interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from notereview.checks._finding import Evidence
from notereview.checks._lexicon import lexicon
from notereview.checks._linkwords import (
    action_stems,
    best_shared,
    first_asserted_match,
    name_stems,
)
from notereview.checks._linkwords import content_stems as content_stems

if TYPE_CHECKING:
    from notereview.casefile import PlanAction
    from notereview.nlp import AnnotatedText


@dataclass(frozen=True, slots=True)
class PlanLink:
    linked: bool
    action_id: str | None
    evidence: tuple[Evidence, ...]
    #: How much the rules found: the content words the linking sentence shares with the
    #: action, 1 for a link in so many words ("as per the CIN plan"), 0 for none.
    strength: int = 0


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
        *,
        names: frozenset[str] = frozenset(),
    ) -> PlanLink:
        """``names``: the lower-cased names of the case file's people. A name shared by a
        visit and an action ("Gran to take him to football") is not the visit working on the
        action, so names never count as shared words."""
        if not actions:
            return self._plan_language_only(visit_id, text, at)
        best = best_shared(
            text,
            at.sentences,
            [(a.action_id, action_stems(a.text)) for a in actions],
            self.min_shared,
            self.min_shared_with_plan_language,
            lexicon().visit_purpose,
            name_stems(names),
        )
        if best is None:
            return self._explicit_link(visit_id, text, at)
        shared, plan_language, action_id, start, end = best
        why = f"refers to plan action {action_id}" + (" in plan language" if plan_language else "")
        return quote_link(visit_id, text, start, end, self.name, why, action_id, shared)

    def _explicit_link(self, visit_id: str, text: str, at: AnnotatedText) -> PlanLink:
        """A sentence that says in so many words that the visit served the plan ("as per the
        CIN plan"), though it names the action in other words than the plan does."""
        s = first_asserted_match(text, at.sentences, lexicon().explicit_plan_link)
        if s is None:
            return PlanLink(False, None, ())
        return quote_link(visit_id, text, s.start, s.end, f"{self.name}:explicit_plan_link",
                          "says the visit served the child's plan")  # fmt: skip

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
    strength: int = 1,
) -> PlanLink:
    """A link with one quote as its evidence: ``text[start:end]`` of the visit."""
    evidence = Evidence("visits", visit_id, start, end, text[start:end], source, why)
    return PlanLink(True, action_id, (evidence,), strength)
