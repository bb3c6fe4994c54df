"""The compiled hot path (notereview._compiled): used only when fresh, and it gives exactly the
results of the pure-Python modules, annotation by annotation and output file by output file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from tests.batch_fixtures import messy_extract
from tests.test_batch_stream import assert_same_run

from notereview import _compiled
from notereview.synth import generate

DAY = date(2026, 11, 2)

# Annotates every text of every table for its child and prints one line per annotation
# (frozensets sorted, so the line does not depend on hashing), plus which modules ran.
ANNOTATE = """
import sys
sys.modules["torch"] = None
import pandas as pd
from notereview import _compiled
from notereview.nlp import ChildContext, build_pipeline
extract = sys.argv[1]
annotator = build_pipeline()
children = pd.read_csv(f"{extract}/children.csv", dtype=str).set_index("child_id")
children = children[~children.index.duplicated()]  # one row per child, whatever the extract
def canon(x):
    if isinstance(x, (frozenset, set)):
        return sorted(map(canon, x))
    if isinstance(x, tuple):
        return [canon(v) for v in x]
    return x
print(_compiled.status()["compiled"])
for table, column in (("visits", "text"), ("case_summaries", "text"), ("chronology", "text"),
                      ("supervision", "text"), ("genograms", "notes")):
    frame = pd.read_csv(f"{extract}/{table}.csv", dtype=str)
    items = []
    for text, child_id in zip(frame[column].fillna(""), frame["child_id"]):
        row = children.loc[child_id] if child_id in children.index else None
        name = None if row is None or pd.isna(row["first_name"]) else row["first_name"]
        gender = "unknown" if row is None or pd.isna(row["gender"]) else row["gender"]
        items.append((text, ChildContext(name, gender, 9)))
    for at in annotator.annotate_many(items):
        print(repr(canon((at.sentences, at.cues))))
"""


def _build_or_skip() -> Path:
    folder = _compiled.compiled_dir()
    files, why = _compiled.fresh_manifest(folder)
    if files is None:
        if os.environ.get("CI"):  # make install builds it: CI must test it
            pytest.fail(f"no usable compiled build under CI: {why}")
        pytest.skip(why)
    return folder


def _env(compiled: bool) -> dict[str, str]:
    return {**os.environ, _compiled.ENV_SWITCH: "1" if compiled else "0", "PYTHONHASHSEED": "0"}


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Messy: mixed formats, bad rows, repeated ids."""
    return messy_extract(tmp_path_factory.mktemp("compiled") / "extract", children=60, seed=11)


def test_each_annotation_is_the_same_compiled_and_as_python(tmp_path: Path):
    _build_or_skip()
    clean = tmp_path / "extract"
    generate(clean, children=80, seed=12)  # every table as CSV, every writing style
    runs = [
        subprocess.run([sys.executable, "-c", ANNOTATE, str(clean)], env=_env(flag),
                       capture_output=True, text=True, timeout=300)
        for flag in (True, False)
    ]  # fmt: skip
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    compiled, python = (run.stdout.splitlines() for run in runs)
    assert compiled[0] == "True" and python[0] == "False"
    assert len(compiled) > 1_000
    assert compiled[1:] == python[1:]


def test_a_scored_extract_is_the_same_compiled_and_as_python(extract: Path, tmp_path: Path):
    _build_or_skip()
    outs = {}
    for flag in (True, False):
        out = tmp_path / f"out-{flag}"
        cmd = [sys.executable, "-c", "from notereview.cli import main; main()", "score",
               str(extract), "--out", str(out), "--as-of", DAY.isoformat(), "--workers", "2",
               "--chunk-size", "10", "--models", "none"]  # fmt: skip
        done = subprocess.run(cmd, env=_env(flag), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        run = json.loads((out / "run.json").read_text())
        assert run["batch"]["compiled"]["compiled"] is flag, run["batch"]["compiled"]
        outs[flag] = out
    assert_same_run(outs[True], outs[False])


def _fake_build(folder: Path) -> dict[str, object]:
    folder.mkdir()
    files = {m: f"{m}.so" for m in _compiled.MODULES}
    for name in files.values():
        (folder / name).write_bytes(b"")
    manifest: dict[str, object] = {
        "python": sys.version.split()[0],
        "files": files,
        "sources_sha256": {m: _compiled._sha(_compiled._source(m)) for m in _compiled.MODULES},
    }
    (folder / _compiled.MANIFEST).write_text(json.dumps(manifest))
    return manifest


def test_a_build_is_used_only_when_every_source_is_unchanged_since(tmp_path: Path):
    folder = tmp_path / "build"
    manifest = _fake_build(folder)
    files, why = _compiled.fresh_manifest(folder)
    assert files == manifest["files"] and why == "compiled"

    changed = json.loads((folder / _compiled.MANIFEST).read_text())
    changed["sources_sha256"]["notereview.nlp._context"] = "0" * 64  # edited since the build
    (folder / _compiled.MANIFEST).write_text(json.dumps(changed))
    files, why = _compiled.fresh_manifest(folder)
    assert files is None and "notereview.nlp._context changed since the compiled build" in why

    (folder / _compiled.MANIFEST).write_text(json.dumps({**manifest, "python": "3.0.1"}))
    assert _compiled.fresh_manifest(folder) == (None, "compiled for Python 3.0.1: rebuild")

    (folder / _compiled.MANIFEST).write_text(json.dumps(manifest))
    (folder / "notereview.checks._context.so").unlink()
    assert _compiled.fresh_manifest(folder)[1] == "the compiled build is incomplete: rebuild"

    shutil.rmtree(folder)
    files, why = _compiled.fresh_manifest(folder)
    assert files is None and why.startswith("no compiled build in")


def test_a_stale_build_leaves_the_python_modules_in_place(tmp_path: Path):
    folder = tmp_path / "build"
    manifest = _fake_build(folder)
    manifest["sources_sha256"]["notereview.nlp._context"] = "0" * 64  # type: ignore[index]
    (folder / _compiled.MANIFEST).write_text(json.dumps(manifest))
    probe = (
        "import json, notereview, notereview.nlp._context as m, notereview._compiled as c; "
        "print(json.dumps([m.__file__, c.status()]))"
    )
    env = {**os.environ, _compiled.ENV_DIR: str(folder)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    path, status = json.loads(done.stdout)
    assert path.endswith("_context.py")
    assert status["compiled"] is False and "changed since the compiled build" in status["why"]
