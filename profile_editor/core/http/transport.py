"""The one shared ``httpx.Client``, with in-flight requests that can be aborted from any thread.

A blocking socket read cannot be interrupted by closing an httpx client from another thread, so
Cancel and window close would otherwise wait for the server (up to the 60 s timeout). The
network backend here remembers the sockets it opened; ``abort()`` shuts them down, which wakes
the blocked read at once with an error that the client turns into a "cancelled" outcome.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from collections.abc import Iterable
from typing import Any, cast

import httpcore
import httpx

from profile_editor.core.http.config import CONNECT_TIMEOUT, TOTAL_TIMEOUT


class AbortableBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        sock = stream.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sockets.add(sock)
        return stream

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return self._inner.connect_unix_socket(path, timeout, socket_options)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

    def abort(self) -> None:
        """Shut down every open connection; blocked reads and writes fail immediately."""
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


def make_http_client(
    *, connect_timeout: float = CONNECT_TIMEOUT, total_timeout: float = TOTAL_TIMEOUT
) -> tuple[httpx.Client, AbortableBackend]:
    backend = AbortableBackend()
    transport = httpx.HTTPTransport(retries=0)
    # httpx offers no public hook for the network backend; the pool reads this attribute
    # each time it opens a connection.
    cast(httpcore.ConnectionPool, transport._pool)._network_backend = backend
    client = httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(total_timeout, connect=connect_timeout),
        follow_redirects=False,
    )
    return client, backend
