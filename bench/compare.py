"""Before and after: score one extract with an earlier commit and with the working tree, turn
and turn about (so that a shared machine's drifting speed falls on both alike), and check that
both write the same results.

    python -m bench.compare bench/data/x3000 --base 5bc7cf5 --runs 2

Each run is ``notereview score --models none`` in a subprocess with ``PYTHONPATH`` set to that
tree's ``src``; the earlier commit is checked out in a temporary git worktree.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = (
    "cases", "criteria", "visits", "plan_actions", "quarantine", "reconciliation", "monitoring",
)  # fmt: skip


def _run(src: Path, extract: Path, out: Path, workers: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", "from notereview.cli import main; main()", "score",
           str(extract), "--out", str(out), "--workers", str(workers), "--models", "none",
           "--no-resume", "--top", "1"]  # fmt: skip
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {"wall_s": round(wall, 2), **{k: round(v, 2) for k, v in info["timings_s"].items()}}


def same_bytes(a: Path, b: Path) -> dict[str, bool]:
    """Per output file: whether the two runs wrote it byte for byte the same."""
    return {
        name: (a / f"{name}.parquet").read_bytes() == (b / f"{name}.parquet").read_bytes()
        for name in OUTPUTS
    }


def same_results(a: Path, b: Path) -> bool:
    """Every output table equal, and run.json equal apart from its times."""
    for name in OUTPUTS:
        frames = [pd.read_parquet(d / f"{name}.parquet") for d in (a, b)]
        if not frames[0].equals(frames[1]):
            return False
    info = [json.loads((d / "run.json").read_text(encoding="utf-8")) for d in (a, b)]
    for i in info:
        for key in ("timings_s", "started_at", "finished_at"):
            i.pop(key, None)
    return info[0] == info[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--base", required=True, help="the earlier commit")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="compare-"))
    tree = work / "base"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.base],
                   check=True, capture_output=True)  # fmt: skip
    try:
        sources = {"base": tree / "src", "now": ROOT / "src"}
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in sources}
        for _ in range(args.runs):
            for name, src in sources.items():
                runs[name].append(_run(src, args.extract.resolve(), work / name, args.workers))
                print(name, runs[name][-1], flush=True)
        summary = {
            name: {key: statistics.median(r[key] for r in rs) for key in rs[0]}
            for name, rs in runs.items()
        }
        summary["same_results"] = same_results(work / "base", work / "now")  # type: ignore[assignment]
        summary["same_bytes"] = same_bytes(work / "base", work / "now")  # type: ignore[assignment]
        print(json.dumps({"base": args.base, "runs": args.runs, "median": summary}, indent=1))
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
