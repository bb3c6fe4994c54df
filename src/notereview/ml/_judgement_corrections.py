"""Auditors' corrections as training examples, and the verdicts a judgement gives them: refit on
passages plus corrections, and compose a version from two judgements family by family."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from notereview.checks._judgement import FEATURES_VERSION, Judgement, LabelModel, weight_units
from notereview.ml._judgement_learn import (
    CORRECTION_WEIGHT,
    FAMILY_OF,
    Example,
    fit,
    fit_voice,
    rules_voice_of,
    voice_pseudo_records,
)


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
