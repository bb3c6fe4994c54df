"""The child-specific reading of one text: who is speaking, whose voice a sentence carries, and
which ConText qualifiers cover what.

Inputs are the child-independent matches of the spaCy components (``RawMatches``) and the
sentence spans; the output is an ``AnnotatedText``. In the shape of medspaCy's ConText: the
rules are data (``context.yaml``, read by ``_context_rules``), each sentence's modifiers and
their scopes make a graph (``SentenceGraph``), and the targets are the sentence's cues, quotes
and reporting verbs. Around it, the reading of people (``_mentions``: names, roles, pronouns),
of clauses (``_clauses``: subjects, who said a quote) and of the text as a whole
(``_text_facts``). The rules, kept simple and conservative:

- A capitalised word right next to a reporting verb ("Sarah said") is a person.
- A qualifier modifier covers a target inside its span, or within its scope (forward, backward
  or both, to the end of the sentence, a terminator or ``max_scope`` characters). A reporting
  clause of someone other than the child or the writer ("Mum said") is a third_party modifier.
- The child's voice, in order: the child's quoted words, a reporting or view verb of the child,
  an observation of the child, and a failed attempt to hear the child.

Hot path: sentences with no cue, quote or modifier take a fast path.
"""

from __future__ import annotations

import re

from notereview.nlp._clauses import (
    AID_REPORTING,
    REPORTING,
    VIEW,
    Clauses,
    Verb,
    after_subject,
    elided_subjects,
    quote_right_before,
    words_with,
)
from notereview.nlp._components import RawMatches
from notereview.nlp._context_rules import (
    NOT_SPEAKING,
    THIRD_PARTY,
    Modifier,
    SentenceGraph,
    Span,
    modifiers_of,
    scope,
)
from notereview.nlp._mentions import (
    NOT_SUBJECT_FORMS,
    Mention,
    bucket_mentions,
    find_mentions,
    in_quote,
    is_letter_to,
    mention_order,
    resolve_pronouns,
    second_person,
)
from notereview.nlp._model import AnnotatedText, ChildContext, Cue, SentenceAnnotation
from notereview.nlp._patterns import ContextEntry, PatternSet
from notereview.nlp._text_facts import (
    TextFacts,
    family_interprets,
    headed_by_others,
    unattributed_quotes,
)
from notereview.nlp._voice import (
    QuoteRole,
    Sentence,
    observed_voice,
    quoted_voice,
    reported_voice,
    sentence_speaker,
)

_THIRD_PARTY_ROLES = frozenset({"parent_carer", "professional", "other_child", "other"})
_EMPTY: frozenset[str] = frozenset()
#: Named tuples (Cue, SentenceAnnotation) built straight from a tuple of every field: calling
#: the class runs its ``__new__``, a Python function, even from a compiled module. Every field,
#: in order (tests/test_nlp_tuple_fields.py).
_new = tuple.__new__
# Between two reporting clauses, what shows the second is a clause of its own, not the content
# of the first ("Mum said that Kai told her ..." is Mum's account).
_NEW_CLAUSE_RX = re.compile(r",|;|\band\b|\bbut\b|\bthen\b|\bwhile\b|\bwhereas\b")
# "said that ...", "told me that ...": a complement clause, whose commas are its own.
_COMPLEMENT_RX = re.compile(
    r"\s+(?:(?:me|us|him|her|them|the\s+worker|sw|staff)\s+)?(?:that|how)\b", re.IGNORECASE
)
#: "Mum says he wants to go out, and that he likes me": the second "that" goes on with the
#: first clause's words, whoever the subject inside it.
_MORE_COMPLEMENT_RX = re.compile(r"(?:,|\band|\bor)\s+(?:also\s+)?(?:that|how)\s+$", re.IGNORECASE)
_HOW_NOT_WHAT = re.compile(r"\s+(?:mainly\s+|mostly\s+)?(?:using|through|via|by|with)\b", re.I)
_QUOTE_RULES = (
    "quote.double",
    "quote.curly_double",
    "quote.single",
    "quote.curly_single",
    "quote.dictated",
    "quote.gloss",
)
_CLAUSE_START_RX = re.compile(
    r"(?:^|[\n;•·*▪◦‣>]|(?:^|\s)[-–—]|\d[.)]|\b(?:actions?|next steps?|owner)\s*[:\-–])"
    r"[\s\-–—•*]*$",
    re.IGNORECASE,
)
_TAIL_RX = re.compile(r"[\s,.!?;:]*(?:(?:to\s+)?(?:me|us|this|so)\b[\s,.!?;:]*)?$", re.IGNORECASE)
_CAPITALISED = re.compile(r"([A-Z][a-z]{1,20})\s+$")
_CAPITALISED_AFTER = re.compile(r"\s+([A-Z][a-z]{1,20})\b(?!\s+[a-z])")


class Reader:
    """Reads one text for one child. Built once per pattern set; holds no per-text state."""

    def __init__(self, patterns: PatternSet, pre_verbal_age_below: int = 3) -> None:
        self._kind: dict[str, str] = {e.id: e.kind for e in patterns.cues}
        self._kind.update({rule: "quote" for rule in _QUOTE_RULES})
        self._things = frozenset(e.id for e in patterns.cues if e.child_acting)
        self._voice_role: dict[str, int] = {}
        for e in patterns.cues:
            if e.kind == "reporting_verb":
                self._voice_role[e.id] = AID_REPORTING if e.needs_aid else REPORTING
            elif e.voice_verb:
                self._voice_role[e.id] = VIEW
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
        self._needs_words = frozenset(e.id for e in patterns.cues if e.needs_words)
        self._people = {e.id: (e.role, e.gender, e.form) for e in patterns.speakers}
        self._after_person = tuple(
            (e, re.compile(e.pattern or "", e.flags())) for e in patterns.cues if e.after_person
        )
        self._clauses = Clauses(patterns.grammar)
        self._not_names = frozenset(patterns.grammar.not_names)
        self._antecedent_sentences = patterns.grammar.antecedent_sentences
        self._pre_verbal_age_below = pre_verbal_age_below

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
        mentions = find_mentions(text, raw.persons, self._people, child, quote_spans)
        letter = is_letter_to(text, child)
        if letter:  # "you" is the child the record is written to
            mentions.extend(second_person(text, child, quote_spans))
            mentions.sort(key=mention_order)
        kind = self._kind
        cues: list[Span] = [c for c in raw.cues if c[2] in kind]
        if self._voice_role:
            self._add_named_speakers(text, cues, mentions, child, quote_spans)
            elided = elided_subjects(text, sents, cues, self._voice_role, quote_spans)
            if elided:
                mentions.extend(elided)
                mentions.sort(key=mention_order)
        resolve_pronouns(mentions, sents, child, text, self._antecedent_sentences)
        cues.extend(self._after_person_cues(text, mentions, sents))
        cues.extend(quotes)
        cues.sort()
        cues = _distinct(cues, kind)

        n = len(sents)
        by_cues = _bucket(cues, sents)
        by_mentions = bucket_mentions(mentions, sents)
        by_mods = _bucket(raw.modifiers, sents)
        by_quotes = _bucket(quotes, sents) if quotes else [[] for _ in range(n)]
        aid_sents = [any(kind[c[2]] == "communication_aid" for c in cs) for cs in by_cues]
        baby = child.age is not None and child.age < self._pre_verbal_age_below
        pre_verbal = baby or any(kind[c[2]] == "non_verbal" for c in cues)
        facts = TextFacts(
            letter=letter,
            relay_ok=not family_interprets(text, mentions),
            observation_ok=pre_verbal or child.age is None or child.observed,
            pre_verbal=pre_verbal,
            baby=baby,
            quote_fallback=unattributed_quotes(text, quotes, mentions) if quotes else {},
            headed=headed_by_others(text, mentions, sents, by_quotes, by_cues, self._voice_role),
        )
        out_cues: list[Cue] = []
        out_sents: list[SentenceAnnotation] = []
        modifier_rules = self._modifier_rules
        voicing_rules = self._voicing_rules[facts.observation_ok]
        for i, (ss, se) in enumerate(sents):
            sent_cues = by_cues[i]
            # Fast path: nothing can qualify, quote or voice anything here.
            mods = by_mods[i]
            if (
                not by_quotes[i]
                and (not mods or modifier_rules.isdisjoint([m[2] for m in mods]))
                and (not sent_cues or voicing_rules.isdisjoint([c[2] for c in sent_cues]))
            ):
                plain = tuple([_new(Cue, (kind[r], s, e, r, _EMPTY)) for s, e, r in sent_cues])
                out_sents.append(
                    _new(SentenceAnnotation, (ss, se, "writer", "none", _EMPTY, plain, None))
                )
                out_cues.extend(plain)
                continue
            sent = Sentence(text, ss, se, sent_cues, by_mentions[i], by_quotes[i], quote_spans)
            # a verb such as "pointed" or "signed" is the child communicating only where the
            # text names an aid in that sentence or the one either side
            annotation = self._sentence(sent, mods, facts, any(aid_sents[max(0, i - 1) : i + 2]))
            out_sents.append(annotation)
            out_cues.extend(annotation.cues)
        return AnnotatedText(text=text, sentences=tuple(out_sents), cues=tuple(out_cues))

    # ------------------------------------------------------------------ people
    def _add_named_speakers(
        self,
        text: str,
        cues: list[Span],
        mentions: list[Mention],
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
            if self._voice_role.get(rule) != REPORTING:
                continue
            if quote_spans and in_quote(quote_spans, s, e):
                continue
            m = _CAPITALISED.search(text, max(0, s - 24), s)
            if m is not None:
                word = m.group(1)
                if word not in self._not_names and word not in names and m.end(1) not in ends:
                    mentions.append(Mention(m.start(1), m.end(1), "other", "unknown", "noun"))
                    added = True
                continue
            if quote_spans and quote_right_before(text, s, quote_spans):
                m = _CAPITALISED_AFTER.match(text, e)
                if m is not None:
                    word = m.group(1)
                    if (
                        word not in self._not_names
                        and word not in names
                        and m.start(1) not in starts
                    ):
                        mentions.append(Mention(m.start(1), m.end(1), "other", "unknown", "noun"))
                        added = True
        if added:
            mentions.sort(key=mention_order)

    def _after_person_cues(
        self, text: str, mentions: list[Mention], sents: list[tuple[int, int]]
    ) -> list[Span]:
        out: list[Span] = []
        if not self._after_person:
            return out
        si = 0
        n_sents = len(sents)
        for m in mentions:
            if m.form in NOT_SUBJECT_FORMS:
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
                out.append(Span(m.start, hit.end(), entry.id))
        return out

    # ------------------------------------------------------------------ one sentence
    def _sentence(
        self, sent: Sentence, raw_mods: list[Span], facts: TextFacts, has_aid: bool
    ) -> SentenceAnnotation:
        """The targets of the sentence, its graph of modifiers, then the child's voice and the
        speaker."""
        kind = self._kind
        verbs = self._verbs(sent, has_aid)
        graph = self._graph(sent, raw_mods, facts, verbs)
        covered = graph.covered
        quote_roles = [self._quote_role(sent, q, verbs, facts) for q in sent.quotes]
        voice = (
            quoted_voice(quote_roles, graph, facts)
            or reported_voice(sent, verbs, quote_roles, graph, facts)
            or observed_voice(sent, verbs, graph, facts, kind, self._clauses, self._things)
        )
        speaker = (
            "child"
            if voice.voice in ("direct", "reported")
            else sentence_speaker(
                [who for q, who, v in quote_roles if not covered(q[0], q[1], v) & NOT_SPEAKING],
                [
                    v.who
                    for v in verbs
                    if not v.passive and not covered(v.span[0], v.span[1]) & NOT_SPEAKING
                ],
                bool(quote_roles),
            )
        )
        sent_cues = tuple([_new(Cue, (kind[r], s, e, r, covered(s, e))) for s, e, r in sent.cues])
        voice_cue = None
        if voice.evidence is not None:
            s, e, r = voice.evidence
            if voice.kind:
                voice_cue = Cue(voice.kind, s, e, r)
            else:
                voice_cue = next(
                    (c for c in sent_cues if (c.start, c.end, c.rule) == voice.evidence),
                    Cue(kind[r], s, e, r, covered(s, e)),
                )
        return SentenceAnnotation(
            sent.start,
            sent.end,
            speaker,
            voice.voice,
            graph.qualifiers(),
            sent_cues,
            voice_cue,
        )

    def _verbs(self, sent: Sentence, has_aid: bool) -> list[Verb]:
        """The sentence's reporting and view verbs outside quotes, each with its subject."""
        text, quotes, quote_spans, mentions = (
            sent.text,
            sent.quotes,
            sent.quote_spans,
            sent.mentions,
        )
        clauses = self._clauses
        verbs: list[Verb] = []
        for c in sent.cues:
            role = self._voice_role.get(c[2])
            if role is None:
                continue
            if role == AID_REPORTING and not has_aid:
                continue  # "showed", "pressed" count where the text names an aid
            if role == AID_REPORTING and (
                (text.endswith("s", c[0], c[1]) and not after_subject(text, c[0], mentions))
                or _HOW_NOT_WHAT.match(text, c[1])
            ):
                # "uses Makaton signs": a noun; "communicates using a talker", "signs with
                # Makaton": how the child communicates, not something communicated
                continue
            if quote_spans and in_quote(quote_spans, c[0], c[1]):
                continue
            if c[2] in self._needs_words and not words_with(text, c, quote_spans):
                continue  # "screamed" alone: a sound, not a report
            if c[2] in self._possessive_subject:
                subject = clauses.possessive_before(text, c[0], mentions)
            else:
                subject = clauses.aid_owner_before(text, c[0], mentions) or clauses.subject_before(
                    text, c[0], sent.start, mentions, quotes
                )
                if subject is None and quotes and quote_right_before(text, c[0], quote_spans):
                    subject = clauses.subject_after(text, c[1], mentions)
            passive = (
                role != VIEW
                and subject is not None
                and not text.endswith("ing", c[0], c[1])  # "Nan was saying" is not passive
                and clauses.is_passive(text[subject.end : c[0]])
            )
            verbs.append(Verb(c, role, subject, subject.who if subject else None, passive))
        return verbs

    def _graph(
        self, sent: Sentence, raw_mods: list[Span], facts: TextFacts, verbs: list[Verb]
    ) -> SentenceGraph:
        """The sentence's modifiers, scoped: the rules' modifiers, a heading by someone else,
        and the reporting clauses of people other than the child or the writer."""
        text, ss, se = sent.text, sent.start, sent.end
        modifiers, terminators = modifiers_of(raw_mods, self._context) if raw_mods else ([], [])
        if ss in facts.headed:  # "Dad: ..." - the line is that person's account
            modifiers.append(Modifier(ss, ss, "third_party.heading", THIRD_PARTY, "forward", None))
        # Where each reporting clause begins: a later clause with another speaker ends the
        # scope of an earlier one ('Nan said "...", and Kai said he wants to stay').
        clause_starts = sorted((v.clause_start(), v.who) for v in verbs if v.role != VIEW)
        reporting: list[tuple[Modifier, str | None]] = []
        for v in verbs:
            if v.who in _THIRD_PARTY_ROLES and not v.passive:
                vs, ve, _ = v.span
                tail = _TAIL_RX.match(text, ve, se) is not None
                mod = Modifier(
                    v.clause_start(),
                    ve,
                    "third_party.reporting_clause",
                    THIRD_PARTY,
                    "bidirectional" if tail else "forward",
                    None,
                    own=(vs, ve),
                )
                modifiers.append(mod)
                reporting.append((mod, v.who))
        for mod in modifiers:
            scope(mod, ss, se, terminators)
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
            if (
                nxt is not None
                and not (_COMPLEMENT_RX.match(text, mod.end) and ";" not in text[mod.end : nxt])
                and not _MORE_COMPLEMENT_RX.search(text, mod.end, nxt)
            ):
                mod.f_end = min(mod.f_end, nxt)
            for qs, qe, _ in sent.quotes:  # words inside a quote qualify only the quote
                if qs < mod.start and mod.end <= qe:
                    mod.f_end = min(mod.f_end, qe)
                    mod.b_start = max(mod.b_start, qs)
                    break
        return SentenceGraph(modifiers)

    def _quote_role(
        self, sent: Sentence, q: Span, verbs: list[Verb], facts: TextFacts
    ) -> QuoteRole:
        who, verb = self._clauses.attribute_quote(
            sent.text, q, sent.start, sent.end, verbs, sent.mentions, sent.quotes
        )
        if who is None and verb is None:
            # No reporting clause: in a passage about time with the child, the words are
            # the child's when the child is the last person named before them.
            who = facts.quote_fallback.get(q[0])
        return QuoteRole(q, who, verb)


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
