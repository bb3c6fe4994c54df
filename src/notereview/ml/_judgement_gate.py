"""The promotion gate: held-out corrections by child, held-out passages by author, and the
refusal of corrections that contradict the current reading (see ``_judgement_fit``)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from notereview.checks._judgement import Judgement
from notereview.errors import NotereviewError
from notereview.ml._judgement_corrections import refit, verdicts
from notereview.ml._judgement_learn import (
    BOOTSTRAP,
    FAMILY_OF,
    FOLDS,
    PROMOTION_MARGIN,
    SEED,
    Example,
)


@dataclass
class FamilyFigures:
    """One family's figures on one held-out measure."""

    n: int
    before: float
    after: float
    low: float
    high: float

    @property
    def delta(self) -> float:
        return self.after - self.before

    def as_dict(self) -> dict[str, float]:
        return {
            "n": self.n,
            "before": round(self.before, 4),
            "after": round(self.after, 4),
            "delta": round(self.delta, 4),
            "ci95": [round(self.low, 4), round(self.high, 4)],
        }


@dataclass
class GateResult:
    promote: bool
    reason: str
    pooled_before: float
    pooled_after: float
    corrections: dict[str, FamilyFigures]
    passages: dict[str, FamilyFigures]
    #: The families whose new model the version takes (the others keep the current one).
    taken: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "promote": self.promote,
            "reason": self.reason,
            "margin": PROMOTION_MARGIN,
            "pooled_before": round(self.pooled_before, 4),
            "pooled_after": round(self.pooled_after, 4),
            "families_taken": list(self.taken),
            "held_out_corrections": {k: v.as_dict() for k, v in self.corrections.items()},
            "held_out_passages": {k: v.as_dict() for k, v in self.passages.items()},
        }


def paired_bootstrap(
    groups: dict[str, list[tuple[bool, bool]]], rng: np.random.Generator
) -> tuple[float, float, float, float]:
    """(before, after, low, high): agreement before and after over every pair of
    (before right, after right), and the 95% interval of after - before from resampling the
    groups (children, or passages) with replacement."""
    names = sorted(groups)
    pairs = [groups[g] for g in names]
    n = sum(len(p) for p in pairs)
    before = sum(b for p in pairs for b, _ in p) / n
    after = sum(a for p in pairs for _, a in p) / n
    diffs = np.array([sum(a - b for b, a in p) for p in pairs], dtype=float)
    sizes = np.array([len(p) for p in pairs], dtype=float)
    idx = rng.integers(0, len(names), size=(BOOTSTRAP, len(names)))
    boot = diffs[idx].sum(axis=1) / np.maximum(sizes[idx].sum(axis=1), 1)
    low, high = np.percentile(boot, [2.5, 97.5])
    return before, after, float(low), float(high)


#: Below this agreement of the current reading with the corrections (the upper end of its
#: 95% interval), they contradict it rather than correct it (a label agrees with its flip
#: less often than chance).
CONTRADICTION = 0.5


def _agreement_interval(
    groups: dict[str, list[tuple[bool, bool]]], rng: np.random.Generator
) -> tuple[float, float]:
    """The 95% interval of the current reading's agreement (the first of each pair),
    resampling the groups (children) with replacement."""
    names = sorted(groups)
    right = np.array([sum(b for b, _ in groups[g]) for g in names], dtype=float)
    sizes = np.array([len(groups[g]) for g in names], dtype=float)
    idx = rng.integers(0, len(names), size=(BOOTSTRAP, len(names)))
    boot = right[idx].sum(axis=1) / np.maximum(sizes[idx].sum(axis=1), 1)
    low, high = np.percentile(boot, [2.5, 97.5])
    return float(low), float(high)


def gate(
    current: Judgement,
    passages: Sequence[Example],
    corrected: Sequence[Example],
    log: Callable[[str], None] = lambda _m: None,
    seed: int = SEED,
) -> GateResult:
    """Cross-validated, grouped by child: see the module's docstring."""
    children = sorted({e.group for e in corrected})
    if len(children) < 2:
        raise NotereviewError(
            f"corrections for {len(children)} child(ren): retraining needs at least two "
            "children's corrections to hold some out"
        )
    order = children[:]
    random.Random(seed).shuffle(order)
    k = min(FOLDS, len(order))
    folds = [order[i::k] for i in range(k)]
    authors = sorted({e.group for e in passages})
    by_child: dict[str, dict[str, list[tuple[bool, bool]]]] = defaultdict(lambda: defaultdict(list))
    by_passage: dict[str, dict[str, list[tuple[bool, bool]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for i, fold in enumerate(folds):
        held = set(fold)
        log(f"gate: held-out children, fold {i + 1}/{k} ({len(held)} children)")
        candidate = refit(current, [*passages, *(e for e in corrected if e.group not in held)])
        for e in corrected:
            if e.group not in held:
                continue
            before, after = verdicts(current, e), verdicts(candidate, e)
            for label, right in before.items():
                by_child[label][e.group].append((right, after[label]))
    for author in authors:
        log(f"gate: held-out author {author}")
        train_p = [e for e in passages if e.group != author]
        baseline, candidate = refit(current, train_p), refit(current, [*train_p, *corrected])
        for j, e in enumerate(p for p in passages if p.group == author):
            before, after = verdicts(baseline, e), verdicts(candidate, e)
            for label, right in before.items():
                by_passage[label][f"{author}-{j}"].append((right, after[label]))
    rng = np.random.default_rng(seed)
    corr = {
        FAMILY_OF[label]: FamilyFigures(sum(map(len, g.values())), *paired_bootstrap(g, rng))
        for label, g in sorted(by_child.items())
    }
    pas = {
        FAMILY_OF[label]: FamilyFigures(sum(map(len, g.values())), *paired_bootstrap(g, rng))
        for label, g in sorted(by_passage.items())
    }
    # Corrections that the current reading agrees with less often than it disagrees, beyond
    # noise (the upper end of the 95% interval of that agreement, over children, under a
    # half), contradict it systematically: a flipped or misaligned import, not a council's
    # writing. Nothing is promoted from them, whatever the folds say.
    contradicted = []
    for label, g in sorted(by_child.items()):
        low_high = _agreement_interval(g, rng)
        if low_high[1] < CONTRADICTION:
            before = corr[FAMILY_OF[label]].before
            contradicted.append(
                f"{FAMILY_OF[label]} agrees with {before:.3f} of them (95% interval "
                f"{low_high[0]:.3f} to {low_high[1]:.3f})"
            )
    if contradicted:
        n = sum(f.n for f in corr.values())
        pooled = sum(f.before * f.n for f in corr.values()) / n
        reason = (
            "not promoted: the corrections contradict the current reading systematically ("
            + "; ".join(contradicted)
            + "): a flipped or misaligned import? check it before retraining"
        )
        return GateResult(False, reason, pooled, pooled, corr, pas, [])
    # Per family, the candidate's model is taken where it agrees more with the held-out
    # corrections and is not worse beyond noise on the held-out passages; elsewhere the
    # current model's reading stays (the new version is that composite).
    taken, kept = [], []
    for family, f in corr.items():
        p = pas.get(family)
        if f.delta <= 0:
            kept.append(f"{family} {f.before:.3f} -> {f.after:.3f} on held-out corrections")
        elif p is not None and p.high < 0:
            kept.append(
                f"{family} {p.before:.3f} -> {p.after:.3f} on held-out passages "
                f"(95% interval of the change {p.low:+.3f} to {p.high:+.3f})"
            )
        else:
            taken.append(family)
    n = sum(f.n for f in corr.values())
    pooled_before = sum(f.before * f.n for f in corr.values()) / n
    pooled_after = sum((f.after if fam in taken else f.before) * f.n for fam, f in corr.items()) / n
    rise = pooled_after - pooled_before
    kept_note = f"; kept the current reading of {'; '.join(kept)}" if kept else ""
    figures = (
        f"held-out agreement with the corrections {pooled_before:.3f} -> {pooled_after:.3f} "
        f"({rise:+.3f})"
    )
    if rise < PROMOTION_MARGIN:
        promote, reason = (
            False,
            (f"not promoted: {figures} is under the margin of {PROMOTION_MARGIN}{kept_note}"),
        )
    else:
        promote, reason = (
            True,
            (
                f"promoted: {figures} >= {PROMOTION_MARGIN} with the new "
                f"{', '.join(taken)}{kept_note}"
            ),
        )
    return GateResult(promote, reason, pooled_before, pooled_after, corr, pas, taken)
