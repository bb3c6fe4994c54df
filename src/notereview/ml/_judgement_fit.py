"""Fitting the visit judgement (checks._judgement), and retraining it on auditors' corrections.

The judgement is a linear model per label over the features of a window of sentences, learned
by multiple-instance logistic regression: negatives are every window of a record (or passage)
without the label, positives the best-scoring window of each one with it, re-chosen for a few
rounds. ``training/train_judgement.py`` fits the shipped version on the hand-written passages of
../shared/train; :func:`train_from_corrections` refits it on those passages plus a council's
corrections (each correction's record weighted :data:`CORRECTION_WEIGHT`), grouped by child,
and promotes the new version only when the gate (:func:`gate`) says so.

The gate, per label family the judgement decides (analysis, plan link):

- **held-out corrections**: the children are split into folds; for each fold a candidate is
  fitted without that fold's children and scored on their corrected records beside the
  current (promoted) model. Agreement is the share of corrected records where the verdict is
  the auditor's, pooled over every family.
- **held-out passages**: each training author is left out in turn, and the candidate (every
  correction, the other authors) is compared with the same recipe fitted without any
  correction on that author's passages, so a correction set that teaches the opposite of the
  training data (labels flipped) shows up even where the held-out corrections share its error.

Before anything else, corrections the current reading agrees with less often than it disagrees
(the upper end of that agreement's 95% interval over children below :data:`CONTRADICTION`)
are refused outright: they contradict the reading systematically, as a flipped or misaligned
import does, rather than correct it.

Per family, the new version takes the candidate's model where it agrees more with the
held-out corrections and does not fall beyond noise on the held-out passages (the upper end of
the 95% interval of a paired bootstrap over passages below zero); elsewhere it keeps the current
model's reading, so no family gets worse. It is promoted when the pooled agreement on held-out
corrections of that composite rises by at least :data:`PROMOTION_MARGIN` (the per-family choice
is made on the same folds, so the rise is slightly optimistic). Intervals on the corrections
come from a paired bootstrap over children.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notereview.checks._judgement import LABELS, load_judgement
from notereview.errors import NotereviewError
from notereview.ml._judgement_corrections import compose, correction_examples, refit, verdicts
from notereview.ml._judgement_gate import gate
from notereview.ml._judgement_learn import (
    CORRECTION_WEIGHT,
    FAMILY_OF,
    PROMOTION_MARGIN,
    ROUNDS,
    Bag,
    C,
    Example,
    fit,
    read_passages,
)
from notereview.ml._judgement_versions import (
    list_versions,
    promote,
    rollback,
    write_registry,
    write_version,
)


@dataclass
class TrainOutcome:
    version: str
    folder: Path
    promoted: bool
    reason: str


def train_from_corrections(
    engine: Any,
    models_dir: Path,
    train_dir: Path,
    log: Callable[[str], None] = lambda _m: None,
) -> TrainOutcome:
    """Refit the judgement on the training passages plus the stored corrections, gate it, and
    write it as a new version (promoted only when the gate says so)."""
    from notereview.store import training_corrections

    current = load_judgement("promoted", models_dir)
    corrected, skipped = correction_examples(training_corrections(engine))
    if not corrected:
        raise NotereviewError(
            "no corrections of visit analysis or plan link with a reading of the record are "
            "stored; import some (notereview corrections import) or correct records on the "
            "case page"
        )
    if not train_dir.is_dir():
        raise NotereviewError(f"no training passages at {train_dir}; give --train-dir")
    log(f"{len(corrected)} corrected records; reading the training passages in {train_dir}")
    passages = read_passages(train_dir)
    result = gate(current, passages, corrected, log)
    final = compose(current, refit(current, [*passages, *corrected]), result.taken)
    labels = {FAMILY_OF[label]: sum(1 for e in corrected if label in e.labels) for label in LABELS}
    labels["voice"] = sum(1 for e in corrected if e.voice is not None)
    provenance = {
        "passages": len(passages),
        "authors": sorted({e.group for e in passages}),
        "corrected_records": sum(1 for e in corrected if e.source == "correction"),
        "span_corrections": sum(1 for e in corrected if e.source == "correction-span"),
        "children": len({e.group for e in corrected}),
        "labels": labels,
        "skipped": skipped,
        "correction_weight": CORRECTION_WEIGHT,
        "regularisation_C": C,
        "mil_rounds": ROUNDS,
    }
    version, folder = write_version(models_dir, final, current.model_id, provenance, result)
    if result.promote:
        write_registry(models_dir, version, "promote", result.reason)
    return TrainOutcome(version, folder, result.promote, result.reason)


__all__ = [
    "CORRECTION_WEIGHT",
    "PROMOTION_MARGIN",
    "ROUNDS",
    "Bag",
    "C",
    "Example",
    "TrainOutcome",
    "correction_examples",
    "fit",
    "gate",
    "list_versions",
    "promote",
    "read_passages",
    "refit",
    "rollback",
    "train_from_corrections",
    "verdicts",
    "write_registry",
]
