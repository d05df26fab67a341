"""One pace for the whole run: unlimited until the API answers 429, then AIMD.

On a 429 the whole run pauses for the server's Retry-After (not just the request that got it)
and the rate halves (multiplicative decrease); every second without a 429 it grows by a
twentieth of the rate it had before the first decrease (additive increase), and once it is back
above that rate the run is unlimited again.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from profile_editor.core.http.cancel import CancelToken

MIN_RATE = 0.5  # requests per second; never stop entirely
WINDOW_S = 2.0  # how far back the starts are counted to measure the current rate
# The requests in flight when the limit is hit all come back 429 together: one decrease for them.
DECREASE_EVERY_S = 1.0


class RunRate:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._rate: float | None = None  # None: unlimited
        self._ceiling = 0.0  # the rate before the first decrease
        self._step = 0.0
        self._changed = 0.0
        self._decreased = 0.0
        self._next = 0.0
        self._paused_until = 0.0
        self._starts: deque[float] = deque()
        self._first_start: float | None = None
        self.throttles = 0

    @property
    def rate(self) -> float | None:
        with self._lock:
            return self._rate

    def acquire(self, cancel: CancelToken) -> bool:
        """Wait for this request's turn; False when the run was cancelled meanwhile."""
        with self._lock:
            now = self._clock()
            self._grow(now)
            start = max(now, self._paused_until)
            if self._rate is not None:
                start = max(start, self._next)
                self._next = start + 1.0 / self._rate
            self._starts.append(start)
            if self._first_start is None:
                self._first_start = now
            while self._starts and self._starts[0] < now - WINDOW_S:
                self._starts.popleft()
        wait = start - now
        if wait > 0:
            return not cancel.wait(wait)
        return not cancel.is_cancelled()

    def throttled(self, pause_s: float) -> None:
        """A 429: pause every request for ``pause_s`` and halve the rate."""
        with self._lock:
            now = self._clock()
            self.throttles += 1
            self._paused_until = max(self._paused_until, now + max(pause_s, 0.0))
            self._next = max(self._next, self._paused_until)
            if self._rate is not None and now - self._decreased < DECREASE_EVERY_S:
                return
            if self._rate is None:
                observed = min(WINDOW_S, now - (self._first_start or now))
                measured = max(len(self._starts) / max(observed, 0.1), MIN_RATE)
                self._ceiling = measured
                self._step = max(measured / 20, MIN_RATE)
                self._rate = measured
            self._rate = max(self._rate / 2, MIN_RATE)
            self._changed = self._decreased = now
            self._paused_until = max(self._paused_until, now + max(pause_s, 0.0))
            self._next = max(self._next, self._paused_until)

    def _grow(self, now: float) -> None:
        if self._rate is None or now - self._changed < 1.0:
            return
        seconds = int(now - self._changed)
        self._rate += self._step * seconds
        self._changed += seconds
        if self._rate > self._ceiling:
            self._rate = None  # recovered: no pace of our own
