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
from notereview.nlp._patterns import (
    CUE_KINDS,
    EVENT_TYPES,
    PIPELINE_VERSION,
    pipeline_versions,
)

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


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from notereview.nlp import _annotator

        return getattr(_annotator, name)
    raise AttributeError(f"module 'notereview.nlp' has no attribute {name!r}")
