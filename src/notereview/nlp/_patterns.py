"""The pattern files: schemas (pydantic, extra keys forbidden) and the loader.

A pattern directory holds
- ``cues_*.yaml``: lexicon cues (what the checks look for), one file per theme;
- ``context.yaml``: ConText-style qualifier rules (negated, hypothetical, historical, ...),
  terminators and pseudo-triggers;
- ``speakers.yaml``: who can be speaking (parents, carers, professionals, other children, the
  writer, pronouns) and a few grammar settings used to find a reporting verb's subject.

Every entry is either a word list (``terms``, matched on lower-cased tokens by a spaCy
PhraseMatcher) or a regular expression (``pattern``). A pattern with ``triggers`` is tried only
where one of its trigger words starts (so hundreds of patterns cost one PhraseMatcher pass);
a pattern without triggers joins the one combined regex that scans the whole text, so keep
those few (numbers, abbreviations with punctuation).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from notereview.errors import ConfigError
from notereview.nlp._model import QUALIFIERS, Qualifier
from notereview.vocabulary import SIGNIFICANT_EVENTS

#: The cue kinds a cue file may use (plus ``significant_event:<type>``).
CUE_KINDS: frozenset[str] = frozenset(
    {
        "wishes_feelings",
        "observation",
        "analysis",
        "plan_language",
        "safety_worry",
        "safety_strength",
        "safety_who_what_when",
        "safety_contingency",
        "network_discussion",
        "reflective",
        "action_owner",
        "timescale",
        "reporting_verb",
        "communication_aid",
        "non_verbal",
    }
)
#: Significant-event type codes (``significant_event:<code>``).
EVENT_TYPES: frozenset[str] = frozenset(SIGNIFICANT_EVENTS)
_ID = r"^[a-z0-9][a-z0-9_.\-]*$"
_NUMBERED_BACKREF = re.compile(r"\\[1-9]|\(\?P=")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID, max_length=80)
    terms: tuple[str, ...] = ()
    pattern: str | None = None
    triggers: tuple[str, ...] = ()
    case_sensitive: bool = False
    note: str | None = None

    @field_validator("terms", "triggers")
    @classmethod
    def _no_blank_terms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for term in value:
            if not term.strip():
                raise ValueError("terms and triggers must not be blank")
        return value

    @model_validator(mode="after")
    def _terms_or_pattern(self) -> _Entry:
        if bool(self.terms) == (self.pattern is not None):
            raise ValueError("give exactly one of 'terms' (a word list) or 'pattern' (a regex)")
        if self.triggers and self.pattern is None:
            raise ValueError("'triggers' only go with a 'pattern'")
        if self.pattern is not None:
            try:
                compiled = re.compile(self.pattern)
                re.compile(f"(?i:{self.pattern})")  # it must compose with other patterns
            except re.error as exc:
                raise ValueError(f"'pattern' is not a valid regular expression: {exc}") from None
            if compiled.groupindex or _NUMBERED_BACKREF.search(self.pattern):
                raise ValueError(
                    "'pattern' must not use named groups or back-references (patterns are "
                    "combined into one regex); use (?:...) groups"
                )
            if compiled.match("") is not None:
                raise ValueError("'pattern' matches empty text; make it require something")
        return self

    def flags(self) -> int:
        return 0 if self.case_sensitive else re.IGNORECASE


class CueEntry(_Entry):
    """One lexicon cue: what a check looks for."""

    kind: str
    #: The subject of this word (a view verb: wants, likes, is worried) gives their own view.
    voice_verb: bool = False
    #: A reporting verb that counts only where the text names a communication aid (showed,
    #: pointed to, signed): "using his talking mat Leo showed that ...".
    needs_aid: bool = False
    #: A reporting verb that reports only where words go with it (a quote, a colon, a
    #: that-clause): "screamed" alone is a sound the child made, not something said.
    needs_words: bool = False
    #: With ``voice_verb``: the subject is the possessive right before it ("Kai's view is",
    #: "her biggest worry"), never a person further back.
    possessive_subject: bool = False
    #: The pattern is matched right after a person (a role, the writer or the child):
    #: "SW to ...", "Mum will ...". The cue spans the person and the match.
    after_person: bool = False
    #: With ``after_person``: only where the person starts the sentence, line or bullet.
    clause_start: bool = False
    #: An observation that counts only where the child is in the sentence as a person (a name,
    #: he or she), not only as an owner ("his room"): things, not what the child does.
    child_acting: bool = False

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value in CUE_KINDS:
            return value
        prefix, _, code = value.partition(":")
        if prefix == "significant_event" and code in EVENT_TYPES:
            return value
        allowed = ", ".join(sorted(CUE_KINDS))
        events = ", ".join(sorted(EVENT_TYPES))
        raise ValueError(
            f"unknown cue kind; use one of {allowed}, or significant_event:<type> with a type "
            f"from {events}"
        )

    @model_validator(mode="after")
    def _after_person_rules(self) -> CueEntry:
        if self.after_person and (self.pattern is None or self.triggers):
            raise ValueError("an 'after_person' entry needs a 'pattern' and no 'triggers'")
        if self.clause_start and not self.after_person:
            raise ValueError("'clause_start' only goes with 'after_person'")
        if self.possessive_subject and not (self.voice_verb or self.kind == "reporting_verb"):
            raise ValueError("'possessive_subject' goes with 'voice_verb' or a reporting verb")
        if self.needs_words and self.kind != "reporting_verb":
            raise ValueError("'needs_words' goes with a reporting verb")
        if (self.voice_verb or self.needs_aid) and self.after_person:
            raise ValueError("'voice_verb'/'needs_aid' do not go with 'after_person'")
        return self


class ContextEntry(_Entry):
    """One ConText rule: a modifier (with qualifiers, a direction and a scope), a terminator
    (ends the scope of the modifiers it applies to) or a pseudo-trigger (a phrase that looks
    like a modifier but is not one: "not only")."""

    role: Literal["modifier", "terminate", "pseudo"] = "modifier"
    qualifiers: tuple[Qualifier, ...] = ()
    direction: Literal["forward", "backward", "bidirectional", "self"] = "forward"
    #: Scope limit in characters from the modifier (None: to the end of the sentence).
    max_scope: int | None = Field(default=None, ge=1, le=1000)
    #: For terminators and pseudo-triggers: the qualifiers or rule ids they affect (empty: all).
    applies_to: tuple[str, ...] = ()
    #: The modifier's first word is its head, not its target: "Kai asked me what ..." keeps
    #: Kai's own "asked" while what follows is the question.
    head_excluded: bool = False

    @model_validator(mode="after")
    def _role_fields(self) -> ContextEntry:
        if self.role == "modifier" and not self.qualifiers:
            raise ValueError("a modifier needs at least one qualifier")
        if self.role != "modifier" and self.qualifiers:
            raise ValueError("only a modifier has 'qualifiers'; use 'applies_to'")
        if self.role == "modifier" and self.applies_to:
            raise ValueError("'applies_to' is for terminators and pseudo-triggers")
        return self


class SpeakerEntry(_Entry):
    """Words that name a person who may speak: roles, the writer, pronouns."""

    role: Literal[
        "child", "parent_carer", "professional", "other_child", "other", "writer", "pronoun"
    ]
    #: F/M/unknown for people, neuter for institutions (school, police), plural for "they".
    gender: Literal["F", "M", "unknown", "neuter", "plural"] = "unknown"
    #: noun (a role word), or a pronoun's form: subject (he), object (him), possessive (his).
    form: Literal["noun", "subject", "object", "possessive"] = "noun"


class Grammar(BaseModel):
    """Small settings for finding who is the subject of a reporting verb."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: "Kai was told" is not Kai telling: these words before a reporting verb make it passive.
    passive_auxiliaries: tuple[str, ...]
    #: A person after one of these ("spoke to Mum", "about school") is not a subject.
    prepositions: tuple[str, ...]
    #: Words that may stand between a preposition and a person ("to his mum").
    determiners: tuple[str, ...]
    #: Adverbs skipped between a subject and its verb ("Kai was then told").
    adverbs: tuple[str, ...]
    #: Capitalised words next to a reporting verb that are not someone's name ("Then said").
    not_names: tuple[str, ...]
    subject_window: int = Field(default=80, ge=10, le=400)
    quote_window: int = Field(default=80, ge=10, le=400)
    antecedent_sentences: int = Field(default=2, ge=0, le=10)


class _FileHead(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(min_length=1)
    description: str | None = None


class CueFile(_FileHead):
    entries: tuple[CueEntry, ...] = Field(min_length=1)


class ContextFile(_FileHead):
    entries: tuple[ContextEntry, ...] = Field(min_length=1)


class SpeakerFile(_FileHead):
    grammar: Grammar
    entries: tuple[SpeakerEntry, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class PatternSet:
    """Everything loaded from one pattern directory, validated."""

    cues: tuple[CueEntry, ...]
    context: tuple[ContextEntry, ...]
    speakers: tuple[SpeakerEntry, ...]
    grammar: Grammar
    #: file name -> "version sha256:<hex>"
    file_versions: tuple[tuple[str, str], ...]

    def by_id(self) -> dict[str, CueEntry | ContextEntry | SpeakerEntry]:
        return {e.id: e for e in (*self.cues, *self.context, *self.speakers)}


def default_patterns_dir() -> Path:
    return Path(__file__).with_name("patterns")


def _read_yaml(path: Path) -> tuple[Any, bytes]:
    try:
        raw = path.read_bytes()
    except OSError:
        raise ConfigError(
            f"pattern file {path.name} cannot be read; check that it exists in the patterns folder"
        ) from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(raw.decode("utf-8"), Loader=loader)  # a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(
            f"pattern file {path.name} is not valid UTF-8 YAML{at}; fix the syntax and run again"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"pattern file {path.name} must hold a mapping (version, entries) at the top level"
        )
    return data, raw


def _validation_message(path: Path, data: dict[str, Any], exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = tuple(err.get("loc", ()))
    where = ""
    rest = loc
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        index = loc[1]
        entries = data.get("entries")
        entry_id = None
        if isinstance(entries, list) and index < len(entries) and isinstance(entries[index], dict):
            entry_id = entries[index].get("id")
        where = f" entry {index}" + (f" (id {entry_id!r})" if isinstance(entry_id, str) else "")
        rest = loc[2:]
    if isinstance(err.get("input"), bool):
        hint = " (YAML reads a bare on/off/yes/no as true/false: put it in quotes)"
    else:
        hint = ""
    field = ".".join(str(p) for p in rest)
    field_part = f" field {field!r}:" if field else ":"
    more = len(exc.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return (
        f"pattern file {path.name}{where}{field_part} {err.get('msg', 'invalid')}{hint}{tail}; "
        "fix the file and run again"
    )


def _parse(path: Path, model: type[_FileHead]) -> tuple[_FileHead, str]:
    data, raw = _read_yaml(path)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, data, exc)) from None
    digest = hashlib.sha256(raw).hexdigest()
    return parsed, f"{parsed.version} sha256:{digest}"


def load_patterns(directory: Path) -> PatternSet:
    """Load and validate every pattern file in ``directory``; raise ConfigError naming the
    file and entry of the first problem found."""
    if not directory.is_dir():
        raise ConfigError(
            f"patterns folder {directory.name!r} does not exist; pass an existing folder"
        )
    cue_paths = sorted(directory.glob("cues_*.yaml"))
    if not cue_paths:
        raise ConfigError(
            f"patterns folder {directory.name!r} has no cues_*.yaml file; add at least one"
        )
    versions: list[tuple[str, str]] = []
    cues: list[CueEntry] = []
    owners: list[tuple[str, tuple[_Entry, ...]]] = []
    for path in cue_paths:
        parsed, version = _parse(path, CueFile)
        assert isinstance(parsed, CueFile)
        cues.extend(parsed.entries)
        owners.append((path.name, parsed.entries))
        versions.append((path.name, version))
    context_parsed, version = _parse(directory / "context.yaml", ContextFile)
    assert isinstance(context_parsed, ContextFile)
    versions.append(("context.yaml", version))
    speaker_parsed, version = _parse(directory / "speakers.yaml", SpeakerFile)
    assert isinstance(speaker_parsed, SpeakerFile)
    versions.append(("speakers.yaml", version))

    seen: dict[str, str] = {}
    owners.append(("context.yaml", context_parsed.entries))
    owners.append(("speakers.yaml", speaker_parsed.entries))
    for file_name, file_entries in owners:
        for entry in file_entries:
            if entry.id in seen:
                raise ConfigError(
                    f"pattern file {file_name}: entry id {entry.id!r} is also used in "
                    f"{seen[entry.id]}; rule ids must be unique across all pattern files"
                )
            seen[entry.id] = file_name
    rule_ids = set(seen)
    qualifier_names = set(QUALIFIERS)
    for entry in context_parsed.entries:
        for target in entry.applies_to:
            if target not in qualifier_names and target not in rule_ids:
                raise ConfigError(
                    f"pattern file context.yaml entry id {entry.id!r}: 'applies_to' names "
                    f"{target!r}, which is neither a qualifier nor a rule id"
                )
    return PatternSet(
        cues=tuple(cues),
        context=context_parsed.entries,
        speakers=speaker_parsed.entries,
        grammar=speaker_parsed.grammar,
        file_versions=tuple(versions),
    )


#: The annotation pipeline's own version, in run.json beside spaCy's and the pattern files'.
PIPELINE_VERSION = "notereview-nlp 1.1.0"


def pipeline_versions(patterns: PatternSet) -> dict[str, str]:
    """What names the annotation pipeline in ``run.json``: its version, spaCy's and every
    pattern file's (version and sha256). Imports no spaCy: cheap in a process that does not
    annotate."""
    from importlib.metadata import version

    versions = {"pipeline": PIPELINE_VERSION, "spacy": version("spacy")}
    versions.update({f"patterns/{name}": v for name, v in patterns.file_versions})
    return versions
