"""The project's spaCy components: sentence fixes around line breaks and quotes, and one pass of
pattern matching (two PhraseMatchers, trigger-anchored regexes and one combined regex).

Both are child-independent: they store plain tuples in ``doc.user_data``; the child-specific
reading (who speaks, whose voice, qualifiers) happens afterwards in ``_context``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from notereview.nlp._model import Span
from notereview.nlp._patterns import ContextEntry, CueEntry, PatternSet, SpeakerEntry, load_patterns

SEGMENTER = "notereview_segmenter_v1"
MATCHER = "notereview_matcher_v1"
MATCHES_KEY = "notereview.matches"
TEXT_KEY = "notereview.text"
SPANS_KEY = "notereview.sentences"
OFFSETS_KEY = "notereview.offsets"

# Quotations: curly double, straight double (one line), curly single and straight single quotes
# used as quotes (an apostrophe inside a word - don't, Kai's - never opens or closes one). Every
# alternative starts with its quote mark, so the scan skips quickly to quote characters.
_QUOTE_RX = re.compile(
    r"“[^“”]{1,600}”"
    r'|"[^"\n]{1,600}"'
    r"|‘(?<!\w‘)(?:[^‘’\n]|’(?=\w)){1,600}?’(?!\w)"
    r"|'(?<![\w'’]')(?=[^\s'])(?:[^'\n]|(?<=\w)'(?=\w)){1,600}?(?<=\S)'(?!\w)"
)
_QUOTE_KINDS = {"“": "quote.curly_double", '"': "quote.double", "‘": "quote.curly_single"}
# Dictated notes (speech to text) speak their punctuation: 'said quote I hate it unquote',
# 'full stop', 'new line'. They are quotes and sentence ends like any other.
_DICTATED_QUOTE = re.compile(r"\bquote\s+[^\n]{1,600}?\s+unquote\b", re.IGNORECASE)
# Signs written as a gloss, in capitals, after the signing ("signed to me: ME SAD", "the BSL
# interpreter voiced what she signed: BROTHER MISS"): the words of a sign language, as quoted.
_SIGN_GLOSS = re.compile(
    r"\b(?:sign(?:ed|s|ing)?|BSL|Makaton)\b[^.\n:]{0,60}:\s*"
    r"([A-Z]{2,}(?:[ +\-]+[A-Z]{2,}){0,8})(?![a-z])"
    # or right after the verb, without a colon, where two or more signs stand in capitals
    # ("signed MUMMY SAD and then ..."); one capitalised word could be an acronym
    r"|\bsign(?:ed|s|ing)\s+(?:to\s+(?:me|us|him|her|them)\s+)?"
    r"([A-Z]{2,}(?:[ +\-]+[A-Z]{2,}){1,8})(?![a-z])"
)
_SPOKEN_BREAK = re.compile(
    r"\b(?:full stop|new line|new paragraph|next paragraph)\b[\s,.]*", re.IGNORECASE
)
_SPOKEN_MARKERS = ("full stop", "new line", "new paragraph", "next paragraph")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_NEWLINE_RUN = re.compile(r"\n\s*")
_BULLETS = frozenset("-*•·–—>◦▪‣○●■□")
_ENDERS = frozenset(".!?:;")
_NOT_START = 2**64 - 1  # spaCy's SENT_START value -1 in a uint64 array


def find_quotes(text: str) -> list[Span]:
    """Quotation spans (start, end, rule) including the quote marks; never crosses a blank line."""
    quotes = []
    if any(q in text for q in "\"“‘'"):
        for m in _QUOTE_RX.finditer(text):
            body = m.group()
            if "\n" in body and _BLANK_LINE.search(body):
                continue
            quotes.append(Span(m.start(), m.end(), _QUOTE_KINDS.get(body[0], "quote.single")))
    if "sign" in text or "BSL" in text or "Makaton" in text:
        taken = list(quotes)
        for m in _SIGN_GLOSS.finditer(text):
            s, e = m.span(1) if m.group(1) is not None else m.span(2)
            if not any(qs < e and s < qe for qs, qe, _ in taken):
                quotes.append(Span(s, e, "quote.gloss"))
        quotes.sort()
    if "unquote" in text or "Unquote" in text:
        taken = list(quotes)
        for m in _DICTATED_QUOTE.finditer(text):
            if not any(qs < m.end() and m.start() < qe for qs, qe, _ in taken):
                quotes.append(Span(m.start(), m.end(), "quote.dictated"))
        quotes.sort()
    return quotes


@dataclass(slots=True)
class RawMatches:
    """What the components found in one text (character offsets, rule ids)."""

    quotes: list[Span] = field(default_factory=list)
    cues: list[Span] = field(default_factory=list)
    modifiers: list[Span] = field(default_factory=list)
    persons: list[Span] = field(default_factory=list)


class TextKeepingTokenizer:
    """Wraps spaCy's tokenizer and keeps the input text on the Doc: ``Doc.text`` rebuilds the
    text token by token, which costs more than tokenizing it."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)


def doc_text(doc: Doc) -> str:
    """The Doc's text (kept by ``TextKeepingTokenizer``, else rebuilt)."""
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else doc.text


def raw_matches(doc: Doc) -> RawMatches:
    found = doc.user_data.get(MATCHES_KEY)
    if isinstance(found, RawMatches):
        return found
    fresh = RawMatches()
    doc.user_data[MATCHES_KEY] = fresh
    return fresh


class Segmenter:
    """Splits a text into sentences in one pass over spaCy's token arrays.

    First spaCy's sentencizer rule, computed on arrays instead of Token objects (the same
    boundaries, about twice as fast): a sentence ends after a token that is one of the
    sentencizer's punctuation characters, at the next token that is not punctuation. Then the
    project's fixes: a line break that begins a new paragraph, bullet or capitalised line starts
    a sentence, and a quotation stays inside one sentence. Stores the sentences' character spans
    on the Doc (read with :func:`sentence_spans`; ``Doc.sents`` gives the same sentences), and
    the tokens' character offsets for the matcher (:func:`token_offsets`), so that the token
    arrays are read once per text."""

    def __init__(self, nlp: Language) -> None:
        # A lexeme flag for "is one of the sentencizer's characters": the token arrays then
        # hold 0/1 codes rather than 64-bit ORTH hashes, which cost far more to turn into
        # Python ints than the rule costs to run.
        punct = frozenset(Sentencizer.default_punct_chars)
        self._flag: int = nlp.vocab.add_flag(punct.__contains__)

    @staticmethod
    def _rule_starts(codes: list[int]) -> list[int]:
        """spaCy's sentencizer: token i starts a sentence when it is not punctuation and a
        sentence-final character came after the previous such token (1: starts, else -1).
        A token's code is 2 * (it is a sentencizer character) + (it is punctuation)."""
        sent = [_NOT_START] * len(codes)
        sent[0] = 1
        seen = False
        for i, code in enumerate(codes):
            if code >= 2:
                seen = True
            elif seen and code == 0:
                sent[i] = 1
                seen = False
        return sent

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        quotes = find_quotes(text)
        raw_matches(doc).quotes = quotes
        n = len(doc)
        if n == 0:
            doc.user_data[SPANS_KEY] = []
            return doc
        arr = doc.to_array([self._flag, IS_PUNCT, IDX, LENGTH])
        starts: list[int] = arr[:, 2].tolist()  # column by column: faster than arr.T.tolist()
        doc.user_data[OFFSETS_KEY] = (starts, arr[:, 3].tolist())
        sent = self._rule_starts((arr[:, 0] * 2 + arr[:, 1]).tolist())
        spoken = any(marker in text for marker in _SPOKEN_MARKERS)
        if n >= 2 and ("\n" in text or quotes or spoken):
            self._fix(text, starts, sent, quotes, spoken)
        doc.from_array([SENT_START], numpy.array(sent, dtype=numpy.uint64).reshape(n, 1))
        begins = [starts[i] for i, flag in enumerate(sent) if flag == 1]
        doc.user_data[SPANS_KEY] = list(zip(begins, [*begins[1:], len(text)], strict=True))
        return doc

    @staticmethod
    def _fix(
        text: str,
        starts: list[int],
        sent: list[int],
        quotes: list[Span],
        spoken: bool,
    ) -> None:
        """The project's changes to the sentencizer's starts (``sent``, changed in place)."""
        n = len(starts)
        if spoken:
            for m in _SPOKEN_BREAK.finditer(text):
                i = bisect_left(starts, m.end())
                if 0 < i < n and starts[i] == m.end():
                    sent[i] = 1
        for m in _NEWLINE_RUN.finditer(text):
            pos = m.end()
            if pos >= len(text):
                break
            i = bisect_left(starts, pos)
            if not (0 < i < n and starts[i] == pos) or sent[i] == 1:
                continue
            j = m.start() - 1
            while j >= 0 and text[j].isspace():
                j -= 1
            nxt = text[pos]
            if (
                m.group().count("\n") >= 2
                or nxt in _BULLETS
                or nxt.isdigit()
                or nxt.isupper()
                or (j >= 0 and text[j] in _ENDERS)
            ):
                sent[i] = 1
        for qs, qe, _ in quotes:
            first = bisect_left(starts, qs)  # the opening quote mark
            lo = first + 1 if first < n and starts[first] == qs else first
            hi = bisect_left(starts, qe)
            if lo < hi and sent[lo] == 1 and first > 0:
                sent[first] = 1  # 'Done. "I am. Fine," he said.' starts at the quote mark
            for i in range(max(lo, 1), hi):
                if sent[i] == 1:
                    sent[i] = _NOT_START
            # '"Go away," she said.' - a lower-case word or a comma after the quote goes on.
            k = qe
            while k < len(text) and text[k] in " \t":
                k += 1
            if k < len(text) and (text[k].islower() or text[k] in ",;"):
                i = bisect_left(starts, k)
                if 0 < i < n and starts[i] == k and sent[i] == 1:
                    sent[i] = _NOT_START
        sent[0] = 1


def token_offsets(doc: Doc) -> tuple[list[int], list[int]]:
    """Each token's first character and length (kept by the Segmenter, else read now)."""
    found = doc.user_data.get(OFFSETS_KEY)
    if isinstance(found, tuple):
        return found
    return doc.to_array(IDX).tolist(), doc.to_array(LENGTH).tolist()


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the Doc's sentences, as the Segmenter found them."""
    spans = doc.user_data.get(SPANS_KEY)
    if isinstance(spans, list):
        return spans
    text = doc_text(doc)
    begins = [sent.start_char for sent in doc.sents] if len(doc) else []
    return list(zip(begins, [*begins[1:], len(text)], strict=True))


def _variants(terms: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for term in terms:
        out.append(term)
        if "'" in term:
            out.append(term.replace("'", "’"))
        elif "’" in term:
            out.append(term.replace("’", "'"))
    return out


_Entry = CueEntry | ContextEntry | SpeakerEntry


class PatternMatcher:
    """One pass over a text with every pattern file entry that does not depend on the child:
    one PhraseMatcher on lower-cased tokens (case-sensitive entries are checked against the
    exact text afterwards), regexes anchored at their trigger words, and one combined regex
    for the few patterns without triggers."""

    def __init__(self, nlp: Language, patterns: PatternSet) -> None:
        self.patterns = patterns
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        # word-list key -> (category, rule id, exact spellings or None)
        self._terms: dict[int, tuple[str, str, frozenset[str] | None]] = {}
        # trigger key -> [(category, rule id, anchored regex, exact spellings or None)]
        self._triggers: dict[int, list[tuple[str, str, re.Pattern[str], frozenset[str] | None]]]
        self._triggers = {}
        trigger_words: dict[str, list[tuple[str, str, re.Pattern[str], frozenset[str] | None]]]
        trigger_words = {}
        spellings: dict[str, set[str]] = {}
        free: list[tuple[str, _Entry]] = []
        groups: dict[str, tuple[str, str]] = {}
        sources: list[tuple[str, tuple[_Entry, ...]]] = [
            ("cue", patterns.cues),
            ("context", patterns.context),
            ("person", patterns.speakers),
        ]
        for category, entries in sources:
            for entry in entries:
                if isinstance(entry, CueEntry) and entry.after_person:
                    continue  # matched per child, after the people are known
                if entry.terms:
                    words = _variants(entry.terms)
                    exact = frozenset(words) if entry.case_sensitive else None
                    self._matcher.add(entry.id, list(nlp.tokenizer.pipe(words)))
                    self._terms[nlp.vocab.strings[entry.id]] = (category, entry.id, exact)
                elif entry.triggers:
                    assert entry.pattern is not None
                    rx = re.compile(entry.pattern, entry.flags())
                    for word in _variants(entry.triggers):
                        exact = frozenset({word}) if entry.case_sensitive else None
                        trigger_words.setdefault(word.lower(), []).append(
                            (category, entry.id, rx, exact)
                        )
                        spellings.setdefault(word.lower(), set()).add(word)
                else:
                    free.append((category, entry))
        for word, rules in trigger_words.items():
            # The tokenizer may split a word differently by case ("A&E." vs "a&e."): add each
            # spelling as written, and the lower-cased one.
            key = f"#trigger {word}"
            forms = sorted(spellings[word] | {word})
            self._matcher.add(key, list(nlp.tokenizer.pipe(forms)))
            self._triggers[nlp.vocab.strings[key]] = rules
        alternatives = []
        for i, (category, entry) in enumerate(free):
            name = f"g{i}"
            groups[name] = (category, entry.id)
            body = entry.pattern if entry.case_sensitive else f"(?i:{entry.pattern})"
            alternatives.append(f"(?P<{name}>{body})")
        self._free = re.compile("|".join(alternatives)) if alternatives else None
        self._groups = groups

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found = raw_matches(doc)
        cues: list[Span] = []
        modifiers: list[Span] = []
        persons: list[Span] = []
        buckets = {"cue": cues, "context": modifiers, "person": persons}
        terms = self._terms
        triggers = self._triggers
        matches = self._matcher(doc)
        if matches:
            idx, length = token_offsets(doc)
            for key, s, e in matches:
                start = idx[s]
                end = idx[e - 1] + length[e - 1]
                term = terms.get(key)
                if term is not None:
                    category, rule, exact = term
                    if exact is None or text[start:end] in exact:
                        buckets[category].append(_new_span(Span, (start, end, rule)))
                    continue
                for category, rule, rx, exact in triggers[key]:
                    if exact is not None and text[start:end] not in exact:
                        continue
                    m = rx.match(text, start)
                    if m is not None and m.end() > start:
                        buckets[category].append(_new_span(Span, (start, m.end(), rule)))
        if self._free is not None:
            for m in self._free.finditer(text):
                if m.end() > m.start() and m.lastgroup is not None:
                    category, rule = self._groups[m.lastgroup]
                    buckets[category].append(_new_span(Span, (m.start(), m.end(), rule)))
        found.cues = _dedupe(cues)
        found.modifiers = _dedupe(modifiers)
        found.persons = _dedupe(persons)
        return doc


#: ``Span`` built straight from a tuple: calling a named tuple's class runs its ``__new__``,
#: a Python function, even from a compiled module; the matcher builds some 25 a text. Every
#: field, in order (tests/test_nlp_tuple_fields.py).
_new_span = tuple.__new__


def _span_order(span: Span) -> tuple[int, int, str]:
    return (span[0], -span[1], span[2])


def _dedupe(spans: list[Span]) -> list[Span]:
    """Sorted by position; a span inside a longer span of the same rule is dropped."""
    if len(spans) < 2:
        return spans
    spans.sort(key=_span_order)
    if len({s[2] for s in spans}) == len(spans):
        return spans  # no rule matched twice: nothing to drop
    out: list[Span] = []
    reach: dict[str, int] = {}
    for span in spans:
        _start, end, rule = span
        if reach.get(rule, -1) >= end:
            continue
        reach[rule] = end  # beyond the rule's reach so far (else skipped above)
        out.append(span)
    return out


def register_factories() -> None:
    """Register the components with spaCy (idempotent; called by ``build_pipeline``)."""
    if not Language.has_factory(SEGMENTER):
        Language.factory(SEGMENTER, func=_make_segmenter)
    if not Language.has_factory(MATCHER):
        Language.factory(MATCHER, default_config={"patterns_dir": ""}, func=_make_matcher)


def _make_segmenter(nlp: Language, name: str) -> Segmenter:
    return Segmenter(nlp)


def _make_matcher(nlp: Language, name: str, patterns_dir: str) -> PatternMatcher:
    return PatternMatcher(nlp, load_patterns(Path(patterns_dir)))
