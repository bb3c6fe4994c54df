"""Golden files: whole reviews of a handful of synthetic case files, checked by hand once.

A change that alters any of them must regenerate them (tests/golden/regenerate.py) and the
diff must be read as an auditor would before it is committed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "golden"
sys.path.insert(0, str(HERE))

from regenerate import GOLDEN_IDS, golden_reviews  # noqa: E402


@pytest.fixture(scope="module")
def reviews() -> dict[str, dict]:
    return golden_reviews()


@pytest.mark.parametrize("child_id", GOLDEN_IDS)
def test_review_matches_golden(child_id: str, reviews: dict[str, dict]) -> None:
    expected = json.loads((HERE / f"{child_id}.json").read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(reviews[child_id]))
    for e, a in zip(expected["findings"], actual["findings"], strict=True):
        assert a == e, f"{child_id} {e['criterion']} changed"
    assert actual == expected
