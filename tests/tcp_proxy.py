"""A loopback TCP proxy for fault tests: the service or a scoring run talks to PostgreSQL
through it, and the test takes the database away (``stop``: every connection cut, new ones
refused) and brings it back (``start``, on the same port), or cuts it after a number of bytes
sent towards the server (the middle of a write). No tests here."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target``. ``cut_after``: once this many bytes have gone
    from clients to the server, every connection is cut and the proxy stops."""

    def __init__(self, target: tuple[str, int], cut_after: int | None = None) -> None:
        self.target = target
        self.cut_after = cut_after
        self.sent = 0
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.cut = threading.Event()

    # ------------------------------------------------------------------ life
    def start(self) -> TcpProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        """The database goes away: the listener closes and every connection is cut."""
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, []
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def url(self, url: str) -> str:
        """``url`` (a PostgreSQL URL on 127.0.0.1:5432) pointed at the proxy."""
        return url.replace(f"127.0.0.1:{self.target[1]}", f"127.0.0.1:{self.port}")

    # ------------------------------------------------------------------ forwarding
    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._conns += [client, server]
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, upstream: bool) -> None:
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            if upstream and self.cut_after is not None:
                with self._lock:
                    self.sent += len(data)
                    over = self.sent > self.cut_after
                if over:
                    self.cut.set()
                    self.stop()
                    return
            try:
                dst.sendall(data)
            except OSError:
                break
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
