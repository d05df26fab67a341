"""At most one showing a frame: for widgets whose content can change faster than a display shows
it (a script's sends), so that a burst is painted as its last rather than change by change."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from profile_editor.ui.common.calls import call_each

__all__ = ["FRAME_MS", "Frame", "FramePacer"]

# One frame of a 60 Hz display.
FRAME_MS = 16


class Frame(QObject):
    """The frame end that the pacers of one window share, so that what a burst of sends changes
    in several widgets (the recipient field, the status line) waits for one end and is painted
    in one pass a frame, not one pass each at its own time."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock: Callable[[], float] = time.perf_counter  # seconds; replaceable in tests
        self._ends: dict[Callable[[], None], None] = {}  # in the order they came, each once
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._end)

    def wait(self, on_end: Callable[[], None], wait_ms: float) -> None:
        """Call ``on_end`` once, at this frame's end: in ``wait_ms`` unless one is due already."""
        self._ends[on_end] = None
        if not self._timer.isActive():
            self._timer.start(int(wait_ms) + 1)

    def pending(self, on_end: Callable[[], None]) -> bool:
        """Whether ``on_end`` waits for the frame's end."""
        return on_end in self._ends

    def _end(self) -> None:
        ends, self._ends = self._ends, {}
        # Every widget that waited is shown, even if one of them fails (a bug): not at the cost
        # of a field left unpainted.
        call_each(ends)


class FramePacer:
    """Paces one widget's showings: a change a frame or more after its last showing is shown at
    once, any other when the frame ends (``on_frame_end`` then shows the latest). The frame's
    end is ``frame``'s, shared with the window's other pacers (one of its own if none is given)."""

    def __init__(
        self, parent: QObject, on_frame_end: Callable[[], None], frame: Frame | None = None
    ) -> None:
        self.frame = frame if frame is not None else Frame(parent)
        self._on_frame_end = on_frame_end
        self._shown_at = 0.0

    def show_now(self) -> bool:
        """A change came: True when it is to be shown now (and counts as this frame's showing),
        False when the frame's end shows it."""
        frame = self.frame
        if frame.pending(self._end):
            return False  # the frame's end shows the latest
        now = frame.clock()
        wait_ms = FRAME_MS - (now - self._shown_at) * 1000
        if wait_ms <= 0:
            self._shown_at = now
            return True
        frame.wait(self._end, wait_ms)
        return False

    def pending(self) -> bool:
        """Whether a change waits for the frame's end."""
        return self.frame.pending(self._end)

    def _end(self) -> None:
        self._shown_at = self.frame.clock()
        self._on_frame_end()
