"""Semantic plan linkage (V4): the rules' content-word linker, then MiniLM similarity between
the visit's sentences and the plan's actions, weighed by a trained, calibrated model.

Plan-action embeddings are computed once per plan (cached by the actions' ids and texts); only
the visit sentences of 4+ words are embedded, and only when the rules found no link. Without
the transformer this linker is exactly the rules' linker.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from notereview.checks._finding import Evidence
from notereview.checks._linking import PlanLink, PlanLinker, content_stems
from notereview.ml._train import link_candidates, plan_link_features

if TYPE_CHECKING:
    from notereview.casefile import PlanAction
    from notereview.ml._artefact import LoadedModel
    from notereview.ml._embed import Embedder
    from notereview.nlp import AnnotatedText

PLAN_CACHE_SIZE = 4096
SENTENCE_CACHE_SIZE = 20000


class SemanticPlanLinker(PlanLinker):
    """PlanLinker with a semantic second opinion; ``name`` records which path ran."""

    def __init__(
        self,
        model: LoadedModel,
        embedder: Embedder,
        threshold: float = 0.5,
        mode: str = "fallback",
        min_shared: int = 2,
        min_shared_with_plan_language: int = 1,
    ) -> None:
        super().__init__(min_shared, min_shared_with_plan_language)
        self.model = model
        self.embedder = embedder
        self.threshold = threshold
        self.mode = mode  # "fallback": only where the rules found no link; "override": always
        self.name = f"plan_link.{model.model_id}+content_words@1"
        self._plans: OrderedDict[tuple[tuple[str, str], ...], np.ndarray] = OrderedDict()
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.plans_embedded = 0

    def action_matrix(self, actions: Sequence[PlanAction]) -> np.ndarray:
        key = tuple((a.action_id, a.text) for a in actions)
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        matrix = self.embedder.embed([a.text for a in actions])
        with self._lock:
            self._plans[key] = matrix
            self.plans_embedded += 1
            while len(self._plans) > PLAN_CACHE_SIZE:
                self._plans.popitem(last=False)
        return matrix

    def sentence_matrix(self, sentences: list[str]) -> np.ndarray:
        """Embeddings of visit sentences, cached (stock phrases and copied text recur)."""
        with self._lock:
            missing = [t for t in dict.fromkeys(sentences) if t not in self._sentences]
        if missing:
            vecs = self.embedder.embed(missing)
            with self._lock:
                for t, vec in zip(missing, vecs, strict=True):
                    self._sentences[t] = vec
                while len(self._sentences) > SENTENCE_CACHE_SIZE:
                    self._sentences.popitem(last=False)
        with self._lock:
            return np.stack([self._sentences.get(t, np.zeros(384, np.float32))
                             if t in self._sentences else self.embedder.embed([t])[0]
                             for t in sentences])

    def link_visit(
        self, visit_id: str, text: str, at: AnnotatedText, actions: Sequence[PlanAction]
    ) -> PlanLink:
        rules = super().link_visit(visit_id, text, at, actions)
        if not actions or (rules.linked and self.mode == "fallback"):
            return rules
        sentences = [
            s for s in at.sentences if not ({"hypothetical", "negated"} & s.qualifiers)
        ]
        texts = [text[s.start : s.end] for s in sentences]
        cand = link_candidates(texts)
        if not cand:
            return rules if self.mode == "fallback" else PlanLink(False, None, ())
        stems = [content_stems(a.text) for a in actions]
        shared = max(
            (len(content_stems(texts[i]) & a) for i in cand for a in stems), default=0
        )
        plan_language = any(c.kind == "plan_language" for s in sentences for c in s.cues)
        matrix = self.action_matrix(actions)
        cos = self.sentence_matrix([texts[i] for i in cand]) @ matrix.T
        feats = plan_link_features(rules.linked, shared, plan_language, cos)
        est = self.model.estimator
        proba = est.predict_proba(np.asarray([feats]))[0]
        p = float(proba[list(est.classes_).index(True)]) if True in est.classes_ else 0.0
        if p < self.threshold:
            return rules if self.mode == "fallback" else PlanLink(False, None, ())
        if rules.linked:
            return rules  # the rules' evidence (shared words) is the clearer quote
        si, ai = np.unravel_index(int(np.argmax(cos)), cos.shape)
        s = sentences[cand[int(si)]]
        action = actions[int(ai)]
        evidence = Evidence(
            "visits", visit_id, s.start, s.end, text[s.start : s.end], self.name,
            f"means the same as plan action {action.action_id} "
            f"(similarity {float(cos[si, ai]):.2f}, model p={p:.2f})",
        )
        return PlanLink(True, action.action_id, (evidence,))


def coverage_similarity(
    embedder: Embedder, mentions: Sequence[str], entries: Sequence[str]
) -> np.ndarray:
    """H2 helper: cosine between event mentions and chronology entries (rows: mentions)."""
    if not mentions or not entries:
        return np.zeros((len(mentions), len(entries)), dtype=np.float32)
    return embedder.embed(list(mentions)) @ embedder.embed(list(entries)).T
