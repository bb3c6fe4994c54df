"""The closed words every part of notereview shares: themes, criteria, statuses and grades.

One place, typed, in the rubric's order (DESIGN.md's table and ``checks/rubric.yaml``; a test
holds the two to each other). Each word list is a ``Literal`` type for annotations and an
ordered tuple, read from the type, for loops, validation and column order.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, get_args

#: The rubric's themes, in the rubric's order.
Theme = Literal[
    "visits",
    "voice",
    "case_summary",
    "chronology",
    "plans",
    "genogram",
    "oversight",
]
THEMES: tuple[Theme, ...] = get_args(Theme)

#: The rubric's criteria, theme by theme, in the rubric's order.
Criterion = Literal[
    "V1", "V2", "V3", "V4", "V5",
    "C1", "C2", "C3", "C4",
    "S1", "S2", "S3", "S4",
    "H1", "H2", "H3", "H4",
    "P1", "P2", "P3",
    "G1", "G2", "G3",
    "M1", "M2", "M3",
]  # fmt: skip
CRITERIA: tuple[Criterion, ...] = get_args(Criterion)

#: Each theme's criteria share a first letter.
_THEME_OF_LETTER: Mapping[str, Theme] = {
    "V": "visits",
    "C": "voice",
    "S": "case_summary",
    "H": "chronology",
    "P": "plans",
    "G": "genogram",
    "M": "oversight",
}
#: The theme each criterion belongs to.
CRITERION_THEME: Mapping[Criterion, Theme] = MappingProxyType(
    {c: _THEME_OF_LETTER[c[0]] for c in CRITERIA}
)
#: Each theme's criteria, in order.
THEME_CRITERIA: Mapping[Theme, tuple[Criterion, ...]] = MappingProxyType(
    {t: tuple(c for c in CRITERIA if CRITERION_THEME[c] == t) for t in THEMES}
)

#: The kinds of the child's voice a record holds, strongest first (a visit's label is the
#: strongest it holds).
VoiceKind = Literal["direct", "reported", "observation", "attempted_not_obtained", "none"]
VOICE_KINDS: tuple[VoiceKind, ...] = get_args(VoiceKind)

#: A finding's status against its criterion.
Status = Literal["met", "partly_met", "not_met", "not_applicable"]
STATUSES: tuple[Status, ...] = get_args(Status)

#: The auditors' four-point scale, weakest first (index = ordinal value).
Grade = Literal["inadequate", "requires_improvement", "good", "outstanding"]
GRADES: tuple[Grade, ...] = get_args(Grade)

#: An auditor's verdict on one finding of the reviewer.
Verdict = Literal["agree", "disagree"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)

#: Significant events a chronology records (``significant_event:<code>`` cues), in one order.
SignificantEvent = Literal[
    "police_call_out",
    "hospital_attendance",
    "missing_episode",
    "placement_move",
    "strategy_discussion",
    "section_47",
    "cp_conference",
    "court_hearing",
    "school_exclusion",
    "new_adult_in_household",
    "arrest",
    "self_harm",
    "domestic_abuse",
    "home_lost",
]
SIGNIFICANT_EVENTS: tuple[SignificantEvent, ...] = get_args(SignificantEvent)

__all__ = [
    "CRITERIA",
    "CRITERION_THEME",
    "GRADES",
    "SIGNIFICANT_EVENTS",
    "STATUSES",
    "THEMES",
    "THEME_CRITERIA",
    "VERDICTS",
    "VOICE_KINDS",
    "Criterion",
    "Grade",
    "SignificantEvent",
    "Status",
    "Theme",
    "Verdict",
    "VoiceKind",
]
