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

import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from notereview.checks._judgement import (
    FEATURES_VERSION,
    LABELS,
    NAME,
    REGISTRY_FILE,
    WEIGHTS_FILE,
    Judgement,
    LabelModel,
    VoiceClass,
    load_judgement,
    weight_units,
)
from notereview.errors import ModelError, NotereviewError

#: L2 strength and multiple-instance rounds of the shipped recipe (training/train_judgement.py).
C = 0.3
ROUNDS = 4
#: How much one corrected record counts beside one training passage. Chosen before any
#: measurement (a council's own record is worth several passages by other authors); never
#: fitted to an evaluation set.
CORRECTION_WEIGHT = 4.0
#: The least rise in pooled held-out agreement that promotes a candidate.
PROMOTION_MARGIN = 0.02
FOLDS = 5
BOOTSTRAP = 1000
SEED = 17
#: The correction family for each of the judgement's labels.
FAMILY_OF = {"analysis": "analysis", "plan_link": "plan_link", "voice": "voice"}

Bag = list[Counter[str]]


@dataclass
class Example:
    """One labelled bag of sentences: a passage of one author, or a corrected record.
    ``labels`` holds the labels it has (a label it says nothing about is absent)."""

    source: str
    sentences: Bag
    labels: dict[str, bool]
    weight: float = 1.0
    group: str = ""
    rules: dict[str, int] = field(default_factory=dict)
    #: The auditor's (or the passage's) voice of the record, where known, and the rules'.
    voice: str | None = None
    rules_voice: str = "none"


#: Kinds of voice, strongest first (checks._context.VOICE_ORDER); each but "none" may get a
#: learned check.
VOICE_ORDER: tuple[str, ...] = (
    "direct",
    "reported",
    "observation",
    "attempted_not_obtained",
    "none",
)


def rules_voice_of(sentences: Bag) -> str:
    """The strongest voice the rules gave a sentence of the record (from its features)."""
    present = {f[6:] for s in sentences for f in s if f.startswith("voice:")}
    return next((k for k in VOICE_ORDER if k in present), "none")


#: Pseudo-records built from the passages for the voice model (records run longer than
#: passages: two to eight passages of one author in a row, the strongest voice among them).
VOICE_PSEUDO_RECORDS = 1500
VOICE_PASSAGES_PER_RECORD = (2, 8)


def _voice_row(e: Example) -> dict[str, int]:
    row = dict.fromkeys(frozenset().union(*map(frozenset, e.sentences)), 1)
    row[f"rules:{e.rules_voice}"] = 1
    return row


def voice_pseudo_records(passages: Sequence[Example], seed: int = SEED) -> list[Example]:
    """Records of several passages of one author, voiced as the strongest of them."""
    rng = random.Random(f"{seed}-voice")
    by_author: dict[str, list[Example]] = defaultdict(list)
    for e in passages:
        if e.voice is not None:
            by_author[e.group].append(e)
    authors = sorted(by_author)
    out = []
    for i in range(VOICE_PSEUDO_RECORDS if authors else 0):
        pool = by_author[authors[i % len(authors)]]
        parts = rng.sample(pool, min(len(pool), rng.randint(*VOICE_PASSAGES_PER_RECORD)))
        out.append(
            Example(
                "pseudo-record",
                [s for e in parts for s in e.sentences],
                {},
                group=parts[0].group,
                voice=min((str(e.voice) for e in parts), key=VOICE_ORDER.index),
                rules_voice=min((e.rules_voice for e in parts), key=VOICE_ORDER.index),
            )
        )
    return out


def fit_voice(examples: Sequence[Example], c: float = C) -> dict[str, VoiceClass]:
    """The learned reading of a record's voice: multinomial logistic regression over the
    record's features and the rules' kind, on every example whose voice is known (passages,
    pseudo-records of passages, corrected records, each with its weight). Empty where the
    examples hold fewer than two kinds."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    usable = [e for e in examples if e.voice is not None and e.sentences]
    y = [str(e.voice) for e in usable]
    if len(set(y)) < 2:
        return {}
    rows = [_voice_row(e) for e in usable]
    vec = DictVectorizer().fit(rows)
    model = LogisticRegression(C=c, max_iter=5000).fit(
        vec.transform(rows), y, sample_weight=[e.weight for e in usable]
    )
    classes = [str(k) for k in model.classes_]
    coef = model.coef_
    bias = model.intercept_
    if len(classes) == 2:  # sklearn keeps one row for two classes
        coef = np.vstack([-coef[0], coef[0]])
        bias = np.array([-bias[0], bias[0]])
    out = {}
    for i, kind in enumerate(classes):
        weights = {
            f: round(float(w), 5)
            for f, w in zip(vec.feature_names_, coef[i], strict=True)
            if abs(w) >= 1e-4
        }
        out[kind] = VoiceClass(kind, round(float(bias[i]), 5), weights)
    return out


def windows(bag: Bag, width: int) -> list[Counter[str]]:
    """Every window of ``width`` consecutive sentences, as the presence of its features (the
    scorer counts a feature once per window)."""
    out = []
    for i in range(max(1, len(bag) - width + 1)):
        present: set[str] = set()
        for s in bag[i : i + width]:
            present.update(s)
        out.append(Counter(dict.fromkeys(present, 1)))
    return out


def fit(examples: Sequence[Example], label: str, width: int, c: float = C) -> LabelModel:
    """Multiple-instance logistic regression over windows of ``width`` sentences (threshold 0:
    the caller sets it). Examples without the label are left out; each counts its weight."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    usable = [e for e in examples if label in e.labels and e.sentences]
    neg = [
        (w, e.weight) for e in usable if not e.labels[label] for w in windows(e.sentences, width)
    ]
    pos_examples = [e for e in usable if e.labels[label]]
    positives_bags = [windows(e.sentences, width) for e in pos_examples]
    # The first round takes each positive bag whole; later ones its best window.
    positives = [
        Counter(dict.fromkeys({f for s in e.sentences for f in s}, 1)) for e in pos_examples
    ]
    pos_weights = [e.weight for e in pos_examples]
    if not neg or not positives:
        raise ModelError(f"{label}: the training data holds no records with and without it")
    vec = DictVectorizer().fit([w for w, _ in neg] + [w for bag in positives_bags for w in bag])
    # Class balance as sklearn's "balanced" computes it, on the summed weights.
    w_neg = np.array([w for _, w in neg])
    w_pos = np.array(pos_weights)
    total = w_neg.sum() + w_pos.sum()
    w_neg = w_neg * total / (2 * w_neg.sum())
    w_pos = w_pos * total / (2 * w_pos.sum())
    model = None
    for _ in range(ROUNDS):
        x = vec.transform([w for w, _ in neg] + positives)
        y = [0] * len(neg) + [1] * len(positives)
        model = LogisticRegression(C=c, max_iter=5000).fit(
            x, y, sample_weight=np.concatenate([w_neg, w_pos])
        )
        positives = [
            bag[int(np.argmax(model.decision_function(vec.transform(bag))))]
            for bag in positives_bags
        ]
    assert model is not None
    weights = {
        f: round(float(w), 5)
        for f, w in zip(vec.feature_names_, model.coef_[0], strict=True)
        if abs(w) >= 1e-4
    }
    return LabelModel(label, round(float(model.intercept_[0]), 5), weights, width, 0.0)


def read_passages(train_dir: Path) -> list[Example]:
    """Every labelled passage of ``train_dir/<author>/snippets.jsonl``, read by the rules as a
    visit record about that child."""
    from notereview.checks._judgement import sentence_features
    from notereview.nlp import build_pipeline

    annotator = build_pipeline()
    out: list[Example] = []
    for path in sorted(train_dir.glob("*/snippets.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            child = item["child"]
            text = item["text"]
            ctx = annotator.child_context(
                child["name"], child.get("gender") or "unknown", child.get("age"), [], [text]
            )
            forms = frozenset({child["name"], *ctx.nicknames})
            at = annotator.annotate(text, ctx)
            bag = [Counter(sentence_features(text, s, forms)) for s in at.sentences]
            labels = {k: bool(item["labels"][k]) for k in LABELS}
            out.append(
                Example(
                    path.parent.name,
                    bag,
                    labels,
                    group=path.parent.name,
                    voice=str(item["labels"].get("voice") or "none"),
                    rules_voice=rules_voice_of(bag),
                )
            )
    return out


# --- corrections as examples --------------------------------------------------------------


def _record_example(sentences: list[Any], child_id: str, rules: dict[str, int]) -> Example:
    """A whole corrected record as a training example (its labels filled in by the caller)."""
    return Example(
        "correction",
        [Counter(f) for _s, _e, f in sentences],
        {},
        CORRECTION_WEIGHT,
        child_id,
        rules,
    )


def correction_examples(corrections: Iterable[Any]) -> tuple[list[Example], dict[str, int]]:
    """The corrected visit records (whole-record corrections merged per record) and each span
    correction (the sentences it covers) as examples; with counts of what was left out."""
    from notereview.store._corrections import TrainingCorrection

    latest: dict[tuple[str, str, int | None, int | None, str], TrainingCorrection] = {}
    skipped: Counter[str] = Counter()
    for c in corrections:
        row = c.row
        if row.record_kind != "visit" or row.family not in (*FAMILY_OF.values(), "voice"):
            continue
        if row.family == "voice" and row.span_start is not None:
            skipped["voice spans (read on the case page, not learned)"] += 1
            continue
        reading = c.reading
        if not isinstance(reading, dict) or not reading.get("sentences"):
            skipped["without a reading of the record"] += 1
            continue
        if str(reading.get("features_version")) != FEATURES_VERSION:
            skipped["read with other features"] += 1
            continue
        latest[(row.run_key, row.record_id, row.span_start, row.span_end, row.family)] = c
    records: dict[tuple[str, str], Example] = {}
    spans: list[Example] = []
    label_of = {v: k for k, v in FAMILY_OF.items()}
    for (run, record, start, end, family), c in latest.items():
        reading = c.reading
        sentences = reading["sentences"]
        value = c.row.corrected == "true"
        rules = {"plan_link": int(reading.get("plan_link_rules", 0))}
        if family == "voice":
            ex = records.get((run, record))
            if ex is None:
                ex = records[(run, record)] = _record_example(sentences, c.row.child_id, rules)
            ex.voice = c.row.corrected
            ex.rules_voice = c.row.original or rules_voice_of(ex.sentences)
            continue
        if start is None:
            ex = records.get((run, record))
            if ex is None:
                ex = records[(run, record)] = _record_example(sentences, c.row.child_id, rules)
            ex.labels[label_of[family]] = value
        else:
            covered = [Counter(f) for s, e, f in sentences if s < end and e > start]
            if covered:
                spans.append(
                    Example(
                        "correction-span",
                        covered,
                        {label_of[family]: value},
                        CORRECTION_WEIGHT,
                        c.row.child_id,
                        rules,
                    )
                )
            else:
                skipped["span outside the record's sentences"] += 1
    return [*records.values(), *spans], dict(skipped)


def voice_verdict(judgement: Judgement, example: Example) -> str:
    """The record's voice as the judgement reads it (as ``label_visit``)."""
    feats = [frozenset(x) for x in example.sentences]
    return judgement.voice_from_features(example.rules_voice, feats)[0]


def verdicts(judgement: Judgement, example: Example) -> dict[str, bool]:
    """The judgement's verdict on an example's record, per label (as ``Judgement.read``),
    and "voice": whether its voice is the example's."""
    feats = [frozenset(s) for s in example.sentences]
    out = {}
    if example.voice is not None:
        out["voice"] = voice_verdict(judgement, example) == example.voice
    for label, model in judgement.models.items():
        if label not in example.labels:
            continue
        score, _f, _l = model.best_window(feats, judgement.units.get(label))
        margin = score - model.threshold
        strength = example.rules.get(label, 0)
        if strength:
            margin += model.rule_offset * min(strength, model.rule_cap)
        out[label] = (margin > 0) == example.labels[label]
    return out


def refit(base: Judgement, examples: Sequence[Example], model_id: str = "candidate") -> Judgement:
    """A judgement fitted on ``examples`` with the window, threshold and rule offset of
    ``base`` for each label (the scale the threshold reads is the recipe's, unchanged)."""
    models = {}
    for label, old in base.models.items():
        new = fit(examples, label, old.window)
        models[label] = LabelModel(
            label,
            new.bias,
            new.weights,
            old.window,
            old.threshold,
            old.rule_offset,
            old.rule_cap,
        )
    voiced = [e for e in examples if e.voice is not None]
    voice = fit_voice([*voiced, *voice_pseudo_records([e for e in voiced if e.weight == 1.0])])
    return Judgement(
        model_id,
        "",
        models,
        {k: weight_units(m.weights) for k, m in models.items()},
        voice,
        {k: weight_units(v.weights) for k, v in voice.items()},
    )


def compose(current: Judgement, candidate: Judgement, taken: Sequence[str]) -> Judgement:
    """The candidate's model for the families in ``taken``, the current one's elsewhere."""
    models = {
        label: candidate.models[label] if FAMILY_OF[label] in taken else model
        for label, model in current.models.items()
    }
    voice, voice_units = (
        (candidate.voice, candidate.voice_units)
        if "voice" in taken
        else (current.voice, current.voice_units)
    )
    return Judgement(
        candidate.model_id,
        "",
        models,
        {k: weight_units(m.weights) for k, m in models.items()},
        voice,
        voice_units,
    )


# --- the gate -----------------------------------------------------------------------------


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


# --- versions and the registry --------------------------------------------------------------


def registry_path(models_dir: Path) -> Path:
    return models_dir / NAME / REGISTRY_FILE


def read_registry(models_dir: Path) -> dict[str, Any]:
    """``{"promoted": version, "history": [...]}``; version "1" where no registry exists."""
    path = registry_path(models_dir)
    if not path.is_file():
        return {"promoted": "1", "history": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        str(data["promoted"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"{path} is not a model registry; restore it or delete it") from None
    return data


def write_registry(models_dir: Path, promoted: str, action: str, reason: str) -> None:
    data = read_registry(models_dir)
    previous = str(data["promoted"])
    data["history"] = [
        *data.get("history", []),
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "action": action,
            "from": previous,
            "to": promoted,
            "reason": reason,
        },
    ]
    data["promoted"] = promoted
    path = registry_path(models_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def list_versions(models_dir: Path) -> list[dict[str, Any]]:
    """Every version folder of the judgement with its meta.json's summary."""
    from notereview.ml._artefact import read_meta

    folder = models_dir / NAME
    promoted = str(read_registry(models_dir)["promoted"])
    out = []
    versions = [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
    for path in sorted(versions, key=lambda p: (len(p.name), p.name)):
        try:
            meta = read_meta(path)
        except ModelError:
            continue
        out.append(
            {
                "version": path.name,
                "promoted": path.name == promoted,
                "created_at": meta.get("created_at"),
                "sha256": meta.get("files", {}).get(WEIGHTS_FILE, ""),
                "gate": (meta.get("gate") or {}).get("reason", "shipped"),
            }
        )
    return out


def promote(models_dir: Path, version: str, reason: str = "promoted by hand") -> None:
    load_judgement(version, models_dir)  # refuses a missing or changed artefact
    write_registry(models_dir, version, "promote", reason)


def rollback(models_dir: Path) -> str:
    """Promote again the version that was promoted before the current one (promotions form
    a stack: a rollback pops one); returns it."""
    data = read_registry(models_dir)
    current = str(data["promoted"])
    history = data.get("history", [])
    stack = [str(history[0]["from"])] if history else [current]
    for entry in history:
        if entry.get("action") == "rollback":
            if len(stack) > 1:
                stack.pop()
        else:
            stack.append(str(entry["to"]))
    if len(stack) < 2:
        raise NotereviewError(
            f"nothing to roll back to: version {current} has no earlier promotion"
        )
    target = stack[-2]
    load_judgement(target, models_dir)
    write_registry(models_dir, target, "rollback", f"rolled back from {current}")
    return target


def _next_version(models_dir: Path) -> str:
    folder = models_dir / NAME
    taken = [int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit()]
    return str(max(taken, default=0) + 1)


def write_version(
    models_dir: Path,
    judgement: Judgement,
    base_id: str,
    provenance: dict[str, Any],
    result: GateResult,
) -> tuple[str, Path]:
    """A new version folder: weights.json, meta.json (sha256, counts, gate figures) and a card."""
    from notereview.ml._artefact import CARD_FILE, META_FILE, sha256_file

    version = _next_version(models_dir)
    folder = models_dir / NAME / version
    folder.mkdir(parents=True)
    weights = {
        "features_version": FEATURES_VERSION,
        "labels": {
            label: {
                "bias": m.bias,
                "window": m.window,
                "threshold": m.threshold,
                "rule_offset": m.rule_offset,
                "rule_cap": m.rule_cap,
                "weights": dict(sorted(m.weights.items())),
            }
            for label, m in judgement.models.items()
        },
        "voice": {
            kind: {"bias": v.bias, "weights": dict(sorted(v.weights.items()))}
            for kind, v in judgement.voice.items()
        },
    }
    path = folder / WEIGHTS_FILE
    path.write_text(json.dumps(weights, indent=0) + "\n", encoding="utf-8")
    digest = sha256_file(path)
    meta = {
        "name": NAME,
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": "json-linear",
        "files": {WEIGHTS_FILE: digest},
        "features_version": FEATURES_VERSION,
        "trained_from": base_id,
        "training_data": provenance,
        "gate": result.as_dict(),
    }
    (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (folder / CARD_FILE).write_text(
        _card(version, base_id, provenance, result, digest), encoding="utf-8"
    )
    return version, folder


def _card(version: str, base: str, prov: dict[str, Any], result: GateResult, digest: str) -> str:
    lines = [
        f"# {NAME}@{version}: the visit judgement retrained on a council's corrections",
        "",
        f"Refitted from {base}'s recipe (same window, threshold and plan-link rule offset per",
        "label) on the training passages plus the auditors' corrections of visit records, each",
        f"corrected record weighted {CORRECTION_WEIGHT} (a span correction: the sentences it",
        "covers). The record's voice is read by a multinomial logistic regression over the",
        "record's features and the rules' kind, fitted on the passages, pseudo-records of",
        "two to eight passages of one author, and the corrected records.",
        "",
        "## Data",
        "",
        f"- training passages: {prov['passages']} ({', '.join(prov['authors'])})",
        f"- corrected visit records: {prov['corrected_records']} from {prov['children']} "
        f"children; span corrections: {prov['span_corrections']}",
        f"- labels per family: {json.dumps(prov['labels'])}",
        f"- left out: {json.dumps(prov['skipped']) if prov['skipped'] else 'none'}",
        f"- weights.json sha256: {digest}",
        "",
        "## Gate (held out, grouped by child; see notereview.ml._judgement_fit)",
        "",
        f"{result.reason}",
        "",
        "| measure | family | n | before | after | change | 95% interval | new model taken |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for where, figures in (("corrections", result.corrections), ("passages", result.passages)):
        for family, f in figures.items():
            lines.append(
                f"| held-out {where} | {family} | {f.n} | {f.before:.3f} | {f.after:.3f} | "
                f"{f.delta:+.3f} | {f.low:+.3f} to {f.high:+.3f} | "
                f"{'yes' if family in result.taken else 'no'} |"
            )
    lines += [
        "",
        "Before: the promoted model (corrections) or the same recipe without corrections",
        "(passages of the held-out author). After: the candidate fitted without the held-out",
        "children and author.",
        "",
        "## Known failure modes",
        "",
        "- SMART is read by the rules: its corrections are stored and counted in agreement,",
        "  but not learned from here.",
        "- The voice model reads a whole record as one bag of words: a long record's words",
        "  from a parent can pull it towards the child's voice; the gate measures it on",
        "  held-out children before it is used.",
        "- A few children's corrections move the model little; the gate keeps it unpromoted",
        "  until the held-out gain clears the margin.",
        "",
    ]
    return "\n".join(lines)


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
