"""FieldsModel: model contract, type-keeping edits, structure changes, key problems."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from profile_editor.ui.editor import fields_model as fields_model_module
from profile_editor.ui.editor.fields_model import (
    DISPLAY_LIMIT,
    KEY_COLUMN,
    TYPE_COLUMN,
    VALUE_COLUMN,
    VALUE_ROLE,
    FieldProblem,
    FieldsError,
    FieldsModel,
    RowEdit,
)

SAMPLE: dict[str, Any] = {
    "email": "ada@example.com",
    "zip": "00123",
    "count": 3,
    "ratio": 1.5,
    "email_verified": True,
    "nickname": None,
    "address": {"locality": "London", "tags": [1, 2]},
    "firebaseToken": ["t1", "t2"],
}


@pytest.fixture
def model() -> FieldsModel:
    m = FieldsModel()
    m.set_profile(SAMPLE)
    return m


def cell(model: FieldsModel, key: str, column: int = VALUE_COLUMN) -> QModelIndex:
    row = [k for k, _ in model.rows()].index(key)
    return model.index(row, column)


def value_of(model: FieldsModel, key: str) -> Any:
    return dict(model.rows())[key]


# -- model contract ------------------------------------------------------------------------


def test_model_tester_in_several_states(qtmodeltester: ModelTester) -> None:
    model = FieldsModel()
    qtmodeltester.check(model)
    model.set_profile(SAMPLE)
    qtmodeltester.check(model)
    model.insert_field(0, "first", 1)
    model.insert_field(model.rowCount(), "last", [])
    model.insert_field(4, "middle", {"a": None})
    qtmodeltester.check(model)
    assert model.move_field(0, model.rowCount() - 1)
    assert model.move_field(model.rowCount() - 1, 0)
    assert model.move_field(2, 5)
    assert model.move_field(5, 1)
    qtmodeltester.check(model)
    assert model.remove_fields([0, 2, 3, model.rowCount() - 1]) == 4
    qtmodeltester.check(model)
    assert model.setData(model.index(0, KEY_COLUMN), "email")  # now a duplicate: flagged
    qtmodeltester.check(model)
    model.remove_fields(range(model.rowCount()))
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_headers_and_counts(model: FieldsModel) -> None:
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == [
        "Key",
        "Type",
        "Value",
    ]
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"
    assert model.rowCount() == len(SAMPLE)
    assert model.columnCount() == 3
    assert model.rowCount(model.index(0, 0)) == 0


def test_rows_keep_order_and_types(model: FieldsModel) -> None:
    assert model.rows() == list(SAMPLE.items())
    types = [model.data(model.index(r, TYPE_COLUMN)) for r in range(model.rowCount())]
    assert types == ["string", "string", "number", "number", "boolean", "null", "object", "array"]
    shown = [model.data(model.index(r, VALUE_COLUMN)) for r in range(model.rowCount())]
    assert shown[:6] == ["ada@example.com", "00123", "3", "1.5", "true", "null"]
    assert shown[6] == '{"locality":"London","tags":[1,2]}'
    assert model.to_profile() == SAMPLE
    assert list(model.to_profile()) == list(SAMPLE)


def test_set_profile_does_no_per_row_formatting(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real_preview = fields_model_module.preview

    def counting_preview(value: Any, limit: int = DISPLAY_LIMIT) -> str:
        nonlocal calls
        calls += 1
        return real_preview(value, limit)

    monkeypatch.setattr(fields_model_module, "preview", counting_preview)
    model = FieldsModel()
    model.set_profile({f"k{i}": {"n": i, "s": "x" * 100} for i in range(5000)})
    assert calls == 0
    assert model.rowCount() == 5000
    model.data(model.index(4999, VALUE_COLUMN))
    assert calls == 1


def test_long_values_are_cut_for_display_only() -> None:
    model = FieldsModel()
    big_string = "line\n" * 100_000
    big_object = {f"k{i}": "v" * 50 for i in range(20_000)}
    model.set_profile({"s": big_string, "o": big_object})
    for row in (0, 1):
        shown = model.data(model.index(row, VALUE_COLUMN))
        assert len(shown) <= DISPLAY_LIMIT
        assert shown.endswith("…")
        tip = model.data(model.index(row, VALUE_COLUMN), Qt.ItemDataRole.ToolTipRole)
        assert DISPLAY_LIMIT < len(tip) <= 2000
    assert "\n" not in model.data(model.index(0, VALUE_COLUMN))
    assert model.data(model.index(0, VALUE_COLUMN), Qt.ItemDataRole.EditRole) == big_string
    assert model.data(model.index(1, VALUE_COLUMN), VALUE_ROLE) is big_object


# -- value edits keep the type -------------------------------------------------------------


def test_string_edit_stays_a_string(model: FieldsModel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(model.edited):
        assert model.setData(cell(model, "email"), "00123")
    assert value_of(model, "email") == "00123"
    assert model.setData(cell(model, "zip"), " 42 ")
    assert value_of(model, "zip") == " 42 "
    assert model.data(cell(model, "zip", TYPE_COLUMN)) == "string"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7", 7), (" -12 ", -12), ("1.5", 1.5), ("2.0", 2.0), ("1e3", 1000.0), ("0", 0)],
)
def test_number_edit_parses_json_numbers(model: FieldsModel, text: str, expected: Any) -> None:
    assert model.setData(cell(model, "count"), text)
    value = value_of(model, "count")
    assert value == expected
    assert type(value) is type(expected)
    assert model.data(cell(model, "count", TYPE_COLUMN)) == "number"


@pytest.mark.parametrize("text", ["abc", "", "00123", "NaN", "Infinity", "1e999", "true", "3 4"])
def test_number_edit_refuses_non_numbers(model: FieldsModel, qtbot: QtBot, text: str) -> None:
    with (
        qtbot.waitSignal(model.problem) as problem,
        qtbot.assertNotEmitted(model.edited),
    ):
        assert not model.setData(cell(model, "count"), text)
    assert value_of(model, "count") == 3
    assert "Row 3" in problem.args[0]
    assert "not a JSON number" in problem.args[0]


def test_number_edit_keeps_int_and_float_apart(model: FieldsModel) -> None:
    assert model.setData(cell(model, "ratio"), "3")
    assert value_of(model, "ratio") == 3
    assert type(value_of(model, "ratio")) is int
    assert model.setData(cell(model, "count"), "3.0")
    assert type(value_of(model, "count")) is float


def test_boolean_edit(model: FieldsModel, qtbot: QtBot) -> None:
    assert model.setData(cell(model, "email_verified"), "false")
    assert value_of(model, "email_verified") is False
    assert model.setData(cell(model, "email_verified"), True)
    assert value_of(model, "email_verified") is True
    with qtbot.waitSignal(model.problem):
        assert not model.setData(cell(model, "email_verified"), "yes")
    assert value_of(model, "email_verified") is True


def test_null_is_not_editable(model: FieldsModel) -> None:
    index = cell(model, "nickname")
    assert not (model.flags(index) & Qt.ItemFlag.ItemIsEditable)
    assert model.flags(cell(model, "nickname", KEY_COLUMN)) & Qt.ItemFlag.ItemIsEditable
    assert not model.setData(index, "x")
    assert value_of(model, "nickname") is None


def test_object_edited_as_json_text(model: FieldsModel) -> None:
    index = cell(model, "address")
    text = model.data(index, Qt.ItemDataRole.EditRole)
    assert text.startswith("{\n  ")  # pretty, for the multi-line editor
    assert model.setData(index, '{"country": "UK", "n": 1, "f": 1.0, "b": true}')
    assert value_of(model, "address") == {"country": "UK", "n": 1, "f": 1.0, "b": True}
    assert type(value_of(model, "address")["f"]) is float


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": 1,}', "Line 1, column 8: trailing comma"),
        ('{"a": 1, "a": 2}', 'duplicate key "a"'),
        ("[1, 2]", "expected an object, got array"),
        ('{"a": NaN}', "Line 1, column 7: NaN is not valid JSON"),
        ("", "empty"),
    ],
)
def test_invalid_object_json_is_refused_and_old_value_kept(
    model: FieldsModel, qtbot: QtBot, text: str, reason: str
) -> None:
    before = value_of(model, "address")
    with qtbot.waitSignal(model.problem) as problem:
        assert not model.setData(cell(model, "address"), text)
    assert value_of(model, "address") is before
    assert reason in problem.args[0]
    assert model.check_edit(cell(model, "address"), text) is not None


def test_array_edit_must_stay_an_array(model: FieldsModel) -> None:
    assert model.setData(cell(model, "firebaseToken"), '["a"]')
    assert value_of(model, "firebaseToken") == ["a"]
    assert not model.setData(cell(model, "firebaseToken"), '{"a": 1}')
    assert value_of(model, "firebaseToken") == ["a"]


def test_unchanged_value_is_not_an_edit(model: FieldsModel, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(model.edited):
        assert model.setData(cell(model, "count"), "3")
        assert model.setData(cell(model, "email", KEY_COLUMN), "email")
        assert model.setData(cell(model, "count", TYPE_COLUMN), "number")


# -- type changes ----------------------------------------------------------------------------


def test_type_column_converts(model: FieldsModel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(model.dataChanged):
        assert model.setData(cell(model, "zip", TYPE_COLUMN), "number")
    assert value_of(model, "zip") == 123
    assert model.setData(cell(model, "zip", TYPE_COLUMN), "string")
    assert value_of(model, "zip") == "123"
    assert model.setData(cell(model, "zip", TYPE_COLUMN), "null")
    assert value_of(model, "zip") is None
    with qtbot.waitSignal(model.problem):
        assert not model.setData(cell(model, "zip", TYPE_COLUMN), "integer")


# -- structure -------------------------------------------------------------------------------


def test_insert_remove_move(qtbot: QtBot) -> None:
    model = FieldsModel()
    model.set_profile({"a": 1, "b": 2, "c": 3, "d": 4})
    with qtbot.waitSignal(model.rowsInserted), qtbot.waitSignal(model.edited):
        assert model.insert_field(1, "x", "new") == 1
    assert [k for k, _ in model.rows()] == ["a", "x", "b", "c", "d"]
    assert model.insert_field(99) == 5
    assert model.rows()[5] == ("", "")
    with qtbot.waitSignal(model.rowsMoved):
        assert model.move_field(0, 2)
    assert [k for k, _ in model.rows()] == ["x", "b", "a", "c", "d", ""]
    assert model.move_field(4, 0)
    assert [k for k, _ in model.rows()] == ["d", "x", "b", "a", "c", ""]
    assert not model.move_field(1, 1)
    assert not model.move_field(0, 6)
    with qtbot.waitSignal(model.edited):
        assert model.remove_fields([5, 0, 2, 3, 99, 0]) == 4
    assert model.rows() == [("x", "new"), ("c", 3)]
    assert model.remove_fields([]) == 0


def test_set_profile_is_not_an_edit(qtbot: QtBot) -> None:
    model = FieldsModel()
    with qtbot.assertNotEmitted(model.edited), qtbot.waitSignal(model.modelReset):
        model.set_profile(SAMPLE)


# -- key problems ----------------------------------------------------------------------------


def test_duplicate_and_empty_keys_are_flagged(model: FieldsModel) -> None:
    model.set_profile({"email": "a", "name": "n", "x": 1})
    model.insert_field(2, "email", "b")
    model.insert_field(3)
    assert [str(p) for p in model.problems()] == [
        'Row 3: duplicate key "email" (also row 1)',
        "Row 4: empty key",
    ]
    assert model.problems()[0] == FieldProblem(2, 'duplicate key "email" (also row 1)')
    background = Qt.ItemDataRole.BackgroundRole
    flagged = [model.data(model.index(r, KEY_COLUMN), background) is not None for r in range(5)]
    assert flagged == [True, False, True, True, False]
    tip = model.data(model.index(0, KEY_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert tip == 'Duplicate key "email": also in row 3'
    assert "Empty key" in model.data(model.index(3, KEY_COLUMN), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(1, KEY_COLUMN), background) is None
    with pytest.raises(FieldsError) as raised:
        model.to_profile()
    assert len(raised.value.problems) == 2

    # Renaming fixes it, and the flag on row 1 goes away too.
    assert model.setData(model.index(2, KEY_COLUMN), "email2")
    assert model.setData(model.index(3, KEY_COLUMN), "phone_number")
    assert model.problems() == []
    assert model.data(model.index(0, KEY_COLUMN), background) is None
    assert list(model.to_profile()) == ["email", "name", "email2", "phone_number", "x"]


def test_read_only_refuses_every_edit(model: FieldsModel) -> None:
    model.set_read_only(True)
    index = cell(model, "count")
    assert not (model.flags(index) & Qt.ItemFlag.ItemIsEditable)
    assert not model.setData(index, "4")
    assert not model.setData(cell(model, "count", KEY_COLUMN), "n")
    assert model.insert_field(0) == -1
    assert model.remove_fields([0]) == 0
    assert not model.move_field(0, 1)
    assert model.rows() == list(SAMPLE.items())
    model.set_profile({"a": 1})  # loading still works
    assert model.rows() == [("a", 1)]
    model.set_read_only(False)
    assert model.setData(model.index(0, VALUE_COLUMN), "2")


# -- edits recorded for undo -----------------------------------------------------------------


def test_edits_are_recorded_and_replay_both_ways(qtmodeltester: ModelTester, qtbot: QtBot) -> None:
    model = FieldsModel()
    model.set_profile(SAMPLE)
    qtmodeltester.check(model)
    edits: list[RowEdit] = []
    model.rowsEdited.connect(edits.append)
    states = [model.rows()]
    assert model.setData(cell(model, "count"), "4")
    states.append(model.rows())
    assert model.setData(cell(model, "zip", KEY_COLUMN), "email")  # a duplicate, then undone
    states.append(model.rows())
    assert model.setData(cell(model, "ratio", TYPE_COLUMN), "string")
    states.append(model.rows())
    model.insert_field(2, "new", [1])
    states.append(model.rows())
    assert model.move_field(0, 5)
    states.append(model.rows())
    assert model.remove_fields([7, 0, 3, 4]) == 4
    states.append(model.rows())
    assert [e.describe() for e in edits] == [
        "edit of count",
        "rename of zip",
        "type change of ratio",
        "add row",
        "move row",
        "remove 4 rows",
    ]
    for edit, before in zip(reversed(edits), reversed(states[:-1]), strict=True):
        with qtbot.waitSignal(model.edited), qtbot.assertNotEmitted(model.rowsEdited):
            model.replay(edit, forward=False)
        assert model.rows() == before
        qtmodeltester.check(model)
    assert not model.has_duplicate_keys()
    for edit, after in zip(edits, states[1:], strict=True):
        model.replay(edit, forward=True)
        assert model.rows() == after
    qtmodeltester.check(model)


def test_set_rows_keeps_repeated_keys(qtmodeltester: ModelTester) -> None:
    model = FieldsModel()
    model.set_rows([("a", 1), ("a", 2), ("", None)])
    qtmodeltester.check(model)
    assert model.has_duplicate_keys()
    assert [str(p) for p in model.problems()] == [
        'Row 2: duplicate key "a" (also row 1)',
        "Row 3: empty key",
    ]
