"""Pass 1's memory, table by table: each text table is read by a fresh process (as the batch
engine's short-lived readers do), and that process's peak RSS and time are reported.

    python -m bench.pass1_memory bench/data/x68546 --spill-total-mb 64,8

The peak of a reader is what grows with the extract: the duplicate-id index of its table and
its spill buffers (``_SPILL_TOTAL_BYTES``, varied here)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any


def _set_spill(total_bytes: int) -> None:
    import notereview.extract._partition as ingest

    ingest._SPILL_TOTAL_BYTES = total_bytes


def _read_one(job: Any) -> tuple[Any, str, float, float]:
    from notereview.extract._partition import ingest_table

    t = time.perf_counter()
    result = ingest_table(job)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result, job.table, peak_mb, time.perf_counter() - t


def measure(extract: Path, spill_total_mb: int) -> dict[str, Any]:
    """Pass 1 of ``extract`` with the text tables read one after another, each by a new
    process; per table: peak RSS (MB) and seconds."""
    from notereview.extract import partition_extract

    ctx = multiprocessing.get_context("forkserver")
    tables: dict[str, dict[str, float]] = {}
    with ctx.Pool(1, _set_spill, (spill_total_mb << 20,), maxtasksperchild=1) as pool:

        def mapper(fn: Callable[..., Any], jobs: Iterable[Any]) -> Iterator[Any]:
            for result, table, peak, seconds in pool.imap(_read_one, jobs, chunksize=1):
                tables[table] = {"peak_rss_mb": round(peak, 1), "seconds": round(seconds, 1)}
                yield result

        spill = Path(tempfile.mkdtemp(prefix="pass1-"))
        try:
            t = time.perf_counter()
            partition_extract(extract, spill, map_tables=mapper)
            wall = time.perf_counter() - t
        finally:
            shutil.rmtree(spill, ignore_errors=True)
    return {"spill_total_mb": spill_total_mb, "wall_s": round(wall, 1), "tables": tables}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("extract", type=Path)
    parser.add_argument("--spill-total-mb", default="8", help="comma-separated settings")
    args = parser.parse_args(argv)
    for mb in (int(v) for v in args.spill_total_mb.split(",")):
        print(json.dumps(measure(args.extract, mb)), flush=True)


if __name__ == "__main__":
    main()
