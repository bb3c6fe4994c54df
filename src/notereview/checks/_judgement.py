"""Learned judgement over the rules' reading of a visit record: analysis (V5) and plan link (V4).

Keyword rules miss what auditors count: analysis in plain words ("I don't think these are two
separate problems", "what I make of it"), a visit tied to the plan by what it did about the
plan's decisions. So each sentence of a record is read as a bag of features:

- its words, lower-cased, with the child's names as ``<child>`` and any other capitalised word
  inside the sentence as ``<cap>`` (a model must not learn names);
- every cue the rules found in it, with whether a negation or hypothetical covers it
  (``cue:analysis:pos``, ``rule:an_meaning:pos``);
- its voice and speaker (whose words or view it gives);
- the words of the heading its line starts with ("Analysis:", "What I make of it:").

A linear model per label scores a window of consecutive sentences by the features present in
it (each counted once, however often it occurs: a long sentence is not more analytic for being
long), so a window reads like the short passages the model learned from; the record has the
label where its best window scores above the model's threshold. The evidence is that window.

The weights are trained by ``training/train_judgement.py`` on hand-written labelled passages
(../shared/train, six authors) and chosen, with the window and the threshold, on authors held
out; they live in ``models/visit_judgement/<version>/`` with a card. Scoring is plain Python
over a dict of weights: no scikit-learn, no torch, nothing loaded at import time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from notereview.errors import ModelError
from notereview.nlp import SentenceAnnotation

#: The artefact this module reads: models/<NAME>/<version>/weights.json (hash in meta.json).
NAME = "visit_judgement"
WEIGHTS_FILE = "weights.json"
#: The label families the artefact holds.
LABELS: tuple[str, ...] = ("analysis", "plan_link")
#: Bumped whenever the features change: a model trained on other features is refused.
FEATURES_VERSION = "3"

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*|\d+")
#: A heading at the start of a line: up to six words, then a colon or a dash.
_HEADING = re.compile(
    r"[^\S\n]*[-•*·]?[^\S\n]*((?:[A-Za-z'’]+[^\S\n]+){0,5}[A-Za-z'’?]+)[^\S\n]*[:\-–—][^\S\n]"
)
_COVERED = frozenset({"negated", "hypothetical"})
_LOWER_WORD = re.compile(r"[a-z][a-z'’]*|\d+")
#: Capitalised words after a sentence's first word, not in capitals (names, masked).
_NAME_INSIDE = re.compile(r"(?<=\W)[A-Z][a-z][A-Za-z'’]*")
_FIRST_WORD = re.compile(r"\W*([A-Za-z][A-Za-z'’]*)")
_NO_HEADING: frozenset[str] = frozenset()


def text_features(
    text: str, sentences: Sequence[SentenceAnnotation], child_forms: frozenset[str]
) -> list[frozenset[str]]:
    """The features present in each sentence of a text (the hot path: every visit record of
    every run, so set operations over whole sentences rather than a loop over words)."""
    out: list[frozenset[str]] = []
    headings: dict[int, frozenset[str]] = {}
    for s in sentences:
        segment = text[s.start : s.end]
        feats = set(_LOWER_WORD.findall(segment.lower()))
        # Names are masked: the child's as <child>, anyone else's as <cap> (a capitalised
        # word after the first); a name written in lower case is the child's only when the
        # file writes it so ("kenzie").
        inside = set(_NAME_INSIDE.findall(segment))
        first = _FIRST_WORD.match(segment)
        if first is not None and first.group(1) in child_forms:
            inside.add(first.group(1))
        if inside:
            feats.difference_update([w.lower() for w in inside])
            if not child_forms.isdisjoint(inside):
                feats.add("<child>")
            if not child_forms.issuperset(inside):
                feats.add("<cap>")
        lower_child = feats.intersection(child_forms)
        if lower_child:
            feats.difference_update(lower_child)
            feats.add("<child>")
        for c in s.cues:
            feats.update(_cue_features(c.kind, c.rule, not c.qualifiers.isdisjoint(_COVERED)))
        feats.update(_sentence_labels(s.voice, s.speaker))
        line_start = text.rfind("\n", 0, s.start) + 1
        heading = headings.get(line_start)
        if heading is None:
            m = _HEADING.match(text, line_start)
            heading = (
                frozenset(f"head:{w.lower()}" for w in _TOKEN.findall(m.group(1)))
                if m
                else _NO_HEADING
            )
            headings[line_start] = heading
        feats |= heading
        out.append(frozenset(feats))
    return out


@lru_cache(maxsize=4096)
def _cue_features(kind: str, rule: str, covered: bool) -> tuple[str, str]:
    mark = "neg" if covered else "pos"
    return f"cue:{kind}:{mark}", f"rule:{rule}:{mark}"


@lru_cache(maxsize=256)
def _sentence_labels(voice: str, speaker: str) -> tuple[str, str]:
    return f"voice:{voice}", f"spk:{speaker}"


def sentence_features(
    text: str, sentence: SentenceAnnotation, child_forms: frozenset[str]
) -> list[str]:
    """The features present in one sentence (sorted): what the model is trained on."""
    return sorted(text_features(text, [sentence], child_forms)[0])


@dataclass(frozen=True)
class LabelModel:
    """One label's linear model over sentence features, read over windows of sentences."""

    label: str
    bias: float
    weights: dict[str, float]
    window: int
    threshold: float
    #: What each unit of the rules' own finding (plan link: a content word a sentence shares
    #: with a plan action) is worth on the margin's scale, up to ``rule_cap`` units; learned
    #: beside the text model, 0 where unused.
    rule_offset: float = 0.0
    rule_cap: int = 0

    def score(self, features: Iterable[str], units: dict[str, int] | None = None) -> float:
        """The bias plus the weights of some features, each counted once (presence)."""
        get = (units if units is not None else weight_units(self.weights)).get
        return self.bias + sum([get(f, 0) for f in set(features)]) / SCALE

    def best_window(
        self, sentences: Sequence[frozenset[str]], units: dict[str, int] | None = None
    ) -> tuple[float, int, int]:
        """(score, first, last) of the best window of consecutive sentences, given each
        sentence's feature set; a record shorter than the window is one window; the first of
        equal windows. ``units``: the weights as ``weight_units`` gives them, where the
        caller keeps them. Each sentence's weights are summed once; a window of two is the two
        sums less what the sentences share (the features of a window count once)."""
        if not sentences:
            return self.bias, 0, -1
        get = (units if units is not None else weight_units(self.weights)).get
        k = min(self.window, len(sentences))
        sums = [sum([get(f, 0) for f in s]) for s in sentences]
        best, first = 0, -1
        for i in range(len(sentences) - k + 1):
            if k == 1:
                total = sums[i]
            elif k == 2:
                shared = sentences[i] & sentences[i + 1]
                total = sums[i] + sums[i + 1] - sum([get(f, 0) for f in shared])
            else:
                total = sum([get(f, 0) for f in frozenset().union(*sentences[i : i + k])])
            if first < 0 or total > best:
                best, first = total, i
        return self.bias + best / SCALE, first, first + k - 1


#: Weights are stored to five decimal places and summed as integers of 1/SCALE: exact, so a
#: score does not depend on the order of a set (which changes from process to process) and a
#: run's files do not depend on which worker scored a file.
SCALE = 100_000


def weight_units(weights: dict[str, float]) -> dict[str, int]:
    """A label's weights in integer units of 1/SCALE (what ``LabelModel`` sums)."""
    return {f: round(w * SCALE) for f, w in weights.items()}


@dataclass(frozen=True)
class VoiceClass:
    """One kind of voice in the learned reading of a record's voice: a bias and weights over
    the record's features (those of its sentences, each counted once, and ``rules:<kind>``,
    the kind the rules read)."""

    kind: str
    bias: float
    weights: dict[str, float]


#: Kinds of voice, strongest first (as checks._context.VOICE_ORDER): ties go to the stronger.
VOICE_KINDS: tuple[str, ...] = (
    "direct", "reported", "observation", "attempted_not_obtained", "none"
)


@dataclass(frozen=True)
class Judgement:
    """The learned judgement of a visit record: one ``LabelModel`` per label, and optionally a
    ``VoiceCheck`` per kind of voice."""

    model_id: str
    sha256: str
    models: dict[str, LabelModel]
    #: Per label, its weights as ``weight_units`` gives them (built once, on loading).
    units: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Per kind of voice, a class of the learned reading of the record's voice (empty: the
    #: rules' voice stands).
    voice: dict[str, VoiceClass] = field(default_factory=dict)
    voice_units: dict[str, dict[str, int]] = field(default_factory=dict)

    def read_voice(
        self,
        rules_kind: str,
        text: str,
        sentences: Sequence[SentenceAnnotation],
        child_forms: frozenset[str],
    ) -> tuple[str, float, list[int]]:
        """(kind, margin over the rules' kind, the sentences that show it): the learned
        reading of the record's voice, given the rules' kind. The sentences are those the rules
        gave that kind, else the one whose features count most for it."""
        feats = text_features(text, sentences, child_forms)
        return self.voice_from_features(rules_kind, feats)

    def voice_from_features(
        self, rules_kind: str, feats: Sequence[frozenset[str]]
    ) -> tuple[str, float, list[int]]:
        if not self.voice:
            return rules_kind, 0.0, []
        present = frozenset().union(*feats) | {f"rules:{rules_kind}"}
        scores: dict[str, int] = {}
        for kind in VOICE_KINDS:
            cls = self.voice.get(kind)
            if cls is not None:
                units = self.voice_units.get(kind, {})
                scores[kind] = round(cls.bias * SCALE) + sum([units.get(f, 0) for f in present])
        best = max(scores, key=lambda k: (scores[k], -VOICE_KINDS.index(k)))
        margin = (scores[best] - scores.get(rules_kind, scores[best])) / SCALE
        if best == "none":
            return best, margin, []
        shown = [i for i, f in enumerate(feats) if f"voice:{best}" in f]
        if not shown and feats:
            units = self.voice_units.get(best, {})
            sums = [sum([units.get(x, 0) for x in f]) for f in feats]
            shown = [max(range(len(feats)), key=lambda i: sums[i])]
        return best, margin, shown

    def read(
        self,
        text: str,
        sentences: Sequence[SentenceAnnotation],
        child_forms: frozenset[str],
        rules: dict[str, int] | None = None,
    ) -> dict[str, tuple[bool, float, int, int]]:
        """Per label: (has it, margin, first, last sentence of the best window). The margin is
        the window's score less the threshold, plus the label's ``rule_offset`` for each unit
        of what the rules found themselves (``rules``: label -> strength, up to the cap). Each
        sentence's features are built once and scored for every label."""
        features = text_features(text, sentences, child_forms)
        out: dict[str, tuple[bool, float, int, int]] = {}
        for label, model in self.models.items():
            score, first, last = model.best_window(features, self.units.get(label))
            margin = score - model.threshold
            if rules and rules.get(label):
                margin += model.rule_offset * min(rules[label], model.rule_cap)
            out[label] = (margin > 0, margin, first, last)
        return out


def judgement_from_dict(data: dict[str, Any], model_id: str, sha256: str) -> Judgement:
    """Build a Judgement from the artefact's JSON (``ModelError`` if it is not one)."""
    try:
        if str(data["features_version"]) != FEATURES_VERSION:
            raise ModelError(
                f"{model_id} was trained on features version {data['features_version']}, "
                f"this code reads version {FEATURES_VERSION}: retrain it "
                "(python -m training.train_judgement)"
            )
        models = {
            label: LabelModel(
                label=label,
                bias=float(spec["bias"]),
                weights={str(k): float(v) for k, v in spec["weights"].items()},
                window=int(spec["window"]),
                threshold=float(spec["threshold"]),
                rule_offset=float(spec.get("rule_offset", 0.0)),
                rule_cap=int(spec.get("rule_cap", 0)),
            )
            for label, spec in data["labels"].items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{model_id}: {WEIGHTS_FILE} is not a judgement model ({exc})") from None
    missing = [label for label in LABELS if label not in models]
    if missing:
        raise ModelError(f"{model_id} has no model for {', '.join(missing)}; retrain it")
    units = {label: weight_units(model.weights) for label, model in models.items()}
    try:
        voice = {
            str(kind): VoiceClass(
                str(kind),
                float(spec["bias"]),
                {str(k): float(v) for k, v in spec["weights"].items()},
            )
            for kind, spec in (data.get("voice") or {}).items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelError(f"{model_id}: its voice model is not readable ({exc})") from None
    unknown = sorted(set(voice) - set(VOICE_KINDS))
    if unknown:
        raise ModelError(f"{model_id}: its voice model has unknown kinds {unknown}; retrain it")
    voice_units = {kind: weight_units(c.weights) for kind, c in voice.items()}
    return Judgement(model_id, sha256, models, units, voice, voice_units)


#: The version name that means "whichever version the registry promotes" (rubric:
#: ``judgement: visit_judgement@promoted``).
PROMOTED = "promoted"
REGISTRY_FILE = "registry.json"


def promoted_version(models_dir: Path | None = None) -> str:
    """The version ``models/visit_judgement/registry.json`` promotes (written by
    ``notereview train --from-corrections`` and ``notereview models``); "1" without one."""
    from notereview.ml._location import default_models_dir

    path = Path(models_dir or default_models_dir()) / NAME / REGISTRY_FILE
    if not path.is_file():
        return "1"
    try:
        version = json.loads(path.read_text(encoding="utf-8"))["promoted"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(f"{path} is not a model registry; restore it or delete it") from None
    if not isinstance(version, str) or not re.fullmatch(r"[\w.-]+", version):
        raise ModelError(f"{path} promotes no valid version; run 'notereview models list'")
    return version


def load_judgement(version: str = PROMOTED, models_dir: Path | None = None) -> Judgement:
    """Load ``models/visit_judgement/<version>/weights.json``, its sha256 checked against
    meta.json (``ModelError`` when missing or changed); ``promoted``: the registry's version."""
    from notereview.ml._artefact import read_meta, sha256_file
    from notereview.ml._location import default_models_dir

    if version == PROMOTED:
        version = promoted_version(models_dir)
    folder = Path(models_dir or default_models_dir()) / NAME / version
    path = folder / WEIGHTS_FILE
    model_id = f"{NAME}@{version}"
    if not path.is_file():
        raise ModelError(
            f"{model_id} not found at {folder}: run 'python -m training.train_judgement' or "
            "set NOTEREVIEW_MODELS to the folder that holds it"
        )
    meta = read_meta(folder)
    actual = sha256_file(path)
    if meta["files"].get(WEIGHTS_FILE) != actual:
        raise ModelError(
            f"{model_id}: {WEIGHTS_FILE} has sha256 {actual[:12]}…, meta.json says otherwise; "
            "the artefact was changed after training. Retrain it."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise ModelError(f"{model_id}: {WEIGHTS_FILE} is not valid JSON; retrain it") from None
    return judgement_from_dict(data, model_id, actual)
