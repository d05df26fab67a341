"""Qt's own messages land in the app's log, and a handler installed before still sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import qInfo, qWarning
from pytestqt.qtbot import QtBot

from profile_editor.diagnostics.log_setup import configure_logging
from profile_editor.ui.shell.qt_messages import install_qt_message_logging


@pytest.mark.qt_log_ignore("qt warning for the log test")
def test_qt_messages_go_to_the_log(tmp_path: Path, qtbot: QtBot, qtlog: object) -> None:
    setup = configure_logging(tmp_path)
    restore = install_qt_message_logging()
    try:
        qWarning("qt warning for the log test with Bearer dk_prod_abcdef01234")
        qInfo("qt info for the log test")
    finally:
        restore()
        setup.close()
    text = setup.path.read_text(encoding="utf-8")
    assert "WARNING profile_editor.qt" in text
    assert "qt warning for the log test with Bearer ****" in text
    assert "abcdef01234" not in text
    assert "qt info for the log test" in text
    # pytest-qt's own handler, installed before ours, still got the message.
    seen = [record.message for record in qtlog.records]  # type: ignore[attr-defined]
    assert any("qt warning for the log test" in message for message in seen)
