"""The memory of writing a run's ranked cases file, by block size: a run's cases file is cut
into chunk parts (``--chunk`` rows each, in a shuffled order, as workers leave them), then for
each block size a fresh process ranks them and writes them as ``_assemble_outputs`` does, and
prints its RSS before, its peak RSS and the Arrow pool's peak. A block as large as the table is the
old way (the whole cases table held to rank it).

    python -m bench.cases_blocks /tmp/o/cases.parquet --block-rows 5000,20000,1000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.run import _rss_kb


def _split(cases: Path, parts: Path, chunk: int) -> int:
    table = pq.read_table(cases)
    table = table.take(np.random.default_rng(0).permutation(table.num_rows))
    for i, start in enumerate(range(0, table.num_rows, chunk)):
        folder = parts / f"chunk-{i:06d}"
        folder.mkdir(parents=True)
        pq.write_table(table.slice(start, chunk), folder / "cases.parquet")
    return table.num_rows


def _measure(parts: Path, block_rows: int) -> dict[str, int]:
    from notereview.batch import _assembly as engine

    engine.CASES_BLOCK_ROWS = block_rows
    engine.MAX_CASES_BLOCKS = 1 << 30
    dirs = sorted(p for p in parts.iterdir() if p.name.startswith("chunk-"))
    before = _rss_kb(os.getpid()) // 1024
    ranks, _ = engine.rank_parts(dirs)
    out = parts.parent / "cases.parquet"
    engine._write_ranked_cases(dirs, ranks, parts.parent / "spill", out, "parquet", 100)
    return {
        "block_rows": block_rows,
        "rss_before_mb": before,
        "peak_rss_mb": _rss_kb(os.getpid(), "VmHWM") // 1024,
        "arrow_pool_peak_mb": pa.default_memory_pool().max_memory() // 2**20,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path, help="a run's cases.parquet")
    parser.add_argument("--block-rows", default="5000,20000,1000000")
    parser.add_argument("--chunk", type=int, default=200, help="rows per chunk part")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(_measure(args.measure, int(args.block_rows))))
        return
    work = Path(tempfile.mkdtemp(prefix="cases-blocks-"))
    try:
        rows = _split(args.cases, work / "parts", args.chunk)
        print(f"{rows} cases rows in chunk parts of {args.chunk}")
        for size in (int(s) for s in args.block_rows.split(",")):
            done = subprocess.run(
                [sys.executable, "-m", "bench.cases_blocks", str(args.cases),
                 "--block-rows", str(size), "--measure", str(work / "parts")],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"block {r['block_rows']:>9,} rows: RSS {r['rss_before_mb']} MB before, peak "
                f"{r['peak_rss_mb']} MB (+{r['peak_rss_mb'] - r['rss_before_mb']}), "
                f"Arrow pool peak {r['arrow_pool_peak_mb']} MB"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
