"""What a new recipient ID repaints before a send: the field and the bar it sits in, not the
window's widgets under the bar (the status line's share: tests/ui/test_status_line.py); IDs set
faster than a frame are painted once, as the last."""

from __future__ import annotations

import time

import pytest
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


class _Clock:
    """The clock of the field's pacer: it stands still unless moved."""

    def __init__(self) -> None:
        self.now = time.perf_counter() + 1  # a frame and more after anything painted so far

    def perf_counter(self) -> float:
        return self.now


def test_ids_set_within_a_frame_are_painted_as_their_last(
    window: WindowDriver, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    qtbot.waitExposed(window.widget)
    field, bar = window.find(QLineEdit, "recipientIdEdit"), window.widget.request_bar
    clock = _Clock()
    monkeypatch.setattr(bar.recipient_pacer.frame, "clock", clock.perf_counter)
    shown: list[tuple[str, bool]] = []  # the field's text at each of its paints; held or not

    class _FieldPaints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
            if watched is field and isinstance(event, QPaintEvent):
                shown.append((field.text(), bar.recipient_paint_pending()))
            return False

    paints = _FieldPaints()
    QApplication.instance().installEventFilter(paints)
    try:
        # After a quiet frame: painted on the event loop's next turn, as before.
        field.setText("user-a")
        assert not bar.recipient_paint_pending()
        qtbot.waitUntil(lambda: ("user-a", False) in shown)
        # Within the frame (the clock has not moved): held, then painted once, as the last.
        shown.clear()
        for text in ("user-b", "user-c", "user-d"):
            field.setText(text)
            assert bar.recipient_paint_pending()
        QApplication.processEvents()  # what is queued runs; the field's paint waits
        qtbot.waitUntil(lambda: not bar.recipient_paint_pending())
        qtbot.waitUntil(lambda: bool(shown))
        assert all(not held for _, held in shown)
        assert {text for text, _ in shown} == {"user-d"}
        assert field.text() == "user-d" and field.isVisible()
        # A frame later: at once again.
        clock.now += 1
        shown.clear()
        field.setText("user-e")
        assert not bar.recipient_paint_pending()
        qtbot.waitUntil(lambda: ("user-e", False) in shown)
    finally:
        QApplication.instance().removeEventFilter(paints)
