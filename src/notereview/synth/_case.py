"""One synthetic child: the facts the generator chose, the rows it writes and the key it knows.

Everything about a child is drawn from one ``random.Random`` stream derived from (seed, child
index), so a child never depends on how many children are generated around it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import TypeVar

from notereview.synth._calendar import WorkCalendar, add_months
from notereview.synth._data import (
    ContentFile,
    PhenomenaFile,
    Quote,
    RecordsFile,
    StyleDef,
    TopicDef,
    lower_first,
    monitoring_file,
)
from notereview.synth._phenomena import (
    ChildNames,
    WorkerHabits,
    choose_names,
    introduce,
    junk_due,
    stronger_voice,
)
from notereview.synth._rules import (
    SIGNIFICANT_EVENTS,
    Deadline,
    VisitPolicy,
    default_policy,
    interval_days,
    recorded_late_days,
    review_due,
    window_start,
)
from notereview.synth._text import (
    PRONOUNS,
    VisitLayout,
    abbreviate,
    capitalise,
    day_month,
    dictate,
    long_date,
    month_name,
    ordinal,
    uk_date,
    weekday_name,
)
from notereview.synth._world import Worker, World

T = TypeVar("T")

STATUS_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("CIN", 0.45),
    ("CP", 0.15),
    ("LAC", 0.30),
    ("CL", 0.08),
    ("PF", 0.02),
)
_AGE_WEIGHTS: dict[str, tuple[range, list[float]]] = {
    "CIN": (range(18), [5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4]),
    "CP": (range(17), [10, 8, 7, 7, 6, 6, 6, 5, 5, 5, 5, 4, 4, 4, 3, 3, 2]),
    "LAC": (range(18), [3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7, 8, 8, 8, 8]),
    "PF": (range(10, 18), [1, 1, 2, 2, 3, 3, 3, 3]),
    "CL": (range(18, 21), [4, 3, 3]),
}
_EVENT_RATES: dict[str, float] = {"CIN": 1.4, "CP": 2.4, "LAC": 1.7, "CL": 1.2, "PF": 0.8}
_EVENT_MIX: dict[str, dict[str, float]] = {
    "CIN": {
        "police_call_out": 0.25,
        "hospital_attendance": 0.2,
        "missing_episode": 0.1,
        "school_exclusion": 0.15,
        "new_adult_in_household": 0.2,
        "strategy_discussion": 0.05,
        "section_47": 0.05,
    },
    "CP": {
        "police_call_out": 0.3,
        "hospital_attendance": 0.15,
        "strategy_discussion": 0.1,
        "section_47": 0.08,
        "new_adult_in_household": 0.15,
        "school_exclusion": 0.07,
        "missing_episode": 0.05,
        "court_hearing": 0.05,
    },
    "LAC": {
        "missing_episode": 0.3,
        "hospital_attendance": 0.2,
        "school_exclusion": 0.2,
        "arrest": 0.1,
        "court_hearing": 0.1,
        "police_call_out": 0.1,
    },
    "CL": {"arrest": 0.3, "police_call_out": 0.3, "hospital_attendance": 0.4},
    "PF": {"hospital_attendance": 0.4, "missing_episode": 0.2, "school_exclusion": 0.4},
}
_EVENT_MIN_AGE: dict[str, int] = {"missing_episode": 11, "school_exclusion": 5, "arrest": 12}
_EVENT_MAX_AGE: dict[str, int] = {"school_exclusion": 16}
_CATEGORIES = ("neglect", "emotional abuse", "physical abuse", "sexual abuse")
_PROFESSIONALS = (
    "Mr {s}, the class teacher",
    "Dr {s} (GP)",
    "the school nurse",
    "health visitor {f}",
    "PC {s}",
    "the IRO",
    "{f} from the youth service",
    "Mrs {s}, the head of year",
)


#: Communication routes that carry the child's own words (labelled direct).
AIDED: frozenset[str] = frozenset({"makaton", "app", "bsl", "pecs", "eyegaze"})
#: What speech-to-text leaves in when the worker does not edit it.
_DICTATION_WORDS: tuple[str, ...] = (" full stop", " new paragraph", " comma ", " new line ")


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def _yn(flag: bool | None) -> str:
    return "" if flag is None else ("y" if flag else "n")


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


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


class CaseBuilder:
    """Builds one child's facts and texts. Call :meth:`build` once."""

    def __init__(self, gen: GenContext, index: int) -> None:
        self.gen = gen
        self.index = index
        self.rng = random.Random(f"notereview-synth/{gen.seed}/child/{index}")
        # The phenomena of real recording draw from a stream of their own, so that adding one
        # never moves a child's dates, events or statuses.
        self.prng = random.Random(f"notereview-synth/{gen.seed}/child/{index}/phenomena")
        # What the auditors' conventions turn on (a no-access visit not followed up, an impact
        # column holding a placeholder, a supervision action without a timescale, a genogram
        # drawn with one parent) draws from a stream of its own, so that drawing it takes no
        # draw from the main stream (a late follow-up visit still moves the visits after it).
        self.crng = random.Random(f"notereview-synth/{gen.seed}/child/{index}/conventions")
        self._brng: random.Random | None = None  # the planted bias's stream, when it is on
        rnd = self.rng.random

        def ch(seq):
            return seq[int(rnd() * len(seq))]

        def ri(a: int, b: int) -> int:
            return a + int(rnd() * (b - a + 1))

        def wch(seq, weights):
            x = rnd() * sum(weights)
            for item, w in zip(seq, weights, strict=False):
                x -= w
                if x < 0:
                    return item
            return seq[-1]

        self.ch, self.ri, self.wch = ch, ri, wch
        self.ctx: dict[str, str] = {}
        self.q: dict[str, float] = {}
        self.topics: list[str] = []
        self.plan_name = "assessment"
        self.names: ChildNames | None = None
        self.used_quotes: set[str] = set()
        self.said: list[tuple[date, str]] = []  # (visit day, the child's words as quoted)
        self.name_rx: dict[str, re.Pattern[str]] = {}

    # ------------------------------------------------------------------ helpers
    def _fmt(self, template: str) -> str:
        return template.format_map(self.ctx)

    def _pick(self, items: list[str]) -> str:
        return self._fmt(self.ch(items))

    def _pick_lc(self, items: list[str]) -> tuple[str, str]:
        t = self.ch(items)
        return self._fmt(t), self._fmt(lower_first(t))

    def _put_lc(
        self,
        parts: list[tuple[str, str]],
        comps: dict[str, list[str]],
        component: str,
        key: str,
        pool: list[str],
    ) -> None:
        """Render ``component`` with content from ``pool`` under ``key`` (or ``key_lc``, the
        lower-first form, when the style's template asks for it)."""
        ch, ctx = self.ch, self.ctx
        tpl = ch(comps[component])
        content = ch(pool)
        lc_key = key + "_lc"
        if "{" + lc_key + "}" in tpl:
            ctx[lc_key] = lower_first(content).format_map(ctx)
        else:
            ctx[key] = content.format_map(ctx)
        parts.append((component, tpl.format_map(ctx)))

    def _working_day_near(self, d: date) -> date:
        return self.gen.cal.prev_working(d)

    # ------------------------------------------------------------------ build
    def build(self) -> CaseFacts:
        f = self._demographics()
        # a worker good at one part of the job need not be good at all of it
        for area in (
            "timing",
            "recording",
            "content",
            "summary",
            "chronology",
            "plans",
            "genogram",
            "supervision",
        ):
            self.q[area] = _clip(f.quality + self.rng.gauss(0.0, 0.1))
        self._context(f)
        self._plan(f)
        self._visit_dates(f)
        self._events(f)
        self._supervision_dates(f)
        self._summary_date(f)
        self._chronology(f)
        self._mentions(f)
        self._visit_texts(f)
        self._summary_text(f)
        self._supervision_texts(f)
        self._genogram(f)
        return f

    def _demographics(self) -> CaseFacts:
        rng, gen = self.rng, self.gen
        as_of = gen.as_of
        status = self.wch([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])
        team = self.wch(gen.world.teams, gen.world.team_weights(status))
        worker = self.ch(team.workers)
        ages, weights = _AGE_WEIGHTS[status]
        if team.name == "Disabled Children" and status != "CL":
            age = self.ri(3, 17)
        else:
            age = self.wch(ages, weights)
        try:
            last_birthday = as_of.replace(year=as_of.year - age)
        except ValueError:
            last_birthday = as_of.replace(year=as_of.year - age, day=28)
        min_offset = 100 if age == 0 else (70 if status == "CL" and age == 18 else 0)
        dob = last_birthday - timedelta(days=self.ri(min_offset, 360))
        hist_start = as_of - timedelta(days=self.ri(365, 548))
        if status == "CL":
            status_start = _add_years(dob, 18)
        else:
            span = {"CIN": 540, "CP": 450, "LAC": 3650, "PF": 600}[status]
            status_start = as_of - timedelta(days=self.ri(60 if status != "LAC" else 90, span))
            status_start = max(status_start, dob + timedelta(days=7))
        status_start = min(status_start, as_of - timedelta(days=60))
        placement_start: date | None = None
        long_term = False
        if status == "LAC":
            earliest = max(status_start, hist_start - timedelta(days=700))
            if rng.random() < 0.3:
                lo = max(status_start, as_of - timedelta(days=170))
                hi = as_of - timedelta(days=20)
            elif rng.random() < 0.55:
                lo = hi = status_start
            else:
                lo, hi = earliest, as_of - timedelta(days=180)
            if hi < lo:
                lo = hi = status_start
            placement_start = lo + timedelta(days=self.ri(0, (hi - lo).days))
            years_in = (as_of - placement_start).days / 365
            long_term = rng.random() < (0.55 if years_in > 1 else 0.15)
        q = _clip(worker.quality + rng.gauss(0.0, 0.13))
        gender = self.wch(("F", "M", "other", "unknown"), (0.48, 0.48, 0.02, 0.02))
        if age < default_policy().pre_verbal_age_below:
            comm = "preverbal"
        else:
            dct = team.name == "Disabled Children"
            r = rng.random()
            modes = (
                ("nonverbal", 0.2 if dct else 0.012),
                ("makaton", 0.12 if dct else 0.008),
                ("app", 0.1 if dct else 0.008),
                ("bsl", 0.05 if dct else 0.004),
                ("pecs", 0.08 if dct else 0.004),
                ("eyegaze", 0.05 if dct else 0.002),
                ("interpreter", 0.0 if age < 5 else 0.07),
            )
            comm = "speech"
            for mode, p in modes:
                if r < p:
                    comm = mode
                    break
                r -= p
        name = self.ch(self.gen.content.child_names)
        return CaseFacts(
            index=self.index,
            child_id=f"C{self.index:06d}",
            name=name,
            gender=gender,
            dob=dob,
            age=age,
            status=status,
            status_start=status_start,
            placement_start=placement_start,
            long_term=long_term,
            team=team.name,
            worker=worker,
            quality=q,
            comm=comm,
            hist_start=hist_start,
            **self._monitoring(team.name, comm),
        )

    def _planted_hit(self) -> bool:
        """Whether this interpreted visit is written as the interpreter's account (a planted
        bias, off by default: its own random stream, drawn only when it is on)."""
        share = self.gen.interpreter_voice_hidden
        if share <= 0.0:
            return False
        if self._brng is None:
            self._brng = random.Random(
                f"notereview-synth/{self.gen.seed}/child/{self.index}/planted"
            )
        return self._brng.random() < share

    def _planted_phrasing(self) -> str:
        """The interpreter's-account phrasing, drawn from the planted bias's own stream."""
        assert self._brng is not None
        phrasings = monitoring_file().interpreter_told_me
        return phrasings[int(self._brng.random() * len(phrasings))]

    def _monitoring(self, team: str, comm: str) -> dict[str, str]:
        """Ethnicity and disability, from their own random stream (every other byte of the
        extract is what it was without them)."""
        m = monitoring_file()
        mrng = random.Random(f"notereview-synth/{self.gen.seed}/child/{self.index}/monitoring")
        cats = [c for c in m.ethnicity if comm != "interpreter" or c not in m.interpreter_not]
        ethnicity = mrng.choices(cats, weights=[m.ethnicity[c] for c in cats])[0]
        aided = team == "Disabled Children" or comm in AIDED or comm == "nonverbal"
        p = m.disabled_if_aided if aided else m.disabled_otherwise
        return {"ethnicity": ethnicity, "disability": "yes" if mrng.random() < p else "no"}

    def _context(self, f: CaseFacts) -> None:
        rng, c, prng = self.rng, self.gen.content, self.prng
        pron = PRONOUNS["F" if f.gender == "F" else "M" if f.gender == "M" else "they"]
        ctx: dict[str, str] = dict(pron)
        ctx["name"] = f.name
        # family names: the child's is Dad's or Mum's; Mum's own family has another
        surnames = c.surnames
        dad_surname = surnames[int(prng.random() * len(surnames))]
        mum_maiden = surnames[int(prng.random() * len(surnames))]
        mum_surname = dad_surname if prng.random() < 0.55 else mum_maiden
        child_surname = dad_surname if prng.random() < 0.7 else mum_surname
        self.family_names = (child_surname, mum_surname, mum_maiden, dad_surname)
        style = f.worker.style
        # "M" and "F" stand for Mum and Dad in an abbreviating writer's notes
        reserved = frozenset("MF") if self.gen.styles[style].abbreviate else frozenset()
        self.names = choose_names(prng, f.name, child_surname, style, self.gen.phen, reserved)
        mum, dad = self.ch(c.adult_female), self.ch(c.adult_male)
        carer_name = self.ch(c.adult_female)
        ctx.update(mum=mum, dad=dad, carer_name=carer_name, team=f.team)
        status = f.status
        if status in ("CIN", "CP"):
            carer = self.wch(("Mum", "Dad", "Nan"), (0.75, 0.13, 0.12))
            home, place, place_noun = "family", "at home", "home"
            adults = [carer, "Mum" if carer != "Mum" else "Dad", "Nan"]
        elif status == "LAC":
            kind = rng.random()
            if kind < 0.72:
                carer = f"foster carer {carer_name}"
                place, place_noun = "at the foster home", "placement"
            elif kind < 0.84 and f.age >= 12:
                carer = "the residential staff"
                place, place_noun = "at the children's home", "placement"
            else:
                carer = f"Auntie {carer_name}"
                place, place_noun = "at the placement", "placement"
            home = "foster"
            adults = [capitalise(carer), "Mum"]
        elif status == "PF":
            carer = f"Auntie {carer_name}"
            home, place, place_noun = "foster", "at the carer's home", "home"
            adults = [carer]
        else:
            carer = self.ch(("the support worker", f"{pron['his']} partner", "the landlady"))
            home, place, place_noun = "independent", f"at {pron['his']} flat", "flat"
            adults = [capitalise(carer)]
        ctx.update(carer=carer, Carer=capitalise(carer), place=place, place_noun=place_noun)
        self.home_kind = home
        self.adults = adults
        profs = []
        for t in rng.sample(_PROFESSIONALS, 3):
            profs.append(t.format(s=self.ch(c.surnames), f=self.ch(c.adult_female)))
        self.profs = profs
        n_sib = self.wch((0, 1, 2, 3), (0.3, 0.35, 0.25, 0.1))
        sibs = []
        for _ in range(n_sib):
            sname = self.ch(c.child_names)
            if sname != f.name:
                rel = self.ch(("brother", "sister", "half-brother", "half-sister"))
                sibs.append((sname, rel))
        self.siblings = sibs
        ctx["age_phrase"] = (
            f"{f.age} years old" if f.age >= 2 else "a baby" if f.age == 0 else "a toddler"
        )
        ctx["category"] = self.ch(_CATEGORIES)
        ctx["since"] = long_date(f.status_start)
        ctx["setting"] = self.ch(
            ("supported lodgings", "a council flat", "semi-independent accommodation")
        )
        ctx["school"] = self.ch(
            (
                "Oakfield Primary",
                "St Anne's",
                "Riverside Academy",
                "Hillcrest School",
                "Northgate High",
            )
        )
        ctx["year_group"] = str(max(1, min(13, f.age - 4)))
        ctx["scale"] = str(self.ri(2, 9))
        self.ctx = ctx
        self.band = (
            "young" if f.age < 8 else "middle" if f.age < 13 else "teen" if f.age < 18 else "adult"
        )

    # ------------------------------------------------------------------ plan
    def _plan(self, f: CaseFacts) -> None:
        rng, gen, q = self.rng, self.gen, f.quality
        p_plan = {"CIN": 0.97, "CP": 1.0, "LAC": 0.98, "CL": 0.95, "PF": 0.6}[f.status]
        if rng.random() >= p_plan:
            self.plan_name = "assessment"
            self.ctx["plan_name"] = "assessment"
            return
        records = gen.records
        ptype = records.plan_types[f.status]
        if f.status in ("CP", "LAC"):
            start = f.status_start
        elif f.status == "CL":
            start = min(_add_years(f.dob, 16) + timedelta(days=self.ri(0, 200)), f.status_start)
        else:
            start = min(
                f.status_start + timedelta(days=self.ri(0, 20)), gen.as_of - timedelta(days=30)
            )
        start = gen.cal.next_working(start)
        # reviews
        reviews: list[date] = []
        dues: list[date] = []
        prev, k = start, 0
        q = self.q["plans"]
        keeps_reviewing = rng.random() < 0.45 + 0.6 * q
        first_late = rng.random() < 0.3 * (1 - q)
        first_due = review_due(gen.cal, ptype, start, 0)
        while True:
            due = review_due(gen.cal, ptype, prev, k)
            if k == 0 and first_late:
                day = gen.cal.add(due, self.ri(1, 25))
            else:
                day = self._working_day_near(due - timedelta(days=self.ri(0, 12)))
                if day <= prev:
                    day = due
            if day > gen.as_of:
                break
            if not keeps_reviewing and rng.random() < 0.45:
                break
            reviews.append(day)
            dues.append(due)
            prev, k = day, k + 1
        next_due = review_due(gen.cal, ptype, prev, k)
        plan = PlanFacts(
            plan_id=f"P{self.index:06d}-1",
            plan_type=ptype,
            start=start,
            reviews=reviews,
            review_dues=dues,
            first_due=first_due,
            next_due=next_due,
            show_next=rng.random() < 0.85,
            actions=[],
        )
        self.plan_name = records.plan_names[ptype]
        self.ctx["plan_name"] = self.plan_name
        topics = [n for n, t in records.topics.items() if f.status in t.statuses]
        chosen = rng.sample(topics, min(len(topics), self.ri(3, 5)))
        anchor = reviews[-1] if reviews else start
        wish_index = -1
        if rng.random() < 0.15 + 0.5 * q:
            able = [i for i, t in enumerate(chosen) if f.verbal or records.topics[t].observed]
            if able:
                wish_index = self.ch(able)
        for i, tname in enumerate(chosen):
            plan.actions.append(self._action(f, plan, i, tname, anchor, i == wish_index))
        if not any(a.status == "open" for a in plan.actions):
            plan.actions[-1].status = "open"
        f.plan = plan
        self.topics = chosen

    def _action(
        self, f: CaseFacts, plan: PlanFacts, i: int, tname: str, anchor: date, wish: bool
    ) -> ActionFacts:
        rng, gen, q = self.rng, self.gen, self.q["plans"]
        topic = gen.records.topics[tname]
        if rng.random() < 0.05 + 0.95 * q**1.3:
            specific = measurable = owner_named = timebound = True
        else:
            specific = rng.random() < 0.5
            measurable = specific and rng.random() < 0.5
            owner_named = rng.random() < 0.6
            timebound = rng.random() < 0.5
        owner_label = self._fmt(self.ch(gen.records.owners[topic.owner]))
        owner_col, owner_text = "", ""
        pools, prng = gen.phen.pools, self.prng
        if owner_named:
            where = rng.random()
            if where < 0.4:
                # "SW" alone in the field is the system's default; a real owner is spelt out
                owner_col = "Allocated social worker" if owner_label == "SW" else owner_label
            elif where < 0.7:
                owner_text = owner_label
            else:
                owner_col = owner_text = owner_label
        owner_junk = False
        if not owner_col and prng.random() < 0.5:
            owner_col = pools.junk_owners[int(prng.random() * len(pools.junk_owners))]
            owner_junk = True
        due: date | None = None
        due_col: date | None = None
        due_text = ""
        status = "open"
        if timebound:
            lo = 15 if rng.random() < 0.3 + 0.6 * q else -200
            day = anchor + timedelta(days=self.ri(lo, 160))
            due = gen.cal.next_working(max(day, plan.start + timedelta(days=14)))
            where = rng.random()
            if where < 0.5:
                due_col = due
            elif where < 0.75:
                due_text = f" by {uk_date(due)}" if rng.random() < 0.6 else f" by {long_date(due)}"
            else:
                due_col = due
                due_text = f" by {uk_date(due)}"
            if due_text and prng.random() < 0.5:  # the time in the action's own words
                phrase = pools.text_times[int(prng.random() * len(pools.text_times))]
                due_text = phrase.format(
                    due_uk=uk_date(due),
                    due_long=long_date(due),
                    due_month=month_name(due),
                    weeks=max(2, (due - anchor).days // 7),
                )
            if due < gen.as_of - timedelta(days=35) and rng.random() < 0.35 + 0.6 * q:
                status = "done"
        if status == "open" and rng.random() < 0.03:
            status = "dropped"
        due_junk = False
        if due_col is None and prng.random() < 0.45:
            kind = pools.junk_due[int(prng.random() * len(pools.junk_due))]
            due_col = junk_due(kind, gen.as_of, plan.start)
            due_junk = True
        verb = self._pick(topic.specific if specific else topic.vague)
        measure = self._pick(topic.measure) if measurable else ""
        monitor = (
            self._pick(topic.monitor) if (specific and owner_named and rng.random() < 0.5) else ""
        )
        body = f"{owner_text} to {verb}" if owner_text else capitalise(verb)
        text = f"{body}{measure}{due_text}{monitor}"
        child_wishes = False
        if wish:
            clause = self._pick(topic.wish if f.verbal else topic.observed)
            text = f"{capitalise(clause)}, so {lower_first(text) if not owner_text else text}"
            child_wishes = True
        return ActionFacts(
            action_id=f"A{self.index:06d}-{i + 1:02d}",
            topic=tname,
            specific=specific,
            measurable=measurable,
            owner_named=owner_named,
            timebound=timebound,
            child_wishes=child_wishes,
            status=status,
            due=due,
            text=text + ".",
            owner_col=owner_col,
            due_col=due_col,
            owner_junk=owner_junk,
            due_junk=due_junk,
            time_in_text=bool(due_text),
        )

    # ------------------------------------------------------------------ visits
    def _visit_dates(self, f: CaseFacts) -> None:
        rng, gen, q = self.rng, self.gen, f.quality
        cal, as_of = gen.cal, gen.as_of
        policy = VisitPolicy(cal, f.status, f.status_start, f.placement_start, f.long_term)
        self.policy = policy
        memo: dict[date, Deadline] = {}

        def due_after(day: date) -> Deadline:
            out = memo.get(day)
            if out is None:
                out = memo[day] = policy.due_after(day)
            return out

        worker = f.worker
        qt = (self.q["timing"] + worker.timeliness) / 2
        qr = (self.q["recording"] + worker.recording) / 2
        p_late = 0.004 + 0.22 * (1 - qt) ** 2.5
        p_not_seen = 0.02 + 0.15 * (1 - q) ** 1.5
        p_rec_late = 0.01 + 0.4 * (1 - qr) ** 2
        follow_up = default_policy().no_access.follow_up
        follow_up_wd = (
            follow_up.amount if follow_up.in_working_days else interval_days(follow_up) * 5 // 7
        )
        start = max(f.hist_start, f.status_start)
        if f.status_start >= f.hist_start:
            prev = f.status_start
            deadline = policy.first_due(f.status_start)
            if f.status == "LAC" and f.placement_start == f.status_start:
                deadline = policy.first_due(f.placement_start)
        else:
            prev = start - timedelta(days=self.ri(1, 20))
            deadline = due_after(prev)
        visits: list[VisitFacts] = []
        moved = (
            f.placement_start
            if (f.status == "LAC" and f.placement_start and f.placement_start > start)
            else None
        )
        virtual_prev: date | None = prev
        n = 0
        last_seen: date | None = None
        while True:
            if moved and prev < moved <= deadline.day + timedelta(days=30):
                deadline = policy.first_due(moved)
                prev = moved
                moved = None
            span = max(1, (deadline.day - prev).days)
            if rng.random() < p_late:
                late = self.ri(1, 6) if rng.random() < 0.6 else self.ri(7, 30)
                target = cal.add(deadline.day, late)
            else:
                target = prev + timedelta(days=max(1, int(span * (0.45 + 0.55 * rng.random()))))
                if rng.random() < 0.96:
                    target = cal.prev_working(target)
                if target <= prev:
                    target = prev + timedelta(days=1)
            if target > as_of:
                break
            if rng.random() < p_not_seen:
                n += 1
                visits.append(
                    VisitFacts(visit_id=f"V{self.index:06d}-{n:03d}", day=target, seen=False)
                )
                follow = self.ri(1, 4)
                if self.crng.random() < 0.35 * (1 - qt):  # not seen again for a while
                    follow = follow_up_wd + 1 + int(self.crng.random() * 10)
                target = cal.add(target, follow)
                if target > as_of:
                    break
            n += 1
            visits.append(VisitFacts(visit_id=f"V{self.index:06d}-{n:03d}", day=target, seen=True))
            prev = target
            last_seen = target
            deadline = due_after(target)
        del last_seen
        # recording dates; a visit not yet recorded by as_of is not in the extract
        kept: list[VisitFacts] = []
        for v in visits:
            r = rng.random()
            if r < p_rec_late:
                delay = self.ri(4, 12) if rng.random() < 0.6 else self.ri(13, 45)
            else:
                r = rng.random()
                delay = 0 if r < 0.35 else 1 if r < 0.65 else 2 if r < 0.85 else 3
            v.recorded = cal.add(v.day, delay) if delay else v.day
            if v.recorded <= as_of:
                kept.append(v)
        # renumber so ids stay dense and ordered
        for i, v in enumerate(kept):
            v.visit_id = f"V{self.index:06d}-{i + 1:03d}"
            v.late_days = recorded_late_days(cal, v.day, v.recorded)
        # on-time per seen visit: from the previous seen visit in the extract
        prev_seen: date | None = None
        for v in kept:
            if not v.seen:
                continue
            if prev_seen is None:
                if f.status_start >= f.hist_start:
                    anchor = f.status_start
                    if f.status == "LAC" and f.placement_start and f.placement_start <= v.day:
                        anchor = max(anchor, f.placement_start)
                    dl = policy.first_due(anchor)
                    v.on_time = dl.overdue_by(cal, v.day) is None
                else:
                    v.on_time = True
                    if virtual_prev is not None:
                        v.on_time = due_after(virtual_prev).overdue_by(cal, v.day) is None
            else:
                dl = due_after(prev_seen)
                if (
                    f.status == "LAC"
                    and f.placement_start
                    and prev_seen < f.placement_start <= v.day
                ):
                    dl = policy.first_due(f.placement_start)
                v.on_time = dl.overdue_by(cal, v.day) is None
            prev_seen = v.day
        # who, where, alone
        for v in kept:
            age_then = age_on(f.dob, v.day)
            if v.seen:
                if f.status == "CL":
                    v.seen_alone = rng.random() < 0.9
                elif age_then < default_policy().seen_alone_min_age:
                    v.seen_alone = False
                else:
                    v.seen_alone = rng.random() < 0.25 + 0.65 * q
            else:
                v.seen_alone = False
            r = rng.random()
            if f.status == "LAC":
                v.visit_type = "placement" if r < 0.5 else "statutory" if r < 0.9 else "school"
            elif f.status == "CL":
                v.visit_type = "home" if r < 0.6 else "other"
            else:
                v.visit_type = "home" if r < 0.5 else "statutory" if r < 0.9 else "school"
        # copy-paste: a seen visit pasted from the previous seen visit
        p_copy = worker.copy_paste * (1.3 - q)
        last: VisitFacts | None = None
        for v in kept:
            if not v.seen:
                continue
            if last is not None and last.copy_of is None and rng.random() < p_copy:
                v.copy_of = last.visit_id
                last.is_source = True
            last = v
        f.visits = kept

    # ------------------------------------------------------------------ events
    def _events(self, f: CaseFacts) -> None:
        rng, gen = self.rng, self.gen
        as_of = gen.as_of
        lo = max(f.hist_start, f.status_start - timedelta(days=30))
        events: list[Event] = []

        def add(etype: str, day: date) -> None:
            if day < f.hist_start or day > as_of - timedelta(days=2):
                return
            for e in events:
                if e.etype == etype and abs((e.day - day).days) < 30:
                    return
            events.append(Event(etype, day))

        if f.status == "CP":
            add("cp_conference", f.status_start)
            if rng.random() < 0.8:
                add("strategy_discussion", f.status_start - timedelta(days=self.ri(15, 28)))
                add("section_47", f.status_start - timedelta(days=self.ri(8, 14)))
            if f.plan:
                for day in f.plan.reviews:
                    add("cp_conference", day)
        if f.status == "LAC":
            if f.placement_start and f.placement_start > f.status_start:
                add("placement_move", f.placement_start)
            if f.status_start >= f.hist_start:
                add("court_hearing", f.status_start + timedelta(days=self.ri(0, 3)))
        months = max(1, (as_of - lo).days // 30)
        rate = _EVENT_RATES[f.status] / 12
        mix = _EVENT_MIX[f.status]
        types = [t for t in mix if _EVENT_MIN_AGE.get(t, 0) <= f.age <= _EVENT_MAX_AGE.get(t, 99)]
        weights = [mix[t] for t in types]
        for _ in range(months):
            if rng.random() < rate:
                etype = self.wch(types, weights)
                day = lo + timedelta(days=self.ri(3, max(4, (as_of - lo).days - 3)))
                add(etype, day)
        events.sort(key=lambda e: (e.day, e.etype))
        f.events = events

    def _supervision_dates(self, f: CaseFacts) -> None:
        rng, q, as_of = self.rng, self.q["supervision"], self.gen.as_of
        limit = interval_days(default_policy().supervision_interval(f.status))
        p_late = 0.02 + 0.3 * (1 - q) ** 2
        day = max(f.hist_start, f.status_start) + timedelta(days=self.ri(3, 25))
        out: list[SupervisionFacts] = []
        n = 0
        while day <= as_of:
            n += 1
            out.append(
                SupervisionFacts(
                    f"SV{self.index:06d}-{n:03d}",
                    self.gen.cal.prev_working(day) if day.weekday() > 4 else day,
                    False,
                    False,
                )
            )
            if rng.random() < p_late:
                gap = limit + (self.ri(1, 10) if rng.random() < 0.5 else self.ri(11, 60))
            else:
                gap = self.ri(int(limit * 0.55), limit)
            day = out[-1].day + timedelta(days=gap)
        for s in out:
            s.reflective = rng.random() < 0.06 + 0.55 * q + 0.3 * f.worker.manager_reflective * q
            s.actions_owned = rng.random() < 0.1 + 0.8 * q
        f.supervision = out

    def _summary_date(self, f: CaseFacts) -> None:
        rng, q, as_of = self.rng, self.q["summary"], self.gen.as_of
        if rng.random() >= 0.72 + 0.25 * q:
            return
        r = rng.random()
        if r < 0.2 + 0.7 * q:
            back = self.ri(3, 88)
        elif r < 0.2 + 0.7 * q + 0.5 * (0.8 - 0.7 * q):
            back = self.ri(95, 178)
        else:
            back = self.ri(190, 420)
        day = self.gen.cal.prev_working(as_of - timedelta(days=back))
        day = max(day, f.status_start)
        f.summary = SummaryFacts(f"CS{self.index:06d}-1", day, 0, [], "none", False, [])
        if rng.random() < 0.15:
            older = day - timedelta(days=self.ri(120, 300))
            if older >= f.status_start:
                f.older_summary = (f"CS{self.index:06d}-0", older, "")

    # ------------------------------------------------------------------ chronology
    def _chronology(self, f: CaseFacts) -> None:
        rng, gen, q = self.rng, self.gen, self.q["chronology"]
        cal, as_of = gen.cal, gen.as_of
        if rng.random() < 0.02 + 0.14 * (1 - q):
            f.chronology = None
            return
        chron = gen.records.chronology
        stop: date | None = None
        if rng.random() < 0.35 * (1 - q):
            last = max(61, (as_of - f.hist_start).days - 20)
            stop = f.hist_start + timedelta(days=self.ri(60, last))
        keep = 0.3 + 0.65 * q
        raw: list[tuple[date, str, bool]] = []  # (day, type, significant)
        for e in f.events:
            if rng.random() < 0.5 + 0.47 * q:
                raw.append((e.day, e.etype, True))
        lo = f.hist_start
        routine: list[tuple[date, str]] = []
        if f.status_start - timedelta(days=20) >= lo:
            routine.append((f.status_start - timedelta(days=self.ri(5, 20)), "referral"))
        if f.status in ("CIN", "CP") and f.status_start + timedelta(days=30) <= as_of:
            routine.append(
                (f.status_start + timedelta(days=self.ri(20, 45)), "assessment_completed")
            )
        if f.plan and f.plan.plan_type != "CP":
            routine.extend((d, "plan_review") for d in f.plan.reviews)
        step = {"CP": 30, "CIN": 45, "LAC": 60, "CL": 75, "PF": 60}[f.status]
        day = max(lo, f.status_start) + timedelta(days=self.ri(5, step))
        kinds = {
            "CP": ["core_group"],
            "CIN": ["core_group", "family_time"],
            "LAC": ["health_assessment", "education_meeting", "family_time"],
            "CL": ["allocation", "family_time"],
            "PF": ["education_meeting"],
        }[f.status]
        while day <= as_of - timedelta(days=3):
            routine.append((day, self.ch(kinds)))
            day += timedelta(days=self.ri(int(step * 0.6), int(step * 1.4)))
        for d, t in routine:
            if d >= lo and d <= as_of and rng.random() < keep:
                raw.append((d, t, False))
        # a long-open child's chronology goes back before the recent history
        if f.status_start < lo:
            older_keep = 0.55 + 0.45 * q
            older_kinds = kinds + (["plan_review"] if f.plan else [])
            day = f.status_start + timedelta(days=self.ri(0, 20))
            while day < lo:
                if rng.random() < older_keep:
                    raw.append((day, self.ch(older_kinds), False))
                day += timedelta(days=self.ri(30, 60))
        if stop is not None:
            raw = [r for r in raw if r[0] <= stop]
        raw.sort(key=lambda r: (r[0], r[1]))
        entries: list[ChronEntry] = []
        p_source = 1.0 if rng.random() < 0.15 + 0.8 * q else rng.uniform(0.5, 0.9)
        p_prompt = 1.0 if rng.random() < 0.15 + 0.8 * q else rng.uniform(0.5, 0.9)
        for i, (d, t, sig) in enumerate(raw):
            spec = chron.significant[t] if sig else chron.routine[t]
            pick = int(rng.random() * len(spec.text))
            source = spec.sources[pick % len(spec.sources)] if rng.random() < p_source else ""
            delay = self.ri(0, 12) if rng.random() < p_prompt else self.ri(21, 70)
            entered = min(cal.add(d, delay), as_of)
            text = spec.text[pick].format_map(self.ctx)
            code = None
            # The worker's own words and no code (held-out use only; no draw when off).
            retold = sig and gen.chronology_retold > 0 and t in chron.retold
            if retold and rng.random() < gen.chronology_retold:
                text = self._pick(chron.retold[t])
                code = self.ch(chron.retold_codes)
            impact_col = ""
            has_impact = rng.random() < 0.08 + 0.75 * q
            if has_impact:
                if rng.random() < 0.7:
                    impact_col = self._pick(chron.impact)
                else:
                    text += self._pick(chron.impact_in_text)
            elif chron.impact_placeholder and self.crng.random() < 0.3:
                pool = chron.impact_placeholder
                impact_col = pool[int(self.crng.random() * len(pool))]
            entries.append(
                ChronEntry(
                    f"CH{self.index:06d}-{i + 1:03d}",
                    d,
                    entered,
                    t,
                    source,
                    text,
                    impact_col,
                    has_impact,
                    code,
                )
            )
        f.chronology = entries
        chron_keys = {(e.day, e.etype) for e in entries}
        for e in f.events:
            e.in_chron = (e.day, e.etype) in chron_keys

    # ------------------------------------------------------------------ mentions
    def _mentions(self, f: CaseFacts) -> None:
        """Which record mentions each significant event; one record per left-out event."""
        rng = self.rng
        visits = [v for v in f.visits if v.seen and v.copy_of is None and not v.is_source]
        for e in f.events:
            if rng.random() >= 0.72:
                continue
            where = self.wch(("visits", "supervision", "case_summaries"), (0.65, 0.2, 0.15))
            placed = False
            order = [where] + [w for w in ("visits", "supervision", "case_summaries") if w != where]
            for w in order:
                if w == "visits":
                    for v in visits:
                        if 1 <= (v.day - e.day).days <= 10:
                            v.events.append(e)
                            e.mentions.append(("visits", v.visit_id))
                            placed = True
                            break
                elif w == "supervision":
                    for s in f.supervision:
                        if 1 <= (s.day - e.day).days <= 30:
                            s.events.append(e)
                            e.mentions.append(("supervision", s.record_id))
                            placed = True
                            break
                elif f.summary is not None and 1 <= (f.summary.day - e.day).days <= 400:
                    f.summary.events.append(e)
                    e.mentions.append(("case_summaries", f.summary.summary_id))
                    placed = True
                if placed:
                    break
            if placed and e.in_chron and e.mentions[0][0] == "visits" and rng.random() < 0.3:
                for s in f.supervision:
                    if 1 <= (s.day - e.day).days <= 30:
                        s.events.append(e)
                        e.mentions.append(("supervision", s.record_id))
                        break

    def _when(self, e: Event, on: date) -> str:
        """A date phrase for ``e`` as written on ``on`` (always resolvable to e.day)."""
        gap = (on - e.day).days
        options = [f" on {day_month(e.day)}", f" on {uk_date(e.day)}"]
        if gap == 1:
            options.append(" yesterday")
        if 2 <= gap <= 6:
            options.append(f" last {weekday_name(e.day)}")
            if e.day.weekday() == 5 and gap <= 6:
                options.append(" at the weekend")
        if gap <= 7:
            options.append("")
        return self.ch(options)

    def _event_clause(self, f: CaseFacts, e: Event, on: date, explicit: bool = False) -> str:
        key = e.etype
        if key == "hospital_attendance" and f.age < 3:
            key = "hospital_attendance_baby"
        when = f" on {uk_date(e.day)}" if explicit else self._when(e, on)
        self.ctx["when"] = when
        return self._pick(self.gen.content.events[key])

    # ------------------------------------------------------------------ visit texts
    def _visit_texts(self, f: CaseFacts) -> None:
        rng, gen, q, c = self.rng, self.gen, self.q["content"], self.gen.content
        prng, pools = self.prng, self.gen.phen.pools
        rnd = rng.random
        style = gen.styles[f.worker.style]
        layout = gen.layouts[f.worker.style]
        habits = gen.habits[f.worker.worker_id]
        comps = style.components
        ctx = self.ctx
        names = self.names
        assert names is not None
        by_id: dict[str, VisitFacts] = {}
        open_topics = [a.topic for a in f.plan.actions if a.status == "open"] if f.plan else []
        quotes = c.quotes[self.band]
        wf_quotes = [x for x in quotes if x.wf]
        plain_quotes = [x for x in quotes if not x.wf]
        verbal = f.verbal
        teen = f.age >= 13
        parts: list[tuple[str, str]] = []

        def put(component: str) -> None:
            tpl = self._comp(comps, component)
            parts.append((component, tpl[int(rnd() * len(tpl))].format_map(ctx)))

        for v in f.visits:
            by_id[v.visit_id] = v
            if v.copy_of is not None:
                src = by_id[v.copy_of]
                text = src.text
                for old, new in zip(src.dates, self._dates(v.day), strict=True):
                    text = text.replace(old, new)
                v.text = text
                v.dates = self._dates(v.day)
                v.voice, v.wishes, v.observation = src.voice, src.wishes, src.observation
                v.plan_linked, v.analysis = src.plan_linked, src.analysis
                v.next_steps, v.network = src.next_steps, src.network
                v.negatives = list(src.negatives)
                v.name_form, v.tags, v.speakers = src.name_form, list(src.tags), list(src.speakers)
                continue
            v.dates = self._dates(v.day)
            ctx["date"], ctx["date_long"], ctx["date_day"] = v.dates
            ctx["room"] = self.ch(c.rooms)
            ctx["next_date"] = uk_date(gen.cal.add(v.day, self.ri(5, 15)))
            v.name_form = names.habit if prng.random() < 0.8 else "registered"
            ctx["name"] = names.text(v.name_form)
            parts.clear()
            if (
                v.seen
                and verbal
                and f.age >= 5
                and not v.events
                and habits.letters
                and prng.random() < habits.letters
            ):
                self._letter(f, v, open_topics)
                continue

            put("open")
            topic = None
            if f.plan and open_topics and v.seen and rnd() < 0.1 + 0.78 * q:
                topic = gen.records.topics[self.ch(open_topics)]
                ctx["plan_phrase"] = self._pick(topic.purpose)
                noun = self._pick(topic.noun)
                ctx["plan_noun"], ctx["Plan_noun"] = noun, capitalise(noun)
                if prng.random() < 0.4:  # tied to the plan by a meeting's decision
                    self._decision(f, v, topic)
                    parts.append(
                        ("purpose_decision", self._pchoice(self._comp(comps, "purpose_decision")))
                    )
                    v.tags.append("plan_by_decision")
                else:
                    put("purpose_plan")
                v.plan_linked = True
            elif rnd() < 0.7:
                put("purpose_generic")
            if not v.seen:
                reasons = c.not_seen_reasons_baby if f.age < 4 else c.not_seen_reasons
                reason = self.ch(reasons)
                ctx["reason"] = self._fmt(reason.text)
                put("not_seen")
                if reason.refused:
                    v.voice = "attempted_not_obtained"
                    v.refused = True
                elif teen:
                    self._out_of_reach(f, v, parts, comps)
                if rnd() < 0.3:
                    self._neg_parent(v, parts, comps)
                    v.negatives.append("parent_words")
                if rnd() < 0.5 + 0.4 * q:
                    self._put_lc(parts, comps, "next_steps", "next", c.next)
                    v.next_steps = True
                put("close")
                v.text = self._finish(v, layout, parts, habits)
                continue
            put("seen_alone" if v.seen_alone else "seen_with")
            # home
            r = rng.random()
            if r < 0.55:
                self._put_lc(parts, comps, "home_desc", "home", c.home[self.home_kind])
            if r > 0.4:
                opinions = pools.no_concerns if prng.random() < 0.3 else c.opinions
                self._put_lc(parts, comps, "home_opinion", "opinion", opinions)
                v.negatives.append("bare_opinion")
            # the child
            voice_parts: list[tuple[str, str]] = []
            if not verbal:
                if f.comm == "nonverbal":
                    put("nonverbal")
                if rng.random() < 0.2 + 0.65 * q:
                    if f.comm == "preverbal" and prng.random() < 0.35:
                        ctx["babble"] = self._pchoice(pools.babble)
                        comp = "obs_babble"
                        v.tags.append("babble")
                    else:
                        pool = c.obs_specific["baby" if f.comm == "preverbal" else "nonverbal"]
                        ctx["obs"], ctx["obs_lc"] = self._pick_lc(pool)
                        comp = "obs_specific"
                    voice_parts.append((comp, self._fmt(self.ch(self._comp(comps, comp)))))
                    v.voice = "observation"
                    v.observation = True
                elif rng.random() < 0.6:
                    ctx["stock"] = self.ch(c.stock_baby)
                    voice_parts.append(("neg_stock", self._fmt(self.ch(comps["neg_stock"]))))
                    v.negatives.append("stock_phrase")
                if f.comm == "nonverbal" and self.adults and prng.random() < 0.2:
                    self._parent_interprets(v, voice_parts, comps, reads=True)
            else:
                r = rng.random()
                p_direct = 0.1 + 0.45 * q
                p_reported = 0.07 + 0.25 * q
                p_attempt = 0.1 if teen else 0.05
                if r < p_direct + p_reported:
                    v.wishes = rng.random() < 0.25 + 0.6 * q
                    direct = r < p_direct
                    if f.comm in AIDED or (f.comm == "interpreter" and rng.random() < 0.7):
                        v.wishes = True
                        quote = self._fresh(wf_quotes, rnd)
                        ctx["topic"] = self._fmt(quote.topic or "home")
                        ctx["reported"] = self._fmt(quote.r)
                        comp = self._aided(f, v)
                        v.voice = "direct"
                    else:
                        quote = self._fresh(wf_quotes if v.wishes else plain_quotes, rnd)
                        ctx["quote"] = self._fmt(quote.d)
                        ctx["reported"] = self._fmt(quote.r)
                        ctx["topic"] = self._fmt(quote.topic or "")
                        comp = ("voice_direct" if direct else "voice_reported") + (
                            "_wf" if v.wishes else ""
                        )
                        channel = prng.random()
                        if teen and channel < 0.15:
                            self._message(v, v.wishes)
                            comp = "voice_text"
                        elif self.adults and channel < 0.15 + (0.15 if teen else 0.0):
                            ctx["topic"] = ctx["topic"] or "home"
                            comp = "voice_relay"
                            v.tags.append("carer_relays")
                            v.speakers.append((self._role(self.ctx["Carer"]), "relays", ""))
                            v.speakers.append(("child", "relayed", ctx["quote"]))
                            v.voice = "reported"
                        else:
                            v.voice = "direct" if direct else "reported"
                            if direct:
                                v.speakers.append(("child", "quoted", ctx["quote"]))
                                self.said.append((v.day, ctx["quote"]))
                            else:
                                v.speakers.append(("child", "reported", ctx["reported"]))
                    voice_parts.append((comp, self._fmt(self.ch(self._comp(comps, comp)))))
                    if comp == "voice_interpreter" and self._planted_hit():
                        voice_parts[-1] = (comp, self._fmt(self._planted_phrasing()))
                        v.tags.append("planted_interpreter_account")
                elif r < p_direct + p_reported + p_attempt:
                    phrasing = self._fmt(self.ch(comps["attempt"]))
                    if prng.random() < 0.5:
                        phrasing = self._pchoice(pools.attempt_more)
                    voice_parts.append(("attempt", phrasing))
                    v.voice = "attempted_not_obtained"
                    v.negatives.append("attempt")
                interpreted = "interpreter" in v.tags
                if (
                    f.comm == "interpreter"
                    and not interpreted
                    and self.adults
                    and prng.random() < 0.4
                ):
                    self._parent_interprets(v, voice_parts, comps)
                self._old_words(v, voice_parts, comps)
                if prng.random() < 0.16:  # the child among the speakers only if they speak
                    with_child = f.comm == "speech" and prng.random() < 0.55
                    self._multi_voice(f, v, voice_parts, with_child)
            # hard negatives
            self._negatives(f, v, voice_parts, comps)
            rng.shuffle(voice_parts)
            parts.extend(voice_parts)
            for e in v.events:
                clause = self._event_clause(f, e, v.day)
                ctx["event"], ctx["Event"] = clause, capitalise(clause)
                put("event")
            if rng.random() < 0.08 + 0.8 * q:
                pool = (
                    topic.analysis
                    if topic is not None and rng.random() < 0.6
                    else c.analysis_generic
                )
                if prng.random() < 0.45:  # what it means, in plain words
                    pool = pools.analysis_plain
                    v.tags.append("plain_analysis")
                self._put_lc(parts, comps, "analysis", "analysis", pool)
                v.analysis = True
            elif prng.random() < 0.3:  # a verdict where the analysis should be
                verdict = self._pchoice(pools.pseudo_analysis)
                head = "Analysis: " if prng.random() < 0.4 else ""
                parts.append(("analysis", head + verdict))
                v.tags.append("empty_verdict")
                v.negatives.append("empty_verdict")
            if rng.random() < 0.04 + 0.14 * q:
                self._put_lc(parts, comps, "network", "network", c.network)
                v.network = True
            if rng.random() < 0.3 + 0.6 * q:
                self._put_lc(parts, comps, "next_steps", "next", c.next)
                v.next_steps = True
            put("close")
            v.text = self._finish(v, layout, parts, habits)

    # ------------------------------------------------------------------ phenomena
    def _comp(self, comps: dict[str, list[str]], name: str) -> list[str]:
        """A style's phrasings of a component, or the shared ones (phenomena.yaml)."""
        own = comps.get(name)
        return own if own else self.gen.phen.components[name]

    def _pchoice(self, items: list[str]) -> str:
        """One of ``items``, filled in, drawn from the phenomena stream."""
        return items[int(self.prng.random() * len(items))].format_map(self.ctx)

    def _fresh(self, pool: list[Quote], draw: Callable[[], float]) -> Quote:
        """A quote this child has not said yet (children do not repeat their words on cue; a
        quote seen again is one written in as if new, see :meth:`_old_words`)."""
        fresh = [x for x in pool if x.d not in self.used_quotes] or pool
        quote = fresh[int(draw() * len(fresh))]
        self.used_quotes.add(quote.d)
        return quote

    @staticmethod
    def _role(who: str) -> str:
        return "parent" if who in ("Mum", "Dad", "M", "F") else "carer"

    def _finish(
        self,
        v: VisitFacts,
        layout: VisitLayout,
        parts: list[tuple[str, str]],
        habits: WorkerHabits,
    ) -> str:
        names = self.names
        assert names is not None
        word = self.ctx["name"]
        text = layout.compose(parts, self.rng, word)
        if v.name_form == "intro":
            text = introduce(text, names)
        rx = self.name_rx.get(word)
        if rx is None:
            rx = self.name_rx[word] = re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])")
        if word not in text or not rx.search(text):
            v.name_form = "none"  # the record never names the child
        if habits.dictation and self.prng.random() < habits.dictation:
            text = dictate(text, self.prng)
        if any(t in text for t in _DICTATION_WORDS):
            v.tags.append("dictation")
        if "stock_phrase" in v.negatives or any(x in text for x in self.gen.phen.pools.no_concerns):
            v.tags.append("stock_phrase")
        return text

    def _aided(self, f: CaseFacts, v: VisitFacts) -> str:
        """The child's words through a communication route: the component, with its words in
        the context (labelled direct: signs, symbols, a talker, eye-gaze, an interpreter)."""
        ctx, c, pools, prng = self.ctx, self.gen.content, self.gen.phen.pools, self.prng
        tag = f.comm
        if f.comm == "makaton":
            ctx["signs"] = " ".join(self.rng.sample(c.makaton_signs, 2))
            words, comp = ctx["signs"], "voice_makaton"
        elif f.comm == "app":
            ctx["app_words"] = self.ch(c.app_words)
            words, comp = ctx["app_words"], "voice_app"
        elif f.comm == "bsl":
            ctx["bsl"] = pools.bsl_signs[int(prng.random() * len(pools.bsl_signs))]
            words, comp = ctx["bsl"], "voice_bsl"
        elif f.comm == "pecs":
            ctx["strip"] = pools.pecs_strips[int(prng.random() * len(pools.pecs_strips))]
            words, comp = ctx["strip"], "voice_pecs"
        elif f.comm == "eyegaze":
            ctx["gaze"] = pools.eyegaze_choices[int(prng.random() * len(pools.eyegaze_choices))]
            words, comp = ctx["gaze"], "voice_eyegaze"
        else:
            ctx["language"] = self.ch(c.languages)
            words, comp = ctx["reported"], "voice_interpreter"
        v.tags.append(tag)
        v.speakers.append(("child", tag, words))
        return comp

    def _message(self, v: VisitFacts, wishes: bool) -> None:
        """A young person's text or WhatsApp message quoted (direct)."""
        messages = [m for m in self.gen.phen.pools.messages if m.wf == wishes]
        m = messages[int(self.prng.random() * len(messages))]
        self.ctx["message"] = self._fmt(m.d)
        self.ctx["topic"] = self._fmt(m.topic)
        v.voice = stronger_voice(v.voice, "direct")
        v.tags.append("text_message")
        v.speakers.append(("child", "message", self.ctx["message"]))
        self.said.append((v.day, self.ctx["message"]))

    def _out_of_reach(
        self, f: CaseFacts, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        """A young person not seen: the worker's texts and calls, and what came back."""
        x = self.prng.random()
        if x < 0.45:
            parts.append(("attempt_remote", self._pchoice(self._comp(comps, "attempt_remote"))))
            v.voice = "attempted_not_obtained"
            v.tags.append("remote_attempt")
        elif x < 0.6:
            self._message(v, self.prng.random() < 0.5)
            parts.append(("voice_text", self._pchoice(self._comp(comps, "voice_text"))))
        elif x < 0.7:
            self._emoji(v, parts, comps)

    def _emoji(
        self, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        self.ctx["emoji"] = self._pchoice(self.gen.phen.pools.emoji)
        parts.append(("neg_emoji", self._pchoice(self._comp(comps, "neg_emoji"))))
        v.tags.append("emoji")
        v.negatives.append("emoji")
        v.speakers.append(("child", "emoji", self.ctx["emoji"]))

    def _parent_interprets(
        self,
        v: VisitFacts,
        parts: list[tuple[str, str]],
        comps: dict[str, list[str]],
        reads: bool = False,
    ) -> None:
        """A parent or carer interpreting for the child, or (``reads``) saying what a
        non-verbal child's sounds mean: not the child's voice."""
        ctx = self.ctx
        ctx["parent"] = self.adults[int(self.prng.random() * len(self.adults))]
        ctx["speech"] = self._pchoice(self.gen.phen.pools.parent_speech)
        comp = "neg_parent_reads" if reads else "neg_parent_interprets"
        parts.append((comp, self._pchoice(self._comp(comps, comp))))
        v.tags.append("parent_interprets")
        v.negatives.append("parent_interpreting")
        v.speakers.append((self._role(ctx["parent"]), "interprets", ctx["speech"]))

    def _old_words(
        self, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        """Words the child said two or more months ago, written in again as if new (not voice)."""
        old = [w for day, w in self.said if (v.day - day).days >= 60]
        if not old or self.prng.random() >= 0.12:
            return
        ctx = self.ctx
        ctx["old_quote"] = old[int(self.prng.random() * len(old))]
        if self.prng.random() < 0.5:
            ctx["quote"] = ctx["old_quote"]
            comp, tpl = "voice_direct", self._pchoice(comps["voice_direct"])
        else:
            comp, tpl = "old_words", self._pchoice(self._comp(comps, "old_words"))
        parts.append((comp, tpl))
        v.tags.append("old_words")
        v.negatives.append("old_words_repeated")
        v.speakers.append(("child", "old", ctx["old_quote"]))

    def _decision(self, f: CaseFacts, v: VisitFacts, topic: TopicDef) -> None:
        """The plan meeting whose decision the visit follows up, in the context."""
        plan = f.plan
        assert plan is not None
        held = [d for d in plan.reviews if d < v.day]
        day = held[-1] if held else plan.start
        ctx = self.ctx
        ctx["forum_date"], ctx["forum_month"] = day_month(day), month_name(day)
        forum = self._pchoice(self.gen.phen.pools.forums[plan.plan_type])
        ctx["forum"], ctx["forum_cap"] = forum, capitalise(forum)
        ctx["decision"] = self._pchoice(topic.decision)

    def _multi_voice(
        self, f: CaseFacts, v: VisitFacts, parts: list[tuple[str, str]], with_child: bool
    ) -> None:
        """Several people quoted in one passage, each attributed; the child among them or not."""
        prng, pools, ctx = self.prng, self.gen.phen.pools, self.ctx
        cast: list[tuple[str, str, str]] = []  # (role, who, words)
        if self.adults:
            who = self.adults[int(prng.random() * len(self.adults))]
            if prng.random() < 0.5:
                line = self._pchoice(pools.carer_lines)
            else:
                items = self.gen.content.parent_items
                line = self._fmt(items[int(prng.random() * len(items))].q)
            cast.append((self._role(who), who, line))
        if self.siblings and prng.random() < 0.6:
            sib, _ = self.siblings[int(prng.random() * len(self.siblings))]
            cast.append(("sibling", sib, self._pchoice(self.gen.content.sibling_items)))
        if len(cast) < 2 or prng.random() < 0.4:
            present = capitalise(self._pchoice(pools.worker_present))
            cast.append(("professional", present, self._pchoice(pools.worker_lines)))
        if with_child:
            pool = self.gen.content.quotes[self.band]
            quote = self._fresh(pool, prng.random)
            words = self._fmt(quote.d)
            cast.insert(1 + int(prng.random() * len(cast)), ("child", ctx["name"], words))
            v.voice = stronger_voice(v.voice, "direct")
            v.wishes = v.wishes or quote.wf
            self.said.append((v.day, capitalise(words)))
        out = []
        for role, who, words in cast:
            verb = self._pchoice(pools.say_verbs)
            x = prng.random()
            line = capitalise(words)
            after = lower_first(who) if who.startswith(("The ", "A ")) else who
            if x < 0.45:
                out.append(f'{who} {verb}, "{line}."')
            elif x < 0.8 and verb in ("said", "added", "replied", "answered", "muttered"):
                out.append(f'"{line}," {verb} {after}.')
            elif x < 0.9:
                out.append(f'"{line}," {after} {verb}.')
            else:
                out.append(f'{who}: "{line}".')
            v.speakers.append((role, "quoted", line))
        parts.append(("multi_voice", " ".join(out)))
        v.tags.append("multi_speaker")

    def _letter(self, f: CaseFacts, v: VisitFacts, open_topics: list[str]) -> None:
        """The visit record written as a letter to the child ("you told me..." is direct)."""
        gen, prng, q = self.gen, self.prng, self.q["content"]
        names = self.names
        assert names is not None
        letter = gen.phen.letter
        saved = dict(self.ctx)
        ctx = self.ctx
        if names.nickname and names.habit in ("nickname", "intro"):
            ctx["name"], v.name_form = names.nickname, "nickname"
        else:
            ctx["name"], v.name_form = names.registered, "registered"
        pick = self._pchoice
        # the plan's words speak of the child in the third person; the letter, to "you"
        purpose = letter.purpose_generic if prng.random() < 0.6 else []
        if f.plan and open_topics and prng.random() < 0.1 + 0.78 * q:
            topic = gen.records.topics[open_topics[int(prng.random() * len(open_topics))]]
            ctx["plan_phrase"] = pick(topic.purpose)
            purpose = letter.purpose_plan
            if prng.random() < 0.4:
                self._decision(f, v, topic)
                purpose = letter.purpose_decision
                v.tags.append("plan_by_decision")
            v.plan_linked = True
        ctx.update(PRONOUNS["you"])
        paras = [pick(letter.open)]
        first = [pick(letter.visit)]
        if purpose:
            first.append(pick(purpose))
        paras.append(" ".join(first))
        talk = [pick(letter.seen_alone if v.seen_alone else letter.seen_with)]
        r = prng.random()
        if r < 0.25 + 0.55 * q:
            wishes = prng.random() < 0.35 + 0.55 * q
            quotes = [x for x in gen.content.quotes[self.band] if x.wf == wishes]
            quote = self._fresh(quotes, prng.random)
            ctx["quote"], ctx["reported"] = self._fmt(quote.d), self._fmt(quote.r)
            ctx["topic"] = self._fmt(quote.topic or "how things are")
            if prng.random() < 0.6:
                talk.append(pick(letter.voice_direct))
                v.speakers.append(("child", "quoted", ctx["quote"]))
                self.said.append((v.day, ctx["quote"]))
            else:
                talk.append(pick(letter.voice_reported))
                v.speakers.append(("child", "you_said", ctx["reported"]))
            v.voice, v.wishes = "direct", wishes
            v.tags.append("letter_you_said")
        elif r < 0.35 + 0.55 * q:
            talk.append(pick(letter.attempt))
            v.voice = "attempted_not_obtained"
            v.negatives.append("attempt")
        if self.adults and prng.random() < 0.2:
            items = gen.content.parent_items
            item = items[int(prng.random() * len(items))]
            ctx["parent"] = self.adults[int(prng.random() * len(self.adults))]
            ctx["parent_quote"], ctx["parent_report"] = self._fmt(item.q), self._fmt(item.r)
            tpl = letter.neg_parent[int(prng.random() * len(letter.neg_parent))]
            talk.append(self._fmt(tpl))
            quoted = "{parent_quote}" in tpl
            words = ctx["parent_quote"] if quoted else ctx["parent_report"]
            how = "quoted" if quoted else "reported"
            v.speakers.append((self._role(ctx["parent"]), how, words))
            v.negatives.append("parent_words")
        paras.append(" ".join(talk))
        if prng.random() < 0.08 + 0.8 * q:
            paras.append(pick(letter.analysis))
            v.analysis = True
            v.tags.append("plain_analysis")
        if prng.random() < 0.3 + 0.6 * q:
            paras.append(pick(letter.next))
            v.next_steps = True
        paras.append(pick(letter.close))
        v.text = "\n\n".join(paras)
        v.tags.append("letter")
        self.ctx.clear()
        self.ctx.update(saved)

    def _dates(self, d: date) -> tuple[str, str, str]:
        day = ordinal(d.day)
        month = month_name(d)
        return (
            f"{d.day:02d}/{d.month:02d}/{d.year}",
            f"{day} {month} {d.year}",
            f"{day} of {month}",
        )

    def _neg_parent(
        self, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        ctx = self.ctx
        item = self.ch(self.gen.content.parent_items)
        ctx["parent"] = self.ch(self.adults)
        ctx["parent_quote"] = self._fmt(item.q)
        ctx["parent_report"] = self._fmt(item.r)
        tpl = self.ch(comps["neg_parent"])
        parts.append(("neg_parent", self._fmt(tpl)))
        quoted = "{parent_quote}" in tpl
        words = ctx["parent_quote"] if quoted else ctx["parent_report"]
        v.speakers.append((self._role(ctx["parent"]), "quoted" if quoted else "reported", words))

    def _negatives(
        self, f: CaseFacts, v: VisitFacts, parts: list[tuple[str, str]], comps: dict[str, list[str]]
    ) -> None:
        ctx, c, ch, rnd = self.ctx, self.gen.content, self.ch, self.rng.random
        prng, pools = self.prng, self.gen.phen.pools
        negatives = v.negatives
        none_voice = v.voice == "none"
        verbal = f.verbal
        if rnd() < 0.25:
            self._neg_parent(v, parts, comps)
            negatives.append("parent_words")
        if self.siblings and rnd() < 0.1:
            ctx["sib"], ctx["sib_rel"] = ch(self.siblings)
            ctx["sib_quote"] = ch(c.sibling_items)
            parts.append(("neg_other_child", ch(comps["neg_other_child"]).format_map(ctx)))
            negatives.append("other_child_words")
            v.speakers.append(("sibling", "quoted", ctx["sib_quote"]))
        if rnd() < 0.12:
            ctx["prof"] = ch(self.profs)
            ctx["prof_account"] = ch(c.prof_accounts).format_map(ctx)
            parts.append(("neg_professional", ch(comps["neg_professional"]).format_map(ctx)))
            negatives.append("professional_account")
            v.speakers.append(("professional", "reported", ctx["prof_account"]))
        if f.age >= 3 and rnd() < 0.08:
            ctx["hypo"] = ch(c.hypotheticals).format_map(ctx)
            parts.append(("neg_hypothetical", ch(comps["neg_hypothetical"]).format_map(ctx)))
            negatives.append("hypothetical")
        if verbal and rnd() < 0.07 and (v.day - f.hist_start).days > 120:
            past = v.day - timedelta(days=self.ri(60, 110))
            ctx["month"] = month_name(past)
            ctx["history"] = ch(c.history_items).format_map(ctx)
            parts.append(("neg_history", ch(comps["neg_history"]).format_map(ctx)))
            negatives.append("history")
        if rnd() < (0.3 if none_voice else 0.12):
            parts.append(("neg_name_object", ch(comps["neg_name_object"]).format_map(ctx)))
            negatives.append("name_as_object")
        if verbal and rnd() < (0.35 if none_voice else 0.1):
            ctx["stock"] = ch(pools.more_stock if prng.random() < 0.4 else c.stock)
            ctx["stock"] = ctx["stock"].format_map(ctx)
            parts.append(("neg_stock", ch(comps["neg_stock"]).format_map(ctx)))
            negatives.append("stock_phrase")
        if verbal and rnd() < 0.08:
            parts.append(("neg_greeting", ch(comps["neg_greeting"]).format_map(ctx)))
            negatives.append("greeting")
        if self.adults and prng.random() < 0.1:
            ctx["parent"] = self.adults[int(prng.random() * len(self.adults))]
            ctx["view"] = self._pchoice(pools.carer_views)
            parts.append(("neg_carer_view", self._pchoice(self._comp(comps, "neg_carer_view"))))
            negatives.append("carer_account")
            v.speakers.append((self._role(ctx["parent"]), "view", ctx["view"]))
        if f.age >= 13 and prng.random() < 0.05:
            self._emoji(v, parts, comps)

    # ------------------------------------------------------------------ summary
    def _summary_text(self, f: CaseFacts) -> None:
        s = f.summary
        self.ctx["name"] = f.name
        if s is None:
            return
        rng, q, gen = self.rng, self.q["summary"], self.gen
        spec = gen.records.summary
        ctx = self.ctx
        names = (
            self.topics or [n for n, t in gen.records.topics.items() if f.status in t.statuses][:2]
        )
        topics = [gen.records.topics[t] for t in names]
        r = rng.random()
        if r < 0.3 + 0.6 * q:
            band, target = "succinct", self.ri(170, 560)
        elif r < 0.3 + 0.6 * q + 0.5 * (0.7 - 0.6 * q):
            band, target = "short", self.ri(25, 135)
        else:
            band, target = "long", self.ri(830, 1900)
        style = gen.styles[f.worker.style]
        headed = style.layout in ("headings", "bullets")
        background = self._pick(spec.background[f.status])
        if f.comm == "nonverbal":
            background += f" {f.name} is non-verbal and communicates through sounds and gestures."
        blocks: list[str] = [background]
        p_part = 1.0 if rng.random() < q**1.3 else 0.1 + 0.5 * q
        parts: list[str] = []
        if rng.random() < p_part:
            worry = "; ".join(self._pick(t.worry) for t in topics[:2])
            blocks.append(self._block(self.ch(spec.worries_head), capitalise(worry) + ".", headed))
            parts.append("worries")
        if rng.random() < p_part:
            strength = "; ".join(self._pick(t.strength) for t in topics[:2])
            blocks.append(
                self._block(self.ch(spec.strengths_head), capitalise(strength) + ".", headed)
            )
            parts.append("strengths")
        if rng.random() < p_part:
            who = []
            for t in topics[:3]:
                owner = self._fmt(self.ch(gen.records.owners[t.owner]))
                due = gen.cal.next_working(s.day + timedelta(days=self.ri(20, 120)))
                who.append(f"{owner} will {self._pick(t.specific)} by {uk_date(due)}")
            blocks.append(self._block(self.ch(spec.plan_head), "; ".join(who) + ".", headed))
            parts.append("who_does_what_by_when")
        if rng.random() < p_part - 0.1:
            blocks.append(self._pick(spec.contingency))
            parts.append("contingency")
        # voice
        r = rng.random()
        voice = "none"
        if f.verbal:
            quote = self.ch([x for x in gen.content.quotes[self.band] if x.wf])
            ctx["quote"], ctx["reported"] = self._fmt(quote.d), self._fmt(quote.r)
            if r < 0.1 + 0.4 * q:
                voice = "direct"
                blocks.append(self._pick(spec.voice_direct))
            elif r < 0.2 + 0.6 * q:
                voice = "reported"
                blocks.append(self._pick(spec.voice_reported))
            elif r < 0.45 + 0.5 * q:
                voice = "generic"
                blocks.append(self._pick(spec.voice_generic))
        else:
            if r < 0.15 + 0.6 * q:
                voice = "observation"
                pool = gen.content.obs_specific["baby" if f.comm == "preverbal" else "nonverbal"]
                ctx["obs"], ctx["obs_lc"] = self._pick_lc(pool)
                blocks.append(self._pick(spec.voice_observation))
            elif r < 0.45 + 0.4 * q:
                voice = "generic"
                blocks.append(self._pick(spec.voice_generic))
        if voice in ("direct", "reported", "observation") and rng.random() < 0.2 + 0.5 * q:
            topic = self.ch(topics)
            observed = [x for t in topics for x in t.observed] or [
                x for t in gen.records.topics.values() for x in t.observed
            ]
            wish = self._pick(topic.wish if f.verbal else observed)
            ctx["wish"], ctx["Wish"] = wish, capitalise(wish)
            ctx["plan_change"] = self._pick(spec.plan_change)
            blocks.append(self._pick(spec.shaped))
            s.shaped = True
        for e in s.events:
            blocks.append(capitalise(self._event_clause(f, e, s.day, explicit=True)) + ".")
        text = "\n\n".join(blocks) if headed else " ".join(blocks)
        words = len(text.split())
        fill = [self._fmt(x) for x in spec.filler]
        fill_words = [len(x.split()) for x in fill]
        again = (
            "As noted above, ",
            "Again, ",
            "It is worth repeating that ",
            "As previously recorded, ",
        )
        extra: list[str] = []
        i = 0
        order = rng.sample(range(len(fill)), len(fill))
        while words < target or _near_band_edge(words):
            k = order[i % len(order)]
            sentence = fill[k]
            n_words = fill_words[k]
            if i >= len(order):
                prefix = self.ch(again)
                sentence = prefix + lower_first(sentence)
                n_words += len(prefix.split())
            extra.append(sentence)
            words += n_words
            i += 1
            if band == "short" and words >= 140 and not _near_band_edge(words):
                break
        if extra:
            insert = 1 if len(blocks) > 1 else len(blocks)
            filler_text = " ".join(extra)
            if headed:
                blocks.insert(insert, filler_text)
                text = "\n\n".join(blocks)
            else:
                blocks.insert(insert, filler_text)
                text = " ".join(blocks)
        if style.abbreviate:
            text = abbreviate(text)
        s.text = text
        s.words = len(text.split())
        s.parts = parts
        s.voice = voice
        s.voice_sentences = (voice in ("direct", "reported", "observation")) + s.shaped
        if f.older_summary is not None:
            sid, day, _ = f.older_summary
            f.older_summary = (
                sid,
                day,
                self._pick(spec.background[f.status])
                + " "
                + " ".join(self._fmt(x) for x in fill[:4]),
            )

    def _block(self, head: str, body: str, headed: bool) -> str:
        return f"{head}:\n{body}" if headed else f"{head}: {body}"

    # ------------------------------------------------------------------ supervision
    def _supervision_texts(self, f: CaseFacts) -> None:
        rng, gen, ctx = self.rng, self.gen, self.ctx
        spec = gen.records.supervision
        if self.names is not None:
            ctx["name"] = self.names.text(self.names.habit)
        for s in f.supervision:
            lines = [f"Supervision {uk_date(s.day)}."]
            if s.reflective:
                lines.extend(self._fmt(x) for x in rng.sample(spec.reflective, self.ri(1, 2)))
            else:
                lines.extend(
                    spec.list[j]
                    for j in sorted({self.ri(0, len(spec.list) - 1) for _ in range(self.ri(1, 3))})
                )
            for e in s.events:
                lines.append(capitalise(self._event_clause(f, e, s.day, explicit=True)) + ".")
            if s.actions_owned:
                ctx["due"] = uk_date(gen.cal.add(s.day, self.ri(5, 20)))
                acts = [self._fmt(x) for x in rng.sample(spec.actions_owned, self.ri(1, 2))]
                s.actions = [True] * len(acts)
                crng, q = self.crng, self.q["supervision"]
                for i in range(len(acts)):
                    if spec.actions_untimed and crng.random() < 0.4 * (1 - q):
                        pool = spec.actions_untimed
                        acts[i] = self._fmt(pool[int(crng.random() * len(pool))])
                        s.actions[i] = False
                if len(set(acts)) < len(acts):  # the same untimed line twice reads as one
                    acts, s.actions = acts[:1], s.actions[:1]
                lines.append("Actions: " + " ".join(acts))
            else:
                lines.append(self.ch(spec.actions_unowned))
            s.text = " ".join(lines) if rng.random() < 0.6 else "\n".join(lines)

    # ------------------------------------------------------------------ genogram
    def _genogram(self, f: CaseFacts) -> None:
        rng, q, gen = self.rng, self.q["genogram"], self.gen
        self.ctx["name"] = f.name
        if rng.random() >= 0.6 + 0.38 * q:
            return
        if rng.random() < 0.3 + 0.65 * q:
            day = gen.as_of - timedelta(days=self.ri(5, 350))
        else:
            day = gen.as_of - timedelta(days=self.ri(380, 900))
        p = 0.2 + 0.75 * q
        both = rng.random() < p
        three = rng.random() < p
        named = rng.random() < p
        many = rng.random() < p
        c, ctx, prng = gen.content, self.ctx, self.prng
        child_sn, mum_sn, maiden, dad_sn = self.family_names
        names = self.names
        assert names is not None

        def other_surname() -> str:
            return c.surnames[int(prng.random() * len(c.surnames))]

        subject = "child" if prng.random() < 0.6 else "subject child"
        members: list[dict[str, object]] = [
            {"name": names.full, "relationship": subject, "side": "other", "generation": 0},
            {
                "name": f"{ctx['mum']} {mum_sn}",
                "relationship": "mother",
                "side": "maternal",
                "generation": 1,
            },
        ]
        if both:
            members.append(
                {
                    "name": f"{ctx['dad']} {dad_sn}",
                    "relationship": "father",
                    "side": "paternal",
                    "generation": 1,
                }
            )
        if three:
            members.append(
                {
                    "name": f"{self.ch(c.adult_female)} {maiden}",
                    "relationship": "maternal grandmother",
                    "side": "maternal",
                    "generation": 2,
                }
            )
            if both:
                members.append(
                    {
                        "name": f"{self.ch(c.adult_male)} {dad_sn}",
                        "relationship": "paternal grandfather",
                        "side": "paternal",
                        "generation": 2,
                    }
                )
        if many:
            for sname, rel in self.siblings:
                surname = other_surname() if rel.startswith("half") else child_sn
                members.append(
                    {
                        "name": f"{sname} {surname}",
                        "relationship": rel,
                        "side": "other",
                        "generation": 0,
                    }
                )
            extras = [
                ("maternal aunt", "maternal", 1, c.adult_female, maiden),
                ("maternal uncle", "maternal", 1, c.adult_male, maiden),
                ("cousin", "maternal", 0, c.child_names, ""),
            ]
            if both:
                extras.insert(1, ("paternal aunt", "paternal", 1, c.adult_female, dad_sn))
            if three:
                extras.append(("maternal grandfather", "maternal", 2, c.adult_male, maiden))
            for rel, side, gen_n, pool, surname in extras:
                if len(members) >= 6 + self.ri(0, 3):
                    break
                first = self.ch(pool)
                members.append(
                    {
                        "name": f"{first} {surname or other_surname()}",
                        "relationship": rel,
                        "side": side,
                        "generation": gen_n,
                    }
                )
        else:
            members = members[:5]
        if not named:
            for m in rng.sample(members[1:], min(len(members) - 1, self.ri(1, 2))):
                m["relationship"] = ""
        network = rng.random() < 0.15 + 0.6 * q
        spec = gen.records.genogram
        notes = self._pick(spec.notes_network if network else spec.notes_plain)
        if not network and rng.random() < 0.3:
            notes = ""
        discussed_with = 2 if network else 0
        if not network and spec.notes_one_person and self.crng.random() < 0.3:
            pool = spec.notes_one_person
            notes = self._fmt(pool[int(self.crng.random() * len(pool))])
            discussed_with = 1
        if names.nickname and names.habit in ("nickname", "intro") and prng.random() < 0.5:
            reg, nick = names.registered, names.nickname
            known = (
                f"{reg} is known as {nick}.",
                f"{reg} prefers to be called {nick}.",
                f"Everyone calls {reg} {nick}.",
                f"{reg} goes by {nick}.",
            )[int(prng.random() * 4)]
            notes = f"{notes} {known}" if notes else known
        older = None
        if rng.random() < 0.1:
            older = (day - timedelta(days=self.ri(200, 500)), members[:2], "")
        f.genogram = GenogramFacts(
            day=day,
            members=members,
            network=network,
            notes=notes,
            older=older,
            discussed_with=discussed_with,
        )


def _near_band_edge(words: int) -> bool:
    """True within 4 words of an S2 length boundary in the rubric (so the key never sits on
    an edge where two ways of counting words could disagree)."""
    return any(abs(words - edge) <= 4 for edge in s2_word_edges())


@lru_cache(maxsize=1)
def s2_word_edges() -> tuple[int, ...]:
    """S2's word-count boundaries, read from the rubric's parameters for S2."""
    from notereview.checks._rubric import load_rubric

    p = next(c.params for c in load_rubric().checks if c.criterion == "S2")
    return (p.min_words, p.met_max_words, p.partly_max_words)


def genogram_members_json(members: list[dict[str, object]]) -> str:
    return json.dumps(members, ensure_ascii=False)


__all__ = [
    "SIGNIFICANT_EVENTS",
    "CaseBuilder",
    "CaseFacts",
    "Deadline",
    "GenContext",
    "add_months",
    "genogram_members_json",
]
