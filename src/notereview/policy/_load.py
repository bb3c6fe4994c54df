"""Loading the policy: England defaults, deep-merged with an optional council override."""

from __future__ import annotations

import copy
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from notereview.errors import ConfigError
from notereview.policy._schema import UNITS, Interval, Policy

DEFAULT_POLICY_RESOURCE = "england.yaml"


def _read_yaml_text(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(
            f"policy file {where} is not valid YAML{at}; fix the syntax and run again"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"policy file {where} must hold a mapping of keys to values at the top level, "
            f"not a {type(data).__name__}"
        )
    return data


def _default_policy_data() -> dict[str, Any]:
    text = resources.files("notereview.policy").joinpath(DEFAULT_POLICY_RESOURCE).read_text("utf-8")
    return _read_yaml_text(text, f"notereview/policy/{DEFAULT_POLICY_RESOURCE}")


def _is_interval(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(k in UNITS for k in value)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: mappings merge key by key; anything else (and an interval,
    which is replaced whole so that ``{weeks: 3}`` can replace ``{working_days: 10}``) replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict) and not _is_interval(value):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _unwrap(annotation: Any) -> Any:
    """The model class inside ``X | None`` / ``Optional[X]``, else the annotation itself."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return annotation


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the key at ``loc`` (for listing the allowed keys)."""
    model: Any = Policy
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _explain(error: Any) -> str:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    key = ".".join(str(p) for p in loc) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent is not None else "see england.yaml"
        return f"{key}: unknown key; allowed keys here: {allowed}"
    if kind == "missing":
        return f"{key}: required key is missing"
    msg = str(error["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if _model_at(loc) is Interval and "allowed" not in msg:
        msg += f"; allowed: exactly one of {', '.join(UNITS)}"
    # the offending input is never echoed: a policy holds no case data, but keep the habit
    return f"{key}: {msg}"


def validate_policy(data: dict[str, Any], where: str) -> Policy:
    """Validate merged policy data, translating pydantic's errors into one ConfigError."""
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_explain(e) for e in exc.errors())
        raise ConfigError(f"policy {where} does not validate: {problems}") from None


def _resolve_calendar_file(data: dict[str, Any], folder: Path) -> None:
    calendar = data.get("calendar")
    if isinstance(calendar, dict):
        file = calendar.get("bank_holidays_file")
        if isinstance(file, str) and file:
            path = Path(file).expanduser()
            calendar["bank_holidays_file"] = str(path if path.is_absolute() else folder / path)


def load_policy(path: str | Path | None = None) -> Policy:
    """The England default policy, with the council file at ``path`` (if given) deep-merged
    over it. A council file states only what differs from the defaults.

    Raises :class:`notereview.errors.ConfigError` when the file cannot be read or the merged
    policy does not validate; the message names each bad key and what is allowed there.
    """
    data = _default_policy_data()
    where = "England defaults"
    if path is not None:
        council_path = Path(path)
        try:
            text = council_path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"cannot read policy file {council_path} ({exc.strerror or type(exc).__name__}); "
                "check the path given to --policy"
            ) from None
        council = _read_yaml_text(text, str(council_path))
        _resolve_calendar_file(council, council_path.resolve().parent)
        data = deep_merge(data, council)
        where = f"England defaults + {council_path}"
    policy = validate_policy(data, where)
    holidays_file = policy.calendar.bank_holidays_file
    if holidays_file is not None and not Path(holidays_file).is_file():
        raise ConfigError(
            f"policy {where} does not validate: calendar.bank_holidays_file: no such file "
            f"{holidays_file}; allowed: a gov.uk bank-holidays JSON file (relative paths are "
            "read from the policy file's folder) or null"
        )
    return policy
