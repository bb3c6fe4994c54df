"""A bounded schemathesis run against the service, as a client would meet it: the server on
127.0.0.1 (`python -m notereview_api`) over a store holding a run, an admin token, every check, the
coverage, fuzzing and stateful phases; zero failures. Bounded by the examples per operation
(``SCHEMATHESIS_EXAMPLES``, default 25) and a wall-clock limit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from tests.api_fixtures import fake_run

from notereview.store import add_user, connect, upgrade, write_run

pytest.importorskip("schemathesis")

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = connect(url)
    upgrade(engine)
    info, tables = fake_run(seed=3, n_children=12)
    write_run(engine, info, tables)
    token = add_user(engine, "schemathesis", "admin").token
    engine.dispose()
    child = str(tables["cases"]["child_id"].iloc[0])
    config = tmp_path / "schemathesis.toml"
    # A correction's span must start before it ends and end within the record: JSON Schema can
    # say neither, so a schema-valid span may be refused (422) on that one operation.
    config.write_text(
        f'[parameters]\nchild_id = "{child}"\n\n'
        "[[operations]]\n"
        'include-path = "/cases/{child_id}/corrections"\n'
        'include-method = "POST"\n'
        "checks.positive_data_acceptance.expected-statuses = "
        '["2xx", "3xx", 401, 403, 404, 409, 422, 429, "5xx"]\n',
        encoding="utf-8",
    )

    port = _free_port()
    env = dict(
        os.environ,
        NOTEREVIEW_RATE_LIMIT_PER_MINUTE="0",  # hundreds of requests a minute from one token
        NOTEREVIEW_SIGN_IN_MAX_FAILURES="0",  # its auth checks send bad tokens on purpose
        # the reviewer loads before the server answers, not inside the first exemplar check
        # (seconds of CPU on a busy machine, past schemathesis's 10 s request timeout)
        NOTEREVIEW_WARM_ON_START="true",
    )
    log = (tmp_path / "server.log").open("w", encoding="utf-8")  # a pipe unread would fill
    server = subprocess.Popen(
        [sys.executable, "-m", "notereview_api", "--database-url", url, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240  # warming the reviewer
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the API server did not start")
                time.sleep(0.3)
        done = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
             f"{base}/openapi.json", "-H", f"Authorization: Bearer {token}",
             "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
             "-n", str(EXAMPLES), "--no-color"],
            capture_output=True, text=True, timeout=540, cwd=tmp_path,
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    errors = (tmp_path / "server.log").read_text(encoding="utf-8")
    report = done.stdout[-6000:]
    assert done.returncode == 0, report
    assert "passed" in report and "failed" not in report, report
    assert "Traceback" not in errors and "unhandled" not in errors, errors[-3000:]
