"""MiniLM's batching: sentences sorted by token count and cut into the batches that cost least
(padding against one more forward pass). Every sentence is embedded once, in the caller's
order, and the vectors are those of the plain one-batch encoding (floating-point order only),
so the plan linker decides exactly as before."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest
from tests.ml_fixtures import kai_case

from notereview.ml import transformer_available
from notereview.ml._embed import PASS_COST_TOKENS, plan_batches

needs_transformer = pytest.mark.skipif(
    not transformer_available()[0], reason="transformer extra not installed"
)


def _cost(batches: list[list[int]], lengths: list[int], pass_cost: int) -> int:
    return sum(pass_cost + len(b) * max(lengths[i] for i in b) for b in batches)


def _best_cost(lengths: list[int], max_batch: int, pass_cost: int) -> int:
    """Every way to cut the sorted lengths into runs (exhaustive, small n only)."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    n, best = len(order), None
    for cuts in itertools.product([False, True], repeat=max(0, n - 1)):
        batches, start = [], 0
        for k, cut in enumerate(cuts, start=1):
            if cut:
                batches.append(order[start:k])
                start = k
        batches.append(order[start:])
        if any(len(b) > max_batch for b in batches):
            continue
        cost = _cost(batches, lengths, pass_cost)
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(12))
def test_batches_cover_every_sentence_once_and_cost_least(seed: int) -> None:
    rng = random.Random(seed)
    lengths = [rng.choice([5, 8, 12, 19, 20, 21, 34, 60, 128]) for _ in range(rng.randint(1, 9))]
    max_batch = rng.choice([2, 3, 64])
    pass_cost = rng.choice([0, 10, PASS_COST_TOKENS])
    batches = plan_batches(lengths, max_batch, pass_cost)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(0 < len(b) <= max_batch for b in batches)
    assert _cost(batches, lengths, pass_cost) == _best_cost(lengths, max_batch, pass_cost)


def test_long_and_short_sentences_are_not_padded_together() -> None:
    lengths = [12] * 40 + [100] * 3
    batches = plan_batches(lengths, 64)
    assert len(batches) == 2
    assert {lengths[i] for i in batches[0]} == {12} and {lengths[i] for i in batches[1]} == {100}
    assert plan_batches([], 64) == []
    assert len(plan_batches([20] * 130, 64)) == 3  # at most max_batch a pass


SENTENCES = [
    "Kai said school is fine.",
    "We talked about how he has been getting to his lessons every morning this week, and "
    "what helps him on the days when he does not want to go.",
    "Mum said the GP appointment is booked.",
    "Kai said school is fine.",  # a repeat
    "The kitchen was clean and there was food in the cupboards; the heating was on and the "
    "children's bedrooms were tidy, with clean bedding and their school uniforms laid out "
    "ready for the morning, which is a change from the last three visits.",
    "He did not want to talk about dad today.",
]


@pytest.mark.slow
@needs_transformer
def test_embeddings_equal_the_one_batch_encoding() -> None:
    import torch

    from notereview.ml import load_embedder

    emb = load_embedder(threads=1)
    assert emb._model.pooler is None  # mean pooling never reads BERT's pooler
    got = emb.embed(SENTENCES)
    with torch.inference_mode():  # the encoding before the batching change: one padded batch
        batch = emb._tokenizer(SENTENCES, padding=True, truncation=True, max_length=128,
                               return_tensors="pt")
        hidden = emb._model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        want = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
    assert got.shape == (len(SENTENCES), 384)
    assert np.abs(got - want).max() < 1e-5
    assert np.abs(got @ got.T - want @ want.T).max() < 1e-5  # cosines too
    alone = np.vstack([emb.embed([s]) for s in SENTENCES])  # rows stay in the caller's order
    assert np.abs(got - alone).max() < 1e-5
    passes = emb.forward_passes
    emb.embed(SENTENCES)
    assert emb.forward_passes - passes >= 2  # the long ones went in a batch of their own


@pytest.mark.slow
@needs_transformer
def test_plan_links_are_the_same_batched_or_visit_by_visit() -> None:
    from notereview.ml import load_embedder, load_model
    from notereview.ml._linking import SemanticPlanLinker

    models = Path(__file__).resolve().parents[1] / "models"
    texts = [" ".join(SENTENCES[i:i + 3]) for i in range(0, len(SENTENCES), 2)]
    case, annotations = kai_case(texts)
    actions = case.plans[0].actions
    model = load_model(models, "plan_link", "1")
    emb = load_embedder(threads=1)
    batched = SemanticPlanLinker(model, emb, mode="override")
    batched.prepare(case, annotations)
    one_by_one = SemanticPlanLinker(model, emb, mode="override")
    for v in case.visits:
        at = annotations[("visits", v.visit_id)]
        assert batched.link_visit(v.visit_id, v.text, at, actions) == one_by_one.link_visit(
            v.visit_id, v.text, at, actions)
