"""What the annotator returns: immutable records that the checks read (and never re-parse).

``Cue`` and ``SentenceAnnotation`` are named tuples: a visit note makes a few dozen of them, and
a frozen dataclass sets each field through ``object.__setattr__`` when built; py-spy put those
constructors at a tenth of the reader's time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, NamedTuple, get_args

from notereview.vocabulary import VOICE_KINDS

if TYPE_CHECKING:
    from notereview.casefile import Child

#: Per-sentence voice labels, strongest first (docs/criteria.md "Per-record labels").
VOICES: tuple[str, ...] = VOICE_KINDS
#: Who is speaking, or whose view a sentence gives.
SPEAKERS: tuple[str, ...] = (
    "child",
    "parent_carer",
    "professional",
    "other_child",
    "writer",
    "unknown",
)
#: ConText-style qualifiers (closed vocabulary).
Qualifier = Literal[
    "negated",
    "hypothetical",
    "historical",
    "attempted",
    "third_party",
    "stock_phrase",
    "greeting",
    "anticipated",
    "inferred",
]
QUALIFIERS: tuple[Qualifier, ...] = get_args(Qualifier)
GENDERS: tuple[str, ...] = ("F", "M", "other", "unknown")


def strongest_voice(voices: object) -> str:
    """The strongest of some voice labels (``none`` for none at all)."""
    found = set(voices)  # type: ignore[call-overload]
    for label in VOICES:
        if label in found:
            return label
    return "none"


@dataclass(frozen=True, slots=True)
class ChildContext:
    """What the annotator needs to know about the child a text is about.

    ``first_name`` and ``nicknames`` are used only to find the child in the text; they never
    reach a log line or an error message. ``gender`` is F, M, other or unknown (anything else
    reads as unknown) and decides which pronouns may refer to the child. ``initial`` is the
    capital letter the records may use for the child ("B said"); ``others`` are the other
    people the case file names, as (exact form, role, gender) (:mod:`notereview.nlp._people`).
    """

    first_name: str | None
    gender: str
    age: int | None
    nicknames: tuple[str, ...] = ()
    initial: str | None = None
    others: tuple[tuple[str, str, str], ...] = ()
    #: The case file says the child communicates other than by speech (limited or no words,
    #: signs, symbols, a talker): observation of them is their voice too (C3).
    observed: bool = False

    @classmethod
    def for_child(cls, child: Child, on: date, nicknames: tuple[str, ...] = ()) -> ChildContext:
        """The context for ``child`` as of ``on`` (their age on that day)."""
        return cls(
            first_name=child.first_name,
            gender=child.gender,
            age=child.age_on(on),
            nicknames=nicknames,
        )


class Span(NamedTuple):
    """A match in a text before it is read for a child: a cue, a quote, a person or a
    modifier's words (character offsets and the rule id that matched)."""

    start: int
    end: int
    rule: str


class Cue(NamedTuple):
    """A lexicon or pattern match. ``rule`` is the entry id in the pattern file that matched;
    ``qualifiers`` are the ConText qualifiers whose scope covers the cue (for example a
    ``significant_event:police_call_out`` cue in "no police involvement" is ``negated``)."""

    kind: str
    start: int
    end: int
    rule: str
    qualifiers: frozenset[str] = frozenset()


class SentenceAnnotation(NamedTuple):
    """One sentence: ``text[start:end]`` of the original text (surrounding whitespace trimmed).

    ``voice`` is the CHILD's voice only; ``speaker`` says whose words or view the sentence
    gives. ``voice_cue`` is the evidence for ``voice`` (the quote, the reporting or view verb,
    the observation cue or the attempt) and is None when ``voice`` is ``none``.
    """

    start: int
    end: int
    speaker: str
    voice: str
    qualifiers: frozenset[str]
    cues: tuple[Cue, ...]
    voice_cue: Cue | None = None


@dataclass(frozen=True, slots=True)
class AnnotatedText:
    """One text, annotated once. ``cues`` holds every cue of the text in order of position."""

    text: str
    sentences: tuple[SentenceAnnotation, ...]
    cues: tuple[Cue, ...]

    @property
    def voice(self) -> str:
        """The strongest voice label over the sentences (the visit's ``voice`` label)."""
        return strongest_voice(s.voice for s in self.sentences)

    def cues_of(self, kind: str) -> tuple[Cue, ...]:
        """Cues of ``kind``; a kind ending in ``:`` (``significant_event:``) matches a prefix."""
        if kind.endswith(":"):
            return tuple(c for c in self.cues if c.kind.startswith(kind))
        return tuple(c for c in self.cues if c.kind == kind)
