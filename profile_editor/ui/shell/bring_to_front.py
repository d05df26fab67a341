"""Bringing a top-level window to the front, the same way wherever it is asked for."""

from __future__ import annotations

import os

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Platforms with no window stacking: raising there only makes Qt warn.
_NO_STACKING = frozenset({"offscreen", "minimal"})


def bring_to_front(window: QWidget, activation_token: str = "") -> None:
    """Show ``window`` (restored if minimised), raise it and ask for the focus.

    Under Wayland the focus is only given with an activation token from the launcher: Qt's
    Wayland plugin takes it from ``$XDG_ACTIVATION_TOKEN`` when the window asks to be activated.
    """
    if activation_token and QGuiApplication.platformName().startswith("wayland"):
        os.environ["XDG_ACTIVATION_TOKEN"] = activation_token
    if window.isMinimized():
        window.showNormal()
    window.show()
    if QGuiApplication.platformName() not in _NO_STACKING:
        window.raise_()
    window.activateWindow()
