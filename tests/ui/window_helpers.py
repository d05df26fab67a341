"""Driving the window in tests: send and load, waiting for the outcome."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from profile_editor.core.models import Outcome
from profile_editor.ui.main_window import MainWindow


def send(qtbot: QtBot, window: MainWindow, timeout: int = 10_000) -> Outcome:
    """Click Send; wait for the send's outcome and for any verification after it."""
    with qtbot.waitSignal(window.requestFinished, timeout=timeout) as blocker:
        window.send_button.click()
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=timeout)
    outcome = blocker.args[0]
    assert isinstance(outcome, Outcome)
    return outcome


def load(qtbot: QtBot, window: MainWindow, rid: str) -> Outcome:
    """Type the recipient ID, click Load and wait for the answer."""
    window.recipient_edit.setText(rid)
    with qtbot.waitSignal(window.requestFinished, timeout=10_000) as blocker:
        window.load_button.click()
    outcome = blocker.args[0]
    assert isinstance(outcome, Outcome)
    return outcome
