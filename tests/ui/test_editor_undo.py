"""One undo history for the Fields table and the JSON tab of the profile editor."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from profile_editor.core.profile.jsoncodec import dumps_pretty
from profile_editor.ui.editor import profile_json_edit
from profile_editor.ui.editor.fields_model import KEY_COLUMN, TYPE_COLUMN, VALUE_COLUMN
from profile_editor.ui.editor.json_edit import BULK_PASTE
from profile_editor.ui.editor.profile_json_edit import KEEP_AS_TEXT
from profile_editor.ui.editor.undo_commands import TYPING_PAUSE_S
from profile_editor.ui.editor.widget import (
    DEBOUNCE_MS,
    FIELDS_TAB,
    JSON_TAB,
    ProfileEditorWidget,
)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

PROFILE: dict[str, Any] = {"email": "ada@example.com", "zip": "00123", "count": 3}


@pytest.fixture
def widget(qtbot: QtBot) -> Iterator[ProfileEditorWidget]:
    w = ProfileEditorWidget()
    qtbot.addWidget(w)
    w.set_profile(PROFILE, record=False)
    w.resize(700, 500)
    w.show()
    qtbot.waitExposed(w)
    yield w


def rows(w: ProfileEditorWidget) -> list[tuple[str, Any]]:
    return w.fields_model.rows()


def undo(w: ProfileEditorWidget) -> None:
    assert w.undo_action.isEnabled()
    w.undo_action.trigger()


def redo(w: ProfileEditorWidget) -> None:
    assert w.redo_action.isEnabled()
    w.redo_action.trigger()


def type_at_end(w: ProfileEditorWidget, qtbot: QtBot, text: str) -> None:
    """Type before the closing brace of the JSON text, key by key."""
    w.tabs.setCurrentIndex(JSON_TAB)
    edit = w.json_edit
    edit.setFocus()
    cursor = edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.movePosition(QTextCursor.MoveOperation.PreviousCharacter)
    edit.setTextCursor(cursor)
    with qtbot.waitSignal(w.profileChanged, timeout=3000):
        for index, line in enumerate(text.split("\n")):
            if index:
                qtbot.keyClick(edit, Qt.Key.Key_Return)
            qtbot.keyClicks(edit, line)


def test_actions_are_named_and_start_disabled(widget: ProfileEditorWidget) -> None:
    assert widget.undo_action.objectName() == "undoAction"
    assert widget.redo_action.objectName() == "redoAction"
    assert not widget.undo_action.isEnabled() and not widget.redo_action.isEnabled()
    assert widget.undo_action.shortcut().toString() == "Ctrl+Z"
    assert "Ctrl+Shift+Z" in [s.toString() for s in widget.redo_action.shortcuts()]
    assert widget.undo_action in widget.actions()


def test_table_edits_undo_and_redo_by_name(widget: ProfileEditorWidget) -> None:
    model = widget.fields_model
    assert model.setData(model.index(0, VALUE_COLUMN), "grace@example.com")
    assert widget.undo_action.text() == "Undo edit of email"
    assert model.setData(model.index(1, KEY_COLUMN), "postal_code")
    assert widget.undo_action.text() == "Undo rename of zip"
    assert model.setData(model.index(2, TYPE_COLUMN), "string")
    assert widget.undo_action.text() == "Undo type change of count"
    widget.fields_view.setCurrentIndex(widget.fields_view.model().index(2, KEY_COLUMN))
    widget.add_field()
    assert widget.undo_action.text() == "Undo add row"
    widget.move_current_up()
    assert widget.undo_action.text() == "Undo move row"
    widget.fields_view.selectAll()
    widget.remove_selected_fields()
    assert widget.undo_action.text() == "Undo remove 4 rows"
    assert rows(widget) == []

    undo(widget)
    assert rows(widget) == [
        ("email", "grace@example.com"),
        ("postal_code", "00123"),
        ("", ""),
        ("count", "3"),
    ]
    assert widget.redo_action.text() == "Redo remove 4 rows"
    for _ in range(5):
        undo(widget)
    assert rows(widget) == list(PROFILE.items())
    assert not widget.undo_action.isEnabled()
    assert not widget.is_modified()
    assert widget.redo_action.text() == "Redo edit of email"
    for _ in range(6):
        redo(widget)
    assert rows(widget) == []
    assert widget.tabs.currentIndex() == FIELDS_TAB


def test_undo_of_a_table_edit_updates_the_json_tab(widget: ProfileEditorWidget) -> None:
    model = widget.fields_model
    model.setData(model.index(2, VALUE_COLUMN), "4")
    widget.tabs.setCurrentIndex(JSON_TAB)
    assert json.loads(widget.json_edit.text())["count"] == 4
    undo(widget)
    widget.tabs.setCurrentIndex(JSON_TAB)
    assert widget.json_edit.text() == dumps_pretty(PROFILE)
    assert widget.profile_result().profile == PROFILE


def test_typing_is_one_step_and_keys_undo_it(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    type_at_end(widget, qtbot, ', "new": 12')
    typed = widget.json_edit.text()
    assert rows(widget)[-1] == ("new", 12)
    assert widget.undo_action.text() == "Undo typing"
    assert widget.undo_stack.count() == 1  # every key press merged into one step
    with qtbot.waitSignal(widget.profileChanged):
        qtbot.keyClick(widget.json_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert widget.json_edit.text() == dumps_pretty(PROFILE)
    assert rows(widget) == list(PROFILE.items())
    assert not widget.is_modified()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(widget.json_edit, Qt.Key.Key_Z, modifiers)
    assert widget.json_edit.text() == typed
    assert rows(widget)[-1] == ("new", 12)
    assert widget.is_modified()


def test_typing_elsewhere_is_a_new_step(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    type_at_end(widget, qtbot, ', "a": 1')
    cursor = widget.json_edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter)
    widget.json_edit.setTextCursor(cursor)
    with qtbot.waitSignal(widget.profileChanged, timeout=3000):
        qtbot.keyClicks(widget.json_edit, '"b": 2, ')
    assert [k for k, _ in rows(widget)] == ["b", "email", "zip", "count", "a"]
    assert widget.undo_stack.count() == 2
    undo(widget)
    assert [k for k, _ in rows(widget)] == ["email", "zip", "count", "a"]


def test_one_history_across_both_views(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    # Compact JSON typed over everything, a table edit, the text regenerated from the table.
    widget.tabs.setCurrentIndex(JSON_TAB)
    widget.json_edit.selectAll()
    with qtbot.waitSignal(widget.profileChanged, timeout=3000):
        qtbot.keyClicks(widget.json_edit, '{"a":1,"b":[true]}')
    typed = widget.json_edit.text()
    widget.tabs.setCurrentIndex(FIELDS_TAB)
    model = widget.fields_model
    assert model.setData(model.index(0, VALUE_COLUMN), "2")
    widget.tabs.setCurrentIndex(JSON_TAB)
    assert widget.json_edit.text() == dumps_pretty({"a": 2, "b": [True]})
    type_at_end(widget, qtbot, ', "c": null')
    assert [k for k, _ in rows(widget)] == ["a", "b", "c"]

    undo(widget)  # the typing
    assert widget.json_edit.text() == dumps_pretty({"a": 2, "b": [True]})
    assert widget.tabs.currentIndex() == JSON_TAB
    undo(widget)  # the table edit: the text is again the one typed, as typed
    assert rows(widget) == [("a", 1), ("b", [True])]
    assert widget.tabs.currentIndex() == FIELDS_TAB
    widget.tabs.setCurrentIndex(JSON_TAB)
    assert widget.json_edit.text() == typed
    undo(widget)  # the typing of the whole text
    assert widget.json_edit.text() == dumps_pretty(PROFILE)
    assert rows(widget) == list(PROFILE.items())
    assert not widget.undo_action.isEnabled()

    for _ in range(3):
        redo(widget)
    assert widget.profile_result().profile == {"a": 2, "b": [True], "c": None}


def test_paste_is_one_named_step(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    widget.tabs.setCurrentIndex(JSON_TAB)
    widget.json_edit.selectAll()
    mime = QMimeData()
    mime.setText('{"pasted": true}')
    with qtbot.waitSignal(widget.profileChanged, timeout=3000):
        widget.json_edit.insertFromMimeData(mime)
    assert rows(widget) == [("pasted", True)]
    assert widget.undo_action.text() == "Undo paste"
    undo(widget)
    assert widget.json_edit.text() == dumps_pretty(PROFILE)
    assert rows(widget) == list(PROFILE.items())


def test_large_paste_is_one_step_without_a_document_copy(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    big = {f"key{i:05d}": {"name": "x" * 60, "n": i} for i in range(4000)}
    text = json.dumps(big, indent=2)
    assert len(text) > BULK_PASTE
    widget.tabs.setCurrentIndex(JSON_TAB)
    QGuiApplication.clipboard().setText(text)
    widget.json_edit.selectAll()
    with qtbot.waitSignal(widget.profileChanged, timeout=5000):
        widget.json_edit.paste()
    assert widget.fields_model.rowCount() == 4000
    assert widget.undo_action.text() == "Undo paste"
    assert widget.undo_stack.count() == 1
    # The pasted text was loaded, not inserted: its document has no undo copy of it.
    assert widget.json_edit.document().availableUndoSteps() == 0
    undo(widget)
    assert widget.json_edit.text() == dumps_pretty(PROFILE)
    assert rows(widget) == list(PROFILE.items())
    redo(widget)
    assert widget.json_edit.text() == text
    assert widget.profile_result().profile == big


def test_set_profile_is_a_step_unless_told(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    # Broken text typed, then a load over it: undoing the load gives back the text as typed.
    type_at_end(widget, qtbot, ",")
    broken = widget.json_edit.text()
    assert widget.profile_result().where == "json"
    widget.set_profile({"loaded": 1})
    assert widget.undo_action.text() == "Undo load"
    assert not widget.is_modified()
    undo(widget)
    assert widget.json_edit.text() == broken
    assert widget.fields_model.is_read_only()
    assert rows(widget) == list(PROFILE.items())
    assert widget.is_modified()
    redo(widget)
    assert rows(widget) == [("loaded", 1)]
    assert not widget.is_modified()
    widget.set_profile({"preset": True}, step="open preset")
    assert widget.undo_action.text() == "Undo open preset"
    widget.set_profile({"fresh": 0}, record=False)
    assert not widget.undo_action.isEnabled()
    assert widget.undo_stack.count() == 0


def test_saved_state_follows_undo(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    model = widget.fields_model
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        model.setData(model.index(0, VALUE_COLUMN), "x")
    assert changed.args == [True]
    widget.set_modified(False)  # saved here
    model.setData(model.index(0, VALUE_COLUMN), "y")
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        undo(widget)
    assert changed.args == [False]
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        undo(widget)
    assert changed.args == [True]
    widget.set_modified(True)  # e.g. a request re-opened from history: modified for good
    redo(widget)
    assert widget.is_modified()


def test_undo_key_in_the_table(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    widget.activateWindow()
    qtbot.waitActive(widget)
    model = widget.fields_model
    model.setData(model.index(1, VALUE_COLUMN), "99999")
    widget.fields_view.setFocus()
    qtbot.keyClick(widget.fields_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(widget) == list(PROFILE.items())


def test_a_new_edit_drops_what_could_be_redone(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    type_at_end(widget, qtbot, ', "a": 1')
    undo(widget)
    type_at_end(widget, qtbot, ', "b": 2')
    assert not widget.redo_action.isEnabled()
    undo(widget)
    assert widget.json_edit.text() == dumps_pretty(PROFILE)


def test_documents_no_step_refers_to_are_deleted(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    kept = []
    for i in range(3):
        widget.set_profile({"n": i})
        kept.append(widget.json_edit.document())
    assert all(shiboken6.isValid(d) for d in kept)  # each one can be shown again by an undo
    with qtbot.waitSignals([d.destroyed for d in kept], timeout=3000):
        widget.set_profile({"fresh": True}, record=False)
    assert shiboken6.isValid(widget.json_edit.document())
    assert widget.json_edit.text() == dumps_pretty({"fresh": True})


def test_context_menu_offers_the_shared_undo(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    type_at_end(widget, qtbot, ', "a": 1')
    menu = widget.json_edit.create_context_menu(QPoint(1, 1))
    actions = menu.actions()
    assert widget.undo_action in actions and widget.redo_action in actions
    assert not [a for a in actions if a.objectName() in ("edit-undo", "edit-redo")]
    menu.deleteLater()


def big_profile(tag: str) -> dict[str, Any]:
    return {f"{tag}{i:05d}": {"name": "x" * 60, "n": i} for i in range(4000)}


def test_a_large_document_put_away_is_kept_as_text(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    widget.set_profile(big_profile("loaded"))
    loaded = widget.json_edit.document_ref
    loaded_text = widget.json_edit.text()
    assert len(loaded_text) > KEEP_AS_TEXT
    widget.tabs.setCurrentIndex(JSON_TAB)
    pasted = json.dumps(big_profile("pasted"))
    QGuiApplication.clipboard().setText(pasted)
    widget.json_edit.selectAll()
    with qtbot.waitSignal(widget.profileChanged, timeout=5000):
        widget.json_edit.paste()
    assert loaded.is_text()  # no second large document while the pasted one is shown
    undo(widget)
    assert widget.json_edit.document_ref is loaded and not loaded.is_text()
    assert widget.json_edit.text() == loaded_text
    assert widget.profile_result().profile == big_profile("loaded")
    redo(widget)
    assert widget.json_edit.text() == pasted
    assert loaded.is_text()


def test_a_large_document_with_steps_stays_a_document(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    widget.set_profile(big_profile("loaded"))
    type_at_end(widget, qtbot, ', "typed": 1')
    typed = widget.json_edit.document_ref
    widget.set_profile({"small": True})
    assert not typed.is_text()  # its typing can still be undone
    undo(widget)
    assert widget.profile_result().profile == big_profile("loaded") | {"typed": 1}
    undo(widget)
    assert widget.profile_result().profile == big_profile("loaded")


# -- steps at least as fine as a plain QPlainTextEdit's ----------------------------------------


class Clock:
    """Stands in for the time typing steps are stamped with: a pause without waiting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1000.0
        monkeypatch.setattr(profile_json_edit, "clock", lambda: self.now)

    def pause(self, seconds: float = TYPING_PAUSE_S + 0.5) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


CTRL = Qt.KeyboardModifier.ControlModifier


def texts_undone(edit: QPlainTextEdit, undo_once: Callable[[], bool]) -> list[str]:
    """The text now, then after each undo until there is nothing left to undo."""
    seen = [edit.toPlainText()]
    while undo_once():
        seen.append(edit.toPlainText())
    return seen


def test_the_issue_recipe_keeps_the_first_typing_reachable(
    widget: ProfileEditorWidget, qtbot: QtBot, clock: Clock
) -> None:
    # JSON tab: Ctrl+A, type, pause, Ctrl+A, type again, Ctrl+Z: back to the first typing.
    widget.set_profile({}, record=False)
    widget.tabs.setCurrentIndex(JSON_TAB)
    edit = widget.json_edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(edit, '{"email": "one@x.io"}')
    clock.pause()
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(edit, '{"email": "two@x.io"}')
    with qtbot.waitSignal(widget.profileChanged):
        qtbot.keyClick(edit, Qt.Key.Key_Z, CTRL)
    assert edit.text() == '{"email": "one@x.io"}'
    assert rows(widget) == [("email", "one@x.io")]
    qtbot.keyClick(edit, Qt.Key.Key_Z, CTRL)
    assert edit.text() == "{}"


def _ctrl_a_type_twice(edit: QPlainTextEdit, qtbot: QtBot) -> None:
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(edit, '{"a": 1}')
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(edit, '{"b": 2}')


def _type_break_type(edit: QPlainTextEdit, qtbot: QtBot) -> None:
    qtbot.keyClick(edit, Qt.Key.Key_End, CTRL)
    qtbot.keyClick(edit, Qt.Key.Key_Left)
    qtbot.keyClicks(edit, ', "x": 1')
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, ', "y": 2')
    qtbot.keyClick(edit, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # over a selection
    qtbot.keyClicks(edit, "3")


def _type_delete_type(edit: QPlainTextEdit, qtbot: QtBot) -> None:
    qtbot.keyClick(edit, Qt.Key.Key_End, CTRL)
    qtbot.keyClick(edit, Qt.Key.Key_Left)
    qtbot.keyClicks(edit, ', "abc": 12')
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, "34")
    qtbot.keyClick(edit, Qt.Key.Key_Home, CTRL)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)


def _select_word_and_paste(edit: QPlainTextEdit, qtbot: QtBot) -> None:
    QGuiApplication.clipboard().setText('"pasted"')
    cursor = edit.textCursor()
    start = edit.toPlainText().index('"ada@example.com"')
    cursor.setPosition(start)
    cursor.setPosition(start + len('"ada@example.com"'), QTextCursor.MoveMode.KeepAnchor)
    edit.setTextCursor(cursor)
    qtbot.keyClick(edit, Qt.Key.Key_V, CTRL)
    qtbot.keyClicks(edit, " ")
    qtbot.keyClick(edit, Qt.Key.Key_V, CTRL)


@pytest.mark.parametrize(
    "keys", [_ctrl_a_type_twice, _type_break_type, _type_delete_type, _select_word_and_paste]
)
def test_undo_steps_are_at_least_as_fine_as_a_plain_text_edit(
    widget: ProfileEditorWidget, qtbot: QtBot, keys: Callable[[QPlainTextEdit, QtBot], None]
) -> None:
    """Every text a plain QPlainTextEdit's undo goes through, ours goes through too, in order."""
    plain = QPlainTextEdit()
    qtbot.addWidget(plain)
    plain.setPlainText(widget.json_edit.text())
    plain.show()
    widget.tabs.setCurrentIndex(JSON_TAB)
    for edit in (plain, widget.json_edit):
        edit.setFocus()
        keys(edit, qtbot)
    assert widget.json_edit.toPlainText() == plain.toPlainText()

    def plain_undo() -> bool:
        if not plain.document().isUndoAvailable():
            return False
        plain.undo()
        return True

    def our_undo() -> bool:
        if not widget.undo_action.isEnabled():
            return False
        widget.undo_action.trigger()
        return True

    theirs = texts_undone(plain, plain_undo)
    ours = iter(texts_undone(widget.json_edit, our_undo))
    assert all(text in ours for text in theirs), theirs  # a subsequence: none skipped


def test_a_pause_in_typing_starts_a_new_step(
    widget: ProfileEditorWidget, qtbot: QtBot, clock: Clock
) -> None:
    type_at_end(widget, qtbot, ', "a": 1')
    clock.pause()
    type_at_end(widget, qtbot, ', "b": 2')
    assert widget.undo_stack.count() == 2
    undo(widget)
    assert rows(widget)[-1] == ("a", 1)
    clock.pause(TYPING_PAUSE_S / 2)  # a short one does not
    type_at_end(widget, qtbot, ', "c": 3')
    clock.pause(TYPING_PAUSE_S / 2)
    type_at_end(widget, qtbot, ', "d": 4')
    assert widget.undo_stack.count() == 2


# -- modified: only when the content differs from what was loaded or saved -----------------


def test_keys_that_change_nothing_do_not_modify(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    widget.tabs.setCurrentIndex(JSON_TAB)
    edit = widget.json_edit
    edit.setFocus()
    shift = Qt.KeyboardModifier.ShiftModifier
    with (
        qtbot.assertNotEmitted(widget.modifiedChanged),
        qtbot.assertNotEmitted(widget.edited),
        qtbot.assertNotEmitted(widget.profileChanged, wait=DEBOUNCE_MS + 50),
    ):
        for key, modifiers in [
            (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_Down, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_End, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_Shift, shift),
            (Qt.Key.Key_Control, CTRL),
            (Qt.Key.Key_Left, shift),
            (Qt.Key.Key_Home, CTRL | shift),
            (Qt.Key.Key_C, CTRL),
            (Qt.Key.Key_PageDown, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        ]:
            qtbot.keyClick(edit, key, modifiers)
    assert not widget.is_modified() and widget.undo_stack.count() == 0


def test_undoing_typing_back_to_the_saved_text_clears_modified(
    widget: ProfileEditorWidget, qtbot: QtBot, clock: Clock
) -> None:
    type_at_end(widget, qtbot, ', "a": 1')
    widget.set_modified(False)  # saved here
    clock.pause()
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        type_at_end(widget, qtbot, ', "b": 2')
    assert changed.args == [True]
    qtbot.keyClick(widget.json_edit, Qt.Key.Key_Left)  # moving about changes nothing
    assert widget.is_modified()
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        qtbot.keyClick(widget.json_edit, Qt.Key.Key_Z, CTRL)
    assert changed.args == [False]
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        qtbot.keyClick(widget.json_edit, Qt.Key.Key_Z, CTRL)  # before the save: modified
    assert changed.args == [True]
