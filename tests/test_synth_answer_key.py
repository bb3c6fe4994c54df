"""The answer key: complete, consistent with the tables, and following docs/criteria.md.

Several statuses are recomputed here from the written tables with small independent code
(its own working-day count from the ``holidays`` package), not with the generator's.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections import Counter
from datetime import date, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path

import holidays
import pytest

from notereview.synth import DEFAULT_AS_OF, generate

AS_OF = DEFAULT_AS_OF
WINDOW_START = AS_OF - timedelta(days=181)
CRITERIA = ("V1", "V2", "V3", "V4", "V5", "C1", "C2", "C3", "C4", "S1", "S2", "S3", "S4",
            "H1", "H2", "H3", "H4", "P1", "P2", "P3", "G1", "G2", "G3", "M1", "M2", "M3")
STATUSES = {"met", "partly_met", "not_met", "not_applicable"}
GRADES = ("inadequate", "requires_improvement", "good", "outstanding")
THEMES = ("visits", "voice", "case_summary", "chronology", "plans", "genogram", "oversight")
NEGATIVE_KINDS = ("parent_words", "other_child_words", "professional_account", "attempt",
                  "hypothetical", "history", "name_as_object", "stock_phrase", "greeting",
                  "bare_opinion")
BANK = holidays.country_holidays("GB", subdiv="ENG", years=range(2000, 2029))


@cache
def working_days(start: date, end: date) -> int:
    """Working days in (start, end]."""
    n, d = 0, start
    while d < end:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in BANK:
            n += 1
    return n


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthkey")
    generate(out, 450, seed=11)
    return out


@pytest.fixture(scope="module")
def key(folder: Path) -> dict:
    return json.loads((folder / "answer_key.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tables(folder: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for table in ("children", "visits", "case_summaries", "plans", "plan_actions", "chronology",
                  "genograms", "supervision"):
        with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
            out[table] = list(csv.DictReader(fh))
    return out


def by_child(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(r["child_id"], []).append(r)
    return out


def d(value: str) -> date:
    return date.fromisoformat(value)


def test_key_header_and_shape(key: dict) -> None:
    assert key["generator_version"]
    assert key["seed"] == 11 and key["as_of"] == AS_OF.isoformat()
    for child in key["children"].values():
        assert set(child["criteria"]) == set(CRITERIA)
        assert set(child["criteria"].values()) <= STATUSES
        assert 0.0 <= child["quality"] <= 1.0
        for field in ("team", "worker_id", "legal_status", "age", "style", "verbal"):
            assert field in child
        for v in child["visits"].values():
            assert v["voice"] in ("direct", "reported", "observation", "attempted_not_obtained",
                                  "none")
            assert isinstance(v["recorded_late_days"], int) and v["recorded_late_days"] >= 0
            for flag in ("plan_linked", "analysis", "on_time", "copy_paste", "wishes_feelings"):
                assert isinstance(v[flag], bool)
        for a in child["plan_actions"].values():
            assert a["smart"] == (a["specific"] and a["measurable"] and a["owner_named"]
                                  and a["timebound"])
        if child["summary"] is not None:
            assert child["summary"]["voice"] in ("direct", "reported", "generic", "none",
                                                 "observation")
        assert len(child["auditor_grades"]) == 2
        for g in child["auditor_grades"]:
            assert g["overall"] in GRADES
            assert set(g["themes"]) == set(THEMES)
            assert set(g["themes"].values()) <= set(GRADES)
        assert child["auditor_grades"][0]["auditor"] != child["auditor_grades"][1]["auditor"]


def test_every_record_is_in_the_key_and_back(key: dict, tables: dict) -> None:
    children = key["children"]
    assert set(children) == {r["child_id"] for r in tables["children"]}
    visits = {vid for c in children.values() for vid in c["visits"]}
    assert visits == {r["visit_id"] for r in tables["visits"]}
    actions = {aid for c in children.values() for aid in c["plan_actions"]}
    assert actions == {r["action_id"] for r in tables["plan_actions"]}
    sup = {sid for c in children.values() for sid in c["supervision"]}
    assert sup == {r["record_id"] for r in tables["supervision"]}
    for r in tables["visits"]:
        assert r["visit_id"] in children[r["child_id"]]["visits"]
    for r in tables["children"]:
        entry = children[r["child_id"]]
        assert (entry["team"], entry["worker_id"], entry["legal_status"], entry["age"]) == (
            r["team"], r["worker_id"], r["legal_status"], int(r["age_years"]))


def test_recording_labels_and_v3_recomputed(key: dict, tables: dict) -> None:
    visits = by_child(tables["visits"])
    for child_id, child in key["children"].items():
        window = []
        for r in visits.get(child_id, []):
            late = max(0, working_days(d(r["visit_date"]), d(r["recorded_at"])) - 3)
            assert child["visits"][r["visit_id"]]["recorded_late_days"] == late
            if WINDOW_START <= d(r["visit_date"]) <= AS_OF:
                window.append(late == 0)
        if not window:
            expected = "not_applicable"
        else:
            share = sum(window) / len(window)
            expected = "met" if share >= 0.9 else "partly_met" if share >= 0.6 else "not_met"
        assert child["criteria"]["V3"] == expected, child_id


def test_v1_recomputed_for_cin_cp_and_care_leavers(key: dict, tables: dict) -> None:
    visits = by_child(tables["visits"])
    checked = Counter()
    for r in tables["children"]:
        status = r["legal_status"]
        if status not in ("CIN", "CP", "CL"):
            continue
        limit = {"CP": 10, "CIN": 20, "CL": 56}[status]
        anchor = max(WINDOW_START, d(r["status_start"]))
        seen = sorted(d(v["visit_date"]) for v in visits.get(r["child_id"], [])
                      if v["seen"] == "y" and anchor <= d(v["visit_date"]) <= AS_OF)
        if not seen:
            expected = "not_met"
        else:
            over = []
            for a, b in zip([anchor, *seen], [*seen, AS_OF], strict=True):
                if status == "CL":  # personal adviser contact: 8 calendar weeks
                    if (b - a).days > limit:
                        over.append(working_days(a + timedelta(days=limit), b))
                    continue
                gap = working_days(a, b)
                if gap > limit:
                    over.append(gap - limit)
            expected = ("met" if not over else "partly_met" if len(over) == 1 and over[0] <= 5
                        else "not_met")
        got = key["children"][r["child_id"]]["criteria"]["V1"]
        assert got == expected, r["child_id"]
        checked[expected] += 1
    assert len(checked) == 3  # met, partly and not met all occur


def test_v2_recomputed(key: dict, tables: dict) -> None:
    visits = by_child(tables["visits"])
    dob = {r["child_id"]: d(r["date_of_birth"]) for r in tables["children"] if r["date_of_birth"]}
    for child_id, child in key["children"].items():
        window = [v for v in visits.get(child_id, [])
                  if WINDOW_START <= d(v["visit_date"]) <= AS_OF]
        if not window:
            assert child["criteria"]["V2"] == "not_applicable"
            continue
        seen = [v for v in window if v["seen"] == "y"]
        share = len(seen) / len(window)

        def age(v: dict[str, str], cid: str = child_id) -> int:
            if cid not in dob:
                return 18
            born, on = dob[cid], d(v["visit_date"])
            return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

        older = [v for v in seen if age(v) >= 4]
        alone = not older or sum(v["seen_alone"] == "y" for v in older) / len(older) >= 0.5
        expected = ("met" if share >= 0.8 and alone else "partly_met" if share >= 0.5
                    else "not_met")
        assert child["criteria"]["V2"] == expected, child_id


def test_voice_criteria_apply_exactly_to_verbal_children(key: dict, tables: dict) -> None:
    visits = by_child(tables["visits"])
    non_verbal_text = re.compile(r"is non-verbal|does not use words")
    for r in tables["children"]:
        child = key["children"][r["child_id"]]
        texts = [v["text"] for v in visits.get(r["child_id"], [])]
        non_verbal = any(non_verbal_text.search(t) for t in texts)
        pre_verbal = int(r["age_years"]) < 3
        seen_in_window = any(v["seen"] == "y" and WINDOW_START <= d(v["visit_date"]) <= AS_OF
                             for v in visits.get(r["child_id"], []))
        assert child["verbal"] == (not non_verbal and not pre_verbal), r["child_id"]
        for crit in ("C1", "C2"):
            na = child["criteria"][crit] == "not_applicable"
            assert na == (non_verbal or pre_verbal or not seen_in_window), (r["child_id"], crit)
        c3_na = child["criteria"]["C3"] == "not_applicable"
        assert c3_na == (child["verbal"] or not seen_in_window), r["child_id"]


def test_visit_labels_are_consistent_with_text(key: dict, tables: dict) -> None:
    rows = {r["visit_id"]: r for r in tables["visits"]}
    for child in key["children"].values():
        for vid, v in child["visits"].items():
            text = rows[vid]["text"]
            if v["voice"] == "direct":  # quoted, or signed, or "you said" in a letter
                assert ('"' in text or "quote" in text
                        or set(v["phenomena"]) & {"letter", "interpreter", "bsl", "makaton", "app",
                                                  "pecs", "eyegaze"}), vid
            if v["wishes_feelings"]:
                assert v["voice"] in ("direct", "reported"), vid
            if v["voice"] == "observation":
                assert not child["verbal"], vid
            if rows[vid]["seen"] == "n":  # a young person's text is their voice, seen or not
                assert not v["on_time"]
                assert v["voice"] in ("none", "attempted_not_obtained") or (
                    v["voice"] == "direct" and "text_message" in v["phenomena"]), vid
            if v["copy_paste"]:
                source = rows[v["copy_of"]]["text"]
                ratio = difflib.SequenceMatcher(None, source.split(), text.split(),
                                                autojunk=False).ratio()
                assert ratio > 0.85, vid


def test_genogram_g2_recomputed(key: dict, tables: dict) -> None:
    latest: dict[str, dict[str, str]] = {}
    for g in tables["genograms"]:
        if g["child_id"] not in latest or g["updated_at"] > latest[g["child_id"]]["updated_at"]:
            latest[g["child_id"]] = g
    for child_id, child in key["children"].items():
        if child_id not in latest:
            assert child["criteria"]["G2"] == "not_applicable"
            assert child["criteria"]["G1"] == "not_met"
            continue
        members = json.loads(latest[child_id]["members"])
        sides = {m["side"] for m in members}
        conditions = [
            {"maternal", "paternal"} <= sides,
            len({m["generation"] for m in members}) >= 3,
            all(m["relationship"].strip() for m in members),
            len(members) >= 6,
        ]
        n = sum(conditions)
        expected = "met" if n == 4 else "partly_met" if n >= 2 else "not_met"
        assert child["criteria"]["G2"] == expected, child_id
    met = Counter(c["criteria"]["G2"] for c in key["children"].values())
    assert met["met"] and met["partly_met"] and met["not_met"]


def test_summary_s2_and_h1_m1_recomputed(key: dict, tables: dict) -> None:
    summaries = by_child(tables["case_summaries"])
    chronology = by_child(tables["chronology"])
    supervision = by_child(tables["supervision"])
    child_rows = {r["child_id"]: r for r in tables["children"]}
    for child_id, child in key["children"].items():
        crit = child["criteria"]
        rows = sorted(summaries.get(child_id, []), key=lambda r: r["updated_at"])
        if not rows:
            assert crit["S2"] == "not_applicable" and crit["S1"] == "not_met"
            assert child["summary"] is None
        else:
            words = len(rows[-1]["text"].split())
            assert child["summary"]["words"] == words
            expected = ("met" if 150 <= words <= 800 else "partly_met" if 60 <= words <= 1500
                        else "not_met")
            assert crit["S2"] == expected, child_id
        entries = chronology.get(child_id, [])
        if not entries:
            assert crit["H1"] == "not_met"
            assert crit["H3"] == crit["H4"] == "not_applicable"
        else:
            fails = (len(entries) < 3) + (
                sum(bool(e["source"]) for e in entries) / len(entries) < 0.9) + (
                sum(working_days(d(e["event_date"]), d(e["entered_at"])) <= 20
                    for e in entries) / len(entries) < 0.9)
            expected = "met" if fails == 0 else "partly_met" if fails == 1 else "not_met"
            assert crit["H1"] == expected, child_id
        records = sorted(d(s["date"]) for s in supervision.get(child_id, [])
                         if WINDOW_START <= d(s["date"]) <= AS_OF)
        if not records:
            assert crit["M1"] == "not_met" and crit["M2"] == "not_applicable"
        else:
            limit = 28 if child["legal_status"] == "CP" else 42
            start = max(WINDOW_START, d(child_rows[child_id]["status_start"]))
            points = [start, *records, AS_OF]
            over = [(b - a).days - limit for a, b in pairwise(points)
                    if (b - a).days > limit]
            expected = ("met" if not over else "partly_met" if len(over) == 1 and over[0] <= 10
                        else "not_met")
            assert crit["M1"] == expected, child_id


def test_p1_from_open_actions(key: dict, tables: dict) -> None:
    plans = {r["plan_id"]: r["child_id"] for r in tables["plans"]}
    open_by_child: dict[str, list[str]] = {}
    for a in tables["plan_actions"]:
        if a["status"] == "open":
            open_by_child.setdefault(plans[a["plan_id"]], []).append(a["action_id"])
    for child_id, child in key["children"].items():
        ids = open_by_child.get(child_id, [])
        if not ids:
            assert child["criteria"]["P1"] == "not_met"
            continue
        share = sum(child["plan_actions"][i]["smart"] for i in ids) / len(ids)
        expected = "met" if share >= 0.7 else "partly_met" if share >= 0.4 else "not_met"
        assert child["criteria"]["P1"] == expected, child_id
    # Timebound actions carry a real due date or say by when in their own words; a due-date
    # field the system filled with a default, or an owner field it filled with junk, is not
    # what makes an action timebound or owned (casefiles_dev/README.md, "How the auditor
    # labelled").
    rows = {a["action_id"]: a for a in tables["plan_actions"]}
    months = "January|February|March|April|May|June|July|August|September|October|November|December"
    when = re.compile(rf"\b(by|within|before|no later than)\b[^.;]*(\d|{months})")
    plan_start = {r["plan_id"]: r["start_date"] for r in tables["plans"]}
    for child in key["children"].values():
        for aid, a in child["plan_actions"].items():
            row = rows[aid]
            real_due = bool(row["due_date"]) and not a["due_field_junk"]
            if a["due_field_junk"]:
                assert row["due_date"] in (
                    f"{AS_OF.year}-12-31", f"{AS_OF.year}-01-01", "2099-12-31",
                    plan_start[row["plan_id"]]), aid
            if a["timebound"]:
                assert real_due or (a["time_in_text"] and when.search(row["text"])), aid
            else:
                assert not real_due and not a["time_in_text"], aid
            if a["owner_field_junk"]:
                assert row["owner"] in ("SW", "All", "TBC", "Ongoing", "ASAP", "Various",
                                        "Family", "Team"), aid
            if not a["owner_named"]:
                assert not row["owner"] or a["owner_field_junk"], aid


def test_missing_chronology_events_really_are_missing(key: dict, tables: dict) -> None:
    chronology = by_child(tables["chronology"])
    record_child = {}
    for table, col in (("visits", "visit_id"), ("supervision", "record_id"),
                       ("case_summaries", "summary_id")):
        for r in tables[table]:
            record_child[r[col]] = r["child_id"]
    total = 0
    for child_id, child in key["children"].items():
        for m in child["chronology_missing_events"]:
            total += 1
            day = d(m["date"])
            near = [e for e in chronology.get(child_id, []) if e["event_type"] == m["event_type"]
                    and abs((d(e["event_date"]) - day).days) <= 14]
            assert not near, (child_id, m)
            assert record_child[m["mentioned_in"]["record_id"]] == child_id
            if m["mentioned_in"]["table"] == "visits":
                assert m["event_type"] in child["visits"][m["mentioned_in"]["record_id"]]["events"]
        n = len(child["chronology_missing_events"])
        h2 = child["criteria"]["H2"]
        if n == 0:
            assert h2 in ("met", "not_applicable"), child_id
        elif chronology.get(child_id):
            assert h2 == ("partly_met" if n == 1 else "not_met"), child_id
        else:
            assert h2 == "not_met"
    assert total > 20


def test_hard_cases_appear(key: dict, tables: dict) -> None:
    visits = [v for c in key["children"].values() for v in c["visits"].values()]
    negatives = Counter(n for v in visits for n in v["hard_negatives"])
    for kind in NEGATIVE_KINDS:
        assert negatives[kind] >= 3, kind
    voices = Counter(v["voice"] for v in visits)
    assert all(voices[k] >= 10 for k in ("direct", "reported", "observation",
                                         "attempted_not_obtained", "none"))
    assert sum(v["copy_paste"] for v in visits) >= 5
    assert sum(bool(v["events"]) for v in visits) >= 20
    comms = Counter(c["communication"] for c in key["children"].values())
    for mode in ("speech", "interpreter", "makaton", "app", "nonverbal", "preverbal"):
        assert comms[mode] >= 1, mode
    text = "\n".join(r["text"] for r in tables["visits"])
    for phrase in ("is non-verbal", "interpreter", "Makaton", "did not want to",
                   "declined to speak", "last ", "If ", " had said", "appeared"):
        assert phrase in text, phrase
    assert re.search(r"\bon \d{1,2}(st|nd|rd|th) [A-Z][a-z]+\b", text)
    summary_parts = Counter(p for c in key["children"].values() if c["summary"]
                            for p in c["summary"]["safety_parts"])
    assert set(summary_parts) == {"worries", "strengths", "who_does_what_by_when", "contingency"}
    assert any(a["child_wishes"] for c in key["children"].values()
               for a in c["plan_actions"].values())
    sup = [s for c in key["children"].values() for s in c["supervision"].values()]
    assert any(s["reflective"] for s in sup) and not all(s["reflective"] for s in sup)


def test_grades_spread_realistically(key: dict) -> None:
    n = len(key["children"])
    grades = Counter(c["grade"] for c in key["children"].values())
    assert 0.15 <= grades["inadequate"] / n <= 0.35
    assert 0.35 <= grades["requires_improvement"] / n <= 0.58
    assert 0.2 <= grades["good"] / n <= 0.4


def _weighted_kappa(a: list[str], b: list[str]) -> float:
    idx = {g: i for i, g in enumerate(GRADES)}
    k, n = len(GRADES), len(a)
    obs = [[0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        obs[idx[x]][idx[y]] += 1
    rows = [sum(r) for r in obs]
    cols = [sum(obs[i][j] for i in range(k)) for j in range(k)]
    w = [[abs(i - j) / (k - 1) for j in range(k)] for i in range(k)]
    num = sum(w[i][j] * obs[i][j] for i in range(k) for j in range(k))
    den = sum(w[i][j] * rows[i] * cols[j] / n for i in range(k) for j in range(k))
    return 1 - num / den


def test_auditors_agree_about_as_much_as_real_ones(key: dict) -> None:
    a = [c["auditor_grades"][0]["overall"] for c in key["children"].values()]
    b = [c["auditor_grades"][1]["overall"] for c in key["children"].values()]
    agreement = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    assert 0.64 <= agreement <= 0.85
    assert 0.55 <= _weighted_kappa(a, b) <= 0.8
