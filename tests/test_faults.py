"""Faults, each a test (issue 19 item 3): PostgreSQL going away in the middle of requests and
of a scoring run's write, the output disk refusing a file, and two scoring runs on one store at
once. The database is taken away through a loopback TCP proxy (tests/tcp_proxy.py), so the
machine's server keeps running for the other tests."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from notereview.store import connect, upgrade, write_run
from notereview.store.models import Run
from tcp_proxy import TcpProxy

pytest_plugins = ["api_fixtures"]

PG = ("127.0.0.1", 5432)
CLI = [sys.executable, "-m", "notereview.cli"]


def _cli(*args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600, env=env, **kw)


@pytest.fixture
def proxied(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    proxy = TcpProxy(PG).start()
    try:
        yield proxy, proxy.url(postgres_url)
    finally:
        proxy.stop()


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from notereview.synth import generate

    folder = tmp_path_factory.mktemp("faults") / "extract"
    generate(folder, 24, 5)
    (folder / "answer_key.json").unlink()
    return folder


# ---------------------------------------------------------------------- the service
@pytest.mark.postgres
def test_the_service_answers_503_while_the_database_is_away_and_recovers(
    proxied: tuple[TcpProxy, str], run_factory: Any
) -> None:
    proxy, url = proxied
    engine = connect(url)
    upgrade(engine)
    run_info, tables = run_factory(seed=3)
    write_run(engine, run_info, tables)
    from api_fixtures import make_token

    token = make_token(engine, "auditor")
    engine.dispose()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with")
        from fastapi.testclient import TestClient
    from notereview_api import Settings, create_app

    app = create_app(Settings(database_url=url))
    client = TestClient(app, raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {token}"}
    try:
        assert client.get("/queue?limit=5", headers=h).status_code == 200
        proxy.stop()  # PostgreSQL goes away between requests and mid-connection
        for path in ("/queue?limit=5", "/runs"):
            response = client.get(path, headers=h)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            body = response.json()
            assert body["status"] == 503 and "database" in body["detail"]
            assert "Retry-After" in response.headers
            assert "postgres" not in body["detail"]  # no URL, user or host in the answer
        proxy.start()  # back on the same port: the next request is served
        assert client.get("/queue?limit=5", headers=h).status_code == 200
    finally:
        app.state.engine.dispose()


# ---------------------------------------------------------------------- a scoring run
def _runs(url: str) -> int:
    engine = connect(url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Run)) or 0)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_database_lost_in_the_middle_of_storing_a_run_leaves_nothing(
    small_extract: Path, postgres_url: str, tmp_path: Path
) -> None:
    assert _runs(postgres_url) == 0  # the schema, migrated through the real port
    proxy = TcpProxy(PG, cut_after=400_000).start()  # well into the run's rows
    try:
        out = tmp_path / "out"
        failed = _cli("score", str(small_extract), "--out", str(out), "--workers", "1",
                      "--db", proxy.url(postgres_url))  # fmt: skip
        assert proxy.cut.is_set(), "the proxy never cut: raise cut_after's share of the run"
    finally:
        proxy.stop()
    assert failed.returncode == 2, failed.stderr[-2000:]
    lines = [x for x in failed.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), failed.stderr[-2000:]
    assert "database" in lines[0] and "Traceback" not in failed.stderr
    assert _runs(postgres_url) == 0  # one transaction: nothing of the run was stored
    again = _cli("score", str(small_extract), "--out", str(out), "--workers", "1",
                 "--db", postgres_url)  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert _runs(postgres_url) == 1


def test_two_runs_on_one_store_at_once_store_one_whole_run(
    small_extract: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert _runs(db) == 0

    def start(i: int) -> subprocess.Popen[str]:
        args = ["score", str(small_extract), "--out", str(tmp_path / f"out{i}"), "--workers", "1"]
        return subprocess.Popen(
            [*CLI, *args, "--db", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    procs = [start(0), start(1)]
    results = [p.communicate(timeout=600) for p in procs]
    codes = [p.returncode for p in procs]
    assert codes == [0, 0], [r[1][-1500:] for r in results]
    assert _runs(db) == 1  # the same extract twice is one run, stored whole once
    stored = [json.loads((tmp_path / f"out{i}" / "run.json").read_text()) for i in range(2)]
    assert {s["children_scored"] for s in stored} == {24}


# ---------------------------------------------------------------------- the output disk
def _small_files(limit: int) -> Any:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_an_output_disk_that_refuses_a_file_is_one_line_and_the_rerun_completes(
    small_extract: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # every file up to 64 KiB may be written: the chunks' parts are, a whole output is not
    failed = _cli("score", str(small_extract), "--out", str(out), "--workers", "1",
                  "--format", "csv", preexec_fn=_small_files(64 * 1024))  # fmt: skip
    assert failed.returncode == 2, failed.stderr[-2000:]
    lines = [x for x in failed.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), failed.stderr[-2000:]
    assert "Traceback" not in failed.stderr
    assert not (out / "run.json").exists()  # no finished-looking run
    again = _cli("score", str(small_extract), "--out", str(out), "--workers", "1",
                 "--format", "csv")  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    info = json.loads((out / "run.json").read_text())
    assert info["children_scored"] == 24
    shutil.rmtree(out)


# ---------------------------------------------------------------------- the server stopping
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path, run_factory: Any) -> None:
    """A service stopped (SIGTERM, as systemd or a container runtime stops it) while a run
    is being stored: the request finishes, the run is stored whole, the server stops."""
    import threading
    import time

    import httpx

    from api_fixtures import make_token, run_payload

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = connect(url)
    upgrade(engine)
    token = make_token(engine, "service")
    engine.dispose()
    body = json.dumps(run_payload(*run_factory(seed=4, n_children=400)), default=str)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "notereview_api", "--database-url", url, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        answer: dict[str, Any] = {}
        started = threading.Event()
        data = body.encode()

        def chunks() -> Iterator[bytes]:  # the body in pieces: the signal comes mid-upload
            for i in range(0, len(data), 256 * 1024):
                yield data[i : i + 256 * 1024]
                started.set()
                time.sleep(0.02)

        def post() -> None:
            answer["response"] = httpx.post(
                f"{base}/runs", content=chunks(), timeout=120,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                         "Content-Length": str(len(data))},
            )  # fmt: skip

        sender = threading.Thread(target=post)
        sender.start()
        assert started.wait(timeout=30)
        server.send_signal(signal.SIGTERM)  # headers and the first piece are in
        sender.join(timeout=120)
        assert answer["response"].status_code == 201, answer["response"].text[:500]
        # uvicorn shuts down gracefully, then re-raises the signal it caught (the exit status
        # says the process was stopped by SIGTERM, as a supervisor expects)
        assert server.wait(timeout=60) in (0, -signal.SIGTERM)
    finally:
        if server.poll() is None:
            server.kill()
        output = server.communicate()[0]
    assert "Traceback" not in output, output[-2000:]
    assert "Shutting down" in output
    assert _runs(url) == 1
