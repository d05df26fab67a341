"""Work after the first frame: it waits for the window's first paint, not only for show()."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from profile_editor.ui.shell import first_frame
from profile_editor.ui.shell.first_frame import after_first_frame


class _Paints(QObject):
    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self._log = log

    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._log.append("paint")
        return False


def test_the_work_comes_after_the_first_paint_and_once(qtbot: QtBot) -> None:
    log: list[str] = []
    window = QWidget()
    qtbot.addWidget(window)
    paints = _Paints(log)
    window.installEventFilter(paints)
    after_first_frame(window, lambda: log.append("work"))
    window.show()
    qtbot.waitUntil(lambda: "work" in log)
    assert log.index("paint") < log.index("work")
    window.update()
    qtbot.waitUntil(lambda: log.count("paint") >= 2)
    assert log.count("work") == 1


def test_a_window_that_never_paints_still_gets_the_work(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_frame, "FALLBACK_MS", 50)
    done: list[bool] = []
    window = QWidget()  # never shown, as a window started minimised is not painted
    qtbot.addWidget(window)
    after_first_frame(window, lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True], timeout=2000)
