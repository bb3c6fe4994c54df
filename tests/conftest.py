"""Shared fixtures: one Reviewer (the spaCy pipeline loads once per test session) and one
small synthetic extract, generated once per session. And the network guard: the suite runs
with every connection outside this machine refused, in this process and in the Python
subprocesses it starts (tests/netguard); a test that tries one fails."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from notereview.review import Reviewer

_GUARD_DIR = Path(__file__).parent / "netguard"
sys.path.insert(0, str(_GUARD_DIR))
import _netguard  # noqa: E402

_GUARD_LOG = Path(tempfile.mkdtemp(prefix="notereview-netguard-")) / "refused.log"


def pytest_configure(config: pytest.Config) -> None:
    _netguard.install(None)  # this process: the autouse fixture fails the test instead
    os.environ["NOTEREVIEW_NO_NETWORK"] = "1"
    os.environ["NOTEREVIEW_NETGUARD_LOG"] = str(_GUARD_LOG)
    paths = [str(_GUARD_DIR), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    """Fails the test that tried to reach another machine, even if the code caught the error."""
    before = len(_netguard.ATTEMPTS)
    yield
    tried = _netguard.ATTEMPTS[before:]
    if tried:
        del _netguard.ATTEMPTS[before:]
        pytest.fail(f"the test tried to reach the network: {'; '.join(tried[:5])}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A subprocess that tried to reach the network fails the session (its pid and target)."""
    if _GUARD_LOG.exists() and (lines := _GUARD_LOG.read_text(encoding="utf-8").splitlines()):
        sys.stderr.write("\nnetwork access refused in a subprocess of the tests:\n")
        sys.stderr.write("".join(f"  {line}\n" for line in lines[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
