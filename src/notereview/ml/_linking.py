"""Semantic plan linkage (V4): the rules' content-word linker, then MiniLM similarity between
the visit's sentences and the plan's actions, weighed by a trained, calibrated model.

Plan-action embeddings are computed once per plan (cached by the actions' ids and texts); only
the visit sentences of 4+ words are embedded (in "fallback" mode only when the rules found no
link). :meth:`SemanticPlanLinker.prepare` decides a whole case file's visits at once, so that
MiniLM sees one batch per case file rather than a few sentences per visit. Without the
transformer this linker is exactly the rules' linker.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from notereview.checks._linking import PlanLink, PlanLinker, content_stems, quote_link
from notereview.ml._embed import DIMENSION
from notereview.ml._train import link_candidates, plan_link_features

if TYPE_CHECKING:
    from notereview.casefile import CaseFile, PlanAction
    from notereview.ml._artefact import LoadedModel
    from notereview.ml._embed import Embedder
    from notereview.nlp import AnnotatedText, SentenceAnnotation

PLAN_CACHE_SIZE = 4096
SENTENCE_CACHE_SIZE = 20000
PREPARED_SIZE = 4096  # visits decided ahead by prepare(), waiting for link_visit


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
        self._prepared: OrderedDict[
            str, tuple[str, AnnotatedText, tuple[tuple[str, str], ...], PlanLink]
        ] = OrderedDict()
        self._lock = threading.Lock()
        self.plans_embedded = 0

    def action_matrix(self, actions: Sequence[PlanAction]) -> np.ndarray:
        """The plan actions' embeddings, computed once per plan (cached)."""
        return self.matrices(actions, [])[0]

    def sentence_matrix(self, sentences: list[str]) -> np.ndarray:
        """Embeddings of visit sentences, cached (stock phrases and copied text recur)."""
        return self.matrices((), sentences)[1]

    def matrices(
        self, actions: Sequence[PlanAction], sentences: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The plan actions' embeddings and the sentences', from the caches where they are;
        whatever is not cached (the plan's actions, each distinct new sentence once) goes to
        MiniLM in one call, which sorts by length and batches."""
        key = _actions_key(actions)
        found: dict[str, np.ndarray] = {}
        with self._lock:
            matrix = self._plans.get(key) if actions else np.zeros((0, DIMENSION), np.float32)
            if matrix is not None and actions:
                self._plans.move_to_end(key)
            for t in dict.fromkeys(sentences):
                vec = self._sentences.get(t)
                if vec is not None:
                    found[t] = vec
        missing = [t for t in dict.fromkeys(sentences) if t not in found]
        action_texts = [a.text for a in actions] if matrix is None else []
        if missing or action_texts:
            vecs = self.embedder.embed(action_texts + missing)
            new = vecs[len(action_texts) :]
            found.update(zip(missing, new, strict=True))
            with self._lock:
                if matrix is None:
                    matrix = vecs[: len(action_texts)].copy()  # not a view that keeps vecs
                    self._plans[key] = matrix
                    self.plans_embedded += 1
                    while len(self._plans) > PLAN_CACHE_SIZE:
                        self._plans.popitem(last=False)
                for t, vec in zip(missing, new, strict=True):
                    self._sentences[t] = vec
                while len(self._sentences) > SENTENCE_CACHE_SIZE:
                    self._sentences.popitem(last=False)
        assert matrix is not None
        if not sentences:
            return matrix, np.zeros((0, DIMENSION), dtype=np.float32)
        return matrix, np.stack([found[t] for t in sentences])

    def prepare(
        self, case: CaseFile, annotations: Mapping[tuple[str, str], AnnotatedText]
    ) -> None:
        """Decide V4 for every visit of a case file at once, before the rules label them: one
        embedding call for all the visits' candidate sentences (sorted by length, each distinct
        sentence once) and one model call for all the visits. :meth:`link_visit` then returns
        these decisions; what it returns is the same as without this step."""
        actions = case.plan_actions
        todo = [(v.visit_id, v.text, annotations[("visits", v.visit_id)]) for v in case.visits
                if ("visits", v.visit_id) in annotations]
        if not todo:
            return
        links = self._link_many(todo, actions)
        key = _actions_key(actions)
        with self._lock:
            for (vid, text, at), link in zip(todo, links, strict=True):
                self._prepared[vid] = (text, at, key, link)
                self._prepared.move_to_end(vid)
            while len(self._prepared) > PREPARED_SIZE:
                self._prepared.popitem(last=False)

    def link_visit(
        self,
        visit_id: str,
        text: str,
        at: AnnotatedText,
        actions: Sequence[PlanAction],
        *,
        names: frozenset[str] = frozenset(),
    ) -> PlanLink:
        """The semantic decision (``names`` is the rules' argument, unused here: the embedding
        compares meanings, not shared words)."""
        with self._lock:
            hit = self._prepared.pop(visit_id, None)
        if hit is not None and hit[0] == text and hit[1] is at and hit[2] == _actions_key(
            actions
        ):
            return hit[3]
        return self._link_many([(visit_id, text, at)], actions)[0]

    def _link_many(
        self, visits: Sequence[tuple[str, str, AnnotatedText]], actions: Sequence[PlanAction]
    ) -> list[PlanLink]:
        """The semantic decision for several visits against one plan's actions, batched."""
        out: list[PlanLink | None] = []
        pending: list[tuple[int, _Pending]] = []
        for visit_id, text, at in visits:
            rules = super().link_visit(visit_id, text, at, actions)
            if not actions or (rules.linked and self.mode == "fallback"):
                out.append(rules)
                continue
            sentences = [
                s for s in at.sentences if not ({"hypothetical", "negated"} & s.qualifiers)
            ]
            texts = [text[s.start : s.end] for s in sentences]
            cand = link_candidates(texts)
            if not cand:
                out.append(rules if self.mode == "fallback" else PlanLink(False, None, ()))
                continue
            pending.append((len(out), _Pending(visit_id, text, rules, sentences, texts, cand)))
            out.append(None)
        if pending:
            stems = [content_stems(a.text) for a in actions]
            every = [p.texts[i] for _, p in pending for i in p.cand]
            matrix, vecs = self.matrices(actions, every)
            rows, cosines = [], []
            at_row = 0
            for _, p in pending:
                cos = vecs[at_row : at_row + len(p.cand)] @ matrix.T
                at_row += len(p.cand)
                shared = max(
                    (len(content_stems(p.texts[i]) & a) for i in p.cand for a in stems),
                    default=0,
                )
                plan_language = any(
                    c.kind == "plan_language" for s in p.sentences for c in s.cues
                )
                rows.append(plan_link_features(p.rules.linked, shared, plan_language, cos))
                cosines.append(cos)
            est = self.model.estimator
            proba = est.predict_proba(np.asarray(rows))
            col = list(est.classes_).index(True) if True in est.classes_ else None
            for (i, p), cos, row in zip(pending, cosines, proba, strict=True):
                out[i] = self._decide(p, actions, cos, float(row[col]) if col is not None else 0.0)
        return [link for link in out if link is not None]

    def _decide(
        self, p: _Pending, actions: Sequence[PlanAction], cos: np.ndarray, prob: float
    ) -> PlanLink:
        if prob < self.threshold:
            return p.rules if self.mode == "fallback" else PlanLink(False, None, ())
        if p.rules.linked:
            return p.rules  # the rules' evidence (shared words) is the clearer quote
        si, ai = np.unravel_index(int(np.argmax(cos)), cos.shape)
        s = p.sentences[p.cand[int(si)]]
        action = actions[int(ai)]
        why = (f"means the same as plan action {action.action_id} "
               f"(similarity {float(cos[si, ai]):.2f}, model p={prob:.2f})")  # fmt: skip
        return quote_link(p.visit_id, p.text, s.start, s.end, self.name, why, action.action_id)


@dataclass(frozen=True)
class _Pending:
    """A visit that needs the model: the rules' link and its candidate sentences."""

    visit_id: str
    text: str
    rules: PlanLink
    sentences: list[SentenceAnnotation]
    texts: list[str]
    cand: list[int]


def _actions_key(actions: Sequence[PlanAction]) -> tuple[tuple[str, str], ...]:
    return tuple((a.action_id, a.text) for a in actions)


def coverage_similarity(
    embedder: Embedder, mentions: Sequence[str], entries: Sequence[str]
) -> np.ndarray:
    """H2 helper: cosine between event mentions and chronology entries (rows: mentions)."""
    if not mentions or not entries:
        return np.zeros((len(mentions), len(entries)), dtype=np.float32)
    return embedder.embed(list(mentions)) @ embedder.embed(list(entries)).T
