"""ProfileEditorWidget: Fields/JSON sync, error reporting, toolbar, cell editors, JsonEdit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QMimeData, QModelIndex, Qt
from PySide6.QtGui import QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QToolButton,
)
from pytestqt.qtbot import QtBot

from profile_editor.core.profile.jsoncodec import dumps_pretty, parse_profile
from profile_editor.ui.editor.cell_text_edit import CellTextEdit
from profile_editor.ui.editor.fields_delegate import FieldsDelegate
from profile_editor.ui.editor.fields_model import KEY_COLUMN, TYPE_COLUMN, VALUE_COLUMN, FieldsModel
from profile_editor.ui.editor.json_edit import HIGHLIGHT_LIMIT, JsonEdit
from profile_editor.ui.editor.profile_result import ProfileResult
from profile_editor.ui.editor.widget import FIELDS_TAB, JSON_TAB, ProfileEditorWidget

# The headless "offscreen" platform warns about this whenever a window is shown.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

PROFILE: dict[str, Any] = {
    "zeta": "last letter first",
    "email": "ada@example.com",
    "zip": "00123",
    "count": 3,
    "ratio": 1.0,
    "verified": True,
    "address": {"locality": "London", "postal_code": "N1"},
}


@pytest.fixture
def widget(qtbot: QtBot) -> Iterator[ProfileEditorWidget]:
    w = ProfileEditorWidget()
    qtbot.addWidget(w)
    w.set_profile(PROFILE)
    yield w


@pytest.fixture
def shown(widget: ProfileEditorWidget, qtbot: QtBot) -> ProfileEditorWidget:
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def json_edit(w: ProfileEditorWidget) -> JsonEdit:
    edit = w.json_edit  # the JSON page is built when first asked for
    assert edit.objectName() == "rawJsonEdit"
    return edit


def error_label(w: ProfileEditorWidget) -> QLabel:
    label = w.json_page.findChild(QLabel, "jsonErrorLabel")
    assert label is not None
    return label


def note_label(w: ProfileEditorWidget) -> QLabel:
    label = w.findChild(QLabel, "fieldsNoteLabel")
    assert label is not None
    return label


def button(w: ProfileEditorWidget, name: str) -> QToolButton:
    found = w.findChild(QToolButton, name)
    assert found is not None
    return found


def model(w: ProfileEditorWidget) -> FieldsModel:
    return w.fields_model


def cell(w: ProfileEditorWidget, row: int, column: int) -> QModelIndex:
    """The view's index of a cell (the table is seen through a filter model)."""
    view = w.findChild(QTableView, "fieldsView")
    assert view is not None
    return view.model().index(row, column)


def keys(w: ProfileEditorWidget) -> list[str]:
    return [k for k, _ in model(w).rows()]


def type_json(w: ProfileEditorWidget, qtbot: QtBot, text: str) -> None:
    """Replace the JSON text and wait until the widget has parsed it."""
    with qtbot.waitSignal(w.profileChanged, timeout=3000):
        json_edit(w).setPlainText(text)


def error_lines(edit: JsonEdit) -> list[int]:
    return [
        sel.cursor.blockNumber() + 1
        for sel in edit.extraSelections()
        if sel.format.property(QTextFormat.Property.FullWidthSelection)
    ]


# -- layout ----------------------------------------------------------------------------------


def test_named_parts(widget: ProfileEditorWidget) -> None:
    tabs = widget.findChild(QTabWidget, "profileTabs")
    assert tabs is not None
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Fields", "JSON"]
    for name in ("addFieldButton", "removeFieldButton", "moveUpButton", "moveDownButton"):
        assert button(widget, name).toolTip()
    assert model(widget).headerData(0, Qt.Orientation.Horizontal) == "Key"
    assert error_label(widget).isHidden()
    assert note_label(widget).isHidden()


def test_the_json_page_is_built_when_first_needed(qtbot: QtBot) -> None:
    """A new editor shows the Fields tab without building the JSON page; the page shows the
    text it would have had from the start, and building it is no edit."""
    w = ProfileEditorWidget()
    qtbot.addWidget(w)
    assert w.findChild(JsonEdit) is None
    assert w.tabs.tabText(JSON_TAB) == "JSON"
    w.tabs.setCurrentIndex(JSON_TAB)  # shown: built now
    assert w.tabs.widget(JSON_TAB) is w.json_page
    assert w.json_edit.toPlainText() == dumps_pretty({})
    assert not w.is_modified() and not w.undo_stack.canUndo()
    assert w.profile_result() == ProfileResult({})


def test_a_table_edit_before_the_json_page_is_built_undoes_to_its_text(qtbot: QtBot) -> None:
    w = ProfileEditorWidget()
    qtbot.addWidget(w)
    w.add_field()
    m = model(w)
    assert m.setData(m.index(0, KEY_COLUMN), "plan")
    assert m.setData(m.index(0, VALUE_COLUMN), "pro")
    assert w.profile_result() == ProfileResult({"plan": "pro"})
    w.tabs.setCurrentIndex(JSON_TAB)
    assert parse_profile(w.json_edit.toPlainText()) == {"plan": "pro"}
    while w.undo_stack.canUndo():
        w.undo_stack.undo()
    w.tabs.setCurrentIndex(JSON_TAB)
    assert w.json_edit.toPlainText() == dumps_pretty({})
    assert keys(w) == [] and not w.is_modified()


def test_set_profile_loads_both_tabs(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    assert model(widget).rows() == list(PROFILE.items())
    assert json_edit(widget).toPlainText() == dumps_pretty(PROFILE)
    assert not widget.is_modified()
    result = widget.profile_result()
    assert result == ProfileResult(PROFILE)
    assert result.ok
    assert list(result.profile or {}) == list(PROFILE)


# -- JSON -> table ---------------------------------------------------------------------------


def test_json_reaches_table_after_debounce(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    with qtbot.waitSignal(widget.modifiedChanged) as modified:
        json_edit(widget).setPlainText('{"b": 1, "a": "x", "c": [true]}')
    assert modified.args == [True]
    assert keys(widget) == list(PROFILE)  # not yet: debounced
    qtbot.waitUntil(lambda: keys(widget) == ["b", "a", "c"], timeout=3000)
    assert model(widget).rows() == [("b", 1), ("a", "x"), ("c", [True])]
    assert widget.is_modified()


def test_profile_result_flushes_pending_text(widget: ProfileEditorWidget) -> None:
    json_edit(widget).setPlainText('{"new": 1.0}')
    result = widget.profile_result()
    assert result.profile == {"new": 1.0}
    assert type(result.profile["new"]) is float
    assert keys(widget) == ["new"]


def test_typing_never_rewrites_the_text(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    shown.tabs.setCurrentIndex(JSON_TAB)
    edit = json_edit(shown)
    edit.setFocus()
    cursor = edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.movePosition(QTextCursor.MoveOperation.PreviousCharacter)
    edit.setTextCursor(cursor)
    with qtbot.waitSignal(shown.profileChanged, timeout=3000):
        qtbot.keyClicks(edit, ',"new":   1.50')
    typed = edit.toPlainText()
    position = edit.textCursor().position()
    assert typed == dumps_pretty(PROFILE)[:-1] + ',"new":   1.50}'
    assert position == len(typed) - 1
    assert model(shown).rows()[-1] == ("new", 1.5)
    # Leaving and coming back does not rewrite it either: the text is the truth.
    shown.tabs.setCurrentIndex(FIELDS_TAB)
    shown.tabs.setCurrentIndex(JSON_TAB)
    assert edit.toPlainText() == typed
    assert edit.textCursor().position() == position


def test_key_order_is_preserved_both_ways(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    type_json(widget, qtbot, '{"z": 1, "a": 2, "m": {"y": 1, "b": 2}}')
    assert keys(widget) == ["z", "a", "m"]
    assert model(widget).setData(model(widget).index(1, VALUE_COLUMN), "3")
    widget.tabs.setCurrentIndex(JSON_TAB)
    text = json_edit(widget).toPlainText()
    assert text == dumps_pretty({"z": 1, "a": 3, "m": {"y": 1, "b": 2}})
    assert list(parse_profile(text)["m"]) == ["y", "b"]


# -- table -> JSON ---------------------------------------------------------------------------


def test_table_edit_reaches_json_when_tab_shown(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    before = json_edit(widget).toPlainText()
    m = model(widget)
    with qtbot.waitSignal(widget.profileChanged), qtbot.waitSignal(widget.modifiedChanged):
        assert m.setData(m.index(3, VALUE_COLUMN), "4")
    assert widget.json_stale()
    assert json_edit(widget).toPlainText() == before  # not while on the Fields tab
    assert widget.profile_result().profile == {**PROFILE, "count": 4}
    widget.tabs.setCurrentIndex(JSON_TAB)
    assert not widget.json_stale()
    assert json_edit(widget).toPlainText() == dumps_pretty({**PROFILE, "count": 4})
    assert error_label(widget).isHidden()


def test_regenerated_text_is_not_parsed_back_as_an_edit(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    m = model(widget)
    m.setData(m.index(0, VALUE_COLUMN), "changed")
    with qtbot.assertNotEmitted(widget.profileChanged, wait=300):
        widget.tabs.setCurrentIndex(JSON_TAB)
    assert m.rows()[0] == ("zeta", "changed")


def test_duplicate_rows_show_in_json_without_locking_table(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    m = model(widget)
    m.setData(m.index(2, KEY_COLUMN), "email")
    widget.tabs.setCurrentIndex(JSON_TAB)
    text = json_edit(widget).toPlainText()
    assert text.count('"email"') == 2
    assert error_label(widget).text() == 'Line 4, column 3: duplicate key "email"'
    assert error_lines(json_edit(widget)) == [4]
    assert not m.is_read_only()  # the table must stay editable to fix it
    result = widget.profile_result()
    assert result.problem == 'Fields: Row 3: duplicate key "email" (also row 2)'
    assert result.where == "fields"


# -- JSON errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ('{\n  "a": NaN\n}', 2, 8, "NaN is not valid JSON"),
        ('{\n  "a": 1,\n  "b": Infinity\n}', 3, 8, "Infinity is not valid JSON"),
        ('{\n  "a": 1,\n}', 2, 9, "trailing comma"),
        ('{\n  "a": 1,\n  "a": 2\n}', 3, 3, 'duplicate key "a"'),
        ("[1, 2]", 1, 1, "the profile must be a JSON object"),
        ("", 1, 1, "empty"),
        ("   \n  ", 1, 1, "empty"),
    ],
)
def test_json_errors_are_located(
    widget: ProfileEditorWidget,
    qtbot: QtBot,
    text: str,
    line: int,
    column: int,
    message: str,
) -> None:
    widget.tabs.setCurrentIndex(JSON_TAB)
    type_json(widget, qtbot, text)
    label = error_label(widget)
    assert not label.isHidden()
    assert label.text().startswith(f"Line {line}, column {column}: {message}")
    assert error_lines(json_edit(widget)) == [line]
    assert json_edit(widget).error_line() == line
    # The table keeps the last valid profile and is locked with a note.
    assert model(widget).rows() == list(PROFILE.items())
    assert model(widget).is_read_only()
    assert note_label(widget).text() == f"Fix the JSON error first (line {line})"
    assert not note_label(widget).isHidden()
    assert not button(widget, "addFieldButton").isEnabled()
    assert not model(widget).setData(model(widget).index(0, VALUE_COLUMN), "lost?")
    assert json_edit(widget).toPlainText() == text
    result = widget.profile_result()
    assert result.profile is None
    assert result.where == "json"
    assert result.problem is not None
    assert result.problem.startswith(f"JSON tab, line {line}, column {column}: {message}")


def test_fixing_the_json_clears_the_error(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    type_json(widget, qtbot, '{"a": 1,}')
    assert model(widget).is_read_only()
    type_json(widget, qtbot, '{"a": 1}')
    assert error_label(widget).isHidden()
    assert error_label(widget).text() == ""
    assert json_edit(widget).extraSelections() == []
    assert note_label(widget).isHidden()
    assert not model(widget).is_read_only()
    assert button(widget, "addFieldButton").isEnabled()
    assert model(widget).rows() == [("a", 1)]


def test_error_marks_the_right_line_with_wide_characters(
    widget: ProfileEditorWidget, qtbot: QtBot
) -> None:
    type_json(widget, qtbot, '{\n  "😀😀": "x", "b": tru\n}')
    label = error_label(widget).text()
    assert label.startswith("Line 2, column 19: ")
    selections = json_edit(widget).extraSelections()
    char = [s for s in selections if s.cursor.hasSelection()]
    assert char and char[0].cursor.selectedText() == "t"


def test_reveal_json_problem(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    type_json(shown, qtbot, '{\n  "a": 1,\n  "b": [1,]\n}')
    assert shown.tabs.currentIndex() == FIELDS_TAB
    assert shown.reveal_problem()
    assert shown.tabs.currentIndex() == JSON_TAB
    cursor = json_edit(shown).textCursor()
    assert (cursor.blockNumber() + 1, cursor.positionInBlock() + 1) == (3, 10)


# -- key problems through the widget ---------------------------------------------------------


def test_duplicate_and_empty_keys_reported(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    m = model(shown)
    m.setData(m.index(2, KEY_COLUMN), "email")
    result = shown.profile_result()
    assert result.profile is None
    assert result.problem == 'Fields: Row 3: duplicate key "email" (also row 2)'
    m.setData(m.index(2, KEY_COLUMN), "zip")
    m.setData(m.index(4, KEY_COLUMN), "")
    assert shown.profile_result().problem == "Fields: Row 5: empty key"
    shown.tabs.setCurrentIndex(JSON_TAB)
    assert shown.reveal_problem()
    assert shown.tabs.currentIndex() == FIELDS_TAB
    assert shown.fields_view.currentIndex().row() == 4
    m.setData(m.index(4, KEY_COLUMN), "ratio")
    assert shown.profile_result().ok
    assert not shown.reveal_problem()


# -- toolbar ---------------------------------------------------------------------------------


def test_add_remove_and_reorder_with_buttons(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    view = shown.fields_view
    view.setCurrentIndex(cell(shown, 1, KEY_COLUMN))
    with qtbot.waitSignal(shown.profileChanged):
        button(shown, "addFieldButton").click()
    assert keys(shown)[:3] == ["zeta", "email", ""]
    assert view.currentIndex().row() == 2
    assert shown.profile_result().problem == "Fields: Row 3: empty key"
    editor = view.indexWidget(cell(shown, 2, KEY_COLUMN))  # key editor opened for typing
    assert isinstance(editor, QLineEdit)
    editor.setText("phone_number")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # Qt commits a line edit in a queued call
    qtbot.waitUntil(lambda: keys(shown)[2] == "phone_number")

    view.setCurrentIndex(cell(shown, 2, KEY_COLUMN))
    button(shown, "moveUpButton").click()
    assert keys(shown)[:3] == ["zeta", "phone_number", "email"]
    assert view.currentIndex().row() == 1
    button(shown, "moveUpButton").click()
    assert keys(shown)[0] == "phone_number"
    assert not button(shown, "moveUpButton").isEnabled()
    button(shown, "moveDownButton").click()
    assert keys(shown)[:2] == ["zeta", "phone_number"]

    view.clearSelection()
    selection = view.selectionModel()
    for row in (0, 2):
        selection.select(
            cell(shown, row, KEY_COLUMN),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    button(shown, "removeFieldButton").click()
    assert keys(shown) == ["phone_number", "zip", "count", "ratio", "verified", "address"]
    shown.tabs.setCurrentIndex(JSON_TAB)
    assert list(parse_profile(json_edit(shown).toPlainText())) == keys(shown)


def test_move_buttons_follow_current_row(widget: ProfileEditorWidget) -> None:
    view = widget.fields_view
    m = model(widget)
    view.setCurrentIndex(cell(widget, m.rowCount() - 1, KEY_COLUMN))
    assert not button(widget, "moveDownButton").isEnabled()
    assert button(widget, "moveUpButton").isEnabled()
    widget.set_profile({})
    assert not button(widget, "removeFieldButton").isEnabled()
    button(widget, "addFieldButton").click()
    assert m.rows() == [("", "")]


# -- cell editors ----------------------------------------------------------------------------


def open_editor(w: ProfileEditorWidget, row: int, column: int) -> Any:
    view = w.fields_view
    index = cell(w, row, column)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.indexWidget(index)
    assert editor is not None
    return editor


def test_editors_per_type(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    view = shown.fields_view
    expected = {
        (0, KEY_COLUMN): QLineEdit,
        (0, TYPE_COLUMN): QComboBox,
        (0, VALUE_COLUMN): QLineEdit,
        (3, VALUE_COLUMN): QLineEdit,
        (5, VALUE_COLUMN): QComboBox,
        (6, VALUE_COLUMN): CellTextEdit,
    }
    for (row, column), kind in expected.items():
        editor = open_editor(shown, row, column)
        assert isinstance(editor, kind), (row, column)
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
        assert view.indexWidget(cell(shown, row, column)) is None
    assert model(shown).rows() == list(PROFILE.items())


def test_string_editor_keeps_leading_zeros(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    editor = open_editor(shown, 2, VALUE_COLUMN)
    assert editor.text() == "00123"
    editor.setText("000456")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dict(model(shown).rows())["zip"] != "00123")
    assert dict(model(shown).rows())["zip"] == "000456"


def test_number_editor_stays_open_on_bad_input(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    editor = open_editor(shown, 3, VALUE_COLUMN)
    assert isinstance(editor, QLineEdit)
    editor.setText("abc")
    problem_label = shown.findChild(QLabel, "fieldsProblemLabel")
    assert problem_label is not None
    delegate = shown.fields_view.itemDelegate()
    assert isinstance(delegate, FieldsDelegate)
    with qtbot.waitSignal(delegate.problem):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert shown.fields_view.indexWidget(cell(shown, 3, VALUE_COLUMN)) is editor
    assert "not a JSON number" in problem_label.text()
    assert not problem_label.isHidden()
    editor.setText("12")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dict(model(shown).rows())["count"] == 12)
    assert problem_label.isHidden()


def test_object_editor_commits_with_ctrl_return(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    editor = open_editor(shown, 6, VALUE_COLUMN)
    assert isinstance(editor, CellTextEdit)
    assert json.loads(editor.toPlainText()) == PROFILE["address"]
    editor.setPlainText('{\n  "locality": "Leeds",\n}')
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dict(model(shown).rows())["address"] == PROFILE["address"]  # refused, editor open
    assert editor.error_line() == 2
    editor.setPlainText('{"locality": "Leeds"}')
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dict(model(shown).rows())["address"] == {"locality": "Leeds"}


def test_boolean_and_type_combos(shown: ProfileEditorWidget) -> None:
    combo = open_editor(shown, 5, VALUE_COLUMN)
    assert [combo.itemText(i) for i in range(combo.count())] == ["true", "false"]
    assert combo.currentText() == "true"
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert dict(model(shown).rows())["verified"] is False
    combo = open_editor(shown, 2, TYPE_COLUMN)
    combo.setCurrentIndex(combo.findText("number"))
    combo.activated.emit(combo.currentIndex())
    assert dict(model(shown).rows())["zip"] == 123


def test_unchanged_editor_commits_nothing(shown: ProfileEditorWidget, qtbot: QtBot) -> None:
    shown.set_profile({"s": "a\u2029b\rc"})  # characters a text document would rewrite
    editor = open_editor(shown, 0, VALUE_COLUMN)
    with qtbot.assertNotEmitted(model(shown).edited):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: shown.fields_view.indexWidget(cell(shown, 0, 2)) is None)
    assert model(shown).rows() == [("s", "a\u2029b\rc")]


# -- modified flag ---------------------------------------------------------------------------


def test_modified_flag(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    m = model(widget)
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        m.setData(m.index(0, VALUE_COLUMN), "x")
    assert changed.args == [True]
    assert widget.is_modified()
    with qtbot.waitSignal(widget.modifiedChanged) as changed:
        widget.set_modified(False)
    assert changed.args == [False]
    with qtbot.assertNotEmitted(widget.modifiedChanged):
        widget.set_modified(False)
    m.insert_field(0, "k", 1)
    assert widget.is_modified()
    with qtbot.waitSignal(widget.modifiedChanged):
        widget.set_profile({})
    assert not widget.is_modified()


# -- text fidelity and size ------------------------------------------------------------------


def test_values_survive_the_text_document(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    tricky = {"s": "para\u2029line\u2028nbsp\u00a0cr\r\ufdd0\ufdd1 tab\t 😀", "n": -0.0}
    widget.set_profile(tricky)
    widget.tabs.setCurrentIndex(JSON_TAB)
    edit = json_edit(widget)
    cursor = edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    edit.setTextCursor(cursor)
    edit.insertPlainText("\n")  # a user edit: the text gets parsed back
    result = widget.profile_result()
    assert json.dumps(result.profile) == json.dumps(tricky)


def test_large_text_turns_highlighting_off(qtbot: QtBot) -> None:
    edit = JsonEdit()
    qtbot.addWidget(edit)
    assert edit.is_highlighting()
    big = dumps_pretty({f"k{i}": "v" * 40 for i in range(HIGHLIGHT_LIMIT // 40)})
    assert len(big) > HIGHLIGHT_LIMIT
    edit.setPlainText(big)
    assert not edit.is_highlighting()
    edit.setPlainText("{}")
    assert edit.is_highlighting()
    mime = QMimeData()
    mime.setText(big)
    edit.insertFromMimeData(mime)
    assert not edit.is_highlighting()
    assert edit.text() == big + "{}"


def test_tab_inserts_two_spaces(qtbot: QtBot) -> None:
    edit = JsonEdit()
    qtbot.addWidget(edit)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert edit.toPlainText() == "  "
    edit.mark_error(1, 1)
    assert edit.error_line() == 1
    edit.clear_error()
    assert edit.extraSelections() == []


def test_large_profile_reaches_table(widget: ProfileEditorWidget, qtbot: QtBot) -> None:
    big = {f"key{i}": {"id": i, "name": "x" * 500, "tags": ["a", "b"]} for i in range(3000)}
    text = dumps_pretty(big)
    widget.tabs.setCurrentIndex(JSON_TAB)
    type_json(widget, qtbot, text)
    assert model(widget).rowCount() == 3000
    assert not json_edit(widget).is_highlighting()
    assert widget.profile_result().profile == big
