"""Benchmark extracts of any size, fast: ``notereview synth`` writes a base of up to 1,000
children once, and copies of it with new ids (suffix ``-kN``) fill the rest. Texts repeat
across copies; nothing in the scoring caches texts, so the cost per note is that of new notes."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from notereview.synth import generate

BASE_CHILDREN = 1000
ID_COLUMNS = ("child_id", "visit_id", "summary_id", "plan_id", "action_id", "entry_id",
              "record_id")  # fmt: skip
TABLES = ("children", "visits", "case_summaries", "plans", "plan_actions", "chronology",
          "genograms", "supervision")  # fmt: skip


def make_extract(
    children: int,
    folder: Path,
    seed: int = 6,
    base_dir: Path | None = None,
    base_children: int = BASE_CHILDREN,
) -> Path:
    """Write an extract of exactly ``children`` children into ``folder`` (CSV)."""
    folder = Path(folder)
    if (folder / "children.csv").exists():
        return folder
    base = Path(base_dir or folder.parent / f"base-{seed}")
    n_base = min(children, base_children)
    if not (base / "children.csv").exists() or _rows(base / "children.csv") < n_base:
        shutil.rmtree(base, ignore_errors=True)
        generate(base, n_base, seed)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with (base / "children.csv").open(newline="", encoding="utf-8") as fh:
        base_ids = [r["child_id"] for r in csv.DictReader(fh)][:n_base]
    copies = -(-children // len(base_ids))
    last = children - (copies - 1) * len(base_ids)  # children in the last copy
    in_last = set(base_ids[:last])
    plan_child: dict[str, str] = {}
    with (base / "plans.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            plan_child[r["plan_id"]] = r["child_id"]
    for table in TABLES:
        src = base / f"{table}.csv"
        with src.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            rows = [r for r in reader if _owner(r, plan_child) in set(base_ids)]
            fields = reader.fieldnames or []
        with (tmp / f"{table}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            for k in range(copies):
                for r in rows:
                    if k == copies - 1 and _owner(r, plan_child) not in in_last:
                        continue
                    if k:
                        r = {c: (f"{v}-k{k}" if c in ID_COLUMNS and v else v)
                             for c, v in r.items()}  # fmt: skip
                    writer.writerow(r)
    tmp.rename(folder)
    return folder


def _owner(row: dict[str, str], plan_child: dict[str, str]) -> str:
    if "child_id" in row:
        return row["child_id"]
    return plan_child.get(row.get("plan_id", ""), "")


def _rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))
