"""CPU instructions per visit note for the annotation pipeline, counted by valgrind (callgrind):
unlike seconds on a shared VM, a count does not drift with the neighbours.

    python -m bench.instructions bench/data/x1000 --src src --src /tmp/old-tree/src

For each source tree, the same script runs twice under callgrind: once loading the pipeline and
warming it on 50 notes, once doing that and then annotating ``--notes`` visit notes. The
difference divided by ``--notes`` is the count per note. It takes a few minutes per tree.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

WORKLOAD = """
import sys
sys.modules["torch"] = None  # as the rules-path workers do
import pandas as pd
from notereview.nlp import ChildContext, build_pipeline
extract, notes, passes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
annotator = build_pipeline()
visits = pd.read_csv(f"{extract}/visits.csv", dtype=str).head(notes)
children = pd.read_csv(f"{extract}/children.csv", dtype=str).set_index("child_id")
items = [(text, ChildContext(children.at[c, "first_name"], children.at[c, "gender"], 9))
         for text, c in zip(visits["text"], visits["child_id"])]
list(annotator.annotate_many(items[:50]))
for _ in range(passes):
    for _ in annotator.annotate_many(items):
        pass
"""


def count(src: Path, extract: Path, notes: int, passes: int) -> int:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
           "-c", WORKLOAD, str(extract), str(notes), str(passes)]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError("callgrind printed no instruction count")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--src", type=Path, action="append", required=True)
    parser.add_argument("--notes", type=int, default=1000)
    args = parser.parse_args(argv)
    jobs = [(src, passes) for src in args.src for passes in (0, 1)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = list(pool.map(lambda j: count(j[0], args.extract, args.notes, j[1]), jobs))
    for k, src in enumerate(args.src):
        per_note = (counts[2 * k + 1] - counts[2 * k]) / args.notes
        print(f"{src}: {per_note / 1e6:.3f} million instructions per visit note")


if __name__ == "__main__":
    main()
