"""The case-level model that learns from auditors, with its learning curve.

    .venv/bin/python training/train_case_model.py [--db URL] [--train-children 400]

Audit outcomes come from the store (--db) when 60+ exist; until then from the synthetic answer
key's simulated auditors (a training extract and a held-out one, other seed and styles).
Writes models/case_audit/1/ and training/reports/case_audit_learning_curve.{md,json}.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from notereview.ml._audits import MIN_AUDITS, rows_from_answer_key, rows_from_store
from notereview.ml.training import EVAL_STYLES, train_case_audit

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=None)
    ap.add_argument("--train-children", type=int, default=400)
    ap.add_argument("--eval-children", type=int, default=150)
    args = ap.parse_args()
    from notereview.synth import generate

    rows = rows_from_store(args.db) if args.db else []
    if len(rows) >= MIN_AUDITS:
        cut = int(len(rows) * 0.7)
        train_case_audit(rows[:cut], rows[cut:], ROOT / "models", f"audit_outcomes ({args.db})",
                         report_dir=ROOT / "training" / "reports")
        return
    with tempfile.TemporaryDirectory() as tmp:
        train_dir, eval_dir = Path(tmp) / "train", Path(tmp) / "eval"
        generate(train_dir, args.train_children, 111, exclude_styles=EVAL_STYLES)
        generate(eval_dir, args.eval_children, 222, styles=EVAL_STYLES)
        train_rows = rows_from_answer_key(train_dir)
        eval_rows = rows_from_answer_key(eval_dir)
    train_case_audit(
        train_rows, eval_rows, ROOT / "models",
        f"synth answer key's simulated auditors (train seed 111, {len(train_rows)} files; "
        f"held-out seed 222, styles {', '.join(EVAL_STYLES)})",
        report_dir=ROOT / "training" / "reports",
    )


if __name__ == "__main__":
    main()
