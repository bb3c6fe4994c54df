"""The phenomena of real recording in the synthetic extract: each appears at its stated rate and
is labelled as the auditor's convention says (../shared/eval/casefiles_dev/README.md, "How the
auditor labelled"): the child called by a nickname, an initial or another spelling; several
people quoted in one note; letters to the child; words through an interpreter, signs, symbols, a
talker, eye-gaze or a text message; a baby's babble; a carer relaying the child's words; a parent
interpreting; old words written in as new; analysis in plain words; visits tied to the plan by its
decisions; dictation left in; junk in plan action fields; stock phrases.

Rates are shares of the 5,856 visit records (1,510 plan actions) of 400 children, seed 7."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from notereview.synth import DEFAULT_AS_OF, generate
from notereview.synth._data import phenomena_file, records_file

#: (low, high) share of all visit records showing each phenomenon.
VISIT_RATES: dict[str, tuple[float, float]] = {
    "letter": (0.03, 0.1),
    "multi_speaker": (0.08, 0.2),
    "plan_by_decision": (0.12, 0.3),
    "plain_analysis": (0.15, 0.35),
    "empty_verdict": (0.06, 0.18),
    "old_words": (0.025, 0.08),
    "carer_relays": (0.03, 0.08),
    "dictation": (0.08, 0.3),
    "stock_phrase": (0.15, 0.4),
    "text_message": (0.008, 0.03),
    "babble": (0.008, 0.03),
    "parent_interprets": (0.008, 0.03),
    "emoji": (0.006, 0.025),
    "interpreter": (0.005, 0.025),
    "makaton": (0.008, 0.03),
    "app": (0.01, 0.04),
    "pecs": (0.006, 0.03),
    "bsl": (0.001, 0.01),
    "eyegaze": (0.001, 0.01),
    "remote_attempt": (0.003, 0.015),
}
#: (low, high) share of visit records calling the child by each form of the name.
NAME_FORM_RATES: dict[str, tuple[float, float]] = {
    "registered": (0.6, 0.8),
    "initial": (0.05, 0.14),
    "initials": (0.05, 0.14),
    "lower": (0.03, 0.1),
    "nickname": (0.015, 0.06),
    "intro": (0.008, 0.04),
    "variant": (0.006, 0.03),
    "none": (0.0, 0.06),  # the record never names the child ("Child seen.")
}
#: How a child speaker's words reach the record, and the voice label each gives.
DIRECT_HOWS = {
    "quoted",
    "message",
    "you_said",
    "interpreter",
    "makaton",
    "app",
    "bsl",
    "pecs",
    "eyegaze",
}
REPORTED_HOWS = {"reported", "relayed"}
NOT_VOICE_HOWS = {"old", "emoji"}
JUNK_OWNERS = {"SW", "All", "TBC", "Ongoing", "ASAP", "Various", "Family", "Team"}
SIGNAL_WORDS = (
    "suggest",
    "indicat",
    "impact",
    "this means",
    "this shows",
    "demonstrat",
    "evidence",
    "risk",
    "significan",
)
#: Words every plan and every record share; a decision may use them and still be "other words".
GENERIC_WORDS = {
    "school",
    "family",
    "support",
    "worker",
    "child",
    "children",
    "parents",
    "carer",
    "carers",
    "would",
    "every",
    "about",
    "needs",
}
DICTATION = (" full stop", " new paragraph", " comma ", " new line ")
_WORD = re.compile(r"[a-z0-9']+")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("phenomena")
    generate(out, 400, seed=7)
    return out


@pytest.fixture(scope="module")
def key(folder: Path) -> dict:
    return json.loads((folder / "answer_key.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for table in ("children", "visits", "genograms", "plans", "plan_actions"):
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            out[table] = list(csv.DictReader(fh))
    return out


@pytest.fixture(scope="module")
def visits(key: dict, tables: dict) -> list[tuple[str, dict, str]]:
    """(child_id, the key's visit entry, the visit's text) for every visit record."""
    text = {r["visit_id"]: r["text"] for r in tables["visits"]}
    return [
        (cid, v | {"visit_id": vid}, text[vid])
        for cid, c in key["children"].items()
        for vid, v in c["visits"].items()
    ]


def test_each_phenomenon_appears_at_its_stated_rate(visits: list) -> None:
    n = len(visits)
    tags = Counter(t for _, v, _ in visits for t in v["phenomena"])
    for tag, (lo, hi) in VISIT_RATES.items():
        assert lo <= tags[tag] / n <= hi, (tag, tags[tag] / n)
    forms = Counter(v["name_form"] for _, v, _ in visits)
    for form, (lo, hi) in NAME_FORM_RATES.items():
        assert lo <= forms[form] / n <= hi, (form, forms[form] / n)


def test_the_registered_name_and_the_genogram_let_a_reader_work_out_every_form(
    key: dict, tables: dict, visits: list
) -> None:
    names = phenomena_file().names
    first = {r["child_id"]: r["first_name"] for r in tables["children"]}
    latest: dict[str, dict[str, str]] = {}
    for g in tables["genograms"]:
        if g["child_id"] not in latest or g["updated_at"] >= latest[g["child_id"]]["updated_at"]:
            latest[g["child_id"]] = g
    for cid, child in key["children"].items():
        n = child["names"]
        assert first[cid] == n["registered"]  # the formal name stays registered
        if cid in latest:
            members = json.loads(latest[cid]["members"])
            subject = [m for m in members if m["relationship"] in ("child", "subject child")]
            assert [m["name"] for m in subject] == [f"{n['registered']} {n['surname']}"], cid
            assert all(len(m["name"].split()) >= 2 for m in members), cid  # family names too
    checked = Counter()
    for cid, v, text in visits:
        n = key["children"][cid]["names"]
        reg, form = n["registered"], v["name_form"]
        if form == "initial":
            word = reg[0]
        elif form == "initials":
            initials = reg[0] + n["surname"][0]
            word = next(w for w in n["also_called"] if w.replace(".", "") == initials)
        elif form == "lower":
            word = reg.lower()
        elif form in ("nickname", "intro"):
            word = next(w for w in names.nicknames[reg] if re.search(rf"\b{w}\b", text))
            if form == "intro" and "letter" not in v["phenomena"]:
                assert f"{reg} ({word})" in text, v["visit_id"]
        elif form == "variant":
            word = next(w for w in names.spellings[reg] if re.search(rf"\b{w}\b", text))
        else:
            word = reg
        if form == "none":
            word = ""
        found = re.search(rf"(?<![A-Za-z.]){re.escape(word)}(?![A-Za-z])", text) if word else True
        assert found, (v["visit_id"], form)
        checked[form] += 1
    assert set(checked) == set(NAME_FORM_RATES)


def test_voice_is_the_strongest_child_speaker_per_the_convention(visits: list) -> None:
    """direct iff some child's words are quoted, signed, typed, texted, interpreted or "you
    said" in a letter; reported iff otherwise paraphrased or relayed by a carer; never from a
    parent, sibling, carer or professional, old words, an emoji, a parent interpreting."""
    for _, v, _ in visits:
        hows = {s["how"] for s in v["speakers"] if s["speaker"] == "child"}
        assert hows <= DIRECT_HOWS | REPORTED_HOWS | NOT_VOICE_HOWS, hows
        if hows & DIRECT_HOWS:
            assert v["voice"] == "direct", v["visit_id"]
        elif hows & REPORTED_HOWS:
            assert v["voice"] == "reported", v["visit_id"]
        else:
            assert v["voice"] in ("observation", "attempted_not_obtained", "none"), v["visit_id"]
    others = Counter(s["speaker"] for _, v, _ in visits for s in v["speakers"])
    assert {"parent", "carer", "sibling", "professional"} <= set(others)


def test_communication_routes_and_texts_carry_direct_voice(key: dict, visits: list) -> None:
    routes = {
        "interpreter",
        "makaton",
        "app",
        "bsl",
        "pecs",
        "eyegaze",
        "text_message",
        "letter_you_said",
    }
    seen = Counter()
    for cid, v, text in visits:
        for tag in routes & set(v["phenomena"]):
            seen[tag] += 1
            assert v["voice"] == "direct", (v["visit_id"], tag)
        comm = key["children"][cid]["communication"]
        for tag in {"makaton", "app", "bsl", "pecs", "eyegaze"} & set(v["phenomena"]):
            assert comm == tag, v["visit_id"]
        if "text_message" in v["phenomena"]:
            assert key["children"][cid]["age"] >= 13
            assert re.search(r"WhatsApp|text|messag|voice note", text, re.I), v["visit_id"]
    assert set(seen) == routes


def test_babble_is_observation_of_a_baby(key: dict, visits: list) -> None:
    babbled = [(cid, v, text) for cid, v, text in visits if "babble" in v["phenomena"]]
    assert babbled
    for cid, v, text in babbled:
        assert v["voice"] == "observation" and v["observation"], v["visit_id"]
        assert key["children"][cid]["communication"] == "preverbal"
        assert re.search(r'"[a-z-]+"', text), v["visit_id"]  # the sounds, quoted


def test_relayed_interpreted_and_old_words_are_what_they_claim(tables: dict, visits: list) -> None:
    day = {r["visit_id"]: date.fromisoformat(r["visit_date"]) for r in tables["visits"]}
    said: dict[str, list[tuple[date, str]]] = {}  # the child's quoted words, and when
    olds = 0
    for cid, v, _ in sorted(visits, key=lambda x: day[x[1]["visit_id"]]):
        tags = set(v["phenomena"])
        child = [s for s in v["speakers"] if s["speaker"] == "child"]
        if "carer_relays" in tags:
            assert any(s["how"] == "relayed" for s in child)
            assert any(s["how"] == "relays" and s["speaker"] != "child" for s in v["speakers"])
        if "parent_interprets" in tags:
            assert any(s["how"] == "interprets" and s["speaker"] != "child" for s in v["speakers"])
        if "old_words" in tags and not v["copy_paste"]:
            olds += 1
            old = [s for s in child if s["how"] == "old"]
            assert old, v["visit_id"]
            for s in old:  # said by this child, in a record two or more months earlier
                when = [d for d, w in said.get(cid, []) if w == s["words"]]
                assert when and (day[v["visit_id"]] - min(when)).days >= 60, v["visit_id"]
        for s in child:
            if s["how"] in ("quoted", "message"):
                said.setdefault(cid, []).append((day[v["visit_id"]], s["words"]))
    assert olds


def test_letters_to_the_child(key: dict, visits: list) -> None:
    letters = [(cid, v, text) for cid, v, text in visits if "letter" in v["phenomena"]]
    assert letters
    for cid, v, text in letters:
        child = key["children"][cid]
        assert child["verbal"] and child["age"] >= 5
        assert re.match(r"(Dear|Hi|To) ", text), v["visit_id"]
        assert re.search(r"\b[Yy]our?\b", text), v["visit_id"]
        if "letter_you_said" in v["phenomena"]:
            assert re.search(r"\b[Yy]ou (told|said|explained|were)\b", text), v["visit_id"]
    assert sum("letter_you_said" in v["phenomena"] for _, v, _ in letters) / len(letters) > 0.4


def test_several_people_are_quoted_in_one_note(visits: list) -> None:
    seen = [v for _, v, _ in visits if v["seen"]]
    crowded = [v for v in seen if len({s["speaker"] for s in v["speakers"]}) >= 3]
    assert 0.08 <= len(crowded) / len(seen) <= 0.3
    multi = [v for v in seen if "multi_speaker" in v["phenomena"]]
    with_child = [
        v
        for v in multi
        if any(s["speaker"] == "child" and s["how"] == "quoted" for s in v["speakers"])
    ]
    assert 0.3 <= len(with_child) / len(multi) <= 0.7  # the child is among them, or not


def test_plain_analysis_has_no_signal_words_and_is_analysis(visits: list) -> None:
    phen = phenomena_file()
    for sentence in [*phen.pools.analysis_plain, *phen.letter.analysis]:
        assert not any(w in sentence.lower() for w in SIGNAL_WORDS), sentence
    for sentence in phen.pools.pseudo_analysis:
        assert not any(w in sentence.lower() for w in SIGNAL_WORDS), sentence
    for _, v, _ in visits:
        if "plain_analysis" in v["phenomena"]:
            assert v["analysis"], v["visit_id"]
        if "empty_verdict" in v["phenomena"]:
            assert not v["analysis"], v["visit_id"]


def test_plan_decisions_are_in_other_words_than_the_actions(visits: list) -> None:
    for name, topic in records_file().topics.items():
        action_words = {
            w
            for x in [
                *topic.specific,
                *topic.measure,
                *topic.monitor,
                *topic.vague,
                *topic.purpose,
                *topic.noun,
            ]
            for w in _WORD.findall(x.lower())
            if len(w) >= 5
        }
        for decision in topic.decision:
            words = {w for w in _WORD.findall(decision.lower()) if len(w) >= 5}
            assert not (words - GENERIC_WORDS) & action_words, (name, decision)
    decided = [v for _, v, _ in visits if "plan_by_decision" in v["phenomena"]]
    assert decided and all(v["plan_linked"] for v in decided)


def test_dictation_and_stock_phrases_are_in_the_text(visits: list) -> None:
    no_concerns = [x.rstrip(".") for x in phenomena_file().pools.no_concerns]
    for _, v, text in visits:
        if "dictation" in v["phenomena"]:
            assert any(t in text for t in DICTATION), v["visit_id"]
        if "stock_phrase" in v["phenomena"]:
            assert "stock_phrase" in v["hard_negatives"] or any(x in text for x in no_concerns)


def test_junk_in_plan_action_fields_is_not_an_owner_or_a_due_date(key: dict, tables: dict) -> None:
    rows = {a["action_id"]: a for a in tables["plan_actions"]}
    actions = [(aid, a) for c in key["children"].values() for aid, a in c["plan_actions"].items()]
    n = len(actions)
    assert 0.15 <= sum(a["owner_field_junk"] for _, a in actions) / n <= 0.35
    assert 0.1 <= sum(a["due_field_junk"] for _, a in actions) / n <= 0.3
    assert 0.25 <= sum(a["time_in_text"] for _, a in actions) / n <= 0.5
    junk_but_smart = 0
    for aid, a in actions:
        row = rows[aid]
        if a["owner_field_junk"]:
            assert row["owner"] in JUNK_OWNERS, aid
        if a["due_field_junk"]:
            assert (
                row["due_date"]
                in (f"{DEFAULT_AS_OF.year}-12-31", f"{DEFAULT_AS_OF.year}-01-01", "2099-12-31")
                or row["due_date"] < DEFAULT_AS_OF.isoformat()
            )
            # a default date alone never makes an action timebound
            assert a["timebound"] == a["time_in_text"], aid
        if a["smart"] and (a["owner_field_junk"] or a["due_field_junk"]):
            junk_but_smart += 1  # the text says the real who and when
    assert junk_but_smart >= 40


def test_no_single_phrasing_gives_a_label_away(key: dict, visits: list) -> None:
    """No four words in a row (the child's names masked) stand in 30% or more of the records
    with a label while standing in under a fifth as many of those without it: a label is
    taught by many wordings, not one template."""
    labels = {
        "direct": lambda v: v["voice"] == "direct",
        "reported": lambda v: v["voice"] == "reported",
        "attempted": lambda v: v["voice"] == "attempted_not_obtained",
        "plan_linked": lambda v: v["plan_linked"],
        "analysis": lambda v: v["analysis"],
    }
    grams = []
    for cid, v, text in visits:
        if v["copy_paste"]:
            continue
        n = key["children"][cid]["names"]
        for form in sorted([n["registered"], *n["also_called"]], key=len, reverse=True):
            text = re.sub(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])", "NAME", text)
        words = _WORD.findall(text.lower())
        grams.append((v, set(zip(words, words[1:], words[2:], words[3:], strict=False))))
    for label, has in labels.items():
        pos = [g for v, g in grams if has(v)]
        neg = [g for v, g in grams if not has(v)]
        in_pos = Counter(x for g in pos for x in g)
        in_neg = Counter(x for g in neg for x in g)
        for gram, count in in_pos.most_common(50):
            share = count / len(pos)
            if share < 0.3:
                break
            assert in_neg[gram] / len(neg) >= share / 5, (label, " ".join(gram), share)


def test_name_data_is_complete() -> None:
    from notereview.synth import STYLE_NAMES
    from notereview.synth._data import content_file

    names = phenomena_file().names
    children = set(content_file().child_names)
    assert set(names.nicknames) <= children and set(names.spellings) <= children
    assert set(names.habits) <= {"default", *STYLE_NAMES}
    for formal, forms in {**names.nicknames, **names.spellings}.items():
        assert forms and formal not in forms, formal
