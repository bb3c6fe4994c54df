"""Notes per second and peak memory: rules only, rules + text models, rules + text models +
the transformer (semantic plan linkage). Each configuration runs in its own process so that its
peak memory (ru_maxrss) is its own.

    .venv/bin/python bench/bench_models.py [--children 100] [--out training/reports/bench_models.md]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CONFIGS = {
    "rules": None,
    "rules+text models (TF-IDF)": {
        "visit_voice": "voice_sentence@1",
        "visit_analysis": "visit_analysis@1",
        "plan_actions_smart": "smart_action@1",
    },
    "rules+text models+transformer": {
        "visit_voice": "voice_sentence@1",
        "visit_analysis": "visit_analysis@1",
        "plan_actions_smart": "smart_action@1",
        "plan_link": "plan_link@1",
    },
}

CHILD = r"""
import json, resource, sys, time, yaml
from importlib import resources
from pathlib import Path
from notereview.batch import score_extract
from notereview.extract import read_extract
from notereview.review import Reviewer
extract, choice, work = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
rubric = None
if choice is not None:
    raw = yaml.safe_load(resources.files("notereview.checks").joinpath("rubric.yaml").read_text())
    raw["models"] = choice
    rubric = work / "rubric.yaml"
    rubric.write_text(yaml.safe_dump(raw))
reviewer = Reviewer(rubric_path=rubric, models=None if choice is None else "auto")
ingested = read_extract(extract)
t0 = time.perf_counter()
reviewer.versions()
t_load = time.perf_counter() - t0
t1 = time.perf_counter()
result = score_extract(ingested, reviewer)
elapsed = time.perf_counter() - t1
notes = sum(c.accepted for t, c in ingested.counts.items()
            if t in ("visits", "case_summaries", "plan_actions", "chronology", "supervision"))
print(json.dumps({"notes": notes, "seconds": elapsed, "load_s": t_load,
                  "notes_per_s": notes / elapsed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=100)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from notereview.synth import generate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        extract = Path(tmp) / "extract"
        generate(extract, args.children, 77)
        for name, choice in CONFIGS.items():
            work = Path(tmp) / name.replace(" ", "_").replace("+", "_")
            work.mkdir()
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(extract), json.dumps(choice), str(work)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append({"config": name, **json.loads(done.stdout.strip().splitlines()[-1])})
    lines = [
        f"# Bench: models ({args.children} synthetic children, one process each)",
        "",
        "| configuration | notes | notes/s | model load s | peak RSS MB |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['config']} | {r['notes']} | {r['notes_per_s']:.0f} | {r['load_s']:.1f} | "
        f"{r['peak_rss_mb']:.0f} |"
        for r in rows
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
