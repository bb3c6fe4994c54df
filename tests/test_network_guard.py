"""The test session's network guard (tests/conftest.py, tests/netguard): a connection outside
this machine is refused and recorded, in this process and in a Python subprocess; loopback
works."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import _netguard
import pytest

OUTSIDE = ("192.0.2.1", 443)  # TEST-NET-1: never routed


def test_an_outside_connection_is_refused_and_recorded():
    before = len(_netguard.ATTEMPTS)
    with pytest.raises(_netguard.NetworkBlocked):
        socket.create_connection(OUTSIDE, timeout=0.2)
    with pytest.raises(OSError):
        socket.getaddrinfo("example.com", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(OSError):
        udp.sendto(b"x", ("8.8.8.8", 53))
    tried = _netguard.ATTEMPTS[before:]
    assert tried == ["connect to '192.0.2.1'", "name lookup of 'example.com'",
                     "datagram to '8.8.8.8'"]  # fmt: skip
    del _netguard.ATTEMPTS[before:]  # expected here: do not fail this test for them


def test_loopback_is_allowed():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("localhost", port), timeout=2):
            conn, _ = server.accept()
            conn.close()
    assert _netguard.is_local("::1") and _netguard.is_local("127.0.0.5")
    assert not _netguard.is_local("10.0.0.1") and not _netguard.is_local("pypi.org")


def test_a_python_subprocess_is_guarded_too(tmp_path: Path):
    log = tmp_path / "refused.log"
    env = dict(os.environ, NOTEREVIEW_NETGUARD_LOG=str(log))
    code = f"import socket; socket.create_connection({OUTSIDE!r}, timeout=0.2)"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode != 0 and "NetworkBlocked" in done.stderr
    assert "connect to '192.0.2.1'" in log.read_text(encoding="utf-8")
