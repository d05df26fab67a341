"""Work that waits for a window's first frame, so it does not compete with painting it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

__all__ = ["after_first_frame"]

# A window shown minimised paints only when restored; its work must not wait that long.
FALLBACK_MS = 1000


class _AfterFirstFrame(QObject):
    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback: Callable[[], None] | None = callback
        window.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if event.type() == QEvent.Type.Paint and self._callback is not None:
            QTimer.singleShot(0, self, self._fire)  # once this frame has been painted
        return False

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is None:
            return
        self._window.removeEventFilter(self)
        callback()


def after_first_frame(window: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` once, just after ``window`` first paints (or ``FALLBACK_MS`` after this
    call if it does not)."""
    _AfterFirstFrame(window, callback)
