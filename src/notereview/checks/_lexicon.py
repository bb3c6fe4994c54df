"""The checks' own lexicons (lexicon.yaml), validated and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from notereview.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiles(values: list[str]) -> list[str]:
    for v in values:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"pattern {v!r} does not compile: {exc}") from None
    return values


_PHRASE = re.compile(r"^[a-z0-9][a-z0-9' -]*[a-z0-9]$|^[a-z]$")


def _phrases(values: list[str]) -> list[str]:
    """Plain lower-case words or phrases (the code escapes them), each listed once."""
    seen: set[str] = set()
    for v in values:
        if not _PHRASE.match(v):
            raise ValueError(f"{v!r} is not a lower-case word or phrase")
        if v in seen:
            raise ValueError(f"{v!r} is listed twice")
        seen.add(v)
    return values


class SmartSpec(_Strict):
    """Who does what, how we will know (notereview.checks._smart reads it)."""

    owner_roles: list[str]
    collective_owners: list[str]
    not_people: list[str]
    concrete_verbs: list[str]
    activity_verbs: list[str]
    light_verbs: list[str]
    act_nouns: list[str]
    process_verbs: list[str]
    vague_verbs: list[str]
    outcome_verbs: list[str]
    state_verbs: list[str]
    helping_verbs: list[str]
    irregular_participles: dict[str, str]
    counts: list[str]
    measures: list[str]
    hedges: list[str]
    min_words: int = Field(ge=1, le=20)

    _words = field_validator(
        "owner_roles",
        "collective_owners",
        "not_people",
        "concrete_verbs",
        "activity_verbs",
        "light_verbs",
        "act_nouns",
        "process_verbs",
        "vague_verbs",
        "outcome_verbs",
        "state_verbs",
        "helping_verbs",
        "hedges",
    )(_phrases)
    _check = field_validator("counts", "measures")(_compiles)

    @model_validator(mode="after")
    def _verb_classes_disjoint(self) -> SmartSpec:
        classes = {
            "concrete_verbs": self.concrete_verbs,
            "light_verbs": self.light_verbs,
            "process_verbs": self.process_verbs,
            "vague_verbs": self.vague_verbs,
        }
        owner: dict[str, str] = {}
        for name, verbs in classes.items():
            for v in verbs:
                if v in owner:
                    raise ValueError(f"verb {v!r} is in both {owner[v]} and {name}")
                owner[v] = name
        for subset, within in (
            ("activity_verbs", "concrete_verbs"),
            ("outcome_verbs", "vague_verbs"),
        ):
            unknown = sorted(set(getattr(self, subset)) - set(getattr(self, within)))
            if unknown:
                raise ValueError(f"{subset} must be {within} too: {unknown}")
        return self


class NetworkSpec(_Strict):
    discussion: list[str]
    meetings: list[str]

    _check = field_validator("discussion", "meetings")(_compiles)


class LexiconSpec(_Strict):
    version: str
    smart: SmartSpec
    observed_facts: list[str]
    worry_statement: list[str]
    explicit_plan_link: list[str]
    visit_purpose: list[str]
    network_discussion: NetworkSpec
    generic_wishes: list[str]
    non_verbal: list[str]
    communicates_by: list[str]

    _check = field_validator(
        "observed_facts",
        "worry_statement",
        "explicit_plan_link",
        "visit_purpose",
        "generic_wishes",
        "non_verbal",
        "communicates_by",
    )(_compiles)


@dataclass(frozen=True)
class Lexicon:
    version: str
    smart: SmartSpec  # compiled where it is read (notereview.checks._smart)
    observed_facts: re.Pattern[str]
    worry_statement: re.Pattern[str]
    explicit_plan_link: re.Pattern[str]
    visit_purpose: re.Pattern[str]
    discussion: re.Pattern[str]
    network_meeting: re.Pattern[str]
    generic_wishes: re.Pattern[str]
    non_verbal: re.Pattern[str]
    communicates_by: re.Pattern[str]


def _any(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = resources.files("notereview.checks").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    try:
        spec = LexiconSpec.model_validate(yaml.safe_load(raw))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"checks/lexicon.yaml does not validate: {exc}") from None
    flags = re.IGNORECASE
    return Lexicon(
        version=spec.version,
        smart=spec.smart,
        observed_facts=re.compile(_any(spec.observed_facts), flags),
        worry_statement=re.compile(_any(spec.worry_statement), flags),
        explicit_plan_link=re.compile(_any(spec.explicit_plan_link), flags),
        visit_purpose=re.compile(_any(spec.visit_purpose), flags | re.MULTILINE),
        discussion=re.compile(_any(spec.network_discussion.discussion), flags),
        network_meeting=re.compile(_any(spec.network_discussion.meetings), flags),
        generic_wishes=re.compile(_any(spec.generic_wishes), flags),
        non_verbal=re.compile(_any(spec.non_verbal), flags),
        communicates_by=re.compile(_any(spec.communicates_by), flags),
    )
