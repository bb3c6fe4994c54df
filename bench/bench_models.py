"""Notes per second and peak memory: rules only, rules + text models, rules + text models +
the transformer (semantic plan linkage). Each configuration runs in its own process so that its
peak memory (ru_maxrss) is its own, one after the other (never two at once: torch's threads
and the other configurations would share the cores).

"load s" is everything before the first case file is scored (spaCy pipeline, rubric, models,
MiniLM); "models s" is the model set alone. "notes per CPU s": notes over the CPU time that
scoring took in the process (not for the end-to-end rows, whose workers getrusage cannot see),
which other work on a shared machine moves less than the wall clock. The machine and its load
average go into the report: on a shared machine the figures move with what else runs.

    .venv/bin/python bench/bench_models.py [--children 100] [--batch-children 300]
        [--only transformer] [--out training/reports/bench_models.md]

``--batch-children``: the end-to-end row on a larger extract (the workers' start, ~15 s each,
is most of a 30-child run); ``--only`` / ``--skip``: the configurations whose name contains /
does not contain that text.
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
    "rules+text models+transformer (plan_link@1:fallback, opt-in)": {
        "visit_voice": "voice_sentence@1",
        "visit_analysis": "visit_analysis@1",
        "plan_actions_smart": "smart_action@1",
        "plan_link": "plan_link@1:fallback",
    },
    "rules+text models+transformer+H2 by meaning": {
        "visit_voice": "voice_sentence@1",
        "visit_analysis": "visit_analysis@1",
        "plan_actions_smart": "smart_action@1",
        "plan_link": "plan_link@1",
        "chronology_coverage": "chronology_coverage@1",
    },
}
#: End to end: ``notereview score`` 's batch path (run_batch, one worker per core), timed from
#: the call to the written files, loading included.
BATCH = {
    "rules+text models+transformer, end to end (run_batch, 2 workers)":
        "rules+text models+transformer",
    "rules+text models+transformer (plan_link@1:fallback), end to end (run_batch, 2 workers)":
        "rules+text models+transformer (plan_link@1:fallback, opt-in)",
}

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
    from notereview.batch import BatchOptions
    from notereview.batch import run_batch
    ingested = read_extract(extract)
    notes = sum(c.accepted for t, c in ingested.counts.items()
                if t in ("visits", "case_summaries", "plan_actions", "chronology", "supervision"))
    t0 = time.perf_counter()
    summary = run_batch(extract, work / "out", BatchOptions(
        workers=int(sys.argv[4]), models="auto", rubric_path=rubric, resume=False))
    elapsed = time.perf_counter() - t0
    cpu_s = None  # the workers are not this process's children to getrusage: wall time only
    try:  # what each worker's torch ran with
        from notereview.ml._embed import THREADS_ENV
        threads = int(os.environ.get(THREADS_ENV) or 1)
    except ImportError:  # before NOTEREVIEW_TORCH_THREADS: 2, hard-coded
        threads = 2
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"notes": notes, "seconds": elapsed, "cpu_s": cpu_s, "load_s": float("nan"),
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
t1, c1 = time.perf_counter(), time.process_time()
result = score_extract(ingested, reviewer)
elapsed, cpu_s = time.perf_counter() - t1, time.process_time() - c1
notes = sum(c.accepted for t, c in ingested.counts.items()
            if t in ("visits", "case_summaries", "plan_actions", "chronology", "supervision"))
emb = getattr(reviewer.linker, "embedder", None)
print(json.dumps({"notes": notes, "seconds": elapsed, "cpu_s": cpu_s, "load_s": t_load,
                  "models_s": t_models,
                  "notes_per_s": notes / elapsed,
                  "sentences_embedded": emb.sentences_embedded if emb else None,
                  "forward_passes": getattr(emb, "forward_passes", None),
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


def _rate(notes: int, cpu_s: float | None) -> str:
    return f"{notes / cpu_s:.0f}" if cpu_s else "-"


def _s(seconds: float) -> str:
    return "in the time" if seconds != seconds else f"{seconds:.1f}"  # NaN: included


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=100)
    ap.add_argument("--batch-children", type=int, default=None,
                    help="children of the end-to-end row's extract (default: --children)")
    ap.add_argument("--only", default="", help="run the configurations whose name has this")
    ap.add_argument("--skip", default="",
                    help="comma-separated: skip the configurations whose name has any of these")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from notereview.synth import generate

    rows = []
    batch_children = args.batch_children or args.children
    with tempfile.TemporaryDirectory() as tmp:
        extract = Path(tmp) / "extract"
        generate(extract, args.children, 77)
        batch_extract = extract
        if batch_children != args.children:
            batch_extract = Path(tmp) / "batch_extract"
            generate(batch_extract, batch_children, 77)
        runs = [(name, choice, extract, []) for name, choice in CONFIGS.items()]
        runs += [(name, CONFIGS[config], batch_extract, ["2"]) for name, config in BATCH.items()]
        skip = [x for x in args.skip.split(",") if x]
        runs = [r for r in runs if args.only in r[0] and not any(x in r[0] for x in skip)]
        for i, (name, choice, source, extra) in enumerate(runs):
            work = Path(tmp) / f"config{i}"
            work.mkdir()
            before = load_average()
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(source), json.dumps(choice), str(work), *extra],
                capture_output=True,
                text=True,
                check=True,
            )
            children = batch_children if extra else args.children
            rows.append({"config": name, "children": children,
                         "load_avg": f"{before} → {load_average()}",
                         **json.loads(done.stdout.strip().splitlines()[-1])})
    lines = [
        f"# Bench: models ({args.children} synthetic children, one process each; end to end "
        f"{batch_children})",
        "",
        f"Machine: {machine()}. Load average (1 / 5 / 15 min) before → after each "
        "configuration is in the last column; other work on the machine slows every figure.",
        "",
        "| configuration | children | notes | notes/s | notes per CPU s | load s | models s | "
        "peak RSS MB | sentences embedded | MiniLM passes | torch threads | load average |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['config']} | {r['children']} | {r['notes']} | {r['notes_per_s']:.0f} | "
        f"{_rate(r['notes'], r.get('cpu_s'))} | "
        f"{_s(r['load_s'])} | {_s(r['models_s'])} | {r['peak_rss_mb']:.0f} | "
        f"{r['sentences_embedded'] or '-'} | {r.get('forward_passes') or '-'} | "
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
