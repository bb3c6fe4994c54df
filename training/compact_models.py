"""Re-save the TF-IDF model artefacts with plain-int vocabularies (no retraining).

scikit-learn's ``max_features`` leaves numpy int64 values in a vectoriser's vocabulary, and
skops writes each numpy scalar as a file of its own: the three text models held ~78,000 such
files and took 3-7 s each to load. This rewrites every ``models/*/*/model.skops`` that has
such a vocabulary, checks that the re-saved model gives bit-identical probabilities on
probe texts, and updates the hash in meta.json and the model card.

    .venv/bin/python training/compact_models.py [--models models]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from notereview.ml._artefact import MODEL_FILE, _unexpected_types, load_model, sha256_file
from notereview.ml._cards import card
from notereview.ml._estimators import compact_vocabulary

ROOT = Path(__file__).resolve().parents[1]
PROBES = [
    "thechild said she likes school and wants to see her dad zzspkchild zzrvreported",
    "Mum said the house is busy; no concerns were raised zzspkparent zzrvnone",
    "Social worker to complete a referral to CAMHS by 30 January zzownercol zzduecol",
    "This suggests that thechild is settling, which is good for his sense of safety",
    "Improve things at home",
]


def _vectorizers(obj: Any, seen: set[int] | None = None) -> list[Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, TfidfVectorizer):
        return [obj]
    if isinstance(obj, dict):
        children = list(obj.values())
    elif isinstance(obj, list | tuple):
        children = list(obj)
    else:
        children = list(getattr(obj, "__dict__", {}).values())
    return [v for c in children for v in _vectorizers(c, seen)]


def _probe(est: Any) -> Any:
    out = est.predict_proba(PROBES)
    return out if isinstance(out, dict) else {"": out}


def compact(models_dir: Path, name: str, version: str) -> bool:
    import skops.io as sio

    loaded = load_model(models_dir, name, version)
    vectorizers = _vectorizers(loaded.estimator)
    if all(type(i) is int for v in vectorizers for i in v.vocabulary_.values()):
        return False
    before = _probe(loaded.estimator)
    for v in vectorizers:
        compact_vocabulary(v)
    after = _probe(loaded.estimator)
    assert all(np.array_equal(before[k], after[k]) for k in before), name
    path = loaded.path / MODEL_FILE
    sio.dump(loaded.estimator, path, compression=8)
    assert not _unexpected_types(path), name
    meta = loaded.meta
    old = meta["files"][MODEL_FILE]
    meta["files"][MODEL_FILE] = sha256_file(path)
    meta.setdefault("resaved", []).append(
        {"from_sha256": old, "why": "vocabularies as plain ints (training/compact_models.py); "
                                    "same probabilities"}
    )
    (loaded.path / "meta.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    (loaded.path / "MODEL_CARD.md").write_text(card(name, version, meta), encoding="utf-8")
    again = _probe(load_model(models_dir, name, version).estimator)
    assert all(np.array_equal(before[k], again[k]) for k in before), name
    return True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    args = ap.parse_args()
    for model_path in sorted(args.models.glob(f"*/*/{MODEL_FILE}")):
        name, version = model_path.parent.parent.name, model_path.parent.name
        done = compact(args.models, name, version)
        print(f"{name}@{version}: {'re-saved' if done else 'already compact'}")


if __name__ == "__main__":
    main()
