"""A label whose text changes often (the history's count, each burst of sends) repaints itself
and lays out nothing else; a text too long for its row is cut and shown whole as a tooltip."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QHBoxLayout, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from profile_editor.ui.common.quiet_label import QuietLabel


class _LayoutRequests(QObject):
    """Widgets sent a layout request, while installed on the application."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[QObject] = []

    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.seen.append(watched)
        return False


def _window(qtbot: QtBot) -> tuple[QWidget, QuietLabel]:
    window = QWidget()
    qtbot.addWidget(window)
    row = QHBoxLayout()
    label = QuietLabel("countLabel", window)
    row.addWidget(label, 1)
    row.addWidget(QPushButton("Export", window))
    outer = QVBoxLayout(window)
    outer.addLayout(row)
    outer.addStretch(1)
    window.resize(500, 200)
    window.show()
    qtbot.waitExposed(window)
    return window, label


def test_a_new_text_lays_out_nothing_but_is_shown(qtbot: QtBot) -> None:
    window, label = _window(qtbot)
    label.setText("1 request")
    QApplication.sendPostedEvents()
    requests = _LayoutRequests()
    QApplication.instance().installEventFilter(requests)
    try:
        for count in (2, 30, 400, 5_000):
            label.setText(f"{count:,} requests")
            QApplication.sendPostedEvents()
    finally:
        QApplication.instance().removeEventFilter(requests)
    assert [w for w in requests.seen if w is window or w is label.parentWidget()] == []
    assert label.text() == "5,000 requests"
    assert label.label.text() == "5,000 requests"
    assert label.label.geometry() == label.rect()
    assert label.height() >= label.label.fontMetrics().height()
    assert label.toolTip() == ""  # fits: no tooltip


def test_a_text_longer_than_the_row_is_cut_and_shown_whole_as_a_tooltip(qtbot: QtBot) -> None:
    window, label = _window(qtbot)
    width = window.width()
    note = "History is off: " + "the disk is full " * 20
    label.setText(note)
    QApplication.sendPostedEvents()
    assert window.width() == width  # the window keeps its width
    assert label.toolTip() == note
    label.setText("3 requests")
    assert label.toolTip() == ""
