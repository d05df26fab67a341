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

from profile_editor.ui.profile_editor_widget import JSON_TAB, ProfileEditorWidget

# Random text reaches every script; the headless font database warns about shaping some.
pytestmark = pytest.mark.qt_log_ignore(r"OpenType support missing")

# Characters a text document or the JSON encoder treat specially, made common on purpose.
TRICKY = '\u2029\u2028\u00a0\r\n\t\ufdd0\ufdd1\ufffc"\\/\x00\U0001f600'
text = st.text(st.characters() | st.sampled_from(TRICKY), max_size=20)
keys = st.text(st.characters() | st.sampled_from(TRICKY), max_size=8)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
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
