"""No eight words in a row from the evaluation texts (../shared/eval) stand anywhere in the repo's
code, data or tests (DESIGN.md, "Models": a rule or model that matches an evaluation text's
sentences is tuning). The scanner is tests/leak_scan.py; here it is shown to catch a planted
copy, and then run over the repository."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from tests.leak_scan import (
    TEXT_FIELDS,
    WINDOW,
    eval_texts,
    find_eval_dir,
    find_leaks,
    repo_files,
    words,
)

REPO = Path(__file__).resolve().parents[1]
# Invented words, put together at run time: the generated evaluation folder holds no real text.
_SYLLABLES = ("ka", "lo", "mi", "ren", "tu", "sho", "va", "pel", "dri", "nu", "gos", "fe")


def _gibberish(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))) for _ in range(n)]


def _generated_eval(folder: Path) -> list[list[str]]:
    """An evaluation folder shaped like ../shared/eval: a CSV table with a text column, and a
    JSON Lines file with a text field. Returns the words of each text."""
    rng = random.Random(20261120)
    texts = [_gibberish(rng, 30) for _ in range(4)]
    (folder / "casefiles_dev").mkdir(parents=True)
    with (folder / "casefiles_dev" / "visits.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["visit_id", "text"])
        out.writerow(["v1", " ".join(texts[0]).capitalize() + "."])
        out.writerow(["v2", ", ".join(texts[1])])
    with (folder / "exemplars.jsonl").open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "e1", "text": " ".join(texts[2])}) + "\n")
        fh.write(json.dumps({"id": "e2", "note": " ".join(texts[3])}) + "\n")
    return texts


def _repo_with(folder: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return folder


def test_a_planted_copy_is_found_and_a_near_miss_is_not(tmp_path: Path) -> None:
    texts = _generated_eval(tmp_path / "eval")
    eight = texts[1][5 : 5 + WINDOW]
    seven = texts[2][:7]
    # The copy hides behind case, punctuation and a line break; the near miss is one word short.
    planted = f'PATTERN = "{" ".join(eight[:3]).upper()},\n{" ".join(eight[3:])}"\n'
    repo = _repo_with(
        tmp_path / "repo",
        {
            "src/pkg/patterns.yaml": planted,
            "tests/test_x.py": "# " + " ".join(seven) + " end\n",
            "training/notes.md": "# " + " ".join(texts[3][10 : 10 + WINDOW]) + "\n",
            "docs/copy.md": " ".join(texts[0]),  # not a scanned folder
            "models/m/model.bin": "\0" + " ".join(texts[0]),  # binary
        },
    )
    leaks = find_leaks(repo, tmp_path / "eval")
    assert {(leak.path, leak.words) for leak in leaks} == {
        ("src/pkg/patterns.yaml", " ".join(eight)),
        ("training/notes.md", " ".join(texts[3][10 : 10 + WINDOW])),
    }


def test_every_text_field_of_the_generated_folder_is_read(tmp_path: Path) -> None:
    texts = _generated_eval(tmp_path / "eval")
    read = [words(t) for t in eval_texts(tmp_path / "eval")]
    assert read == texts
    assert {"text", "note"} <= set(TEXT_FIELDS)


def test_outside_a_git_checkout_only_the_scanned_folders_are_walked(tmp_path: Path) -> None:
    repo = _repo_with(
        tmp_path,
        {"src/a.py": "x", "docs/b.md": "y", "src/.hidden/c.py": "z", "api/__pycache__/d": "w"},
    )
    assert [p.relative_to(repo).as_posix() for p in repo_files(repo)] == ["src/a.py"]


def test_a_copy_read_from_the_real_evaluation_set_is_found(tmp_path: Path) -> None:
    eval_dir = find_eval_dir(REPO)
    if eval_dir is None:
        pytest.skip("no evaluation set: set NOTEREVIEW_EVAL_DIR or put shared/eval beside the repo")
    text = next(t for t in eval_texts(eval_dir) if len(words(t)) >= 20)
    copy = " ".join(words(text)[4 : 4 + WINDOW])
    repo = _repo_with(tmp_path, {"tests/planted.py": f"# {copy}\n"})
    assert [(leak.path, leak.words) for leak in find_leaks(repo, eval_dir)] == [
        ("tests/planted.py", copy)
    ]


def test_the_repository_holds_no_evaluation_text() -> None:
    eval_dir = find_eval_dir(REPO)
    if eval_dir is None:
        pytest.skip("no evaluation set: set NOTEREVIEW_EVAL_DIR or put shared/eval beside the repo")
    leaks = find_leaks(REPO, eval_dir)
    assert not leaks, "evaluation text copied into the repo (measure on it, never copy it): " + (
        "; ".join(f"{leak.path}: '{leak.words}'" for leak in leaks)
    )
