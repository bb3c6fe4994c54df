"""What every part of building one child shares: its random stream, its facts so far and the
phrasings it picks (each phrasing used once per child where it can be)."""

from __future__ import annotations

import random
import re
from datetime import date

from notereview.synth._case_facts import GenContext
from notereview.synth._data import lower_first
from notereview.synth._phenomena import ChildNames


class BuilderBase:
    """One child's random stream, calendar, world and the facts drawn so far."""

    def __init__(self, gen: GenContext, index: int) -> None:
        self.gen = gen
        self.index = index
        self.rng = random.Random(f"notereview-synth/{gen.seed}/child/{index}")
        # The phenomena of real recording draw from a stream of their own, so that adding one
        # never moves a child's dates, events or statuses.
        self.prng = random.Random(f"notereview-synth/{gen.seed}/child/{index}/phenomena")
        # What the auditors' conventions turn on (a no-access visit not followed up, an impact
        # column holding a placeholder, a supervision action without a timescale, a genogram
        # drawn with one parent) draws from a stream of its own, so that drawing it takes no
        # draw from the main stream (a late follow-up visit still moves the visits after it).
        self.crng = random.Random(f"notereview-synth/{gen.seed}/child/{index}/conventions")
        self._brng: random.Random | None = None  # the planted bias's stream, when it is on
        rnd = self.rng.random

        def ch(seq):
            return seq[int(rnd() * len(seq))]

        def ri(a: int, b: int) -> int:
            return a + int(rnd() * (b - a + 1))

        def wch(seq, weights):
            x = rnd() * sum(weights)
            for item, w in zip(seq, weights, strict=False):
                x -= w
                if x < 0:
                    return item
            return seq[-1]

        self.ch, self.ri, self.wch = ch, ri, wch
        self.ctx: dict[str, str] = {}
        self.q: dict[str, float] = {}
        self.topics: list[str] = []
        self.plan_name = "assessment"
        self.names: ChildNames | None = None
        self.used_quotes: set[str] = set()
        self.said: list[tuple[date, str]] = []  # (visit day, the child's words as quoted)
        self.name_rx: dict[str, re.Pattern[str]] = {}

    # ------------------------------------------------------------------ helpers
    def _fmt(self, template: str) -> str:
        return template.format_map(self.ctx)

    def _pick(self, items: list[str]) -> str:
        return self._fmt(self.ch(items))

    def _pick_lc(self, items: list[str]) -> tuple[str, str]:
        t = self.ch(items)
        return self._fmt(t), self._fmt(lower_first(t))

    def _put_lc(
        self,
        parts: list[tuple[str, str]],
        comps: dict[str, list[str]],
        component: str,
        key: str,
        pool: list[str],
    ) -> None:
        """Render ``component`` with content from ``pool`` under ``key`` (or ``key_lc``, the
        lower-first form, when the style's template asks for it)."""
        ch, ctx = self.ch, self.ctx
        tpl = ch(comps[component])
        content = ch(pool)
        lc_key = key + "_lc"
        if "{" + lc_key + "}" in tpl:
            ctx[lc_key] = lower_first(content).format_map(ctx)
        else:
            ctx[key] = content.format_map(ctx)
        parts.append((component, tpl.format_map(ctx)))

    def _working_day_near(self, d: date) -> date:
        return self.gen.cal.prev_working(d)
