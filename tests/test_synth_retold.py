"""The held-out chronology variant for H2 by meaning: ``generate(chronology_retold=...)``
writes significant chronology entries in a worker's own words with a generic or empty
event_type; off by default (the same bytes as before), and no training set uses it."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from notereview.errors import ConfigError
from notereview.synth import generate
from notereview.synth._data import records_file

STYLES = ["narrative_first_person", "bullet_points", "typo_prone", "dictated_voice_note"]


def _chronology(folder: Path) -> list[dict[str, str]]:
    with (folder / "chronology.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_retold_entries_lose_their_code_and_their_cue_words(tmp_path: Path) -> None:
    chron = records_file().chronology
    generate(tmp_path / "plain", 12, 303, styles=STYLES)
    generate(tmp_path / "retold", 12, 303, styles=STYLES, chronology_retold=1.0)
    plain, retold = _chronology(tmp_path / "plain"), _chronology(tmp_path / "retold")
    significant, routine = set(chron.significant), set(chron.routine)
    assert {r["event_type"] for r in plain} <= significant | routine
    codes = {r["event_type"] for r in retold}
    assert codes <= routine | set(chron.retold_codes)  # no significant event keeps its code
    assert codes & set(chron.retold_codes)
    templates = [re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(t)))
                 for texts in chron.retold.values() for t in texts]
    told = [r["text"] for r in retold if r["event_type"] not in routine]
    assert told and all(any(t.match(text) for t in templates) for text in told)
    key = json.loads((tmp_path / "retold" / "answer_key.json").read_text())
    assert key["chronology_retold"] == 1.0
    assert "chronology_retold" not in json.loads(
        (tmp_path / "plain" / "answer_key.json").read_text())


def test_off_by_default_and_bounded(tmp_path: Path) -> None:
    generate(tmp_path / "a", 4, 7)
    generate(tmp_path / "b", 4, 7, chronology_retold=0.0)
    for name in ("chronology.csv", "visits.csv", "answer_key.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with pytest.raises(ConfigError, match="chronology_retold"):
        generate(tmp_path / "c", 1, 7, chronology_retold=1.5)


def test_training_sets_never_retell(tmp_path: Path) -> None:
    from notereview.ml._pipeline import TrainConfig, make_sets

    train_dir, eval_dir = make_sets(TrainConfig(work_dir=tmp_path, models_dir=tmp_path,
                                                train_children=3, eval_children=3))
    for folder in (train_dir, eval_dir):
        key = json.loads((folder / "answer_key.json").read_text())
        assert "chronology_retold" not in key
