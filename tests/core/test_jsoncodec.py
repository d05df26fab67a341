import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.core.profile.jsoncodec import (
    JsonProblem,
    dumps_compact,
    iter_compact,
    parse_profile,
    parse_value,
    type_name,
)


@pytest.mark.parametrize(
    ("text", "line", "column", "needle"),
    [
        ('{"a": NaN}', 1, 7, "NaN"),
        ('{"a": Infinity}', 1, 7, "Infinity"),
        ('{"a": -Infinity}', 1, 7, "Infinity"),
        ('{\n  "a": 1,\n}', 2, 9, "trailing comma"),
        ('{"a": [1, 2,]}', 1, 12, "trailing comma"),
        ('{\n  "a": 1,\n  "a": 2\n}', 3, 3, 'duplicate key "a"'),
        ('{"x": {"b": 1, "b": 2}}', 1, 16, 'duplicate key "b"'),
        ("[1, 2]", 1, 1, "must be a JSON object"),
        ('"text"', 1, 1, "must be a JSON object"),
        ("", 1, 1, "empty"),
        ('{"a": 1e400}', 1, 7, "too large"),
        ('{"a": 1} {}', 1, 10, "after the end"),
        ("{'a': 1}", 1, 2, "double quotes"),
    ],
)
def test_strict_errors_have_line_and_column(text: str, line: int, column: int, needle: str) -> None:
    with pytest.raises(JsonProblem) as info:
        parse_profile(text)
    problem = info.value
    assert (problem.line, problem.column) == (line, column)
    assert needle in problem.message
    assert str(problem).startswith(f"Line {line}, column {column}:")


def test_number_inside_a_string_is_not_blamed() -> None:
    with pytest.raises(JsonProblem) as info:
        parse_profile('{"s": "1e999", "n": 2e999}')
    assert info.value.column == 21


def test_order_and_types_are_kept() -> None:
    parsed = parse_profile(
        '{"z": "00123", "a": 3, "m": 1.0, "b": true, "n": null, "o": {}, "l": []}'
    )
    assert list(parsed) == ["z", "a", "m", "b", "n", "o", "l"]
    assert [type_name(v) for v in parsed.values()] == [
        "string",
        "number",
        "number",
        "boolean",
        "null",
        "object",
        "array",
    ]
    assert (
        parsed["z"] == "00123" and isinstance(parsed["a"], int) and isinstance(parsed["m"], float)
    )


def test_parse_value_for_cells() -> None:
    assert parse_value(' [1, {"a": 2}] ') == [1, {"a": 2}]
    with pytest.raises(JsonProblem) as info:
        parse_value("[1, 2")
    assert info.value.line == 1
    with pytest.raises(JsonProblem):
        parse_value("1, 2")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=100)
@given(st.dictionaries(st.text(), json_values, max_size=8))
def test_roundtrip_and_chunked_encoding(profile: dict) -> None:
    text = json.dumps(profile)
    assert parse_profile(text) == profile
    assert "".join(iter_compact(profile)) == dumps_compact(profile)


def test_chunked_encoding_of_large_containers() -> None:
    big = {f"k{i}": [i, {"v": [j for j in range(300)]}] for i in range(600)}
    assert "".join(iter_compact(big)) == dumps_compact(big)
    assert json.loads("".join(iter_compact(big))) == big


# -- large answers, decoded member by member ------------------------------------------------


def test_loads_in_pieces_matches_json_loads_on_large_answers() -> None:
    import json as stdlib_json

    from profile_editor.core.profile.jsoncodec import PIECEWISE_BYTES, loads_in_pieces

    profile = {f"k{i}": {"n": [i, 1.5, True, None], "s": 'é"\\'} for i in range(6000)}
    profile["dup"] = 1
    for body in (
        {"profile": profile, "preferences": None},
        {"profile": {}, "filler": "x" * PIECEWISE_BYTES},
        [profile],
    ):
        text = stdlib_json.dumps(body, indent=2)
        assert len(text) >= PIECEWISE_BYTES
        parsed = loads_in_pieces(text.encode())
        assert parsed == stdlib_json.loads(text)
        assert isinstance(parsed, list) or list(parsed) == list(body)
    # Duplicate keys keep the last value, as json.loads does.
    text = '{"a": 1, "a": 2, "pad": "' + "x" * PIECEWISE_BYTES + '"}'
    assert loads_in_pieces(text) == stdlib_json.loads(text)


def test_loads_in_pieces_raises_as_json_loads_does() -> None:
    import json as stdlib_json

    from profile_editor.core.profile.jsoncodec import PIECEWISE_BYTES, loads_in_pieces

    pad = " " * PIECEWISE_BYTES
    for bad in (
        '{"a": 1,}' + pad,
        '{"a": 1} x' + pad,
        '{"a":' + pad,
        '{"a" 1}' + pad,
        "{1: 2}" + pad,
    ):
        with pytest.raises(stdlib_json.JSONDecodeError) as theirs:
            stdlib_json.loads(bad)
        with pytest.raises(stdlib_json.JSONDecodeError) as ours:
            loads_in_pieces(bad)
        assert (ours.value.msg, ours.value.pos) == (theirs.value.msg, theirs.value.pos)
