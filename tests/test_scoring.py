"""Aggregation: criterion → theme → case score (hypothesis over random findings)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from notereview.checks import CRITERIA, Finding, load_rubric
from notereview.checks._finding import score_in_band
from notereview.scoring import score_case

RUBRIC = load_rubric()
THEME_OF = {cid: spec.theme for cid, spec in RUBRIC.spec.criteria.items()}


def _finding(cid: str, status: str, share: float) -> Finding:
    return Finding(
        criterion=cid,
        theme=THEME_OF[cid],
        status=status,
        score=score_in_band(status, share),
        confidence=0.8,
        missing="" if status == "met" else "something",
    )


statuses = st.sampled_from(["met", "partly_met", "not_met", "not_applicable"])


@given(
    st.lists(st.tuples(statuses, st.floats(0, 1)), min_size=len(CRITERIA), max_size=len(CRITERIA))
)
@settings(max_examples=150, deadline=None)
def test_case_score_is_a_weighted_mean_in_range(draws):
    findings = [_finding(c, s, x) for c, (s, x) in zip(CRITERIA, draws, strict=True)]
    cs = score_case("C1", findings, RUBRIC)
    assert 0.0 <= cs.score <= 1.0
    applicable = [f for f in findings if f.applicable]
    if applicable:
        assert (
            min(f.score for f in applicable) - 1e-9
            <= cs.score
            <= max(f.score for f in applicable) + 1e-9
        )
    for theme, value in cs.themes.items():
        in_theme = [f for f in applicable if f.theme == theme]
        assert (value is None) == (not in_theme)
    assert cs.grade_band == RUBRIC.band(cs.score)
    # Every criterion not met gives a reason, and reasons are ordered by lost weight.
    assert len(cs.reasons) == sum(1 for f in applicable if f.status != "met")


def test_improving_one_criterion_never_lowers_the_score():
    base = [_finding(c, "partly_met", 0.5) for c in CRITERIA]
    before = score_case("C1", base, RUBRIC).score
    for i, cid in enumerate(CRITERIA):
        better = list(base)
        better[i] = _finding(cid, "met", 1.0)
        assert score_case("C1", better, RUBRIC).score >= before


def test_bands_follow_the_rubric_thresholds():
    assert RUBRIC.band(0.9) == "good"
    assert RUBRIC.band(0.75) == "good"
    assert RUBRIC.band(0.6) == "requires_improvement"
    assert RUBRIC.band(0.2) == "inadequate"


def test_reasons_weakest_first():
    findings = [_finding(c, "met", 1.0) for c in CRITERIA]
    findings[CRITERIA.index("V1")] = _finding("V1", "not_met", 0.0)  # weight 2.0
    findings[CRITERIA.index("V3")] = _finding("V3", "partly_met", 0.5)  # weight 1.0
    cs = score_case("C1", findings, RUBRIC)
    assert cs.reasons[0].startswith("V1 ") and cs.reasons[1].startswith("V3 ")


def test_finding_rejects_a_score_outside_its_status():
    import pytest

    with pytest.raises(ValueError):
        Finding("V1", "visits", "met", 0.1, 0.9)
