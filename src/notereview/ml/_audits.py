"""The case-level model that learns from auditors.

Rows are (theme scores the product gave a file, the auditors' overall grades of it). They come
from the store's ``audit_outcomes`` joined with that run's ``case_scores``; until enough
audits exist, from a synthetic extract scored by the rules with the answer key's simulated
auditors. The model learns the themes' weights in the case score and P(an auditor grades the
file inadequate); the learning curve shows agreement with auditors as labelled files grow.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from notereview.errors import NotereviewError
from notereview.ml._estimators import CaseAuditModel

MIN_AUDITS = 60


@dataclass(frozen=True)
class AuditRow:
    child_id: str
    team: str
    scores: dict[str, float | None]
    grades: tuple[str, ...]
    rules_score: float | None = None


def rows_from_answer_key(extract_dir: str | Path, reviewer: Any = None) -> list[AuditRow]:
    """Score a synthetic extract with the reviewer and pair it with the simulated auditors."""
    from notereview.extract import read_extract
    from notereview.ml._data import load_answer_key
    from notereview.review import Reviewer

    folder = Path(extract_dir)
    key = load_answer_key(folder / "answer_key.json")
    as_of = date.fromisoformat(key["as_of"])
    reviewer = reviewer or Reviewer()
    extract = read_extract(folder, as_of=as_of)
    rows = []
    for case in extract.case_files():
        truth = key["children"].get(case.child_id)
        if truth is None or not truth.get("auditor_grades"):
            continue
        review = reviewer.review(case, as_of, tuple(extract.tables_absent))
        scores = dict(review.score.themes)
        rows.append(AuditRow(case.child_id, truth["team"], scores,
                             tuple(g["overall"] for g in truth["auditor_grades"]),
                             review.score.score))
    return rows


def rows_from_store(db_url: str) -> list[AuditRow]:
    """Audit outcomes recorded in the store, with the theme scores of the run audited."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from notereview.checks._rubric import THEMES
    from notereview.store import connect
    from notereview.store.models import AuditOutcome, CaseScore

    engine = connect(db_url)
    grades: dict[tuple[int, str], list[str]] = defaultdict(list)
    teams: dict[tuple[int, str], str] = {}
    with Session(engine) as session:
        for a in session.scalars(select(AuditOutcome)):
            grades[(a.run_id, a.child_id)].append(a.overall)
            teams[(a.run_id, a.child_id)] = a.team
        if not grades:
            return []
        runs = {r for r, _ in grades}
        scores: dict[tuple[int, str], dict[str, float | None]] = {}
        case_scores: dict[tuple[int, str], float] = {}
        for c in session.scalars(select(CaseScore).where(CaseScore.run_id.in_(runs))):
            if (c.run_id, c.child_id) in grades:
                scores[(c.run_id, c.child_id)] = {t: getattr(c, t) for t in THEMES}
                case_scores[(c.run_id, c.child_id)] = c.score
    return [AuditRow(cid, teams[(run, cid)], scores[(run, cid)], tuple(g),
                     case_scores.get((run, cid)))
            for (run, cid), g in sorted(grades.items()) if scores.get((run, cid))]


def _grade_of(score: float) -> str:
    from notereview.synth._auditors import grade_of

    return grade_of(score)


def agreement(model: CaseAuditModel | None, rows: Sequence[AuditRow]) -> dict[str, float]:
    """Agreement with the first auditor: on 'inadequate or not' and on the four grades."""
    first = [r.grades[0] for r in rows]
    truth_inad = np.array([g == "inadequate" for g in first])
    if model is None:  # the rules' case score with the rubric's weights and bands
        predicted = [_grade_of(r.rules_score or 0.0) for r in rows]
        inad = np.array([(r.rules_score or 0.0) < 0.5 for r in rows])
    else:
        predicted = [model.grade(r.scores) for r in rows]
        inad = model.p_inadequate([r.scores for r in rows]) >= 0.5
    return {
        "inadequate_agreement": float(np.mean(inad == truth_inad)),
        "grade_agreement": float(np.mean([p == g for p, g in zip(predicted, first,
                                                                  strict=True)])),
    }


def train_case_audit(
    train_rows: Sequence[AuditRow],
    eval_rows: Sequence[AuditRow],
    models_dir: str | Path,
    source: str,
    version: str = "1",
    random_state: int = 0,
    report_dir: str | Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fit on all training rows, save ``case_audit@version``, and write the learning curve."""
    from notereview.checks._rubric import THEMES
    from notereview.ml._artefact import save_model
    from notereview.ml._cards import card

    if len(train_rows) < 20:
        raise NotereviewError(f"only {len(train_rows)} audited files; the case model needs 20+")
    rng = np.random.default_rng(random_state)
    order = rng.permutation(len(train_rows))
    curve = [{"labelled_files": 0, **agreement(None, eval_rows), "what": "rules' case score"}]
    for n in (20, 40, 80, 160, 320, len(train_rows)):
        if n > len(train_rows) or any(c["labelled_files"] == n for c in curve):
            continue
        subset = [train_rows[i] for i in order[:n]]
        if len({any(g == "inadequate" for g in r.grades) for r in subset}) < 2:
            continue
        m = CaseAuditModel(criteria=THEMES, random_state=random_state).fit(
            [r.scores for r in subset], [r.grades for r in subset])
        curve.append({"labelled_files": n, **agreement(m, eval_rows), "what": "learned"})
    model = CaseAuditModel(criteria=THEMES, random_state=random_state).fit(
        [r.scores for r in train_rows], [r.grades for r in train_rows])
    final = agreement(model, eval_rows)
    meta = {
        "training_data": {"source": source, "files": len(train_rows),
                          "held_out_files": len(eval_rows), "random_state": random_state},
        "weights": {k: round(float(v), 4) for k, v in model.weights_.items()},
        "learning_curve": curve,
        "metrics": {"held_out_auditors": {
            k: {"n": len(eval_rows), "rules": curve[0][k], "model": final[k]}
            for k in ("inadequate_agreement", "grade_agreement")}},
    }
    folder = save_model(model, models_dir, "case_audit", version, meta,
                        card("case_audit", version, meta))
    if report_dir is not None:
        rd = Path(report_dir)
        rd.mkdir(parents=True, exist_ok=True)
        lines = ["# Case model: agreement with auditors as labelled files grow", "",
                 f"Source: {source}. Held-out files: {len(eval_rows)} (first auditor's grade).",
                 "", "| labelled files | what | inadequate agreement | grade agreement |",
                 "|---|---|---|---|"]
        lines += [f"| {c['labelled_files']} | {c['what']} | {c['inadequate_agreement']:.3f} | "
                  f"{c['grade_agreement']:.3f} |" for c in curve]
        (rd / "case_audit_learning_curve.md").write_text("\n".join(lines) + "\n")
        (rd / "case_audit_learning_curve.json").write_text(json.dumps(curve, indent=2))
    log(f"case model: rules {curve[0]['inadequate_agreement']:.3f} learned "
        f"{final['inadequate_agreement']:.3f} (inadequate agreement, {len(eval_rows)} files)")
    return {"path": str(folder), "curve": curve, "final": final}
