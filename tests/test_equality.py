"""Equality monitoring (issue 20, item 4): the monitoring fields, the report's suppression of
small cells, its intervals' coverage on generated data, and a planted bias flagged."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from notereview.casefile import CaseFile, Child, Visit
from notereview.equality import (
    CAVEAT,
    age_band,
    communication_need,
    equality_report,
    markdown,
    mean_interval,
    monitoring_row,
    wilson,
)


def test_age_bands() -> None:
    assert [age_band(a) for a in (None, 0, 1, 4, 5, 9, 10, 15, 16, 21)] == [
        "unknown", "under 1", "1-4", "1-4", "5-9", "5-9", "10-15", "10-15", "16+", "16+",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("texts", "need"),
    [
        (["Mo spoke through the interpreter about school."], "interpreter"),
        (["We used Language Line for Dad."], "interpreter"),
        (["Ivy answered on her talker.", "She signed in Makaton."], "communication aid"),
        (
            ["Sam used his PECS book.", "An interpreter for Mum."],
            "interpreter and communication aid",
        ),
        (["Sam drew a picture.", "Mum signed the plan.", "Signs of Safety mapping."], "none"),
        ([], "none"),
    ],
)
def test_communication_need_from_the_records(texts: list[str], need: str) -> None:
    assert communication_need(texts) == need


def test_monitoring_row_carries_the_fields_apart_from_any_score() -> None:
    child = Child("C1", "CP", date(2026, 1, 5), "East", "W1", date_of_birth=date(2019, 6, 1),
                  gender="F", ethnicity="a) WBRI", disability="yes")  # fmt: skip
    visit = Visit("V1", "C1", date(2026, 3, 2), date(2026, 3, 2), True,
                  "Through the interpreter Ana told me she is happy.")  # fmt: skip
    row = monitoring_row(CaseFile.build(child, visits=[visit]), date(2026, 11, 2))
    assert row == {
        "child_id": "C1", "gender": "F", "age_band": "5-9", "legal_status": "CP",
        "ethnicity": "a) WBRI", "disability": "yes", "communication_need": "interpreter",
    }  # fmt: skip
    # set or not, the monitoring fields leave the hash of a file without them unchanged
    bare = CaseFile.build(Child("C1", "CP", date(2026, 1, 5), "East", "W1"))
    assert (
        bare.content_hash()
        == CaseFile.build(
            Child("C1", "CP", date(2026, 1, 5), "East", "W1", ethnicity=None)
        ).content_hash()
    )
    assert (
        bare.content_hash()
        != CaseFile.build(
            Child("C1", "CP", date(2026, 1, 5), "East", "W1", ethnicity="a) WBRI")
        ).content_hash()
    )


# ------------------------------------------------------------------ generated runs


def _run(rng: random.Random, n: int, wrong_rate: dict[str, float], audited: float = 1.0):
    """A generated run: files with scores and ranks, monitoring fields, and audits in which the
    rubric's grade is wrong with the given probability for each communication need."""
    needs = ["none"] * 8 + ["interpreter", "communication aid"]
    rows, monitoring, audits = [], [], {}
    for i in range(n):
        cid = f"C{i:05d}"
        score = rng.random()
        band = "inadequate" if score < 0.4 else ("requires_improvement" if score < 0.7 else "good")
        need = rng.choice(needs)
        rows.append({"child_id": cid, "score": score, "grade_band": band})
        monitoring.append({
            "child_id": cid, "gender": rng.choice(["F", "M"]),
            "age_band": rng.choice(["1-4", "5-9", "10-15", "16+"]),
            "legal_status": rng.choice(["CIN", "CP", "LAC"]),
            "ethnicity": rng.choice(["a) WBRI", "j) AIND", "o) BAFR", "i) MOTH"]),
            "disability": rng.choice(["yes", "no", "no", "no"]), "communication_need": need,
        })  # fmt: skip
        if rng.random() < audited:
            wrong = rng.random() < wrong_rate[need]
            other = "good" if band != "good" else "inadequate"
            audits[cid] = other if wrong else band
    ranked = sorted(rows, key=lambda r: (r["score"], r["child_id"]))
    for rank, r in enumerate(ranked, start=1):
        r["rank"] = rank
    return rows, monitoring, audits


def test_small_cells_are_suppressed() -> None:
    rng = random.Random(1)
    cases, monitoring, audits = _run(rng, 120, {"none": 0.1, "interpreter": 0.1,
                                                "communication aid": 0.1}, audited=0.3)  # fmt: skip
    monitoring[0]["ethnicity"] = "r) OOTH"  # a group of one
    report = equality_report(cases, monitoring, audits, min_cell=10)
    tiny = next(r for r in report.rows if r.group == "r) OOTH")
    assert tiny.files is None and tiny.mean_score is None and tiny.top_decile is None
    for r in report.rows:
        if r.files is not None:
            assert r.files >= 10
            assert (r.audited is None) == (r.disagreement is None)
            if r.audited is not None:
                assert r.audited >= 10
    assert any(r.files is not None and r.audited is None for r in report.rows)
    page = markdown(report)
    assert "| r) OOTH | fewer than 10 | suppressed |" in page
    assert CAVEAT in page
    as_json = report.as_dict()
    assert {"dimension": "ethnicity", "group": "r) OOTH"}.items() <= next(
        g for g in as_json["groups"] if g["group"] == "r) OOTH"
    ).items()
    assert next(g for g in as_json["groups"] if g["group"] == "r) OOTH")["files"] == (
        "fewer than 10"
    )


@pytest.mark.parametrize(("p", "n"), [(0.05, 40), (0.2, 15), (0.5, 30), (0.3, 200)])
def test_wilson_intervals_cover_at_the_stated_rate(p: float, n: int) -> None:
    rng = random.Random(int(p * 1000) + n)
    reps = 2000
    covered = 0
    for _ in range(reps):
        k = sum(rng.random() < p for _ in range(n))
        low, high = wilson(k, n)
        covered += low <= p <= high
    assert 0.92 <= covered / reps <= 0.99, covered / reps


def test_mean_intervals_cover_at_the_stated_rate() -> None:
    rng = random.Random(7)
    covered = sum(
        lo <= 0.5 <= hi
        for _, lo, hi in (mean_interval([rng.random() for _ in range(40)]) for _ in range(2000))
    )
    assert 0.93 <= covered / 2000 <= 0.97


def test_the_reports_disagreement_intervals_cover_the_truth() -> None:
    """On many generated runs, each group's disagreement interval holds the group's true rate
    about 95% of the time."""
    truth = {"none": 0.15, "interpreter": 0.15, "communication aid": 0.15}
    hits = total = 0
    for seed in range(300):
        cases, monitoring, audits = _run(random.Random(seed), 300, truth)
        for r in equality_report(cases, monitoring, audits).rows:
            if r.dimension == "communication_need" and r.disagreement is not None:
                total += 1
                hits += r.disagreement.low <= truth[r.group] <= r.disagreement.high
    assert total >= 800
    assert 0.93 <= hits / total <= 0.975, hits / total


def test_a_planted_bias_is_flagged(tmp_path: Path) -> None:
    """Voice missed more often for children with an interpreter: the rubric's grade is wrong
    for 45% of their audited files against 10% of others'. The group is flagged on
    disagreement, with the caveat; no other communication group is."""
    rates = {"none": 0.10, "interpreter": 0.45, "communication aid": 0.10}
    cases, monitoring, audits = _run(random.Random(11), 1500, rates)
    report = equality_report(cases, monitoring, audits)
    need = {r.group: r for r in report.rows if r.dimension == "communication_need"}
    assert need["interpreter"].disagreement is not None and need["interpreter"].disagreement.flag
    assert not need["none"].disagreement.flag  # type: ignore[union-attr]
    assert not need["communication aid"].disagreement.flag  # type: ignore[union-attr]
    page = markdown(report)
    assert "- communication need = interpreter: the rubric disagrees with the auditor" in page
    assert "A question to look into, not a finding." in page
    # the same through the command line, from a run folder's files
    from typer.testing import CliRunner

    from notereview.cli import app

    run = tmp_path / "run"
    run.mkdir()
    pd.DataFrame(cases).to_parquet(run / "cases.parquet")
    pd.DataFrame(monitoring).to_parquet(run / "monitoring.parquet")
    pd.DataFrame({"child_id": list(audits), "overall": list(audits.values())}).to_csv(
        run / "audits.csv", index=False
    )
    out = CliRunner().invoke(
        app, ["equality", str(run), "--audits", str(run / "audits.csv"),
              "--json", str(tmp_path / "eq.json")],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "communication need = interpreter" in out.output
    flagged = [g for g in json.loads((tmp_path / "eq.json").read_text())["groups"] if g["flagged"]]
    assert any(g["group"] == "interpreter" for g in flagged)


def test_a_run_writes_monitoring_apart_from_the_scores(scored_run, synth_extract: Path) -> None:
    from notereview.equality import MONITORING_COLUMNS, equality_report, load_audits

    _, out = scored_run
    monitoring = pd.read_parquet(out / "monitoring.parquet")
    cases = pd.read_parquet(out / "cases.parquet")
    assert list(monitoring.columns) == MONITORING_COLUMNS
    assert sorted(monitoring["child_id"]) == sorted(cases["child_id"])
    assert not set(MONITORING_COLUMNS[1:]) & (set(cases.columns) - {"legal_status"})
    key = json.loads((synth_extract / "answer_key.json").read_text())["children"]
    signing = {c for c, v in key.items() if v["communication"] in ("bsl", "makaton", "aac")}
    needs = dict(zip(monitoring["child_id"], monitoring["communication_need"], strict=True))
    assert signing and all(needs[c] != "none" for c in signing if c in needs)
    report = equality_report(
        cases.to_dict("records"), monitoring.to_dict("records"),
        load_audits(str(synth_extract / "answer_key.json")),
    )  # fmt: skip
    assert report.files == len(cases) and report.audited == len(cases)


def test_the_generators_planted_bias_hides_voice_from_the_reviewer(
    reviewer, tmp_path: Path
) -> None:
    """generate(..., interpreter_voice_hidden=1.0) writes the words a child gives through an
    interpreter as the interpreter's account; the answer key still calls them the child's
    voice. The bytes are unchanged when it is off; when on, the reviewer misses the voice on
    the planted visits that it reads as voice without the bias."""
    from notereview.extract import read_extract
    from notereview.synth import generate

    plain, planted = tmp_path / "plain", tmp_path / "planted"
    generate(plain, 120, 5)
    generate(tmp_path / "off", 120, 5, interpreter_voice_hidden=0.0)
    for name in ("children.csv", "visits.csv", "answer_key.json"):
        assert (plain / name).read_bytes() == (tmp_path / "off" / name).read_bytes()
    generate(planted, 120, 5, interpreter_voice_hidden=1.0)
    key = json.loads((planted / "answer_key.json").read_text())["children"]
    hit = {
        vid: v["voice"]
        for c in key.values()
        for vid, v in c["visits"].items()
        if "planted_interpreter_account" in v.get("phenomena", [])
    }
    assert len(hit) >= 5 and set(hit.values()) <= {"direct", "reported"}
    children = {vid.split("-")[0].replace("V", "C") for vid in hit}

    def voice_labels(folder: Path) -> dict[str, str]:
        ex = read_extract(folder)
        labels: dict[str, str] = {}
        for case in ex.case_files():
            if case.child.child_id in children:
                review = reviewer.review(case, ex.as_of, tuple(ex.tables_absent))
                labels.update({k: v.voice for k, v in review.visit_labels.items()})
        return labels

    before, after = voice_labels(plain), voice_labels(planted)
    read_before = [v for v in hit if before.get(v) in ("direct", "reported")]
    missed_after = [v for v in read_before if after.get(v) == "none"]
    # measured: 8 of the 20 (the reviewer still reads "the interpreter said he wants ..." as
    # the child's words where the pronoun resolves to the child)
    assert len(read_before) >= 10 and len(missed_after) >= 0.3 * len(read_before), (
        len(missed_after), len(read_before),
    )  # fmt: skip
    others = [v for v in before if v not in hit]
    same = sum(before[v] == after.get(v) for v in others)
    assert same >= 0.95 * len(others)  # the other visits' texts are the same bytes


def test_disagreement_on_one_themes_grade() -> None:
    """With a theme, the auditor's grade of that theme is set against the rubric's band of the
    file's theme score; files where the theme does not apply are left out."""
    cases = [
        {"child_id": f"C{i}", "score": 0.5, "rank": i + 1, "grade_band": "good",
         "voice": None if i == 0 else (0.9 if i % 2 else 0.1)}
        for i in range(40)
    ]  # fmt: skip
    monitoring = [{"child_id": c["child_id"], "gender": "F"} for c in cases]
    audits = {c["child_id"]: "good" for c in cases}
    overall = equality_report(cases, monitoring, audits)
    voice = equality_report(cases, monitoring, audits, theme="voice")
    assert overall.overall_disagreement == 0.0 and overall.audited == 40
    assert voice.audited == 39  # no voice score for C0
    assert voice.overall_disagreement == pytest.approx(19 / 39)  # the 0.1s are inadequate
    assert voice.as_dict()["disagreement_on"] == "voice grade"


@pytest.mark.slow
def test_the_generators_planted_bias_is_flagged_end_to_end(tmp_path: Path) -> None:
    """600 generated children scored twice, without and with the planted bias (voice given
    through an interpreter written as the interpreter's account): on C1 (the child's own
    words), the interpreter group's disagreement with the answer key is flagged only with
    the bias. Measured at seed 5: 26% (13-46%) of 23 without it, 42% (24-61%) of 24 with it,
    against 18-19% of the reference group."""
    from notereview.batch import BatchOptions, run_batch
    from notereview.equality import load_audits, read_run_statuses, read_run_tables
    from notereview.synth import generate

    flags = {}
    for share in (0.0, 1.0):
        folder = tmp_path / str(share)
        generate(folder / "x", 600, 5, interpreter_voice_hidden=share)
        run_batch(folder / "x", folder / "out", BatchOptions(workers=2))
        cases, monitoring = read_run_tables(str(folder / "out"))
        report = equality_report(
            cases, monitoring, load_audits(str(folder / "x" / "answer_key.json"), criterion="C1"),
            criterion="C1", statuses=read_run_statuses(str(folder / "out"), "C1"),
        )  # fmt: skip
        row = next(r for r in report.rows
                   if r.dimension == "communication_need" and r.group == "interpreter")  # fmt: skip
        assert row.disagreement is not None
        flags[share] = row.disagreement.flag
    assert flags == {0.0: False, 1.0: True}


def test_disagreement_on_one_criterions_status(tmp_path: Path) -> None:
    cases = [{"child_id": f"C{i}", "score": 0.5, "rank": i + 1, "grade_band": "good"}
             for i in range(20)]  # fmt: skip
    monitoring = [{"child_id": c["child_id"], "gender": "F"} for c in cases]
    statuses = {c["child_id"]: "partly_met" for c in cases}
    audits = {f"C{i}": ("Partly met" if i % 4 else "met") for i in range(20)}
    report = equality_report(cases, monitoring, audits, criterion="C1", statuses=statuses)
    assert report.audited == 20 and report.overall_disagreement == 0.25
    assert report.subject == "C1 status"
    with pytest.raises(ValueError, match="statuses"):
        equality_report(cases, monitoring, audits, criterion="C1")
    with pytest.raises(ValueError, match="not both"):
        equality_report(cases, monitoring, audits, theme="voice", criterion="C1", statuses={})
    key = tmp_path / "key.json"  # an auditor's key: criteria as {status, why}
    key.write_text(json.dumps({"children": {"C1": {"criteria": {
        "C1": {"status": "not_met", "why": "no words of the child"}}}}}))  # fmt: skip
    from notereview.equality import load_audits

    assert load_audits(str(key), criterion="C1") == {"C1": "not_met"}
