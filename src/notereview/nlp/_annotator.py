"""The pipeline factory and the Annotator: every text is parsed once, by one spaCy pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from notereview.nlp._components import (
    MATCHER,
    SEGMENTER,
    PatternMatcher,
    TextKeepingTokenizer,
    doc_text,
    raw_matches,
    sentence_spans,
)
from notereview.nlp._components import register_factories as _register_factories
from notereview.nlp._context import Reader
from notereview.nlp._model import AnnotatedText, ChildContext
from notereview.nlp._patterns import CueEntry, PatternSet, default_patterns_dir, pipeline_versions
from notereview.nlp._people import FamilyMember, RelationshipReader, case_people
from notereview.nlp._unnamed import speaks_rx

#: A coded label's cues do not count where they are denied or only planned.
_NOT_SO = frozenset({"negated", "hypothetical", "anticipated"})
#: Distinct coded labels remembered (a system's list of values; beyond it, read each time).
_LABELS_KEPT = 10_000

#: Texts up to this many characters are annotated whole (spaCy's default limit is 1,000,000).
MAX_TEXT_CHARS = 20_000_000


class Annotator:
    """Annotates texts for one child at a time. Build it with :func:`build_pipeline`.

    ``versions`` names the pipeline, spaCy and every pattern file (version and sha256), for
    ``run.json``.
    """

    def __init__(self, nlp: Language, patterns: PatternSet, pre_verbal_age_below: int) -> None:
        self.nlp = nlp
        self.patterns = patterns
        self._reader = Reader(patterns, pre_verbal_age_below=pre_verbal_age_below)
        self._relationships = RelationshipReader(patterns.speakers)
        #: What shows the word before it speaks: a colon, a reporting verb ("Nev said").
        self.speaks = speaks_rx(patterns.cues)
        self._non_verbal = _Terms(e for e in patterns.cues if e.kind == "non_verbal")
        self.versions: dict[str, str] = pipeline_versions(patterns)
        self._label_kinds: dict[str, frozenset[str]] = {}
        self._nobody = self.child_context(None, "", None)

    @property
    def relationships(self) -> RelationshipReader:
        """Reads a relationship or job word ("maternal grandmother", "SALT") as (role, gender)."""
        return self._relationships

    def child_context(
        self,
        first_name: str | None,
        gender: str,
        age: int | None,
        family: Iterable[FamilyMember] = (),
        texts: Iterable[str] = (),
    ) -> ChildContext:
        """Who is who for one case file: the names its records use for the child (diminutives,
        short forms, spellings, initials) and the other people they name, with roles and
        genders from the genogram and the speaker lexicon (:mod:`notereview.nlp._people`)."""
        texts = [t for t in texts if t]
        people = case_people(
            first_name,
            list(family),
            texts,
            self._relationships,
            self._relationships.reserved,
            self.speaks,
        )
        return ChildContext(
            first_name=first_name,
            gender=gender,
            age=age,
            nicknames=people.child_forms,
            initial=people.child_initial,
            others=people.others,
            observed=self._non_verbal.search("\n".join(texts)),
        )

    def label_kinds(self, label: str) -> frozenset[str]:
        """The cue kinds a short coded label names, asserted ("Admitted - ward 4",
        "POLICE_CALLOUT": underscores read as spaces). Remembered per label: a system's coded
        columns repeat a few values across every file."""
        kinds = self._label_kinds.get(label)
        if kinds is None:
            at = self.annotate(label.replace("_", " "), self._nobody)
            kinds = frozenset(
                c.kind for s in at.sentences for c in s.cues if not (c.qualifiers & _NOT_SO)
            )
            if len(self._label_kinds) < _LABELS_KEPT:
                self._label_kinds[label] = kinds
        return kinds

    def annotate(self, text: str, child: ChildContext) -> AnnotatedText:
        """Annotate one text about ``child``."""
        return self._read(self.nlp(_as_text(text)), child)

    def annotate_many(
        self, items: Iterable[tuple[str, ChildContext]], batch_size: int = 256
    ) -> Iterator[AnnotatedText]:
        """Annotate many (text, child) pairs, in order, streaming through ``nlp.pipe``."""
        pairs = ((_as_text(text), child) for text, child in items)
        for doc, child in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield self._read(doc, child)

    def _read(self, doc: Doc, child: ChildContext) -> AnnotatedText:
        text = doc_text(doc)
        spans = sentence_spans(doc)
        raw = raw_matches(doc)
        doc.user_data.clear()  # the Doc is dropped; keep nothing alive through it
        return self._reader.read(text, spans, raw, child)


class _Terms:
    """Whether a text holds any of some cue entries' terms (whole words, any case, any run of
    spaces between words). A substring search per term, then a word-boundary check on a hit:
    many times faster than one regex alternation over every term."""

    def __init__(self, entries: Iterable[CueEntry]) -> None:
        self._terms = sorted({" ".join(t.lower().split()) for e in entries for t in e.terms})

    def search(self, text: str) -> bool:
        low = " ".join(text.lower().split())
        n = len(low)
        for term in self._terms:
            i = low.find(term)
            while i != -1:
                end = i + len(term)
                if (i == 0 or not low[i - 1].isalnum()) and (end == n or not low[end].isalnum()):
                    return True
                i = low.find(term, i + 1)
        return False


def _as_text(text: object) -> str:
    return text if isinstance(text, str) else ""


def build_pipeline(patterns_dir: Path | None = None, *, pre_verbal_age_below: int = 3) -> Annotator:
    """Build the pipeline: a blank English spaCy pipeline with the project's segmenter (spaCy's
    sentencizer rule plus line and quote fixes) and its pattern matcher. Loads and validates
    the pattern files in ``patterns_dir`` (default: the packaged ones); a bad file raises
    ConfigError naming the file and entry. ``pre_verbal_age_below`` is the policy's age under
    which a child is pre-verbal (observation counts as their voice)."""
    directory = Path(patterns_dir) if patterns_dir is not None else default_patterns_dir()
    _register_factories()
    nlp = spacy.blank("en")
    nlp.max_length = MAX_TEXT_CHARS
    nlp.add_pipe(SEGMENTER)
    matcher = nlp.add_pipe(MATCHER, config={"patterns_dir": str(directory)})
    assert isinstance(matcher, PatternMatcher)
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    return Annotator(nlp, matcher.patterns, pre_verbal_age_below)
