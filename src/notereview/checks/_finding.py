"""Findings and evidence: the unit every part of notereview shares.

A Finding is what one check says about one criterion of one case file. It never exists without
either evidence or a stated absence (``missing``). Both are frozen: nothing mutates a result
after it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notereview.vocabulary import STATUSES, Status

STATUS_SCORE: dict[str, float] = {"met": 1.0, "partly_met": 0.5, "not_met": 0.0}

# Score ranges each status may take: a check that measures a share may refine the score inside them.
STATUS_RANGE: dict[str, tuple[float, float]] = {
    "met": (0.75, 1.0),
    "partly_met": (0.25, 0.75),
    "not_met": (0.0, 0.25),
    "not_applicable": (0.0, 0.0),
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of a record that an auditor can check in one glance."""

    table: str  # visits, case_summaries, plan_actions, chronology, genograms, supervision, children
    record_id: str
    start: int  # character offsets into that record's text (0, 0 for a record-level fact)
    end: int
    quote: str  # exactly text[start:end]; empty for a record-level fact such as a date
    source: (
        str  # the rule or model that said so, e.g. "voice.reported_verb" or "policy.cp_interval"
    )
    why: str  # plain words

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "record_id": self.record_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "source": self.source,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    criterion: str  # V1 ... M3
    theme: str
    status: str
    score: float
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    missing: str = ""  # what is missing, in plain words ("" when met)
    check: str = ""  # the registered check that produced it, with its version
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        low, high = STATUS_RANGE[self.status]
        if not low <= self.score <= high:
            raise ValueError(
                f"{self.criterion}: score {self.score} outside {low}..{high} for {self.status}"
            )
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"{self.criterion}: confidence {self.confidence} outside 0..1")

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "theme": self.theme,
            "status": self.status,
            "score": round(self.score, 4),
            "confidence": round(self.confidence, 4),
            "evidence": [e.as_dict() for e in self.evidence],
            "missing": self.missing,
        }


def status_for_share(share: float, met_at: float, partly_at: float) -> Status:
    """met / partly_met / not_met for a share and the rubric's two thresholds."""
    if share >= met_at:
        return "met"
    if share >= partly_at:
        return "partly_met"
    return "not_met"


def score_in_band(status: str, share: float | None = None) -> float:
    """A score inside the status's range; a measured share refines it linearly."""
    if status == "not_applicable":
        return 0.0
    low, high = STATUS_RANGE[status]
    if share is None:
        return STATUS_SCORE[status]
    share = min(max(share, 0.0), 1.0)
    return round(low + (high - low) * share, 4)
