"""What every connection of one sandbox shares: the store, the key, the limits, the list page
cursor secret, the fault queue, the request log and the stopping flag.

Both the HTTP handler and the server import this module; the handler gets the state it serves
from its class (see :func:`profile_editor.sandbox.handler.handler_for`), never from the server.
"""

from __future__ import annotations

import hmac
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from profile_editor.core.http.models import MAX_BODY_BYTES
from profile_editor.sandbox.lists import CursorCodec
from profile_editor.sandbox.models import Fault, RecordedRequest
from profile_editor.sandbox.store import ProfileStore
from profile_editor.sandbox.users import UsersApi

__all__ = ["MAX_BODY_BYTES", "MAX_RECORDED_REQUESTS", "REQUEST_TIMEOUT", "Limits", "SandboxState"]

MAX_RECORDED_REQUESTS = 10_000
"""Only the most recent requests are kept, so a long benchmark cannot exhaust memory."""


REQUEST_TIMEOUT = 60.0
"""Seconds a connection has to deliver its next request whole (head and body, counted from
when the server is ready for it), and to take each answer; then it is closed, with a 408 if a
request had begun. A client that stays idle or trickles a byte a second cannot hold a
connection (and its thread) for ever."""


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = MAX_BODY_BYTES
    max_recorded_requests: int = MAX_RECORDED_REQUESTS
    request_timeout: float = REQUEST_TIMEOUT


class SandboxState:
    """The shared state of one sandbox; every method is safe to call from any thread."""

    def __init__(self, key: str, store: ProfileStore, limits: Limits | None = None) -> None:
        self.key = key
        self.store = store
        self.limits = limits or Limits()
        self.cursors = CursorCodec()  # signs the list (and tenant) page cursors it hands out
        self.users = UsersApi(store, self.cursors)  # /users/{id}/preferences|tokens|tenants
        self._faults: deque[Fault] = deque()
        self._faults_lock = threading.Lock()
        self._requests: deque[RecordedRequest] = deque(maxlen=self.limits.max_recorded_requests)
        self._requests_lock = threading.Lock()
        self._stopping = threading.Event()
        # Answers of POSTs by (method, path, Idempotency-Key), replayed for a repeated key.
        self._answers: dict[tuple[str, str, str], tuple[int, bytes]] = {}
        self._answers_lock = threading.Lock()

    # Idempotency keys ------------------------------------------------------------------------

    def replayed_answer(self, key: tuple[str, str, str]) -> tuple[int, bytes] | None:
        """The answer a POST with this (method, path, Idempotency-Key) got before, if any."""
        with self._answers_lock:
            return self._answers.get(key)

    def remember_answer(self, key: tuple[str, str, str], status: int, body: bytes) -> None:
        with self._answers_lock:
            if len(self._answers) >= self.limits.max_recorded_requests:
                self._answers.pop(next(iter(self._answers)))  # the oldest goes first
            self._answers[key] = (status, body)

    def forget_answers(self) -> None:
        with self._answers_lock:
            self._answers.clear()

    # Faults -------------------------------------------------------------------------------

    def queue_faults(self, faults: Iterable[Fault | Mapping[str, Any]]) -> int:
        """Queue faults in order and return how many are now waiting.

        They are copied, so the caller's objects stay as they are.
        """
        copies = [
            f.model_copy(deep=True) if isinstance(f, Fault) else Fault.model_validate(f)
            for f in faults
        ]
        with self._faults_lock:
            self._faults.extend(copies)
            return len(self._faults)

    def pending_faults(self) -> list[Fault]:
        with self._faults_lock:
            return [f.model_copy(deep=True) for f in self._faults]

    def clear_faults(self) -> None:
        with self._faults_lock:
            self._faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Use up one turn of the first queued fault that matches this request, if any."""
        if not self._faults:  # read without the lock: the common case is an empty queue
            return None
        with self._faults_lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        del self._faults[index]
                    return fault
        return None

    # Request log --------------------------------------------------------------------------

    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (at most ``max_recorded_requests``)."""
        with self._requests_lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    def record(self, request: RecordedRequest) -> None:
        """Add a request to the log, dropping the oldest beyond ``max_recorded_requests``."""
        with self._requests_lock:
            self._requests.append(request)

    # The rest -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every profile, list subscription, fault, recorded request and replayable answer."""
        self.store.clear()
        self.clear_faults()
        self.clear_requests()
        self.forget_answers()

    def is_authorized(self, header: str | None) -> bool:
        if header is None:
            return False
        scheme, _, token = header.strip().partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.key.encode()
        )

    def set_stopping(self) -> None:
        self._stopping.set()

    def is_stopping(self) -> bool:
        return self._stopping.is_set()

    def wait_stopping(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as the sandbox is stopping."""
        return self._stopping.wait(seconds)
