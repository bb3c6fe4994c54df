"""Where a run's memory is: every 10 s, the RSS of each process of its tree (largest first), then
the peak of the total, when it came and how it was shared. Shows which stage and which process
make the peak that ``bench/run.py`` reports as one number.

    python -m bench.memory_timeline -- notereview score bench/data/x68546 --out /tmp/o \\
        --models none --no-resume
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import time

from bench.run import _rss_kb, _tree


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between lines")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
    started = time.time()
    last_line = 0.0
    peak: tuple[int, float, list[int]] = (0, 0.0, [])
    try:
        while proc.poll() is None and time.time() - started < args.max_seconds:
            sizes = sorted((_rss_kb(pid) // 1024 for pid in _tree(proc.pid)), reverse=True)
            total = sum(sizes)
            now = time.time() - started
            if total > peak[0]:
                peak = (total, now, sizes)
            if now - last_line >= args.every:
                last_line = now
                print(f"t={now:6.0f}s total={total} MB processes={sizes}", flush=True)
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    print(f"peak {peak[0]} MB at t={peak[1]:.0f}s, processes={peak[2]} (exit {proc.wait()})")


if __name__ == "__main__":
    main()
