"""The monitoring fields of one child (gender, age band, legal status, ethnicity, disability,
communication need), written to the run's ``monitoring`` table apart from the scores."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from notereview.casefile import CaseFile

MONITORING_COLUMNS = [
    "child_id", "gender", "age_band", "legal_status", "ethnicity", "disability",
    "communication_need",
]  # fmt: skip


#: The fields a report is broken down by, in order.
DIMENSIONS: tuple[str, ...] = (
    "ethnicity", "disability", "gender", "age_band", "legal_status", "communication_need",
)  # fmt: skip


#: Age bands as the children's social care statistics use them.
AGE_BANDS: tuple[tuple[int, str], ...] = ((1, "under 1"), (5, "1-4"), (10, "5-9"),
                                          (16, "10-15"))  # fmt: skip


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    for below, band in AGE_BANDS:
        if age < below:
            return band
    return "16+"


@cache
def _need_terms() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load(
        resources.files("notereview").joinpath("communication_needs.yaml").read_text()
    )
    return {
        kind: tuple(t.lower() for t in raw[kind]) for kind in ("interpreter", "communication_aid")
    }


def _has_word(text: str, term: str) -> bool:
    """Whether ``term`` stands in ``text`` as whole words (``text`` and ``term`` lower case):
    a substring search first (fast), the boundaries checked only where it is found."""
    start = text.find(term)
    while start != -1:
        end = start + len(term)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            return True
        start = text.find(term, start + 1)
    return False


def communication_need(texts: Iterable[str]) -> str:
    """'interpreter', 'communication aid', 'interpreter and communication aid' or 'none', from
    what the records say."""
    text = "\n".join(texts).lower()
    found = {kind: any(_has_word(text, t) for t in terms) for kind, terms in _need_terms().items()}
    if found["interpreter"] and found["communication_aid"]:
        return "interpreter and communication aid"
    if found["interpreter"]:
        return "interpreter"
    return "communication aid" if found["communication_aid"] else "none"


def monitoring_row(case: CaseFile, as_of: date) -> dict[str, Any]:
    """One child's monitoring fields (the ``monitoring`` table's row)."""
    child = case.child
    texts = [v.text for v in case.visits]
    texts += [s.text for s in case.case_summaries]
    return {
        "child_id": child.child_id,
        "gender": child.gender or "unknown",
        "age_band": age_band(child.age_on(as_of)),
        "legal_status": child.legal_status,
        "ethnicity": child.ethnicity or "not recorded",
        "disability": child.disability or "not recorded",
        "communication_need": communication_need(texts),
    }
