"""One synthetic child: the facts the generator chose, the rows it writes and the key it knows.

Everything about a child is drawn from one ``random.Random`` stream derived from (seed, child
index), so a child never depends on how many children are generated around it.
"""

from __future__ import annotations

import json

from notereview.synth._calendar import add_months
from notereview.synth._case_child import ChildBuilder
from notereview.synth._case_facts import CaseFacts, GenContext
from notereview.synth._case_plans import PlanBuilder
from notereview.synth._case_texts import TextWriter
from notereview.synth._case_timeline import TimelineBuilder
from notereview.synth._rules import Deadline
from notereview.synth._world import _clip
from notereview.vocabulary import SIGNIFICANT_EVENTS


class CaseBuilder(TextWriter, TimelineBuilder, PlanBuilder, ChildBuilder):
    """Builds one child's facts and texts. Call :meth:`build` once."""

    # ------------------------------------------------------------------ build
    def build(self) -> CaseFacts:
        f = self._demographics()
        # a worker good at one part of the job need not be good at all of it
        for area in (
            "timing",
            "recording",
            "content",
            "summary",
            "chronology",
            "plans",
            "genogram",
            "supervision",
        ):
            self.q[area] = _clip(f.quality + self.rng.gauss(0.0, 0.1))
        self._context(f)
        self._plan(f)
        self._visit_dates(f)
        self._events(f)
        self._supervision_dates(f)
        self._summary_date(f)
        self._chronology(f)
        self._mentions(f)
        self._visit_texts(f)
        self._summary_text(f)
        self._supervision_texts(f)
        self._genogram(f)
        return f


def genogram_members_json(members: list[dict[str, object]]) -> str:
    return json.dumps(members, ensure_ascii=False)


__all__ = [
    "SIGNIFICANT_EVENTS",
    "CaseBuilder",
    "CaseFacts",
    "Deadline",
    "GenContext",
    "add_months",
    "genogram_members_json",
]
