"""Shared fixtures: one Reviewer (the spaCy pipeline loads once per test session) and one
small synthetic extract, generated once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from notereview.review import Reviewer


@pytest.fixture(scope="session")
def reviewer() -> Reviewer:
    return Reviewer()


@pytest.fixture(scope="session")
def synth_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from notereview.synth import generate

    out = tmp_path_factory.mktemp("synth") / "extract"
    generate(out, 80, 11)
    return out


@pytest.fixture(scope="session")
def ingested(synth_extract: Path):
    from notereview.extract import read_extract

    return read_extract(synth_extract)


@pytest.fixture(scope="session")
def scored_run(ingested, reviewer, synth_extract: Path, tmp_path_factory: pytest.TempPathFactory):
    from notereview.batch import score_extract, write_outputs

    result = score_extract(ingested, reviewer, source=synth_extract, keep_records=True)
    out = tmp_path_factory.mktemp("run") / "out"
    write_outputs(result, out, "parquet")
    return result, out
