"""The audit queue: ordering, its reasons, filters and spreading across teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from notereview.triage import QueueParams, TriageError, build_queue


@dataclass(frozen=True)
class Case:
    child_id: str
    team: str
    legal_status: str
    score: float
    worker_id: str = "W1"
    grade_band: str = "inadequate"
    confidence: float = 0.9
    themes: dict[str, float | None] = field(default_factory=dict)
    reasons: tuple[str, ...] = ("no visit in 10 weeks", "no chronology", "plan not reviewed", "x")
    p_inadequate: float | None = None


NOW = datetime(2026, 4, 1, tzinfo=UTC)
NO_SPREAD = QueueParams(team_penalty=0, worker_penalty=0)


def test_weakness_is_weighted_by_legal_status_risk() -> None:
    cases = [
        Case("cl", "A", "CL", 0.2),
        Case("cp", "A", "CP", 0.4),
        Case("cin", "A", "CIN", 0.3),
        Case("good-cp", "A", "CP", 0.95),
    ]
    items = build_queue(cases, params=NO_SPREAD)
    assert [i.child_id for i in items] == ["cp", "cin", "cl", "good-cp"]
    assert [i.position for i in items] == [1, 2, 3, 4]
    top = items[0]
    assert top.reasons[:3] == ("no visit in 10 weeks", "no chronology", "plan not reviewed")
    assert any("legal status CP weighs x1.00" in r for r in top.reasons)
    assert top.reasons[3].startswith("position 1: priority 0.60")


def test_risk_weights_are_parameters() -> None:
    cases = [Case("cl", "A", "CL", 0.2), Case("cp", "A", "CP", 0.4)]
    flipped = QueueParams(risk_weights={"CL": 1.0, "CP": 0.1}, team_penalty=0, worker_penalty=0)
    assert [i.child_id for i in build_queue(cases, params=flipped)] == ["cl", "cp"]


def test_unsure_files_get_a_bonus_and_recent_audits_a_penalty() -> None:
    sure = Case("sure", "A", "CP", 0.5, confidence=0.95)
    unsure = Case("unsure", "A", "CP", 0.5, confidence=0.2)
    items = build_queue([sure, unsure], params=NO_SPREAD)
    assert items[0].child_id == "unsure"
    assert any("checks are unsure" in r for r in items[0].reasons)

    audited = {"unsure": NOW - timedelta(days=3)}
    items = build_queue([sure, unsure], last_audited=audited, now=NOW, params=NO_SPREAD)
    assert items[0].child_id == "sure"
    assert any("audited 3 days ago" in r for r in items[1].reasons)
    long_ago = {"unsure": NOW - timedelta(days=400)}
    assert build_queue([sure, unsure], last_audited=long_ago, now=NOW)[0].child_id == "unsure"


def test_one_team_does_not_fill_the_page() -> None:
    weak_north = [
        Case(f"n{i}", "North", "CP", 0.10 + i * 0.01, worker_id=f"N{i}") for i in range(8)
    ]
    others = [
        Case("s1", "South", "CP", 0.30, worker_id="S1"),
        Case("e1", "East", "CP", 0.32, worker_id="E1"),
    ]
    plain = build_queue(weak_north + others, limit=5, params=NO_SPREAD)
    assert {i.team for i in plain} == {"North"}
    spread = build_queue(weak_north + others, limit=6)
    assert {"South", "East"} <= {i.team for i in spread[:5]}
    moved = [i for i in spread if any("placed" in r and "lower" in r for r in i.reasons)]
    assert moved and all(i.team == "North" for i in moved)
    # the full queue still holds every file exactly once
    full = build_queue(weak_north + others)
    assert sorted(i.child_id for i in full) == sorted(c.child_id for c in weak_north + others)


def test_filters_by_team_status_and_theme() -> None:
    cases = [
        Case("a", "North", "CP", 0.6, themes={"voice": 0.1, "genogram": None}),
        Case("b", "South", "LAC", 0.2, themes={"voice": 0.9, "genogram": 0.3}),
        Case("c", "North", "CIN", 0.4, themes={"voice": 0.5, "genogram": float("nan")}),
    ]
    assert {i.child_id for i in build_queue(cases, team="North")} == {"a", "c"}
    assert [i.child_id for i in build_queue(cases, legal_status="LAC")] == ["b"]
    by_voice = build_queue(cases, theme="voice", params=NO_SPREAD)
    assert [i.child_id for i in by_voice] == ["a", "c", "b"]
    assert any("voice score 0.10" in r for r in by_voice[0].reasons)
    # files with no applicable criterion in the theme drop out
    assert [i.child_id for i in build_queue(cases, theme="genogram")] == ["b"]
    with pytest.raises(TriageError):
        build_queue(cases, theme="sparkle")
    assert build_queue(cases, limit=0) == ()


def test_queue_is_deterministic() -> None:
    cases = [Case(f"k{i}", "ABC"[i % 3], "CP", 0.5) for i in range(20)]
    assert build_queue(cases) == build_queue(list(reversed(cases)))


# --- the case model's p_inadequate ---------------------------------------------------------


def _modelled() -> list[Case]:
    # the rubric and the case model disagree: by score "cp" is weakest, by the model "cin"
    return [
        Case("cp", "A", "CP", 0.30, grade_band="inadequate", p_inadequate=0.20),
        Case("cin", "A", "CP", 0.60, grade_band="requires_improvement", p_inadequate=0.90),
        Case("lac", "A", "CP", 0.50, grade_band="requires_improvement", p_inadequate=0.55),
    ]


def test_whole_file_queue_ranks_on_the_case_model_when_every_file_has_it() -> None:
    items = build_queue(_modelled(), params=NO_SPREAD)
    assert [i.child_id for i in items] == ["cin", "lac", "cp"]
    assert {i.ranked_on for i in items} == {"case_model"}
    top = items[0]
    assert top.priority == pytest.approx(0.90)
    assert top.p_inadequate == 0.90
    assert (
        "weak file: the case model puts the chance an auditor grades it inadequate at 0.90; "
        "rubric score 0.60 (requires improvement); legal status CP weighs x1.00"
    ) in top.reasons
    # legal-status risk still weighs the model's estimate
    cp = Case("cp", "A", "CP", 0.9, p_inadequate=0.5)
    cl = Case("cl", "A", "CL", 0.1, p_inadequate=0.8)
    weighted = build_queue([cp, cl], params=NO_SPREAD)
    assert [i.child_id for i in weighted] == ["cp", "cl"]  # 0.5 x 1.0 beats 0.8 x 0.4


def test_without_p_inadequate_the_queue_ranks_on_the_rubric_score() -> None:
    cases = [
        Case(c.child_id, c.team, c.legal_status, c.score, grade_band=c.grade_band)
        for c in _modelled()
    ]
    items = build_queue(cases, params=NO_SPREAD)
    assert [i.child_id for i in items] == ["cp", "lac", "cin"]
    assert {i.ranked_on for i in items} == {"rubric_score"}
    assert all(i.p_inadequate is None for i in items)
    assert items[0].priority == pytest.approx(0.70)
    assert not any("case model" in r for i in items for r in i.reasons)
    # NaN (a parquet column's empty cell) counts as no estimate
    nan = [Case("a", "A", "CP", 0.3, p_inadequate=float("nan")), Case("b", "A", "CP", 0.6)]
    assert [(i.child_id, i.ranked_on, i.p_inadequate) for i in build_queue(nan)] == [
        ("a", "rubric_score", None),
        ("b", "rubric_score", None),
    ]


def test_a_mixed_queue_never_mixes_the_two_scales() -> None:
    # "old" comes from a run with no case model: every file falls back to the rubric score
    mixed = [*_modelled(), Case("old", "A", "CP", 0.45, grade_band="inadequate")]
    items = build_queue(mixed, params=NO_SPREAD)
    assert [i.child_id for i in items] == ["cp", "old", "lac", "cin"]
    assert {i.ranked_on for i in items} == {"rubric_score"}
    by_id = {i.child_id: i for i in items}
    assert by_id["cin"].p_inadequate == 0.90 and by_id["old"].p_inadequate is None
    assert (
        "ranked on the rubric score, not the case model's 0.90: 1 of the 4 files in this queue "
        "has no case-model estimate, and one queue never mixes the two scales"
    ) in by_id["cin"].reasons
    assert not any("case model" in r for r in by_id["old"].reasons)
    # the rule looks at the files the filters leave: with "old" filtered out, the model ranks
    elsewhere = [*_modelled(), Case("old", "B", "CP", 0.45)]
    assert {i.ranked_on for i in build_queue(elsewhere)} == {"rubric_score"}
    assert [i.ranked_on for i in build_queue(elsewhere, team="A")] == ["case_model"] * 3


def test_the_case_model_can_be_switched_off() -> None:
    off = QueueParams(use_case_model=False, team_penalty=0, worker_penalty=0)
    items = build_queue(_modelled(), params=off)
    assert [i.child_id for i in items] == ["cp", "lac", "cin"]
    assert {i.ranked_on for i in items} == {"rubric_score"}
    assert items[0].p_inadequate == 0.20  # still reported, not used
    assert any("the queue is set not to use the case model" in r for r in items[0].reasons)
    assert QueueParams().use_case_model  # on by default


def test_theme_queues_stay_on_theme_scores() -> None:
    cases = [
        Case("a", "A", "CP", 0.2, themes={"voice": 0.8}, p_inadequate=0.95),
        Case("b", "A", "CP", 0.9, themes={"voice": 0.1}, p_inadequate=0.05),
    ]
    items = build_queue(cases, theme="voice", params=NO_SPREAD)
    assert [i.child_id for i in items] == ["b", "a"]
    assert {i.ranked_on for i in items} == {"theme_score"}
    assert not any("case model" in r for i in items for r in i.reasons)
