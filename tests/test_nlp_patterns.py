"""The pattern files: the packaged ones validate; a malformed one raises ConfigError naming the
file and the entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import notereview.nlp
from notereview.errors import ConfigError
from notereview.nlp import ChildContext, build_pipeline

PATTERNS = Path(notereview.nlp.__file__).with_name("patterns")
KAI = ChildContext(first_name="Kai", gender="M", age=9)


@pytest.fixture
def patterns_copy(tmp_path: Path) -> Path:
    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS, target)
    return target


def _rewrite(path: Path, change: object) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert callable(change)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def test_packaged_pattern_files_validate() -> None:
    annotator = build_pipeline()
    names = {key.removeprefix("patterns/") for key in annotator.versions if "/" in key}
    assert names == {p.name for p in PATTERNS.glob("*.yaml")}


def test_the_same_folder_given_explicitly(patterns_copy: Path) -> None:
    annotator = build_pipeline(patterns_copy)
    assert annotator.annotate("Kai told me he is happy.", KAI).voice == "reported"
    assert annotator.versions == build_pipeline().versions


@pytest.mark.parametrize(
    ("file_name", "index", "field", "value", "expect"),
    [
        ("cues_events.yaml", 2, "kind", "significant_event:picnic", "unknown cue kind"),
        ("cues_voice.yaml", 1, "colour", "blue", "colour"),
        ("cues_events.yaml", 4, "pattern", "(unclosed", "regular expression"),
        ("context.yaml", 3, "qualifiers", ["maybe"], "qualifiers"),
        ("context.yaml", 0, "direction", "sideways", "direction"),
        ("speakers.yaml", 4, "role", "neighbour", "role"),
        ("cues_analysis.yaml", 0, "terms", [], "exactly one of"),
    ],
)
def test_malformed_entry_names_file_and_entry(
    patterns_copy: Path, file_name: str, index: int, field: str, value: object, expect: str
) -> None:
    path = patterns_copy / file_name
    entry_id = yaml.safe_load(path.read_text("utf-8"))["entries"][index]["id"]

    def change(data: dict) -> None:
        data["entries"][index][field] = value

    _rewrite(path, change)
    with pytest.raises(ConfigError) as caught:
        build_pipeline(patterns_copy)
    message = str(caught.value)
    assert file_name in message
    assert f"entry {index}" in message
    assert entry_id in message
    assert expect in message


def test_pattern_matching_empty_text_is_rejected(patterns_copy: Path) -> None:
    def change(data: dict) -> None:
        data["entries"].append({"id": "bad_empty", "kind": "timescale", "pattern": "x*"})

    _rewrite(patterns_copy / "cues_plans.yaml", change)
    with pytest.raises(ConfigError, match=r"bad_empty.*empty text"):
        build_pipeline(patterns_copy)


def test_named_groups_are_rejected(patterns_copy: Path) -> None:
    def change(data: dict) -> None:
        data["entries"].append(
            {"id": "bad_group", "kind": "timescale", "pattern": "(?P<day>monday)"}
        )

    _rewrite(patterns_copy / "cues_plans.yaml", change)
    with pytest.raises(ConfigError, match=r"bad_group.*named groups"):
        build_pipeline(patterns_copy)


def test_invalid_yaml(patterns_copy: Path) -> None:
    (patterns_copy / "context.yaml").write_text("version: '1'\nentries: [\n  - oops", "utf-8")
    with pytest.raises(ConfigError, match=r"context\.yaml is not valid UTF-8 YAML at line"):
        build_pipeline(patterns_copy)


def test_yaml_boolean_gets_a_hint(patterns_copy: Path) -> None:
    (patterns_copy / "cues_test.yaml").write_text(
        "version: '1'\nentries:\n  - id: t1\n    kind: timescale\n    terms: [by, on]\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match=r"cues_test\.yaml entry 0 \(id 't1'\).*quotes"):
        build_pipeline(patterns_copy)


def test_duplicate_ids_across_files(patterns_copy: Path) -> None:
    (patterns_copy / "cues_extra.yaml").write_text(
        "version: '1'\nentries:\n  - id: rv_say\n    kind: reporting_verb\n    terms: [said]\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match=r"'rv_say'.*unique"):
        build_pipeline(patterns_copy)


def test_unknown_applies_to(patterns_copy: Path) -> None:
    def change(data: dict) -> None:
        data["entries"].append(
            {"id": "term_x", "role": "terminate", "applies_to": ["nope"], "terms": ["but"]}
        )

    _rewrite(patterns_copy / "context.yaml", change)
    with pytest.raises(ConfigError, match=r"term_x.*'nope'"):
        build_pipeline(patterns_copy)


def test_missing_files(tmp_path: Path, patterns_copy: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        build_pipeline(tmp_path / "nowhere")
    (patterns_copy / "speakers.yaml").unlink()
    with pytest.raises(ConfigError, match=r"speakers\.yaml cannot be read"):
        build_pipeline(patterns_copy)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match="no cues_"):
        build_pipeline(empty)


def test_top_level_must_be_a_mapping(patterns_copy: Path) -> None:
    (patterns_copy / "cues_voice.yaml").write_text("- just\n- a list\n", "utf-8")
    with pytest.raises(ConfigError, match=r"cues_voice\.yaml must hold a mapping"):
        build_pipeline(patterns_copy)


def test_patterns_without_triggers_use_the_combined_regex(patterns_copy: Path) -> None:
    (patterns_copy / "cues_local.yaml").write_text(
        "version: '1'\n"
        "entries:\n"
        "  - id: local_ref\n"
        "    kind: plan_language\n"
        "    pattern: 'PLAN-\\d{3}'\n"
        "    case_sensitive: true\n"
        "  - id: local_event\n"
        "    kind: significant_event:arrest\n"
        "    pattern: 'custody\\s+suite'\n",
        "utf-8",
    )
    annotator = build_pipeline(patterns_copy)
    text = "Action PLAN-123 agreed. He was taken to the Custody Suite. plan-456"
    rules = {(c.rule, text[c.start : c.end]) for c in annotator.annotate(text, KAI).cues}
    assert ("local_ref", "PLAN-123") in rules
    assert ("local_event", "Custody Suite") in rules
    assert not any(matched == "plan-456" for _, matched in rules)
    assert "patterns/cues_local.yaml" in annotator.versions


def test_case_sensitive_terms(patterns_copy: Path) -> None:
    (patterns_copy / "cues_local.yaml").write_text(
        "version: '1'\n"
        "entries:\n"
        "  - id: local_abbrev\n"
        "    kind: significant_event:domestic_abuse\n"
        "    case_sensitive: true\n"
        "    terms: [DVX]\n",
        "utf-8",
    )
    annotator = build_pipeline(patterns_copy)
    text = "We have a dvx worker. There was a DVX on Friday."
    kinds = [(c.kind, text[c.start : c.end]) for c in annotator.annotate(text, KAI).cues]
    assert ("significant_event:domestic_abuse", "DVX") in kinds
    assert ("significant_event:domestic_abuse", "dvx") not in kinds
