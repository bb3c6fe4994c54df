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
from notereview.triage import weighted_kappa
from notereview.vocabulary import SIGNIFICANT_EVENTS

AS_OF = DEFAULT_AS_OF
# The review window as auditors read "the last six months": the as-of month and the six whole
# months before it (England policy review_window_months: 6), worked out here independently.
WINDOW_START = date(AS_OF.year - (AS_OF.month <= 6), (AS_OF.month - 7) % 12 + 1, 1)
CRITERIA = (
    "V1",
    "V2",
    "V3",
    "V4",
    "V5",
    "C1",
    "C2",
    "C3",
    "C4",
    "S1",
    "S2",
    "S3",
    "S4",
    "H1",
    "H2",
    "H3",
    "H4",
    "P1",
    "P2",
    "P3",
    "G1",
    "G2",
    "G3",
    "M1",
    "M2",
    "M3",
)
STATUSES = {"met", "partly_met", "not_met", "not_applicable"}
GRADES = ("inadequate", "requires_improvement", "good", "outstanding")
THEMES = ("visits", "voice", "case_summary", "chronology", "plans", "genogram", "oversight")
NEGATIVE_KINDS = (
    "parent_words",
    "other_child_words",
    "professional_account",
    "attempt",
    "hypothetical",
    "history",
    "name_as_object",
    "stock_phrase",
    "greeting",
    "bare_opinion",
)
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


def schedule_status(lapses: list[int], overdue_now: bool, minor_limit: int) -> str:
    """Where the child stands on as-of (docs/criteria.md "Schedules"): met with no lapse;
    not met when overdue now; partly met after one lapse, or up to two minor ones."""
    if not lapses:
        return "met"
    if overdue_now:
        return "not_met"
    if len(lapses) == 1 or (len(lapses) <= 2 and all(x <= minor_limit for x in lapses)):
        return "partly_met"
    return "not_met"


def opening(days: list[date], status_start: date) -> date:
    """Where a schedule's first judged interval opens: the status start when it falls inside
    the window; else the last record before the window (since the status start), else the
    window start."""
    if status_start >= WINDOW_START:
        return status_start
    before = [x for x in days if status_start <= x < WINDOW_START]
    return before[-1] if before else WINDOW_START


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
    for table in (
        "children",
        "visits",
        "case_summaries",
        "plans",
        "plan_actions",
        "chronology",
        "genograms",
        "supervision",
    ):
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
            assert v["voice"] in (
                "direct",
                "reported",
                "observation",
                "attempted_not_obtained",
                "none",
            )
            assert isinstance(v["recorded_late_days"], int) and v["recorded_late_days"] >= 0
            for flag in ("plan_linked", "analysis", "on_time", "copy_paste", "wishes_feelings"):
                assert isinstance(v[flag], bool)
        for a in child["plan_actions"].values():
            assert a["smart"] == (
                a["specific"] and a["measurable"] and a["owner_named"] and a["timebound"]
            )
        if child["summary"] is not None:
            assert child["summary"]["voice"] in (
                "direct",
                "reported",
                "generic",
                "none",
                "observation",
            )
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
            r["team"],
            r["worker_id"],
            r["legal_status"],
            int(r["age_years"]),
        )


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
    made_good = 0
    for r in tables["children"]:
        status = r["legal_status"]
        if status not in ("CIN", "CP", "CL"):
            continue
        limit = {"CP": 10, "CIN": 20, "CL": 56}[status]
        seen = sorted(
            d(v["visit_date"])
            for v in visits.get(r["child_id"], [])
            if v["seen"] == "y" and d(v["visit_date"]) <= AS_OF
        )
        start = max(WINDOW_START, d(r["status_start"]))
        judged = [x for x in seen if x >= start]
        if not judged:
            expected = "not_met"
        else:
            lapses, overdue_now = [], False
            points = [opening(seen, d(r["status_start"])), *judged, AS_OF]
            for i, (a, b) in enumerate(pairwise(points)):
                if status == "CL":  # personal adviser contact: 8 calendar weeks
                    late = (
                        max(1, working_days(a + timedelta(days=limit), b))
                        if (b - a).days > limit
                        else 0
                    )
                else:
                    late = max(0, working_days(a, b) - limit)
                if late:
                    lapses.append(late)
                    overdue_now = i == len(points) - 2
            expected = schedule_status(lapses, overdue_now, 5)
            made_good += bool(lapses) and not overdue_now
        got = key["children"][r["child_id"]]["criteria"]["V1"]
        assert got == expected, r["child_id"]
        checked[expected] += 1
    assert len(checked) == 3  # met, partly and not met all occur
    assert made_good >= 10  # lapses made good since: the case the convention turns on


def test_v2_recomputed(key: dict, tables: dict) -> None:
    visits = by_child(tables["visits"])
    dob = {r["child_id"]: d(r["date_of_birth"]) for r in tables["children"] if r["date_of_birth"]}
    outcomes = Counter()
    for child_id, child in key["children"].items():
        rows = visits.get(child_id, [])
        window = [v for v in rows if WINDOW_START <= d(v["visit_date"]) <= AS_OF]
        if not window:
            assert child["criteria"]["V2"] == "not_applicable"
            continue
        seen_days = [d(v["visit_date"]) for v in rows if v["seen"] == "y"]
        unseen = [d(v["visit_date"]) for v in window if v["seen"] == "n"]
        # a no-access visit followed by a visit that sees the child within 5 working days
        followed = [u for u in unseen if any(u < x and working_days(u, x) <= 5 for x in seen_days)]
        judged = len(window) - len(followed)
        seen = [v for v in window if v["seen"] == "y"]
        share = len(seen) / judged if judged else 1.0

        def age(v: dict[str, str], cid: str = child_id) -> int:
            if cid not in dob:
                return 18
            born, on = dob[cid], d(v["visit_date"])
            return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

        older = [v for v in seen if age(v) >= 4]
        alone = not older or sum(v["seen_alone"] == "y" for v in older) / len(older) >= 0.8
        breach = child["legal_status"] == "CP" and len(followed) < len(unseen)
        if share >= 0.8 and alone:
            expected = "partly_met" if breach else "met"
        else:
            expected = "partly_met" if share >= 0.5 else "not_met"
        assert child["criteria"]["V2"] == expected, child_id
        outcomes["followed_up"] += bool(followed)
        outcomes["unfollowed"] += len(followed) < len(unseen)
        outcomes["cp_breach"] += breach and share >= 0.8 and alone
    assert outcomes["followed_up"] >= 10 and outcomes["unfollowed"] >= 10
    assert outcomes["cp_breach"] >= 1


def test_voice_criteria_apply_exactly_to_verbal_children(key: dict, tables: dict) -> None:
    visits = by_child(tables["visits"])
    non_verbal_text = re.compile(r"is non-verbal|does not use words")
    for r in tables["children"]:
        child = key["children"][r["child_id"]]
        texts = [v["text"] for v in visits.get(r["child_id"], [])]
        non_verbal = any(non_verbal_text.search(t) for t in texts)
        pre_verbal = int(r["age_years"]) < 3
        seen_in_window = any(
            v["seen"] == "y" and WINDOW_START <= d(v["visit_date"]) <= AS_OF
            for v in visits.get(r["child_id"], [])
        )
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
                assert (
                    '"' in text
                    or "quote" in text
                    or set(v["phenomena"])
                    & {"letter", "interpreter", "bsl", "makaton", "app", "pecs", "eyegaze"}
                ), vid
            if v["wishes_feelings"]:
                assert v["voice"] in ("direct", "reported"), vid
            if v["voice"] == "observation":
                assert not child["verbal"], vid
            if rows[vid]["seen"] == "n":  # a young person's text is their voice, seen or not
                assert not v["on_time"]
                assert v["voice"] in ("none", "attempted_not_obtained") or (
                    v["voice"] == "direct" and "text_message" in v["phenomena"]
                ), vid
            if v["copy_paste"]:
                source = rows[v["copy_of"]]["text"]
                ratio = difflib.SequenceMatcher(
                    None, source.split(), text.split(), autojunk=False
                ).ratio()
                assert ratio > 0.85, vid


def test_genogram_g2_recomputed(key: dict, tables: dict) -> None:
    latest: dict[str, dict[str, str]] = {}
    for g in tables["genograms"]:
        if g["child_id"] not in latest or g["updated_at"] > latest[g["child_id"]]["updated_at"]:
            latest[g["child_id"]] = g
    for child_id, child in key["children"].items():
        if child_id not in latest:  # the family is not mapped at all
            assert child["criteria"]["G2"] == "not_met"
            assert child["criteria"]["G1"] == "not_met"
            continue
        members = json.loads(latest[child_id]["members"])
        sides = Counter(m["side"] for m in members)
        conditions = [
            sides["maternal"] >= 2 and sides["paternal"] >= 2,  # the parent and a relative
            len({m["generation"] for m in members} | {0}) >= 3,
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
            expected = "met" if 30 <= words <= 800 else "partly_met" if words <= 1500 else "not_met"
            assert crit["S2"] == expected, child_id
        entries = chronology.get(child_id, [])
        if not entries:
            assert crit["H1"] == "not_met"
            assert crit["H3"] == crit["H4"] == "not_applicable"
        else:
            # when an entry was typed in is not H1's question; whether it is kept is
            kept = max(max(d(e["event_date"]), d(e["entered_at"])) for e in entries)
            fails = (
                len(entries) < 3
                or sum(bool(e["source"]) for e in entries) / len(entries) < 0.9
                or kept < AS_OF - timedelta(days=92)
            )
            assert crit["H1"] == ("partly_met" if fails else "met"), child_id
        every = sorted(d(s["date"]) for s in supervision.get(child_id, []))
        records = [x for x in every if WINDOW_START <= x <= AS_OF]
        if not records:
            assert crit["M1"] == "not_met" and crit["M2"] == "not_applicable"
        else:
            limit = 28 if child["legal_status"] == "CP" else 42
            start = opening(every, d(child_rows[child_id]["status_start"]))
            start_in = max(WINDOW_START, d(child_rows[child_id]["status_start"]))
            points = [start, *(x for x in records if x >= start_in), AS_OF]
            over = [(b - a).days - limit for a, b in pairwise(points)]
            lapses = [x for x in over if x > 0]
            expected = schedule_status(lapses, over[-1] > 0, 10)
            assert crit["M1"] == expected, child_id


def test_p1_from_every_action(key: dict, tables: dict) -> None:
    plans = {r["plan_id"]: r["child_id"] for r in tables["plans"]}
    by_child_actions: dict[str, list[str]] = {}
    for a in tables["plan_actions"]:  # done or open: how each action was written
        by_child_actions.setdefault(plans[a["plan_id"]], []).append(a["action_id"])
    for child_id, child in key["children"].items():
        ids = by_child_actions.get(child_id, [])
        if not ids:
            assert child["criteria"]["P1"] == "not_met"
            continue
        share = sum(child["plan_actions"][i]["smart"] for i in ids) / len(ids)
        expected = "met" if share == 1.0 else "partly_met" if share >= 0.4 else "not_met"
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
                    f"{AS_OF.year}-12-31",
                    f"{AS_OF.year}-01-01",
                    "2099-12-31",
                    plan_start[row["plan_id"]],
                ), aid
            if a["timebound"]:
                assert real_due or (a["time_in_text"] and when.search(row["text"])), aid
            else:
                assert not real_due and not a["time_in_text"], aid
            if a["owner_field_junk"]:
                assert row["owner"] in (
                    "SW",
                    "All",
                    "TBC",
                    "Ongoing",
                    "ASAP",
                    "Various",
                    "Family",
                    "Team",
                ), aid
            if not a["owner_named"]:
                assert not row["owner"] or a["owner_field_junk"], aid


def test_missing_chronology_events_really_are_missing(key: dict, tables: dict) -> None:
    chronology = by_child(tables["chronology"])
    record_child = {}
    for table, col in (
        ("visits", "visit_id"),
        ("supervision", "record_id"),
        ("case_summaries", "summary_id"),
    ):
        for r in tables[table]:
            record_child[r[col]] = r["child_id"]
    total = 0
    for child_id, child in key["children"].items():
        for m in child["chronology_missing_events"]:
            total += 1
            day = d(m["date"])
            near = [
                e
                for e in chronology.get(child_id, [])
                if e["event_type"] == m["event_type"] and abs((d(e["event_date"]) - day).days) <= 14
            ]
            assert not near, (child_id, m)
            assert record_child[m["mentioned_in"]["record_id"]] == child_id
            if m["mentioned_in"]["table"] == "visits":
                assert m["event_type"] in child["visits"][m["mentioned_in"]["record_id"]]["events"]
        for m in child["chronology_missing_events"]:
            assert m["in_review_window"] == (WINDOW_START <= d(m["date"]) <= AS_OF)
        # H2 judges only the events dated inside the review window
        n = sum(m["in_review_window"] for m in child["chronology_missing_events"])
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
    assert all(
        voices[k] >= 10
        for k in ("direct", "reported", "observation", "attempted_not_obtained", "none")
    )
    assert sum(v["copy_paste"] for v in visits) >= 5
    assert sum(bool(v["events"]) for v in visits) >= 20
    comms = Counter(c["communication"] for c in key["children"].values())
    for mode in ("speech", "interpreter", "makaton", "app", "nonverbal", "preverbal"):
        assert comms[mode] >= 1, mode
    text = "\n".join(r["text"] for r in tables["visits"])
    for phrase in (
        "is non-verbal",
        "interpreter",
        "Makaton",
        "did not want to",
        "declined to speak",
        "last ",
        "If ",
        " had said",
        "appeared",
    ):
        assert phrase in text, phrase
    assert re.search(r"\bon \d{1,2}(st|nd|rd|th) [A-Z][a-z]+\b", text)
    summary_parts = Counter(
        p for c in key["children"].values() if c["summary"] for p in c["summary"]["safety_parts"]
    )
    assert set(summary_parts) == {"worries", "strengths", "who_does_what_by_when", "contingency"}
    assert any(
        a["child_wishes"] for c in key["children"].values() for a in c["plan_actions"].values()
    )
    sup = [s for c in key["children"].values() for s in c["supervision"].values()]
    assert any(s["reflective"] for s in sup) and not all(s["reflective"] for s in sup)


def test_grades_spread_realistically(key: dict) -> None:
    n = len(key["children"])
    grades = Counter(c["grade"] for c in key["children"].values())
    assert 0.15 <= grades["inadequate"] / n <= 0.35
    assert 0.35 <= grades["requires_improvement"] / n <= 0.58
    assert 0.2 <= grades["good"] / n <= 0.4


def _weighted_kappa(a: list[str], b: list[str]) -> float | None:
    idx = {g: i for i, g in enumerate(GRADES)}
    return weighted_kappa([idx[x] for x in a], [idx[y] for y in b], len(GRADES), "linear")


def test_auditors_agree_about_as_much_as_real_ones(key: dict) -> None:
    a = [c["auditor_grades"][0]["overall"] for c in key["children"].values()]
    b = [c["auditor_grades"][1]["overall"] for c in key["children"].values()]
    agreement = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    assert 0.64 <= agreement <= 0.85
    kappa = _weighted_kappa(a, b)
    assert kappa is not None and 0.55 <= kappa <= 0.8


SIGNIFICANT = set(SIGNIFICANT_EVENTS)


def add_months_back(day: date, months: int) -> date:
    month_index = day.month - 1 - months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError(day)


def test_s1_current_or_not_overtaken(key: dict, tables: dict) -> None:
    summaries = by_child(tables["case_summaries"])
    chronology = by_child(tables["chronology"])
    seen = Counter()
    for child_id, child in key["children"].items():
        rows = summaries.get(child_id)
        if not rows:
            assert child["criteria"]["S1"] == "not_met"
            continue
        written = max(d(r["updated_at"]) for r in rows)
        recorded = [
            d(e["event_date"])
            for e in chronology.get(child_id, [])
            if e["event_type"] in SIGNIFICANT
        ]
        recorded += [d(e["date"]) for e in child["events"] if e["mentioned_in"]]
        overtaken = any(written < x <= AS_OF for x in recorded)
        if written < add_months_back(AS_OF, 6):
            expected = "not_met"
        elif written >= add_months_back(AS_OF, 3) or not overtaken:
            expected = "met"
            seen["older_but_current"] += written < add_months_back(AS_OF, 3)
        else:
            expected = "partly_met"
        assert child["criteria"]["S1"] == expected, child_id
        seen[expected] += 1
    assert seen["met"] and seen["partly_met"] and seen["not_met"]
    assert seen["older_but_current"] >= 1  # older than 3 months, nothing significant since


def test_s4_counts_sentences_of_the_childs_voice(key: dict) -> None:
    seen = Counter()
    for child_id, child in key["children"].items():
        summary = child["summary"]
        if summary is None:
            assert child["criteria"]["S4"] == "not_applicable"
            continue
        voiced = summary["voice"] in ("direct", "reported", "observation")
        assert summary["voice_sentences"] == voiced + summary["plan_shaped_by_voice"], child_id
        n = summary["voice_sentences"]
        expected = (
            "met"
            if n >= 2
            else "partly_met"
            if n == 1 or summary["voice"] == "generic"
            else "not_met"
        )
        assert child["criteria"]["S4"] == expected, child_id
        seen[(expected, n)] += 1
    assert seen[("met", 2)] and seen[("partly_met", 1)] and seen[("partly_met", 0)]


def test_m3_judged_action_by_action(key: dict, tables: dict) -> None:
    rows = {r["record_id"]: r for r in tables["supervision"]}
    seen = Counter()
    for child_id, child in key["children"].items():
        window = [
            s
            for rid, s in child["supervision"].items()
            if WINDOW_START <= d(rows[rid]["date"]) <= AS_OF
        ]
        for rid, s in child["supervision"].items():
            assert bool(s["actions_timed"]) == s["actions_owned"], rid
            if s["actions_owned"]:  # "Actions: SW to ...; TM to ..." one clause per action
                actions = rows[rid]["text"].split("Actions:", 1)[1]
                assert len(re.findall(r"\b(SW|TM) to\b", actions)) == len(s["actions_timed"]), rid
        if not window:
            assert child["criteria"]["M3"] == "not_applicable"
            continue
        timed = [t for s in window for t in s["actions_timed"]]
        share = sum(timed) / len(timed) if timed else 0.0
        expected = "met" if share >= 0.8 else "partly_met" if any(timed) else "not_met"
        assert child["criteria"]["M3"] == expected, child_id
        seen[expected] += 1
        seen["some_untimed"] += expected == "met" and not all(timed)
    assert seen["met"] and seen["partly_met"] and seen["not_met"] and seen["some_untimed"]


def test_g1_and_g3_follow_the_household_and_who_drew_it(key: dict, tables: dict) -> None:
    latest: dict[str, dict[str, str]] = {}
    for g in tables["genograms"]:
        if g["child_id"] not in latest or g["updated_at"] > latest[g["child_id"]]["updated_at"]:
            latest[g["child_id"]] = g
    names = {r["child_id"]: r["first_name"] for r in tables["children"]}
    seen = Counter()
    for child_id, child in key["children"].items():
        crit = child["criteria"]
        visit = any(v["network"] for v in child["visits"].values())
        g = latest.get(child_id)
        if g is None:
            assert child["genogram"] is None and crit["G1"] == "not_met"
            notes = 0
        else:
            drawn = d(g["updated_at"])
            assert child["genogram"]["date"] == g["updated_at"]
            changed = any(
                e["event_type"] in ("new_adult_in_household", "placement_move")
                and drawn < d(e["date"]) <= AS_OF
                and (e["in_chronology"] or e["mentioned_in"])
                for e in child["events"]
            )
            old = drawn < add_months_back(AS_OF, 12)
            assert crit["G1"] == ("partly_met" if old or changed else "met"), child_id
            seen["overtaken"] += changed and not old
            notes = child["genogram"]["discussed_with"]
            if notes == 1:  # drawn with Mum alone: her name, not the child's
                mum = next(
                    m["name"].split()[0]
                    for m in json.loads(g["members"])  # listed first
                    if m["side"] == "maternal" and m["generation"] == 1
                )
                assert mum in g["notes"] and names[child_id].split()[0] not in g["notes"]
        expected = (
            "met"
            if notes >= 2 or (notes and visit)
            else "partly_met"
            if notes or visit
            else "not_met"
        )
        assert crit["G3"] == expected, child_id
        seen[("G3", expected, notes)] += 1
    assert seen["overtaken"] >= 1
    assert seen[("G3", "partly_met", 1)] and seen[("G3", "met", 1)]
