"""Bringing a top-level window to the front, the same way wherever it is asked for."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Platforms with no window stacking: raising there only makes Qt warn.
_NO_STACKING = frozenset({"offscreen", "minimal"})


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` (restored if minimised), raise it and ask for the focus."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    if QGuiApplication.platformName() not in _NO_STACKING:
        window.raise_()
    window.activateWindow()
