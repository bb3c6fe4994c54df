"""The built-in checks, registered by importing their modules, and look-up by registered name.

Apart from ``_registry`` so that the check modules, which register themselves there, and the
list of them do not import each other.
"""

from __future__ import annotations

from notereview.checks import (  # noqa: F401  (imported to register their checks)
    case_summary,
    chronology,
    genogram,
    oversight,
    plans,
    visits,
    voice,
)
from notereview.checks._registry import _REGISTRY
from notereview.errors import ConfigError


def registered() -> dict[str, type]:
    """Every registered check type by name."""
    return dict(sorted(_REGISTRY.items()))


def get_check_type(name: str) -> type:
    types = registered()
    if name not in types:
        raise ConfigError(
            f"the rubric names check {name!r}, which is not registered; "
            f"registered checks: {', '.join(types)}"
        )
    return types[name]
