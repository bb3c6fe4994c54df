"""The segmenter applies spaCy's sentencizer rule itself (on token arrays): where none of the
project's fixes apply (no line break, quote or dictated punctuation), its sentences are exactly
the sentencizer's."""

from __future__ import annotations

import spacy

from notereview.nlp import build_pipeline
from notereview.nlp._components import sentence_spans

TEXTS = [
    "Sam was seen at home. He said he likes school! Is Mum ok? Yes.",
    "Visit completed... next visit in 2 weeks?! Mum agreed.",
    "Dr. Patel attended (see notes). Plan reviewed; actions agreed.",
    "No punctuation at all here",
    "Ends with a stop.",
    "... Starts with dots. Then 3.5 hours later, a call.",
    "Seen 12/08/2025 at 3 p.m. with Nan. School: good. Health - ok.",
    "Hmm!!! Right. ? ! . Done",
    "(Sam was quiet.) [Mum spoke.] Next.",
    "",
]


def test_the_segmenter_splits_where_spacys_sentencizer_does() -> None:
    ours = build_pipeline().nlp
    reference = spacy.blank("en")
    reference.add_pipe("sentencizer")
    for text in TEXTS:
        doc = ours(text)
        ref = reference(text)
        assert [s.start_char for s in doc.sents] == [s.start_char for s in ref.sents], text
        assert [s for s, _ in sentence_spans(doc)] == [s.start_char for s in ref.sents], text


def test_a_line_break_before_a_capital_starts_a_sentence_and_a_quote_stays_whole() -> None:
    doc = build_pipeline().nlp('Visit done\nMum said "I am. Fine." and left.')
    starts = [s for s, _ in sentence_spans(doc)]
    assert starts == [0, 11]


def test_the_matcher_finds_the_same_without_the_segmenters_token_offsets() -> None:
    """The segmenter hands the tokens' offsets to the matcher; a Doc that did not pass through
    it (the matcher used on its own) gets them from spaCy, with the same matches."""
    from notereview.nlp._components import MATCHER, RawMatches, raw_matches

    nlp = build_pipeline().nlp
    matcher = nlp.get_pipe(MATCHER)
    text = 'Kai said "I want to stay". Mum will take Kai to school. He did not want to talk.'
    whole = raw_matches(nlp(text))
    alone = raw_matches(matcher(nlp.make_doc(text)))
    assert isinstance(whole, RawMatches) and whole.cues
    assert (alone.cues, alone.modifiers, alone.persons) == (
        whole.cues,
        whole.modifiers,
        whole.persons,
    )
