"""The status line: one sentence in a coloured state; its height follows the text."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from profile_editor.ui.common.frame_pacer import FRAME_MS
from profile_editor.ui.request import status_line
from profile_editor.ui.request.status_line import StatusLine


@pytest.fixture
def status(qtbot: QtBot) -> Iterator[StatusLine]:
    host = QWidget()
    qtbot.addWidget(host)
    line = StatusLine(host)
    line.resize(700, line.sizeHint().height())
    host.show()
    yield line


def laid_out_height(line: StatusLine) -> int:
    """What the label itself needs for its text at the status line's width."""
    return max(line.label.heightForWidth(line.width() - line._elapsed_width), 1)


SENTENCES = [
    "Ready.",
    "✓ 200 OK — 12 ms",
    "✓ 200 OK — 1,234 ms · verifying…",
    "Send failed: 400 · invalid_request_error — “profile” must be an object",
    "Cannot send: the recipient ID is empty. " * 6,  # wraps
    "✓ 200 OK — 3 ms",
]


def test_the_height_is_what_the_label_lays_out_for_every_sentence(
    status: StatusLine, qtbot: QtBot
) -> None:
    for text in SENTENCES:
        status.show_status(text, "success")
        qtbot.waitUntil(status.is_shown)
        assert status.sizeHint().height() == laid_out_height(status), text
    status.resize(260, status.height())  # narrower: what fitted now wraps
    status.show_status("✓ 200 OK — 1,234 ms · verifying… and a little more to say", "busy")
    qtbot.waitUntil(status.is_shown)
    assert status.sizeHint().height() == laid_out_height(status)
    assert status.sizeHint().height() > status.label.fontMetrics().height() * 2


def test_text_and_state_are_kept_and_shown(status: StatusLine, qtbot: QtBot) -> None:
    with qtbot.waitSignal(status.changed) as changed:
        status.show_status("✓ 200 OK — 4 ms", "success")
    assert changed.args == ["✓ 200 OK — 4 ms", "success"]
    assert (status.text(), status.state()) == ("✓ 200 OK — 4 ms", "success")
    qtbot.waitUntil(status.is_shown)
    assert status.label.text() == "✓ 200 OK — 4 ms"
    assert status.label.property("state") == "success"
    status.append("history not written", "warning")
    qtbot.waitUntil(status.is_shown)
    assert status.label.text() == "✓ 200 OK — 4 ms · history not written"
    assert status.label.property("state") == "warning"
    status.show_elapsed(1234.4)
    qtbot.waitUntil(status.is_shown)
    assert status.elapsed.text() == "1,234 ms"
    status.show_elapsed(None)
    qtbot.waitUntil(status.is_shown)
    assert status.elapsed.text() == ""


class _Paints(QObject):
    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.count = 0
        label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_burst_of_statuses_is_painted_once_a_frame_and_ends_on_the_last(
    status: StatusLine, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sends on loopback end every millisecond: each answer's status is kept and signalled, but
    the labels take the latest at most once a frame, the last one included."""
    announced: list[str] = []
    monkeypatch.setattr(status_line, "announce", lambda _label, text: announced.append(text))
    qtbot.waitUntil(lambda: status.label.isVisible())
    QApplication.processEvents()
    paints, signalled = _Paints(status.label), []
    status.changed.connect(lambda text, _state: signalled.append(text))
    start = time.perf_counter()
    for i in range(40):
        status.show_elapsed(i)
        status.show_status(f"✓ 200 OK — send {i}", "success" if i % 2 else "warning")
        QApplication.processEvents()  # where a repaint of each status would happen
    frames = (time.perf_counter() - start) * 1000 / FRAME_MS
    assert signalled == [f"✓ 200 OK — send {i}" for i in range(40)]
    assert status.text() == "✓ 200 OK — send 39"
    qtbot.waitUntil(status.is_shown)
    assert status.label.text() == "✓ 200 OK — send 39"
    assert status.label.property("state") == "success"
    assert status.elapsed.text() == "39 ms"
    qtbot.waitUntil(lambda: paints.count > 0)
    # One frame's worth of statuses at a time: the first at once, then one per frame ended.
    assert paints.count <= frames + 2
    assert len(announced) <= frames + 2
    assert announced[-1] == "✓ 200 OK — send 39"


def test_a_status_after_a_quiet_frame_shows_at_once(status: StatusLine, qtbot: QtBot) -> None:
    status.show_status("first", "idle")
    qtbot.waitUntil(status.is_shown)
    qtbot.wait(FRAME_MS + 5)  # a frame with no status
    status.show_status("✓ 200 OK — 3 ms", "success")
    assert status.is_shown() and status.label.text() == "✓ 200 OK — 3 ms"


def test_the_status_is_announced_to_a_screen_reader(
    status: StatusLine, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The label has a name of its own, so Qt does not say that its text changed: it is
    announced, once the labels show it."""
    sent: list[tuple[QObject, str]] = []
    monkeypatch.setattr(QAccessible, "isActive", staticmethod(lambda: True))
    monkeypatch.setattr(
        QAccessible,
        "updateAccessibility",
        staticmethod(lambda event: sent.append((event.object(), event.message()))),
    )
    status.show_status("Send failed: 400", "error")
    qtbot.waitUntil(status.is_shown)
    assert sent[-1] == (status.label, "Send failed: 400")
