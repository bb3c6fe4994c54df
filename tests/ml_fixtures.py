"""Shared test doubles for the models tests: a deterministic stand-in for MiniLM and a rubric
that chooses given models. All text is made up here; nothing real."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml


class HashEmbedder:
    """A stand-in for MiniLM that records every call: each word hashed into one of 384
    buckets, rows of unit length, so texts that share words are alike and texts that share none
    are orthogonal."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, sentences: Sequence[str]) -> np.ndarray:
        self.calls.append(list(sentences))
        out = np.zeros((len(sentences), 384), dtype=np.float32)
        for i, s in enumerate(sentences):
            for w in s.lower().replace(";", " ").split():
                out[i, zlib.crc32(w.strip(".,").encode()) % 384] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def rubric_with_models(tmp_path: Path, models: dict[str, str]) -> Path:
    """A copy of the shipped rubric whose ``models:`` section is ``models``."""
    raw = yaml.safe_load(resources.files("notereview.checks").joinpath("rubric.yaml").read_text())
    raw["models"] = models
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


KAI_ACTIONS = (
    ("a1", "Ensure Kai attends school every day, checked weekly by school."),
    ("a2", "Mum to take Kai to the GP for his asthma review by March."),
)


def kai_case(visit_texts: Sequence[str]) -> tuple[Any, dict[tuple[str, str], Any]]:
    """A nine-year-old's case file with a two-action plan and one visit (on 1 March 2026) per
    text, and its annotations by the rules path's pipeline."""
    from notereview.casefile import CaseFile, Child, Plan, PlanAction, Visit
    from notereview.checks._context import annotate_case
    from notereview.review import Reviewer

    day = date(2026, 3, 1)
    child = Child(child_id="c1", legal_status="CIN", status_start=date(2025, 6, 1), team="t",
                  worker_id="w", first_name="Kai", age_years=9, gender="male")
    actions = tuple(PlanAction(aid, "p1", text) for aid, text in KAI_ACTIONS)
    plan = Plan("p1", "c1", "CIN", date(2025, 7, 1), actions=actions)
    visits = [Visit(f"v{i}", "c1", day, day, True, t) for i, t in enumerate(visit_texts)]
    case = CaseFile.build(child, visits=visits, plans=[plan])
    return case, annotate_case(case, Reviewer().annotator, day)
