"""The benchmark's pieces: extracts of an exact size made from copies of a small base, the
memory sampler of a process tree, and the results table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.extracts import make_extract
from bench.run import PeakMemory, _texts, floors, goals, markdown

from notereview.extract import read_extract


def test_a_bench_extract_has_exactly_the_children_asked_for(tmp_path: Path):
    base = tmp_path / "base"
    small = make_extract(4, tmp_path / "x4", base_dir=base, base_children=4)
    big = make_extract(11, tmp_path / "x11", base_dir=base, base_children=4)
    ex = read_extract(big)
    assert ex.counts["children"].read == ex.counts["children"].accepted == 11
    assert ex.counts["visits"].quarantined == 0 and ex.counts["plan_actions"].quarantined == 0
    assert sum(1 for _ in ex.case_files()) == 11
    assert read_extract(small).counts["children"].accepted == 4
    assert any(cid.endswith("-k2") for cid in ex.child_ids)


def test_peak_memory_counts_the_child_processes():
    code = "import time; b = bytearray(60_000_000); time.sleep(1.0)"
    proc = subprocess.Popen([sys.executable, "-c", f"import subprocess, sys; subprocess.run("
                             f"[sys.executable, '-c', {code!r}])"])  # fmt: skip
    with PeakMemory(proc.pid, every=0.05) as mem:
        proc.wait(30)
    if os.path.exists("/proc/self/status"):
        assert mem.peak_kb > 55_000


def test_peak_pss_counts_pages_a_forked_child_shares_once():
    """A parent holds 80 MB and forks a child that only sleeps: the RSS sum counts the shared
    pages in both, the PSS sum once."""
    if not os.path.exists("/proc/self/smaps_rollup"):
        return
    code = ("import os, time; b = b'x' * 80_000_000; pid = os.fork(); time.sleep(1.5); "
            "os._exit(0) if pid == 0 else os.waitpid(pid, 0)")  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-c", code])
    with PeakMemory(proc.pid, every=0.05) as mem:
        proc.wait(30)
    assert mem.peak_kb > 150_000  # 80 MB in each of two processes
    assert 75_000 < mem.peak_pss_kb < 120_000  # the 80 MB once, and the interpreters


def test_floors_and_the_table():
    texts = ["Sam said he likes school. Mum was at home."] * 50
    got = floors(texts)
    assert set(got) == {"regex_pass", "spacy_blank_tokenizer", "spacy_blank_sentencizer",
                        "sklearn_tfidf_transform"}  # fmt: skip
    assert all(v > 0 for v in got.values())
    entry = {
        "children": 10, "rows": {"visits": 50}, "records_total": 90,
        "rules_path": {"wall_s": 2.0, "visit_notes_per_s": 25.0, "notes_per_s": 40.0,
                       "records_per_s": 45.0, "peak_rss_mb": 300.0},
        "floors_notes_per_s": got,
        "ratio_to_floors": {k: 25.0 / v for k, v in got.items()},
    }  # fmt: skip
    table = markdown({"sizes": [entry]})
    assert table.count("\n") == 3 and "| 10 | 50 | 90 |" in table


def test_floors_read_every_text_table_and_sample_evenly(tmp_path: Path):
    extract = make_extract(3, tmp_path / "x3", base_dir=tmp_path / "base", base_children=3)
    every = _texts(extract, cap=10_000, total=10_000)
    assert len(every) > 20
    visits = read_extract(extract).counts["visits"].accepted
    assert len(every) > visits  # not the visits alone
    half = _texts(extract, cap=len(every) // 2, total=len(every))
    assert len(every) // 4 <= len(half) <= len(every) // 2 + 1


def test_goals_set_the_measured_figures_beside_the_issue_goals():
    results = {
        "sizes": [{"children": 10, "rules_path": {"wall_s": 2.0, "visit_notes_per_s": 500.0,
                                                  "peak_rss_mb": 300.0},
                   "ratio_to_floors": {"spacy_blank_tokenizer": 0.1}}],
        "nightly": {"wall_s": 42.0, "rows": {"visits": 20_001}},
    }  # fmt: skip
    got = goals(results)
    assert got["ratio_to_tokenizer"]["measured"] == 0.1
    assert got["one_million_visits_min"]["projected"] == round(1_000_000 / 500 / 60, 1)
    assert got["nightly_20000_visits_s"] == {"goal": 60, "measured": 42.0, "visits": 20_001}
    assert got["peak_rss_mb"]["measured_max"] == 300.0
    assert "measured" not in got["one_million_visits_min"]
    big = {"children": 70_000, "rows": {"visits": 1_020_000},
           "rules_path": {"wall_s": 720.0, "visit_notes_per_s": 1_416.7, "peak_rss_mb": 900.0},
           "ratio_to_floors": {"spacy_blank_tokenizer": 0.09}}  # fmt: skip
    million = goals({"sizes": [*results["sizes"], big]})["one_million_visits_min"]
    assert million["measured"] == 12.0 and million["measured_visits"] == 1_020_000
    # Whole children's files make the million-visit extract 999,993 visits: that one counts;
    # an extract half as big again is not timed as a million.
    bigger = {**big, "children": 100_000, "rows": {"visits": 1_458_900}}
    near = {**big, "children": 68_546, "rows": {"visits": 999_993}}
    million = goals({"sizes": [bigger, near]})["one_million_visits_min"]
    assert million["measured_children"] == 68_546
    assert "measured" not in goals({"sizes": [bigger]})["one_million_visits_min"]
    # The transformer path's goal, from the largest size where it finished.
    assert "models_path_notes_per_s" not in got
    stopped = {**big, "rules_plus_models_path": {"stopped_after_s": 300.0}}
    models = {**results["sizes"][0],
              "rules_plus_models_path": {"notes_per_s": 161.5, "peak_rss_mb": 1_900.0}}
    got = goals({"sizes": [models, stopped]})
    assert got["models_path_notes_per_s"] == {"goal": 150, "measured": 161.5, "at_children": 10}
    assert got["peak_rss_mb"] == {"goal": 2048, "measured_max": 900.0, "models_path_max": 1_900.0}
