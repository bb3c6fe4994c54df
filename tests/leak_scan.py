"""Find evaluation text copied into the repository: any run of eight words from the hand-written
evaluation set (../shared/eval) that also stands in the repo's code, data or tests.

The evaluation texts measure the project; a pattern, a test or a generator sentence that repeats
one of them is tuning (DESIGN.md, "Models"). Words are lower-cased runs of ``[a-z0-9']``, the
definition ../shared/hooks/before-stop uses, so punctuation, case and line breaks do not hide a
copy. Used by tests/test_no_eval_leak.py; run it directly to list every leak:

    .venv/bin/python -m tests.leak_scan
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Words in a row that count as a copy.
WINDOW = 8
#: The repo's top-level folders that must hold no evaluation text.
SCANNED = ("src", "tests", "training", "models", "bench")
#: The free-text columns of the evaluation tables and fields of its JSON Lines files.
TEXT_FIELDS = ("text", "impact", "notes", "note")
_WORD = re.compile(r"[a-z0-9']+")
csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class Leak:
    """A repo file holding ``words`` (eight in a row) from an evaluation text."""

    path: str
    words: str


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def find_eval_dir(repo: Path) -> Path | None:
    """$NOTEREVIEW_EVAL_DIR, else <repo>/../shared/eval (a clone elsewhere has none: the scan of
    the repo is then skipped with that reason)."""
    env = os.environ.get("NOTEREVIEW_EVAL_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(repo.resolve().parent / "shared" / "eval")
    return next((c for c in candidates if c.is_dir()), None)


def eval_texts(eval_dir: Path) -> Iterator[str]:
    """Every free text of every *.csv and *.jsonl under ``eval_dir``."""
    for path in sorted(eval_dir.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield from (row[f] for f in TEXT_FIELDS if row.get(f))
    for path in sorted(eval_dir.rglob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    obj = json.loads(line)
                    yield from (str(obj[f]) for f in TEXT_FIELDS if obj.get(f))


def windows(ws: list[str], n: int = WINDOW) -> Iterator[tuple[str, ...]]:
    return zip(*(ws[k:] for k in range(n)), strict=False)


def eval_windows(eval_dir: Path, n: int = WINDOW) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for text in eval_texts(eval_dir):
        out.update(windows(words(text), n))
    return out


def repo_files(repo: Path, tops: Iterable[str] = SCANNED) -> list[Path]:
    """The files under ``tops`` that git tracks or would track (untracked but not ignored);
    every file under them where ``repo`` is not a git checkout."""
    tops = tuple(tops)
    if (repo / ".git").exists():
        listed = subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        names = sorted({n for n in listed.split("\0") if n and n.split("/")[0] in tops})
        return [repo / n for n in names if (repo / n).is_file()]
    out: list[Path] = []
    for top in tops:
        for path in sorted((repo / top).rglob("*")):
            parts = path.relative_to(repo).parts
            if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts):
                out.append(path)
    return out


def _text_of(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:  # a binary file (a zipped model): no text to copy into
        return None
    return data.decode("utf-8", errors="ignore")


def find_leaks(repo: Path, eval_dir: Path, files: Iterable[Path] | None = None) -> list[Leak]:
    """Every (file, first eight-word run) where a repo file repeats an evaluation text."""
    grams = eval_windows(eval_dir)
    leaks: list[Leak] = []
    for path in repo_files(repo) if files is None else files:
        text = _text_of(path)
        if text is None:
            continue
        hit = next((g for g in windows(words(text)) if g in grams), None)
        if hit is not None:
            leaks.append(Leak(path.relative_to(repo).as_posix(), " ".join(hit)))
    return leaks


def main() -> int:
    repo = Path(__file__).resolve().parents[1]
    eval_dir = find_eval_dir(repo)
    if eval_dir is None:
        print("no evaluation set found ($NOTEREVIEW_EVAL_DIR, ../shared/eval)")
        return 0
    leaks = find_leaks(repo, eval_dir)
    for leak in leaks:
        print(f"{leak.path}: {leak.words}")
    return 1 if leaks else 0


if __name__ == "__main__":
    raise SystemExit(main())
