"""The child-specific reading of one text: who is speaking, whose voice a sentence carries, and
which ConText qualifiers cover what.

Inputs are the child-independent matches of the spaCy components (``RawMatches``) and the
sentence spans; the output is an ``AnnotatedText``. The rules, kept simple and conservative:

- People are found by the speaker lexicon (roles, the writer, pronouns), the child's first name
  and nicknames, and a capitalised word right next to a reporting verb ("Sarah said").
- A pronoun refers to the nearest earlier person of a compatible gender in the same or the
  previous sentences; with none, to the child when the pronoun fits the child's gender. A child
  antecedent with another person of that gender in its sentence ("Mum and Ruby") is ambiguous.
- A reporting or view verb's subject is the nearest person before it in the same clause that
  can be a subject (not "me", "him", "his", and not a noun after a preposition: "to Mum").
- A quotation is attributed by the reporting clause right after it ('", said Kai') or before
  it ('Kai said "'), or by "Kai: '...'".
- A qualifier modifier covers a target inside its span, or within its scope (forward, backward
  or both, to the end of the sentence, a terminator or ``max_scope`` characters). A reporting
  clause of someone other than the child or the writer ("Mum said") is a third_party modifier.

Hot path: everything is plain tuples until the result is built; sentences with no cue, quote or
modifier take a fast path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from notereview.nlp._components import RawMatches
from notereview.nlp._model import AnnotatedText, ChildContext, Cue, SentenceAnnotation
from notereview.nlp._patterns import ContextEntry, PatternSet

#: Qualifiers that stop a quote or reporting verb from being the child's voice.
_BLOCK_VOICE = frozenset(
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
_BLOCK_OBSERVATION = frozenset({"hypothetical", "historical", "third_party", "stock_phrase"})
_BLOCK_ATTEMPT = frozenset({"hypothetical", "historical", "third_party"})
#: A reporting clause under these is not someone speaking in this sentence.
_NOT_SPEAKING = frozenset({"third_party", "hypothetical"})
_NOT_RIVALS = frozenset({"child", "pronoun", "writer"})
_SPEAKER_PRIORITY = ("child", "parent_carer", "professional", "other_child", "other", "writer")
_THIRD_PARTY_ROLES = frozenset({"parent_carer", "professional", "other_child", "other"})
_NOT_SUBJECT_FORMS = frozenset({"object", "possessive"})
_EMPTY: frozenset[str] = frozenset()
_THIRD_PARTY = frozenset({"third_party"})
# Between two reporting clauses, what shows the second is a clause of its own, not the content
# of the first ("Mum said that Kai told her ..." is Mum's account).
_NEW_CLAUSE_RX = re.compile(r",|;|\band\b|\bbut\b|\bthen\b|\bwhile\b|\bwhereas\b")
_QUOTE_RULES = (
    "quote.double",
    "quote.curly_double",
    "quote.single",
    "quote.curly_single",
    "quote.dictated",
    "quote.gloss",
)

_WORD_RX = re.compile(r"[A-Za-z’']+")
_WHO_RX = re.compile(r"\s*,?\s*who\b", re.IGNORECASE)
_PAREN_NAME = re.compile(r"[\s,.]*\(\s*([^\s()][^()]{0,30}?)\s*\)")
#: After the speaker in such a bracket: nothing, or an age ("(Amira, 9)", "(Kai age 12)").
_PAREN_REST = re.compile(r"(?:[\s,]*(?:aged?\s*)?\d{1,2}(?:\s*(?:yrs?|years?(?:\s+old)?))?)?\s*")
_POSSESSIVE_GAP = re.compile(r"(?:['’]s)?\s+(?:[a-z]+\s+){0,2}")
_CONJUNCTION_GAP = re.compile(r"\s*,?\s*(?:and|but|or|then|yet)\b", re.IGNORECASE)
_QUOTE_TAIL_GAP = re.compile(r"[\s,.!?;:—–-]*")
_ATTRIBUTION_GAP = re.compile(r"\s*[:\-–—]\s*")
#: A message or call named before its sender ("Text from", "WhatsApp message from"), and what
#: may stand between the sender and the quoted words (a time, a date, "at 23:14", a colon).
_CONTACT_BEFORE = re.compile(
    r"\b(?:te?xt|txt|message|msg|whats\s?app|snap(?:chat)?|e-?mail|dm|voice\s?note|call|"
    r"voicemail)s?\s+(?:message\s+)?from\s+$",
    re.IGNORECASE,
)
_CONTACT_TAIL = re.compile(r"\s*(?:(?:at|on)\s+)?[\d:./]{0,10}\s*[:,\-–—]?\s*")
#: The sender first: "Kai rang from the station:", "Kai texted at 23:14 -".
_CONTACT_AFTER = re.compile(
    r"\s+(?:rang|phoned|called|texted|messaged|emailed|wrote|whatsapped|snapchatted|"
    r"sent\s+(?:a\s+|me\s+a\s+)?(?:text|message|msg|voice\s?note))\b[^\n\"“'‘.]{0,40}?[:\-–—]\s*",
    re.IGNORECASE,
)
_CLAUSE_START_RX = re.compile(
    r"(?:^|[\n;•·*▪◦‣>]|(?:^|\s)[-–—]|\d[.)]|\b(?:actions?|next steps?|owner)\s*[:\-–])"
    r"[\s\-–—•*]*$",
    re.IGNORECASE,
)
_TAIL_RX = re.compile(r"[\s,.!?;:]*(?:(?:to\s+)?(?:me|us|this|so)\b[\s,.!?;:]*)?$", re.IGNORECASE)
_CAPITALISED = re.compile(r"([A-Z][a-z]{1,20})\s+$")
_CAPITALISED_AFTER = re.compile(r"\s+([A-Z][a-z]{1,20})\b(?!\s+[a-z])")
_CHILD_GENDER = {"F": "F", "M": "M", "other": "plural", "unknown": "unknown"}
_COMPATIBLE = {
    "M": frozenset({"M", "unknown"}),
    "F": frozenset({"F", "unknown"}),
    "plural": frozenset({"plural", "neuter", "unknown"}),
}
# Cue roles for the voice logic.
_PLAIN, _REPORTING, _VIEW, _AID_REPORTING = 0, 1, 2, 3

Span = tuple[int, int, str]  # start, end, rule


@dataclass(slots=True)
class _Mention:
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


@dataclass(slots=True)
class _Modifier:
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


@dataclass(slots=True)
class _Verb:
    span: Span
    role: int  # _REPORTING, _VIEW or _AID_REPORTING
    subject: _Mention | None
    who: str | None
    passive: bool


class Reader:
    """Reads one text for one child. Built once per pattern set; holds no per-text state."""

    def __init__(self, patterns: PatternSet, pre_verbal_age_below: int = 3) -> None:
        self._kind: dict[str, str] = {e.id: e.kind for e in patterns.cues}
        self._kind.update({rule: "quote" for rule in _QUOTE_RULES})
        self._voice_role: dict[str, int] = {}
        for e in patterns.cues:
            if e.kind == "reporting_verb":
                self._voice_role[e.id] = _AID_REPORTING if e.needs_aid else _REPORTING
            elif e.voice_verb:
                self._voice_role[e.id] = _VIEW
        self._context: dict[str, ContextEntry] = {e.id: e for e in patterns.context}
        self._modifier_rules = frozenset(e.id for e in patterns.context if e.role == "modifier")
        # The cues that send a sentence down the full reading: voice verbs, and observations
        # where an observation can be the child's voice (keyed by that).
        observations = frozenset(e.id for e in patterns.cues if e.kind == "observation")
        self._voicing_rules = {
            False: frozenset(self._voice_role),
            True: frozenset(self._voice_role) | observations,
        }
        self._possessive_subject = frozenset(e.id for e in patterns.cues if e.possessive_subject)
        self._people = {e.id: (e.role, e.gender, e.form) for e in patterns.speakers}
        self._after_person = tuple(
            (e, re.compile(e.pattern or "", e.flags())) for e in patterns.cues if e.after_person
        )
        grammar = patterns.grammar
        self._passive = frozenset(w.lower() for w in grammar.passive_auxiliaries)
        self._prepositions = frozenset(w.lower() for w in grammar.prepositions)
        self._determiners = frozenset(w.lower() for w in grammar.determiners)
        self._adverbs = frozenset(w.lower() for w in grammar.adverbs)
        self._not_names = frozenset(grammar.not_names)
        self._subject_window = grammar.subject_window
        self._quote_window = grammar.quote_window
        self._antecedent_sentences = grammar.antecedent_sentences
        self._pre_verbal_age_below = pre_verbal_age_below
        dets = "|".join(sorted((re.escape(d) for d in self._determiners), key=len, reverse=True))
        self._inverted_gap = re.compile(rf"\s*(?:(?:{dets})\s+)?$", re.IGNORECASE)

    # ------------------------------------------------------------------ the whole text
    def read(
        self,
        text: str,
        spans: list[tuple[int, int]],
        raw: RawMatches,
        child: ChildContext,
    ) -> AnnotatedText:
        sents = _trim(text, spans)
        if not sents:
            return AnnotatedText(text=text, sentences=(), cues=())
        quotes = raw.quotes
        quote_spans = [(s, e) for s, e, _ in quotes]
        mentions = self._mentions(text, raw, child, quote_spans)
        letter = _is_letter_to(text, child)
        if letter:  # "you" is the child the record is written to
            mentions.extend(_second_person(text, child, quote_spans))
            mentions.sort(key=_mention_order)
        kind = self._kind
        cues: list[Span] = [c for c in raw.cues if c[2] in kind]
        if self._voice_role:
            self._add_named_speakers(text, cues, mentions, child, quote_spans)
        self._resolve(mentions, sents, child, text)
        cues.extend(self._after_person_cues(text, mentions, sents))
        cues.extend(quotes)
        cues.sort()
        cues = _distinct(cues, kind)

        n = len(sents)
        by_cues = _bucket(cues, sents)
        by_mentions = _bucket_mentions(mentions, sents)
        by_mods = _bucket(raw.modifiers, sents)
        by_quotes = _bucket(quotes, sents) if quotes else [[] for _ in range(n)]
        aid_sents = [any(kind[c[2]] == "communication_aid" for c in cs) for cs in by_cues]
        baby = child.age is not None and child.age < self._pre_verbal_age_below
        pre_verbal = baby or any(kind[c[2]] == "non_verbal" for c in cues)
        facts = _TextFacts(
            letter=letter,
            relay_ok=not _family_interprets(text, mentions),
            observation_ok=pre_verbal or child.age is None or child.observed,
            pre_verbal=pre_verbal,
            baby=baby,
            quote_fallback=_unattributed_quotes(text, quotes, mentions) if quotes else {},
            headed=_headed_by_others(text, mentions, sents, by_quotes, by_cues, self._voice_role),
        )
        observation_ok = facts.observation_ok
        out_cues: list[Cue] = []
        out_sents: list[SentenceAnnotation] = []
        modifier_rules = self._modifier_rules
        voicing_rules = self._voicing_rules[observation_ok]
        for i, (ss, se) in enumerate(sents):
            sent_cues = by_cues[i]
            # Fast path: nothing can qualify, quote or voice anything here.
            mods = by_mods[i]
            if (
                not by_quotes[i]
                and (not mods or modifier_rules.isdisjoint([m[2] for m in mods]))
                and (not sent_cues or voicing_rules.isdisjoint([c[2] for c in sent_cues]))
            ):
                plain = tuple(Cue(kind[r], s, e, r, _EMPTY) for s, e, r in sent_cues)
                out_sents.append(SentenceAnnotation(ss, se, "writer", "none", _EMPTY, plain))
                out_cues.extend(plain)
                continue
            sentence = self._sentence(
                text,
                ss,
                se,
                sent_cues,
                by_mentions[i],
                by_mods[i],
                by_quotes[i],
                quote_spans,
                facts,
                # a verb such as "pointed" or "signed" is the child communicating only where
                # the text names an aid in that sentence or the one either side
                any(aid_sents[max(0, i - 1) : i + 2]),
            )
            out_sents.append(sentence)
            out_cues.extend(sentence.cues)
        return AnnotatedText(text=text, sentences=tuple(out_sents), cues=tuple(out_cues))

    # ------------------------------------------------------------------ people
    def _mentions(
        self,
        text: str,
        raw: RawMatches,
        child: ChildContext,
        quote_spans: list[tuple[int, int]],
    ) -> list[_Mention]:
        child_gender = _CHILD_GENDER.get(child.gender, "unknown")
        people = self._people
        found: list[_Mention] = []
        for s, e, rule in raw.persons:
            person = people.get(rule)
            if person is None or (quote_spans and _in_quote(quote_spans, s, e)):
                continue
            role, gender, form = person
            found.append(_Mention(s, e, role, child_gender if role == "child" else gender, form))
        # The child's names first: where the child's initial is also a role letter ("F said"
        # in a file about a child called Freya), the file means the child.
        named: list[_Mention] = []
        for s, e in _find_names(text, child):
            if not (quote_spans and _in_quote(quote_spans, s, e)):
                named.append(_Mention(s, e, "child", child_gender, "noun"))
        found[:0] = named
        for s, e, other_role, other_gender in _find_others(text, child.others):
            if not (quote_spans and _in_quote(quote_spans, s, e)):
                found.append(_Mention(s, e, other_role, other_gender, "noun"))
        for m in found:
            if m.form == "noun" and text.startswith(("'s", "’s"), m.end):
                m.form = "possessive"  # "Kai's", "Mum's"
        found.sort(key=_mention_order)
        out: list[_Mention] = []
        reach = -1
        for m in found:
            if m.start < reach:
                continue  # inside a longer mention ("foster mum" holds "mum")
            out.append(m)
            reach = m.end
        return out

    def _add_named_speakers(
        self,
        text: str,
        cues: list[Span],
        mentions: list[_Mention],
        child: ChildContext,
        quote_spans: list[tuple[int, int]],
    ) -> None:
        """'Sarah said' / '"...," said Sarah': a capitalised word next to a reporting verb is a
        person (role unknown) unless it is already known."""
        names = {n for n in (child.first_name, *child.nicknames) if n}
        starts = {m.start for m in mentions}
        ends = {m.end for m in mentions}
        added = False
        for s, e, rule in cues:
            if self._voice_role.get(rule) != _REPORTING:
                continue
            if quote_spans and _in_quote(quote_spans, s, e):
                continue
            m = _CAPITALISED.search(text, max(0, s - 24), s)
            if m is not None:
                word = m.group(1)
                if word not in self._not_names and word not in names and m.end(1) not in ends:
                    mentions.append(_Mention(m.start(1), m.end(1), "other", "unknown", "noun"))
                    added = True
                continue
            if quote_spans and _quote_right_before(text, s, quote_spans):
                m = _CAPITALISED_AFTER.match(text, e)
                if m is not None:
                    word = m.group(1)
                    if (
                        word not in self._not_names
                        and word not in names
                        and m.start(1) not in starts
                    ):
                        mentions.append(_Mention(m.start(1), m.end(1), "other", "unknown", "noun"))
                        added = True
        if added:
            mentions.sort(key=_mention_order)

    def _resolve(
        self,
        mentions: list[_Mention],
        sents: list[tuple[int, int]],
        child: ChildContext,
        text: str = "",
    ) -> None:
        """Resolve each pronoun: the nearest compatible person earlier in its own sentence;
        else, sentence by sentence backwards, the first compatible person of that sentence
        (its topic: "Jayden said ... since dad left. He stated ..." is Jayden); else the child
        when the pronoun fits the child's gender. An object pronoun is never the subject of its
        own clause ("Mum gave him his bottle": him is not Mum; that would be "himself")."""
        default = {"F": "F", "M": "M", "other": "plural"}.get(child.gender)
        # A passage about one unnamed child of unknown gender (an exemplar pasted into the
        # checker): an otherwise unresolved "he" or "she" is that child.
        anonymous = child.first_name is None and default is None and not child.nicknames
        si = 0
        n_sents = len(sents)
        back = self._antecedent_sentences
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
            decided, resolved = self._antecedent(mentions, same, k, p, sents, topic=False)
            s_idx = si - 1
            while not decided and s_idx >= 0 and s_idx >= si - back:
                lo = sents[s_idx][0]
                earlier: list[int] = []
                while j >= 0 and mentions[j].start >= lo:
                    earlier.append(j)
                    j -= 1
                earlier.reverse()
                decided, resolved = self._antecedent(mentions, earlier, k, p, sents, topic=True)
                s_idx -= 1
            if not decided and (
                (default is not None and p.gender == default)
                or (anonymous and p.gender in ("F", "M"))
            ):
                resolved = "child"
            p.resolved = resolved

    @staticmethod
    def _antecedent(
        mentions: list[_Mention],
        order: list[int],
        k: int,
        p: _Mention,
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
                    if m.gender == p.gender:
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

    def _after_person_cues(
        self, text: str, mentions: list[_Mention], sents: list[tuple[int, int]]
    ) -> list[Span]:
        out: list[Span] = []
        if not self._after_person:
            return out
        si = 0
        n_sents = len(sents)
        for m in mentions:
            if m.form in _NOT_SUBJECT_FORMS:
                continue
            for entry, rx in self._after_person:
                hit = rx.match(text, m.end)
                if hit is None or hit.end() == m.end:
                    continue
                if entry.clause_start:
                    while si + 1 < n_sents and sents[si + 1][0] <= m.start:
                        si += 1
                    line_start = sents[si][0]
                    before = text[max(line_start, m.start - 40) : m.start]
                    at_start = m.start == line_start or _CLAUSE_START_RX.search(before)
                    if not at_start and not _starts_line(text, m.start, line_start):
                        continue
                out.append((m.start, hit.end(), entry.id))
        return out

    # ------------------------------------------------------------------ one sentence
    def _sentence(
        self,
        text: str,
        ss: int,
        se: int,
        cues: list[Span],
        mentions: list[_Mention],
        raw_mods: list[Span],
        quotes: list[Span],
        quote_spans: list[tuple[int, int]],
        facts: _TextFacts,
        has_aid: bool,
    ) -> SentenceAnnotation:
        kind = self._kind
        observation_ok, pre_verbal = facts.observation_ok, facts.pre_verbal
        modifiers, terminators = self._modifiers(raw_mods) if raw_mods else ([], [])
        if ss in facts.headed:  # "Dad: ..." - the line is that person's account
            modifiers.append(
                _Modifier(ss, ss, "third_party.heading", _THIRD_PARTY, "forward", None)
            )

        verbs: list[_Verb] = []
        voice_role = self._voice_role
        for c in cues:
            role = voice_role.get(c[2])
            if role is None:
                continue
            if role == _AID_REPORTING and not has_aid:
                continue  # "showed", "pressed" count where the text names an aid
            if quote_spans and _in_quote(quote_spans, c[0], c[1]):
                continue
            if c[2] in self._possessive_subject:
                subject = self._possessive_before(text, c[0], mentions)
            else:
                subject = self._subject_before(text, c[0], ss, mentions, quotes)
                if subject is None and quotes and _quote_right_before(text, c[0], quote_spans):
                    subject = self._subject_after(text, c[1], mentions)
            passive = (
                role != _VIEW
                and subject is not None
                and not text.endswith("ing", c[0], c[1])  # "Nan was saying" is not passive
                and self._is_passive(text[subject.end : c[0]])
            )
            verbs.append(_Verb(c, role, subject, subject.who if subject else None, passive))

        # Where each reporting clause begins: a later clause with another speaker ends the
        # scope of an earlier one ('Nan said "...", and Kai said he wants to stay').
        clause_starts = sorted(
            (v.subject.start if v.subject and v.subject.start < v.span[0] else v.span[0], v.who)
            for v in verbs
            if v.role != _VIEW
        )
        reporting: list[tuple[_Modifier, str | None]] = []
        for v in verbs:
            if v.who in _THIRD_PARTY_ROLES and not v.passive:
                vs, ve, _ = v.span
                start = v.subject.start if v.subject and v.subject.start < vs else vs
                tail = _TAIL_RX.match(text, ve, se) is not None
                mod = _Modifier(
                    start,
                    ve,
                    "third_party.reporting_clause",
                    _THIRD_PARTY,
                    "bidirectional" if tail else "forward",
                    None,
                    own=(vs, ve),
                )
                modifiers.append(mod)
                reporting.append((mod, v.who))
        if modifiers:
            for mod in modifiers:
                self._scope(mod, ss, se, terminators)
            for mod, who in reporting:
                nxt = next(
                    (
                        cs
                        for cs, w in clause_starts
                        if cs >= mod.end
                        and w != who
                        and _NEW_CLAUSE_RX.search(text, mod.end, cs) is not None
                    ),
                    None,
                )
                if nxt is not None and not (
                    _COMPLEMENT_RX.match(text, mod.end) and ";" not in text[mod.end : nxt]
                ):
                    mod.f_end = min(mod.f_end, nxt)
                for qs, qe, _ in quotes:  # words inside a quote qualify only the quote
                    if qs < mod.start and mod.end <= qe:
                        mod.f_end = min(mod.f_end, qe)
                        mod.b_start = max(mod.b_start, qs)
                        break

        def covered(start: int, end: int, own: Span | None = None) -> frozenset[str]:
            """Qualifiers covering [start, end); ``own``: a reporting verb whose own clause
            does not count (Mum's quote is not under Mum's third-party scope)."""
            if not modifiers:
                return _EMPTY
            hit: set[str] = set()
            skip = (own[0], own[1]) if own is not None else None
            for mod in modifiers:
                if mod.own is not None and (mod.own == skip or mod.own == (start, end)):
                    continue
                if (
                    (mod.f_start <= start < mod.f_end)
                    or (mod.b_start <= start and end <= mod.b_end)
                    or _inside(mod, start, end)
                ):
                    hit.update(mod.qualifiers)
            return frozenset(hit) if hit else _EMPTY

        quote_roles: list[tuple[Span, str | None, Span | None]] = []
        for q in quotes:
            who, verb = self._attribute_quote(text, q, ss, se, verbs, mentions, quotes)
            if who is None and verb is None:
                # No reporting clause: in a passage about time with the child, the words are
                # the child's when the child is the last person named before them.
                who = facts.quote_fallback.get(q[0])
            quote_roles.append((q, who, verb))

        voice = "none"
        evidence: Span | None = None
        evidence_kind = ""
        for q, who, verb in quote_roles:
            if who == "child":
                blocked = covered(q[0], q[1]) | (covered(verb[0], verb[1]) if verb else _EMPTY)
                if (
                    blocked & _BLOCK_VOICE == _THIRD_PARTY
                    and voice == "none"
                    and facts.relay_ok
                    and not facts.baby
                ):
                    # The child's own words relayed by someone else ('Gran told me Alfie said
                    # "..."'): reported, not the other person's account (docs/criteria.md).
                    voice, evidence = "reported", q
                    continue
                if not blocked & _BLOCK_VOICE:
                    if facts.baby:
                        # A baby's sounds are babble: observation, not words.
                        voice, evidence = "observation", q
                        break
                    # Words through an aid ('signed "more"', a talker, symbols) are the child's
                    # own words (docs/criteria.md).
                    voice, evidence = "direct", q
                    break
        # A reporting verb whose words are quoted is judged by its quote, above.
        quoting = {verb for _q, _who, verb in quote_roles if verb is not None}
        if voice == "none":
            for v in verbs:
                if v.who != "child" or v.passive or _refusal_follows(v.span, modifiers):
                    continue
                if v.span in quoting:
                    continue
                if facts.baby and v.role != _VIEW:
                    continue  # a baby does not tell anyone anything: someone else's words
                blocked = covered(v.span[0], v.span[1]) & _BLOCK_VOICE
                if (
                    blocked == _THIRD_PARTY
                    and v.role != _VIEW
                    and facts.relay_ok
                    and _WORDS_FOLLOW.match(text, v.span[1], se)
                ):
                    # 'Mum said Kai told her he was scared': the child's words, relayed.
                    voice, evidence = "reported", v.span
                    break
                if not blocked and not (pre_verbal and v.role == _VIEW):
                    # (a baby "wants": observation, below); "you told me" in a letter to the
                    # child is the child's own words
                    voice = "direct" if facts.letter and v.role != _VIEW else "reported"
                    evidence = v.span
                    break
        if voice == "none":
            child_here = any(m.who == "child" for m in mentions)
            others_here = any(
                m.form != "possessive" and m.who in _THIRD_PARTY_ROLES for m in mentions
            )
            if observation_ok and (child_here or not others_here):
                for c in cues:
                    if kind[c[2]] == "observation" and not (
                        covered(c[0], c[1]) & _BLOCK_OBSERVATION
                    ):
                        voice, evidence = "observation", c
                        break
            if voice == "none" and pre_verbal:
                for v in verbs:
                    if (
                        v.who == "child"
                        and v.role == _VIEW
                        and not covered(v.span[0], v.span[1]) & _BLOCK_VOICE
                    ):
                        voice, evidence = "observation", v.span
                        break
            if voice == "none" and not facts.baby:  # a baby's views are not sought in words
                for mod in modifiers:
                    if "attempted" not in mod.qualifiers:
                        continue
                    if _outside_own(mod, modifiers) & _BLOCK_ATTEMPT:
                        continue
                    subject = self._subject_before(text, mod.start, ss, mentions, quotes)
                    who = subject.who if subject is not None else None
                    if (
                        who == "child"
                        or (who == "writer" and child_here)
                        or (who is None and (child_here or not others_here))
                    ):
                        voice = "attempted_not_obtained"
                        evidence, evidence_kind = (mod.start, mod.end, mod.rule), "attempted"
                        break

        speaker = (
            "child"
            if voice in ("direct", "reported")
            else self._speaker(
                [who for q, who, v in quote_roles if not covered(q[0], q[1], v) & _NOT_SPEAKING],
                [
                    v.who
                    for v in verbs
                    if not v.passive and not covered(v.span[0], v.span[1]) & _NOT_SPEAKING
                ],
                bool(quote_roles),
            )
        )
        qualifiers: set[str] = set()
        for mod in modifiers:
            qualifiers.update(mod.qualifiers)
        sent_cues = tuple(Cue(kind[r], s, e, r, covered(s, e)) for s, e, r in cues)
        voice_cue = None
        if evidence is not None:
            s, e, r = evidence
            if evidence_kind:
                voice_cue = Cue(evidence_kind, s, e, r)
            else:
                voice_cue = next(
                    (c for c in sent_cues if (c.start, c.end, c.rule) == evidence),
                    Cue(kind[r], s, e, r, covered(s, e)),
                )
        return SentenceAnnotation(
            ss,
            se,
            speaker,
            voice,
            frozenset(qualifiers) if qualifiers else _EMPTY,
            sent_cues,
            voice_cue,
        )

    def _modifiers(
        self, raw_mods: list[Span]
    ) -> tuple[list[_Modifier], list[tuple[int, int, tuple[str, ...]]]]:
        modifiers: list[_Modifier] = []
        terminators: list[tuple[int, int, tuple[str, ...]]] = []
        pseudos: list[tuple[int, int, ContextEntry]] = []
        for s, e, rule in raw_mods:
            entry = self._context.get(rule)
            if entry is None:
                continue
            if entry.role == "terminate":
                terminators.append((s, e, entry.applies_to))
            elif entry.role == "pseudo":
                pseudos.append((s, e, entry))
            elif entry.role == "modifier":
                modifiers.append(
                    _Modifier(
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
                    ps < m.end and m.start < pe and _applies(p.applies_to, m)
                    for ps, pe, p in pseudos
                )
            ]
        return modifiers, terminators

    @staticmethod
    def _scope(
        mod: _Modifier, ss: int, se: int, terminators: list[tuple[int, int, tuple[str, ...]]]
    ) -> None:
        if mod.direction in ("forward", "bidirectional"):
            end = se if mod.max_scope is None else min(se, mod.end + mod.max_scope)
            for ts, _te, applies_to in terminators:
                if mod.end <= ts < end and _applies(applies_to, mod):
                    end = ts
            mod.f_start, mod.f_end = mod.end, end
        if mod.direction in ("backward", "bidirectional"):
            start = ss if mod.max_scope is None else max(ss, mod.start - mod.max_scope)
            for _ts, te, applies_to in terminators:
                if start < te <= mod.start and _applies(applies_to, mod):
                    start = te
            mod.b_start, mod.b_end = start, mod.start

    # ------------------------------------------------------------------ subjects and quotes
    def _subject_before(
        self,
        text: str,
        pos: int,
        ss: int,
        mentions: list[_Mention],
        quotes: list[Span],
    ) -> _Mention | None:
        for j in range(len(mentions) - 1, -1, -1):
            m = mentions[j]
            if m.end > pos:
                continue
            if pos - m.end > self._subject_window:
                return None
            gap = text[m.end : pos]
            if "\n" in gap or ";" in gap or ":" in gap:
                return None
            if quotes and any(m.end <= qs and qe <= pos for qs, qe, _ in quotes):
                return None
            if m.form in _NOT_SUBJECT_FORMS:
                continue  # "me", "him", "his", "Kai's health needs"
            if m.form == "noun" and self._after_preposition(text, ss, m.start):
                if _WHO_RX.match(gap):
                    return m
                continue
            if m.form == "noun" and _CONJUNCTION_GAP.match(gap):
                continue  # "Kai hugged his mum and said ...": mum is the object
            return m
        return None

    @staticmethod
    def _possessive_before(text: str, pos: int, mentions: list[_Mention]) -> _Mention | None:
        """The possessive right before a view noun: "Kai's view is", "her biggest worry"."""
        for j in range(len(mentions) - 1, -1, -1):
            m = mentions[j]
            if m.end > pos:
                continue
            gap = text[m.end : pos]
            if m.form not in _NOT_SUBJECT_FORMS or not _POSSESSIVE_GAP.fullmatch(gap):
                return None
            if m.role == "pronoun" and text[m.start : m.end].lower() in ("him", "them", "me"):
                return None
            return m
        return None

    def _subject_after(self, text: str, pos: int, mentions: list[_Mention]) -> _Mention | None:
        for m in mentions:
            if m.start < pos:
                continue
            if m.start - pos > 25 or not self._inverted_gap.match(text[pos : m.start]):
                return None
            if m.role in ("pronoun", "writer") and m.form in _NOT_SUBJECT_FORMS:
                return None
            return m
        return None

    def _after_preposition(self, text: str, ss: int, start: int) -> bool:
        lo = max(ss, start - 40)
        # An aside in brackets, or a new clause after a dash or colon, starts afresh: in
        # "towards her (Nell says ...)" Nell is the subject, not the object of "towards".
        cut = max(text.rfind(ch, lo, start) for ch in "(;:–—")
        words: list[str] = _WORD_RX.findall(text, max(lo, cut + 1), start)
        for word in reversed(words):
            w = word.lower()
            if w in self._determiners or w.endswith(("'s", "’s")):
                continue
            return w in self._prepositions
        return False

    def _is_passive(self, gap: str) -> bool:
        words = [w.lower() for w in _WORD_RX.findall(gap)]
        while words and (words[-1] in self._adverbs or words[-1].endswith("ly")):
            words.pop()
        return bool(words) and words[-1] in self._passive

    def _attribute_quote(
        self,
        text: str,
        q: Span,
        ss: int,
        se: int,
        verbs: list[_Verb],
        mentions: list[_Mention],
        quotes: list[Span],
    ) -> tuple[str | None, Span | None]:
        qs, qe, _ = q
        # '"I like my room" (Amira)' - the bracket holds only the speaker (and an age); a
        # bracket that says more is something else: '"ami bhalo achi" (I am fine)' translates
        paren = _PAREN_NAME.match(text, qe, se)
        if paren is not None:
            for m in mentions:
                if m.start == paren.start(1) and _PAREN_REST.fullmatch(text, m.end, paren.end(1)):
                    return m.who, None
        # After the quote: '", said Kai' / '" Kai said' / '", she told me'
        gap = _QUOTE_TAIL_GAP.match(text, qe, se)
        p = gap.end() if gap else qe
        for v in verbs:
            if v.role == _VIEW or v.span[0] < qe:
                continue
            if v.span[0] - p > 25:
                break
            if v.span[0] == p:
                after = self._subject_after(text, v.span[1], mentions)
                if after is not None:
                    return after.who, v.span
            if v.subject is not None and v.subject.start == p:
                return v.who, v.span
            break
        # Before the quote: 'Kai said "' / 'Kai told me: "'
        prev_end = max((e for _s, e, _r in quotes if e <= qs), default=ss)
        for v in reversed(verbs):
            if v.role == _VIEW or v.span[1] > qs:
                continue
            if v.span[0] < prev_end or qs - v.span[1] > self._quote_window:
                break
            if v.passive:
                return None, v.span
            return v.who, v.span
        # 'Kai: "..."'
        for m in reversed(mentions):
            if m.end <= qs:
                if _ATTRIBUTION_GAP.fullmatch(text, m.end, qs):
                    return m.who, None
                # 'Text from Kai 23:14: "..."', 'Kai rang from the station: "..."': the words
                # of a message or a call are its sender's
                if _CONTACT_AFTER.fullmatch(text, m.end, qs) or (
                    _CONTACT_BEFORE.search(text, max(ss, m.start - 30), m.start)
                    and _CONTACT_TAIL.fullmatch(text, m.end, qs)
                ):
                    return m.who, None
                break
        return None, None

    @staticmethod
    def _speaker(quote_whos: list[str | None], verb_whos: list[str | None], quotes: bool) -> str:
        roles = {who for who in (*quote_whos, *verb_whos) if who}
        for role in _SPEAKER_PRIORITY:
            if role in roles:
                return "unknown" if role == "other" else role
        return "unknown" if quotes else "writer"


@dataclass(frozen=True, slots=True)
class _TextFacts:
    """What holds for every sentence of one text."""

    #: The record is written as a letter to the child: "you told me" is the child's words,
    #: counted as their own (the auditors' convention).
    letter: bool
    #: The child's words relayed by someone else count as reported: not where a family member
    #: interprets for the child (then what they say the child says is their own account).
    relay_ok: bool
    #: Observation of the child counts as their voice (a baby, a child who does not speak, or
    #: a passage about an unnamed child of unknown age).
    observation_ok: bool
    #: A baby or a child the text says does not speak: a view verb ("wants") is observation.
    pre_verbal: bool
    #: Younger than the policy's pre-verbal age: words quoted from them are babble.
    baby: bool
    #: Quote start -> who said it, for quotes with no reporting clause.
    quote_fallback: dict[int, str]
    #: Starts of the sentences on a line headed by another person ("Mr Hale: ...").
    headed: frozenset[int]


# "said that ...", "told me that ...": a complement clause, whose commas are its own.
_COMPLEMENT_RX = re.compile(
    r"\s+(?:(?:me|us|him|her|them|the\s+worker|sw|staff)\s+)?(?:that|how)\b", re.IGNORECASE
)
_PARAGRAPH_BREAK = re.compile(r"\n")
#: What may come right before a quoted turn of a conversation: the start of a line or sentence,
#: a dash or a colon ('Asked about school - "it's alright"').
_OPENS_UTTERANCE = re.compile(r"(?:^|[\n.!?]|[–—:-]|\s-)\s*$")
#: After the child's reporting verb, what shows the child's words follow (a that-clause, a
#: subject, a quote), as against a topic ("asked him about moving").
_WORDS_FOLLOW = re.compile(
    r"\s+(?:(?:me|us|him|her|them|sw|staff|[A-Z][a-z]+)\s+)?(?:that\b|(?:he|she|they|i|it|"
    r"we)\b|[\"“'‘]|:)",
    re.IGNORECASE,
)
#: After a name at a line's start, what makes it a heading: a colon or a dash, perhaps after an
#: apposition ("Mr Hale, class teacher: ...").
_HEADING_COLON = re.compile(r"(?:[ \t]*,[^:\n,]{1,40})?[ \t]*[:\-–—][ \t]*\S")


_LETTER_OPENING = re.compile(
    r"\s*(?:(?:dear|hi|hello|hiya|hey|to)\s+)?([A-Za-z][\w'’-]*)\s*(?:[,:!\n]|$)", re.IGNORECASE
)
_SECOND_PERSON = re.compile(r"\b(you|your|yours|yourself)\b", re.IGNORECASE)


def _is_letter_to(text: str, child: ChildContext) -> bool:
    """The record opens by addressing the child ("Dear Milo,", "Hi Milo -", "Milo,"): a letter
    or a record written to the child, in which "you" is the child."""
    m = _LETTER_OPENING.match(text)
    if m is None:
        return False
    name = m.group(1).lower()
    names = {n.lower() for n in (child.first_name, *child.nicknames) if n}
    return name in names and bool(_SECOND_PERSON.search(text, m.end()))


def _second_person(
    text: str, child: ChildContext, quote_spans: list[tuple[int, int]]
) -> list[_Mention]:
    gender = _CHILD_GENDER.get(child.gender, "unknown")
    out: list[_Mention] = []
    for m in _SECOND_PERSON.finditer(text):
        s, e = m.start(), m.end()
        if quote_spans and _in_quote(quote_spans, s, e):
            continue
        form = "possessive" if m.group(1).lower() in ("your", "yours") else "subject"
        out.append(_Mention(s, e, "child", gender, form))
    return out


_INTERPRETING = re.compile(
    r"\b(?:interpret(?:ed|s|ing)?|translat(?:ed|es|ing)|sign(?:ed|s|ing)\s+(?:with|for|to))\b",
    re.IGNORECASE,
)
_FAMILY = frozenset({"parent_carer", "other_child"})


def _family_interprets(text: str, mentions: list[_Mention]) -> bool:
    """A parent, carer or sibling interprets or signs for the child ("mum translated", "so Dad
    interpreted", "Nan signed with her"): the nearest person before the verb is family."""
    if not any(p.who in _FAMILY for p in mentions):
        return False
    for m in _INTERPRETING.finditer(text):
        before = [p for p in mentions if p.end <= m.start() and m.start() - p.end <= 40]
        if before and before[-1].who in _FAMILY:
            return True
    return False


def _unattributed_quotes(text: str, quotes: list[Span], mentions: list[_Mention]) -> dict[int, str]:
    """Quotes with no reporting clause belong to the child where the last person named before
    them on the same line or paragraph is the child ('Went over the contact plan with H. "Do I
    see Dad on Sundays then?"'). Anyone else named last, or no one, leaves them unattributed."""
    out: dict[int, str] = {}
    j = 0
    last: _Mention | None = None
    for qs, _qe, _rule in quotes:
        if not _OPENS_UTTERANCE.search(text, max(0, qs - 40), qs):
            continue  # a word in quotes inside a clause ('came round "furious"') is not a turn
        while j < len(mentions) and mentions[j].end <= qs:
            m = mentions[j]
            j += 1
            if m.role == "writer" or (m.role == "pronoun" and m.resolved in (None, "writer")):
                continue
            last = m
        if last is None or _PARAGRAPH_BREAK.search(text, last.end, qs):
            continue
        if last.who == "child":
            out[qs] = "child"
    return out


def _headed_by_others(
    text: str,
    mentions: list[_Mention],
    sents: list[tuple[int, int]],
    by_quotes: list[list[Span]],
    by_cues: list[list[Span]],
    voice_role: dict[str, int],
) -> frozenset[int]:
    """Sentences on a line that starts with someone else's name or role and a colon ("Mr Hale:
    no marks, attendance good", "Dad - says he is fine"): that person's account, from the
    heading's sentence until a sentence on the line with a quote or a reporting verb of its own
    (someone else speaking)."""
    heads: set[int] = set()
    for m in mentions:
        if m.role not in _THIRD_PARTY_ROLES or m.form != "noun":
            continue
        line_start = text.rfind("\n", 0, m.start) + 1
        if text[line_start : m.start].strip(" \t-–—•*·>") or not _HEADING_COLON.match(text, m.end):
            continue
        line_end = text.find("\n", m.end)
        line_end = len(text) if line_end == -1 else line_end
        for i, (ss, _se) in enumerate(sents):
            if ss < line_start or ss >= line_end:
                continue
            own_clause = by_quotes[i] or any(c[2] in voice_role for c in by_cues[i])
            if ss > m.start and own_clause:
                break
            heads.add(ss)
    return frozenset(heads)


def _refusal_follows(span: Span, modifiers: list[_Modifier]) -> bool:
    """'he said that he did not want to see me' reports a refusal: an attempt, not voice."""
    return any(
        "attempted" in m.qualifiers and span[1] <= m.start <= span[1] + 60 for m in modifiers
    )


def _distinct(cues: list[Span], kind: dict[str, str]) -> list[Span]:
    """One cue per (start, end, kind): "FGC" in two lists of the same kind is one cue."""
    out: list[Span] = []
    seen: set[tuple[int, int, str]] = set()
    for c in cues:
        key = (c[0], c[1], kind[c[2]])
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _mention_order(m: _Mention) -> tuple[int, int]:
    return (m.start, -m.end)


#: Between a clause's subject and its object pronoun: a few words, no clause boundary.
_SAME_CLAUSE_GAP = re.compile(r"\s+(?:[A-Za-z'’]+\s+){0,3}$")
_CLAUSE_BREAK = re.compile(r"\b(?:and|but|or|that|who|which|when|while|because|so|as|if)\b", re.I)


def _clause_subject(text: str, m: _Mention, p: _Mention) -> bool:
    """Whether ``m``, the mention right before the object pronoun ``p``, is the subject of
    ``p``'s own clause ("FC gave him", "Mum asked her"), which a non-reflexive object pronoun
    cannot refer to (English binding: "himself" would)."""
    if (
        not text
        or m.form in _NOT_SUBJECT_FORMS
        or text[p.start : p.end].lower().endswith(("self", "selves"))
    ):
        return False
    gap = text[m.end : p.start]
    return bool(_SAME_CLAUSE_GAP.fullmatch(gap)) and not _CLAUSE_BREAK.search(gap)


def _outside_own(mod: _Modifier, modifiers: list[_Modifier]) -> frozenset[str]:
    """Qualifiers of OTHER modifiers whose scope covers ``mod``."""
    hit: set[str] = set()
    for other in modifiers:
        if other is mod:
            continue
        if (
            _inside(other, mod.start, mod.end)
            or (other.f_start <= mod.start < other.f_end)
            or (other.b_start <= mod.start and mod.end <= other.b_end)
        ):
            hit.update(other.qualifiers)
    return frozenset(hit)


def _rival(
    mentions: list[_Mention], j: int, k: int, gender: str, sents: list[tuple[int, int]]
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


def _inside(mod: _Modifier, start: int, end: int) -> bool:
    """A target inside a modifier's span ("had said", "did not want to talk", "said hello") is
    covered, except the head of a ``head_excluded`` modifier ("Kai asked me what ...")."""
    if not (mod.start <= start and end <= mod.end):
        return False
    return not (mod.head_excluded and start == mod.start)


def _applies(applies_to: frozenset[str] | tuple[str, ...], mod: _Modifier) -> bool:
    if not applies_to:
        return True
    return mod.rule in applies_to or not mod.qualifiers.isdisjoint(applies_to)


def _in_quote(quote_spans: list[tuple[int, int]], start: int, end: int) -> bool:
    for qs, qe in quote_spans:
        if qs > start:
            return False
        if qs < start and end <= qe:
            return True
    return False


def _quote_right_before(text: str, pos: int, quote_spans: list[tuple[int, int]]) -> bool:
    return any(
        qe <= pos and _QUOTE_TAIL_GAP.fullmatch(text, qe, pos) is not None
        for _qs, qe in quote_spans
    )


def _starts_line(text: str, start: int, line_start: int) -> bool:
    before = text[line_start:start]
    return not before.strip(" \t-–—•*·>▪◦‣0123456789.)(")


def _trim(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _bucket(items: list[Span], sents: list[tuple[int, int]]) -> list[list[Span]]:
    """Items (sorted by start) grouped by the sentence holding their start."""
    out: list[list[Span]] = [[] for _ in sents]
    i = 0
    n = len(sents)
    for item in items:
        pos = item[0]
        while i < n and sents[i][1] <= pos:
            i += 1
        if i == n:
            break
        if pos >= sents[i][0]:
            out[i].append(item)
    return out


def _bucket_mentions(items: list[_Mention], sents: list[tuple[int, int]]) -> list[list[_Mention]]:
    out: list[list[_Mention]] = [[] for _ in sents]
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


def _find_names(text: str, child: ChildContext) -> list[tuple[int, int]]:
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


def _find_others(
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
