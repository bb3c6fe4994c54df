"""The generator's data files: validated, every placeholder known, styles really distinct."""

from __future__ import annotations

import itertools
import string

from notereview.synth import STYLE_NAMES
from notereview.synth._data import (
    COMPONENT_SLOTS,
    SLOTS,
    content_file,
    phenomena_file,
    records_file,
    styles_file,
)

KNOWN_PLACEHOLDERS = {
    "Carer", "Event", "He", "His", "Plan_noun", "Wish", "age_phrase", "analysis", "analysis_lc",
    "app_words", "carer", "carer_name", "category", "dad", "date", "date_day", "date_long",
    "does", "due", "es", "event", "has", "he", "him", "himself", "his", "history", "home",
    "home_lc", "hypo", "ies", "is", "language", "month", "mum", "name", "network",
    "network_lc", "next", "next_date", "next_lc", "obs", "obs_lc", "opinion", "opinion_lc",
    "parent", "parent_quote", "parent_report", "place", "place_noun", "plan_change",
    "plan_name", "plan_noun", "plan_phrase", "prof", "prof_account", "quote", "reason",
    "reported", "room", "s", "scale", "school", "setting", "sib", "sib_quote", "sib_rel",
    "signs", "since", "stock", "team", "topic", "was", "when", "wish", "year_group",
    # phenomena.yaml
    "babble", "bsl", "decision", "due_long", "due_month", "due_uk", "emoji", "forum",
    "forum_cap", "forum_date", "forum_month", "gaze", "message", "old_quote", "speech",
    "strip", "view", "weeks",
}


def _fields(value: object) -> set[str]:
    out: set[str] = set()
    if isinstance(value, str):
        out |= {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
    elif isinstance(value, dict):
        for v in value.values():
            out |= _fields(v)
    elif isinstance(value, list | tuple):
        for v in value:
            out |= _fields(v)
    return out


def test_style_names_match_the_data_file() -> None:
    assert tuple(styles_file().styles) == STYLE_NAMES


def test_every_placeholder_is_one_the_generator_fills() -> None:
    for model in (styles_file(), content_file(), records_file(), phenomena_file()):
        assert _fields(model.model_dump()) <= KNOWN_PLACEHOLDERS


def test_layouts_only_use_known_slots() -> None:
    assert set(COMPONENT_SLOTS.values()) <= set(SLOTS)
    for name, style in styles_file().styles.items():
        for para in style.paragraphs or []:
            assert set(para) <= set(SLOTS), name
        for _, slots in style.sections or []:
            assert set(slots) <= set(SLOTS), name


def test_labelled_phrasings_say_what_their_label_means() -> None:
    for name, style in styles_file().styles.items():
        c = style.components
        for t in c["nonverbal"]:
            assert "is non-verbal" in t or "does not use words" in t, name
        for t in c["attempt"]:
            markers = ("did not want", "didnt want", "declined", "chose not", "did not wish",
                       "would not", "Would not")
            assert any(m in t for m in markers), (name, t)
        for comp in ("voice_direct", "voice_direct_wf"):
            for t in c[comp]:
                assert "{quote}" in t, (name, comp)
        for comp in ("voice_reported", "voice_reported_wf", "voice_interpreter"):
            for t in c[comp]:
                assert "{reported}" in t, (name, comp)
        for t in c["purpose_plan"]:
            assert "{plan_phrase}" in t or "{plan_noun}" in t or "{Plan_noun}" in t, name
        for t in c["purpose_generic"]:
            assert "{plan_phrase}" not in t and "{plan_noun}" not in t, name


def test_styles_phrase_components_differently() -> None:
    styles = styles_file().styles
    for a, b in itertools.combinations(styles, 2):
        ta = {t for ts in styles[a].components.values() for t in ts if len(t) > 12}
        tb = {t for ts in styles[b].components.values() for t in ts if len(t) > 12}
        shared = len(ta & tb) / min(len(ta), len(tb))
        assert shared < 0.35, (a, b, shared)
