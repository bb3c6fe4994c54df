"""Does a worker slow down or grow over a long run? One process reviews the same case files pass
after pass, as a pool worker does chunk after chunk, and reports each pass's time, its RSS,
the size of spaCy's StringStore, and the time of a fixed pure-Python probe run right after it
(on a shared VM the machine's own speed drifts; the probe shows by how much).

    python -m bench.drift bench/data/x1000 --passes 5
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.run import _rss_kb


def _probe() -> float:
    t = time.perf_counter()
    x = 0
    for i in range(3_000_000):
        x += i * i % 7
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args(argv)
    sys.modules["torch"] = None  # type: ignore[assignment]  # as the rules-path workers do
    from notereview.extract import read_extract
    from notereview.review import Reviewer

    extract = read_extract(args.extract)
    cases = list(extract.case_files())
    reviewer = Reviewer()
    strings = reviewer.annotator.nlp.vocab.strings
    for k in range(args.passes):
        t = time.perf_counter()
        for case in cases:
            reviewer.review(case, extract.as_of)
        seconds = time.perf_counter() - t
        row = {
            "pass": k,
            "seconds": round(seconds, 2),
            "files_per_s": round(len(cases) / seconds, 1),
            "rss_mb": _rss_kb(os.getpid()) // 1024,
            "strings": len(strings),
            "probe_s": round(_probe(), 3),
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
