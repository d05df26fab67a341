"""Property: whatever is typed as a JSON Patch, the editor reads it as ops or says what is wrong
and where (a line and column, or the op by index), and its op list never raises."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from profile_editor.core.profile.ops import PATCH_OPS
from profile_editor.ui.editor.patch_editor import PatchEditor, parse_patch

pytestmark = pytest.mark.qt_log_ignore(r"OpenType support missing")

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["op", "path", "from", "value", "x"]) | st.text(max_size=3),
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)
_ops = st.fixed_dictionaries(
    {"op": st.sampled_from([*PATCH_OPS, "Add", "nope"]) | _json},
    optional={
        "path": st.sampled_from(["", "/a", "a", "/~2", "/a/-"]) | _json,
        "from": _json,
        "value": _json,
    },
)
_patches = st.lists(_ops | _json, max_size=4) | _json


@settings(max_examples=300, deadline=None)
@given(_patches)
@example([{"op": [], "path": "/a"}])  # the checks raised TypeError: unhashable type: 'list'
def test_any_json_typed_as_a_patch_is_read_or_answered_by_op(patch: Any) -> None:
    result = parse_patch(json.dumps(patch))
    assert (result.ops is None) == (result.problem is not None)
    if result.ops is not None:
        assert result.ops == patch
        return
    assert result.problem is not None and result.problem.startswith("Patch, ")
    if isinstance(patch, list):
        first = result.problems[0]
        assert first.index is not None and 0 <= first.index < len(patch)
        assert result.problem.startswith(f"Patch, op {first.index}")
    else:
        assert result.problem.startswith("Patch, patch: ")


_text = st.text(st.sampled_from('[]{}:," \n0-.eopathvlu/~\\') | st.characters(), max_size=40)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_any_text_in_the_patch_editor_is_parsed_without_raising(text: str) -> None:
    result = parse_patch(text)
    assert (result.ops is None) == (result.problem is not None)
    if result.json_error is not None:
        lines = text.split("\n")
        assert 1 <= result.json_error.line <= len(lines)
        assert 1 <= result.json_error.column <= len(lines[result.json_error.line - 1]) + 1


def test_the_op_list_shows_odd_ops_without_raising(qtbot: QtBot) -> None:
    editor = PatchEditor()
    qtbot.addWidget(editor)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_patches)
    def check(patch: Any) -> None:
        editor.edit.setPlainText(json.dumps(patch))
        editor.flush()
        count = len(patch) if isinstance(patch, list) and editor.result().problem is None else None
        if count is not None:
            assert editor.ops_view.topLevelItemCount() == count
        editor.reveal_problem()  # goes to the op or line named, whatever it is

    check()


def test_the_patch_is_modified_only_while_it_differs_from_what_was_loaded(qtbot: QtBot) -> None:
    editor = PatchEditor()
    qtbot.addWidget(editor)
    editor.set_patch([{"op": "remove", "path": "/a"}])
    loaded = editor.text()
    assert not editor.is_modified()
    editor.edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor.edit, Qt.Key.Key_Left)  # moves, changes nothing
    assert not editor.is_modified()
    editor.edit.insertPlainText(" ")
    assert editor.is_modified()
    editor.edit.undo()
    assert editor.text() == loaded and not editor.is_modified()
    editor.edit.insertPlainText(" ")
    editor.set_modified(False)  # saved: this is the new unmodified text
    editor.edit.undo()
    assert editor.is_modified()
