"""The shape of the source tree: no import cycles, no module above 500 lines.

Read from the source with ``ast`` (nothing is imported), over both packages under ``src/``:
``notereview`` and the web service ``notereview_api``. Every import counts, including one inside
a function (a deferred import still ties the two modules together), except those under
``if TYPE_CHECKING:``, which never run. ``from pkg import name`` is an edge to ``pkg.name`` where
that is a module, otherwise to ``pkg``; a parent package's ``__init__`` is not an edge of its own.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGES = ("notereview", "notereview_api")
MAX_LINES = 500

#: Modules that are the synthetic generator's data, not logic, and may be long: none today
#: (its tables live in YAML under synth/data and in synth/_case_data.py, 86 lines). An entry
#: says why the module is data.
DATA_MODULES: dict[str, str] = {}

#: Modules exempt from the checks while they are being restructured elsewhere: none.
IN_PROGRESS_ELSEWHERE: tuple[str, ...] = ()
KNOWN_CYCLES_ELSEWHERE: tuple[tuple[str, ...], ...] = ()
KNOWN_LONG_ELSEWHERE: dict[str, int] = {}


def _in_progress(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in IN_PROGRESS_ELSEWHERE)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((SRC / package).rglob("*.py")):
            parts = path.relative_to(SRC).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for statement in child.orelse:
                yield from _import_nodes(ast.Module(body=[statement], type_ignores=[]))
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _import_nodes(child)


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is or lies inside."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ``modules`` that ``module`` imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in _import_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(o for a in node.names if (o := _owner(a.name, modules)))
            continue
        if node.level:
            base = package[: len(package) - (node.level - 1)]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            owner = submodule if submodule in modules else _owner(target, modules)
            if owner:
                found.add(owner)
    found.discard(module)
    return found


def import_graph(skip: tuple[str, ...] = ()) -> dict[str, set[str]]:
    modules = _modules()
    kept = {m: p for m, p in modules.items() if m not in skip}
    return {m: imports_of(m, p, modules) & kept.keys() for m, p in kept.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(root: str) -> None:
        # iterative Tarjan: (node, iterator over its edges)
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_one_cycle(graph, c) for c in components]


def _one_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module, as a path that returns to it."""
    start = min(component)
    paths: dict[str, list[str]] = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    return [*paths[node], start]
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle in the strongly connected component {sorted(component)}")


def line_counts(skip: tuple[str, ...] = ()) -> dict[str, int]:
    return {
        m: len(p.read_text(encoding="utf-8").splitlines())
        for m, p in _modules().items()
        if m not in skip
    }


def test_no_import_cycles():
    skip = tuple(m for m in _modules() if _in_progress(m))
    found = [c for c in cycles(import_graph(skip)) if tuple(c) not in KNOWN_CYCLES_ELSEWHERE]
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_no_module_above_the_limit():
    skip = tuple(m for m in _modules() if _in_progress(m) or m in DATA_MODULES)
    too_long = {
        m: n
        for m, n in line_counts(skip).items()
        if n > max(MAX_LINES, KNOWN_LONG_ELSEWHERE.get(m, 0))
    }
    assert not too_long, f"modules above {MAX_LINES} lines: {too_long}"


def test_the_allow_list_names_only_real_long_modules():
    counts = line_counts()
    for module in DATA_MODULES:
        assert module in counts, f"{module} is on the data allow-list but does not exist"
        assert counts[module] > MAX_LINES, f"{module} is short now: take it off the allow-list"


# The walker itself, on small trees written here.


@pytest.fixture
def tree(tmp_path, monkeypatch):
    def write(files: dict[str, str]) -> None:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")

    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    return write


def test_the_walker_finds_a_deferred_cycle_and_names_it(tree):
    tree(
        {
            "notereview/__init__.py": "",
            "notereview/a.py": "from notereview.b import f\n",
            "notereview/b.py": "def f():\n    from notereview import c\n",
            "notereview/c.py": "from . import a\n",
            "notereview_api/__init__.py": "import notereview.a\n",
        }
    )
    assert cycles(import_graph()) == [
        ["notereview.a", "notereview.b", "notereview.c", "notereview.a"]
    ]


def test_the_walker_ignores_type_checking_imports_and_packages(tree):
    tree(
        {
            "notereview/__init__.py": "from notereview.sub.x import X\n",
            "notereview/sub/__init__.py": "",
            "notereview/sub/x.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from notereview.sub.y import Y\n"
                "X = 1\n"
            ),
            "notereview/sub/y.py": "from notereview.sub.x import X\n",
            "notereview_api/__init__.py": "",
        }
    )
    graph = import_graph()
    assert graph["notereview"] == {"notereview.sub.x"}
    assert graph["notereview.sub.x"] == set()
    assert cycles(graph) == []
