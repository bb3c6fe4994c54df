"""Simulated auditors: each grades a case from its true criterion statuses, with a personal
severity bias and noise, so that two auditors agree about as often as real ones do."""

from __future__ import annotations

import random
from collections.abc import Sequence

from notereview.vocabulary import Grade

#: (auditor id, severity bias added to the score: negative = harsher)
AUDITORS: tuple[tuple[str, float], ...] = (
    ("A1", -0.04),
    ("A2", 0.03),
    ("A3", 0.0),
    ("A4", -0.05),
    ("A5", 0.04),
    ("A6", -0.01),
)
OVERALL_NOISE = 0.035
THEME_NOISE = 0.09


def grade_of(score: float) -> Grade:
    if score >= 0.9:
        return "outstanding"
    if score >= 0.75:
        return "good"
    if score >= 0.5:
        return "requires_improvement"
    return "inadequate"


def auditor_grades(
    rng: random.Random, score: float, themes: dict[str, float | None]
) -> list[dict[str, object]]:
    """Two distinct auditors' grades for one case."""
    out: list[dict[str, object]] = []
    for auditor, bias in rng.sample(AUDITORS, 2):
        theme_grades = {}
        for theme, value in themes.items():
            base = value if value is not None else score
            theme_grades[theme] = grade_of(base + bias + rng.gauss(0.0, THEME_NOISE))
        out.append(
            {
                "auditor": auditor,
                "overall": grade_of(score + bias + rng.gauss(0.0, OVERALL_NOISE)),
                "themes": theme_grades,
            }
        )
    return out


def agreement(a: Sequence[str], b: Sequence[str]) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a) if a else 0.0
