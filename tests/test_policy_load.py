"""Loading the policy: England defaults, council overrides, validation errors, fingerprint."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from notereview.errors import ConfigError
from notereview.policy import Interval, Policy, deep_merge, load_policy


def _council(tmp_path: Path, text: str, name: str = "council.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _diff(a: Any, b: Any, at: str = "") -> list[str]:
    """Dotted keys where two dumped policies differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            out += _diff(a.get(key), b.get(key), f"{at}.{key}" if at else key)
        return out
    return [] if a == b else [at]


def test_england_defaults_hold_the_design_values() -> None:
    policy = load_policy()
    assert policy.version == "england-2026.1"
    v = policy.visits
    assert v.CP.interval == Interval(working_days=10)
    assert v.CIN.interval == Interval(working_days=20)
    assert v.CL.interval == Interval(weeks=8)
    assert v.LAC.schedule_from == "placement_start"
    assert v.LAC.first_visit == Interval(weeks=1)
    assert v.LAC.first_year_interval == Interval(weeks=6)
    assert v.LAC.long_term_interval == Interval(months=3)
    assert v.LAC.interval == Interval(weeks=6)
    assert v.PF.first_visit == Interval(working_days=7)
    assert v.PF.first_year_interval == Interval(weeks=6)
    assert v.PF.interval == Interval(weeks=12)
    assert v.PF.long_term_interval is None
    assert policy.recording_timescale == Interval(working_days=3)
    assert policy.supervision_interval("CP") == Interval(weeks=4)
    assert {policy.supervision_interval(s) for s in ("CIN", "LAC", "PF", "CL")} == {
        Interval(weeks=6)
    }
    r = policy.plan_reviews
    assert (r.CP.first, r.CP.second, r.CP.then) == (Interval(months=3), None, Interval(months=6))
    assert (r.care.first, r.care.second, r.care.then) == (
        Interval(working_days=20),
        Interval(months=3),
        Interval(months=6),
    )
    assert r.CIN.then == Interval(months=3)
    assert r.pathway.then == Interval(months=6)
    assert policy.summary_max_age_months == 3
    assert policy.summary_not_met_age_months == 6
    assert (
        policy.review_window_days,
        policy.pre_verbal_age_below,
        policy.seen_alone_min_age,
        policy.chronology_window_days,
        policy.chronology_max_gap_days,
        policy.genogram_max_age_months,
        policy.p2_grace_working_days,
        policy.stale_action_working_days,
    ) == (182, 3, 4, 14, 92, 12, 10, 20)
    assert policy.no_access.follow_up == Interval(working_days=5)
    assert policy.no_access.procedure_for == ["CP"]
    assert policy.calendar.holidays_country == "GB"
    assert policy.calendar.holidays_subdiv == "ENG"
    assert policy.calendar.bank_holidays_file is None


def test_defaults_name_their_sources() -> None:
    text = resources.files("notereview.policy").joinpath("england.yaml").read_text("utf-8")
    for source in (
        "Care Planning, Placement and Case Review (England) Regulations 2010, reg. 28",
        "Children (Private Arrangements for Fostering) Regulations 2005",
        "Care Leavers (England) Regulations 2010",
        "Working Together to Safeguard Children 2023",
        "reg. 33",
        "Local policy",
    ):
        assert source in text, source


def test_council_file_changes_cp_interval_and_nothing_else(tmp_path: Path) -> None:
    default = load_policy()
    council = load_policy(_council(tmp_path, "visits:\n  CP:\n    interval: {working_days: 15}\n"))
    assert council.visits.CP.interval == Interval(working_days=15)
    assert _diff(default.model_dump(), council.model_dump()) == ["visits.CP.interval.working_days"]
    assert council.fingerprint() != default.fingerprint()


def test_council_interval_may_change_unit(tmp_path: Path) -> None:
    policy = load_policy(_council(tmp_path, "visits:\n  CP:\n    interval: {weeks: 3}\n"))
    assert policy.visits.CP.interval == Interval(weeks=3)
    assert policy.visits.CP.basis == "CP local policy"


def test_empty_or_restating_council_file_keeps_the_fingerprint(tmp_path: Path) -> None:
    default = load_policy()
    assert load_policy(_council(tmp_path, "")).fingerprint() == default.fingerprint()
    same = _council(
        tmp_path, "review_window_days: 182\nvisits: {CIN: {interval: {working_days: 20}}}\n"
    )
    assert load_policy(same).fingerprint() == default.fingerprint()
    assert len(default.fingerprint()) == 64
    assert load_policy().fingerprint() == default.fingerprint()


def test_version_and_fingerprint_follow_the_council(tmp_path: Path) -> None:
    policy = load_policy(_council(tmp_path, "version: council-x-2026.2\n"))
    assert policy.version == "council-x-2026.2"
    assert policy.fingerprint() != load_policy().fingerprint()


def test_unknown_top_level_key_is_a_config_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_policy(_council(tmp_path, "review_window_dayz: 90\n"))
    message = str(err.value)
    assert "review_window_dayz: unknown key" in message
    assert "review_window_days" in message  # the allowed keys are listed


def test_unknown_nested_key_lists_the_allowed_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_policy(_council(tmp_path, "visits:\n  CP:\n    intervall: {working_days: 15}\n"))
    message = str(err.value)
    assert "visits.CP.intervall: unknown key" in message
    assert "interval, first_visit" in message


def test_unknown_legal_status_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"visits\.XX: unknown key; allowed keys here: CP, CIN"):
        load_policy(_council(tmp_path, "visits:\n  XX:\n    interval: {weeks: 2}\n"))


def test_interval_needs_exactly_one_known_unit(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"visits\.CP\.interval\.fortnights: unknown key"):
        load_policy(_council(tmp_path, "visits:\n  CP:\n    interval: {fortnights: 1}\n"))
    with pytest.raises(ConfigError, match="exactly one of working_days, days, weeks, months"):
        load_policy(_council(tmp_path, "recording_timescale: {working_days: 3, days: 4}\n"))
    with pytest.raises(ValidationError):
        Interval(working_days=1, days=2)


def test_wrong_value_type_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="review_window_days"):
        load_policy(_council(tmp_path, "review_window_days: lots\n"))
    with pytest.raises(ConfigError, match=r"visits\.CP\.interval\.working_days"):
        load_policy(_council(tmp_path, "visits: {CP: {interval: {working_days: -1}}}\n"))
    with pytest.raises(ConfigError, match="summary_not_met_age_months"):
        load_policy(_council(tmp_path, "summary_not_met_age_months: 2\n"))


def test_unreadable_or_malformed_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read policy file"):
        load_policy(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_policy(_council(tmp_path, "visits: [\n"))
    with pytest.raises(ConfigError, match="mapping"):
        load_policy(_council(tmp_path, "- 1\n- 2\n"))


def test_bank_holidays_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"calendar\.bank_holidays_file: no such file"):
        load_policy(_council(tmp_path, "calendar: {bank_holidays_file: nowhere.json}\n"))
    with pytest.raises(ConfigError, match="bank_holidays_file_only"):
        load_policy(_council(tmp_path, "calendar: {bank_holidays_file_only: true}\n"))


def test_policy_is_frozen() -> None:
    policy = load_policy()
    with pytest.raises(ValidationError):
        policy.review_window_days = 1  # type: ignore[misc]
    assert isinstance(policy, Policy)


def test_deep_merge_replaces_intervals_and_merges_mappings() -> None:
    base = {"a": {"b": 1, "c": {"working_days": 10}}, "d": [1, 2]}
    merged = deep_merge(base, {"a": {"c": {"weeks": 2}}, "d": [3]})
    assert merged == {"a": {"b": 1, "c": {"weeks": 2}}, "d": [3]}
    assert base == {"a": {"b": 1, "c": {"working_days": 10}}, "d": [1, 2]}


def test_the_review_window_reads_whole_months_unless_a_council_counts_days(tmp_path):
    from datetime import date

    england = load_policy()
    assert england.window_start(date(2026, 11, 20)) == date(2026, 5, 1)
    assert england.window_start(date(2026, 3, 31)) == date(2025, 9, 1)  # across a year
    days = load_policy(_council(tmp_path, "review_window_months: null\n"))
    assert days.window_start(date(2026, 11, 20)) == date(2026, 5, 23)  # the last 182 days
