"""Measured judgement: a run against a synthetic answer key, and exemplars labelled by others.

``evaluate_run`` compares a run's files with the synth generator's answer key: accuracy and
macro-F1 per criterion, per-visit voice / plan-link / analysis accuracy, SMART accuracy, and the
Spearman correlation of the case ranking with the true quality. ``evaluate_exemplars`` runs the
exemplar checker over a JSONL file of passages labelled good / poor by their own source, and
reports accuracy per theme (the project's held-out evaluation text lives outside the repo).
"""

from notereview.evaluation._answer_key import (
    SUMMARY_COLUMNS,
    RunEvaluation,
    _read_table,
    evaluate_run,
    key_status,
    run_markdown,
    summary_markdown,
    true_case_score,
    write_errors,
)
from notereview.evaluation._compare import COMPARED, compare, compare_markdown, score_and_evaluate
from notereview.evaluation._exemplars import EXEMPLAR_THEMES, evaluate_exemplars, exemplars_markdown

__all__ = [
    "COMPARED",
    "EXEMPLAR_THEMES",
    "SUMMARY_COLUMNS",
    "RunEvaluation",
    "_read_table",
    "compare",
    "compare_markdown",
    "evaluate_exemplars",
    "evaluate_run",
    "exemplars_markdown",
    "key_status",
    "run_markdown",
    "score_and_evaluate",
    "summary_markdown",
    "true_case_score",
    "write_errors",
]
