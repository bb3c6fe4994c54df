"""Learned models beside the rules: sentence and record classifiers (voice of the child, SMART
plan actions, analysis, reflective supervision), semantic plan linkage with a pinned, hash-checked
MiniLM, and a case-level model that learns from auditors' grades.

Nothing is loaded at import time; torch and transformers are imported only when the transformer
path is asked for, and the product runs on the rules and TF-IDF path without them.
"""

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
