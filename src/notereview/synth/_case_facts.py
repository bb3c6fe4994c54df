"""The facts the generator chooses for one synthetic child, as plain dataclasses, and the
small date helpers they are built with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from notereview.synth._calendar import WorkCalendar
from notereview.synth._data import ContentFile, PhenomenaFile, RecordsFile, StyleDef
from notereview.synth._phenomena import WorkerHabits
from notereview.synth._rules import window_start
from notereview.synth._text import VisitLayout
from notereview.synth._world import Worker, World

T = TypeVar("T")


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def age_on(dob: date, on: date) -> int:
    years = on.year - dob.year
    if (on.month, on.day) < (dob.month, dob.day):
        years -= 1
    return years


@dataclass(slots=True)
class Event:
    etype: str
    day: date
    in_chron: bool = False
    mentions: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class VisitFacts:
    visit_id: str
    day: date
    seen: bool
    recorded: date = date.min
    seen_alone: bool | None = None
    visit_type: str = "home"
    voice: str = "none"
    wishes: bool = False
    observation: bool = False
    plan_linked: bool = False
    analysis: bool = False
    next_steps: bool = False
    network: bool = False
    copy_of: str | None = None
    is_source: bool = False
    refused: bool = False
    events: list[Event] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    on_time: bool = False
    late_days: int = 0
    text: str = ""
    dates: tuple[str, str, str] = ("", "", "")
    name_form: str = "registered"
    #: the phenomena this record shows (see _phenomena.py), for the answer key
    tags: list[str] = field(default_factory=list)
    #: (speaker, how, words): every quote or reported speech in the record, with its speaker
    speakers: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class ActionFacts:
    action_id: str
    topic: str
    specific: bool
    measurable: bool
    owner_named: bool
    timebound: bool
    child_wishes: bool
    status: str
    due: date | None
    text: str = ""
    owner_col: str = ""
    due_col: date | None = None
    owner_junk: bool = False  # the owner field holds a system default, not an owner
    due_junk: bool = False  # the due-date field holds a system default, not a due date
    time_in_text: bool = False  # the action's own words say by when


@dataclass(slots=True)
class PlanFacts:
    plan_id: str
    plan_type: str
    start: date
    reviews: list[date]
    review_dues: list[date]
    first_due: date
    next_due: date
    show_next: bool
    actions: list[ActionFacts]


@dataclass(slots=True)
class SummaryFacts:
    summary_id: str
    day: date
    words: int
    parts: list[str]
    voice: str
    shaped: bool
    events: list[Event]
    text: str = ""
    #: sentences that carry the child's voice (or, for a child who does not speak, specific
    #: observation): the voice line, and the line saying how the child's wish shaped the plan
    voice_sentences: int = 0


@dataclass(slots=True)
class ChronEntry:
    entry_id: str
    day: date
    entered: date
    etype: str
    source: str
    text: str
    impact_col: str
    impact: bool
    code: str | None = None  # the event_type column when it is not etype (a retold entry)


@dataclass(slots=True)
class SupervisionFacts:
    record_id: str
    day: date
    reflective: bool
    actions_owned: bool
    events: list[Event] = field(default_factory=list)
    text: str = ""
    #: one flag per action set (a clause naming its owner): True when it gives a timescale
    actions: list[bool] = field(default_factory=list)


@dataclass(slots=True)
class GenogramFacts:
    day: date
    members: list[dict[str, object]]
    network: bool
    notes: str
    older: tuple[date, list[dict[str, object]], str] | None = None
    #: how many took part, by the notes, in drawing it: 0 none said, 1 one parent or carer,
    #: 2 the child or two or more of the family (a wide discussion)
    discussed_with: int = 0


@dataclass(slots=True)
class CaseFacts:
    """Everything the generator decided about one child (input to the answer key)."""

    index: int
    child_id: str
    name: str
    gender: str
    dob: date
    age: int
    status: str
    status_start: date
    placement_start: date | None
    long_term: bool
    team: str
    worker: Worker
    quality: float
    comm: str  # speech, interpreter, makaton, app, bsl, pecs, eyegaze, nonverbal, preverbal
    hist_start: date
    visits: list[VisitFacts] = field(default_factory=list)
    plan: PlanFacts | None = None
    summary: SummaryFacts | None = None
    older_summary: tuple[str, date, str] | None = None
    events: list[Event] = field(default_factory=list)
    chronology: list[ChronEntry] | None = None
    genogram: GenogramFacts | None = None
    supervision: list[SupervisionFacts] = field(default_factory=list)
    ethnicity: str = ""  # equality monitoring (Annex A category); no check reads it
    disability: str = ""  # yes / no

    @property
    def verbal(self) -> bool:
        return self.comm not in ("nonverbal", "preverbal")


@dataclass(frozen=True)
class GenContext:
    """What every child shares: the date, calendar, world, data files and style layouts."""

    as_of: date
    cal: WorkCalendar
    world: World
    content: ContentFile
    records: RecordsFile
    styles: dict[str, StyleDef]
    layouts: dict[str, VisitLayout]
    seed: int
    phen: PhenomenaFile
    habits: dict[str, WorkerHabits]
    chronology_retold: float = 0.0  # see generate()
    interpreter_voice_hidden: float = 0.0  # a bias planted for equality tests: see generate()

    @property
    def w_start(self) -> date:
        return window_start(self.as_of)
