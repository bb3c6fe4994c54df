"""Who is who in a case file (notereview.nlp._people): the names the records use for the child
and for the people around them, and what the reader makes of them. All names are invented."""

from __future__ import annotations

import pytest

from notereview.nlp import ChildContext, build_pipeline
from notereview.nlp._people import FamilyMember, case_people


@pytest.fixture(scope="module")
def annotator():
    return build_pipeline()


def _people(annotator, first, family=(), texts=()):
    rel = annotator._relationships
    return case_people(first, list(family), list(texts), rel, rel.reserved)


FAMILY = [
    FamilyMember("Harrison Pell", "subject child"),
    FamilyMember("Gemma Pell", "mother"),
    FamilyMember("Craig Tovey", "stepfather – not living at home"),
    FamilyMember("Oliver (Ollie) Pell", "half-brother (4)"),
    FamilyMember("Joan Pell", "MGM"),
]


def test_the_childs_diminutives_initials_and_surname_initials(annotator):
    people = _people(annotator, "Harrison", FAMILY)
    assert {"Harrison", "Harry", "HP"} <= set(people.child_forms)
    assert people.child_initial == "H"


def test_the_genogram_says_who_the_others_are_and_their_gender(annotator):
    others = {f: (r, g) for f, r, g in _people(annotator, "Harrison", FAMILY).others}
    assert others["Gemma"] == ("parent_carer", "F")
    assert others["Craig"] == ("parent_carer", "M")
    assert others["Ollie"] == ("other_child", "M")  # a nickname written on the genogram
    assert others["Joan"] == ("parent_carer", "F")  # MGM, from the speaker lexicon
    assert "GP" not in others  # Gemma Pell's initials are the doctor's abbreviation


def test_short_forms_and_spellings_the_file_itself_uses(annotator):
    texts = [
        "Visit to see Kenzo at home. After tea, Kenz showed me his room.",
        "Spoke to Kenzi about school.",
    ]
    forms = set(_people(annotator, "Kenzie", (), texts).child_forms)
    assert {"Kenz", "Kenzi", "Kenzo"} <= forms  # a prefix; near spellings


def test_a_name_the_file_introduces_is_the_childs(annotator):
    texts = ["Saw Bartholomew (Barty) after school. Barty was cross with me."]
    assert "Barty" in _people(annotator, "Bartholomew", (), texts).child_forms


def test_lower_case_forms_only_where_the_word_is_not_common_english(annotator):
    assert "kenzie" in _people(annotator, "Kenzie").child_forms
    assert "summer" not in _people(annotator, "Summer").child_forms  # the season


def test_a_word_that_is_not_a_name_is_not_taken_for_the_childs(annotator):
    texts = ["Went with Polly to see the Police officer. Spoke to the Police again."]
    assert "Police" not in _people(annotator, "Polly", (), texts).child_forms


def _ctx(annotator, first, gender, age, family=(), texts=()):
    return annotator.child_context(first, gender, age, family, texts)


def _voice(annotator, text, ctx):
    return annotator.annotate(text, ctx).voice


def test_the_reader_hears_the_child_by_a_diminutive_and_an_initial(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 11, FAMILY)
    assert _voice(annotator, 'Harry said "I want to stay at nan\'s".', ctx) == "direct"
    assert _voice(annotator, 'H said "I hate the new school".', ctx) == "direct"
    plain = ChildContext("Harrison", "M", 11)
    assert _voice(annotator, 'H said "I hate the new school".', plain) == "none"


def test_a_letter_used_as_a_label_is_not_the_child(annotator):
    ctx = _ctx(annotator, "Bailey", "M", 15)
    assert _voice(annotator, "Class B said to be in the flat.", ctx) == "none"


def test_a_parent_named_on_the_genogram_is_not_the_child(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 11, FAMILY)
    text = "Gemma answered the door in her dressing gown and she said she was tired."
    assert _voice(annotator, text, ctx) == "none"
    # without the genogram "she" has no antecedent of the right gender but is not the boy
    text = "Gemma opened the door. Craig said he wants the case closed."
    assert _voice(annotator, text, ctx) == "none"
