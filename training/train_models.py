"""Train notereview's text models and the plan-link model on synthetic data.

    .venv/bin/python training/train_models.py [--work /tmp/nr-train] [--no-transformer]

Train styles and held-out styles never overlap (another seed too); artefacts go to models/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from notereview.ml.training import TrainConfig, train_all

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", type=Path, default=Path("/tmp/notereview-train"))
    ap.add_argument("--models", type=Path, default=ROOT / "models")
    ap.add_argument("--train-children", type=int, default=250)
    ap.add_argument("--eval-children", type=int, default=120)
    ap.add_argument("--no-transformer", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated model names")
    args = ap.parse_args()
    train_all(TrainConfig(work_dir=args.work, models_dir=args.models,
                          train_children=args.train_children,
                          eval_children=args.eval_children,
                          with_transformer=not args.no_transformer,
                          only=tuple(x for x in args.only.split(",") if x)))


if __name__ == "__main__":
    main()
