"""The annotation pipeline: one spaCy pipeline annotates every text once; the checks read the
result (sentences, who speaks, the child's voice, ConText qualifiers, lexicon cues) and never
re-parse.

Rules and lexicons are data files in ``patterns/`` (validated on load); see ``_patterns`` for
their schema. Nothing is built at import time: call :func:`build_pipeline`. spaCy itself is
imported only when ``build_pipeline`` or ``Annotator`` is first used, so that reading the result
types stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from notereview.nlp._model import (
    QUALIFIERS,
    SPEAKERS,
    VOICES,
    AnnotatedText,
    ChildContext,
    Cue,
    SentenceAnnotation,
    strongest_voice,
)
from notereview.nlp._patterns import CUE_KINDS, EVENT_TYPES, PatternSet

PIPELINE_VERSION = "notereview-nlp 1.1.0"

if TYPE_CHECKING:
    from notereview.nlp._annotator import Annotator, build_pipeline

_LAZY = {"Annotator", "build_pipeline"}

__all__ = [
    "CUE_KINDS",
    "EVENT_TYPES",
    "PIPELINE_VERSION",
    "QUALIFIERS",
    "SPEAKERS",
    "VOICES",
    "AnnotatedText",
    "Annotator",
    "ChildContext",
    "Cue",
    "SentenceAnnotation",
    "build_pipeline",
    "pipeline_versions",
    "strongest_voice",
]


def pipeline_versions(patterns: PatternSet) -> dict[str, str]:
    """What names the annotation pipeline in ``run.json``: its version, spaCy's and every
    pattern file's (version and sha256). Imports no spaCy: cheap in a process that does not
    annotate."""
    from importlib.metadata import version

    versions = {"pipeline": PIPELINE_VERSION, "spacy": version("spacy")}
    versions.update({f"patterns/{name}": v for name, v in patterns.file_versions})
    return versions


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from notereview.nlp import _annotator

        return getattr(_annotator, name)
    raise AttributeError(f"module 'notereview.nlp' has no attribute {name!r}")
