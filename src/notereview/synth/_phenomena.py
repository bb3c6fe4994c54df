"""What makes real recording harder than tidy recording, as the generator writes it.

The names a file uses for the child (a nickname, an initial, lower case, another spelling), a
worker's habits (letters written to the child, dictation left unedited), several people quoted
in one note, and the system's junk in plan action fields. The labels these carry follow the
auditor's convention (../shared/eval/casefiles_dev/README.md, "How the auditor labelled").
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

from notereview.synth._data import NAME_FORMS, PhenomenaFile
from notereview.synth._world import World
from notereview.vocabulary import VOICE_KINDS

#: Styles whose writers sometimes write the visit record as a letter to the child.
LETTER_STYLES: frozenset[str] = frozenset(
    {
        "child_centred",
        "narrative_first_person",
        "signs_of_safety",
        "reflective_analytic",
        "newly_qualified",
    }
)
#: Styles whose writers sometimes dictate and leave the spoken punctuation in.
DICTATING_STYLES: frozenset[str] = frozenset(
    {
        "narrative_first_person",
        "newly_qualified",
        "long_rambling",
        "reflective_analytic",
        "formal_third_person",
        "typo_prone",
    }
)
#: Letters read as words or list markers, never used alone as a child's initial.
_NOT_INITIALS = frozenset("AI")
#: The voice labels from strongest to weakest (a visit's label is the strongest it holds).
VOICE_ORDER: tuple[str, ...] = VOICE_KINDS


def stronger_voice(a: str, b: str) -> str:
    return a if VOICE_ORDER.index(a) <= VOICE_ORDER.index(b) else b


@dataclass(frozen=True, slots=True)
class WorkerHabits:
    """letters: the share of a school-age child's seen visits a worker writes as a letter to
    the child; dictation: the share of records left with spoken punctuation in."""

    letters: float
    dictation: float


def worker_habits(seed: int, world: World) -> dict[str, WorkerHabits]:
    """Every worker's habits, from a stream of their own (the world's draws are untouched)."""
    out: dict[str, WorkerHabits] = {}
    for team in world.teams:
        for w in team.workers:
            rng = random.Random(f"notereview-synth/{seed}/habits/{w.worker_id}")
            letters = 0.0
            if w.style in LETTER_STYLES and rng.random() < 0.55:
                letters = rng.uniform(0.25, 0.7)
            elif rng.random() < 0.04:
                letters = rng.uniform(0.05, 0.2)
            dictation = 0.0
            if w.style == "dictated_voice_note":
                dictation = 0.6
            elif w.style in DICTATING_STYLES and rng.random() < 0.25:
                dictation = rng.uniform(0.15, 0.45)
            out[w.worker_id] = WorkerHabits(letters=letters, dictation=dictation)
    return out


@dataclass(frozen=True, slots=True)
class ChildNames:
    """The child's registered name, surname, and the forms a file may call the child by."""

    registered: str
    surname: str
    nickname: str | None
    spelling: str | None
    dotted: bool  # initials written "K.B." rather than "KB"
    habit: str  # the form the child's visit records mostly use (NAME_FORMS)
    #: letters the writer's own shorthand already uses ("M" for Mum): never the child's initial
    reserved: frozenset[str] = frozenset()

    @property
    def full(self) -> str:
        return f"{self.registered} {self.surname}"

    def available(self) -> tuple[str, ...]:
        out = ["registered", "lower", "initials"]
        if self.registered[0] not in _NOT_INITIALS | self.reserved:
            out.append("initial")
        if self.nickname:
            out += ["nickname", "intro"]
        if self.spelling:
            out.append("variant")
        return tuple(f for f in NAME_FORMS if f in out)

    def text(self, form: str) -> str:
        """The word(s) a record writes for the child in ``form`` (for "intro", the nickname;
        the first mention is written "Registered (Nickname)" by :func:`introduce`)."""
        if form in ("nickname", "intro"):
            return self.nickname or self.registered
        if form == "initial":
            return self.registered[0]
        if form == "initials":
            a, b = self.registered[0], self.surname[0]
            return f"{a}.{b}." if self.dotted else f"{a}{b}"
        if form == "lower":
            return self.registered.lower()
        if form == "variant":
            return self.spelling or self.registered
        return self.registered


def choose_names(
    rng: random.Random,
    registered: str,
    surname: str,
    style: str,
    phen: PhenomenaFile,
    reserved: frozenset[str] = frozenset(),
) -> ChildNames:
    names = phen.names
    nicks = names.nicknames.get(registered, [])
    spells = names.spellings.get(registered, [])
    partial = ChildNames(
        registered=registered,
        surname=surname,
        nickname=nicks[int(rng.random() * len(nicks))] if nicks else None,
        spelling=spells[int(rng.random() * len(spells))] if spells else None,
        dotted=rng.random() < 0.2,
        habit="registered",
        reserved=reserved,
    )
    weights = names.habits.get(style, names.habits["default"])
    forms = partial.available()
    ws = [weights[f] for f in forms]
    x = rng.random() * sum(ws)
    habit = forms[-1]
    for form, w in zip(forms, ws, strict=True):
        x -= w
        if x < 0:
            habit = form
            break
    return ChildNames(
        registered=registered,
        surname=surname,
        nickname=partial.nickname,
        spelling=partial.spelling,
        dotted=partial.dotted,
        habit=habit,
        reserved=reserved,
    )


def introduce(text: str, names: ChildNames) -> str:
    """The first mention of the nickname written "Registered (Nickname)"."""
    nick = names.nickname
    if not nick:
        return text
    return re.sub(rf"\b{re.escape(nick)}\b", f"{names.registered} ({nick})", text, count=1)


def junk_due(kind: str, as_of: date, plan_start: date) -> date:
    """A default date a case-management system fills the due-date field with."""
    if kind == "year_end":
        return date(as_of.year, 12, 31)
    if kind == "year_start":
        return date(as_of.year, 1, 1)
    if kind == "far_future":
        return date(2099, 12, 31)
    return plan_start


__all__ = [
    "DICTATING_STYLES",
    "LETTER_STYLES",
    "VOICE_ORDER",
    "ChildNames",
    "WorkerHabits",
    "choose_names",
    "introduce",
    "junk_due",
    "stronger_voice",
    "worker_habits",
]
