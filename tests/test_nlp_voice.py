"""Voice of the child and who is speaking (docs/criteria.md "Per-record labels").

All example text is invented.
"""

from __future__ import annotations

import pytest

from notereview.nlp import AnnotatedText, Annotator, ChildContext, build_pipeline, strongest_voice

KAI = ChildContext(first_name="Kai", gender="M", age=9)
RUBY = ChildContext(first_name="Ruby", gender="F", age=8)
AMIR_BABY = ChildContext(first_name="Amir", gender="M", age=0)
AMIR = ChildContext(first_name="Amir", gender="M", age=12)
LEO = ChildContext(first_name="Leo", gender="M", age=7)


@pytest.fixture(scope="module")
def annotator() -> Annotator:
    return build_pipeline()


def _one(annotator: Annotator, text: str, child: ChildContext) -> AnnotatedText:
    return annotator.annotate(text, child)


# ----------------------------------------------------------------------------- the brief's cases
def test_parent_quote_is_not_child_voice(annotator: Annotator) -> None:
    result = _one(annotator, 'Mum said "she is fine".', RUBY)
    (sentence,) = result.sentences
    assert sentence.speaker == "parent_carer"
    assert sentence.voice == "none"
    assert result.voice == "none"


def test_refusal_is_an_attempt_not_voice(annotator: Annotator) -> None:
    result = _one(annotator, "Ruby did not want to talk to me today.", RUBY)
    assert result.voice == "attempted_not_obtained"
    (sentence,) = result.sentences
    assert {"attempted", "negated"} <= sentence.qualifiers
    assert sentence.voice_cue is not None and sentence.voice_cue.kind == "attempted"


def test_hypothetical_is_not_voice(annotator: Annotator) -> None:
    result = _one(annotator, "If Ruby tells school she is scared, school will call me.", RUBY)
    assert result.voice == "none"
    assert "hypothetical" in result.sentences[0].qualifiers


def test_baby_observed_cues_are_observation(annotator: Annotator) -> None:
    text = (
        "Amir smiled and reached for his carer when she came in; he babbled and made good "
        "eye contact."
    )
    result = _one(annotator, text, AMIR_BABY)
    assert result.voice == "observation"
    cue = result.sentences[0].voice_cue
    assert cue is not None and cue.kind == "observation"


def test_child_name_as_object_is_not_voice(annotator: Annotator) -> None:
    result = _one(annotator, "I saw Ruby in the kitchen.", RUBY)
    assert result.voice == "none"
    assert result.sentences[0].speaker == "writer"


def test_reported_voice(annotator: Annotator) -> None:
    result = _one(annotator, "Kai told me he misses his brother.", KAI)
    (sentence,) = result.sentences
    assert sentence.voice == "reported"
    assert sentence.speaker == "child"
    assert sentence.voice_cue is not None
    assert result.text[sentence.voice_cue.start : sentence.voice_cue.end] == "told me"


def test_direct_voice(annotator: Annotator) -> None:
    result = _one(annotator, 'Kai said "I want to go home".', KAI)
    (sentence,) = result.sentences
    assert sentence.voice == "direct"
    assert sentence.voice_cue is not None and sentence.voice_cue.kind == "quote"
    assert result.text[sentence.voice_cue.start : sentence.voice_cue.end] == '"I want to go home"'


def test_historical_is_not_voice(annotator: Annotator) -> None:
    result = _one(annotator, "In May Kai had said he wanted to leave.", KAI)
    assert result.voice == "none"
    assert "historical" in result.sentences[0].qualifiers


def test_another_childs_words_are_not_voice(annotator: Annotator) -> None:
    result = _one(annotator, 'His brother said "I hate it here".', KAI)
    assert result.voice == "none"
    assert result.sentences[0].speaker == "other_child"


@pytest.mark.parametrize(
    ("text", "child"),
    [
        ("Through an interpreter, Amir told me he misses his father.", AMIR),
        ("With the help of the interpreter, Amir shared that he misses his mother.", AMIR),
        ("Using Makaton, Leo signed that he wanted a drink.", LEO),
        ("Using his talking mat Leo showed that he likes school.", LEO),
        ("Leo used his communication app to tell me he was hungry.", LEO),
    ],
)
def test_voice_through_interpreter_signing_or_app(
    annotator: Annotator, text: str, child: ChildContext
) -> None:
    assert _one(annotator, text, child).voice == "reported"


def test_words_through_an_aid_are_the_childs_own(annotator: Annotator) -> None:
    # The auditors' convention: signs, symbols, a talker's output and words through an
    # interpreter are the child's own words (direct), not a paraphrase.
    assert _one(annotator, 'Leo signed "more" and "drink" using Makaton.', LEO).voice == "direct"
    text = 'Leo used his communication app. When I asked about school, Leo pressed "happy".'
    assert [s.voice for s in _one(annotator, text, LEO).sentences] == ["none", "direct"]
    # an aid named far away does not make "pressed" a word
    far = (
        "Leo uses his communication app at school. He had a good week. Mum made tea. "
        'Later Leo pressed "stop" on the remote.'
    )
    assert _one(annotator, far, LEO).sentences[-1].voice == "none"


# ----------------------------------------------------------------------------- more conventions
@pytest.mark.parametrize(
    ("text", "child", "voice"),
    [
        # reported, in the first and the third person, with abbreviations
        ("Kai told me that if he is scared he will call me.", KAI, "reported"),
        ("When asked about school, Kai said he likes his teacher.", KAI, "reported"),
        ("I asked Kai how he was feeling and he told me he was sad.", KAI, "reported"),
        ("She told me she wants to stay with her nan.", RUBY, "reported"),
        ("Kai was seen alone in his bedroom. He said he misses his dad.", KAI, "reported"),
        ("YP said he is happy in placement.", KAI, "reported"),
        ("Kai told SW that he feels safe at home.", KAI, "reported"),
        ("Kai wants to live with his dad.", KAI, "reported"),
        ("Kai explained that he does not like living with his dad.", KAI, "reported"),
        ("Kai did not want to go to contact on Saturday.", KAI, "reported"),
        ("Ruby's view is that she wants to return home.", RUBY, "reported"),
        ("Kai asked if he could see his brother more.", KAI, "reported"),
        ("Kai had no worries and said he is happy at school.", KAI, "reported"),
        ("Sarah said that Kai was upset. He told me he misses his dog.", KAI, "reported"),
        (
            "Previously Kai said he wanted to leave, but today he told me he wants to stay.",
            KAI,
            "reported",
        ),
        # direct: straight, curly and single quotes, before or after the reporting clause
        ("'I don't want to go,' Kai told me.", KAI, "direct"),
        ("“I miss my mum,” she said.", RUBY, "direct"),
        ('"I hate school," said Kai.', KAI, "direct"),
        ('"Can I go now?" asked Kai.', KAI, "direct"),
        ('Kai: "I like it here."', KAI, "direct"),
        ('Kai said "I want to go home. I miss my dog." He then went to play.', KAI, "direct"),
        # attempts
        ("Kai did not say much.", KAI, "attempted_not_obtained"),
        ("I tried to speak to Kai alone but he refused.", KAI, "attempted_not_obtained"),
        ("Declined to speak with SW.", KAI, "attempted_not_obtained"),
        ("Kai refused to speak to me and went to his room.", KAI, "attempted_not_obtained"),
        # not the child's voice
        # A child who was not there was not seen (V2); that is not an attempt to hear them.
        ("Kai was asleep when I visited.", KAI, "none"),
        ("I was unable to see Kai as he was at school.", KAI, "none"),
        ("Amir was not seen as he was asleep.", AMIR_BABY, "none"),
        ("I spoke to Mum. She said Ruby is doing well.", RUBY, "none"),
        ("Kai's mum told me he has been upset.", KAI, "none"),
        ("Kai was told by Mum that he could not go.", KAI, "none"),
        ("Mum did not want to talk to me.", KAI, "none"),
        ("M said YP had been missing overnight.", KAI, "none"),
        ("FC reported that Kai has been sleeping well.", KAI, "none"),
        ("Kai said he was fine.", KAI, "none"),
        ('Kai and his sister were seen together. She said "we like it here".', KAI, "none"),
        ("Mum and Ruby were in the lounge. She said she is worried about money.", RUBY, "none"),
        ("Her brother said she cries at night.", RUBY, "none"),
        ("Dad told me Kai is scared of the dark.", KAI, "none"),
        ("Mum said that Kai wants to come home.", KAI, "none"),
        ("School reported that Kai has been hitting other children.", KAI, "none"),
        ("Kai said hello.", KAI, "none"),
        ("Kai waved goodbye.", KAI, "none"),
        ('Kai said "hi" and went upstairs.', KAI, "none"),
        ("Kai appeared happy.", KAI, "none"),
        ("Kai should tell an adult if he is scared.", KAI, "none"),
        ("At the last visit Kai told me he was being bullied.", KAI, "none"),
        ("Two months ago Kai said he wanted to move.", KAI, "none"),
        ("Kai used to say he hated school.", KAI, "none"),
        ("I asked Kai what he wants.", KAI, "none"),
        ("SW will ask Kai about his wishes at the next visit.", KAI, "none"),
        ("SW to speak to Kai about how he feels about contact.", KAI, "none"),
        ("I explained to Kai that Mum wants him home.", KAI, "none"),
        ("The plan is for Kai to return home.", KAI, "none"),
        # observation is for pre-verbal children only, and never a stock phrase
        ("Amir (8 months) was feeding when I arrived.", AMIR_BABY, "observation"),
        (
            "Amir made good eye contact with his carer and babbled when she sang to him.",
            AMIR_BABY,
            "observation",
        ),
        ("Amir appeared happy and settled.", AMIR_BABY, "none"),
        ("Mum said Amir has been sleeping well.", AMIR_BABY, "none"),
        ("Mum smiled at me.", AMIR_BABY, "none"),
        ("Kai smiled and played with his cars.", KAI, "none"),
    ],
)
def test_voice_labels(annotator: Annotator, text: str, child: ChildContext, voice: str) -> None:
    assert _one(annotator, text, child).voice == voice


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("His bedroom was warm and tidy, with plenty of toys and books.", "none"),
        ("There were toys all over the lounge floor.", "none"),
        ("Amir pushed the ball back to me and laughed.", "observation"),
        ("He sat on the rug with his blocks.", "observation"),
    ],
)
def test_things_observe_a_baby_only_where_the_baby_is_there(
    annotator: Annotator, text: str, voice: str
) -> None:
    # Toys and books describe the home as much as the child: "his bedroom ... toys" is the
    # room; the child as a person in the sentence makes it an observation of the child.
    assert _one(annotator, text, AMIR_BABY).voice == voice


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        # A one-word rating of a named thing is a view of it ...
        ('Kai says his new school is "ok".', "direct"),
        # ... a token answer about himself is not.
        ('Kai said he was "ok".', "none"),
        # The child's view under its own label, with his words in brackets after a negation.
        ('Kai\'s view: he does not think he needs help ("I can sort it myself").', "reported"),
        ("Kai's wishes: to stay at his school.", "reported"),
    ],
)
def test_a_rated_thing_and_a_labelled_view_are_the_childs(
    annotator: Annotator, text: str, voice: str
) -> None:
    assert _one(annotator, text, KAI).voice == voice


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        ("Amir is ten months old and lives with his mum and her partner.", "none"),
        ("Amir has been placed with his nan since the spring.", "none"),
        ("Amir crawled to the door and stayed close to his mum when I arrived.", "observation"),
        ("Amir settled quickly with his mum after his bottle.", "observation"),
    ],
)
def test_where_a_baby_lives_is_not_an_observation_of_the_baby(
    annotator: Annotator, text: str, voice: str
) -> None:
    # "lives with his mum" is a fact of the file; "with his mum" seen on the visit is not.
    assert _one(annotator, text, AMIR_BABY).voice == voice


@pytest.mark.parametrize(
    "text",
    [
        # The sequence of tenses: a relayed "had said" is what Ruby said lately.
        "Her foster carer told me Ruby had said she misses her brother.",
        "School rang to say that Ruby had told her teacher she was scared of going home.",
        # Told to someone named by two words ("her teacher", "the nurse").
        "The head of year told me Ruby told the nurse that her stepdad hits her.",
    ],
)
def test_the_childs_words_relayed_by_another_are_reported(annotator: Annotator, text: str) -> None:
    assert _one(annotator, text, RUBY).voice == "reported"


@pytest.mark.parametrize(
    "text",
    [
        "Last year Ruby had said she wanted to move schools.",
        "Mum said Ruby told her a story about the dog.",
    ],
)
def test_history_and_a_topic_are_not_relayed_words(annotator: Annotator, text: str) -> None:
    assert _one(annotator, text, RUBY).voice == "none"


def test_non_verbal_older_child_gets_observation(annotator: Annotator) -> None:
    text = "Leo is non-verbal. Leo smiled and reached for his carer when she came in."
    assert _one(annotator, text, LEO).voice == "observation"


def test_unknown_gender_pronoun_is_not_assumed_to_be_the_child(annotator: Annotator) -> None:
    child = ChildContext(first_name="Sam", gender="unknown", age=10)
    assert _one(annotator, "He told me he misses his brother.", child).voice == "none"
    assert _one(annotator, "Sam told me he misses his brother.", child).voice == "reported"


def test_nickname_counts_as_the_child(annotator: Annotator) -> None:
    child = ChildContext(first_name="Alexander", gender="M", age=10, nicknames=("Alfie",))
    assert _one(annotator, "Alfie told me he wants to stay.", child).voice == "reported"


def test_no_name_still_uses_pronouns(annotator: Annotator) -> None:
    child = ChildContext(first_name=None, gender="F", age=10)
    assert _one(annotator, "She told me she wants to stay.", child).voice == "reported"


def test_strongest_voice_over_a_visit(annotator: Annotator) -> None:
    text = (
        "I visited at home. Mum said Kai is doing well. Kai did not want to talk at first. "
        "Later Kai told me he is worried about his mum."
    )
    result = _one(annotator, text, KAI)
    assert [s.voice for s in result.sentences] == [
        "none",
        "none",
        "attempted_not_obtained",
        "reported",
    ]
    assert result.voice == "reported"
    assert strongest_voice(["none", "observation", "attempted_not_obtained"]) == "observation"
    assert strongest_voice([]) == "none"


@pytest.mark.parametrize(
    ("text", "child", "speaker"),
    [
        ("Kai told me he misses his brother.", KAI, "child"),
        ('Mum said "she is fine".', RUBY, "parent_carer"),
        ("The teacher said Kai is making progress.", KAI, "professional"),
        ("School reported that Kai has been hitting other children.", KAI, "professional"),
        ('His sister said "we like it here".', KAI, "other_child"),
        ("I explained the plan to Mum.", KAI, "writer"),
        ('"No way," was written on the board.', KAI, "unknown"),
        ("Home conditions were good.", KAI, "writer"),
    ],
)
def test_speaker(annotator: Annotator, text: str, child: ChildContext, speaker: str) -> None:
    speakers = [s.speaker for s in _one(annotator, text, child).sentences]
    assert speakers[0] == speaker


@pytest.mark.parametrize(
    ("text", "voices"),
    [
        (
            'Jayden said things are "better now" since dad moved out. He stated he likes '
            "his new school but misses his friends.",
            ["direct", "reported"],
        ),
        ("Jayden's dad came to the door. He said he was in a rush.", ["none", "none"]),
        ("Mum and Jayden came in and he said he was hungry.", ["reported"]),
        ("Jayden hugged his mum and said he loves her.", ["reported"]),
        (
            "When asked about contact with his father, Jayden shrugged and said he didn't know.",
            ["attempted_not_obtained"],
        ),
        ("I asked Jayden whether he wanted me to speak to school and he said yes.", ["reported"]),
    ],
)
def test_pronouns_and_subjects(annotator: Annotator, text: str, voices: list[str]) -> None:
    child = ChildContext(first_name="Jayden", gender="M", age=11)
    assert [s.voice for s in _one(annotator, text, child).sentences] == voices


def test_a_later_reporting_clause_ends_a_third_party_scope() -> None:
    from notereview.nlp import ChildContext, build_pipeline

    annotator = build_pipeline()
    ruby = ChildContext("Ruby", "F", 9)
    both = annotator.annotate('Nan said "she is fine", and Ruby told me she misses her dad.', ruby)
    assert both.voice == "reported"
    # The child's own words relayed by a carer are reported (the auditors' convention)...
    embedded = annotator.annotate("Mum said that Ruby told her she misses her dad.", ruby)
    assert embedded.voice == "reported"
    relayed = 'Her carer told me that on Sunday night, after contact, Ruby said "I want Dad".'
    assert annotator.annotate(relayed, ruby).voice == "reported"
    # ... but a carer's account of how the child feels is not the child's voice,
    assert annotator.annotate("Mum said that Ruby misses her dad.", ruby).voice == "none"
    # and nor is a parent interpreting for the child.
    interpreted = "No interpreter, so Mum translated. She said Ruby says she is happy at school."
    assert annotator.annotate(interpreted, ruby).voice == "none"


def test_dictated_notes_speak_their_punctuation() -> None:
    from notereview.nlp import ChildContext, build_pipeline

    annotator = build_pipeline()
    text = "visit to Kai full stop Kai said quote I want to stay here unquote full stop home warm"
    result = annotator.annotate(text, ChildContext("Kai", "M", 10))
    assert len(result.sentences) == 3
    assert result.voice == "direct"


def test_the_interpreting_prefilter_names_every_verb_of_the_pattern() -> None:
    """family_interprets skips texts without a stem: each alternative must start with one."""
    from notereview.nlp._text_facts import _INTERPRETING, _INTERPRETING_STEMS

    body = _INTERPRETING.pattern.removeprefix(r"\b(?:").removesuffix(r")\b")
    depth, start, alternatives = 0, 0, []
    for i, ch in enumerate(body):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            alternatives.append(body[start:i])
            start = i + 1
    alternatives.append(body[start:])
    assert len(alternatives) == 3
    assert all(a.startswith(_INTERPRETING_STEMS) for a in alternatives)
