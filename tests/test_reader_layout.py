"""The reader's layout (issue 18): the modules of the annotation and labelling path stay small
and import one another one way, with no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import notereview

SRC = Path(notereview.__file__).resolve().parent
#: The annotation and labelling path: the whole of nlp/, and the checks' shared reading.
READER = sorted(
    [
        *(SRC / "nlp").glob("*.py"),
        *(SRC / "checks" / name for name in ("_context.py", "_labels.py", "_textdates.py")),
        *(SRC / "checks").glob("_smart*.py"),
        *(SRC / "checks" / name for name in ("_linkwords.py", "_judgement.py")),
    ]
)
MAX_LINES = 500


def _module(path: Path) -> str:
    return ".".join(path.relative_to(SRC.parent).with_suffix("").parts).removesuffix(".__init__")


def _imports_at_load(path: Path) -> set[str]:
    """The notereview modules a module imports when it loads: top-level imports, not those
    under ``if TYPE_CHECKING:`` or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m.startswith("notereview.")}


def test_the_reader_knows_its_modules():
    names = {p.name for p in READER}
    assert {"_context.py", "_context_rules.py", "_mentions.py", "_labels.py"} <= names


@pytest.mark.parametrize("path", READER, ids=lambda p: _module(p))
def test_no_reader_module_is_above_500_lines(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_module(path)} has {lines} lines"


def test_the_reader_modules_import_one_another_without_a_cycle():
    modules = {_module(p): p for p in READER}
    graph = {m: _imports_at_load(p) & modules.keys() for m, p in modules.items()}
    done: set[str] = set()

    def visit(m: str, path: tuple[str, ...]) -> None:
        if m in path:
            raise AssertionError("import cycle: " + " -> ".join((*path[path.index(m) :], m)))
        if m in done:
            return
        for n in sorted(graph[m]):
            visit(n, (*path, m))
        done.add(m)

    for m in sorted(graph):
        visit(m, ())


def test_a_planted_cycle_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The walk above can fail: two modules that import each other are a cycle."""
    pkg = tmp_path / "notereview" / "nlp"
    pkg.mkdir(parents=True)
    (pkg / "_a.py").write_text("from notereview.nlp._b import x\n", encoding="utf-8")
    (pkg / "_b.py").write_text("from notereview.nlp import _a\nx = 1\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "SRC", tmp_path / "notereview")
    monkeypatch.setitem(globals(), "READER", sorted(pkg.glob("*.py")))
    with pytest.raises(AssertionError, match="import cycle"):
        test_the_reader_modules_import_one_another_without_a_cycle()
