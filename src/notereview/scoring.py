"""Aggregation: criterion → theme → case score, grade band and the reasons, weakest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from notereview.checks._finding import Finding
from notereview.checks._rubric import THEMES, Rubric


@dataclass(frozen=True, slots=True)
class CaseScore:
    child_id: str
    score: float
    grade_band: str
    themes: dict[str, float | None]  # None where a theme has no applicable criterion
    confidence: float
    reasons: tuple[str, ...]
    #: The case model's calibrated probability that an auditor grades the file inadequate
    #: (learned from audits; None unless the rubric's ``models.case_audit`` names a model).
    p_inadequate: float | None = None


def reason_for(finding: Finding, rubric: Rubric) -> str:
    """One plain-words reason: the criterion's title and what is missing."""
    title = rubric.title(finding.criterion)
    what = finding.missing or finding.status.replace("_", " ")
    return f"{finding.criterion} {title}: {what}"


def score_case(child_id: str, findings: Sequence[Finding], rubric: Rubric) -> CaseScore:
    """Weighted means over applicable criteria and themes; reasons ordered by lost weight."""
    themes: dict[str, float | None] = {}
    theme_conf: dict[str, float] = {}
    for theme in THEMES:
        applicable = [f for f in findings if f.theme == theme and f.applicable]
        if not applicable:
            themes[theme] = None
            continue
        weights = [rubric.criterion_weight(f.criterion) for f in applicable]
        total = sum(weights)
        themes[theme] = round(
            sum(w * f.score for w, f in zip(weights, applicable, strict=True)) / total, 4
        )
        theme_conf[theme] = (
            sum(w * f.confidence for w, f in zip(weights, applicable, strict=True)) / total
        )
    scored = [(t, s) for t, s in themes.items() if s is not None and t in rubric.spec.themes]
    if scored:
        tw = [rubric.theme_weight(t) for t, _ in scored]
        score = sum(w * s for w, (_, s) in zip(tw, scored, strict=True)) / sum(tw)
        confidence = sum(w * theme_conf[t] for w, (t, _) in zip(tw, scored, strict=True)) / sum(tw)
    else:
        score, confidence = 0.0, 0.0
    score = round(score, 4)

    def lost(f: Finding) -> float:
        return rubric.theme_weight(f.theme) * rubric.criterion_weight(f.criterion) * (1 - f.score)

    weak = sorted(
        (f for f in findings if f.applicable and f.status != "met"),
        key=lambda f: (-lost(f), f.criterion),
    )
    return CaseScore(
        child_id=child_id,
        score=score,
        grade_band=rubric.band(score),
        themes=themes,
        confidence=round(confidence, 4),
        reasons=tuple(reason_for(f, rubric) for f in weak),
    )
