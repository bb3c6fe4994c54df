"""The child of a passage pasted without the child's name (the exemplar checker): the name the
passage most likely calls the child, read with the speaker lexicon (its roles, and its
reporting verbs for "a word that speaks")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from notereview.nlp._mentions import initials_used_as_names
from notereview.nlp._people import (
    _NAME_RX,
    _NOT_INITIALS,
    _STOP_CAPITALS,
    _TITLE_RX,
    NAME_IN_TEXT_MAX_ZIPF,
    SHORT_FORM_MAX_ZIPF,
    RoleOf,
    name_gender,
    word_zipf,
)


def speaks_rx(cues: Iterable[Any]) -> re.Pattern[str]:
    """Right after a word: a colon before words, or one of the speaker lexicon's reporting
    verbs ("Tomek: ...", "Nev said", "Ebs told me"). The verbs are the ``reporting_verb``
    entries' terms, less those that report only through a communication aid ("showed",
    "pointed"): a name before them is not shown to speak."""
    terms = {
        term
        for entry in cues
        if entry.kind == "reporting_verb" and not entry.needs_aid
        for term in entry.terms
    }
    verbs = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"\s*(?::\s|(?:{verbs})\b)")


@lru_cache(maxsize=1)
def _default_speaks_rx() -> re.Pattern[str]:
    from notereview.nlp._patterns import default_patterns_dir, load_patterns

    return speaks_rx(load_patterns(default_patterns_dir()).cues)


def likely_child_name(
    text: str,
    role_letters: frozenset[str] = frozenset(),
    role_of: RoleOf | None = None,
    speaks: re.Pattern[str] | None = None,
) -> str | None:
    """The name a passage about one child most likely calls the child, for a passage pasted
    without the child's name (the exemplar checker): the first name it uses most often
    (first on a tie), where a first name is a capitalised word the first-name data knows,
    that is not a common English word and does not follow a title ("Mr Hale" is an adult);
    failing that, the initial it uses most ("J said"), less the letters the speaker lexicon
    reads as roles (``role_letters``: "M said" is the mother). A name the passage gives a
    role ("Mum Kirsty", "older brother Kofi", "Helen (interpreter)", "SALT (Gwen)"), read
    with ``role_of`` (the speaker lexicon's relationship reader), is someone else's.
    ``speaks``: what shows a word speaks (``speaks_rx``; by default from the default pattern
    set). None when it names no one."""
    speaks_at = (speaks or _default_speaks_rx()).match
    dear = _DEAR_RX.match(text)
    if (
        dear is not None
        and dear.group(1) not in _STOP_CAPITALS
        and (role_of is None or role_of(dear.group(1)) is None)
    ):
        return dear.group(1)  # a record written as a letter to the child: "Dear Frankie,"
    counts: dict[str, int] = {}
    speakers: dict[str, int] = {}  # capitalised words that speak: "Nev said", "Ebs says"
    titled = {name for _title, name in _TITLE_RX.findall(text)}
    for m in _NAME_RX.finditer(text):
        word = m.group(0)
        if word in _STOP_CAPITALS or word in titled or counts.get(word, 0) < 0:
            continue
        if role_of is not None and _has_role(text, m.start(), m.end(), role_of):
            counts[word] = -1  # an adult or a sibling introduced by role: never counted
            surname = _SURNAME_AFTER.match(text, m.end())
            if surname is not None:  # "IRO Keith Amos": Amos too
                counts[surname.group(1)] = -1
            continue
        if word not in counts:
            known = name_gender(word) != "none" and word_zipf(word.lower()) < NAME_IN_TEXT_MAX_ZIPF
            if not known:
                counts[word] = -1  # not a first name: never counted
                if word_zipf(word.lower()) < SHORT_FORM_MAX_ZIPF and speaks_at(text, m.end()):
                    speakers[word] = speakers.get(word, 0) + 1
                continue
        elif counts[word] < 0:
            if word in speakers and speaks_at(text, m.end()):
                speakers[word] += 1
            continue
        counts[word] = counts.get(word, 0) + 1
    best = max(counts.values(), default=0)
    if best > 0:
        return next(w for w, n in counts.items() if n == best)
    # no first name the data knows: a rare word that speaks ("Nev said") is a short form
    loudest = max(speakers.values(), default=0)
    if loudest:
        return next(w for w, n in speakers.items() if n == loudest)
    letters: dict[str, int] = {}
    for letter in initials_used_as_names(text):
        if letter not in _NOT_INITIALS and letter not in role_letters:
            letters[letter] = letters.get(letter, 0) + 1
    most = max(letters.values(), default=0)
    return next((x for x, n in letters.items() if n == most), None) if most else None


#: The word(s) right before a name, and a bracket right after it: where a role stands.
_WORDS_BEFORE = re.compile(r"((?:[A-Za-z'’]+\s+){0,3}[A-Za-z'’]+)\s*\(?\s*$")
#: A role after one of these ends a phrase of its own ("through the interpreter Kacper said"):
#: the name after it starts the clause, it is not the role's name.
_GOVERNING = frozenset(
    ["through", "via", "with", "by", "from", "to", "for", "of", "at", "in", "on", "about",
     "after", "before", "using"]
)  # fmt: skip
#: A passage that opens as a letter: "Dear Frankie," / "Hi Frankie -".
_DEAR_RX = re.compile(r"\s*(?:Dear|Hi|Hello|To)\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*[,\-–—:\n]")
_SURNAME_AFTER = re.compile(r"\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_BRACKET_AFTER = re.compile(r"\s*\(\s*([^()]{1,40}?)\s*\)")


#: Roles the speaker lexicon leaves out (their words are the child's, or nobody's), that still
#: say a named person is not the child.
_OTHER_ROLES = re.compile(
    r"\b(?:interpreter|translator|advocate|tutor|worker|officer|manager|coordinator|"
    r"practitioner|nurse|lead)s?\b",
    re.IGNORECASE,
)


def _role(words: str, role_of: RoleOf) -> bool:
    return role_of(words) is not None or _OTHER_ROLES.search(words) is not None


def _has_role(text: str, start: int, end: int, role_of: RoleOf) -> bool:
    """Whether the name at ``start:end`` is introduced with a role: a relationship or job word
    right before it ("Mum Kirsty", "older brother Kofi", "SALT (Gwen)") or in a bracket right
    after it ("Helen (interpreter)", "Jo (SSW)")."""
    before = _WORDS_BEFORE.search(text, max(0, start - 40), start)
    if before is not None:
        words = before.group(1).split()
        # the word right before is a role ("brother", "older brother", "foster carer"), not
        # the end of "through the (Pashto) interpreter": no preposition in the three before it
        if _role(words[-1], role_of) and _GOVERNING.isdisjoint(w.lower() for w in words[-4:-1]):
            return True
    after = _BRACKET_AFTER.match(text, end)
    return after is not None and _role(after.group(1), role_of)
