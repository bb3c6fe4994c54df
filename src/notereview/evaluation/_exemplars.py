"""The exemplar checker measured on passages labelled good or poor by their own source: accuracy
per theme, each theme judged by the kind of text and the rule that says good."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np


# How each exemplar theme is judged by the checker: the kind of text and the rule that says good.
def _good_plan(result: dict[str, Any]) -> bool:
    # An exemplar is action text alone: owner and due date live in their own columns in a real
    # plan, so the text is judged on what it can show: specific and measurable.
    labels = result["labels"]
    return bool(labels.get("specific") and labels.get("measurable"))


def _status(result: dict[str, Any], cid: str) -> str:
    return next(
        (f["status"] for f in result["findings"] if f["criterion"] == cid), "not_applicable"
    )


def _good_voice(result: dict[str, Any]) -> bool:
    return result["labels"].get("voice") in ("direct", "reported", "observation")


def _good_summary(result: dict[str, Any]) -> bool:
    # The passages are worry statements: S3 is met on one pasted that states the worry
    # specifically (who is worried, about what happening).
    return _status(result, "S3") == "met"


def _good_record(result: dict[str, Any]) -> bool:
    # Analysis, or specific observed facts: either is more than a bare opinion (V5 met).
    return _status(result, "V5") == "met"


def _good_supervision(result: dict[str, Any]) -> bool:
    return _status(result, "M2") == "met"


EXEMPLAR_THEMES: dict[str, tuple[str, str, Any]] = {
    "plan": ("plan_action", "P1", _good_plan),
    "voice_of_child": ("visit", "C1–C3", _good_voice),
    "case_summary": ("case_summary", "S3", _good_summary),
    "visit_record": ("visit", "V5", _good_record),
    "other": ("visit", "V5", _good_record),
    "supervision": ("supervision", "M2", _good_supervision),
}


def evaluate_exemplars(path: str | Path, reviewer: Any = None) -> dict[str, dict[str, float]]:
    """Accuracy per theme of the checker's good/poor verdicts against the passages' labels
    (``reviewer``: rules only by default; a ``Reviewer(models=...)`` for rules plus models)."""
    from notereview.review import Reviewer, check_text

    reviewer = reviewer or Reviewer()
    per_theme: dict[str, list[bool]] = defaultdict(list)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        theme = item["theme"]
        if theme not in EXEMPLAR_THEMES:
            continue
        kind, _, is_good = EXEMPLAR_THEMES[theme]
        result = check_text(kind, item["text"], reviewer=reviewer)
        per_theme[theme].append(is_good(result) == (item["label"] == "good"))
    out = {
        theme: {"n": len(v), "accuracy": float(np.mean(v))}
        for theme, v in sorted(per_theme.items())
    }
    allv = [x for v in per_theme.values() for x in v]
    out["all"] = {"n": len(allv), "accuracy": float(np.mean(allv)) if allv else float("nan")}
    return out


def exemplars_markdown(result: dict[str, dict[str, float]]) -> str:
    lines = [
        "## Judgement on labelled exemplars (text the generator did not write)",
        "",
        "| theme | criterion | n | accuracy |",
        "|---|---|---|---|",
    ]
    for theme, m in result.items():
        crit = EXEMPLAR_THEMES[theme][1] if theme in EXEMPLAR_THEMES else "all"
        lines.append(f"| {theme} | {crit} | {m['n']} | {m['accuracy']:.3f} |")
    return "\n".join(lines) + "\n"
