"""Who is who in a case file (notereview.nlp._people): the names the records use for the child
and for the people around them, and what the reader makes of them. All names are invented."""

from __future__ import annotations

import pytest

from notereview.nlp import ChildContext, build_pipeline
from notereview.nlp._people import FamilyMember, case_people
from notereview.nlp._unnamed import likely_child_name


@pytest.fixture(scope="module")
def annotator():
    return build_pipeline()


def _people(annotator, first, family=(), texts=()):
    rel = annotator._relationships
    return case_people(first, list(family), list(texts), rel, rel.reserved, annotator.speaks)


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


def test_a_diminutive_spelled_with_another_ending(annotator):
    # The dataset gives "Ollie" for Oliver and "Jonny" for Jonathan; files also write "Olly"
    # and "Jonnie" (-ie, -y, -ey and -i are one ending).
    texts = ["Went to the park with Olly and his carer.", "Olly said he likes football."]
    assert {"Olly", "olly"} <= set(_people(annotator, "Oliver", (), texts).child_forms)
    forms = set(_people(annotator, "Jonathan", (), ["Picked Jonnee up from school."]).child_forms)
    assert "Jonnee" not in forms  # another spelling than the ending is not the rule


def test_a_name_the_file_introduces_is_the_childs(annotator):
    texts = ["Saw Bartholomew (Barty) after school. Barty was cross with me."]
    assert "Barty" in _people(annotator, "Bartholomew", (), texts).child_forms


def test_an_object_pronoun_is_not_the_subject_of_its_own_clause(annotator):
    # "the carer gave her the bottle": her is not the carer, so she is the baby, who fed
    ctx = _ctx(annotator, "Nina", "F", 0)
    text = "Nina in her cot on arrival. The carer gave her the bottle and she fed well."
    assert _voice(annotator, text, ctx) == "observation"


def test_a_name_with_the_arabic_article_is_called_by_the_name_after_it(annotator):
    assert "Hassan" in _people(annotator, "Alhassan").child_forms
    assert "Nour" in _people(annotator, "El-Nour").child_forms
    assert not {"Exander", "Eanor"} & set(_people(annotator, "Alexander").child_forms)


def test_a_name_after_a_sentence_opening_word_is_not_a_surname(annotator):
    # "Today Kenz ...": the capital before is an opening word, not a first name.
    texts = ["Today Kenz showed me his bike.", "Then Kenz said he was tired."]
    assert "Kenz" in _people(annotator, "Kenzie", (), texts).child_forms


def test_a_short_form_seen_only_at_the_start_of_sentences(annotator):
    # terse records start every sentence with the child: "Ros said ...", "Rossy: ..."
    texts = ["Ros said she is fine at school.", "Rossy: 'leave it'.", "Step down to CIN agreed."]
    forms = set(_people(annotator, "Rosalind", (), texts).child_forms)
    assert {"Ros", "Rossy"} - forms == set(), forms  # a prefix; a rare stem-sharing word
    # a common word that opens a sentence is not taken for a short form of Stephanie
    assert "Step" not in _people(annotator, "Stephanie", (), texts[2:]).child_forms
    ctx = _ctx(annotator, "Rosalind", "F", 12, (), texts)
    assert _voice(annotator, "Ros said 'I want to stay here'.", ctx) == "direct"


def test_a_stem_sharing_form_is_not_lost_to_the_spelling_rule(annotator):
    # "Jacko" for Jacoby: near enough in length for the spelling rule, too far in letters;
    # the stem rule (a rare word sharing the first three letters) still takes it
    texts = ["Went with Jacko to the dentist."]
    assert "Jacko" in _people(annotator, "Jacoby", (), texts).child_forms


def test_a_common_word_that_speaks_is_a_short_form(annotator):
    # "Con" is common English, but a word followed straight by "said" is a name
    texts = ["Con said he would ring.", "Con: will ring later."]
    assert "Con" in _people(annotator, "Connor", (), texts[:1]).child_forms
    # a heading's colon is not speaking, and a month stays a month
    assert "Con" not in _people(annotator, "Connor", (), texts[1:]).child_forms
    assert "Dec" not in _people(annotator, "Declan", (), ["Dec said it was cold."]).child_forms


def test_a_name_clipped_to_its_first_syllable_with_an_ending(annotator):
    # English clips a name and adds -s, -y, -ie, -i or -o, often doubling the consonant
    texts = ["Abs said she would ring.", "Went with Maxxy to the shop.", "Gethie: 'no'."]
    assert "Abs" in _people(annotator, "Abigail", (), texts[:1]).child_forms
    assert "Maxxy" in _people(annotator, "Maximilian", (), texts[1:2]).child_forms
    assert "Gethie" in _people(annotator, "Gethin", (), texts[2:]).child_forms
    # a given name of the other gender is someone else, though it shares the first syllable
    assert "Joy" not in _people(annotator, "Jonah", (), ["Joy said 'come in'."]).child_forms
    ctx = _ctx(annotator, "Abigail", "F", 14, (), texts[:1])
    assert _voice(annotator, "Abs said 'I am not going back there'.", ctx) == "direct"


def test_initials_the_file_uses_for_a_child_it_gives_no_surname(annotator):
    # with no genogram, two capitals starting with the child's initial that speak or own
    # something are the child's initials, written with stops or without
    texts = ["BW said he is fine. Went over BW's plan.", "Later B.W. said 'no'."]
    forms = set(_people(annotator, "Bartosz", (), texts).child_forms)
    assert {"BW", "B.W.", "B. W."} <= forms
    # the sender of a message is someone who speaks
    assert (
        "BW" in _people(annotator, "Bartosz", (), ["Text from BW 14:10: 'on my way'."]).child_forms
    )
    # a token the lexicon reads (a Detective Constable) is never the child's
    assert "DC" not in _people(annotator, "Dominik", (), ["DC said he was arrested."]).child_forms
    # and two capitals that never speak are not taken (a unit, a plan)
    assert "BX" not in _people(annotator, "Bartosz", (), ["Moved to unit BX today."]).child_forms


def test_a_double_first_names_first_part_has_its_spellings(annotator):
    texts = ["Visit to see Zoia at home."]
    assert "Zoia" in _people(annotator, "Zoya Marie", (), texts).child_forms


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


# ------------------------------------------------------------- voice in all its forms (reader)
def test_a_babys_sounds_are_observation_not_words(annotator):
    baby = _ctx(annotator, "Ottilie", "F", 1)
    text = 'Ottilie sat on the rug babbling "ba ba da" and reached for her bottle.'
    assert _voice(annotator, text, baby) == "observation"
    # and a baby does not tell anyone anything: the words are someone else's
    assert _voice(annotator, "Mum told me Ottilie said she was hungry.", baby) == "none"


def test_a_conversation_without_reporting_clauses_is_the_childs(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 13, FAMILY)
    text = (
        'Went over the new contact plan with H. "Do I see Dad on Sundays then?" Yes. "Good."\n'
        "Mum was in the kitchen."
    )
    assert _voice(annotator, text, ctx) == "direct"
    # a word in quotes inside a clause is not a turn of the conversation
    scare = 'Harry came back from the dentist "starving" and went straight to the fridge.'
    assert _voice(annotator, scare, ctx) == "none"
    # the last person named before the quote is someone else: not the child's
    other = 'Saw H at home. Gemma came in. "He never listens to me."'
    assert _voice(annotator, other, ctx) == "none"


def test_a_list_of_the_childs_words_and_a_topic_label_are_the_childs(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 13, FAMILY)
    listed = (
        "Harry came to his review.\n"
        "In his words (at the review, in March) 'I like it at Gran's.'\n"
        "'School is better now.'\n"
        "'I don't want to change rooms.'"
    )
    sentences = annotator.annotate(listed, ctx).sentences
    assert [s.voice for s in sentences][1:] == ["direct", "direct", "direct"]
    # a person named as the topic of the words is not their speaker
    topic = "Harry and I talked.\nAbout his stepdad: 'He is alright when he is not shouting.'"
    assert _voice(annotator, topic, ctx) == "direct"
    # but a person heading a line, named as speaker, still speaks
    assert _voice(annotator, "Saw Harry.\nGemma: 'He is alright at home.'", ctx) == "none"


def test_a_line_headed_by_someone_else_is_their_account(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 13, FAMILY)
    text = "Teacher: attendance 91%, Harry wants to do more PE, no marks seen."
    assert _voice(annotator, text, ctx) == "none"
    assert _voice(annotator, "Harry wants to do more PE.", ctx) == "reported"
    # a call or message from someone else: the child's words in it come through them
    for call in (
        "Gemma rang: Harry keeps saying 'I want my own room'.",
        "The teacher phoned - Harry told her 'I want my own room'.",
        "Gemma (by text) from work rang, said Harry told her 'I want my own room'.",
    ):
        assert _voice(annotator, call, ctx) == "reported", call
    assert _voice(annotator, "Harry told me 'I want my own room'.", ctx) == "direct"


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        # a reporting verb right before the quote governs it: Kai's words, relayed by Mum
        ('After contact Harry said to Gemma "I miss my dad", Gemma told me.', "reported"),
        ('"I miss my dad," Harry told me.', "direct"),
        # a clause after the quote whose subject is not straight before its verb is another
        # clause: the words stay with the reporting verb before them
        ('Gemma said Harry told her on Sunday that he "hates the new school" - she was upset '
         "telling me.", "reported"),
        ('"It is rubbish" - Harry is telling us he wants to move.', "direct"),
        # where Mum interprets, what she says the child says is her account, and "..., and
        # that ..." is still what she says
        ("Gemma interpreted for Harry - she says the hum means he wants a drink, and that he "
         "was telling me he likes the park.", "none"),
    ],
)  # fmt: skip
def test_whose_words_when_reporting_clauses_surround_them(annotator, text, voice):
    assert _voice(annotator, text, _ctx(annotator, "Harrison", "M", 12, FAMILY)) == voice


def test_a_note_that_leaves_out_its_subject_means_the_one_before(annotator):
    # "Says ...", "Wants ...", "Said" before quoted words: the person the sentence before was
    # about; "Told him ...", "Explained ..." leave out "I"
    ctx = _ctx(annotator, "Harrison", "M", 15, FAMILY)
    assert _voice(annotator, "Saw Harry after school. Says he is fine at college.", ctx) == (
        "reported"
    )
    assert _voice(annotator, "Gemma rang about college. Says he is fine there.", ctx) == "none"
    said = 'Harry came down late. Does he miss Craig? Said he "never wanted him here".'
    assert _voice(annotator, said, ctx) == "direct"
    assert _voice(annotator, "Saw Harry. Told him the plan. Explained the review.", ctx) == "none"


@pytest.mark.parametrize(
    "text",
    [
        "Harry didnt want to talk to me today.",
        "I asked Harry to talk for a bit but he was having none of it.",
        "Harry shook his head when I asked if we could have a chat.",
        "Harry turned away when I tried to start a conversation.",
        "Harry refused to come downstairs to see me.",
    ],
)
def test_refusals_as_notes_write_them(annotator, text):
    # no apostrophe, an idiom, a shake of the head at being asked to talk, a conversation he
    # would not start: for a child who speaks, an attempt (for one who does not, what he did
    # is observed, which is stronger)
    assert _voice(annotator, text, _ctx(annotator, "Harrison", "M", 12, FAMILY)) == (
        "attempted_not_obtained"
    )


def test_token_replies_are_not_the_childs_views(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 15, FAMILY)
    assert _voice(annotator, "Harry replied with a thumbs up emoji.", ctx) == "none"
    assert _voice(annotator, 'Asked how school was, Harry said "fine".', ctx) == "none"
    assert _voice(annotator, 'Harry said "school is rubbish, I hate maths".', ctx) == "direct"


def test_trying_to_reach_a_young_person_who_is_out_is_an_attempt(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 16, FAMILY)
    text = "Called at the flat, Harry not in. Rang Harry, straight to voicemail. Texted, no reply."
    assert _voice(annotator, text, ctx) == "attempted_not_obtained"
    # a baby is not asked for views: a no-access visit is not an attempt to hear them
    baby = _ctx(annotator, "Ottilie", "F", 0)
    assert _voice(annotator, "No answer at the door. Left a calling card.", baby) == "none"


def test_a_child_with_little_speech_is_heard_through_observation(annotator):
    texts = ["Kenzie is autistic and has a few words; she uses PECS at school."]
    observed = _ctx(annotator, "Kenzie", "F", 10, (), texts)
    assert observed.observed
    visit = "Kenzie smiled and reached for the bubbles, then giggled when they popped."
    assert _voice(annotator, visit, observed) == "observation"
    speaking = _ctx(annotator, "Kenzie", "F", 10)
    assert _voice(annotator, visit, speaking) == "none"
    # a child who makes sounds rather than words ("vocalised") is one too
    sounds = _ctx(annotator, "Kenzie", "F", 10, (), ["Kenzie vocalised loudly at the swing."])
    assert sounds.observed
    assert _voice(annotator, visit, sounds) == "observation"


def test_an_aside_in_brackets_has_its_own_subject(annotator):
    family = [FamilyMember("Nell Ashby", "mother"), FamilyMember("Ivo Ashby", "subject child")]
    ctx = _ctx(annotator, "Ivo", "M", 8, family)
    text = "He pushed his plate towards her (Nell says this means 'no more') and left."
    assert _voice(annotator, text, ctx) == "none"


def test_a_record_that_opens_with_you_told_me_is_written_to_the_child(annotator):
    ctx = _ctx(annotator, "Harrison", "M", 17, FAMILY)
    # (what "you told me" in a record written to the child is, as in a letter: direct)
    text = "You told me you want to start college in September. We agreed I will help you apply."
    assert _voice(annotator, text, ctx) == "direct"
    assert _voice(annotator, "Harry was out. We agreed I will help you apply.", ctx) == "none"


def test_in_a_letter_to_the_child_you_is_the_child(annotator):
    ctx = _ctx(annotator, "Milo", "M", 9)
    letter = (
        "Dear Milo,\nWhen I came to see you at Gran's you told me you miss your brother and "
        "want to see him at weekends."
    )
    assert _voice(annotator, letter, ctx) == "direct"  # "you told me" in a letter
    not_a_letter = "Visit to Milo. Gran said you can never tell what he is thinking."
    assert _voice(annotator, not_a_letter, ctx) == "none"


def test_words_from_an_earlier_visit_are_not_this_visits_voice(annotator):
    from datetime import date

    from notereview import CaseFile, Child, Reviewer, Visit

    child = Child("C1", "CIN", date(2026, 1, 5), "T", "W1", first_name="Milo", age_years=9)
    first = Visit(
        "V1", "C1", date(2026, 3, 2), date(2026, 3, 2), True,
        'Milo said "I want to live with my nan and my dog".',
    )  # fmt: skip
    repeat = Visit(
        "V2", "C1", date(2026, 5, 4), date(2026, 5, 4), True,
        'Milo was quiet today. He has said before "I want to live with my nan and my dog".',
    )  # fmt: skip
    dated = Visit(
        "V3", "C1", date(2026, 7, 6), date(2026, 7, 6), True,
        "Milo played football. As he told me back in March, he wants to see his dad.",
    )  # fmt: skip
    today = Visit(
        "V4", "C1", date(2026, 9, 7), date(2026, 9, 7), True,
        "Milo told me he wants to start boxing, since June he has been going to the gym.",
    )  # fmt: skip
    case = CaseFile.build(child, visits=[first, repeat, dated, today])
    labels = Reviewer().review(case, date(2026, 9, 30)).visit_labels
    assert labels["V1"].voice == "direct"
    assert labels["V2"].voice == "none"  # the same words, repeated
    assert labels["V3"].voice == "none"  # dated months before the visit
    assert labels["V4"].voice == "reported"  # "since June" is not an old date


@pytest.mark.parametrize(
    ("text", "voice"),
    [
        # signs written as a gloss in capitals, after the signing
        ("Ottilie signed to me (BSL, with the interpreter): DOG HOME.", "direct"),
        ("Outcome: NFA. Ottilie seen at school.", "none"),  # capitals that are not signs
        # picture exchange: the child hands over a sentence strip
        ('With her PECS book, Ottilie handed me "I want + swing".', "direct"),
        # a worker relaying the child's words is a reporting clause of their own
        ('Her keyworker passed on what Ottilie said at tea: "I miss Mum".', "reported"),
        # missing an appointment is an event, missing someone a feeling
        ("Ottilie missed two dental appointments.", "none"),
        ("Ottilie misses her mum at bedtime.", "reported"),
        # the answer after a colon is not the question
        ('Asked about school: "it is boring but I like my teacher" (Ottilie)', "direct"),
        # a heading with an apposition is that person's account...
        ("Mrs Hale, class teacher: Ottilie wants to join the choir.", "none"),
        # ... and "Child's words:" heads the child's own words
        ('Child\'s words: "I want to stay with Gran"', "direct"),
        # a visit made to hear the child that could not: an attempt, said how it failed...
        ("Booked the afternoon to do her life story work but Ottilie was at the hospital.",
         "attempted_not_obtained"),
        ("Ottilie was fast asleep after swimming so we didn't wake her.",
         "attempted_not_obtained"),
        ("Brought the feelings fans but couldn't get her to engage today.",
         "attempted_not_obtained"),
        ("Tried the talking mat with Ottilie to ask about respite, she pushed it away.",
         "attempted_not_obtained"),
        ("Rang Ottilie twice, rang out both times.", "attempted_not_obtained"),
        # ... but a child merely asleep or out, with no visit to hear her, is not one
        ("Ottilie asleep in the buggy throughout; mum and I went through the plan.", "none"),
        # words in another language with the writer's translation in brackets are the child's
        ("Ottilie said 'ja chcę do domu' (I want to go home).", "direct"),
        # two or more signs in capitals straight after the signing, no colon
        ("Ottilie signed DOG GONE and cried.", "direct"),
        # words repeated from before, or said at an earlier (dated) meeting, are not new...
        ("As Ottilie has said before, she 'hates the bus'.", "none"),
        ("At her last review Ottilie said she wants to stay with Ann.", "none"),
        ("At the core group in March Ottilie said she wants to stay with Ann.", "none"),
        # ... but what she said at the meeting this record is about is
        ("At her review Ottilie told the chair she wants to stay with Ann.", "reported"),
        # the words of a message or a call are its sender's
        ("Text from Ottilie 23:14 'im at a party im safe'. Mum says she is at a friend's.",
         "direct"),
        # ... the sender before a place the call came from, and a note's "X text 14:02"
        ("Ottilie rang from Chester: 'the train is late, I will get the next one'.",
         "direct"),
        ("Ottilie text 14:02 'on the bus now' then 14:40 'can u ring me'.", "direct"),
        # a question mark closing the child's words is her question, not the writer's
        ('Ottilie said "can I stay at Ann\'s at the weekend?" twice.', "direct"),
        ("Does Ottilie want to stay at Ann's?", "none"),
        # the words of her communication aid are hers
        ("Ottilie's talker (Grid) said 'more swimming' when I asked.", "direct"),
        ("Her mum's phone said 'low battery' during the visit.", "none"),
        # a verb of sound reports only with the words; alone it is a sound she made (she
        # uses signs: what she does is observed)
        ("Ottilie screamed and threw the beaker when it was time to go.", "observation"),
        ("Ottilie screamed 'I hate you' and threw the beaker.", "direct"),
        ('"Leave me alone," Ottilie shouted.', "direct"),
        ("Ottilie shouted at her nan that she hated it there.", "reported"),
        # more ways English reports words: piping up, chipping in, cutting in, informing
        ('Ottilie piped up, "I want to stay for tea."', "direct"),
        ('"I did my homework," Ottilie chipped in.', "direct"),
        ('Ottilie informed the nurse: "my tooth hurts".', "direct"),
        # "then" after the subject is an adverb, not a new clause
        ('Ottilie then said to me "the cat sleeps on my bed".', "direct"),
        # how she communicates is not something communicated
        ("Ottilie communicates using a talker and some Makaton.", "none"),
        ("Ottilie signs with Makaton at school.", "none"),
        # a comma ends the phrase a preposition opens: she is the subject after it
        ("When asked about school with her, Ottilie pointed to 'sad' on her talker.", "direct"),
        # the writer's own reading of her is not her view; her words in it still are
        ("I think Ottilie feels safer now the shouting has stopped.", "none"),
        ("My sense is that Ottilie wants to be asked, not told.", "none"),
        ("I think Ottilie told me she misses her brother.", "reported"),
        # "yet" as an adverb stays inside the negation: what she cannot yet say is not said
        ("Her drawings may be showing what Ottilie cannot yet say about it.", "none"),
        # "signs" after a word that is not its subject is a plural noun: how she communicates
        ("Ottilie uses Makaton signs and a few PECS cards at home.", "none"),
        ("Ottilie often signs 'more' at snack time.", "direct"),
        # how the worker observed, with nothing of what was seen, is a stock phrase
        ("Ottilie does not speak, so I watched her play.", "none"),
        ("I paid close attention to her body language and eye contact.", "none"),
        ("I watched her play with the cars: Ottilie lined them up and smiled.", "observation"),
        # what someone else says of her, in their own quoted words, is not observed
        ("JS said 'she is always smiling and giggling with me'.", "none"),
        # the words of one who speaks for her are theirs
        ('Mum spoke for Ottilie - "she loves school, she has loads of friends" - while she '
         "coloured in.", "none"),
        # a "<kind of> worker" is a professional, not the writer ("the worker")
        ("The family worker said Ottilie wants to go to the park.", "none"),
        ("The youth offending worker says Ottilie wants a job.", "none"),
        # family words of other Englishes and of Wales are family: their account is theirs
        ("Mammy said Ottilie wants a dog.", "none"),
        ("Nain says Ottilie wants to stay over.", "none"),
        ("Her caregiver said Ottilie wants to stay.", "none"),
        # what her teaching assistant says is the TA's account
        ("Ottilie went out to the swing again - TA says that is how she calms.", "none"),
        # tokens are not words: an emoji reply, a greeting in any language, opening the door
        ("Ottilie replied to my text about Friday with 👍🙂.", "none"),
        ("Ottilie said salaam at the door and ran upstairs.", "none"),
        ("Ottilie answered the door and then went back to her game.", "none"),
        # a child without speech shows what she wants by gesture, movement and sound
        ("Ottilie took my hand and led me to the window, then flapped and hummed.",
         "observation"),
    ],
)  # fmt: skip
def test_more_forms_of_the_childs_voice(annotator, text, voice):
    ctx = _ctx(annotator, "Ottilie", "F", 9, (), [text, "Ottilie uses signs and PECS."])
    assert _voice(annotator, text, ctx) == voice


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('Tyler said "no". Mum said Tyler was tired. Then Ava laughed.', "Tyler"),
        ("Mr Hale said Ava had settled. Mr Hale will call again.", "Ava"),  # Mr Hale: an adult
        ("Spoke to Mum about the plan.", None),  # no first name at all
        ("Ava and Tyler played; Ava chose the game.", "Ava"),
    ],
)
def test_an_unnamed_passages_child_is_the_first_name_it_uses_most(text, name):
    assert likely_child_name(text) == name


def test_a_name_given_a_role_is_not_the_unnamed_passages_child(annotator):
    role_of = annotator.relationships
    text = "Mum Kirsty said Tyler was fine. Kirsty said he sleeps well. Tyler smiled."
    assert likely_child_name(text) == "Kirsty"  # most used, with no reading of roles
    assert likely_child_name(text, role_of=role_of) == "Tyler"
    text = "Helen (interpreter) said Sami laughed at the puppet. Helen was clear."
    assert likely_child_name(text, role_of=role_of) == "Sami"
    text = "Older brother Kofi said Amara was asleep."
    assert likely_child_name(text, role_of=role_of) == "Amara"


def test_an_unnamed_passage_written_as_a_letter_is_to_the_child():
    text = "Dear Rowan, you showed me Biscuit. Biscuit is your dog. Milo waved at Biscuit."
    assert likely_child_name(text) == "Rowan"
    assert likely_child_name("Dear Mum, thank you for the tea. Milo said hi.") == "Milo"


def test_failing_a_known_first_name_the_child_is_a_rare_word_that_speaks():
    # "Kez" is no first name the data knows, but it speaks, twice
    assert likely_child_name("Kez said she does the tea. Kez told me she is tired.") == "Kez"
    assert likely_child_name("Spoke to Mum about the plan.") is None


def test_failing_a_first_name_an_unnamed_passages_child_is_its_initial():
    assert likely_child_name("Saw J alone in her room. J said school is ok.") == "J"
    # "M said" is the mother in terse notes: a role letter is never the child
    assert likely_child_name("M said J was tired. J went to bed.", frozenset({"M"})) == "J"
    assert likely_child_name("M said she was tired.", frozenset({"M"})) is None
    assert likely_child_name("Plan B was agreed at the meeting.") is None  # a label


def test_what_shows_a_word_speaks_is_the_lexicons_reporting_verbs():
    from notereview.nlp._patterns import CueEntry
    from notereview.nlp._unnamed import speaks_rx

    # "mentioned" is a reporting verb of the default lexicon (not in any list of this module)
    assert likely_child_name("Kez mentioned the tea. Kez mentioned school.") == "Kez"
    # a verb that reports only through an aid ("showed") does not show that a word speaks
    assert likely_child_name("Kez showed me the tea. Kez showed me school.") is None
    # the verbs come from the pattern set given: one whose only reporting verb is "hollered"
    cues = [
        CueEntry(id="rv_holler", kind="reporting_verb", terms=("hollered",)),
        CueEntry(id="rv_aid_x", kind="reporting_verb", needs_aid=True, terms=("mentioned",)),
    ]
    speaks = speaks_rx(cues)
    assert likely_child_name("Kez hollered at tea. Kez hollered.", speaks=speaks) == "Kez"
    assert likely_child_name("Kez mentioned tea. Kez mentioned it.", speaks=speaks) is None
    assert speaks.match(": fine") is not None  # a colon before words still speaks
