"""The batch path's modules import one another one way: no cycle, counting the imports inside
functions too (``batch.py`` and ``_batch_engine.py`` imported each other that way), and none
of them above about 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import notereview

SRC = Path(notereview.__file__).resolve().parent
#: The batch path: its package, its engines, the ingest and the store's run tables.
PACKAGES = ("batch", "engines", "extract")
MODULES = ("store._runs", "store._run_views", "store.models", "store._scored", "_spreadsheet")
MAX_LINES = 500
#: Modules of the path that another change owns (the readers and the row rules).
NOT_OURS = frozenset({"notereview.extract._readers", "notereview.extract._validate"})


def _name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(("notereview", *parts))


def _checked() -> dict[str, Path]:
    files = [f for p in PACKAGES for f in sorted((SRC / p).glob("*.py"))]
    files += [SRC / (m.replace(".", "/") + ".py") for m in MODULES]
    return {_name(f): f for f in files}


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name | ast.Attribute) and "TYPE_CHECKING" in ast.unparse(
        node.test
    )


def _imports(path: Path, known: set[str]) -> set[str]:
    """The notereview modules a file imports anywhere (but under ``if TYPE_CHECKING``)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.add(child.module)
                found.update(f"{child.module}.{a.name}" for a in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in known}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (module -> the modules it imports), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := walk(name)) is not None:
            return found
    return None


def test_the_walk_finds_a_cycle_through_a_lazy_import(tmp_path: Path) -> None:
    # batch.py imported _batch_engine inside a function, and _batch_engine imported batch.py
    (tmp_path / "a.py").write_text("def f():\n    from notereview.b import g\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("from notereview.a import f\n", encoding="utf-8")
    known = {"notereview.a", "notereview.b"}
    graph = {f"notereview.{m}": _imports(tmp_path / f"{m}.py", known) for m in "ab"}
    assert _cycle(graph) == ["notereview.a", "notereview.b", "notereview.a"]


def test_no_import_cycles_in_the_batch_path() -> None:
    modules = _checked()
    known = set(modules)
    graph = {
        name: {m for m in _imports(path, known) if not name.startswith(m + ".") and m != name}
        for name, path in modules.items()
    }  # a module's own packages are not a cycle: Python imports them first
    assert "notereview.batch._run" in graph  # the walk sees the package
    assert _cycle(graph) is None


def test_no_module_of_the_batch_path_is_above_500_lines() -> None:
    long = {
        name: n
        for name, path in _checked().items()
        if name not in NOT_OURS
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
