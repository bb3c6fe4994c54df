"""The distribution works away from the checkout: build the wheel, install it into a fresh
virtual environment in a temporary folder, and there run ``score`` (rules and ``--models auto``),
``check``, ``serve`` with ``/health`` and one page, from a folder that is not the repository.

The fresh environment takes its third-party packages (spaCy, scikit-learn, FastAPI...) from this
one's site-packages through a ``.pth`` line, so nothing is downloaded; notereview and
notereview_api come only from the wheel (asserted: their files lie in the fresh environment).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

#: What the build needs from the checkout (copied, so the checkout gets no build/ folder).
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "src", "models")


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd[:3]} failed ({done.returncode}):\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(the fresh environment's bin folder, a clean environment for its commands)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in BUILD_INPUTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(
                src, source / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "_models", "*.so"),
            )  # fmt: skip
        else:
            shutil.copy2(src, source / name)
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "NOTEREVIEW_MODELS", "VIRTUAL_ENV"}}  # fmt: skip
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(dist), str(source)], tmp, env)  # fmt: skip
    wheel = next(dist.glob("notereview-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "notereview_api/templates/case.html" in names
    assert "notereview_api/static/htmx.min.js" in names
    assert any(n.startswith("notereview/_models/visit_judgement/") for n in names)
    assert "notereview/checks/rubric.yaml" in names

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp, env)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv)}))
    purelib.mkdir(parents=True, exist_ok=True)
    # this environment's third-party packages, after the fresh one's own (a plain path line:
    # its .pth files, among them the editable install of the checkout, are not read)
    (purelib / "zz_deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
          "--no-deps", "--no-index", "-q", str(wheel)], tmp, env)  # fmt: skip
    work = tmp / "work"
    work.mkdir()
    return venv / "bin", {**env, "HOME": str(work)}


def test_the_installed_package_is_the_wheel_not_the_checkout(installed) -> None:
    bin_dir, env = installed
    out = _run([str(bin_dir / "python"), "-c",
                "import json, notereview, notereview_api\n"
                "from notereview.ml._runtime import default_models_dir\n"
                "print(json.dumps([notereview.__file__, notereview_api.__file__,"
                " str(default_models_dir())]))"], bin_dir.parent, env)  # fmt: skip
    files = [Path(p) for p in json.loads(out)]
    venv = bin_dir.parent.resolve()
    assert all(venv in p.resolve().parents for p in files), files
    assert files[2].name == "_models" and (files[2] / "visit_judgement").is_dir()


def test_score_check_and_models_from_the_wheel(installed) -> None:
    bin_dir, env = installed
    cli = str(bin_dir / "notereview")
    work = Path(env["HOME"])
    _run([cli, "synth", "--children", "12", "--seed", "3", "--out", "extract"], work, env)
    for models in ("rules", "auto"):
        out = work / f"out-{models}"
        _run([cli, "score", "extract", "--out", str(out), "--workers", "1",
              "--models", models, "--format", "csv"], work, env)  # fmt: skip
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert run["rows_read"] == run["rows_scored"] + run["rows_quarantined"] > 0
        assert (out / "cases.csv").read_text(encoding="utf-8").count("\n") >= 12
        if models == "auto":  # the shipped models, loaded (hash-checked) from the wheel
            assert run["models"]["path"] == "rules+models"
            assert all(len(h) == 64 for h in run["models"]["sha256"].values())
            assert run["models"]["sha256"]
    found = json.loads(_run([cli, "check", "--kind", "visit", "--child-name", "Ava",
                             "I visited Ava at home. Ava said \"I like my new school\"."],
                            work, env))  # fmt: skip
    assert found, "check printed no findings"
    # a write into the models the installation ships is refused, with a clear line
    refused = subprocess.run([cli, "models", "rollback"], cwd=work, env=env,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode == 2 and "read-only" in refused.stderr
    assert "Traceback" not in refused.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_from_the_wheel(installed) -> None:
    bin_dir, env = installed
    work = Path(env["HOME"])
    port = _free_port()
    url = f"sqlite:///{work / 'serve.db'}"
    server = subprocess.Popen(
        [str(bin_dir / "notereview"), "serve", "--port", str(port), "--database-url", url],
        cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    health = json.loads(r.read())
                break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the service did not answer /health"
                time.sleep(0.5)
        assert health == {"status": "ok"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=10) as r:
            page = r.read().decode("utf-8")
            assert r.status == 200 and "<form" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=10) as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
