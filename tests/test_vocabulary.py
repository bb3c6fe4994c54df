"""The one vocabulary agrees with the rubric file it is read from, in the rubric's order."""

from __future__ import annotations

from importlib import resources

import yaml

from notereview.checks._finding import STATUS_RANGE
from notereview.vocabulary import (
    CRITERIA,
    CRITERION_THEME,
    GRADES,
    STATUSES,
    THEME_CRITERIA,
    THEMES,
    VOICE_KINDS,
)


def _rubric_file() -> dict:
    raw = resources.files("notereview.checks").joinpath("rubric.yaml").read_text("utf-8")
    return yaml.safe_load(raw)


def test_themes_and_criteria_are_the_rubric_files_in_its_order():
    rubric = _rubric_file()
    assert tuple(rubric["themes"]) == THEMES
    assert tuple(rubric["criteria"]) == CRITERIA


def test_each_criterion_belongs_to_the_rubric_files_theme():
    rubric = _rubric_file()
    assert {c: spec["theme"] for c, spec in rubric["criteria"].items()} == dict(CRITERION_THEME)


def test_theme_criteria_partition_the_criteria_in_order():
    assert tuple(c for t in THEMES for c in THEME_CRITERIA[t]) == CRITERIA


def test_every_status_has_a_score_range():
    assert tuple(STATUS_RANGE) == STATUSES


def test_grades_run_weakest_first_as_the_rubric_bands():
    from notereview.checks._rubric import load_rubric

    rubric = load_rubric()
    bands = [rubric.band(s) for s in (0.0, 0.6, 1.0)]
    assert bands == list(GRADES[:3])


def test_every_registered_check_judges_a_criterion_of_its_theme():
    from notereview.checks import registered

    for name, check_type in registered().items():
        assert check_type.criterion in CRITERIA, name
        assert check_type.theme == CRITERION_THEME[check_type.criterion], name


def test_the_readers_voice_order_is_the_vocabularys():
    from notereview.checks._context import VOICE_ORDER

    assert VOICE_ORDER == VOICE_KINDS
