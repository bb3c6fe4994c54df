"""The test session's network guard: any connection that is not to this machine is refused
(and recorded, so the test that tried fails even if the code swallowed the error).

Installed in the pytest process by ``tests/conftest.py`` and, through ``sitecustomize.py``
beside this file (put first on PYTHONPATH with ``NOTEREVIEW_NO_NETWORK=1``), in every Python
subprocess the tests start. Loopback addresses, Unix sockets and this machine's own addresses
are allowed; a name other than ``localhost`` or this machine's is not even looked up.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
from typing import Any

ATTEMPTS: list[str] = []


class NetworkBlocked(OSError):
    """A connection outside this machine was tried while the guard was on."""


_state: dict[str, Any] = {"installed": False, "log": None, "local": frozenset()}
_real = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "sendto": socket.socket.sendto,
    "getaddrinfo": socket.getaddrinfo,
}
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", ""})


def _own_names_and_addresses() -> frozenset[str]:
    names = {socket.gethostname()}
    addresses: set[str] = set()
    for name in list(names):
        with contextlib.suppress(OSError):
            addresses.update(str(i[4][0]) for i in _real["getaddrinfo"](name, None))
    return frozenset(names | addresses)


def is_local(host: object) -> bool:
    """Whether ``host`` (a name or an address) is this machine."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    text = str(host).split("%", 1)[0].strip("[]").lower()
    if text in _LOCAL_NAMES or text in _state["local"]:
        return True
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _refuse(what: str) -> NetworkBlocked:
    message = f"network access blocked in the test session: {what}"
    ATTEMPTS.append(what)
    log = _state["log"]
    if log:
        try:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {what}\n")
        except OSError:
            pass
    return NetworkBlocked(message)


def _host_of(sock: socket.socket, address: Any) -> object:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return None
    if isinstance(address, tuple) and address:
        return address[0]
    return address


def _connect(self: socket.socket, address: Any) -> Any:
    host = _host_of(self, address)
    if not is_local(host):
        raise _refuse(f"connect to {host!r}")
    return _real["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> Any:
    host = _host_of(self, address)
    if not is_local(host):
        raise _refuse(f"connect to {host!r}")
    return _real["connect_ex"](self, address)


def _sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    address = args[-1]
    host = _host_of(self, address)
    if not is_local(host):
        raise _refuse(f"datagram to {host!r}")
    return _real["sendto"](self, data, *args)


def _numeric(host: Any) -> bool:
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not is_local(host) and not _numeric(host):  # a number is not looked up: connect decides
        raise _refuse(f"name lookup of {host!r}")
    return _real["getaddrinfo"](host, *args, **kwargs)


def install(log: str | None = None) -> None:
    """Turn the guard on in this process (idempotent); ``log``: a file each refusal is added to."""
    _state["log"] = log
    if _state["installed"]:
        return
    _state["local"] = _own_names_and_addresses()
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _sendto  # type: ignore[assignment]
    socket.getaddrinfo = _getaddrinfo
    _state["installed"] = True
