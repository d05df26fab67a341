"""The editor's undo history inside the real window, against the sandbox."""

from __future__ import annotations

from driver import WindowDriver  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from profile_editor.ui.editor.fields_model import VALUE_COLUMN
from profile_editor.ui.editor.widget import ProfileEditorWidget


def editor_of(window: WindowDriver) -> ProfileEditorWidget:
    [editor] = window.widget.findChildren(ProfileEditorWidget)
    return editor  # type: ignore[no-any-return]


def test_a_send_keeps_the_undo_history(window: WindowDriver) -> None:
    editor = editor_of(window)
    window.fill(recipient="undo-user", profile={"email": "a@example.com"})
    model = editor.fields_model
    assert model.setData(model.index(0, VALUE_COLUMN), "b@example.com")
    steps = editor.undo_stack.count()
    assert window.send().ok
    assert editor.undo_stack.count() == steps
    assert editor.undo_action.text() == "Undo edit of email"
    editor.undo_action.trigger()
    assert window.profile() == {"email": "a@example.com"}


def test_a_load_is_a_step_and_ctrl_z_in_the_table_undoes_it(window: WindowDriver) -> None:
    editor = editor_of(window)
    window.fill(recipient="stored-user", profile={"plan": "stored"})
    assert window.send().ok
    window.fill(profile={"plan": "typed, not sent"})
    assert window.load("stored-user").ok
    assert window.profile() == {"plan": "stored"}
    assert editor.undo_action.text() == "Undo load"
    window.widget.activateWindow()
    window.qtbot.waitActive(window.widget)
    editor.tabs.setCurrentIndex(0)
    table = window.find(QTableView, "fieldsView")
    table.setFocus()
    window.qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.profile() == {"plan": "typed, not sent"}
