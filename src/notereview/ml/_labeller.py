"""Model-backed labels: a strategy that ``build_context`` calls after the rules have labelled a
case file, replacing the labels that the rubric gives to a model (visit voice, visit analysis,
SMART parts). Evidence from a model names the model and its probability."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from notereview.checks._finding import Evidence
from notereview.ml._data import SMART_PARTS
from notereview.ml._features import action_features, record_features, sentence_features
from notereview.ml._train import voice_from_proba

if TYPE_CHECKING:
    from notereview.casefile import CaseFile
    from notereview.checks._context import ActionLabel, VisitLabel
    from notereview.ml._artefact import LoadedModel
    from notereview.nlp import AnnotatedText

_WHY_VOICE = {
    "direct": "the child's own words, quoted",
    "reported": "the child's words or views, reported",
    "observation": "specific observation of a young or non-verbal child",
    "attempted_not_obtained": "the worker tried to hear the child; the child's views not obtained",
}
_MISSING = {
    "owner_named": "who is responsible",
    "timebound": "a due date or timescale",
    "specific": "what exactly will be done",
    "measurable": "how progress will be measured",
}


class ModelLabeller:
    """Replaces rule labels with model labels for the label families it holds models for."""

    def __init__(
        self,
        voice: LoadedModel | None = None,
        analysis: LoadedModel | None = None,
        smart: LoadedModel | None = None,
    ) -> None:
        self.voice = voice
        self.analysis = analysis
        self.smart = smart

    def describe(self) -> dict[str, str]:
        return {
            "visit_voice": self.voice.model_id if self.voice else "rules",
            "visit_analysis": self.analysis.model_id if self.analysis else "rules",
            "plan_actions_smart": self.smart.model_id if self.smart else "rules",
        }

    def relabel(
        self,
        case: CaseFile,
        annotations: dict[tuple[str, str], AnnotatedText],
        age: int | None,
        visit_labels: dict[str, VisitLabel],
        action_labels: dict[str, ActionLabel],
    ) -> tuple[dict[str, VisitLabel], dict[str, ActionLabel]]:
        """One batched model call per label family per case file."""
        name = case.child.first_name
        visits = dict(visit_labels)
        todo = [
            (v, annotations[("visits", v.visit_id)])
            for v in case.visits
            if ("visits", v.visit_id) in annotations and v.visit_id in visits
        ]
        voices: dict[str, tuple[str, list[int], float]] = {}
        if self.voice is not None and todo:
            feats = [[sentence_features(v.text, s, name, age) for s in at.sentences]
                     for v, at in todo]
            flat = [f for fs in feats for f in fs]
            est = self.voice.estimator
            proba = est.predict_proba(flat) if flat else np.zeros((0, len(est.classes_)))
            at_row = 0
            for (v, _), fs in zip(todo, feats, strict=True):
                voices[v.visit_id] = voice_from_proba(
                    list(est.classes_), proba[at_row : at_row + len(fs)]
                )
                at_row += len(fs)
        analysis: dict[str, float] = {}
        if self.analysis is not None and todo:
            est = self.analysis.estimator
            proba = est.predict_proba([record_features(v.text, at, name) for v, at in todo])
            col = list(est.classes_).index(True) if True in est.classes_ else None
            for (v, _), row in zip(todo, proba, strict=True):
                analysis[v.visit_id] = float(row[col]) if col is not None else 0.0
        for v, at in todo:
            visits[v.visit_id] = self._visit(
                v.visit_id, v.text, at, visits[v.visit_id],
                voices.get(v.visit_id), analysis.get(v.visit_id),
            )
        actions = dict(action_labels)
        acts = [a for a in case.plan_actions if a.action_id in actions]
        if self.smart is not None and acts:
            feats = []
            for a in acts:
                lab = actions[a.action_id]
                feats.append(action_features(
                    a.text, annotations.get(("plan_actions", a.action_id)),
                    bool(a.owner and a.owner.strip()), a.due_date is not None,
                    {k: bool(getattr(lab, k)) for k in SMART_PARTS},
                ))
            proba = self.smart.estimator.predict_proba(feats)
            for i, a in enumerate(acts):
                actions[a.action_id] = self._action(
                    actions[a.action_id], {k: float(proba[k][i]) for k in SMART_PARTS}
                )
        return visits, actions

    def _visit(
        self, vid: str, text: str, at: AnnotatedText, lab: VisitLabel,
        voice_result: tuple[str, list[int], float] | None, p_analysis: float | None,
    ) -> VisitLabel:
        changes: dict[str, Any] = {}
        if voice_result is not None and self.voice is not None:
            voice, idx, p = voice_result
            if voice != lab.voice:
                src = f"model.{self.voice.model_id}"
                ev = tuple(
                    Evidence("visits", vid, at.sentences[i].start, at.sentences[i].end,
                             text[at.sentences[i].start : at.sentences[i].end],
                             f"{src}:{voice}", f"{_WHY_VOICE[voice]} (model p={p:.2f})")
                    for i in idx[:3]
                ) if voice != "none" else ()
                changes["voice"] = voice
                changes["voice_evidence"] = ev
                if voice == "observation":
                    changes["observation"] = True
                    changes["observation_evidence"] = ev
                if voice == "attempted_not_obtained":
                    changes["attempt_evidence"] = ev[:2]
        if p_analysis is not None and self.analysis is not None:
            has = p_analysis >= 0.5
            if has != lab.analysis:
                changes["analysis"] = has
                changes["analysis_evidence"] = (
                    (Evidence("visits", vid, 0, 0, "", f"model.{self.analysis.model_id}",
                              f"says what the facts mean for the child (model "
                              f"p={p_analysis:.2f})"),)
                    if has else ()
                )
        if not changes:
            return lab
        new = replace(lab, **changes)
        evidence = (new.voice_evidence + new.wishes_evidence + new.observation_evidence
                    + new.analysis_evidence + new.plan_evidence + new.attempt_evidence)
        return replace(new, evidence=evidence)

    def _action(self, lab: ActionLabel, proba: dict[str, float]) -> ActionLabel:
        assert self.smart is not None
        rule_parts = {k: bool(getattr(lab, k)) for k in SMART_PARTS}
        parts = {k: proba[k] >= 0.5 for k in SMART_PARTS}
        if parts == rule_parts:
            return lab
        src = f"model.{self.smart.model_id}"
        evidence = [e for e in lab.evidence
                    if not any(e.source.startswith(p) for p in _rule_sources(rule_parts, parts))]
        for k in SMART_PARTS:
            if parts[k] and not rule_parts[k]:
                evidence.append(Evidence("plan_actions", lab.action_id, 0, 0, "", src,
                                         f"{k.replace('_', ' ')} (model p={proba[k]:.2f})"))
        missing = tuple(_MISSING[k] for k in ("owner_named", "timebound", "specific",
                                              "measurable") if not parts[k])
        return replace(lab, **parts, evidence=tuple(evidence), missing=missing)


def _rule_sources(before: dict[str, bool], after: dict[str, bool]) -> list[str]:
    """Evidence prefixes of rule parts the model overturned (true → false)."""
    prefixes = {"owner_named": "plan.owner", "timebound": ("plan.timescale", "plan.date_in_text",
                "plan.due_date"), "specific": "plan.specific", "measurable": "plan.measure"}
    out: list[str] = []
    for k in SMART_PARTS:
        if before[k] and not after[k]:
            p = prefixes[k]
            out += list(p) if isinstance(p, tuple) else [p]
    return out
