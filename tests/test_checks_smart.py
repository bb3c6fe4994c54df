"""P1's plan-action labels judged on what is really there (notereview.checks._smart and
label_action): junk owner and due-date fields, the who and the when read from the text, and
specific / measurable from the action itself. Every action here is invented for the test."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from notereview import PlanAction
from notereview.checks._context import label_action
from notereview.checks._lexicon import SmartSpec, lexicon
from notereview.checks._smart import (
    due_date_problem,
    owner_field_problem,
    smart_fields,
    what_in_text,
    when_in_text,
    who_in_text,
)
from notereview.checks._smart_fields import SmartFieldsSpec

START = date(2027, 2, 8)  # the plan's start


def _said(text: str, found) -> str | None:
    return None if found is None else text[found.start : found.end]


# ---------------------------------------------------------------- junk fields


@pytest.mark.parametrize(
    "owner",
    ["SW", "sw", "Social Worker", "All", "ALL AGENCIES", "Multi-agency", "TBC", "n/a", "N/A",
     "Ongoing", "ASAP", "SW / All", "All, TBC", " tbc. ", "Core group", "Family"],
)  # fmt: skip
def test_an_owner_field_that_names_no_one_is_junk(owner):
    why = owner_field_problem(owner)
    assert why is not None and owner.strip() in why


@pytest.mark.parametrize(
    "owner",
    ["Ruth Ames (SW)", "HV", "Mum", "Grandad Mick", "Dad / SW", "Leaving care PA - Jo", "IRO",
     "Wheelchair services", "Kwame"],
)  # fmt: skip
def test_an_owner_field_that_names_someone_is_real(owner):
    assert owner_field_problem(owner) is None


def test_an_empty_owner_field_says_so():
    assert owner_field_problem(None) == "the owner field is empty"
    assert owner_field_problem("  ") == "the owner field is empty"


@pytest.mark.parametrize(
    ("due", "reason"),
    [
        (date(2027, 12, 31), "the last day of a year"),
        (date(2028, 1, 1), "the first day of a year"),
        (date(2099, 6, 30), "more than 10 years after the plan began"),
        (START, "the plan's own start date"),
        (date(2026, 11, 3), "before the plan began"),
    ],
)
def test_a_system_default_due_date_says_why_in_plain_words(due, reason):
    why = due_date_problem(due, START)
    assert why is not None
    assert why.startswith(f"the due date {due:%d/%m/%Y} looks like a system default")
    assert why.endswith(reason)


def test_a_chosen_due_date_is_no_default():
    assert due_date_problem(date(2027, 4, 23), START) is None
    assert due_date_problem(date(2027, 4, 23), None) is None
    assert due_date_problem(date(2027, 12, 31), None) is not None  # a year-end needs no plan


# ---------------------------------------------------------------- who


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("Grandad Mick to collect Leo from nursery every Friday.", "Grandad Mick to collect"),
        ("KJ to book the hearing test.", "KJ to book"),
        ("The school nurse will weigh Leo each month.", "The school nurse will weigh"),
        ("Leo's PA to drive him to the job centre.", "Leo's PA to drive"),
        ("OT (Priya Lal) to order a new bath seat.", "OT (Priya Lal) to order"),
        ("mum to put a stair gate up by Friday.", "mum to put"),
        ("A bed guard to be fitted by the housing officer.", "by the housing officer"),
        ("Leo's views on contact to be gathered by his IRO.", "by his IRO"),
        ("Swimming lessons twice a week; Owner: the foster carer.", "Owner: the foster carer"),
        ("Bus pass to be renewed, and Nan to phone the school.", "Nan to phone"),
    ],
)
def test_who_is_read_from_the_text(text, who):
    assert _said(text, who_in_text(text)) == who


@pytest.mark.parametrize(
    "text",
    [
        "Leo to be assessed.",  # a passive with no doer
        "Leo to feel calmer at bedtime.",  # a state, not an act
        "Leo to be safe at home.",
        "All partners to share concerns.",  # everybody is nobody
        "The professional network to meet in June.",
        "Swimming to continue.",  # a noun opening the sentence
        "Referral to speech therapy to be sent.",
        "Book a dental check-up for Leo.",  # an instruction names no one
        "Dental check-up for Leo.",
    ],
)
def test_no_one_named_in_the_text(text):
    assert who_in_text(text) is None


# ---------------------------------------------------------------- when


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("Nan to renew the bus pass by 14/05.", "14/05"),
        ("Nan to renew the bus pass by 3rd March 2027.", "3rd March 2027"),
        ("Dad to return the forms within 5 working days.", "within 5 working days"),
        ("OT to review the hoist after eight weeks.", "after eight weeks"),
        ("SW to ring the college within a week of the interview.", "within a week"),
        ("Foster carer to send the log before the next core group.", "before the next core group"),
        ("Leo to see his sister every Wednesday.", "every Wednesday"),
        ("Leo to see his sister twice a month.", "twice a month"),
        ("Leo to go to the youth club on Mondays.", "on Mondays"),
        ("School to set up a reading buddy by half term.", "by half term"),
        ("School to set up a reading buddy before the end of the autumn term.",
         "before the end of the autumn term"),
        ("PA to help Leo open an account before his 16th birthday.", "before his 16th birthday"),
        ("HV to repeat the check at the next review.", "at the next review"),
        ("Dad to start the course in September.", "in September"),
        ("Mum to tell the SW the same day.", "the same day"),
    ],
)  # fmt: skip
def test_when_is_read_from_the_text(text, when):
    assert _said(text, when_in_text(text, START)) == when


@pytest.mark.parametrize(
    "text",
    [
        "Mum to ring the GP ASAP.",
        "Nan to visit on an ongoing basis.",
        "Interpreter to be booked for every contact.",  # tied to events, not the calendar
        "Carer to share any worries at each handover.",
        "PA to help Leo look for work in the months ahead.",
        "Support worker to call at some point soon.",
        "Leo needs 24/7 supervision.",
        "Mum to finish the course (agreed at the last meeting on 03/03/2027).",  # past
        "Mum to finish the course started 06/05/2026.",  # with its year, before the plan
        "Dad to complete the 10 week course.",  # how long, not by when
    ],
)
def test_vague_or_past_time_is_no_timescale(text):
    assert when_in_text(text, START) is None


# ---------------------------------------------------------------- what


@pytest.mark.parametrize(
    "text",
    [
        "Dad to enrol on the 8-week parenting course.",
        "Nan to take Leo to the dentist.",
        "Register Leo with the new GP.",
        "Housing referral for the family.",  # an act written as a noun
        "Nurse to do three home visits.",  # a light verb with a countable object
        "PA to help Leo fill in the bursary form.",  # the act is the inner verb
        "SW to make a referral to the food bank and follow it up.",
        "Make sure Leo eats breakfast every school day.",  # an outcome with its own count
        "Support worker to observe Leo at tea time twice a week.",
    ],
)
def test_a_concrete_act_is_specific_and_measurable(text):
    what = what_in_text(text)
    assert what.specific and what.measurable, what


@pytest.mark.parametrize(
    "text",
    [
        "Dad to engage with the parenting hub.",
        "Foster carer to continue to encourage Leo's reading.",
        "SW to monitor the home conditions.",
        "Dad to be aware of the risks.",
        "Leo to make wiser decisions about friends.",  # a light verb with no act in its object
        "Ensure Leo's views are heard.",  # an outcome with no measure
        "Ongoing assessment of Leo's needs.",
        "Mum to attend.",  # too few words to say what
        "Therapeutic support for Leo.",
    ],
)
def test_a_vague_action_is_neither_specific_nor_measurable(text):
    what = what_in_text(text)
    assert not what.specific and not what.measurable, what


@pytest.mark.parametrize(
    ("text", "left_open"),
    [
        ("Nan to take Leo swimming and improve his confidence.", "improve"),  # an unmeasured aim
        ("Carer to check the sleep log where possible.", "where possible"),  # a hedge
        ("Mentor to meet Leo regularly at the youth centre.", "regularly"),
        ("Support worker to observe Leo at tea time.", None),  # an activity with no measure
    ],
)
def test_a_specific_act_can_still_leave_the_measure_open(text, left_open):
    what = what_in_text(text)
    assert what.specific and not what.measurable
    hole = what.vague_part or what.hedge
    assert _said(text, hole) == left_open


# ---------------------------------------------------------------- label_action


def _label(text: str, owner: str | None = None, due: date | None = None):
    return label_action(PlanAction("A1", "P1", text, owner, due), None, START)


def test_junk_fields_are_absent_and_the_evidence_says_why():
    lab = _label("Dad to engage with the parenting hub.", owner="All", due=date(2027, 12, 31))
    assert lab.owner_named  # the text names Dad
    assert not lab.timebound and not lab.specific and not lab.smart
    whys = {e.source: e.why for e in lab.evidence}
    assert whys["plan.field_default:due_date"] == (
        "the due date 31/12/2027 looks like a system default: the last day of a year"
    )
    assert "names no one in particular" in whys["plan.field_default:owner"]
    assert "a due date or timescale" in lab.missing


def test_the_text_gives_the_who_and_when_that_junk_fields_do_not():
    text = "Grandad Mick to drive Leo to family time every Saturday from 06/03/2027."
    lab = _label(text, owner="SW", due=date(2028, 1, 1))
    assert lab.smart
    sources = [e.source for e in lab.evidence]
    assert "plan.owner_text:subject" in sources and "plan.date_in_text" in sources
    assert "plan.field_default:due_date" in sources  # said, though the text makes up for it


def test_real_fields_count_when_the_text_is_silent():
    lab = _label("Register Leo with the new GP.", owner="Ruth Ames (SW)", due=date(2027, 4, 23))
    assert lab.smart and lab.missing == ()
    by = {e.source: e.why for e in lab.evidence}
    assert by["plan.owner_column"] == "owner recorded"
    assert by["plan.due_date_column"] == "due date recorded (23/04/2027)"


def test_a_bare_role_owner_and_no_due_date_leave_an_instruction_unowned():
    lab = _label("Register Leo with the new GP.", owner="SW")
    assert not lab.owner_named and not lab.timebound
    assert lab.missing == ("who is responsible", "a due date or timescale")


# ---------------------------------------------------------------- data files


def test_the_data_files_validate_and_load():
    assert smart_fields().default_dates.far_future_years == 10
    assert lexicon().smart.min_words >= 1


def test_a_verb_in_two_classes_is_refused():
    raw = lexicon().smart.model_dump()
    raw["vague_verbs"] = [*raw["vague_verbs"], "attend"]
    with pytest.raises(ValidationError, match="attend"):
        SmartSpec.model_validate(raw)


def test_an_activity_verb_must_be_concrete():
    raw = lexicon().smart.model_dump()
    raw["activity_verbs"] = [*raw["activity_verbs"], "ponder"]
    with pytest.raises(ValidationError, match="ponder"):
        SmartSpec.model_validate(raw)


def test_junk_values_are_lower_case_and_keys_are_closed():
    raw = smart_fields().model_dump()
    raw["junk_owners"]["placeholders"] = [*raw["junk_owners"]["placeholders"], "TBC"]
    with pytest.raises(ValidationError, match="lower case"):
        SmartFieldsSpec.model_validate(raw)
    raw = smart_fields().model_dump()
    raw["default_dates"]["month_end"] = True
    with pytest.raises(ValidationError):
        SmartFieldsSpec.model_validate(raw)


# ---------------------------------------------------------------- any text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_gives_spans_inside_it(text):
    for found in (who_in_text(text), when_in_text(text, START)):
        assert found is None or 0 <= found.start <= found.end <= len(text)
    what = what_in_text(text)
    for found in (what.act, what.measure, what.hedge, what.vague_part):
        assert found is None or 0 <= found.start <= found.end <= len(text)
