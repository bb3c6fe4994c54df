"""The rubric file: which registered check judges each criterion, its parameters and weights."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from notereview.errors import ConfigError
from notereview.vocabulary import CRITERIA, THEMES, Grade


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BandSpec(_Strict):
    good: float = Field(ge=0, le=1)
    requires_improvement: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> BandSpec:
        if self.requires_improvement > self.good:
            raise ValueError("bands.requires_improvement must not exceed bands.good")
        return self


class ThemeSpec(_Strict):
    weight: float = Field(gt=0)
    title: str


class CriterionSpec(_Strict):
    theme: str
    title: str
    check: str
    #: What to add, in words a practice lead can act on, where one piece of writing does not
    #: meet the criterion (the exemplar checker's advice).
    advice: str = ""
    weight: float = Field(gt=0)
    params: dict[str, Any] = Field(default_factory=dict)


class RubricSpec(_Strict):
    version: str
    bands: BandSpec
    themes: dict[str, ThemeSpec]
    criteria: dict[str, CriterionSpec]
    # Learned models per label family (notereview.ml.FAMILIES): "name@version" or "rules".
    models: dict[str, str] = Field(default_factory=dict)
    # The rules path's learned judgement of a visit record (analysis, plan link):
    # "visit_judgement@<version>" (models/visit_judgement/<version>/), or "rules" for the
    # keyword cues alone.
    judgement: str = Field(default="rules", pattern=r"^(?:rules|visit_judgement@[\w.-]+)$")

    @model_validator(mode="after")
    def _complete(self) -> RubricSpec:
        unknown_themes = set(self.themes) - set(THEMES)
        if unknown_themes:
            raise ValueError(f"unknown themes {sorted(unknown_themes)}; allowed: {THEMES}")
        unknown = set(self.criteria) - set(CRITERIA)
        if unknown:
            raise ValueError(f"unknown criteria {sorted(unknown)}; allowed: {CRITERIA}")
        for cid, spec in self.criteria.items():
            if spec.theme not in self.themes:
                raise ValueError(f"criteria.{cid}.theme {spec.theme!r} is not in themes")
        return self


@dataclass(frozen=True)
class Rubric:
    spec: RubricSpec
    fingerprint: str

    @property
    def version(self) -> str:
        return self.spec.version

    @cached_property
    def checks(self) -> tuple[Any, ...]:
        """One configured check instance per criterion, in rubric order."""
        from notereview.checks._catalogue import get_check_type

        built = []
        for cid in CRITERIA:
            spec = self.spec.criteria.get(cid)
            if spec is None:
                continue
            check_type = get_check_type(spec.check)
            if check_type.criterion != cid:
                raise ConfigError(
                    f"rubric criteria.{cid}.check names {spec.check!r}, "
                    f"which judges {check_type.criterion}, not {cid}"
                )
            try:
                built.append(check_type(**spec.params))
            except ValidationError as exc:
                raise ConfigError(f"rubric criteria.{cid}.params: {_first_error(exc)}") from None
        return tuple(built)

    def criterion_weight(self, cid: str) -> float:
        return self.spec.criteria[cid].weight

    def theme_weight(self, theme: str) -> float:
        return self.spec.themes[theme].weight

    def title(self, cid: str) -> str:
        return self.spec.criteria[cid].title

    def advice(self, cid: str) -> str:
        return self.spec.criteria[cid].advice

    def band(self, score: float) -> Grade:
        if score >= self.spec.bands.good:
            return "good"
        if score >= self.spec.bands.requires_improvement:
            return "requires_improvement"
        return "inadequate"


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}"


def load_rubric(path: str | Path | None = None) -> Rubric:
    """Load and validate a rubric file (the shipped default when ``path`` is None)."""
    if path is None:
        raw = resources.files("notereview.checks").joinpath("rubric.yaml").read_bytes()
        label = "the default rubric"
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"rubric file {p} does not exist")
        raw = p.read_bytes()
        label = str(p)
    try:
        data = yaml.safe_load(raw)
        spec = RubricSpec.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label} is not valid YAML: {exc}") from None
    except ValidationError as exc:
        raise ConfigError(f"{label} does not validate: {_first_error(exc)}") from None
    rubric = Rubric(spec=spec, fingerprint=hashlib.sha256(raw).hexdigest())
    rubric.checks  # noqa: B018 - build and validate every check now, not mid-run
    return rubric
