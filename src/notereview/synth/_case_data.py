"""The generator's weights and word lists for one child: how legal statuses, ages and
significant events are drawn, and the stock professionals and dictation words. Data, no logic."""

from __future__ import annotations

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
