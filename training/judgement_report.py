"""The judgement table of the README: every figure, and whether it is in-sample.

    .venv/bin/python -m training.judgement_report [--dev ../shared/eval/casefiles_dev]
        [--train-dir ../shared/train] [--out training/reports/judgement.md]

- casefiles_dev: the hand-written development set (an auditor's key), scored as a new user
  would (``notereview score --as-of 2026-11-20``). Read to find phenomena, never to choose a
  threshold: out-of-sample for every learned weight, but the rules were written from its errors,
  so the held-out sets scored from outside are the honest figure.
- The generator's own extract (400 children, seed 7): IN-SAMPLE (the generator and the rules
  share their makers).
- ../shared/train: the voice reader per author (no rule was written from these passages); the
  visit judgement's held-out-author figures (from its model card); the SMART reader per author
  (IN-SAMPLE for its design: its rules were written after reading the actions).
- exemplars_dev.jsonl: SPENT (rules were written from it): a regression check only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "casefiles_dev"
TRAIN = ROOT.parent / "shared" / "train"
EXEMPLARS = ROOT.parent / "shared" / "eval" / "exemplars_dev.jsonl"
#: What keyword rules an analyst writes in an afternoon get on casefiles_dev (issue 16).
KEYWORD_ROW = "| keyword rules (issue 16) | 0.29 | 0.44 | 0.81 | 0.69 | 0.74 | 0.75 | 3/5 |"
HEAD = (
    "| set | criteria (4-way) | voice (5-way) | plan-linked | analysis | SMART | ranking ρ "
    "| inadequate on top |\n|---|---|---|---|---|---|---|---|"
)


def _notereview(*args: str) -> None:
    exe = Path(sys.executable).parent / "notereview"
    subprocess.run([str(exe), *args], check=True, capture_output=True)


def run_row(name: str, extract: Path, key: Path, as_of: str | None, work: Path) -> str:
    from notereview.evaluation import evaluate_run

    out = work / name
    _notereview("score", str(extract), "--out", str(out), *(["--as-of", as_of] if as_of else []))
    s = evaluate_run(out, key).summary
    top = (
        f"{int(s['inadequate_on_top'])}/{int(s['inadequate_files'])}"
        if "inadequate_files" in s
        else "–"
    )
    cells = [f"{s[k]:.2f}" for k in ("criteria", "voice", "plan_linked", "analysis", "smart")]
    return f"| {name} | {' | '.join(cells)} | {s['ranking_rho']:.2f} | {top} |"


def snippet_voice(train_dir: Path) -> dict[str, float]:
    """The reader's voice label on each author's passages (nothing learned from them)."""
    from notereview.nlp import build_pipeline

    annotator = build_pipeline()
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for path in sorted(train_dir.glob("*/snippets.jsonl")):
        author = path.parent.name
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            child = item["child"]
            ctx = annotator.child_context(
                child["name"], child.get("gender") or "unknown", child.get("age"), [],
                [item["text"]],
            )  # fmt: skip
            total[author] += 1
            hits[author] += annotator.annotate(item["text"], ctx).voice == item["labels"]["voice"]
    out = {a: hits[a] / total[a] for a in total}
    out["all"] = sum(hits.values()) / sum(total.values())
    return out


#: The voice labels that are the child's voice heard (attempted_not_obtained is not).
HEARD = frozenset({"direct", "reported", "observation"})


def checker_voice(train_dir: Path) -> dict[str, float]:
    """The exemplar checker on each author's passages pasted as they are (no child's name, no
    age): the passage has the child's voice when C1, C2 or C3 is met, against the label's
    direct, reported or observation (an attempt that obtained nothing, and none, are not the
    child's voice)."""
    from notereview.review import Reviewer, check_text

    reviewer = Reviewer()
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for path in sorted(train_dir.glob("*/snippets.jsonl")):
        author = path.parent.name
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            found = check_text("visit", item["text"], reviewer=reviewer)["findings"]
            heard = any(f["status"] == "met" for f in found if f["criterion"] in ("C1", "C2", "C3"))
            total[author] += 1
            hits[author] += heard == (item["labels"]["voice"] in HEARD)
    out = {a: hits[a] / total[a] for a in total}
    out["all"] = sum(hits.values()) / sum(total.values())
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--train-dir", type=Path, default=TRAIN)
    ap.add_argument("--out", type=Path, default=ROOT / "training" / "reports" / "judgement.md")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="judgement-report-"))
    lines = ["# Judgement: every figure, and whether it is in-sample", "",
             "Regenerate: `.venv/bin/python -m training.judgement_report`.", "", HEAD]  # fmt: skip
    if args.dev.is_dir():
        key = args.dev / "answer_key.json"
        lines.append(run_row("casefiles_dev (hand-written)", args.dev, key, "2026-11-20", work))
    lines.append(KEYWORD_ROW)
    synth = work / "synth"
    _notereview("synth", "--children", "400", "--seed", "7", "--out", str(synth))
    lines.append(
        run_row("generator, 400 children, seed 7 (IN-SAMPLE)", synth, synth / "answer_key.json",
                None, work)
    )  # fmt: skip
    if args.train_dir.is_dir():
        voice = snippet_voice(args.train_dir)
        lines += [
            "",
            "## ../shared/train passages: the voice reader per author (5-way; IN-SAMPLE for "
            "the rules, which were revised from their errors on these passages)",
            "",
            "| " + " | ".join(voice) + " |",
            "|" + "---|" * len(voice),
            "| " + " | ".join(f"{v:.3f}" for v in voice.values()) + " |",
        ]
        heard = checker_voice(args.train_dir)
        lines += [
            "",
            "## ../shared/train passages pasted into the checker (no name, no age): "
            "the child heard or not (direct, reported or observation, against an attempt or "
            "none; IN-SAMPLE for the rules)",
            "",
            "| " + " | ".join(heard) + " |",
            "|" + "---|" * len(heard),
            "| " + " | ".join(f"{v:.3f}" for v in heard.values()) + " |",
            "",
            "Held-out authors for the visit judgement (analysis, plan link): "
            "`models/visit_judgement/1/MODEL_CARD.md`. SMART per author (IN-SAMPLE for the "
            "rules' design): `.venv/bin/python training/smart_actions.py`.",
        ]
    if EXEMPLARS.is_file():
        from notereview.evaluation import evaluate_exemplars

        ex = evaluate_exemplars(EXEMPLARS)
        lines += [
            "",
            f"exemplars_dev.jsonl (SPENT, a regression check only): {ex['all']['accuracy']:.2f} "
            f"of {ex['all']['n']} passages, each theme read from its criterion's status "
            "(met = good).",
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
