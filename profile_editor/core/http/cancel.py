"""Stopping a request from another thread (kept free of httpx so the UI can import it cheaply)."""

from __future__ import annotations

import threading
from collections.abc import Callable


class CancelToken:
    """Set from the UI thread to stop a send: ends retry waits and aborts open sockets."""

    def __init__(self, abort: Callable[[], None] | None = None) -> None:
        self._event = threading.Event()
        self._abort = abort

    def cancel(self) -> None:
        self._event.set()
        if self._abort is not None:
            self._abort()

    def is_cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when cancelled meanwhile."""
        return self._event.wait(seconds)
