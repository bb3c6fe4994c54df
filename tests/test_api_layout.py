"""The web service's layout: no import cycles among its modules, no module above about 500
lines, routes and pages go through the service layer (no page imports a route, no route
imports another), and every JSON route declares its response model."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import notereview_api

PACKAGE = Path(notereview_api.__file__).resolve().parent
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """module -> the notereview_api modules it imports (at any level of its body)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found.update(t for t in targets if t in modules and t != name)
        graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles() -> None:
    graph = _imports()
    # a package importing its own submodules (its curated names) is not a cycle
    acyclic = {
        name: {t for t in targets if not t.startswith(name + ".")}
        for name, targets in graph.items()
    }
    assert _cycle(acyclic) is None
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]  # the walk finds one


def test_no_module_is_too_long() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_pages_and_routes_share_the_service_layer() -> None:
    graph = _imports()
    for name, targets in graph.items():
        if name.startswith("notereview_api.pages"):
            assert not {t for t in targets if t.startswith("notereview_api.routes")}, name
        if name.startswith("notereview_api.routes."):
            assert not {t for t in targets if t.startswith("notereview_api.routes.")}, name
        if name.startswith("notereview_api.services"):
            forbidden = ("notereview_api.routes", "notereview_api.pages")
            assert not {t for t in targets if t.startswith(forbidden)}, name


def test_every_json_route_declares_its_response(client_factory: Any) -> None:
    from fastapi.routing import APIRoute

    app = client_factory().app
    json_routes = [r for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema]
    assert len(json_routes) >= 15
    for route in json_routes:
        if route.status_code == 204:
            continue
        assert route.response_model is not None, route.path


pytest_plugins = ["api_fixtures"]
