"""The editor's undo history and find actions inside the real window, against the sandbox."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import load, send  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.fields_model import VALUE_COLUMN
from profile_editor.ui.main_window import MainWindow


def test_a_send_keeps_the_undo_history(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    editor = window.editor
    window.recipient_edit.setText("undo-user")
    editor.json_edit.setPlainText('{"email": "a@example.com"}')
    editor.flush()
    model = editor.fields_model
    assert model.setData(model.index(0, VALUE_COLUMN), "b@example.com")
    steps = editor.undo_stack.count()
    assert send(qtbot, window).ok
    assert editor.undo_stack.count() == steps
    assert editor.undo_action.text() == "Undo edit of email"
    editor.undo_action.trigger()
    assert editor.profile_result().profile == {"email": "a@example.com"}


def test_a_load_is_a_step_and_ctrl_z_in_the_table_undoes_it(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    editor = window.editor
    window.recipient_edit.setText("stored-user")
    editor.json_edit.setPlainText('{"plan": "stored"}')
    assert send(qtbot, window).ok
    editor.json_edit.setPlainText('{"plan": "typed, not sent"}')
    assert load(qtbot, window, "stored-user").ok
    assert editor.profile_result().profile == {"plan": "stored"}
    assert editor.undo_action.text() == "Undo load"
    window.activateWindow()
    qtbot.waitActive(window)
    editor.tabs.setCurrentIndex(0)
    editor.fields_view.setFocus()
    qtbot.keyClick(editor.fields_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.profile_result().profile == {"plan": "typed, not sent"}
