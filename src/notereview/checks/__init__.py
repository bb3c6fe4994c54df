"""Checks: one per rubric criterion, registered under versioned names, configured by the rubric.

A check reads an annotated case file (:class:`ReviewContext`) and returns a :class:`Finding`
with evidence spans and what is missing in plain words. ``CRITERIA``, ``THEMES`` and
``STATUSES`` are :mod:`notereview.vocabulary`'s.
"""

from notereview.checks._catalogue import registered
from notereview.checks._context import ActionLabel, ReviewContext, VisitLabel, build_context
from notereview.checks._finding import Evidence, Finding
from notereview.checks._registry import BaseCheck, Check, CheckParams, register
from notereview.checks._rubric import Rubric, load_rubric
from notereview.vocabulary import CRITERIA, STATUSES, THEMES

__all__ = [
    "CRITERIA",
    "STATUSES",
    "THEMES",
    "ActionLabel",
    "BaseCheck",
    "Check",
    "CheckParams",
    "Evidence",
    "Finding",
    "ReviewContext",
    "Rubric",
    "VisitLabel",
    "build_context",
    "load_rubric",
    "register",
    "registered",
]
