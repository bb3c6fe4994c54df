"""Two scorings of the same answer-key extract side by side (rules against learned models)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from notereview.evaluation._answer_key import RunEvaluation, evaluate_run
from notereview.evaluation._exemplars import EXEMPLAR_THEMES, evaluate_exemplars

#: The measures compared per criterion on a synthetic extract: (criterion, where, key).
COMPARED: tuple[tuple[str, str, str], ...] = (
    ("C1", "visits", "voice_heard_accuracy"),
    ("C1–C3", "visits", "voice_accuracy"),
    ("V4", "visits", "plan_linked_accuracy"),
    ("V5", "visits", "analysis_accuracy"),
    ("P1", "plan_actions", "smart_accuracy"),
)


def score_and_evaluate(extract: str | Path, reviewer: Any, out_dir: str | Path) -> RunEvaluation:
    """Score a synthetic extract with ``reviewer`` into ``out_dir`` and evaluate it against the
    answer key beside it."""
    from notereview.batch import score_extract, write_outputs
    from notereview.extract import read_extract

    folder = Path(extract)
    key = json.loads((folder / "answer_key.json").read_text(encoding="utf-8"))
    from datetime import date

    ingested = read_extract(folder, as_of=date.fromisoformat(key["as_of"]))
    result = score_extract(ingested, reviewer, source=folder)
    write_outputs(result, out_dir, "csv")
    return evaluate_run(out_dir, folder / "answer_key.json")


def compare(
    models: str | Path = "auto",
    extract: str | Path | None = None,
    exemplars: str | Path | None = None,
    work_dir: str | Path = "/tmp/notereview-compare",
    rubric: str | Path | None = None,
) -> dict[str, Any]:
    """Rules only versus rules plus the rubric's models, on a held-out synthetic extract and/or
    the labelled exemplars (``rubric``: the rubric whose ``models`` section is compared)."""
    from notereview.review import Reviewer

    rules = Reviewer(rubric_path=rubric)
    with_models = Reviewer(rubric_path=rubric, models=models)
    out: dict[str, Any] = {}
    if extract is not None:
        work = Path(work_dir)
        r = score_and_evaluate(extract, rules, work / "rules")
        m = score_and_evaluate(extract, with_models, work / "models")
        out["synthetic"] = {"rules": r, "models": m}
    if exemplars is not None:
        out["exemplars"] = {
            "rules": evaluate_exemplars(exemplars, rules),
            "models": evaluate_exemplars(exemplars, with_models),
        }
    from notereview.ml import describe_models

    out["models_used"] = describe_models(with_models)
    return out


def compare_markdown(result: dict[str, Any]) -> str:
    lines = ["## Rules versus rules plus models", ""]
    used = result.get("models_used", {})
    if used:
        lines += [f"Models: {json.dumps(used.get('labels', {}))}", ""]
    if "synthetic" in result:
        r, m = result["synthetic"]["rules"], result["synthetic"]["models"]
        lines += [
            f"### Held-out synthetic extract ({r.children} children)",
            "",
            "| criterion | measure | rules | rules + models |",
            "|---|---|---|---|",
        ]
        for cid, where, key in COMPARED:
            a, b = getattr(r, where).get(key), getattr(m, where).get(key)
            if a is not None and b is not None:
                lines.append(f"| {cid} | {key} | {a:.3f} | {b:.3f} |")
        for cid in r.criteria:
            if cid in m.criteria:
                lines.append(
                    f"| {cid} | status accuracy | {r.criteria[cid]['accuracy']:.3f} | "
                    f"{m.criteria[cid]['accuracy']:.3f} |"
                )
        a = r.ranking.get("spearman_vs_true_statuses", float("nan"))
        b = m.ranking.get("spearman_vs_true_statuses", float("nan"))
        lines += [f"| case | ranking Spearman | {a:.3f} | {b:.3f} |", ""]
    if "exemplars" in result:
        r, m = result["exemplars"]["rules"], result["exemplars"]["models"]
        lines += [
            "### Labelled exemplars (text the generator did not write)",
            "",
            "| theme | criterion | n | rules | rules + models |",
            "|---|---|---|---|---|",
        ]
        for theme in r:
            crit = EXEMPLAR_THEMES[theme][1] if theme in EXEMPLAR_THEMES else "all"
            lines.append(
                f"| {theme} | {crit} | {r[theme]['n']} | {r[theme]['accuracy']:.3f} | "
                f"{m[theme]['accuracy']:.3f} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"
