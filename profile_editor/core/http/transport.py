"""The one shared ``httpx.Client``, with in-flight requests that can be aborted from any thread.

A blocking socket read cannot be interrupted by closing an httpx client from another thread, so
Cancel and window close would otherwise wait for the server (up to the 60 s timeout). The
network backend here remembers the sockets it opened; ``abort()`` shuts them down, which wakes
the blocked read at once with an error that the client turns into a "cancelled" outcome. A
connection still opening then (or opened just after, by a request that had checked its token a
moment before) is refused as it opens, when its request's token is cancelled.

The TLS context (loading the CA bundle: about 20 ms) is made when the first https:// connection
opens, so a run against http:// (the sandbox, a local mock) never pays for it. It is the context
httpx makes by default: the same CAs (certifi's, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), the
certificate and the host name always checked.

Requests go straight to the transport (:meth:`SharedClient.send_direct`): what
``httpx.Client`` adds to each request (merging URL and headers with its own, the cookie jar, the
auth flow, redirect handling, event hooks, a log line) is work the app never uses, and costs
about a fifth of a request's CPU time on loopback.
"""

from __future__ import annotations

import contextlib
import datetime
import socket
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from profile_editor.core.http.config import CONNECT_TIMEOUT, TOTAL_TIMEOUT
from profile_editor.core.http.models import COMMON_HEADERS

if TYPE_CHECKING:
    from profile_editor.core.http.cancel import CancelToken


class _Sending(threading.local):
    """The cancel token of the request this thread is sending: the pool opens a connection in
    the thread that needs it, so the backend sees which request it is for."""

    cancel: CancelToken | None = None


_SENDING = _Sending()


class AbortableBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._closed = False

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        self._refuse_if_closed()
        cancel = _SENDING.cancel
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        sock = stream.get_extra_info("socket")
        with self._lock:
            closed = self._closed
            # Looked at under the lock that abort() takes: either abort() finds this socket,
            # or the token was cancelled before it looked (a cancel sets it, then aborts).
            cancelled = cancel is not None and cancel.is_cancelled()
            if not (closed or cancelled):
                self._sockets.add(sock)
        if closed:
            # Closed while this one connected: its pool has forgotten it already, so it would
            # send the request after all and then stay open until the garbage collector.
            stream.close()
            raise _closed_error()
        if cancelled:
            # Cancelled as this request got its connection (connecting, or replacing one the
            # abort cut): it would go out after all, and its answer be waited for, as long as
            # the server takes.
            stream.close()
            raise httpcore.ConnectError("The request was cancelled.")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return stream

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        self._refuse_if_closed()
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

    def close(self) -> None:
        """Abort, and open no connection from now on: for the client's close.

        Closing the pool closes the connections it holds, but one still connecting is only
        dropped from it: its request goes on, on a socket nobody closes. Refused here instead,
        and any use of a socket shut down here fails, which closes its connection.
        """
        with self._lock:
            self._closed = True
        self.abort()

    def _refuse_if_closed(self) -> None:
        with self._lock:
            if self._closed:
                raise _closed_error()


def _closed_error() -> httpcore.ConnectError:
    return httpcore.ConnectError("The HTTP client is closed.")


class _LazyTLSPool(httpcore.ConnectionPool):
    """httpcore's pool, with the TLS context made for the first connection that needs one."""

    def create_connection(self, origin: httpcore.Origin) -> httpcore.ConnectionInterface:
        # Anything but plain http gets the context, so no https connection can open without it
        # (httpcore would fall back to a context of its own). The pool calls this under its lock.
        if origin.scheme != b"http" and self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        return super().create_connection(origin)


class _Transport(httpx.HTTPTransport):
    """``httpx.HTTPTransport()`` with its default limits, no retries, our network backend and
    the TLS context made on first use (or now, with ``tls_now``)."""

    def __init__(self, backend: AbortableBackend, *, tls_now: bool) -> None:
        # Not super().__init__(): it makes the TLS context up front, whatever the URL. The
        # transport's other methods only use the pool.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = _LazyTLSPool(
            ssl_context=httpx.create_ssl_context() if tls_now else None,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            retries=0,
            network_backend=backend,
        )


class SharedClient(httpx.Client):
    """The app's one ``httpx.Client``: its limits, timeouts and common headers, closed once; its
    requests sent by :meth:`send_direct`.

    The app sends absolute URLs, sets the Bearer header itself, keeps no cookies (a key per
    environment; a cookie from one must not reach another) and follows no redirect (a POST
    redirected would be sent again without its body), so ``httpx.Client``'s own steps per
    request are skipped, not replaced.
    """

    def __init__(
        self,
        transport: httpx.BaseTransport,
        *,
        timeout: httpx.Timeout | None = None,
        headers: Mapping[str, str] = COMMON_HEADERS,
    ) -> None:
        super().__init__(
            transport=transport,
            timeout=timeout or httpx.Timeout(TOTAL_TIMEOUT, connect=CONNECT_TIMEOUT),
            follow_redirects=False,
            headers=headers,
        )
        self._sends_to = transport

    def send_direct(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
        cancel: CancelToken | None = None,
    ) -> httpx.Response:
        """Send one request and read its answer, as ``request()`` does: the same headers (a
        header given here replaces the client's of that name), timeouts, exceptions (each
        ``RequestError`` carries its request) and ``elapsed``. Once ``cancel`` is cancelled, no
        connection opens for it (``ConnectError``)."""
        if self.is_closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        # The client's headers (httpx's defaults and ours) and timeouts as they are now.
        own = {name.lower() for name in headers}
        merged: dict[str, str] = {}
        for raw_name, raw_value in self.headers.raw:
            name = raw_name.decode()
            if name.lower() not in own:
                merged[name] = raw_value.decode()
        merged.update(headers)
        timeout = {"timeout": self.timeout.as_dict()}
        request = httpx.Request(method, url, content=content, headers=merged, extensions=timeout)
        started = time.perf_counter()
        _SENDING.cancel = cancel
        try:
            response = self._sends_to.handle_request(request)
            response.request = request
            try:
                response.read()  # closes the stream once read
            except BaseException:
                response.close()
                raise
        except httpx.RequestError as exc:
            exc.request = request
            raise
        finally:
            _SENDING.cancel = None
        response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
        return response


def make_http_client(
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
    tls_now: bool = False,
) -> tuple[SharedClient, AbortableBackend]:
    """The shared client; ``tls_now`` makes its TLS context at once (for a client built ahead of
    use, on a worker) instead of when the first https:// connection opens."""
    backend = AbortableBackend()
    client = SharedClient(
        _Transport(backend, tls_now=tls_now),
        timeout=httpx.Timeout(total_timeout, connect=connect_timeout),
    )
    return client, backend
