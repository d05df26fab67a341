"""What a new recipient ID repaints before a send: the field and the bar it sits in, not the
window's widgets under the bar (the status line's share: tests/ui/test_status_line.py)."""

from __future__ import annotations

from driver import WindowDriver  # type: ignore[import-not-found]
from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot


class _Paints(QObject):
    """Each paint event (widget, rectangle), while installed on the application."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[QWidget, QRect]] = []

    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if isinstance(event, QPaintEvent) and isinstance(watched, QWidget):
            self.seen.append((watched, event.rect()))
        return False

    def painted(self, widget: QWidget) -> bool:
        return any(w is widget for w, _ in self.seen)


def test_a_new_recipient_id_repaints_the_bar_not_the_window_under_it(
    window: WindowDriver, qtbot: QtBot
) -> None:
    qtbot.waitExposed(window.widget)
    field, bar = window.find(QLineEdit, "recipientIdEdit"), window.widget.request_bar
    paints = _Paints()
    QApplication.instance().installEventFilter(paints)
    try:
        # The first edits change more than the field (the clear button, the Changes tab).
        for text in ("user", "user-a"):
            field.setText(text)
            qtbot.waitUntil(lambda: paints.painted(field))
            paints.seen.clear()
        for i in range(5):
            field.setText(f"user-{i}")
            qtbot.waitUntil(lambda: paints.painted(field))
            # Under the field: painted only if the widgets above them are not opaque.
            under = [
                f"{type(w).__name__} {w.objectName()}"
                for w, rect in paints.seen
                if w is not bar
                and w.isAncestorOf(bar)
                and rect.intersects(QRect(field.mapTo(w, field.rect().topLeft()), field.size()))
            ]
            assert under == []
            paints.seen.clear()
    finally:
        QApplication.instance().removeEventFilter(paints)
