"""Model artefacts: saved with skops, hash-checked and type-checked on load."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from notereview.errors import ModelError
from notereview.ml import TextClassifier, load_model, save_model

TEXTS = [
    "thechild said she likes school zzrvreported",
    "mum said the house is busy zzrvnone",
    "thechild told me he wants to see dad zzrvreported",
    "the carer reported no concerns zzrvnone",
] * 4
LABELS = ["reported", "none", "reported", "none"] * 4


def _tiny(tmp_path: Path) -> Path:
    est = TextClassifier(min_df=1, cv=2, random_state=0).fit(TEXTS, LABELS)
    return save_model(est, tmp_path, "tiny", "1", {"metrics": {}}, "# card\n")


def test_round_trip(tmp_path: Path) -> None:
    folder = _tiny(tmp_path)
    assert {p.name for p in folder.iterdir()} == {"model.skops", "meta.json", "MODEL_CARD.md"}
    loaded = load_model(tmp_path, "tiny", "1")
    assert loaded.model_id == "tiny@1"
    assert list(loaded.estimator.predict(["thechild said hello zzrvreported"])) == ["reported"]


def test_tampered_artefact_is_rejected(tmp_path: Path) -> None:
    folder = _tiny(tmp_path)
    data = bytearray((folder / "model.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "model.skops").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="changed after training"):
        load_model(tmp_path, "tiny", "1")


def test_missing_meta_and_missing_model(tmp_path: Path) -> None:
    folder = _tiny(tmp_path)
    (folder / "meta.json").unlink()
    with pytest.raises(ModelError, match=r"meta\.json"):
        load_model(tmp_path, "tiny", "1")
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path, "absent", "1")


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="trusted list"):
        save_model(Counter(a=1), tmp_path, "bad", "1", {}, "")
    # A file with an untrusted type and a matching hash still does not load.
    import skops.io as sio

    folder = tmp_path / "bad2" / "1"
    folder.mkdir(parents=True)
    sio.dump({"x": Counter(a=1)}, folder / "model.skops")
    from notereview.ml._artefact import sha256_file

    meta = {"files": {"model.skops": sha256_file(folder / "model.skops")}}
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="trusted list"):
        load_model(tmp_path, "bad2", "1")
