"""core.values: display and edit text, type changes, typed-text parsing — without Qt."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from profile_editor.core.profile.values import (
    DISPLAY_LIMIT,
    convert_value,
    doc_safe,
    edit_text,
    editor_json,
    is_number,
    parse_edit,
    preview,
    rows_json_text,
    same_value,
)

BLOCK_QT = r"""
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6" or name.startswith("PySide6."):
            raise ImportError("PySide6 is blocked for this test")
        return None

sys.meta_path.insert(0, Block())
from profile_editor.core.profile.values import convert_value, parse_edit, preview
from profile_editor.core.profile.key_paths import key_path_offset, parse_key_path
print(convert_value("00123", "number"), parse_edit(1, "2"), preview({"a": [1]}))
print(key_path_offset('{"a": {"b": 1}}', parse_key_path("a.b")))
assert not any(m.startswith("PySide6") for m in sys.modules)
"""


def test_imports_without_pyside6() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ['123 (2, None) {"a":[1]}', "7"]


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("3", "number", 3),
        ("1.5", "number", 1.5),
        ("abc", "number", 0),
        ("00123", "number", 123),
        (" +2.50 ", "number", 2.5),
        ("1e999", "number", 0),
        (True, "number", 1),
        (3, "string", "3"),
        (1.5, "string", "1.5"),
        (False, "string", "false"),
        (None, "string", ""),
        ({"a": 1}, "string", '{"a":1}'),
        ("true", "boolean", True),
        (" FALSE ", "boolean", False),
        ("maybe", "boolean", False),
        (2, "boolean", True),
        (0, "boolean", False),
        ("x", "null", None),
        ({"a": 1}, "null", None),
        ("x", "object", {}),
        ('{"a": [1]}', "object", {"a": [1]}),
        ([1], "object", {}),
        ("x", "array", []),
        ("[1, 2]", "array", [1, 2]),
        ({"a": 1}, "array", []),
    ],
)
def test_convert_value(value: Any, target: str, expected: Any) -> None:
    result = convert_value(value, target)
    assert result == expected
    assert type(result) is type(expected)


def test_convert_to_unknown_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="integer"):
        convert_value(1, "integer")


@pytest.mark.parametrize(
    ("old", "raw", "expected"),
    [
        ("s", "00123", "00123"),
        ("s", " 42 ", " 42 "),
        (1, " -12 ", -12),
        (1, "1e3", 1000.0),
        (1.5, "3", 3),
        (1, 2.5, 2.5),
        (True, " FALSE ", False),
        (False, True, True),
        ({}, '{"a": 1.0}', {"a": 1.0}),
        ([], "[1]", [1]),
    ],
)
def test_parse_edit_keeps_the_type(old: Any, raw: Any, expected: Any) -> None:
    value, reason = parse_edit(old, raw)
    assert reason is None
    assert same_value(value, expected)


@pytest.mark.parametrize(
    ("old", "raw", "reason"),
    [
        (1, "00123", "is not a JSON number"),
        (1, "NaN", "is not a JSON number"),
        (1, True, "is not a JSON number"),
        (True, "yes", "a boolean is true or false"),
        (None, "x", "null has no value to edit"),
        ("s", 3, "must be given as text"),
        ({}, '{"a": 1,}', "invalid JSON: Line 1, column 8: trailing comma"),
        ({}, "[1]", "expected an object, got array"),
        ([], "{}", "expected an array, got object"),
    ],
)
def test_parse_edit_refuses_other_types(old: Any, raw: Any, reason: str) -> None:
    value, why = parse_edit(old, raw)
    assert value is None
    assert why is not None and reason in why


def test_preview_is_short_and_single_line() -> None:
    assert preview("a\nb") == "a↵b"
    assert preview(None) == "null"
    assert preview({"k": [1, True]}) == '{"k":[1,true]}'
    huge = {f"k{i}": "v" * 1000 for i in range(10_000)}
    shown = preview(huge)
    assert len(shown) == DISPLAY_LIMIT
    assert shown.endswith("…")
    assert len(preview("x" * 10_000, 50)) == 50


def test_edit_text_and_document_safety() -> None:
    assert edit_text("raw\ntext") == "raw\ntext"
    assert edit_text(1.0) == "1.0"
    assert edit_text({"a": 1}) == '{\n  "a": 1\n}'
    assert doc_safe('"a\u2029b\rc"') == '"a\\u2029b\\u000dc"'
    assert editor_json({"s": "\ud800"}) == '{\n  "s": "\\ud800"\n}'


def test_numbers_and_sameness() -> None:
    assert is_number(1) and is_number(-0.5)
    assert not is_number(True) and not is_number(float("nan")) and not is_number("1")
    assert not same_value(1, 1.0) and not same_value(1, True) and same_value([1], [1])


def test_rows_json_text_writes_repeated_keys_out() -> None:
    rows = [("a", 1), ("b", {"c": [1]}), ("a", "\u2029")]
    assert rows_json_text(rows, duplicates=True) == (
        '{\n  "a": 1,\n  "b": {\n    "c": [\n      1\n    ]\n  },\n  "a": "\\u2029"\n}'
    )
    assert rows_json_text(rows[:2], duplicates=False) == editor_json(dict(rows[:2]))
    assert rows_json_text([], duplicates=True) == "{}"
