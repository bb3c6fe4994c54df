"""Agreement between model and auditors: weighted kappa and precision at k."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import cohen_kappa_score

from notereview.triage import (
    GRADES,
    AuditedFile,
    agreement,
    band_grade,
    precision_at_k,
    quadratic_weighted_kappa,
    weighted_kappa,
)


def test_kappa_matches_a_reference_implementation() -> None:
    rng = random.Random(5)
    a = [rng.randrange(4) for _ in range(200)]
    b = [min(3, max(0, x + rng.choice([-1, 0, 0, 1]))) for x in a]
    expected = cohen_kappa_score(a, b, weights="quadratic", labels=[0, 1, 2, 3])
    assert quadratic_weighted_kappa(zip(a, b, strict=True)) == pytest.approx(expected)
    assert quadratic_weighted_kappa([(1, 1), (2, 2), (3, 3)]) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([]) is None
    assert quadratic_weighted_kappa([(2, 2), (2, 2)]) is None


def test_one_kappa_linear_or_quadratic_defined_the_same_on_empty_input() -> None:
    a, b = [0, 1, 2, 3, 3], [0, 2, 2, 3, 1]
    expected = cohen_kappa_score(a, b, weights="linear", labels=[0, 1, 2, 3])
    assert weighted_kappa(a, b, weights="linear") == pytest.approx(expected)
    assert weighted_kappa([], [], weights="linear") is None
    assert weighted_kappa([], []) is None


def test_banding() -> None:
    assert [band_grade(s) for s in (0.1, 0.5, 0.8, 0.95)] == [
        "inadequate",
        "requires_improvement",
        "good",
        "outstanding",
    ]


def test_precision_at_k() -> None:
    result = precision_at_k(["a", "b", "c", "d"], {"a": True, "c": False, "d": True}, k=3)
    assert (result.audited, result.inadequate, result.precision) == (2, 1, 0.5)
    assert precision_at_k(["x"], {}, k=5).precision is None


def test_agreement_per_theme() -> None:
    files = [
        AuditedFile(
            child_id=f"c{i}",
            team="A",
            legal_status="CP",
            from_dip_sample=False,
            overall=GRADES[i % 4],
            themes={"voice": GRADES[i % 4]},
            verdicts={},
            model_statuses={},
            model_score=[0.2, 0.6, 0.8, 0.95][i % 4],
            model_themes={"voice": [0.2, 0.6, 0.8, 0.95][i % 4], "plans": None},
        )
        for i in range(12)
    ]
    result = agreement(files, {"overall": ["c0", "c4", "c1"], "voice": ["c0"]}, k=3)
    kappas = {k.theme: k for k in result.kappa}
    assert kappas["overall"].kappa == pytest.approx(1.0) and kappas["overall"].n == 12
    assert kappas["voice"].kappa == pytest.approx(1.0)
    assert kappas["plans"].kappa is None and kappas["plans"].n == 0
    precision = {p.theme: p for p in result.precision}
    assert precision["overall"].precision == pytest.approx(2 / 3)
    assert precision["voice"].precision == 1.0
