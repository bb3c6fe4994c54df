"""The people a text names, for one child: who each mention is (the child by name, nickname,
initial or "you" in a letter; a role; a person of the case file; a pronoun) and whom each
pronoun refers to.

- People are found by the speaker lexicon (roles, the writer, pronouns), the child's first name
  and nicknames and initial, and the other people the case file names.
- A pronoun refers to the nearest earlier person of a compatible gender in the same or the
  previous sentences; with none, to the child when the pronoun fits the child's gender. A child
  antecedent with another person of that gender in its sentence ("Mum and Ruby") is ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from notereview.nlp._model import ChildContext, Span

_NOT_RIVALS = frozenset({"child", "pronoun", "writer"})
NOT_SUBJECT_FORMS = frozenset({"object", "possessive"})
_EMPTY: frozenset[str] = frozenset()
CHILD_GENDER = {"F": "F", "M": "M", "other": "plural", "unknown": "unknown"}
_COMPATIBLE = {
    "M": frozenset({"M", "unknown"}),
    "F": frozenset({"F", "unknown"}),
    "plural": frozenset({"plural", "neuter", "unknown"}),
    # the subject a note leaves out ("Says he is fine."): whoever the sentence before was about
    "any": frozenset({"F", "M", "unknown", "plural"}),
}


@dataclass(slots=True)
class Mention:
    """A person named in a text: by name, role, pronoun or "you"."""

    start: int
    end: int
    role: str  # child, parent_carer, professional, other_child, writer, pronoun, other
    gender: str  # F, M, unknown, neuter, plural
    form: str  # noun, subject, object, possessive
    resolved: str | None = None  # a pronoun's referent role, after resolution

    @property
    def who(self) -> str:
        if self.role == "pronoun":
            return self.resolved or "other"
        return self.role


def mention_order(m: Mention) -> tuple[int, int]:
    return (m.start, -m.end)


#: Before a person named as the topic of what follows, not its speaker: "About his birth
#: dad: '...'", "Regarding mum - '...'". (Not "with" or "to": who one talks with speaks.)
#: Nor the one someone else speaks for: "Mum answered for Kai - '...'" are Mum's words.
_TOPIC_BEFORE = re.compile(
    r"\b(?:about|regarding|re|concerning|of|on|"
    r"(?:spoke|speaks|speaking|answered|answers|answering|replied|talked|talks)\s+for)\s+"
    r"(?:(?:his|her|their|the|a)\s+)?(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)


def named_as_topic(text: str, m: Mention) -> bool:
    """``m`` (not a possessive) follows a preposition that makes them what the words are
    about ("About his birth dad: ..."), not who says them."""
    return m.form != "possessive" and (
        _TOPIC_BEFORE.search(text, max(0, m.start - 40), m.start) is not None
    )


_SAME_CLAUSE_GAP = re.compile(r"\s+(?:[A-Za-z'’]+\s+){0,3}$")
_CLAUSE_BREAK = re.compile(r"\b(?:and|but|or|that|who|which|when|while|because|so|as|if)\b", re.I)


def _clause_subject(text: str, m: Mention, p: Mention) -> bool:
    """Whether ``m``, the mention right before the object pronoun ``p``, is the subject of
    ``p``'s own clause ("FC gave him", "Mum asked her"), which a non-reflexive object pronoun
    cannot refer to (English binding: "himself" would)."""
    if (
        not text
        or m.form in NOT_SUBJECT_FORMS
        or text[p.start : p.end].lower().endswith(("self", "selves"))
    ):
        return False
    gap = text[m.end : p.start]
    return bool(_SAME_CLAUSE_GAP.fullmatch(gap)) and not _CLAUSE_BREAK.search(gap)


def _rival(
    mentions: list[Mention], j: int, k: int, gender: str, sents: list[tuple[int, int]]
) -> bool:
    """Another person of exactly this gender in the sentence of mention ``j``, before the
    pronoun ``k`` (so a possible antecedent too)."""
    pos = mentions[j].start
    ss, se = next(((s, e) for s, e in sents if s <= pos < e), (pos, pos + 1))
    i = j - 1
    while i >= 0 and mentions[i].start >= ss:
        if mentions[i].role not in _NOT_RIVALS and mentions[i].gender == gender:
            return True
        i -= 1
    i = j + 1
    while i < k and mentions[i].start < se:
        if mentions[i].role not in _NOT_RIVALS and mentions[i].gender == gender:
            return True
        i += 1
    return False


def in_quote(quote_spans: list[tuple[int, int]], start: int, end: int) -> bool:
    for qs, qe in quote_spans:
        if qs > start:
            return False
        if qs < start and end <= qe:
            return True
    return False


def bucket_mentions(items: list[Mention], sents: list[tuple[int, int]]) -> list[list[Mention]]:
    out: list[list[Mention]] = [[] for _ in sents]
    i = 0
    n = len(sents)
    for item in items:
        pos = item.start
        while i < n and sents[i][1] <= pos:
            i += 1
        if i == n:
            break
        if pos >= sents[i][0]:
            out[i].append(item)
    return out


def find_names(text: str, child: ChildContext) -> list[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    n = len(text)
    for alias in _aliases(child.first_name, child.nicknames):
        k = len(alias)
        pos = text.find(alias)
        while pos != -1:
            end = pos + k
            before_ok = pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")
            after_ok = end >= n or not (text[end].isalnum() or text[end] == "_")
            if before_ok and after_ok:
                found.add((pos, end))
            pos = text.find(alias, pos + 1)
    if child.initial and child.initial in text:
        for m in _initial_rx(child.initial).finditer(text):
            start = m.start()
            if _LETTER_LABEL.search(text, max(0, start - 14), start) is not None:
                continue
            if m.group(1) == "." and not _WORD_BEFORE.search(text, max(0, start - 3), start):
                continue  # "B." ends a sentence only after a word ("told B."), not a list mark
            found.add((start, start + 1))
    return sorted(found)


@lru_cache(maxsize=256)
def _aliases(first_name: str | None, nicknames: tuple[str, ...]) -> tuple[str, ...]:
    """The spellings the child's names are searched for (as written, capitalised, in
    capitals), worked out once per child rather than per text."""
    aliases: set[str] = set()
    for name in (first_name, *nicknames):
        if not name:
            continue
        name = name.strip()
        if len(name) < 2:
            continue
        aliases.update({name, name[0].upper() + name[1:], name.upper()})
    return tuple(sorted(aliases))


# A letter used as a label, not as someone's initial ("Class B drugs", "Plan B").
_LETTER_LABEL = re.compile(
    r"\b(?:Class|Plan|Category|Grade|Vitamin|Hepatitis|Hep|Section|Part|Appendix|Option|Type|"
    r"Block|Room|Unit|Flat|Ward|Group|Set|Level|Tier|Stage|Form|Year|Band|Wing|House|Gate|Bay|"
    r"Bed)\s$"
)


@lru_cache(maxsize=64)
def _initial_rx(letter: str) -> re.Pattern[str]:
    """The child's initial used as a name: "B said", "B's room", "saw B, mum", "B and mum".
    Not inside an abbreviation ("A&E", "D/T", "B.Sc")."""
    return re.compile(
        rf"(?<![\w&/.'’-]){re.escape(letter)}"
        r"(?=['’]s\b|\s*[,:;)]|\s+(?:[a-z]|&\s)|(\.)(?:\s|$))"
    )


_WORD_BEFORE = re.compile(r"[a-z]\s$")

#: Any capital letter in the shapes ``_initial_rx`` reads as someone's initial.
_ANY_INITIAL = re.compile(
    r"(?<![\w&/.'’-])([A-Z])(?=['’]s\b|\s*[,:;)]|\s+(?:[a-z]|&\s)|(\.)(?:\s|$))"
)


def initials_used_as_names(text: str) -> list[str]:
    """The capital letters a text uses as people's initials ("J said", "saw J, mum"), in
    order, less a letter used as a label ("Plan B") or a list mark ("B. Housing")."""
    out: list[str] = []
    for m in _ANY_INITIAL.finditer(text):
        start = m.start()
        if _LETTER_LABEL.search(text, max(0, start - 14), start) is not None:
            continue
        if m.group(2) == "." and not _WORD_BEFORE.search(text, max(0, start - 3), start):
            continue
        out.append(m.group(1))
    return out


#: Two capitals as initials: "DC", "D.C.", "D. C.".
_CAPITAL_PAIR = re.compile(r"(?<![\w&/.'’-])([A-Z])(?:\.\s?)?([A-Z])\.?(?![\w&/-])(?!['’](?!s\b))")
#: Before a speaker named after the words ('"...", replied DC'), or the sender of a message
#: ("text from DC").
_SPEAKER_AFTER_VERB = re.compile(
    r"\b(?:said|says|replied|asked|added|answered|(?:te?xts?|messages?|calls?|e-?mails?)\s+from)"
    r"\s+$",
    re.IGNORECASE,
)


def pair_initials_in_use(
    letter: str,
    corpus: str,
    reserved: frozenset[str],
    others: Mapping[str, object],
    speaks: re.Pattern[str],
) -> set[str]:
    """Two capitals starting with the child's initial that the file uses for a person who
    speaks ("DC said", "DC's room", "replied DC"), where no genogram gives the surname: the
    child's initials. Tokens the lexicon reads (HV, SW) and other people's initials are not."""
    found: set[str] = set()
    if letter not in corpus:
        return found
    for m in _CAPITAL_PAIR.finditer(corpus):
        token = m.group(1) + m.group(2)
        if token[0] != letter or token in found or token in reserved or token in others:
            continue
        end = m.end()
        if (
            corpus.startswith(("'s", "’s"), end)
            or speaks.match(corpus, end)
            or _SPEAKER_AFTER_VERB.search(corpus, max(0, m.start() - 16), m.start())
        ):
            found.add(token)
    return found


def dotted(initials: str) -> tuple[str, ...]:
    """How a pair of initials is written with stops: "H.L.", "H. L.", "H.L"."""
    a, b = initials[0], initials[1]
    return (f"{a}.{b}.", f"{a}. {b}.", f"{a}.{b}")


def find_others(
    text: str, others: tuple[tuple[str, str, str], ...]
) -> list[tuple[int, int, str, str]]:
    """Every mention of another person the case file names: (start, end, role, gender). A
    substring search per name (a case's names differ from every other case's, so one regex
    for them would be compiled for every case)."""
    out: list[tuple[int, int, str, str]] = []
    n = len(text)
    for form, role, gender in others:
        k = len(form)
        pos = text.find(form)
        while pos != -1:
            end = pos + k
            if (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")) and (
                end >= n or not (text[end].isalnum() or text[end] == "_")
            ):
                out.append((pos, end, role, gender))
            pos = text.find(form, pos + 1)
    out.sort(key=lambda m: (m[0], -m[1]))
    return out


_LETTER_OPENING = re.compile(
    r"\s*(?:(?:dear|hi|hello|hiya|hey|to)\s+)?([A-Za-z][\w'’-]*)\s*(?:[,:!\n]|$)", re.IGNORECASE
)
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


#: A record that opens by telling the child what they told the writer ("You told me you want
#: to ...", as a plan written to a young person does): written to the child.
_YOU_OPENING = re.compile(
    r"\s*You\s+(?:(?:have\s+)?(?:told|said\s+to|asked|shared\s+with|explained\s+to|showed)|let)\s+me\b"
)


def is_letter_to(text: str, child: ChildContext) -> bool:
    """The record opens by addressing the child ("Dear Milo,", "Hi Milo -", "Milo,") or by
    telling them what they told the writer ("You told me ..."): a letter or a record written
    to the child, in which "you" is the child."""
    if _YOU_OPENING.match(text):
        return True
    m = _LETTER_OPENING.match(text)
    if m is None:
        return False
    name = m.group(1).lower()
    names = {n.lower() for n in (child.first_name, *child.nicknames) if n}
    return name in names and bool(_SECOND_PERSON.search(text, m.end()))


def second_person(
    text: str, child: ChildContext, quote_spans: list[tuple[int, int]]
) -> list[Mention]:
    gender = CHILD_GENDER.get(child.gender, "unknown")
    out: list[Mention] = []
    for m in _SECOND_PERSON.finditer(text):
        s, e = m.start(), m.end()
        if quote_spans and in_quote(quote_spans, s, e):
            continue
        form = "possessive" if m.group(1).lower() in ("your", "yours") else "subject"
        out.append(Mention(s, e, "child", gender, form))
    return out


def find_mentions(
    text: str,
    persons: list[Span],
    people: Mapping[str, tuple[str, str, str]],
    child: ChildContext,
    quote_spans: list[tuple[int, int]],
) -> list[Mention]:
    """Every person named outside quotes, in order; a mention inside a longer one ("foster mum"
    holds "mum") is dropped. ``persons``: the speaker lexicon's matches; ``people``: rule id ->
    (role, gender, form)."""
    child_gender = CHILD_GENDER.get(child.gender, "unknown")
    found: list[Mention] = []
    for s, e, rule in persons:
        person = people.get(rule)
        if person is None or (quote_spans and in_quote(quote_spans, s, e)):
            continue
        role, gender, form = person
        found.append(Mention(s, e, role, child_gender if role == "child" else gender, form))
    # The child's names first: where the child's initial is also a role letter ("F said"
    # in a file about a child called Freya), the file means the child.
    named: list[Mention] = []
    for s, e in find_names(text, child):
        if not (quote_spans and in_quote(quote_spans, s, e)):
            named.append(Mention(s, e, "child", child_gender, "noun"))
    found[:0] = named
    for s, e, other_role, other_gender in find_others(text, child.others):
        if not (quote_spans and in_quote(quote_spans, s, e)):
            found.append(Mention(s, e, other_role, other_gender, "noun"))
    for m in found:
        if m.form == "noun" and text.startswith(("'s", "’s"), m.end):
            m.form = "possessive"  # "Kai's", "Mum's"
    found.sort(key=mention_order)
    out: list[Mention] = []
    reach = -1
    for m in found:
        if m.start < reach:
            continue  # inside a longer mention ("foster mum" holds "mum")
        out.append(m)
        reach = m.end
    return out


def resolve_pronouns(
    mentions: list[Mention],
    sents: list[tuple[int, int]],
    child: ChildContext,
    text: str,
    back: int,
) -> None:
    """Resolve each pronoun: the nearest compatible person earlier in its own sentence;
    else, sentence by sentence backwards (at most ``back`` sentences), the first compatible
    person of that sentence (its topic: "Jayden said ... since dad left. He stated ..." is
    Jayden); else the child when the pronoun fits the child's gender. An object pronoun is
    never the subject of its own clause ("Mum gave him his bottle": him is not Mum; that would
    be "himself")."""
    default = {"F": "F", "M": "M", "other": "plural"}.get(child.gender)
    # A passage about one unnamed child of unknown gender (an exemplar pasted into the
    # checker): an otherwise unresolved "he" or "she" is that child.
    anonymous = child.first_name is None and default is None and not child.nicknames
    si = 0
    n_sents = len(sents)
    for k, p in enumerate(mentions):
        if p.role != "pronoun":
            continue
        while si + 1 < n_sents and sents[si + 1][0] <= p.start:
            si += 1
        j = k - 1
        lo = sents[si][0]
        same: list[int] = []
        while j >= 0 and mentions[j].start >= lo:
            same.append(j)
            j -= 1
        if same and p.form == "object" and _clause_subject(text, mentions[same[0]], p):
            same = same[1:]
        decided, resolved = _antecedent(mentions, same, k, p, sents, topic=False)
        s_idx = si - 1
        while not decided and s_idx >= 0 and s_idx >= si - back:
            lo = sents[s_idx][0]
            earlier: list[int] = []
            while j >= 0 and mentions[j].start >= lo:
                earlier.append(j)
                j -= 1
            earlier.reverse()
            decided, resolved = _antecedent(mentions, earlier, k, p, sents, topic=True)
            s_idx -= 1
        if not decided and (
            (default is not None and p.gender == default) or (anonymous and p.gender in ("F", "M"))
        ):
            resolved = "child"
        p.resolved = resolved


def _antecedent(
    mentions: list[Mention],
    order: list[int],
    k: int,
    p: Mention,
    sents: list[tuple[int, int]],
    topic: bool,
) -> tuple[bool, str | None]:
    compatible = _COMPATIBLE.get(p.gender, _EMPTY)
    # In an earlier sentence a person of exactly the pronoun's gender comes first ("Sarah
    # said that Kai was upset. He ..." is Kai), then one of unknown gender.
    passes = (frozenset({p.gender}), compatible) if topic else (compatible,)
    for genders in passes:
        for j in order:
            m = mentions[j]
            if m.role == "writer":
                continue
            if m.role == "pronoun":
                if m.gender == p.gender or (
                    p.gender == "any" and m.gender in genders and m.resolved is not None
                ):
                    return True, m.resolved
                continue
            if topic and m.form == "possessive":
                continue  # "Kai's dad came in." - the topic is dad
            if m.gender in genders:
                if not topic and m.role == "child" and _rival(mentions, j, k, p.gender, sents):
                    return True, None  # "Mum and Ruby came in and she said" is ambiguous
                return True, m.role
            if p.gender == "plural" and m.gender not in compatible:
                return True, None  # "they" after Mum and Dad: do not reach past them
    return False, None
