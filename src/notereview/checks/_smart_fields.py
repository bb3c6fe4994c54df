"""The schema and loader of ``smart_fields.yaml``: the junk owner values, the default-date
rules and the timescale words that :mod:`notereview.checks._smart` reads plan actions with.

Kept apart from ``_smart`` because that module is compiled (``notereview._compiled``) and
pydantic models cannot be compiled classes.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from notereview.checks._lexicon import _compiles
from notereview.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _lower(values: list[str]) -> list[str]:
    for v in values:
        if not v or v != v.strip().lower():
            raise ValueError(f"{v!r} must be lower case, without surrounding spaces")
    return values


class JunkOwnersSpec(_Strict):
    placeholders: list[str]
    collective: list[str]
    system_roles: list[str]
    time_words: list[str]
    separators_pattern: str

    _words = field_validator("placeholders", "collective", "system_roles", "time_words")(_lower)

    @field_validator("separators_pattern")
    @classmethod
    def _sep_compiles(cls, v: str) -> str:
        _compiles([v])
        return v


class DefaultDatesSpec(_Strict):
    year_end: bool
    year_start: bool
    far_future_years: int | None = Field(default=None, ge=1, le=100)
    on_or_before_plan_start: bool


class TimescalesSpec(_Strict):
    markers: list[str]
    start_markers: list[str]
    periods: list[str]
    review_points: list[str]
    units: list[str]
    number_words: dict[str, int]
    frequency_patterns: list[str]
    milestone_patterns: list[str]
    past_markers: list[str]
    past_markers_adjacent: list[str]

    _words = field_validator(
        "markers",
        "start_markers",
        "periods",
        "review_points",
        "units",
        "past_markers",
        "past_markers_adjacent",
    )(_lower)
    _patterns = field_validator("frequency_patterns", "milestone_patterns")(_compiles)


class SmartFieldsSpec(_Strict):
    version: str
    junk_owners: JunkOwnersSpec
    default_dates: DefaultDatesSpec
    timescales: TimescalesSpec


@lru_cache(maxsize=1)
def smart_fields() -> SmartFieldsSpec:
    raw = (
        resources.files("notereview.checks")
        .joinpath("smart_fields.yaml")
        .read_text(encoding="utf-8")
    )
    try:
        return SmartFieldsSpec.model_validate(yaml.safe_load(raw))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"checks/smart_fields.yaml does not validate: {exc}") from None
