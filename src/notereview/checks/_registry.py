"""A registry of versioned check types.

Each check type registers under a namespaced, versioned name (``"visits.interval@1"``); the
rubric YAML picks and configures them. A duplicate name is an error. Like spaCy's factories, a
registered type declares its parameters with defaults (a pydantic model), and constructing it
does no work beyond storing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from notereview.checks._context import ReviewContext
    from notereview.checks._finding import Finding


class CheckParams(BaseModel):
    """Parameters of a check type; subclasses add fields with defaults. Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@runtime_checkable
class Check(Protocol):
    """The narrow protocol: read an annotated case file, return one Finding for one criterion."""

    name: ClassVar[str]  # registered name with version, e.g. "visits.interval@1"
    criterion: ClassVar[str]
    theme: ClassVar[str]

    def __call__(self, ctx: ReviewContext) -> Finding: ...


_REGISTRY: dict[str, type] = {}

C = TypeVar("C", bound=type)


def register(name: str) -> Callable[[C], C]:
    """Class decorator: register a check type under ``name`` (``"family.check@version"``)."""
    if "@" not in name:
        raise ValueError(f"check name {name!r} needs a version: 'family.check@1'")

    def wrap(cls: C) -> C:
        if name in _REGISTRY:
            raise ValueError(f"check {name!r} is registered twice")
        cls.name = name  # type: ignore[attr-defined]
        _REGISTRY[name] = cls
        return cls

    return wrap


class BaseCheck:
    """Shared constructor: store validated parameters and nothing else."""

    name: ClassVar[str] = ""
    criterion: ClassVar[str] = ""
    theme: ClassVar[str] = ""
    Params: ClassVar[type[CheckParams]] = CheckParams

    def __init__(self, **params: object) -> None:
        self.params = self.Params(**params)
