"""Choose how much a council's corrected record counts, on the training passages alone.

    .venv/bin/python -m training.correction_weight [--train-dir ../shared/train]

Each of the six authors of ../shared/train plays a council in turn: half of its passages
(seeded, by passage) are its auditors' corrections, the other half its unseen records. The
judgement is fitted on the other five authors (what a council receives), then on the five plus
the corrections at each weight; the unseen half's analysis, plan-link and voice accuracy are
compared. No evaluation text (../shared/eval) is read.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import replace
from pathlib import Path

import numpy as np

from notereview.checks._judgement import load_judgement
from notereview.ml._judgement_fit import read_passages, refit, verdicts

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--train-dir", type=Path, default=ROOT.parent / "shared" / "train")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    passages = read_passages(args.train_dir)
    shipped = load_judgement("1", ROOT / "models")
    authors = sorted({e.group for e in passages})
    table: dict[str, dict[str, list[float]]] = {}
    for author in authors:
        own = [e for e in passages if e.group == author]
        random.Random(f"{args.seed}-{author}").shuffle(own)
        learn, unseen = own[: len(own) // 2], own[len(own) // 2 :]
        others = [e for e in passages if e.group != author]
        for weight in (0.0, *WEIGHTS):
            corrections = [replace(e, weight=weight, group=f"{author}-c") for e in learn]
            model = refit(shipped, others + (corrections if weight else []))
            right: dict[str, list[bool]] = {}
            for e in unseen:
                for label, ok in verdicts(model, e).items():
                    right.setdefault(label, []).append(ok)
            for label, oks in right.items():
                table.setdefault(label, {}).setdefault(str(weight), []).append(float(np.mean(oks)))
        last = {lab: {w: round(v[-1], 3) for w, v in ws.items()} for lab, ws in table.items()}
        print(author, last)
    means = {
        lab: {w: round(float(np.mean(v)), 4) for w, v in ws.items()} for lab, ws in table.items()
    }
    print(json.dumps(means, indent=2))


if __name__ == "__main__":
    main()
