"""At most one showing a frame: for widgets whose content can change faster than a display shows
it (a script's sends), so that a burst is painted as its last rather than change by change."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

__all__ = ["FRAME_MS", "FramePacer"]

# One frame of a 60 Hz display.
FRAME_MS = 16


class FramePacer(QObject):
    """Paces one widget's showings: a change a frame or more after the last showing is shown at
    once, any other when the frame ends (``on_frame_end`` then shows the latest)."""

    def __init__(self, parent: QObject, on_frame_end: Callable[[], None]) -> None:
        super().__init__(parent)
        self.clock: Callable[[], float] = time.perf_counter  # seconds; replaceable in tests
        self._shown_at = 0.0
        self._on_frame_end = on_frame_end
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._end_frame)

    def show_now(self) -> bool:
        """A change came: True when it is to be shown now (and counts as this frame's showing),
        False when the frame's end shows it."""
        if self._timer.isActive():
            return False  # the frame's end shows the latest
        now = self.clock()
        wait_ms = FRAME_MS - (now - self._shown_at) * 1000
        if wait_ms <= 0:
            self._shown_at = now
            return True
        self._timer.start(int(wait_ms) + 1)
        return False

    def pending(self) -> bool:
        """Whether a change waits for the frame's end."""
        return self._timer.isActive()

    def _end_frame(self) -> None:
        self._shown_at = self.clock()
        self._on_frame_end()
