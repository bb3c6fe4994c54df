"""Who is who in a case file: the names the records use for the child, and for everyone else.

A case record rarely calls the child only by the registered first name. It uses a diminutive
("Alfie" for Alfred), a short form ("Kenz", "Ellie" for Ellie-Rose), a spelling of its own
("Jaydn" for Jayden, "Ameera" for Amira), the name in lower case, the initial ("H said") or
the initials ("LM"). And the other people in it are named too: the genogram says who the mother,
the stepfather and the nan are; a first name in the text says whether a "she" can be Gemma.

:func:`case_people` works all of this out once per case file, from the registered name, the
genogram's members and the file's own texts, using kept datasets rather than lists of our own:

- diminutives from ``nicknames`` (a hand-curated dataset of English given names);
- whether a capitalised word is a first name, and its usual gender, from ``gender-guesser``
  (the ``nam_dict`` first-name dictionary);
- whether a word is common English from ``wordfreq`` (so "summer" in lower case is a season,
  not a child called Summer);
- relationship words ("maternal grandmother", "MGM", "half-brother") from the speaker lexicon
  (``patterns/speakers.yaml``), the same words the reader uses in running text.

Everything here is about finding people in text; none of it is logged, and none of it is used
by a check (the names never leave the annotation step).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from notereview.nlp._mentions import dotted, pair_initials_in_use

#: A capitalised word that can be a name (letters, an inner hyphen or apostrophe).
_NAME_RX = re.compile(r"\b[A-Z][a-z]+(?:-[A-Za-z][a-z]+|['’][A-Z][a-z]+)?\b")
#: A word right before a name that makes it a surname or part of a place ("Mr Karim",
#: "Gemma Pell"), and a capitalised word right after it ("Oak Farm", "Gemma Pell").
_CAPITAL_BEFORE_RX = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr)\.?|\b[A-Z][a-z]+)\s+$")
_CAPITAL_AFTER_RX = re.compile(r"\s+[A-Z][a-z]")
_PAREN_ALIAS_RX = re.compile(r"\(\s*([A-Z][a-z]{1,14})\s*\)")
#: Where a capitalised word only starts a sentence, a line or a heading (not evidence of a name).
_SENTENCE_START_RX = re.compile(r"(?:^|[.!?:;•\n\"“(]\s*|\s[-–—]\s*)$")
#: "Alfred (Alfie)", "Alfie (Alfred)", "Alfred, known as Alfie", "prefers to be called Alfie":
#: (name, alias) pairs, whichever of the two is the child's.
_PAREN_ALIAS = re.compile(r"\(\s*(?:known\s+as\s+|aka\s+|called\s+)?([A-Z][a-z]{1,14})\s*\)")
_WORD_BEFORE_PAREN = re.compile(r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s*$")
_CALLED_CUES = ("known as", "aka", "a.k.a", "goes by", "to be called", "calls him", "calls her",
                "calls them")  # fmt: skip
_CALLED_RX = re.compile(
    r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b[^.\n]{0,40}?\b(?:known\s+as|aka|a\.k\.a\.|goes\s+by|"
    r"(?:likes|prefers|wants)\s+to\s+be\s+called|calls\s+(?:him|her|them)self)\s+['\"‘“]?"
    r"([A-Z][a-z]{1,14})"
)
#: A given name that starts with the Arabic article ("Elnour", "Al-Hassan"): the name after it.
_ARTICLE_RX = re.compile(r"[AaEe]l-?([A-Za-z]{4,})")
_TITLE_RX = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+([A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?)")
_TITLE_GENDER = {"Mr": "M", "Mrs": "F", "Ms": "F", "Miss": "F", "Dr": "unknown"}
#: A genogram member who is the child the file is about.
_SUBJECT_RX = re.compile(r"\b(?:subject|index|self|the\s+child|young\s+person|child)\b", re.I)
#: Single letters that are words or list markers of their own, never read as an initial.
_NOT_INITIALS = frozenset("AI")
#: A word at or above this Zipf frequency (10 per million words) is common English: its lower
#: case form is the word, not a name ("summer", "grace", "will").
COMMON_WORD_ZIPF = 4.0
#: A capitalised word at or above this frequency is not taken for a name found in running text
#: unless the genogram names the person ("Will", "Rose", "Mark").
NAME_IN_TEXT_MAX_ZIPF = 4.5
#: A non-dictionary word sharing the first three letters of the child's name is a short form
#: only if it is rare as an English word ("Kenz" for Kenzie, not "Police" for Polly).
SHORT_FORM_MAX_ZIPF = 3.5


@dataclass(frozen=True, slots=True)
class FamilyMember:
    """A person on the genogram: the name as written and the relationship to the child."""

    name: str
    relationship: str


@dataclass(frozen=True, slots=True)
class CasePeople:
    """The names a case file uses. ``child_forms`` are exact, case-sensitive strings of two or
    more characters; ``child_initial`` is the single capital letter the records may use for the
    child; ``others`` are (exact form, role, gender) for everyone else the file names."""

    child_forms: tuple[str, ...] = ()
    child_initial: str | None = None
    others: tuple[tuple[str, str, str], ...] = ()


#: Reads a genogram relationship as (role, gender), or None (RelationshipReader).
RoleOf = Callable[[str], "tuple[str, str] | None"]


def case_people(
    first_name: str | None,
    family: Sequence[FamilyMember],
    texts: Iterable[str],
    role_of: RoleOf,
    reserved: frozenset[str] = frozenset(),
    speaks: re.Pattern[str] | None = None,
) -> CasePeople:
    """The names of the child and of the other people, for one case file.

    ``role_of(relationship)`` maps a genogram relationship to (role, gender) with the speaker
    lexicon; ``reserved`` are tokens the lexicon already reads (SW, HV, MGM, ...), never taken
    for initials; ``speaks`` matches right after a word that speaks (a colon, a reporting
    verb), which shows two capitals to be someone's initials."""
    corpus = "\n".join(t for t in texts if t)
    first = _clean(first_name)
    surname = None
    others: dict[str, tuple[str, str]] = {}
    other_first: set[str] = set()
    for member in family:
        aliases = _PAREN_ALIAS_RX.findall(member.name)  # "Michael (Mikey) Oakes"
        words = [w for w in re.split(r"\s+", _PAREN_ALIAS_RX.sub(" ", member.name)) if w]
        if not words:
            continue
        if _is_subject(member, words, first):
            if first is None:
                first = _clean(words[0])
            if len(words) > 1:
                surname = words[-1]
            continue
        found = role_of(member.relationship) or ("other", "unknown")
        role, gender = found
        if role == "child":  # a relationship word for the child ("baby") on another person
            role = "other_child"
        if gender == "unknown":
            gender = name_gender(words[0])
            gender = "unknown" if gender == "none" else gender
        for form in [*_member_forms(words), *aliases]:
            if not (form.isupper() and form in reserved):  # "GP" is the doctor
                others.setdefault(form, (role, gender))
        other_first.add(words[0].lower())
    child_forms: set[str] = set()
    initial = None
    candidates, openers = _name_candidates(corpus)
    speakers = _speaking_capitals(corpus, speaks) if speaks is not None else set()
    if first:
        child_forms = _child_forms(
            first, surname, corpus, candidates, openers, other_first, reserved, speakers
        )
        letter = first[0].upper()
        if letter.isalpha() and letter not in _NOT_INITIALS:
            initial = letter
    if first and surname is None and speaks is not None:
        child_forms |= pair_initials_in_use(first[0].upper(), corpus, reserved, others, speaks)
    child_forms |= {d for f in child_forms if _TWO_INITIALS.fullmatch(f) for d in dotted(f)}
    for form in list(others):
        if form in child_forms:  # a form both could have: neither, rather than guess
            child_forms.discard(form)
            del others[form]
    for title, name in _TITLE_RX.findall(corpus):
        form = f"{title} {name}"
        if name.lower() not in {f.lower() for f in child_forms}:
            others.setdefault(form, ("other", _TITLE_GENDER[title]))
    for name in sorted(candidates):
        if name in child_forms or name in others or name.lower() in other_first:
            continue
        if word_zipf(name.lower()) >= NAME_IN_TEXT_MAX_ZIPF:
            continue
        gender = name_gender(name)
        if gender != "none":
            others[name] = ("other", gender)
    return CasePeople(
        child_forms=tuple(sorted(child_forms, key=lambda f: (-len(f), f))),
        child_initial=initial,
        others=tuple(sorted((f, r, g) for f, (r, g) in others.items())),
    )


_TWO_INITIALS = re.compile(r"[A-Z]{2}")


def _clean(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip()
    return name or None


def _is_subject(member: FamilyMember, words: list[str], first: str | None) -> bool:
    if _SUBJECT_RX.search(member.relationship) and (
        first is None or words[0].lower() == first.lower()
    ):
        return True
    return first is not None and words[0].lower() == first.lower() and not member.relationship


def _member_forms(words: list[str]) -> list[str]:
    forms = [" ".join(words)]
    head = words[0]
    if head[:1].isupper() and len(head) >= 2:
        forms.append(head)
    if len(words) > 1 and all(w[:1].isalpha() for w in (words[0], words[-1])):
        forms.append((words[0][0] + words[-1][0]).upper())
    return forms


def _child_forms(
    first: str,
    surname: str | None,
    corpus: str,
    candidates: set[str],
    openers: set[str],
    other_first: set[str],
    reserved: frozenset[str],
    speakers: Iterable[str] = (),
) -> set[str]:
    parts = [p for p in re.split(r"[-\s]+", first) if p]
    forms: set[str] = {first, first[:1].upper() + first[1:]}
    if len(parts) > 1:
        forms.add(parts[0])
        forms.add(" ".join(parts))
        forms.add(" ".join([parts[0], parts[1].lower()]))
        forms.add("".join(p[0].upper() for p in parts))  # "LM" for Lacey-Mae
    if surname and surname[:1].isalpha():
        forms.add((parts[0][0] + surname[0]).upper())  # "HP" for Harrison P...
    nicks: set[str] = set()
    for part in {first, parts[0]}:
        nicks |= _diminutives(part.lower())
    forms.update(nick[:1].upper() + nick[1:] for nick in nicks)
    # A diminutive is spelled with -ie, -y, -ey or -i alike ("Ollie", "Olly"): _short_forms
    # takes a word that differs from one only so.
    stems = frozenset(_ending_free(n) for n in nicks if len(n) >= 4)
    for part in (first, *parts):  # Arabic names with the article: "Elnour" is called "Nour"
        article = _ARTICLE_RX.fullmatch(part)
        if article is not None and name_gender(article.group(1).title()) != "none":
            forms.add(article.group(1).title())
    forms |= _aliases_introduced(forms, corpus)
    for part in dict.fromkeys((first, parts[0])):  # "Lacey-Mae": "Lace", and "Lacie" for Lacey
        forms |= _short_forms(part, candidates, other_first, stems=stems)
        forms |= _short_forms(part, openers, other_first, COMMON_WORD_ZIPF, stems)
        # a common English word that speaks ("Con said") is a name: taken where it is the
        # child's name cut short, and only so (a month, "Dec", stays a month)
        forms |= _short_forms(part, speakers, other_first, prefix_only=True)
    forms = {f for f in forms if len(f) >= 2 and f.lower() not in other_first}
    forms = {f for f in forms if not (f.isupper() and len(f) <= 3 and f in reserved)}
    for f in list(forms):
        if len(f) >= 3 and not f.isupper() and word_zipf(f.lower()) < COMMON_WORD_ZIPF:
            forms.add(f.lower())  # "kenzie": a name written in lower case
    return forms


def _aliases_introduced(forms: set[str], corpus: str) -> set[str]:
    """Names the file itself gives the child: "Alfred (Alfie)", "Alfie (Alfred)", "Alfred,
    known as Alfie", "prefers to be called Alfie"."""
    pairs: list[tuple[str, str]] = []
    for m in _PAREN_ALIAS.finditer(corpus):  # starts at a literal "(": a fast scan
        before = _WORD_BEFORE_PAREN.search(corpus, max(0, m.start() - 30), m.start())
        if before is not None:
            pairs.append((before.group(1), m.group(1)))
    low = corpus.lower()
    if any(cue in low for cue in _CALLED_CUES):
        pairs += [(m.group(1), m.group(2)) for m in _CALLED_RX.finditer(corpus)]
    found: set[str] = set()
    for a, b in pairs:
        if a in forms and b not in _STOP_CAPITALS:
            found.add(b)
        elif b in forms and a not in _STOP_CAPITALS:
            found.add(a)
    return found


_DIMINUTIVE_ENDING = re.compile(r"(?:ie|ey|y|i)$")


def _ending_free(name: str) -> str:
    """A diminutive without its -ie, -ey, -y or -i ending ("ollie", "olly" -> "oll")."""
    return _DIMINUTIVE_ENDING.sub("", name)


#: What English adds to a name clipped to its first syllable: "Ebs" (Ebony), "Ibby"
#: (Ibrahim), "Lochie" (Lochlan), "Sumi" (Sumaya), "Jonno" (Jonathan).
_CLIPPED_ENDING = re.compile(r"(?:ie|ey|y|i|s|o)$")


def _clipped_stem(word: str) -> str:
    """A short form without its ending, a doubled last consonant single ("ibby" -> "ib")."""
    stem = _CLIPPED_ENDING.sub("", word)
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
        stem = stem[:-1]
    return stem


def _genders_agree(a: str, b: str) -> bool:
    return a == b or "none" in (a, b) or "unknown" in (a, b)


def _short_forms(
    first: str,
    candidates: Iterable[str],
    other_first: set[str],
    max_zipf: float | None = None,
    stems: frozenset[str] = frozenset(),
    prefix_only: bool = False,
) -> set[str]:
    """Capitalised words the file uses mid-sentence that are a short form or a spelling of the
    child's name: a prefix of it ("Kenz", "Harri"), a near spelling ("Jaydn", "Ameera"), a
    rare word sharing its first three letters ("Lexxi" for Lexington), or one of its
    diminutives with another ending (``stems``: the diminutives without -ie, -ey, -y or -i;
    "Olly" for Oliver, whose dataset diminutive is "Ollie"), or the name clipped with an
    ending English adds (``_CLIPPED_ENDING``; not a given name of the other gender: "Joy" is
    not Jonathan). ``max_zipf``: only words rarer than that in English (for words seen only
    where any word is capitalised)."""
    name = first.lower().replace("-", "").replace(" ", "")
    gender = name_gender(first[:1].upper() + first[1:].lower())
    found: set[str] = set()
    for word in candidates:
        w = word.lower()
        if w == name or w in other_first or len(w) < 2:
            continue
        if max_zipf is not None and (len(w) < 3 or word_zipf(w) >= max_zipf):
            continue
        stem = _clipped_stem(w)
        clip_of_name = 2 <= len(stem) < len(w) and name.startswith(stem)
        if prefix_only:
            if (
                len(w) >= 3
                and (clip_of_name or name.startswith(w))
                and _genders_agree(name_gender(word), gender)
            ):
                found.add(word)
            continue
        spelling = (
            w[0] == name[0]
            and abs(len(w) - len(name)) <= 2
            and len(name) >= 4
            and _edit_distance(w, name) <= max(1, len(name) // 3)
        )
        rare_stem = (
            len(w) >= 3
            and w[:3] == name[:3]
            and name_gender(word) == "none"
            and word_zipf(w) < SHORT_FORM_MAX_ZIPF
        )
        other_ending = len(w) >= 4 and _ending_free(w) in stems
        clipped = (
            len(w) >= 3
            and clip_of_name
            and any(ch in "aeiou" for ch in stem)
            and _genders_agree(name_gender(word), gender)
        )
        if name.startswith(w) or spelling or rare_stem or other_ending or clipped:
            found.add(word)
    return found


_STOP_CAPITALS = frozenset(
    """I A The He She They It We You This That These Those Then Also Today Yesterday Tomorrow
    When While Later Finally Initially Both Everyone Nobody Someone Who What Where Why How Staff
    Again Mum Dad Mummy Daddy Nan Her His Him Their And But So Or If Had Has Have Was Were Is Are
    Am Be Not No Yes Never Always Further There Here However Although Previously Next Last New
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Mon Tue Tues Wed Thu Thur Thurs Fri
    Sat Sun Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Christmas Easter Eid Diwali
    Mr Mrs Ms Miss Dr Sir Madam Dear Hi Hello Bye Ok Okay Please Thanks Thank Sorry Well""".split()  # noqa: SIM905
)


def _name_candidates(corpus: str) -> tuple[set[str], set[str]]:
    """Capitalised words, less the usual sentence words, in one pass: (those used on their
    own mid-sentence at least once, those that only ever open a sentence, a line or a
    heading). A word capitalised only inside a longer proper name is in neither (a surname, a
    place). The first are shown to be names; the second may be a short form of the child's
    name that a terse record only ever puts first ("Kenz said ...", "Kenz: ..."), where every
    word is capitalised, so ``_short_forms`` takes them only when rare as English words."""
    mid: set[str] = set()
    openers: set[str] = set()
    for m in _NAME_RX.finditer(corpus):
        word = m.group(0)
        if word in mid or word in _STOP_CAPITALS:
            continue
        start = m.start()
        if start == 0 or _SENTENCE_START_RX.search(corpus, max(0, start - 3), start):
            openers.add(word)
            continue
        before = _CAPITAL_BEFORE_RX.search(corpus, max(0, start - 20), start)
        if (before is not None and before.group().split()[0] not in _STOP_CAPITALS) or (
            _CAPITAL_AFTER_RX.match(corpus, m.end())
        ):
            continue  # part of a longer proper name: a surname, a place; not "Today Kenz"
        mid.add(word)
    return mid, openers - mid


def _speaking_capitals(corpus: str, speaks: re.Pattern[str]) -> set[str]:
    """Capitalised words, less the usual sentence words, followed straight by a reporting
    verb ("Con said"; not a colon, which also ends a heading)."""
    hits = ((m.group(0), speaks.match(corpus, m.end())) for m in _NAME_RX.finditer(corpus))
    return {w for w, hit in hits if hit and ":" not in hit.group() and w not in _STOP_CAPITALS}


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


# ---------------------------------------------------------------------- the kept datasets
@lru_cache(maxsize=1)
def _nicknamer() -> Any:
    from nicknames import NickNamer

    return NickNamer()


@lru_cache(maxsize=4096)
def _diminutives(name: str) -> frozenset[str]:
    """Diminutives of a given name and, where the name is itself a diminutive, its formal
    names ("alfie" -> alfred, alf), from the ``nicknames`` dataset."""
    namer = _nicknamer()
    return frozenset(namer.nicknames_of(name)) | frozenset(namer.canonicals_of(name))


@lru_cache(maxsize=1)
def _detector() -> Any:
    import gender_guesser.detector as gender_detector

    return gender_detector.Detector(case_sensitive=False)


_GENDER = {
    "male": "M",
    "mostly_male": "M",
    "female": "F",
    "mostly_female": "F",
    "andy": "unknown",
    "unknown": "none",
}


@lru_cache(maxsize=65536)
def name_gender(name: str) -> str:
    """F or M where the first-name dictionary says so, ``unknown`` for a name used for both,
    ``none`` for a word it does not know as a first name."""
    return _GENDER.get(_detector().get_gender(name), "none")


@lru_cache(maxsize=65536)
def word_zipf(word: str) -> float:
    """How common ``word`` is in English (Zipf scale: 6 = once in a thousand words)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


class RelationshipReader:
    """Reads a genogram relationship ("maternal grandmother", "MGM", "stepfather - not living at
    home", "half-brother (4)") with the speaker lexicon's role words: (role, gender) or None."""

    def __init__(self, speakers: Iterable[Any]) -> None:
        words: list[tuple[str, bool, str, str]] = []
        reserved: set[str] = set()
        for entry in speakers:
            if entry.case_sensitive:
                reserved.update(entry.terms)
            if entry.role in ("pronoun", "writer") or not entry.terms or entry.gender == "neuter":
                continue  # pronouns, the writer and institutions are never on a genogram
            gender = "unknown" if entry.gender == "plural" else entry.gender
            words.extend((term, entry.case_sensitive, entry.role, gender) for term in entry.terms)
        words.sort(key=lambda w: -len(w[0]))
        self._roles = {(t if cs else t.lower()): (r, g) for t, cs, r, g in reversed(words)}
        self._rx = [
            re.compile(
                r"(?<![\w])(?:"
                + "|".join(re.escape(t) for t, c, _, _ in words if c == cs)
                + r")(?![\w])",
                0 if cs else re.IGNORECASE,
            )
            for cs in (False, True)
        ]
        self._cache: dict[str, tuple[str, str] | None] = {}
        #: Tokens the lexicon reads itself (SW, HV, MGM...): never someone's initials.
        self.reserved = frozenset(reserved) | frozenset(w.upper() for w in reserved)

    def __call__(self, relationship: str) -> tuple[str, str] | None:
        """The role word that heads the relationship: the earliest (the longest there), read
        first without its parenthesised remarks ("mother (hospital record: ...)")."""
        if relationship in self._cache:
            return self._cache[relationship]
        found = None
        for text in (re.sub(r"\([^)]*\)", " ", relationship), relationship):
            hits = [m for m in (rx.search(text) for rx in self._rx) if m is not None]
            if hits:
                m = min(hits, key=lambda h: (h.start(), -len(h.group(0))))
                word = m.group(0)
                found = self._roles.get(word) or self._roles.get(word.lower())
                break
        if len(self._cache) < 10_000:
            self._cache[relationship] = found
        return found
