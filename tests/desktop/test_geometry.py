"""Restored geometry lands on a screen that is still attached."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from profile_editor.desktop.geometry import Rect, fit_geometry_to_screens

LAPTOP = (0, 0, 1920, 1080)
RIGHT_MONITOR = (1920, 0, 2560, 1440)


@pytest.mark.parametrize(
    ("geometry", "screens", "expected"),
    [
        # Wholly on a screen: untouched, on either monitor.
        ((100, 100, 800, 600), [LAPTOP, RIGHT_MONITOR], (100, 100, 800, 600)),
        ((2500, 200, 1000, 800), [LAPTOP, RIGHT_MONITOR], (2500, 200, 1000, 800)),
        # The right monitor was unplugged: onto the primary screen, the size kept.
        ((2500, 200, 1000, 800), [LAPTOP], (920, 200, 1000, 800)),
        # Hanging off the bottom-right edge: moved the least distance onto the screen.
        ((1500, 900, 800, 600), [LAPTOP], (1120, 480, 800, 600)),
        # Negative coordinates from a monitor that was on the left.
        ((-1500, -50, 900, 700), [LAPTOP], (0, 0, 900, 700)),
        # Bigger than the screen it is put on: shrunk to fit.
        ((3000, 0, 2400, 1400), [LAPTOP], (0, 0, 1920, 1080)),
        # Spanning two screens: onto the one it overlaps most.
        ((1800, 100, 800, 600), [LAPTOP, RIGHT_MONITOR], (1920, 100, 800, 600)),
        # No screen information: nothing to fit to.
        ((5000, 5000, 800, 600), [], (5000, 5000, 800, 600)),
        # Zero-sized screens (a disconnected output) are ignored.
        ((5000, 5000, 800, 600), [(0, 0, 0, 0), LAPTOP], (1120, 480, 800, 600)),
    ],
)
def test_fit_geometry_to_screens(
    geometry: tuple[int, int, int, int],
    screens: list[tuple[int, int, int, int]],
    expected: tuple[int, int, int, int],
) -> None:
    fitted = fit_geometry_to_screens(geometry, screens)
    assert fitted == Rect(*expected)
    if screens and any(s[2] for s in screens):
        assert any(Rect(*s).contains(fitted) for s in screens)


def test_a_window_is_fitted_to_the_screens_qt_reports(qtbot: QtBot) -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QWidget

    from profile_editor.ui.shell.screen_fit import fit_window_to_screens

    widget = QWidget()
    qtbot.addWidget(widget)
    area = QGuiApplication.primaryScreen().availableGeometry()
    widget.setGeometry(area.right() + 5000, area.bottom() + 5000, 300, 200)
    assert fit_window_to_screens(widget) is True
    assert area.contains(widget.geometry())
    assert (widget.width(), widget.height()) == (300, 200)
    assert fit_window_to_screens(widget) is False
