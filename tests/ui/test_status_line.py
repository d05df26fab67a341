"""The status line: one sentence in a coloured state; its height follows the text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

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


def test_the_height_is_what_the_label_lays_out_for_every_sentence(status: StatusLine) -> None:
    for text in SENTENCES:
        status.show_status(text, "success")
        assert status.sizeHint().height() == laid_out_height(status), text
    status.resize(260, status.height())  # narrower: what fitted now wraps
    status.show_status("✓ 200 OK — 1,234 ms · verifying… and a little more to say", "busy")
    assert status.sizeHint().height() == laid_out_height(status)
    assert status.sizeHint().height() > status.label.fontMetrics().height() * 2


def test_text_and_state_are_kept_and_shown(status: StatusLine, qtbot: QtBot) -> None:
    with qtbot.waitSignal(status.changed) as changed:
        status.show_status("✓ 200 OK — 4 ms", "success")
    assert changed.args == ["✓ 200 OK — 4 ms", "success"]
    assert (status.text(), status.state()) == ("✓ 200 OK — 4 ms", "success")
    assert status.label.text() == "✓ 200 OK — 4 ms"
    assert status.label.property("state") == "success"
    status.append("history not written", "warning")
    assert status.label.text() == "✓ 200 OK — 4 ms · history not written"
    assert status.label.property("state") == "warning"
    status.show_elapsed(1234.4)
    assert status.elapsed.text() == "1,234 ms"
    status.show_elapsed(None)
    assert status.elapsed.text() == ""
