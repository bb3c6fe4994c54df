"""Model artefacts: ``models/<name>/<version>/`` holding ``model.skops``, ``meta.json`` and
``MODEL_CARD.md``.

Saved with skops (never pickle). Loading checks the file's sha256 against meta.json and loads
only the types on :data:`TRUSTED_TYPES`, a list kept in code, not in the artefact: a tampered
file fails the hash check, and a file that names any other type is refused before it is read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from notereview.errors import ModelError

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
CARD_FILE = "MODEL_CARD.md"

#: Every type a notereview artefact may hold (besides the builtins and numpy types that skops
#: trusts by default). Anything else in a file is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "notereview.ml._estimators.TextClassifier",
    "notereview.ml._estimators.MultiLabelTextClassifier",
    "notereview.ml._estimators.TabularClassifier",
    "notereview.ml._estimators.CaseAuditModel",
    "notereview.ml._estimators.CosineThreshold",
    "sklearn.pipeline.Pipeline",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.linear_model.LogisticRegression",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.dummy.DummyClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.preprocessing.StandardScaler",
    "sklearn.preprocessing.LabelEncoder",
    "sklearn.utils._bunch.Bunch",
    "scipy.sparse._csr.csr_matrix",
    "scipy.sparse._csr.csr_array",
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float64",
    "numpy.int64",
    "numpy.bool_",
    "numpy.str_",
    "builtins.slice",
    "collections.OrderedDict",
    "collections.defaultdict",
    "builtins.frozenset",
    "builtins.set",
    "builtins.tuple",
)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class LoadedModel:
    name: str
    version: str
    estimator: Any
    meta: dict[str, Any]
    path: Path

    @property
    def model_id(self) -> str:
        return f"{self.name}@{self.version}"


def save_model(
    estimator: Any,
    models_dir: str | Path,
    name: str,
    version: str,
    meta: dict[str, Any],
    card: str,
) -> Path:
    """Write ``models_dir/name/version/`` (model.skops, meta.json, MODEL_CARD.md)."""
    import skops.io as sio

    folder = Path(models_dir) / name / version
    folder.mkdir(parents=True, exist_ok=True)
    model_path = folder / MODEL_FILE
    sio.dump(estimator, model_path, compression=8)
    untrusted = _unexpected_types(model_path)
    if untrusted:
        model_path.unlink()
        raise ModelError(
            f"model {name}@{version} holds types outside notereview's trusted list: "
            f"{', '.join(untrusted)}; add them to TRUSTED_TYPES only after review"
        )
    full_meta = {
        "name": name,
        "version": version,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": "skops",
        "files": {MODEL_FILE: sha256_file(model_path)},
        **meta,
    }
    (folder / META_FILE).write_text(json.dumps(full_meta, indent=2, default=str) + "\n")
    (folder / CARD_FILE).write_text(card, encoding="utf-8")
    return folder


def _unexpected_types(model_path: Path) -> list[str]:
    import skops.io as sio

    return sorted(set(sio.get_untrusted_types(file=model_path)) - set(TRUSTED_TYPES))


def read_meta(folder: Path) -> dict[str, Any]:
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        raise ModelError(f"model folder {folder} has no {META_FILE}; retrain or restore it")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise ModelError(f"{meta_path} is not valid JSON; retrain or restore it") from None
    if not isinstance(meta, dict) or "files" not in meta:
        raise ModelError(f"{meta_path} lacks the files' hashes; retrain or restore it")
    return meta


def load_model(models_dir: str | Path, name: str, version: str) -> LoadedModel:
    """Load ``models_dir/name/version``: hash checked, only trusted types (ModelError if not)."""
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    folder = Path(models_dir) / name / version
    model_path = folder / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"model {name}@{version} not found under {models_dir}")
    meta = read_meta(folder)
    expected = meta["files"].get(MODEL_FILE)
    actual = sha256_file(model_path)
    if expected != actual:
        raise ModelError(
            f"model {name}@{version}: {MODEL_FILE} has sha256 {actual[:12]}…, meta.json says "
            f"{str(expected)[:12]}…; the artefact was changed after training. Retrain it."
        )
    # One pass over the file: skops audits the whole tree against the trusted list before it
    # builds any object, and refuses the file if anything else is in it. (Auditing first with
    # get_untrusted_types and then loading read and parsed every file three times.)
    try:
        estimator = sio.load(model_path, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException:
        untrusted = _unexpected_types(model_path)  # the slow path, only to name the types
        raise ModelError(
            f"model {name}@{version} holds types outside notereview's trusted list "
            f"({', '.join(untrusted)}); refusing to load it"
        ) from None
    except Exception as exc:  # skops raises several types; translate them
        raise ModelError(
            f"model {name}@{version} could not be read ({type(exc).__name__}); retrain it"
        ) from None
    return LoadedModel(name, version, estimator, meta, folder)
