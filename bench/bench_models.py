"""Notes per second and peak memory: rules only, rules + text models, rules + text models +
the transformer (semantic plan linkage). Each configuration runs in its own process so that its
peak memory (ru_maxrss) is its own, one after the other (never two at once: torch's threads
and the other configurations would share the cores).

"load s" is everything before the first case file is scored (spaCy pipeline, rubric, models,
MiniLM); "models s" is the model set alone. The machine and its load average go into the report:
on a shared machine the figures move with what else runs.

    .venv/bin/python bench/bench_models.py [--children 100] [--out training/reports/bench_models.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
#: End to end: ``notereview score`` 's batch path (run_batch, one worker per core), timed from
#: the call to the written files, loading included.
BATCH = "rules+text models+transformer, end to end (run_batch, 2 workers)"

CHILD = r"""
import json, os, resource, sys, time, yaml
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
if len(sys.argv) > 4:  # the batch path, end to end
    from notereview._batch_engine import BatchOptions
    from notereview.batch import run_batch
    ingested = read_extract(extract)
    notes = sum(c.accepted for t, c in ingested.counts.items()
                if t in ("visits", "case_summaries", "plan_actions", "chronology", "supervision"))
    t0 = time.perf_counter()
    summary = run_batch(extract, work / "out", BatchOptions(
        workers=int(sys.argv[4]), models="auto", rubric_path=rubric, resume=False))
    elapsed = time.perf_counter() - t0
    try:  # what each worker's torch ran with
        from notereview.ml._embed import THREADS_ENV
        threads = int(os.environ.get(THREADS_ENV) or 1)
    except ImportError:  # before NOTEREVIEW_TORCH_THREADS: 2, hard-coded
        threads = 2
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"notes": notes, "seconds": elapsed, "load_s": float("nan"),
                      "models_s": float("nan"), "notes_per_s": notes / elapsed,
                      "sentences_embedded": None, "torch_threads": threads, "peak_rss_mb": rss}))
    sys.exit(0)
t0 = time.perf_counter()
reviewer.annotator
t_models = time.perf_counter()
reviewer.model_set
t_models = time.perf_counter() - t_models
reviewer.versions()
t_load = time.perf_counter() - t0
t1 = time.perf_counter()
result = score_extract(ingested, reviewer)
elapsed = time.perf_counter() - t1
notes = sum(c.accepted for t, c in ingested.counts.items()
            if t in ("visits", "case_summaries", "plan_actions", "chronology", "supervision"))
emb = getattr(reviewer.linker, "embedder", None)
print(json.dumps({"notes": notes, "seconds": elapsed, "load_s": t_load, "models_s": t_models,
                  "notes_per_s": notes / elapsed,
                  "sentences_embedded": emb.sentences_embedded if emb else None,
                  "torch_threads": emb.threads if emb else None,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


#: The figures before the models path was made fast (commit ecd34c8, 30 children, this
#: script's earlier version: load = reviewer.versions(), which then built the pipeline too).
BEFORE = (
    ("rules", 1387, 1875, 1.8, 483),
    ("rules+text models (TF-IDF)", 1387, 411, 16.3, 690),
    ("rules+text models+transformer", 1387, 4, 17.8, 908),
)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.python_implementation()} " \
           f"{platform.python_version()}"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _s(seconds: float) -> str:
    return "in the time" if seconds != seconds else f"{seconds:.1f}"  # NaN: included


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
        runs = [(name, choice, []) for name, choice in CONFIGS.items()]
        runs.append((BATCH, CONFIGS["rules+text models+transformer"], ["2"]))
        for i, (name, choice, extra) in enumerate(runs):
            work = Path(tmp) / f"config{i}"
            work.mkdir()
            before = load_average()
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(extract), json.dumps(choice), str(work), *extra],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append({"config": name, "load_avg": f"{before} → {load_average()}",
                         **json.loads(done.stdout.strip().splitlines()[-1])})
    lines = [
        f"# Bench: models ({args.children} synthetic children, one process each)",
        "",
        f"Machine: {machine()}. Load average (1 / 5 / 15 min) before → after each "
        "configuration is in the last column; other work on the machine slows every figure.",
        "",
        "| configuration | notes | notes/s | load s | models s | peak RSS MB | "
        "sentences embedded | torch threads | load average |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['config']} | {r['notes']} | {r['notes_per_s']:.0f} | {_s(r['load_s'])} | "
        f"{_s(r['models_s'])} | {r['peak_rss_mb']:.0f} | {r['sentences_embedded'] or '-'} | "
        f"{r['torch_threads'] or '-'} | {r['load_avg']} |"
        for r in rows
    ]
    lines += [
        "",
        "Before (commit ecd34c8, 30 children, same synthetic seed):",
        "",
        "| configuration | notes | notes/s | load s | peak RSS MB |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {c} | {n} | {nps} | {ls} | {rss} |" for c, n, nps, ls, rss in BEFORE]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
