"""ConText-style qualifiers: negated, hypothetical, historical, attempted, third_party,
stock_phrase, greeting - per sentence, and per cue by scope. All example text is invented."""

from __future__ import annotations

import pytest

from notereview.nlp import QUALIFIERS, Annotator, ChildContext, Cue, build_pipeline

KAI = ChildContext(first_name="Kai", gender="M", age=9)


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return build_pipeline()


def _qualifiers(annotator: Annotator, text: str) -> frozenset[str]:
    (sentence,) = annotator.annotate(text, KAI).sentences
    return sentence.qualifiers


def _cue(annotator: Annotator, text: str, kind_prefix: str) -> Cue:
    result = annotator.annotate(text, KAI)
    return next(c for c in result.cues if c.kind.startswith(kind_prefix))


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("Kai did not want to talk to me.", "negated"),
        ("Kai refused to speak to the worker.", "negated"),
        ("Kai declined to speak with me.", "negated"),
        ("Kai would not engage with the session.", "negated"),
        ("School reported no concerns.", "negated"),
        ("If she tells school she is scared, school will call me.", "hypothetical"),
        ("Should he say anything, Mum will ring the duty team.", "hypothetical"),
        ("Kai would be asked to write down his wishes.", "hypothetical"),
        ("In May he had said he wanted to leave.", "historical"),
        ("Previously Kai said he liked school.", "historical"),
        ("Last year Kai said he was being bullied.", "historical"),
        ("At the last visit she said she was worried.", "historical"),
        ("I tried to speak to Kai alone.", "attempted"),
        ("I attempted to see Kai at school.", "attempted"),
        ("I offered Kai the chance to speak to me alone.", "attempted"),
        ("Kai did not want to speak to me.", "attempted"),
        ("Kai would not engage with me today.", "attempted"),
        ("Mum said that Kai is happy.", "third_party"),
        ("School reported that Kai has been late.", "third_party"),
        ("Her brother said she cries at night.", "third_party"),
        ("According to the referral, Kai was left alone.", "third_party"),
        ("Kai appeared happy.", "stock_phrase"),
        ("Kai presented as settled.", "stock_phrase"),
        ("Kai was fine.", "stock_phrase"),
        ("Kai seemed ok.", "stock_phrase"),
        ("Kai said hello.", "greeting"),
        ("Kai waved goodbye.", "greeting"),
    ],
)
def test_sentence_qualifier(annotator: Annotator, text: str, qualifier: str) -> None:
    assert qualifier in QUALIFIERS
    assert qualifier in _qualifiers(annotator, text)


@pytest.mark.parametrize(
    "text",
    [
        "Kai told me he misses his brother.",
        "Kai played with his cars and told me about his new school.",
        "Kai showed me his bedroom.",
    ],
)
def test_plain_sentences_have_no_qualifiers(annotator: Annotator, text: str) -> None:
    assert _qualifiers(annotator, text) == frozenset()


def test_negated_event_cue(annotator: Annotator) -> None:
    cue = _cue(annotator, "There have been no police call-outs since May.", "significant_event")
    assert cue.kind == "significant_event:police_call_out"
    assert "negated" in cue.qualifiers


def test_event_cue_without_negation(annotator: Annotator) -> None:
    cue = _cue(annotator, "Police attended the house on Saturday.", "significant_event")
    assert cue.qualifiers == frozenset()


def test_hypothetical_event_cue(annotator: Annotator) -> None:
    cue = _cue(annotator, "If Dad comes to the house, Mum will call the police.", "significant")
    assert "hypothetical" in cue.qualifiers


@pytest.mark.parametrize(
    "text",
    [
        "Court: the final hearing is listed for the spring.",
        "The review conference has been booked for the end of the month.",
        "I went through the timetable with Kai to prepare him for the court hearing.",
        "We made his book together ahead of the review conference.",
        "Mum is anxious about the upcoming court hearing.",
    ],
)
def test_an_event_listed_or_prepared_for_is_anticipated(annotator: Annotator, text: str) -> None:
    cue = _cue(annotator, text, "significant_event")
    assert "anticipated" in cue.qualifiers
    assert "hypothetical" not in cue.qualifiers  # the qualifier blocks events, not voice


@pytest.mark.parametrize(
    "text",
    [
        "The court hearing went ahead on Monday and the order was made.",
        "Police were called on Friday, and the review is listed for May.",
    ],
)
def test_an_event_that_happened_is_not_anticipated(annotator: Annotator, text: str) -> None:
    cue = _cue(annotator, text, "significant_event")
    assert "anticipated" not in cue.qualifiers


def test_the_childs_words_before_a_hearing_are_still_voice(annotator: Annotator) -> None:
    result = annotator.annotate("Ahead of the court hearing Kai told me he is scared.", KAI)
    assert result.voice == "reported"


def test_negation_scope_stops_at_but(annotator: Annotator) -> None:
    result = annotator.annotate("Kai did not say much at first but later told me he is sad.", KAI)
    assert result.voice == "reported"


def test_negation_inside_the_childs_view_is_still_voice(annotator: Annotator) -> None:
    result = annotator.annotate("Kai said he does not want to see his dad.", KAI)
    assert result.voice == "reported"
    assert "negated" in result.sentences[0].qualifiers


def test_historical_scope_stops_at_today(annotator: Annotator) -> None:
    result = annotator.annotate(
        "Previously Kai said he wanted to leave, but today he told me he wants to stay.", KAI
    )
    assert result.voice == "reported"
    assert "historical" in result.sentences[0].qualifiers


def test_third_party_scope_is_per_clause(annotator: Annotator) -> None:
    text = "Kai told me that Mum said he could stay up late."
    (sentence,) = annotator.annotate(text, KAI).sentences
    assert sentence.voice == "reported"
    assert "third_party" in sentence.qualifiers
    said = next(c for c in sentence.cues if text[c.start : c.end] == "told me")
    assert "third_party" not in said.qualifiers


def test_pseudo_negation_is_not_negation(annotator: Annotator) -> None:
    assert "negated" not in _qualifiers(annotator, "There is no doubt Kai enjoys football.")


def test_greeting_only_covers_the_greeting(annotator: Annotator) -> None:
    result = annotator.annotate("Kai said hello and told me he misses his brother.", KAI)
    assert result.voice == "reported"
    assert "greeting" in result.sentences[0].qualifiers


def test_an_assumption_about_the_child_is_hypothetical() -> None:
    from notereview.nlp import ChildContext, build_pipeline

    annotator = build_pipeline()
    text = "Maya is too young to say. It is expected that she would want her own room back."
    result = annotator.annotate(text, ChildContext("Maya", "F", 5))
    assert result.voice == "none"
    assert "hypothetical" in result.sentences[-1].qualifiers


def test_an_unnamed_child_of_unknown_gender_is_the_pronoun_in_an_exemplar() -> None:
    from notereview.nlp import ChildContext, build_pipeline

    annotator = build_pipeline()
    result = annotator.annotate(
        "She told me she misses her dad.", ChildContext(None, "unknown", None)
    )
    assert result.voice == "reported"
    # With a named child, an unresolved pronoun of unknown gender is not assumed to be them.
    named = annotator.annotate("She told me she misses her dad.", ChildContext("Kai", "unknown", 9))
    assert named.voice == "none"
