"""Stopping a request from another thread (kept free of httpx so the UI can import it cheaply)."""

from __future__ import annotations

import threading
from collections.abc import Callable

# Held while a token is being cancelled, so that two threads cancelling at once open it once.
_CANCELLING = threading.Lock()


class CancelToken:
    """Set from the UI thread to stop a send: ends retry waits and aborts open sockets."""

    def __init__(self, abort: Callable[[], None] | None = None) -> None:
        # A lock held until the cancel: waiting for it is waiting for the cancel. One token is
        # made for every request, and a lock costs a fraction of a threading.Event (a Condition
        # built in Python).
        self._gate = threading.Lock()
        self._gate.acquire()
        self._cancelled = False
        self._abort = abort

    def cancel(self) -> None:
        with _CANCELLING:
            if not self._cancelled:
                self._cancelled = True
                self._gate.release()
        if self._abort is not None:
            self._abort()

    def is_cancelled(self) -> bool:
        return self._cancelled

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when cancelled meanwhile."""
        if seconds > 0:
            opened = self._gate.acquire(timeout=seconds)
        else:
            opened = self._gate.acquire(blocking=False)
        if opened:
            self._gate.release()  # open for every other waiter too
        return opened or self._cancelled
