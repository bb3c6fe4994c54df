"""Names a package exports but imports only when first used (PEP 562), so that importing the
package stays cheap: ``__getattr__ = lazy_getattr(__name__, EXPORTS, globals())``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_getattr(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__``: ``exports`` maps each name to the module that defines it (a
    submodule's name, or a full ``notereview.…`` name); the value, once imported, is kept in
    ``namespace`` so the next lookup is an ordinary one."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        full = module if module.startswith("notereview.") else f"{package}.{module}"
        value = getattr(import_module(full), name)
        namespace[name] = value
        return value

    return __getattr__
