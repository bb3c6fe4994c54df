"""The pinned MiniLM: every file hash-checked, no remote code; the semantic plan linker."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from notereview.errors import ModelError
from notereview.ml import transformer_available
from notereview.ml._embed import PINNED_SHA256, _package_dir, verify_files

needs_transformer = pytest.mark.skipif(
    not transformer_available()[0], reason="transformer extra not installed"
)


@needs_transformer
def test_pinned_files_verify_and_tampering_is_caught(tmp_path: Path) -> None:
    real = _package_dir()
    assert real is not None
    assert verify_files(real)["model.safetensors"] == PINNED_SHA256["model.safetensors"]
    for name in PINNED_SHA256:
        (tmp_path / name).symlink_to(real / name)
    (tmp_path / "config.json").unlink()
    config = json.loads((real / "config.json").read_text())
    config["auto_map"] = {"AutoModel": "evil.Model"}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelError, match=r"config\.json"):
        verify_files(tmp_path)


@pytest.mark.slow
@needs_transformer
def test_embeddings_and_semantic_linker() -> None:
    from notereview.casefile import PlanAction
    from notereview.ml import TabularClassifier, load_embedder
    from notereview.ml._artefact import LoadedModel
    from notereview.ml._linking import SemanticPlanLinker
    from notereview.nlp import AnnotatedText, SentenceAnnotation

    emb = load_embedder(threads=1)
    assert emb.describe()["local_files_only"] and emb.describe()["device"] == "cpu"
    v = emb.embed(["The boy went to school every day this week.",
                   "He attended school all five days.",
                   "The kitchen was untidy."])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]

    x = np.array([[0, 0, 0, c, c, c, 0.3] for c in np.linspace(0, 1, 20)])
    model = TabularClassifier().fit(x, x[:, 3] > 0.5)
    linker = SemanticPlanLinker(LoadedModel("link", "t", model, {}, Path(".")), emb,
                                mode="override")
    text = "We talked about how he has been getting to his lessons every morning this week."
    at = AnnotatedText(text, (SentenceAnnotation(0, len(text), "writer", "none",
                                                 frozenset(), ()),), ())
    actions = [PlanAction("a1", "p1", "Ensure school attendance every day, checked weekly.")]
    link = linker.link_visit("v1", text, at, actions)
    linker.link_visit("v2", text, at, actions)
    assert linker.plans_embedded == 1  # the plan's actions are embedded once
    assert link.linked == (link.action_id == "a1")
    if link.linked:
        assert link.evidence[0].quote == text


@needs_transformer
def test_a_model_set_checks_minilm_at_once_and_loads_it_at_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notereview.ml import _embed

    lazy = _embed.LazyEmbedder(threads=1)  # a process that only describes never loads it
    assert lazy._loaded is None
    assert lazy.describe()["threads"] == 1 and lazy.describe()["id"] == _embed.EMBEDDER_ID
    assert lazy._loaded is None
    v = lazy.embed(["Sam said he likes school."])
    assert v.shape == (1, 384) and lazy._loaded is not None
    assert lazy.forward_passes == lazy._loaded.forward_passes  # the loaded one's counters
    # A load's errors come when the set is built, not at the first embedding: here, a file
    # that does not hash as pinned.
    real = _package_dir()
    assert real is not None
    for name in PINNED_SHA256:
        (tmp_path / name).symlink_to(real / name)
    (tmp_path / "vocab.txt").unlink()
    (tmp_path / "vocab.txt").write_text("[PAD]\n")
    monkeypatch.setattr(_embed, "_package_dir", lambda: tmp_path)
    with pytest.raises(ModelError, match=r"vocab\.txt"):
        _embed.LazyEmbedder(threads=1)
