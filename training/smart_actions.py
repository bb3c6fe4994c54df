"""How well the plan-action labeller (P1's SMART parts) transfers across writing cultures.

Reads the hand-written training actions in ``../shared/train/<author>/actions.jsonl`` at run
time (never copied into the repository), labels each with ``label_action`` exactly as a nightly
run would (the owner and due-date fields as the case-management system holds them), and prints
accuracy per part and for SMART, per author folder and pooled. The rules learn nothing from these
actions, so each author's figure is already an out-of-sample figure for that culture.

    .venv/bin/python training/smart_actions.py [--train-dir ../shared/train] [--json OUT]
        [--errors]

``--errors`` lists the ids and parts that disagree (never the text), to read beside the file.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from notereview import CaseFile, Child, Plan, PlanAction, Reviewer

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "train"
PARTS = ("specific", "measurable", "owner_named", "timebound", "smart")
#: The training actions carry no plan: a start date before every due date they hold, so the
#: plan-date rules (a due date on or before the plan's start) never fire here.
REFERENCE = date(2024, 6, 3)
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_due(raw: str) -> date | None:
    """A due field as a day-first extract mapping reads it: a date, or none at all."""
    if m := _DAY_FIRST.match(raw):
        d, mo, y = (int(g) for g in m.groups())
    elif m := _ISO.match(raw):
        y, mo, d = (int(g) for g in m.groups())
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


@dataclass(frozen=True)
class TrainingAction:
    author: str
    action_id: str
    text: str
    owner: str | None
    due_date: date | None
    labels: dict[str, bool]


def load_actions(train_dir: Path) -> list[TrainingAction]:
    """Every action of every author folder; a due field that is not a date is read as none,
    as the extract would hold it (the column is a date)."""
    out = []
    for folder in sorted(p for p in train_dir.iterdir() if (p / "actions.jsonl").exists()):
        for line in (folder / "actions.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            owner = (row.get("owner_field") or "").strip() or None
            due_raw = (row.get("due_field") or "").strip()
            due = parse_due(due_raw) if due_raw else None
            out.append(
                TrainingAction(folder.name, row["id"], row["text"], owner, due, row["labels"])
            )
    return out


def label_all(actions: list[TrainingAction]) -> list[dict[str, bool]]:
    """Each action's verdicts, from a review of one case file holding them all in one plan
    (the rules judge each action alone; the plan only gives its start date)."""
    child = Child(
        child_id="T1", legal_status="CIN", status_start=REFERENCE, team="T", worker_id="W",
        age_years=10,
    )  # fmt: skip
    plan = Plan(
        "P1", "T1", "CIN", REFERENCE,
        actions=tuple(PlanAction(a.action_id, "P1", a.text, a.owner, a.due_date) for a in actions),
    )  # fmt: skip
    review = Reviewer().review(CaseFile.build(child, plans=[plan]), REFERENCE)
    return [verdicts(review.action_labels[a.action_id]) for a in actions]


def verdicts(label: Any) -> dict[str, bool]:
    return {p: bool(getattr(label, p)) for p in PARTS}


def accuracy_table(
    actions: list[TrainingAction], labels: list[dict[str, bool]]
) -> dict[str, dict[str, float]]:
    groups: dict[str, list[int]] = {}
    for i, a in enumerate(actions):
        groups.setdefault(a.author, []).append(i)
    groups["all"] = list(range(len(actions)))
    table: dict[str, dict[str, float]] = {}
    for name, idx in groups.items():
        row: dict[str, float] = {"n": len(idx)}
        for p in PARTS:
            hits = sum(labels[i][p] == bool(actions[i].labels[p]) for i in idx)
            row[p] = hits / len(idx)
        table[name] = row
    return table


def markdown(table: dict[str, dict[str, float]]) -> str:
    lines = ["| author | n | " + " | ".join(PARTS) + " |", "|---" * (len(PARTS) + 2) + "|"]
    for name, row in table.items():
        cells = " | ".join(f"{row[p]:.3f}" for p in PARTS)
        lines.append(f"| {name} | {int(row['n'])} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-dir", type=Path, default=TRAIN)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args(argv)
    actions = load_actions(args.train_dir)
    labels = label_all(actions)
    table = accuracy_table(actions, labels)
    print(markdown(table))
    if args.errors:
        for a, got in zip(actions, labels, strict=True):
            wrong = [p for p in PARTS[:4] if got[p] != bool(a.labels[p])]
            if wrong:
                print(a.action_id, " ".join(f"{p}={int(got[p])}" for p in wrong))
    if args.json:
        report: dict[str, Any] = {"accuracy": table}
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
