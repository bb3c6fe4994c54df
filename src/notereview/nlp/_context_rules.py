"""ConText's modifiers in one sentence: the rules of ``context.yaml`` made into modifiers, their
scopes cut by terminators, and the graph that says which qualifiers cover a target.

In medspaCy's words: a ``ContextEntry`` is a rule (modifier, terminate or pseudo), a
``Modifier`` is a rule found in a sentence with its scope, and ``SentenceGraph`` joins the
targets (cues, quotes, reporting verbs) to the modifiers whose scopes cover them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from notereview.nlp._model import Span
from notereview.nlp._patterns import ContextEntry

_EMPTY: frozenset[str] = frozenset()
THIRD_PARTY = frozenset({"third_party"})
#: The writer's own reading of the child: a view verb under it is not the child's view.
INFERRED = frozenset({"inferred"})
#: Qualifiers that stop a quote or reporting verb from being the child's voice.
BLOCK_VOICE = frozenset(
    {
        "negated",
        "hypothetical",
        "historical",
        "attempted",
        "third_party",
        "greeting",
        "stock_phrase",
    }
)
#: Qualifiers that stop an observation or an attempt from counting (it is not this visit's).
BLOCK_OBSERVATION = frozenset({"hypothetical", "historical", "third_party", "stock_phrase"})
BLOCK_ATTEMPT = frozenset({"hypothetical", "historical", "third_party"})
#: A reporting clause under these is not someone speaking in this sentence.
NOT_SPEAKING = frozenset({"third_party", "hypothetical"})


class Terminator(NamedTuple):
    """A word that ends the scope of the modifiers it applies to (all, where it names none)."""

    start: int
    end: int
    applies_to: tuple[str, ...]


@dataclass(slots=True)
class Modifier:
    """A ConText modifier found in a sentence, with its scope once ``scope`` has set it: forward
    ``[f_start, f_end)`` and backward ``[b_start, b_end)``."""

    start: int
    end: int
    rule: str
    qualifiers: frozenset[str]
    direction: str
    max_scope: int | None
    head_excluded: bool = False
    #: For a modifier made from a reporting clause: that clause's verb (start, end).
    own: tuple[int, int] | None = None
    f_start: int = 0
    f_end: int = 0
    b_start: int = 0
    b_end: int = 0

    def covers(self, start: int, end: int) -> bool:
        """The target ``[start, end)`` is inside this modifier's span or scope."""
        return (
            (self.f_start <= start < self.f_end)
            or (self.b_start <= start and end <= self.b_end)
            or inside(self, start, end)
        )


def modifiers_of(
    raw_mods: list[Span], rules: dict[str, ContextEntry]
) -> tuple[list[Modifier], list[Terminator]]:
    """The sentence's modifiers and terminators; a modifier overlapped by a pseudo-trigger that
    applies to it ("not only") is dropped."""
    modifiers: list[Modifier] = []
    terminators: list[Terminator] = []
    pseudos: list[tuple[int, int, ContextEntry]] = []
    for s, e, rule in raw_mods:
        entry = rules.get(rule)
        if entry is None:
            continue
        if entry.role == "terminate":
            terminators.append(Terminator(s, e, entry.applies_to))
        elif entry.role == "pseudo":
            pseudos.append((s, e, entry))
        elif entry.role == "modifier":
            modifiers.append(
                Modifier(
                    s,
                    e,
                    rule,
                    frozenset(entry.qualifiers),
                    entry.direction,
                    entry.max_scope,
                    entry.head_excluded,
                )
            )
    if pseudos:
        modifiers = [
            m
            for m in modifiers
            if not any(
                ps < m.end and m.start < pe and applies(p.applies_to, m) for ps, pe, p in pseudos
            )
        ]
    return modifiers, terminators


def scope(mod: Modifier, ss: int, se: int, terminators: list[Terminator]) -> None:
    """Set the modifier's scope in the sentence ``[ss, se)``: to the sentence's end (start), at
    most ``max_scope`` characters, cut at the first terminator that applies to it."""
    if mod.direction in ("forward", "bidirectional"):
        end = se if mod.max_scope is None else min(se, mod.end + mod.max_scope)
        for ts, _te, applies_to in terminators:
            if mod.end <= ts < end and applies(applies_to, mod):
                end = ts
        mod.f_start, mod.f_end = mod.end, end
    if mod.direction in ("backward", "bidirectional"):
        start = ss if mod.max_scope is None else max(ss, mod.start - mod.max_scope)
        for _ts, te, applies_to in terminators:
            if start < te <= mod.start and applies(applies_to, mod):
                start = te
        mod.b_start, mod.b_end = start, mod.start


def inside(mod: Modifier, start: int, end: int) -> bool:
    """A target inside a modifier's span ("had said", "did not want to talk", "said hello") is
    covered, except the head of a ``head_excluded`` modifier ("Kai asked me what ...")."""
    if not (mod.start <= start and end <= mod.end):
        return False
    return not (mod.head_excluded and start == mod.start)


def applies(applies_to: frozenset[str] | tuple[str, ...], mod: Modifier) -> bool:
    if not applies_to:
        return True
    return mod.rule in applies_to or not mod.qualifiers.isdisjoint(applies_to)


class SentenceGraph:
    """The modifiers of one sentence, scoped, and the qualifiers that cover a target."""

    def __init__(self, modifiers: list[Modifier]) -> None:
        self.modifiers = modifiers

    def covered(self, start: int, end: int, own: Span | None = None) -> frozenset[str]:
        """Qualifiers covering ``[start, end)``; ``own``: a reporting verb whose own clause
        does not count (Mum's quote is not under Mum's third-party scope)."""
        if not self.modifiers:
            return _EMPTY
        hit: set[str] = set()
        skip = (own[0], own[1]) if own is not None else None
        for mod in self.modifiers:
            if mod.own is not None and (mod.own == skip or mod.own == (start, end)):
                continue
            if mod.covers(start, end):
                hit.update(mod.qualifiers)
        return frozenset(hit) if hit else _EMPTY

    def outside_own(self, mod: Modifier) -> frozenset[str]:
        """Qualifiers of OTHER modifiers whose scope covers ``mod``."""
        hit: set[str] = set()
        for other in self.modifiers:
            if other is mod:
                continue
            if (
                inside(other, mod.start, mod.end)
                or (other.f_start <= mod.start < other.f_end)
                or (other.b_start <= mod.start and mod.end <= other.b_end)
            ):
                hit.update(other.qualifiers)
        return frozenset(hit)

    def refusal_follows(self, span: Span) -> bool:
        """'he said that he did not want to see me' reports a refusal: an attempt, not voice."""
        return any(
            "attempted" in m.qualifiers and span[1] <= m.start <= span[1] + 60
            for m in self.modifiers
        )

    def qualifiers(self) -> frozenset[str]:
        """Every qualifier a modifier of the sentence carries."""
        found: set[str] = set()
        for mod in self.modifiers:
            found.update(mod.qualifiers)
        return frozenset(found) if found else _EMPTY
