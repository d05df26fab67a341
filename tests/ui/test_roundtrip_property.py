"""Property: a profile survives the editor unchanged in value, type and key order.

``json.dumps`` of the result is compared, so ``1``, ``1.0`` and ``true`` stay distinct and
key order counts. One widget is reused per test (hypothesis runs many examples inside one
test function, which function-scoped fixtures do not support).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from profile_editor.core.profile.jsoncodec import MAX_DEPTH
from profile_editor.ui.editor.widget import JSON_TAB, ProfileEditorWidget

# Random text reaches every script; the headless font database warns about shaping some.
pytestmark = pytest.mark.qt_log_ignore(r"OpenType support missing")

# Characters a text document or the JSON encoder treat specially, made common on purpose:
# separators, no-break space, frame markers, controls, a BOM, astral characters.
TRICKY = (
    '\u2029\u2028\u00a0\r\n\t\ufdd0\ufdd1\ufffc"\\/\x00\x01\x1f\x7f\x85\ufeff'
    "\U0001f600\U00010000\U0010ffff"
)
text = st.text(st.characters() | st.sampled_from(TRICKY), max_size=20)
# Keys that only look alike are different keys: spaces, case, NFC/NFD, NUL, BOM.
LOOKALIKES = ["a", "a ", " a", "A", "é", "e\u0301", "a\x00", "\ufeffa", "1", "-0", "\u00a0"]
keys = st.text(st.characters() | st.sampled_from(TRICKY), max_size=8) | st.sampled_from(LOOKALIKES)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)  # far beyond 2**64
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([-0.0, 1e300, -1e300, 5e-324, 1.7976931348623157e308, 1.0, 1e16])
    | text
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
profiles = st.dictionaries(keys, json_values, max_size=6)

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same_json(result: Any, expected: dict[str, Any]) -> bool:
    return json.dumps(result) == json.dumps(expected)


def check_result(widget: ProfileEditorWidget, profile: dict[str, Any]) -> None:
    result = widget.profile_result()
    if "" in profile:
        # An empty top-level key is valid JSON but not a usable profile field.
        row = list(profile).index("")
        assert result.profile is None
        assert result.problem == f"Fields: Row {row + 1}: empty key"
    else:
        assert result.problem is None, result.problem
        assert same_json(result.profile, profile)


def touch_json(widget: ProfileEditorWidget) -> None:
    """Make a user edit to the JSON text that does not change its value."""
    edit = widget.json_edit
    cursor = edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText("\n")


def test_pasted_json_text_round_trips(qtbot: QtBot) -> None:
    widget = ProfileEditorWidget()
    qtbot.addWidget(widget)

    @SETTINGS
    @given(profile=profiles, indent=st.sampled_from([None, 2]))
    def check(profile: dict[str, Any], indent: int | None) -> None:
        # ensure_ascii: a pasted raw U+2029 would become a line break in any text editor.
        widget.json_edit.setPlainText(json.dumps(profile, indent=indent))
        check_result(widget, profile)
        assert [k for k, _ in widget.fields_model.rows()] == list(profile)

    check()


def test_loaded_profile_round_trips_through_table_and_text(qtbot: QtBot) -> None:
    widget = ProfileEditorWidget()
    qtbot.addWidget(widget)
    model = widget.fields_model

    @SETTINGS
    @given(profile=profiles)
    def check(profile: dict[str, Any]) -> None:
        widget.tabs.setCurrentIndex(0)
        widget.set_profile(profile)
        check_result(widget, profile)

        # Table edits that cancel out, then the text regenerated from the table...
        if model.rowCount() >= 2:
            assert model.move_field(0, model.rowCount() - 1)
            assert model.move_field(model.rowCount() - 1, 0)
        model.insert_field(model.rowCount(), "\x00tmp", None)
        model.remove_fields([model.rowCount() - 1])
        widget.tabs.setCurrentIndex(JSON_TAB)
        assert not widget.json_stale()

        # ...and parsed back after a no-op user edit of that text (non-ASCII kept raw).
        touch_json(widget)
        check_result(widget, profile)

    check()


def _nested(depth: int) -> object:
    value: object = "leaf"
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


def test_nesting_up_to_the_limit_round_trips(qtbot: QtBot) -> None:
    widget = ProfileEditorWidget()
    qtbot.addWidget(widget)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(depth=st.integers(1, MAX_DEPTH - 1), profile=profiles)
    def check(depth: int, profile: dict[str, Any]) -> None:
        profile = {**profile, "deep": _nested(depth)}  # the profile object is one level more
        widget.tabs.setCurrentIndex(0)
        widget.set_profile(profile)
        widget.tabs.setCurrentIndex(JSON_TAB)
        touch_json(widget)
        check_result(widget, profile)
        widget.json_edit.setPlainText(json.dumps(profile, indent=2))
        check_result(widget, profile)

    check()
    # One level more is refused by name, at its place, in the JSON tab.
    widget.json_edit.setPlainText(json.dumps({"deep": _nested(MAX_DEPTH)}))
    problem = widget.profile_result().problem
    assert problem is not None and "nested too deeply" in problem


# One undo history: any mix of table edits, text replacements and loads, undone step by step,
# passes back through every state it went through; redone, it comes back to the last one.
simple_values = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.integers(0, 20), st.text(max_size=4)),
        st.tuples(st.just("insert"), st.integers(0, 20), st.text(max_size=3)),
        st.tuples(st.just("remove"), st.integers(0, 20)),
        st.tuples(st.just("move"), st.integers(0, 20), st.integers(0, 20)),
        st.tuples(st.just("text"), st.dictionaries(st.text(max_size=3), simple_values, max_size=4)),
        st.tuples(st.just("load"), st.dictionaries(st.text(max_size=3), simple_values, max_size=4)),
        st.tuples(st.just("tab"), st.sampled_from([0, JSON_TAB])),
        st.tuples(
            st.just("type"), st.integers(0, 200), st.text('ab1 ":,{}', min_size=1, max_size=4)
        ),
    ),
    max_size=12,
)


def state(widget: ProfileEditorWidget) -> str:
    problem = widget.profile_result().problem  # parses typing still waiting for its timer
    return json.dumps([widget.fields_model.rows(), problem])


def apply(widget: ProfileEditorWidget, op: tuple[Any, ...], qtbot: QtBot) -> bool:
    """Make one change; False when it was no change (nothing to undo)."""
    model = widget.fields_model
    rows = model.rowCount()
    kind = op[0]
    if kind == "tab":
        widget.tabs.setCurrentIndex(op[1])
        return False
    if kind == "text":
        widget.json_edit.setPlainText(json.dumps(op[1]))
        widget.flush()
        return True
    if kind == "load":
        widget.set_profile(op[1])
        return True
    if kind == "type":  # key presses in the JSON tab: one step (they are typed in one place)
        widget.tabs.setCurrentIndex(JSON_TAB)
        edit = widget.json_edit
        cursor = edit.textCursor()
        cursor.setPosition(min(op[1], edit.document().characterCount() - 1))
        edit.setTextCursor(cursor)
        qtbot.keyClicks(edit, op[2])
        return True
    if model.is_read_only():
        return False
    if kind == "insert":
        model.insert_field(op[1] % (rows + 1), op[2], None)
        return True
    if not rows:
        return False
    if kind == "set":
        index = model.index(op[1] % rows, 0)
        before = model.rows()
        model.setData(index, op[2])
        return model.rows() != before
    if kind == "remove":
        return model.remove_fields([op[1] % rows]) == 1
    return model.move_field(op[1] % rows, op[2] % rows)


def test_undo_and_redo_walk_back_through_every_state(qtbot: QtBot) -> None:
    widget = ProfileEditorWidget()
    qtbot.addWidget(widget)

    @SETTINGS
    @given(start=profiles, ops=operations)
    def check(start: dict[str, Any], ops: list[tuple[Any, ...]]) -> None:
        widget.set_profile(start, record=False)
        states = [state(widget)]
        for op in ops:
            if not apply(widget, op, qtbot):
                continue
            if widget.undo_stack.index() == len(states) - 1:
                states[-1] = state(widget)  # typing on where the last typing left off: merged
            else:
                states.append(state(widget))
            assert widget.undo_stack.index() == len(states) - 1
        for expected in reversed(states[:-1]):
            widget.undo_action.trigger()
            assert state(widget) == expected
        assert not widget.undo_action.isEnabled()
        for expected in states[1:]:
            widget.redo_action.trigger()
            assert state(widget) == expected

    check()
