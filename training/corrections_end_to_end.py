"""The must-show of issue 17, end to end through the command line, as a council would run it.

    .venv/bin/python -m training.corrections_end_to_end [--work /tmp/nr-corrections]
        [--dev ../shared/eval/casefiles_dev] [--seed 17] [--json out.json]

The development set's children are split in two halves by child (seeded). For each half in
turn: its answer key enters the store ONLY as corrections (``notereview corrections import``
against a run of the shipped models), ``notereview train --from-corrections`` retrains the
visit judgement into a copy of models/, the whole set is scored again with that copy, and the
other half's voice, analysis and plan-link figures are compared (``evaluate_run``) before and
after. Then the halves swap; last, the first half's labels are flipped and the gate must refuse
what is trained on them. Where the gate refuses the new version, the figures the refused
version would have given are reported beside (``unpromoted_candidate``), never used. Nothing
else is fitted to these files. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "casefiles_dev"
AS_OF = "2026-11-20"
FIGURES = ("voice", "analysis", "plan_linked", "smart")


def cli(*args: str, models: Path | None = None) -> str:
    env = dict(os.environ)
    if models is not None:
        env["NOTEREVIEW_MODELS"] = str(models)
    done = subprocess.run(
        [sys.executable, "-m", "notereview.cli", *args],
        env=env, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"notereview {args[0]} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def split(children: list[str], seed: int) -> tuple[list[str], list[str]]:
    order = sorted(children)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return sorted(order[:half]), sorted(order[half:])


def sub_key(key: dict[str, Any], children: list[str], path: Path) -> Path:
    sub = {
        **key,
        "children": {c: key["children"][c] for c in children},
        "weakest_first": [c for c in key.get("weakest_first", []) if c in children],
    }
    path.write_text(json.dumps(sub), encoding="utf-8")
    return path


def figures(run: Path, key: Path) -> dict[str, float]:
    from notereview.evaluation import evaluate_run

    summary = evaluate_run(run, key).summary
    return {k: round(summary[k], 4) for k in FIGURES if k in summary}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", type=Path, default=Path("/tmp/nr-corrections"))
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    work = args.work
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    key_path = args.dev / "answer_key.json"
    key = json.loads(key_path.read_text(encoding="utf-8"))
    halves = split(list(key["children"]), args.seed)
    shipped = work / "models-shipped"
    shutil.copytree(ROOT / "models", shipped)
    base = work / "run-before"
    cli("score", str(args.dev), "--as-of", AS_OF, "--out", str(base), "--workers", "1",
        models=shipped)
    out: dict[str, Any] = {"seed": args.seed, "halves": [list(h) for h in halves], "rounds": []}
    for i, (learn, test) in enumerate((halves, halves[::-1])):
        tag = f"round{i + 1}"
        db = f"sqlite:///{work / tag}.db"
        learn_key = sub_key(key, learn, work / f"{tag}-learn.json")
        test_key = sub_key(key, test, work / f"{tag}-test.json")
        models = work / f"models-{tag}"
        shutil.copytree(shipped, models)
        imported = cli("corrections", "import", str(learn_key), "--run", str(base),
                       "--auditor", "answer-key", "--database-url", db,
                       "--extract", str(args.dev))
        trained = cli("train", "--from-corrections", "--database-url", db, "--out", str(models))
        promoted = trained.strip().splitlines()[-1].startswith("promoted:")
        after = work / f"run-after-{tag}"
        cli("score", str(args.dev), "--as-of", AS_OF, "--out", str(after), "--workers", "1",
            models=models)
        run_json = json.loads((after / "run.json").read_text(encoding="utf-8"))
        candidate: dict[str, Any] = {}
        if not promoted:  # what the refused version would have scored, for the record
            forced = work / f"models-{tag}-forced"
            shutil.copytree(models, forced)
            version = trained.split("visit_judgement@", 1)[1].split()[0]
            cli("models", "promote", version, "--models-dir", str(forced))
            cand_run = work / f"run-candidate-{tag}"
            cli("score", str(args.dev), "--as-of", AS_OF, "--out", str(cand_run), "--workers",
                "1", models=forced)
            candidate = {"unseen": figures(cand_run, test_key),
                         "learned": figures(cand_run, learn_key)}
        out["rounds"].append(
            {
                "learned_from": learn,
                "scored": test,
                "import": imported.strip(),
                "gate": trained.strip().splitlines()[-1],
                "promoted": promoted,
                "judgement_used": run_json["versions"]["judgement"],
                "before_unseen": figures(base, test_key),
                "after_unseen": figures(after, test_key),
                "before_learned": figures(base, learn_key),
                "after_learned": figures(after, learn_key),
                "unpromoted_candidate": candidate,
            }
        )
    # The gate against corrupted corrections: the first half's labels flipped (booleans
    # negated, every voice moved to another kind), imported and retrained like the others.
    flipped = {**key, "children": {}}
    other = {"direct": "none", "reported": "none", "observation": "none",
             "attempted_not_obtained": "direct", "none": "direct"}
    for c in halves[0]:
        child = json.loads(json.dumps(key["children"][c]))
        for lab in child.get("visits", {}).values():
            lab["voice"] = other[lab["voice"]]
            lab["plan_linked"] = not lab["plan_linked"]
            lab["analysis"] = not lab["analysis"]
        for lab in child.get("plan_actions", {}).values():
            lab["smart"] = not lab["smart"]
        flipped["children"][c] = child
    flipped_key = work / "flipped.json"
    flipped_key.write_text(json.dumps(flipped), encoding="utf-8")
    db = f"sqlite:///{work / 'flipped'}.db"
    models = work / "models-flipped"
    shutil.copytree(shipped, models)
    cli("corrections", "import", str(flipped_key), "--run", str(base), "--auditor",
        "corrupted", "--database-url", db, "--extract", str(args.dev))
    trained = cli("train", "--from-corrections", "--database-url", db, "--out", str(models))
    out["flipped_labels"] = {"learned_from": halves[0],
                             "gate": trained.strip().splitlines()[-1]}
    text = json.dumps(out, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
