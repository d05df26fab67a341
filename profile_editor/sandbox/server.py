"""A local stand-in for Courier's profiles API on loopback, for development, QA and benchmarks.

Profiles API (``Authorization: Bearer <key>`` required, else 401)::

    GET    /profiles/{id}   200 {"profile": {...}, "preferences": null}, 404 if none
    POST   /profiles/{id}   {"profile": {...}} merged (merge_profile), created if absent
    PUT    /profiles/{id}   {"profile": {...}} replaces the whole profile
    PATCH  /profiles/{id}   {"patch": [...]} RFC 6902, all or nothing; 404 if none
    DELETE /profiles/{id}   204, also when there was no profile (deleting is idempotent)

    GET    /profiles/{id}/lists[?cursor=]  200 {"paging": {"more", "cursor"}, "results": [...]},
                                           20 a page in list-ID order; none for an unknown recipient
    POST   /profiles/{id}/lists  {"lists": [{"listId", "preferences"?}]} subscribes (unknown
                                 lists are created, named after their ID); 200 SUCCESS
    DELETE /profiles/{id}/lists  unsubscribes from every list; 200 SUCCESS

    /users/{id}/preferences[/{topic_id}], /users/{id}/tokens[/{token}],
    /users/{id}/tenants[/{tenant_id}]: every endpoint of Courier's preferences, device tokens and
    tenants API, with its shapes and error answers (see :mod:`.users` and docs/users-api.md),
    over a topic catalogue loaded from a seed (:mod:`.seed`). Faults match ``/profiles/`` unless
    given a ``path_prefix`` such as ``/users/``.

``{id}`` is one percent-encoded UTF-8 path segment. Errors are ``{"message", "type"}`` with
Courier's types; bodies over 6 MB get 413, decided from Content-Length alone; a list cursor the
sandbox did not issue (for this recipient) gets 400. Profiles and subscriptions share one SQLite
database.

Malformed HTTP gets a 4xx in the same shape, never a 500: a body must come with one
Content-Length (chunked bodies get 411), JSON nested deeper than the app's editor allows (200
levels) gets 400, and a request that has not arrived whole within ``Limits.request_timeout``
(60 s) gets 408 and its connection closed (an idle connection is closed silently).

Control API (no key, loopback clients only), mirrored by :class:`SandboxServer` methods::

    POST   /_sandbox/faults     {"faults": [Fault, ...]} or one Fault object
    GET    /_sandbox/faults     {"faults": [...]} still queued
    DELETE /_sandbox/faults     forget queued faults
    GET    /_sandbox/requests   {"requests": [RecordedRequest, ...]}
    DELETE /_sandbox/requests   forget recorded requests
    POST   /_sandbox/reset      forget profiles, lists, faults and requests

Only the standard library and pydantic are used, so it runs anywhere the app's tests run.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from profile_editor.sandbox import users_store
from profile_editor.sandbox.handler import handler_for
from profile_editor.sandbox.models import Fault, RecordedRequest, error_type
from profile_editor.sandbox.seed import Seed, apply_seed
from profile_editor.sandbox.state import (
    MAX_BODY_BYTES,
    MAX_RECORDED_REQUESTS,
    Limits,
    SandboxState,
)
from profile_editor.sandbox.store import ProfileStore

__all__ = [
    "DEFAULT_KEY",
    "MAX_BODY_BYTES",
    "MAX_RECORDED_REQUESTS",
    "Fault",
    "Limits",
    "RecordedRequest",
    "SandboxServer",
    "error_type",
    "start_sandbox",
]

DEFAULT_KEY = "sandbox-key"
"""The API key the sandbox accepts unless told otherwise; deliberately unlike a real Courier key."""

_JOIN_TIMEOUT = 5.0
# How long and how much a closing connection still reads of what its client sends (see
# _HTTPServer.shutdown_request).
_LINGER_SECONDS = 2.0
_LINGER_BYTES = 1 << 20


class SandboxServer:
    """A running sandbox: its address, its key and a QA API for tests.

    Create it with :func:`start_sandbox`. Usable as a context manager that stops it on exit.
    """

    def __init__(
        self, host: str, port: int, key: str, db_path: Path | None, limits: Limits | None = None
    ) -> None:
        self.state = SandboxState(key, ProfileStore(db_path), limits)
        try:
            self._httpd = _HTTPServer((host, port), self.state)
        except BaseException:
            self.state.store.close()
            raise
        self._stop_lock = threading.Lock()
        self._stopped = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, name="sandbox-accept", daemon=True)

    @property
    def key(self) -> str:
        return self.state.key

    @property
    def store(self) -> ProfileStore:
        return self.state.store

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``, without a trailing slash."""
        host = self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections were accepted so far (to check that keep-alive works)."""
        return self._httpd.accepted

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._httpd.socket.setblocking(False)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving, cut delays short, close every connection and the database; idempotent."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        self.state.set_stopping()
        if self._thread.is_alive():
            self._wake_w.send(b"x")
            self._thread.join()
        self._httpd.server_close()
        self._httpd.close_connections(_JOIN_TIMEOUT)
        self.store.close()
        self._wake_r.close()
        self._wake_w.close()

    def _serve(self) -> None:
        # An own accept loop instead of serve_forever(), which polls: stop() wakes it at once.
        with selectors.DefaultSelector() as selector:
            selector.register(self._httpd.socket, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self.state.is_stopping():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        request, address = self._httpd.get_request()
                    except OSError:  # the client went away before accept, or nothing to accept
                        continue
                    self._httpd.process_request(request, address)

    # QA API (the shared state's, here for tests and the app) ------------------------------

    def queue_fault(self, fault: Fault | Mapping[str, Any]) -> None:
        """Queue one fault behind those already waiting."""
        self.state.queue_faults([fault])

    def queue_faults(self, faults: Iterable[Fault | Mapping[str, Any]]) -> int:
        """Queue faults in order (copied) and return how many are now waiting."""
        return self.state.queue_faults(faults)

    def pending_faults(self) -> list[Fault]:
        return self.state.pending_faults()

    def clear_faults(self) -> None:
        self.state.clear_faults()

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Use up one turn of the first queued fault that matches this request, if any."""
        return self.state.take_fault(method, path)

    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (at most MAX_RECORDED_REQUESTS)."""
        return self.state.requests()

    def clear_requests(self) -> None:
        self.state.clear_requests()

    def record(self, request: RecordedRequest) -> None:
        self.state.record(request)

    def reset(self) -> None:
        """Forget every profile, list subscription, fault and recorded request."""
        self.state.reset()

    def get_profile(self, recipient_id: str) -> dict[str, Any] | None:
        return self.store.get(recipient_id)

    def put_profile(self, recipient_id: str, profile: dict[str, Any]) -> None:
        """Store a whole profile, as ``PUT`` would, e.g. to seed a test."""
        if not isinstance(profile, dict):
            raise TypeError("a profile must be a dict")
        self.store.put(recipient_id, profile)

    def is_authorized(self, header: str | None) -> bool:
        return self.state.is_authorized(header)

    def apply_seed(self, seed: Seed, *, if_new: bool = False) -> bool:
        """Load a seed (see :mod:`.seed`); ``if_new``: only into a database with no topics yet,
        so a persistent sandbox keeps what was changed in it. Whether it was loaded."""
        if if_new and users_store.list_topics(self.store):
            return False
        apply_seed(self.store, seed)
        return True

    def wait_stopping(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as the server is stopping."""
        return self.state.wait_stopping(seconds)


def start_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    key: str = DEFAULT_KEY,
    db_path: Path | None = None,
    limits: Limits | None = None,
    seed: Seed | None = None,
) -> SandboxServer:
    """Start a sandbox in background threads and return it once it accepts connections.

    ``port=0`` picks a free port (read it from ``.url``); ``db_path=None`` keeps the profiles in
    memory, otherwise they persist in that SQLite file across restarts. ``limits`` changes the
    body size limit, the request log size or the request timeout (tests use short ones). ``seed``
    is loaded before the first connection is accepted.
    """
    server = SandboxServer(host, port, key, db_path, limits)
    if seed is not None:
        try:
            server.apply_seed(seed)
        except BaseException:
            server.stop()
            raise
    server.start()
    return server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # The accept backlog: with 128, a burst of a few hundred clients connecting at once (bulk
    # runs, load tests) overflowed it and the refused SYNs were retried only after 1 s.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], state: SandboxState) -> None:
        self.accepted = 0
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler_for(state))

    def server_bind(self) -> None:
        # HTTPServer.server_bind() resolves the host's FQDN, which can stall on a machine
        # without working DNS; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def process_request(
        self,
        request: socket.socket,  # type: ignore[override]
        client_address: Any,
    ) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="sandbox-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[request] = thread
            self.accepted += 1
        thread.start()

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        """A lingering close: end the answer (FIN), then read and drop what the client still
        sends until it closes too (bounded), and only then close.

        Closed with input unread (an error answered before the whole request was read: a header
        line or request line too long), the connection is reset instead, and a reset can reach
        the client before it has read the answer, or shut down its own sending side.
        """
        with contextlib.suppress(OSError):  # the client is gone already, or was too slow
            request.shutdown(socket.SHUT_WR)
            deadline, left = time.monotonic() + _LINGER_SECONDS, _LINGER_BYTES
            while left > 0 and (wait := deadline - time.monotonic()) > 0:
                request.settimeout(wait)
                chunk = request.recv(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        self.close_request(request)

    def close_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._connections.pop(request, None)
        request.close()

    def close_connections(self, timeout: float) -> None:
        """Shut every open connection, which ends its thread's wait for a request, and join."""
        with self._connections_lock:
            open_connections = list(self._connections.items())
        for connection, _ in open_connections:
            with contextlib.suppress(OSError):  # already closed by its own thread
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in open_connections:
            thread.join(timeout)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients vanishing mid-request are routine here (drop faults, timeouts, stop()).
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)
