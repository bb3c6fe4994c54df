"""Putting rendered sentences together in a writer's style: layout, abbreviation, typos."""

from __future__ import annotations

import random
import re
from datetime import date

from notereview.errors import ConfigError
from notereview.synth._data import COMPONENT_SLOTS, SLOTS, StyleDef

#: The slots a template writes for the child's pronouns and verb endings ("{he} want{s}").
_PRONOUN_SLOTS: tuple[str, ...] = (
    "he",
    "him",
    "his",
    "He",
    "His",
    "himself",
    "s",
    "es",
    "ies",
    "is",
    "was",
    "has",
    "does",
)


def _forms(*forms: str) -> dict[str, str]:
    return dict(zip(_PRONOUN_SLOTS, forms, strict=True))


PRONOUNS: dict[str, dict[str, str]] = {
    "F": _forms(
        "she", "her", "her", "She", "Her", "herself", "s", "es", "ies", "is", "was", "has", "does"
    ),
    "M": _forms(*_PRONOUN_SLOTS),
    "they": _forms(
        "they",
        "them",
        "their",
        "They",
        "Their",
        "themselves",
        "",
        "",
        "y",
        "are",
        "were",
        "have",
        "do",
    ),
    # a record written as a letter to the child: "{he} want{s}" -> "you want"
    "you": _forms(
        "you", "you", "your", "You", "Your", "yourself", "", "", "y", "are", "were", "have", "do"
    ),
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def uk_date(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def long_date(d: date) -> str:
    return f"{ordinal(d.day)} {_MONTHS[d.month - 1]} {d.year}"


def day_month(d: date) -> str:
    return f"{ordinal(d.day)} {_MONTHS[d.month - 1]}"


def month_name(d: date) -> str:
    return _MONTHS[d.month - 1]


def weekday_name(d: date) -> str:
    return _WEEKDAYS[d.weekday()]


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_ABBREVIATIONS: dict[str, str] = {
    "Mum": "M",
    "Dad": "F",
    "foster carer": "FC",
    "Foster carer": "FC",
    "social worker": "SW",
    "child protection": "CP",
    "school": "sch",
    "and": "&",
    "with": "w/",
    "appointment": "appt",
    "because": "bc",
    "about": "abt",
    "information": "info",
    "hospital": "hosp",
    "telephone": "tel",
    "regarding": "re",
    "meeting": "mtg",
    "without": "w/o",
}
_ABBREV_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _ABBREVIATIONS), key=len, reverse=True)) + r")\b"
)
_MISSPELT: dict[str, str] = {
    "received": "recieved",
    "definitely": "definately",
    "separate": "seperate",
    "because": "becuase",
    "their": "there",
    "appointment": "appointmnet",
    "which": "wich",
    "school": "shcool",
    "friends": "freinds",
    "believe": "beleive",
    "until": "untill",
    "really": "realy",
    "tomorrow": "tommorow",
    "don't": "dont",
    "didn't": "didnt",
    "I'm": "im",
    "it's": "its",
}
_WORD_RE = re.compile(r"[A-Za-z']{4,}")


_SENTENCE_END = re.compile(r"\.(?: |\n(?!\n))(?=[A-Z\"])")
_PARAGRAPH = re.compile(r"\n\n")
_COMMA = re.compile(r", (?=[a-z])")


def dictate(text: str, rng: random.Random, rate: float = 0.5) -> str:
    """Speech-to-text left unedited: some full stops, paragraph breaks and commas spoken
    ("full stop", "new paragraph", "comma") instead of written."""

    def stop(m: re.Match[str]) -> str:
        if rng.random() >= rate:
            return m[0]
        return rng.choice((" full stop ", " full stop. ", " stop "))

    def para(m: re.Match[str]) -> str:
        if rng.random() >= rate:
            return m[0]
        return rng.choice((" new paragraph ", " new paragraph\n\n"))

    def comma(m: re.Match[str]) -> str:
        return " comma " if rng.random() < rate * 0.6 else m[0]

    return _COMMA.sub(comma, _PARAGRAPH.sub(para, _SENTENCE_END.sub(stop, text)))


def abbreviate(text: str) -> str:
    return _ABBREV_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)


def add_typos(text: str, rng: random.Random, rate: float, protect: str) -> str:
    """Misspell about ``rate`` of the longer words (never the ``protect`` word, never a
    capitalised word such as a name)."""

    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        if word == protect or word[0].isupper() or rng.random() >= rate:
            return word
        if word in _MISSPELT:
            return _MISSPELT[word]
        i = rng.randrange(1, len(word) - 2)
        how = rng.random()
        if how < 0.5:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if how < 0.8:
            return word[:i] + word[i + 1 :]
        return word[:i] + word[i] + word[i:]

    return _WORD_RE.sub(swap, text)


class VisitLayout:
    """Arranges a visit's rendered components in one style's layout.

    The layout is a list of groups (paragraphs, or headed sections); each group is a list of
    slots. Components are put into per-slot buckets, so a sentence lands in its slot's place
    whatever order it was written in.
    """

    def __init__(self, name: str, style: StyleDef) -> None:
        self.name = name
        self.style = style
        if style.layout == "prose":
            groups = [list(p) for p in (style.paragraphs or [list(SLOTS)])]
            self.headings: list[str] = []
        elif style.layout == "headings":
            sections = style.sections or []
            groups = [["open"], *[list(slots) for _, slots in sections], ["close"]]
            self.headings = ["", *[h for h, _ in sections], ""]
        else:
            groups = [[slot] for slot in SLOTS]
            self.headings = []
        flat = [slot for group in groups for slot in group]
        missing = set(SLOTS) - set(flat)
        if missing or len(flat) != len(set(flat)):
            raise ConfigError(
                f"writer style {name} places slots {sorted(missing)} nowhere or "
                "twice; every slot must appear once in its paragraphs/sections"
            )
        slot_pos = {slot: i for i, slot in enumerate(flat)}
        self.pos = {c: slot_pos[slot] for c, slot in COMPONENT_SLOTS.items()}
        self.n = len(flat)
        self.ranges: list[tuple[int, int]] = []
        i = 0
        for group in groups:
            self.ranges.append((i, i + len(group)))
            i += len(group)

    def compose(self, parts: list[tuple[str, str]], rng: random.Random, name: str) -> str:
        """``parts`` are (component, sentence) in the order they were written."""
        style = self.style
        buckets: list[list[str]] = [[] for _ in range(self.n)]
        pos = self.pos
        typo = style.typo_rate
        for component, sentence in parts:
            if not sentence:
                continue
            if typo and component != "nonverbal":
                sentence = add_typos(sentence, rng, typo, name)
            buckets[pos[component]].append(sentence)
        groups = [[s for b in buckets[a:z] for s in b] for a, z in self.ranges]
        layout = style.layout
        if layout == "prose":
            if style.dictation:
                out: list[str] = []
                for i, s in enumerate(x for g in groups for x in g):
                    if i:
                        if out[-1].endswith("."):
                            out[-1] = out[-1][:-1]
                        out.append(rng.choice((" full stop ", ". ", " and ", ", ", " new line ")))
                    out.append(s)
                text = "".join(out)
            else:
                joiner = style.joiner
                text = "\n\n".join(joiner.join(g) for g in groups if g)
        elif layout == "bullets":
            bullet = style.bullet
            text = "\n".join(bullet + s for g in groups for s in g)
        elif layout == "headings":
            blocks: list[str] = list(groups[0])
            for heading, g in zip(self.headings[1:-1], groups[1:-1], strict=True):
                if g:
                    blocks.append(f"{heading}:\n{' '.join(g)}")
                elif style.empty_section:
                    blocks.append(f"{heading}:\n{style.empty_section}")
            blocks.extend(groups[-1])
            text = "\n\n".join(blocks)
        else:  # diary
            minute = rng.randrange(9 * 60, 16 * 60)
            lines = []
            for g in groups:
                for s in g:
                    lines.append(f"{minute // 60:02d}:{minute % 60:02d} {s}")
                    minute += rng.randrange(2, 16)
            text = "\n".join(lines)
        if style.abbreviate:
            text = abbreviate(text)
        return text
