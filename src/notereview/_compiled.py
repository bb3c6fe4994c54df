"""An optional compiled build of the annotation hot path, with the pure-Python modules as the
fallback.

``make compiled`` (which ``make install`` runs; it calls ``main(["build"])``) compiles
``MODULES`` with mypyc, from a copy of their sources, into ``compiled_dir()``
(``<venv>/notereview-compiled``), with a manifest of each source's sha256. ``use_compiled()``,
called when ``notereview`` is imported, loads those extension modules in place of the ``.py``
files only when every source is unchanged since the build: a module edited since (in a
developer's editable install) is never shadowed by a stale build; it runs as Python until the
next ``make compiled``. ``NOTEREVIEW_COMPILED=0`` turns the build off for a process and its
workers.

The compiled and the pure modules give the same results (``tests/test_compiled.py`` scores an
extract both ways and compares every output and every annotation).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: The modules compiled: the reader (who speaks, voice, qualifiers, and its rules, people,
#: clauses and text facts), the segmenter and matcher
#: components' Python, the case context's labels, the people of a case file, the learned
#: judgement's features, the SMART reading of plan actions. Each must type-check under mypy,
#: keep its annotations' names importable at run time (mypyc reads dataclass field types on
#: load) and define no class mypyc cannot make native (a pydantic model).
MODULES: tuple[str, ...] = (
    "notereview.nlp._context",
    "notereview.nlp._context_rules",
    "notereview.nlp._mentions",
    "notereview.nlp._clauses",
    "notereview.nlp._text_facts",
    "notereview.nlp._voice",
    "notereview.nlp._components",
    "notereview.checks._context",
    "notereview.checks._labels",
    "notereview.checks._textdates",
    "notereview.checks._linkwords",
    "notereview.checks._judgement",
    "notereview.nlp._people",
    "notereview.nlp._unnamed",
    "notereview.checks._smart",
    "notereview.checks._smart_clauses",
    "notereview.checks._smart_when",
)
MANIFEST = "manifest.json"
ENV_SWITCH = "NOTEREVIEW_COMPILED"
ENV_DIR = "NOTEREVIEW_COMPILED_DIR"
_MYPY_INI = """[mypy]
ignore_missing_imports = True
follow_imports = silent
[mypy-spacy.*,thinc.*,pandas.*,numpy.*,pyarrow.*,sklearn.*,scipy.*,torch.*,yaml.*,pydantic.*]
follow_imports = skip
"""


class CompileError(RuntimeError):
    """The compiled build could not be made (no mypy or no C compiler, or a type error)."""


def compiled_dir() -> Path:
    return Path(os.environ.get(ENV_DIR) or Path(sys.prefix) / "notereview-compiled")


def _package_root() -> Path:
    return Path(__file__).resolve().parent.parent  # the folder that holds notereview/


def _source(module: str, root: Path | None = None) -> Path:
    return (root or _package_root()).joinpath(*module.split(".")).with_suffix(".py")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(dest: Path | None = None, modules: Sequence[str] = MODULES) -> dict[str, object]:
    """Compile ``modules`` into ``dest`` (replacing what is there); returns the manifest."""
    import shutil
    import subprocess
    import sysconfig
    import tempfile

    dest = dest or compiled_dir()
    try:
        import mypy.version
    except ImportError as exc:
        raise CompileError("mypy (which ships mypyc) is not installed: pip install mypy") from exc
    with tempfile.TemporaryDirectory(prefix="notereview-compile-") as tmp:
        work = Path(tmp)
        shutil.copytree(
            _package_root() / "notereview", work / "notereview",
            ignore=shutil.ignore_patterns("__pycache__", "*.so"),
        )  # fmt: skip
        (work / "mypy.ini").write_text(_MYPY_INI, encoding="utf-8")
        sources = [str(_source(m, work).relative_to(work)) for m in modules]
        env = {**os.environ, "MYPYC_OPT_LEVEL": "3", "MYPYC_DEBUG_LEVEL": "0"}
        cmd = [sys.executable, "-m", "mypyc", "--config-file", "mypy.ini", *sources]
        done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
            raise CompileError(f"mypyc failed:\n{tail}")
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        group = next(work.glob(f"*__mypyc{suffix}"), None)
        if group is None:
            raise CompileError(f"mypyc built no shared library (*__mypyc{suffix}) in {work}")
        staging = dest.with_name(dest.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        files = {group.stem.split(".")[0]: group.name}
        shutil.copy2(group, staging / group.name)
        for module in modules:
            built = _source(module, work).with_suffix(suffix)
            if not built.is_file():
                raise CompileError(f"mypyc built no extension for {module}")
            name = f"{module}{suffix}"
            shutil.copy2(built, staging / name)
            files[module] = name
        manifest: dict[str, object] = {
            "python": sys.version.split()[0],
            "mypy": mypy.version.__version__,
            "files": files,
            "sources_sha256": {m: _sha(_source(m)) for m in modules},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        _verify(staging, modules)
        shutil.rmtree(dest, ignore_errors=True)
        staging.rename(dest)
    return manifest


def _verify(folder: Path, modules: Sequence[str]) -> None:
    """Import every compiled module from ``folder`` in a fresh process before the build
    replaces the one in use: a module that compiles but fails on import (a class mypyc cannot
    make native, such as a pydantic model) must never become the build every process loads."""
    import subprocess

    code = (
        "import importlib, sys\n"
        "from notereview import _compiled\n"
        f"for m in {list(modules)!r}: importlib.import_module(m)\n"
        "sys.exit(0 if _compiled.status()['compiled'] else 3)\n"
    )
    env = {**os.environ, ENV_DIR: str(folder), ENV_SWITCH: "1"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        raise CompileError(f"the compiled modules do not import, so the build is not used:\n{tail}")


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the compiled extension for each name in ``files`` (the modules and their group)."""

    def __init__(self, folder: Path, files: dict[str, str]) -> None:
        self.folder = folder
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        name = self.files.get(fullname)
        if name is None:
            return None
        location = str(self.folder / name)
        loader = importlib.machinery.ExtensionFileLoader(fullname, location)
        return importlib.util.spec_from_file_location(fullname, location, loader=loader)


_state: dict[str, object] = {"active": False, "why": "not looked for"}


def fresh_manifest(folder: Path) -> tuple[dict[str, str] | None, str]:
    """The build's files when it can be used here (same Python, every source unchanged since
    the build), else None; and why."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, f"no compiled build in {folder} (make compiled)"
    except (OSError, ValueError) as exc:
        return None, f"unreadable compiled build manifest ({type(exc).__name__})"
    if manifest.get("python") != sys.version.split()[0]:
        return None, f"compiled for Python {manifest.get('python')}: rebuild"
    shas: dict[str, str] = manifest.get("sources_sha256", {})
    for module, sha in shas.items():
        source = _source(module)
        if not source.is_file() or _sha(source) != sha:
            return None, f"{module} changed since the compiled build: running it as Python"
    files: dict[str, str] = manifest.get("files", {})
    if set(shas) - set(files) or not all((folder / f).is_file() for f in files.values()):
        return None, "the compiled build is incomplete: rebuild"
    return files, "compiled"


class _LazyFinder(importlib.abc.MetaPathFinder):
    """Put on ``sys.meta_path`` by :func:`use_compiled`, it reads nothing until the first of
    ``MODULES`` is imported: only then does it read the build's manifest and hash the sources
    (once), and serve the compiled extensions when the build is fresh."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.inner: _Finder | None = None
        self.resolved = False

    def _resolve(self) -> None:
        self.resolved = True
        files, why = fresh_manifest(self.folder)
        _state["why"] = why
        if files is not None:
            self.inner = _Finder(self.folder, files)
            _state["active"] = True

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not self.resolved:
            if fullname not in MODULES:
                return None
            self._resolve()
        return self.inner.find_spec(fullname, path, target) if self.inner else None


def use_compiled() -> bool:
    """Arrange for the compiled modules to load in place of the sources when a fresh build
    exists (called by ``notereview/__init__.py``; cheap: the build is looked at when the first
    of them is imported). False when turned off or too late (a module already imported)."""
    if any(isinstance(f, _LazyFinder) for f in sys.meta_path):
        return True
    if os.environ.get(ENV_SWITCH, "1") == "0":
        _state["why"] = f"turned off ({ENV_SWITCH}=0)"
        return False
    if any(m in sys.modules for m in MODULES):
        _state["why"] = "the Python modules were imported first"
        return False
    sys.meta_path.insert(0, _LazyFinder(compiled_dir()))
    return True


def status() -> dict[str, object]:
    """For run.json: whether the compiled modules run in this process, and if not why."""
    active = bool(_state["active"]) and all(
        not (getattr(sys.modules.get(m), "__file__", None) or ".py").endswith(".py")
        for m in MODULES
        if m in sys.modules
    )
    return {"compiled": active, "modules": list(MODULES), "why": str(_state["why"])}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] != ["build"]:
        print("usage: main(['build'])", file=sys.stderr)
        return 2
    try:
        build()
    except CompileError as exc:
        print(f"notereview: no compiled build, the modules run as Python: {exc}", file=sys.stderr)
        return 1
    print(f"notereview: compiled {len(MODULES)} modules into {compiled_dir()}")
    return 0
