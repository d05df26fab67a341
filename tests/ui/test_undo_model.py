"""Model-based test of the profile editor's one undo history.

A seeded random sequence of edits in both views (JSON: typing a member, typing over a selected
value, typing over everything, a paste; Fields: a value or a key edited, a row added, removed or
moved) is run against a plain model of the rows. After every edit, and after every single undo
and redo, the two views must agree (the table's rows are the JSON text parsed, in order). Undo
all gives the start (not modified), redo all gives the end, and every edit's result is passed
on the way. The user pauses between edits, so no two edits merge into one step.

A few sequences run in the suite; ``PE_UNDO_SEEDS=N`` runs N.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from pytestqt.qtbot import QtBot

from profile_editor.ui.editor import profile_json_edit
from profile_editor.ui.editor.fields_model import KEY_COLUMN, VALUE_COLUMN
from profile_editor.ui.editor.undo_commands import TYPING_PAUSE_S
from profile_editor.ui.editor.widget import FIELDS_TAB, JSON_TAB, ProfileEditorWidget

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

SEEDS = int(os.environ.get("PE_UNDO_SEEDS", "4"))
EDITS = 20
CTRL = Qt.KeyboardModifier.ControlModifier
START: list[tuple[str, Any]] = [("zmail", "a@x.io"), ("zn", 3), ("ztags", ["a", "b"])]
Rows = list[tuple[str, Any]]


@pytest.fixture
def widget(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[ProfileEditorWidget]:
    clock = [1000.0]
    monkeypatch.setattr(profile_json_edit, "clock", lambda: clock[0])
    w = ProfileEditorWidget()
    qtbot.addWidget(w)
    w.set_profile(dict(START), record=False)
    w.resize(700, 500)
    w.show()
    qtbot.waitExposed(w)
    w.pause = lambda: clock.__setitem__(0, clock[0] + TYPING_PAUSE_S + 1)  # type: ignore[attr-defined]
    yield w


def views(w: ProfileEditorWidget) -> Rows:
    """The rows both views show; fails when the JSON tab's text parses to anything else."""
    w.flush()
    rows = w.fields_model.rows()
    shown = w.tabs.currentIndex()
    w.tabs.setCurrentIndex(JSON_TAB)  # text made from table edits is written when shown
    text = w.json_edit.text()
    w.tabs.setCurrentIndex(shown)
    assert [tuple(pair) for pair in json.loads(text, object_pairs_hook=list)] == rows, text
    assert w.profile_result().problem is None
    return rows


class Editor:
    """Drives the widget as a user would; each method edits and returns the rows expected."""

    def __init__(self, w: ProfileEditorWidget, qtbot: QtBot, rng: random.Random) -> None:
        self.w, self.qtbot, self.rng = w, qtbot, rng
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"k{self.count}"

    def word(self) -> str:
        return "".join(self.rng.choice("abcdefgh") for _ in range(self.rng.randint(1, 5)))

    def _json(self) -> Any:
        self.w.tabs.setCurrentIndex(JSON_TAB)
        edit = self.w.json_edit
        edit.setFocus()
        return edit

    def _select(self, start: int, end: int) -> None:
        edit = self.w.json_edit
        cursor = edit.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        edit.setTextCursor(cursor)

    def _strings(self, rows: Rows) -> list[int]:
        return [n for n, (_k, v) in enumerate(rows) if isinstance(v, str)]

    def type_member(self, rows: Rows) -> Rows:
        edit = self._json()
        key, value = self.fresh(), self.word()
        brace = edit.toPlainText().rindex("}")
        self._select(brace, brace)
        self.qtbot.keyClicks(edit, (", " if rows else "") + f'"{key}": "{value}"')
        return [*rows, (key, value)]

    def type_over_value(self, rows: Rows) -> Rows:
        strings = self._strings(rows)
        if not strings:
            return self.type_member(rows)
        edit = self._json()
        row = self.rng.choice(strings)
        key, old = rows[row]
        text = edit.toPlainText()
        start = text.index(json.dumps(key) + ": " + json.dumps(old)) + len(json.dumps(key) + ": ")
        self._select(start, start + len(json.dumps(old)))
        new = self.word()
        self.qtbot.keyClicks(edit, json.dumps(new))
        return [(k, new if n == row else v) for n, (k, v) in enumerate(rows)]

    def _other(self, rows: Rows) -> Rows:
        """Another profile: a row dropped, a value changed, a row added."""
        changed = list(rows)
        if changed and self.rng.random() < 0.5:
            changed.pop(self.rng.randrange(len(changed)))
        return [*changed, (self.fresh(), self.word())]

    def type_over_all(self, rows: Rows) -> Rows:
        edit, new = self._json(), self._other(rows)
        self.qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
        self.qtbot.keyClicks(edit, json.dumps(dict(new)))
        return new

    def paste(self, rows: Rows) -> Rows:
        edit, new = self._json(), self._other(rows)
        QGuiApplication.clipboard().setText(json.dumps(dict(new), indent=2))
        self.qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
        self.qtbot.keyClick(edit, Qt.Key.Key_V, CTRL)
        return new

    def _fields(self) -> Any:
        self.w.tabs.setCurrentIndex(FIELDS_TAB)
        return self.w.fields_model

    def edit_value(self, rows: Rows) -> Rows:
        strings = self._strings(rows)
        if not strings:
            return self.add_row(rows)
        model, row, new = self._fields(), self.rng.choice(strings), self.word()
        new = new if new != rows[row][1] else new + "x"  # the same value would be no edit
        assert model.setData(model.index(row, VALUE_COLUMN), new)
        return [(k, new if n == row else v) for n, (k, v) in enumerate(rows)]

    def rename(self, rows: Rows) -> Rows:
        if not rows:
            return self.add_row(rows)
        model, row, new = self._fields(), self.rng.randrange(len(rows)), self.fresh()
        assert model.setData(model.index(row, KEY_COLUMN), new)
        return [(new if n == row else k, v) for n, (k, v) in enumerate(rows)]

    def add_row(self, rows: Rows) -> Rows:
        model, row = self._fields(), self.rng.randint(0, len(rows))
        key, value = self.fresh(), self.word()
        assert model.insert_field(row, key, value) == row
        return [*rows[:row], (key, value), *rows[row:]]

    def _select_row(self, row: int) -> None:
        self._fields()
        self.w.fields_view.clearSelection()  # the only one selected, whatever came before
        self.w.fields_page.select_row(row)
        assert self.w.fields_page.current_row() == row

    def remove_row(self, rows: Rows) -> Rows:
        if len(rows) < 2:
            return self.add_row(rows)
        row = self.rng.randrange(len(rows))
        self._select_row(row)
        self.w.remove_selected_fields()
        return rows[:row] + rows[row + 1 :]

    def move_row(self, rows: Rows) -> Rows:
        if len(rows) < 2:
            return self.add_row(rows)
        row = self.rng.randrange(len(rows))
        self._select_row(row)
        up = row == len(rows) - 1 or (row > 0 and self.rng.random() < 0.5)
        (self.w.move_current_up if up else self.w.move_current_down)()
        other = row - 1 if up else row + 1
        moved = list(rows)
        moved[row], moved[other] = moved[other], moved[row]
        return moved

    def edits(self) -> list[Callable[[Rows], Rows]]:
        return [
            self.type_member,
            self.type_over_value,
            self.type_over_all,
            self.paste,
            self.edit_value,
            self.rename,
            self.add_row,
            self.remove_row,
            self.move_row,
        ]


def walk(w: ProfileEditorWidget, forward: bool) -> list[Rows]:
    """Undo (or redo) all, one step at a time; the rows after each, the views checked."""
    action = w.redo_action if forward else w.undo_action
    seen = []
    while action.isEnabled():
        action.trigger()
        seen.append(views(w))
    return seen


def passes_through(seen: list[Rows], wanted: list[Rows]) -> bool:
    """Whether ``wanted`` appear in ``seen`` in that order (others may come between)."""
    states = iter(seen)
    return all(rows in states for rows in wanted)


@pytest.mark.parametrize("seed", range(SEEDS))
def test_random_edits_in_both_views_undo_to_the_start_and_redo_to_the_end(
    widget: ProfileEditorWidget, qtbot: QtBot, seed: int
) -> None:
    rng = random.Random(14_000 + seed)
    editor = Editor(widget, qtbot, rng)
    expected = views(widget)
    assert expected == START
    after: list[Rows] = []
    for _ in range(EDITS):
        edit = rng.choice(editor.edits())
        steps = widget.undo_stack.index()
        expected = edit(expected)
        assert views(widget) == expected, edit.__name__
        assert widget.undo_stack.index() > steps, f"{edit.__name__} is no undo step"
        assert widget.is_modified()
        after.append(expected)
        widget.pause()  # type: ignore[attr-defined]

    undone = walk(widget, forward=False)
    assert undone[-1] == START
    assert not widget.is_modified()
    assert passes_through(undone, [*reversed(after[:-1]), START])

    redone = walk(widget, forward=True)
    assert redone[-1] == after[-1]
    assert widget.is_modified()
    assert passes_through(redone, after)
