"""The generator's data files (styles, content pools, record templates), validated with pydantic.

Loaded on first use and cached; nothing is read at import time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from notereview.errors import ConfigError

SLOTS: tuple[str, ...] = (
    "open",
    "purpose",
    "seen",
    "home",
    "child",
    "voice",
    "events",
    "analysis",
    "network",
    "next",
    "close",
)
#: Every component a style must phrase, and the slot it goes in.
COMPONENT_SLOTS: dict[str, str] = {
    "open": "open",
    "purpose_plan": "purpose",
    "purpose_generic": "purpose",
    "seen_alone": "seen",
    "seen_with": "seen",
    "not_seen": "seen",
    "home_desc": "home",
    "home_opinion": "home",
    "nonverbal": "child",
    "voice_direct": "voice",
    "voice_direct_wf": "voice",
    "voice_reported": "voice",
    "voice_reported_wf": "voice",
    "voice_interpreter": "voice",
    "voice_makaton": "voice",
    "voice_app": "voice",
    "obs_specific": "voice",
    "attempt": "voice",
    "neg_parent": "voice",
    "neg_other_child": "voice",
    "neg_professional": "voice",
    "neg_hypothetical": "voice",
    "neg_history": "voice",
    "neg_name_object": "voice",
    "neg_stock": "voice",
    "neg_greeting": "voice",
    "event": "events",
    "analysis": "analysis",
    "network": "network",
    "next_steps": "next",
    "close": "close",
    # optional: a style may phrase these; otherwise phenomena.yaml's shared phrasings are used
    "voice_bsl": "voice",
    "voice_pecs": "voice",
    "voice_eyegaze": "voice",
    "voice_text": "voice",
    "voice_relay": "voice",
    "attempt_remote": "voice",
    "neg_emoji": "voice",
    "neg_carer_view": "voice",
    "neg_parent_interprets": "voice",
    "neg_parent_reads": "voice",
    "obs_babble": "voice",
    "old_words": "voice",
    "purpose_decision": "purpose",
    "multi_voice": "voice",
}
#: Components a style may leave out (phenomena.yaml ``components`` phrases them for all).
OPTIONAL_COMPONENTS: frozenset[str] = frozenset(
    {
        "voice_bsl",
        "voice_pecs",
        "voice_eyegaze",
        "voice_text",
        "voice_relay",
        "attempt_remote",
        "neg_emoji",
        "neg_carer_view",
        "neg_parent_interprets",
        "neg_parent_reads",
        "obs_babble",
        "old_words",
        "purpose_decision",
    }
)
#: Built by the generator from several speakers' lines, never phrased by a data file.
BUILT_COMPONENTS: frozenset[str] = frozenset({"multi_voice"})
#: The forms a file may use for the child's name (phenomena.yaml ``names.habits``).
NAME_FORMS: tuple[str, ...] = (
    "registered",
    "nickname",
    "intro",
    "initial",
    "initials",
    "lower",
    "variant",
)

_KEEP_CAPITAL = re.compile(r"^(\{|I\b|I'|Mum|Dad|Nan|Grandad|Mr|Mrs|Ms|Dr|A&E|CAMHS|SW|PA|TM|IRO)")


@lru_cache(maxsize=8192)
def lower_first(template: str) -> str:
    """The template with its first letter lowered, unless it starts with a name or "I"."""
    if not template or _KEEP_CAPITAL.match(template):
        return template
    return template[0].lower() + template[1:]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StyleDef(_Strict):
    description: str
    layout: Literal["prose", "bullets", "headings", "diary"]
    paragraphs: list[list[str]] | None = None
    sections: list[tuple[str, list[str]]] | None = None
    bullet: str = "- "
    joiner: str = " "
    empty_section: str = ""
    abbreviate: bool = False
    typo_rate: float = 0.0
    dictation: bool = False
    filler: bool = False
    components: dict[str, list[str]]

    @field_validator("components")
    @classmethod
    def _all_components(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        required = set(COMPONENT_SLOTS) - OPTIONAL_COMPONENTS - BUILT_COMPONENTS
        missing = sorted(required - set(value))
        extra = sorted(set(value) - (set(COMPONENT_SLOTS) - BUILT_COMPONENTS))
        if missing or extra:
            raise ValueError(f"components missing {missing} or unknown {extra}")
        empty = [k for k, v in value.items() if not v]
        if empty:
            raise ValueError(f"components with no phrasing: {empty}")
        return value


class StylesFile(_Strict):
    styles: dict[str, StyleDef]


class Quote(_Strict):
    d: str
    r: str
    wf: bool
    topic: str | None = None


class Reason(_Strict):
    text: str
    refused: bool


class ParentItem(_Strict):
    q: str
    r: str


class ContentFile(_Strict):
    child_names: list[str]
    adult_female: list[str]
    adult_male: list[str]
    surnames: list[str]
    languages: list[str]
    rooms: list[str]
    makaton_signs: list[str]
    app_words: list[str]
    stock: list[str]
    not_seen_reasons: list[Reason]
    not_seen_reasons_baby: list[Reason]
    quotes: dict[Literal["young", "middle", "teen", "adult"], list[Quote]]
    parent_items: list[ParentItem]
    sibling_items: list[str]
    prof_accounts: list[str]
    hypotheticals: list[str]
    history_items: list[str]
    home: dict[Literal["family", "foster", "independent"], list[str]]
    opinions: list[str]
    obs_specific: dict[Literal["baby", "nonverbal"], list[str]]
    stock_baby: list[str]
    analysis_generic: list[str]
    network: list[str]
    next: list[str]
    events: dict[str, list[str]]


class TeamDef(_Strict):
    name: str
    statuses: dict[Literal["CIN", "CP", "LAC", "PF", "CL"], float]
    workers: tuple[int, int]


class TopicDef(_Strict):
    statuses: list[Literal["CIN", "CP", "LAC", "PF", "CL"]]
    owner: str
    specific: list[str]
    measure: list[str]
    monitor: list[str]
    vague: list[str]
    purpose: list[str]
    #: the plan meeting's decision behind the action, in other words than the action's own
    decision: list[str]
    noun: list[str]
    worry: list[str]
    strength: list[str]
    analysis: list[str]
    wish: list[str]
    observed: list[str] = []


class SummaryDef(_Strict):
    background: dict[str, list[str]]
    worries_head: list[str]
    strengths_head: list[str]
    plan_head: list[str]
    contingency: list[str]
    voice_generic: list[str]
    voice_direct: list[str]
    voice_reported: list[str]
    voice_observation: list[str]
    shaped: list[str]
    plan_change: list[str]
    filler: list[str]


class ChronTypeDef(_Strict):
    text: list[str]
    sources: list[str]


class ChronologyDef(_Strict):
    significant: dict[str, ChronTypeDef]
    routine: dict[str, ChronTypeDef]
    impact: list[str]
    impact_in_text: list[str]
    # What a worker types in the impact column that says nothing of the impact on the child: a
    # placeholder or a word or two (H3 does not count it).
    impact_placeholder: list[str] = []
    # Significant events in a worker's own words, and the generic event_type labels such an
    # entry carries ("" = none): only with generate(chronology_retold=...), held-out use.
    retold: dict[str, list[str]] = {}
    retold_codes: list[str] = []


class SupervisionDef(_Strict):
    # Actions with an owner but no timescale (M3 judges action by action).
    actions_untimed: list[str] = []
    reflective: list[str]
    list: list[str]
    actions_owned: list[str]
    actions_unowned: list[str]


class GenogramDef(_Strict):
    notes_network: list[str]
    notes_plain: list[str]
    # Drawn with one parent only: a discussion, but not with the child or the wider family (G3).
    notes_one_person: list[str] = []


class RecordsFile(_Strict):
    teams: list[TeamDef]
    plan_types: dict[str, str]
    plan_names: dict[str, str]
    topics: dict[str, TopicDef]
    owners: dict[str, list[str]]
    summary: SummaryDef
    chronology: ChronologyDef
    supervision: SupervisionDef
    genogram: GenogramDef


class NamesDef(_Strict):
    nicknames: dict[str, list[str]]
    spellings: dict[str, list[str]]
    habits: dict[str, dict[str, float]]

    @field_validator("habits")
    @classmethod
    def _known_forms(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        if "default" not in value:
            raise ValueError("habits need a 'default' entry")
        for style, weights in value.items():
            if set(weights) != set(NAME_FORMS):
                raise ValueError(f"habits.{style} must weigh exactly {list(NAME_FORMS)}")
            if any(w < 0 for w in weights.values()) or not sum(weights.values()):
                raise ValueError(f"habits.{style} needs non-negative weights, not all 0")
        return value


class Message(_Strict):
    d: str
    topic: str
    wf: bool


class PoolsDef(_Strict):
    bsl_signs: list[str]
    pecs_strips: list[str]
    eyegaze_choices: list[str]
    messages: list[Message]
    emoji: list[str]
    babble: list[str]
    carer_views: list[str]
    parent_speech: list[str]
    say_verbs: list[str]
    carer_lines: list[str]
    worker_present: list[str]
    worker_lines: list[str]
    analysis_plain: list[str]
    pseudo_analysis: list[str]
    attempt_more: list[str]
    more_stock: list[str]
    no_concerns: list[str]
    forums: dict[Literal["CIN", "CP", "care", "pathway"], list[str]]
    junk_owners: list[str]
    junk_due: list[Literal["year_end", "year_start", "far_future", "plan_start"]]
    text_times: list[str]
    dictation: list[str]


class LetterDef(_Strict):
    open: list[str]
    visit: list[str]
    purpose_plan: list[str]
    purpose_decision: list[str]
    purpose_generic: list[str]
    seen_alone: list[str]
    seen_with: list[str]
    voice_direct: list[str]
    voice_reported: list[str]
    attempt: list[str]
    neg_parent: list[str]
    analysis: list[str]
    next: list[str]
    close: list[str]


class PhenomenaFile(_Strict):
    names: NamesDef
    components: dict[str, list[str]]
    pools: PoolsDef
    letter: LetterDef

    @field_validator("components")
    @classmethod
    def _optional_components(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if set(value) != OPTIONAL_COMPONENTS:
            raise ValueError(f"components must phrase exactly {sorted(OPTIONAL_COMPONENTS)}")
        if any(not v for v in value.values()):
            raise ValueError("every shared component needs at least one phrasing")
        return value


class MonitoringFile(_Strict):
    """monitoring.yaml: how the equality-monitoring fields of a generated child are drawn."""

    ethnicity: dict[str, float]
    interpreter_not: list[str]
    disabled_if_aided: float
    disabled_otherwise: float
    interpreter_told_me: list[str]

    @field_validator("ethnicity")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if not value or any(w < 0 for w in value.values()) or sum(value.values()) <= 0:
            raise ValueError("ethnicity needs categories with weights that are not negative")
        return value


M = TypeVar("M", bound=BaseModel)


def _load(name: str, model: type[M]) -> M:
    path = resources.files("notereview.synth") / "data" / name
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        return model.model_validate(raw)
    except FileNotFoundError as exc:
        raise ConfigError(f"synth data file {name} is missing; reinstall notereview") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"synth data file {name} does not validate: {exc}") from exc


@lru_cache(maxsize=1)
def styles_file() -> StylesFile:
    return _load("styles.yaml", StylesFile)


@lru_cache(maxsize=1)
def content_file() -> ContentFile:
    return _load("content.yaml", ContentFile)


@lru_cache(maxsize=1)
def phenomena_file() -> PhenomenaFile:
    return _load("phenomena.yaml", PhenomenaFile)


@lru_cache(maxsize=1)
def records_file() -> RecordsFile:
    return _load("records.yaml", RecordsFile)


@lru_cache(maxsize=1)
def monitoring_file() -> MonitoringFile:
    return _load("monitoring.yaml", MonitoringFile)
