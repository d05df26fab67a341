"""core.key_paths: parsing key paths and finding them in JSON text."""

from __future__ import annotations

import json

import pytest

from profile_editor.core.profile.key_paths import (
    PathSpot,
    format_key_path,
    key_path_offset,
    line_column,
    parse_key_path,
    spot_in_fields,
    spot_in_text,
)

TEXT = json.dumps(
    {
        "email": "a@b.c",
        "skip": {"plan": "not this one", "deep": [{"plan": 0}]},
        "custom": {"x": [1, {"y": 2}], "plan": "pro"},
        "tags": ["a", {"id": 7}],
        "dotted.key": 1,
    },
    indent=2,
)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("custom.plan", ("custom", "plan")),
        (" address.locality ", ("address", "locality")),
        ("tags[1].id", ("tags", "1", "id")),
        ("tags.1.id", ("tags", "1", "id")),
        ("m[0][2]", ("m", "0", "2")),
        ("email", ("email",)),
    ],
)
def test_parse_key_path(text: str, path: tuple[str, ...]) -> None:
    assert parse_key_path(text) == path
    assert format_key_path(("custom", "plan")) == "custom.plan"


@pytest.mark.parametrize(
    ("path", "line", "snippet"),
    [
        (("email",), 2, '"email"'),
        (("custom", "plan"), 18, '"plan": "pro"'),
        (("custom", "x", "1", "y"), 15, '"y": 2'),
        (("tags", "1"), 22, "{"),
        (("tags", "1", "id"), 23, '"id": 7'),
        (("dotted.key",), 26, '"dotted.key"'),
    ],
)
def test_offset_points_at_the_key(path: tuple[str, ...], line: int, snippet: str) -> None:
    offset = key_path_offset(TEXT, path)
    assert offset is not None
    assert TEXT[offset:].startswith(snippet)
    assert line_column(TEXT, offset)[0] == line


@pytest.mark.parametrize(
    "path",
    [(), ("nope",), ("email", "x"), ("tags", "9"), ("tags", "x"), ("custom", "plan", "z")],
)
def test_missing_paths(path: tuple[str, ...]) -> None:
    assert key_path_offset(TEXT, path) is None


def test_broken_text_and_first_duplicate() -> None:
    assert key_path_offset('{"a": [1,, 2], "b": 1}', ("b",)) is None
    assert key_path_offset('{"a": 1, "a": 2}', ("a",)) == 1
    assert key_path_offset('{"a": {"b": 1}}', ("a", "b")) == 7
    assert line_column("ab\ncd", 4) == (2, 2)


def test_large_text_is_walked_not_parsed() -> None:
    big = json.dumps({f"k{i}": {"v": list(range(20))} for i in range(20_000)} | {"last": 1})
    offset = key_path_offset(big, ("last",))
    assert offset is not None and big[offset:].startswith('"last"')


def test_spots_say_where_to_go_and_why_not() -> None:
    text = '{\n  "email": "a@b.c",\n  "custom": {"plan": "pro"}\n}'
    assert spot_in_text(text, ("custom", "plan")) == PathSpot(True, line=3, column=14)
    assert spot_in_text(text, ("nope",)) == PathSpot(False, "No key path nope in the JSON text.")
    keys = ["email", "custom"]
    assert spot_in_fields(keys, ("custom",)) == PathSpot(True, row=1)
    nested = spot_in_fields(keys, ("custom", "plan"))
    assert (
        nested.found and nested.row == 1 and 'inside the value of "custom" (row 2)' in nested.note
    )
    assert spot_in_fields(keys, ("zoë",)) == PathSpot(False, 'No field "zoë".')
    assert spot_in_fields(keys, ()) == PathSpot(False, "No field (empty path).")
