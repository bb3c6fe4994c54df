"""Learned models beside the rules: sentence and record classifiers (voice of the child, SMART
plan actions, analysis, reflective supervision), semantic plan linkage with a pinned, hash-checked
MiniLM, and a case-level model that learns from auditors' grades.

Nothing is loaded at import time; torch and transformers are imported only when the transformer
path is asked for, and the product runs on the rules and TF-IDF path without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from notereview._lazy import lazy_getattr

if TYPE_CHECKING:
    from notereview.ml._artefact import TRUSTED_TYPES, LoadedModel, load_model, save_model
    from notereview.ml._embed import Embedder, load_embedder, transformer_available
    from notereview.ml._estimators import (
        CaseAuditModel,
        MultiLabelTextClassifier,
        TabularClassifier,
        TextClassifier,
    )
    from notereview.ml._runtime import (
        FAMILIES,
        ModelSet,
        default_models_dir,
        describe_models,
        load_model_set,
    )

# Imported on first use (PEP 562): `notereview --help` and the rules path never pay for
# scikit-learn or torch just because the CLI mounts `notereview train`.
_EXPORTS: dict[str, str] = {
    "CaseAuditModel": "_estimators",
    "Embedder": "_embed",
    "FAMILIES": "_runtime",
    "LoadedModel": "_artefact",
    "ModelSet": "_runtime",
    "MultiLabelTextClassifier": "_estimators",
    "TRUSTED_TYPES": "_artefact",
    "TabularClassifier": "_estimators",
    "TextClassifier": "_estimators",
    "default_models_dir": "_runtime",
    "describe_models": "_runtime",
    "load_embedder": "_embed",
    "load_model": "_artefact",
    "load_model_set": "_runtime",
    "save_model": "_artefact",
    "transformer_available": "_embed",
}


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())


__all__ = [
    "FAMILIES",
    "TRUSTED_TYPES",
    "CaseAuditModel",
    "Embedder",
    "LoadedModel",
    "ModelSet",
    "MultiLabelTextClassifier",
    "TabularClassifier",
    "TextClassifier",
    "default_models_dir",
    "describe_models",
    "load_embedder",
    "load_model",
    "load_model_set",
    "save_model",
    "transformer_available",
]
