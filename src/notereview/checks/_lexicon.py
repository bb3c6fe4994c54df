"""The checks' own lexicons (lexicon.yaml), validated and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

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


class SmartSpec(_Strict):
    owner_roles: list[str]
    vague_verbs: list[str]
    action_lead: str
    completion_verbs: list[str]
    imperative_verbs: list[str]
    measures: list[str]

    _check = field_validator("owner_roles", "measures")(_compiles)


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

    _check = field_validator(
        "observed_facts",
        "worry_statement",
        "explicit_plan_link",
        "visit_purpose",
        "generic_wishes",
        "non_verbal",
    )(_compiles)


@dataclass(frozen=True)
class Lexicon:
    version: str
    owner: re.Pattern[str]
    action: re.Pattern[str]
    vague_verbs: frozenset[str]
    completion_verbs: frozenset[str]
    imperative: re.Pattern[str]
    measure: re.Pattern[str]
    observed_facts: re.Pattern[str]
    worry_statement: re.Pattern[str]
    explicit_plan_link: re.Pattern[str]
    visit_purpose: re.Pattern[str]
    discussion: re.Pattern[str]
    network_meeting: re.Pattern[str]
    generic_wishes: re.Pattern[str]
    non_verbal: re.Pattern[str]


def _any(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = resources.files("notereview.checks").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    try:
        spec = LexiconSpec.model_validate(yaml.safe_load(raw))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"checks/lexicon.yaml does not validate: {exc}") from None
    s = spec.smart
    flags = re.IGNORECASE
    return Lexicon(
        version=spec.version,
        # An owner is the subject at the start of the action: "<owner> to/will ...".
        owner=re.compile(
            rf"^\s*(?:{_any(s.owner_roles)}|(?-i:[A-Z][a-z]+)(?:\s+\((?-i:[A-Z][a-z]+)\))?)"
            rf"(?:\s+and\s+(?:{_any(s.owner_roles)}|(?-i:[A-Z][a-z]+)))?"
            rf"\s+(?:to|will|shall|must|is\s+to|are\s+to)\b",
            flags,
        ),
        # The action: a lead word, an optional "be"/"not", and the verb.
        action=re.compile(
            rf"\b{s.action_lead}\s+(?P<neg>not\s+)?(?:be\s+)?(?P<verb>[a-z]+)"
            rf"|^\s*by\s+(?P<gerund>[a-z]+ing)\b",
            flags,
        ),
        vague_verbs=frozenset(v.lower() for v in s.vague_verbs),
        completion_verbs=frozenset(v.lower() for v in s.completion_verbs),
        imperative=re.compile(
            r"^\s*(?P<verb>"
            + "|".join(
                re.escape(v)
                for v in sorted({*s.imperative_verbs, *s.completion_verbs}, key=len, reverse=True)
            )
            + r")\b",
            flags,
        ),
        measure=re.compile(rf"\b(?:{_any(s.measures)})", flags),
        observed_facts=re.compile(_any(spec.observed_facts), flags),
        worry_statement=re.compile(_any(spec.worry_statement), flags),
        explicit_plan_link=re.compile(_any(spec.explicit_plan_link), flags),
        visit_purpose=re.compile(_any(spec.visit_purpose), flags | re.MULTILINE),
        discussion=re.compile(_any(spec.network_discussion.discussion), flags),
        network_meeting=re.compile(_any(spec.network_discussion.meetings), flags),
        generic_wishes=re.compile(_any(spec.generic_wishes), flags),
        non_verbal=re.compile(_any(spec.non_verbal), flags),
    )
