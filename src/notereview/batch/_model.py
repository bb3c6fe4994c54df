"""What a batch run is asked for (:class:`BatchOptions`), what it did (:class:`BatchSummary`)
and its error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from notereview.errors import NotereviewError

RULES_ONLY: tuple[str, ...] = ("none", "rules")
MODEL_CHOICES: tuple[str, ...] = (*RULES_ONLY, "auto")  # or a folder of trained models


class BatchError(NotereviewError):
    """A batch run was asked for something it cannot do (bad option, unusable out folder)."""


def reviewer_models(models: str) -> str | None:
    """What ``Reviewer(models=...)`` takes: None for the rules path alone."""
    return None if models in RULES_ONLY else models


@dataclass(frozen=True)
class BatchOptions:
    """How to run a batch. ``workers`` None: one per core; 1: in this process."""

    workers: int | None = None
    chunk_children: int | None = None  # None: auto (about 16 chunks, 10 to 200 children)
    fmt: str = "parquet"
    db: str | None = None
    models: str = "rules"
    mapping_path: str | Path | None = None
    annex_a_path: str | Path | None = None  # an Annex A return (.xlsx): see reconciliation
    rubric_path: str | Path | None = None
    policy_path: str | Path | None = None
    as_of: date | None = None
    max_text_chars: int = 100_000
    resume: bool = True
    keep_weakest: int = 100  # ranked cases kept in the summary (the file holds them all)


@dataclass
class BatchSummary:
    """What a batch run did: run.json's content, where, and the stages' times. Its
    ``tables`` are what :func:`notereview.batch.markdown_report` reads: the weakest cases
    (the first ``keep_weakest`` rows of the ranked cases file), the criteria tallied
    (criterion, status, rows), the quarantine and the reconciliation."""

    run_info: dict[str, Any]
    out_dir: Path
    files: list[Path]
    weakest_cases: pd.DataFrame  # the first ``keep_weakest`` rows of the ranked cases file
    grade_bands: dict[str, int]  # files per grade band, over every case
    criteria_counts: pd.DataFrame  # criterion, status, rows: a tally, not the criteria table
    quarantine: pd.DataFrame
    case_ranks: list[np.ndarray] = field(default_factory=list)  # per chunk, in its row order
    reconciliation: pd.DataFrame | None = None  # with an Annex A return: where it disagrees
    monitoring: pd.DataFrame | None = None  # each child's equality-monitoring fields
    db_run: tuple[int, bool] | None = None
    chunks_resumed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "cases": self.weakest_cases,
            "criteria": self.criteria_counts,
            "quarantine": self.quarantine,
        }
