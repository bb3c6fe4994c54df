"""Lexicon cues, sentence segmentation and offsets. All example text is invented."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notereview.nlp import (
    CUE_KINDS,
    EVENT_TYPES,
    AnnotatedText,
    Annotator,
    ChildContext,
    build_pipeline,
)

KAI = ChildContext(first_name="Kai", gender="M", age=9)


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return build_pipeline()


def _kinds(result: AnnotatedText) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for cue in result.cues:
        found.setdefault(cue.kind, []).append(result.text[cue.start : cue.end])
    return found


def _check_offsets(result: AnnotatedText) -> None:
    text = result.text
    previous_end = 0
    for sentence in result.sentences:
        assert 0 <= previous_end <= sentence.start < sentence.end <= len(text)
        piece = text[sentence.start : sentence.end]
        assert piece.strip() == piece and piece
        previous_end = sentence.end
        for cue in sentence.cues:
            assert sentence.start <= cue.start < cue.end <= len(text)
            assert cue.start < sentence.end
            assert text[cue.start : cue.end]
        if sentence.voice_cue is not None:
            assert sentence.start <= sentence.voice_cue.start < sentence.voice_cue.end <= len(text)
    assert result.cues == tuple(c for s in result.sentences for c in s.cues)


# ----------------------------------------------------------------------------- cue kinds
@pytest.mark.parametrize(
    ("text", "kind", "matched"),
    [
        ("This suggests that Kai feels safer at home.", "analysis", "This suggests"),
        ("This means Kai is less anxious at night.", "analysis", "This means"),
        ("The impact on Kai is that he is tired at school.", "analysis", "The impact on"),
        ("Attendance has improved since the last visit.", "analysis", "has improved since"),
        (
            "I am worried that Kai is not eating because Mum is unwell.",
            "analysis",
            "I am worried that",
        ),
        (
            "As agreed in the plan, Mum attended the parenting course.",
            "plan_language",
            "As agreed in the plan",
        ),
        ("This was an action from the CP plan.", "plan_language", "action from the CP plan"),
        ("The core group met on Monday.", "plan_language", "core group"),
        (
            "The professionals meeting asked that Kai sees the nurse.",
            "plan_language",
            "professionals meeting",
        ),
        (
            "We went over what the care planning meeting set.",
            "plan_language",
            "care planning meeting",
        ),
        ("We talked about his wishes and feelings.", "wishes_feelings", "wishes and feelings"),
        (
            "We discussed the family network and who could help.",
            "network_discussion",
            "family network",
        ),
        (
            "A family group conference has been requested.",
            "network_discussion",
            "family group conference",
        ),
        ("My hypothesis is that Mum is isolated.", "reflective", "hypothesis"),
        ("We reflected on what is working for Kai.", "reflective", "reflected"),
        ("The worries are that Dad drinks and becomes violent.", "safety_worry", "worries"),
        (
            "Protective factors include Nan, who visits daily.",
            "safety_strength",
            "Protective factors",
        ),
        (
            "If the plan is not followed, a legal planning meeting will be held.",
            "safety_contingency",
            "If the plan is not followed",
        ),
        ("If Mum drinks, then Nan will collect the children.", "safety_contingency", None),
        ("SW to complete the referral to CAMHS.", "action_owner", "SW to complete"),
        ("Mum will attend the GP appointment by Friday.", "action_owner", "Mum will attend"),
        ("Mum will attend the GP appointment by Friday.", "timescale", "by Friday"),
        ("Referral to be sent by 12/03.", "timescale", "by 12/03"),
        ("Mum to contact the school within 2 weeks.", "timescale", "within 2 weeks"),
        ("Leo uses Makaton at school.", "communication_aid", "Makaton"),
        ("Leo is non-verbal.", "non_verbal", "non-verbal"),
        ("Amir babbled and made good eye contact.", "observation", "babbled"),
        ("Kai told me about school.", "reporting_verb", "told me"),
        ('Kai said "no".', "quote", '"no"'),
    ],
)
def test_cue_kind(annotator: Annotator, text: str, kind: str, matched: str | None) -> None:
    found = _kinds(annotator.annotate(text, KAI))
    assert kind in found, found
    if matched is not None:
        assert matched in found[kind]


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("Police were called to the house on Saturday.", "police_call_out"),
        ("Kai went to A&E.", "hospital_attendance"),
        ("Kai was taken to hospital after a fall.", "hospital_attendance"),
        ("Kai went missing overnight and was found by police.", "missing_episode"),
        ("Kai moved placement last week.", "placement_move"),
        ("A strategy discussion was held.", "strategy_discussion"),
        ("A section 47 enquiry was started.", "section_47"),
        ("An initial child protection conference is booked.", "cp_conference"),
        ("The court hearing is next month.", "court_hearing"),
        ("Kai received a fixed term exclusion.", "school_exclusion"),
        ("Mum's new partner has moved in.", "new_adult_in_household"),
        ("Dad was arrested on Friday.", "arrest"),
        ("Kai told me he self-harmed on Saturday.", "self_harm"),
        ("There was a domestic abuse incident at the weekend.", "domestic_abuse"),
    ],
)
def test_significant_events(annotator: Annotator, text: str, event: str) -> None:
    assert event in EVENT_TYPES
    kinds = _kinds(annotator.annotate(text, KAI))
    assert f"significant_event:{event}" in kinds, kinds


def test_cue_kinds_come_from_the_closed_list(annotator: Annotator) -> None:
    text = (
        "Police attended. This suggests Kai is at risk. SW to visit by Friday. Kai said "
        '"I am scared". The core group agreed the safety plan.'
    )
    for cue in annotator.annotate(text, KAI).cues:
        prefix = cue.kind.partition(":")[0]
        assert cue.kind in CUE_KINDS or cue.kind == "quote" or prefix == "significant_event"
        assert cue.rule


def test_cues_of(annotator: Annotator) -> None:
    result = annotator.annotate("Police attended and Kai went to A&E.", KAI)
    assert len(result.cues_of("significant_event:")) == 2
    assert result.cues_of("significant_event:hospital_attendance")[0].rule == "ev_hospital_ae"


# ----------------------------------------------------------------------------- segmentation
def test_bullets_and_blank_lines_split_sentences(annotator: Annotator) -> None:
    text = "Actions\n- SW to visit weekly\n- Mum to attend the GP\n\nKai is well\nnext line"
    result = annotator.annotate(text, KAI)
    pieces = [text[s.start : s.end] for s in result.sentences]
    assert pieces == [
        "Actions",
        "- SW to visit weekly",
        "- Mum to attend the GP",
        "Kai is well\nnext line",
    ]
    _check_offsets(result)


def test_quote_stays_in_one_sentence(annotator: Annotator) -> None:
    text = 'We sat down. Kai said "I like it here. I want to stay." Then we played.'
    result = annotator.annotate(text, KAI)
    pieces = [text[s.start : s.end] for s in result.sentences]
    assert pieces == [
        "We sat down.",
        'Kai said "I like it here. I want to stay."',
        "Then we played.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        'Kai said "I want to go home and then he left.',
        "“Unbalanced curly quote. Kai said he is fine",
        "Kai's mum said 'no and walked off. The boys' room was tidy.",
        "'''\"\"\"“”‘’''",
        "",
        "   \n\n  \t ",
        "\u200b\u2028\ufeffKai\u00a0said\u2029hello",
        "- \n- \n-",
    ],
)
def test_awkward_text_never_crashes(annotator: Annotator, text: str) -> None:
    _check_offsets(annotator.annotate(text, KAI))


def test_long_text(annotator: Annotator) -> None:
    chunk = (
        'Kai told me he misses his brother. Mum said "he is fine". Police attended on '
        "Friday.\n- SW to visit by 12/03\n\n"
    )
    text = chunk * (100_000 // len(chunk) + 1)
    result = annotator.annotate(text, KAI)
    assert len(text) > 100_000
    assert result.voice == "reported"
    _check_offsets(result)


def test_annotate_many_matches_annotate(annotator: Annotator) -> None:
    children = [
        KAI,
        ChildContext(first_name="Ruby", gender="F", age=8),
        ChildContext(first_name=None, gender="unknown", age=None),
    ]
    texts = [
        "Kai told me he misses his brother.",
        'Ruby said "I am scared of the dark". Mum said she is fine.',
        "No one was home.",
        "",
    ]
    items = [(t, c) for t in texts for c in children]
    many = list(annotator.annotate_many(iter(items), batch_size=3))
    assert many == [annotator.annotate(t, c) for t, c in items]


def test_versions(annotator: Annotator) -> None:
    versions = annotator.versions
    assert versions["pipeline"].startswith("notereview-nlp ")
    assert "spacy" in versions
    for name in ("context.yaml", "speakers.yaml", "cues_voice.yaml", "cues_events.yaml"):
        assert versions[f"patterns/{name}"].split(" sha256:")[1].isalnum()


# ----------------------------------------------------------------------------- properties
_SOCIAL_WORK_BITS = st.sampled_from(
    [
        "Kai",
        "Mum",
        "said",
        "told me",
        '"',
        "“",
        "”",
        "‘",
        "’",
        "'",
        "\n",
        "\n\n",
        "- ",
        ". ",
        ", ",
        "he",
        "she",
        "did not",
        "want to talk",
        "if",
        "had said",
        "Police attended",
        "A&E.",
        "by 12/03",
        "within 2 weeks",
        "SW to",
        "appeared happy",
        "hello",
        ":",
        ";",
    ]
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=300))
def test_arbitrary_unicode_offsets(annotator: Annotator, text: str) -> None:
    _check_offsets(annotator.annotate(text, KAI))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parts=st.lists(st.one_of(_SOCIAL_WORK_BITS, st.text(max_size=8)), max_size=60),
    gender=st.sampled_from(["F", "M", "other", "unknown", "??"]),
    age=st.one_of(st.none(), st.integers(min_value=0, max_value=18)),
)
def test_record_like_text_offsets(
    annotator: Annotator, parts: list[str], gender: str, age: int | None
) -> None:
    text = " ".join(parts)
    child = ChildContext(first_name="Kai", gender=gender, age=age)
    result = annotator.annotate(text, child)
    _check_offsets(result)
    for sentence in result.sentences:
        assert sentence.voice in {
            "direct",
            "reported",
            "observation",
            "attempted_not_obtained",
            "none",
        }
        assert sentence.speaker in {
            "child",
            "parent_carer",
            "professional",
            "other_child",
            "writer",
            "unknown",
        }


def test_the_effect_of_an_event_on_the_child_is_analysis() -> None:
    from notereview.nlp import ChildContext, build_pipeline

    annotator = build_pipeline()
    child = ChildContext("Sade", "F", 8)
    text = "Core group met. This left Sade frightened and unable to settle."
    assert any(c.kind == "analysis" for c in annotator.annotate(text, child).cues)
    assert not any(c.kind == "analysis" for c in annotator.annotate("Core group met.", child).cues)
