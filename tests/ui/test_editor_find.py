"""Find in the JSON tab, the filter over the Fields table, and going to a key path or line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from profile_editor.ui.common import dialogs
from profile_editor.ui.editor.fields_model import KEY_COLUMN, VALUE_COLUMN
from profile_editor.ui.editor.find_bar import COUNT_LIMIT, LARGE_TEXT
from profile_editor.ui.editor.widget import FIELDS_TAB, JSON_TAB, ProfileEditorWidget

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

PROFILE: dict[str, Any] = {
    "email": "ada@example.com",
    "plan": "free",
    "address": {"locality": "London", "plan": "x"},
    "custom": {"plan": "Plan B", "seats": 3},
}
# Line numbers of the pretty text: "plan" is on lines 3, 6 and 9 (twice on 9).


@pytest.fixture
def widget(qtbot: QtBot) -> Iterator[ProfileEditorWidget]:
    w = ProfileEditorWidget()
    qtbot.addWidget(w)
    w.set_profile(PROFILE, record=False)
    w.resize(800, 500)
    w.show()
    w.activateWindow()
    qtbot.waitActive(w)
    yield w


def child(w: QWidget, kind: type, name: str) -> Any:
    found = w.findChild(kind, name)
    assert found is not None, name
    return found


def find_edit(w: ProfileEditorWidget) -> QLineEdit:
    return child(w, QLineEdit, "findEdit")  # type: ignore[no-any-return]


def count_text(w: ProfileEditorWidget) -> str:
    return child(w, QLabel, "findCountLabel").text()  # type: ignore[no-any-return]


def cursor_line(w: ProfileEditorWidget) -> int:
    return w.json_edit.textCursor().blockNumber() + 1


def open_find(w: ProfileEditorWidget, qtbot: QtBot) -> None:
    w.tabs.setCurrentIndex(JSON_TAB)
    w.json_edit.setFocus()
    qtbot.keyClick(w.json_edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert child(w, QWidget, "findBar").isVisible()
    assert find_edit(w).hasFocus()


# -- find in the JSON tab --------------------------------------------------------------------


def test_find_next_previous_and_count(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    open_find(widget, qtbot)
    edit = find_edit(widget)
    edit.setText("plan")
    assert widget.json_edit.textCursor().selectedText() == "plan"
    assert cursor_line(widget) == 3
    qtbot.waitUntil(lambda: count_text(widget) == "1 of 4")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert cursor_line(widget) == 6
    qtbot.waitUntil(lambda: count_text(widget) == "2 of 4")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert cursor_line(widget) == 3
    qtbot.keyClick(edit, Qt.Key.Key_F3)
    qtbot.keyClick(edit, Qt.Key.Key_F3)
    qtbot.keyClick(edit, Qt.Key.Key_F3)
    assert widget.json_edit.textCursor().selectedText() == "Plan"
    qtbot.waitUntil(lambda: count_text(widget) == "4 of 4")
    qtbot.keyClick(edit, Qt.Key.Key_F3)  # wraps around
    assert cursor_line(widget) == 3
    qtbot.keyClick(edit, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)  # and back
    qtbot.waitUntil(lambda: count_text(widget) == "4 of 4")
    # F3 works from the text as well, once there is something to find.
    widget.json_edit.setFocus()
    qtbot.keyClick(widget.json_edit, Qt.Key.Key_F3)
    assert cursor_line(widget) == 3


def test_match_case(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    open_find(widget, qtbot)
    find_edit(widget).setText("Plan")
    assert widget.json_page.find_bar.match_count() == 4
    child(widget, QCheckBox, "findCaseCheck").click()
    assert widget.json_edit.textCursor().selectedText() == "Plan"
    assert cursor_line(widget) == 9
    assert widget.json_page.find_bar.match_count() == 1
    qtbot.waitUntil(lambda: count_text(widget) == "1 of 1")


def test_no_match_and_escape(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    open_find(widget, qtbot)
    find_edit(widget).setText("nowhere")
    assert count_text(widget) == "No matches"
    assert not widget.json_edit.textCursor().hasSelection()
    qtbot.keyClick(find_edit(widget), Qt.Key.Key_Escape)
    assert not child(widget, QWidget, "findBar").isVisible()
    assert widget.json_edit.hasFocus()


def test_selected_text_is_what_is_found(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    widget.tabs.setCurrentIndex(JSON_TAB)
    cursor = widget.json_edit.cursor_at(5, 6)
    cursor.setPosition(cursor.position() + 8, cursor.MoveMode.KeepAnchor)
    widget.json_edit.setTextCursor(cursor)
    assert cursor.selectedText() == "locality"
    widget.find_action.trigger()
    assert find_edit(widget).text() == "locality"


def test_counts_after_wide_characters(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    widget.set_profile({"😀😀": "ab", "x": "ab 😀 ab"})
    open_find(widget, qtbot)
    find_edit(widget).setText("ab")
    qtbot.keyClick(find_edit(widget), Qt.Key.Key_F3)
    qtbot.keyClick(find_edit(widget), Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: count_text(widget) == "3 of 3")


def test_counting_stops_at_the_limit(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    widget.set_profile({f"k{i}": "x" for i in range(COUNT_LIMIT + 50)})
    open_find(widget, qtbot)
    find_edit(widget).setText('"k')
    qtbot.waitUntil(lambda: count_text(widget) == f"1 of {COUNT_LIMIT}+")
    qtbot.keyClick(find_edit(widget), Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: count_text(widget) == f"{COUNT_LIMIT}+ matches")


def test_large_text_is_searched_after_a_pause_in_typing(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    big = {f"k{i:06d}": "v" * 40 for i in range(LARGE_TEXT // 50)} | {"last": "needle"}
    widget.set_profile(big)
    assert widget.json_edit.document().characterCount() > LARGE_TEXT
    open_find(widget, qtbot)
    qtbot.keyClicks(find_edit(widget), "need")
    assert not widget.json_edit.textCursor().hasSelection()  # not between key presses
    qtbot.waitUntil(lambda: widget.json_edit.textCursor().selectedText() == "need")
    qtbot.waitUntil(lambda: count_text(widget) == "1 of 1")
    qtbot.keyClicks(find_edit(widget), "le")
    qtbot.keyClick(find_edit(widget), Qt.Key.Key_Return)  # Enter does not wait
    assert widget.json_edit.textCursor().selectedText() == "needle"


def test_count_follows_edits_of_the_text(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    open_find(widget, qtbot)
    find_edit(widget).setText("London")
    qtbot.waitUntil(lambda: count_text(widget) == "1 of 1")
    widget.json_edit.setPlainText(json.dumps({"a": "London", "b": "London"}))
    qtbot.waitUntil(lambda: count_text(widget) == "2 matches")


# -- filter over the table -------------------------------------------------------------------


def filter_edit(w: ProfileEditorWidget) -> QLineEdit:
    return child(w, QLineEdit, "fieldsFilterEdit")  # type: ignore[no-any-return]


def shown_keys(w: ProfileEditorWidget) -> list[str]:
    proxy = w.fields_view.model()
    return [proxy.index(r, KEY_COLUMN).data() for r in range(proxy.rowCount())]


def test_filter_by_key_or_value(
    widget: ProfileEditorWidget, qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    proxy = widget.fields_view.model()
    qtmodeltester.check(proxy)
    filter_edit(widget).setText("LONDON")
    assert shown_keys(widget) == ["address"]
    filter_edit(widget).setText("plan")
    assert shown_keys(widget) == ["plan", "address", "custom"]
    assert child(widget, QLabel, "fieldsFilterCountLabel").text() == "3 of 4"
    qtmodeltester.check(proxy)
    # Row numbers stay those of the profile.
    assert proxy.headerData(0, Qt.Orientation.Vertical) == "2"
    widget.fields_model.insert_field(0, "plan_b", 1)
    assert shown_keys(widget) == ["plan_b", "plan", "address", "custom"]
    qtmodeltester.check(proxy)
    filter_edit(widget).clear()
    assert len(shown_keys(widget)) == 5


def test_editing_through_the_filter_edits_the_right_row(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    filter_edit(widget).setText("free")
    view = widget.fields_view
    index = view.model().index(0, VALUE_COLUMN)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index)
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "free"
    editor.setText("pro")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dict(widget.fields_model.rows())["plan"] == "pro")
    assert widget.fields_model.rows()[0] == ("email", "ada@example.com")
    assert widget.undo_action.text() == "Undo edit of plan"
    assert shown_keys(widget) == ["plan"]  # still in view while the filter text is unchanged


def test_filter_and_the_toolbar(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    filter_edit(widget).setText("plan")
    view = widget.fields_view
    view.setCurrentIndex(view.model().index(1, KEY_COLUMN))  # "address", row 3
    assert widget.fields_page.current_row() == 2
    assert not widget.fields_page.up_action.isEnabled()  # no moving rows one can't see
    widget.remove_selected_fields()
    assert [k for k, _ in widget.fields_model.rows()] == ["email", "plan", "custom"]
    assert widget.fields_page.current_row() == 2  # "custom"
    widget.add_field()  # an empty key matches no filter: the filter goes
    assert filter_edit(widget).text() == ""
    assert widget.fields_model.rows()[3] == ("", "")
    assert widget.fields_page.current_row() == 3


def test_ctrl_f_in_the_fields_tab_goes_to_the_filter(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    widget.tabs.setCurrentIndex(FIELDS_TAB)
    widget.fields_view.setFocus()
    qtbot.keyClick(widget.fields_view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert filter_edit(widget).hasFocus()


# -- go to -----------------------------------------------------------------------------------


def test_go_to_path_in_the_json_tab(widget: ProfileEditorWidget) -> None:
    widget.tabs.setCurrentIndex(JSON_TAB)
    assert widget.go_to_path("custom.plan")
    assert cursor_line(widget) == 9
    assert widget.go_to_path(("address", "locality"))
    assert cursor_line(widget) == 5
    assert widget.json_edit.textCursor().positionInBlock() == 4  # at the key's quote
    assert not widget.go_to_path("address.nope")
    note = child(widget, QLabel, "goToNoteLabel")
    assert note.text() == "No key path address.nope in the JSON text."
    assert cursor_line(widget) == 5


def test_go_to_path_in_the_fields_tab(widget: ProfileEditorWidget) -> None:
    note = child(widget, QLabel, "goToNoteLabel")
    assert widget.go_to_path("custom")
    assert widget.fields_page.current_row() == 3
    assert note.isHidden()
    filter_edit(widget).setText("London")  # hides the row: the filter is cleared
    assert widget.go_to_path("custom.plan")
    assert widget.fields_page.current_row() == 3
    assert filter_edit(widget).text() == ""
    assert note.text().startswith('custom.plan is inside the value of "custom" (row 4)')
    assert not widget.go_to_path("nope.x")
    assert note.text() == 'No field "nope".'
    assert widget.tabs.currentIndex() == FIELDS_TAB


def test_go_to_path_action_asks(
    widget: ProfileEditorWidget, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def ask_text(parent: QWidget, title: str, label: str, text: str = "") -> str:
        asked.append(title)
        return "address.locality"

    monkeypatch.setattr(dialogs, "ask_text", ask_text)
    widget.tabs.setCurrentIndex(JSON_TAB)
    widget.json_edit.setFocus()
    qtbot.keyClick(widget.json_edit, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Go to key path"]
    assert cursor_line(widget) == 5
    assert widget.go_to_path_action.objectName() == "goToKeyPathAction"


def test_go_to_line(widget: ProfileEditorWidget) -> None:
    widget.go_to_line(6, 5)
    assert widget.tabs.currentIndex() == JSON_TAB
    cursor = widget.json_edit.textCursor()
    assert (cursor.blockNumber() + 1, cursor.positionInBlock() + 1) == (6, 5)
    assert widget.json_edit.hasFocus()
