"""Restored window geometry brought onto a screen that is still attached."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from profile_editor.desktop.geometry import fit_geometry_to_screens


def fit_window_to_screens(window: QWidget) -> bool:
    """Call after ``restoreGeometry``; True when the window had to be moved or shrunk."""
    primary = QGuiApplication.primaryScreen()
    screens = QGuiApplication.screens()
    ordered = [primary, *[s for s in screens if s is not primary]] if primary else screens
    areas = [_rect(s.availableGeometry()) for s in ordered]
    current = _rect(window.geometry())
    fitted = fit_geometry_to_screens(current, areas)
    if fitted == current:
        return False
    window.setGeometry(QRect(*fitted))
    return True


def _rect(rect: QRect) -> tuple[int, int, int, int]:
    return (rect.x(), rect.y(), rect.width(), rect.height())
