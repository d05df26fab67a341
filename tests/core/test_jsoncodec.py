import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from profile_editor.core.profile.jsoncodec import (
    MAX_DEPTH,
    JsonProblem,
    dumps_compact,
    dumps_pretty,
    iter_compact,
    nesting_depth,
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


# -- adversarial: anything json.dumps writes, and any text at all ---------------------------

# Any code point but a lone surrogate, with the ones that trip encoders and editors made common:
# controls, quotes, backslashes, line and paragraph separators, a BOM, astral characters.
_TRICKY = '\x00\x01\x1f\x7f\x85"\\/\n\r\t\u2028\u2029\ufeff\ufffe\U0001f600\U00010000\U0010ffff'
_unicode = st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(_TRICKY), max_size=10)
# Keys that look alike but are different keys: spaces, case, NFC/NFD, NUL, BOM, empty.
_LOOKALIKES = ["", " ", "a", "a ", " a", "A", "é", "e\u0301", "a\x00", "\ufeffa", "1", "-0"]
_keys = _unicode | st.sampled_from(_LOOKALIKES)
_numbers = (
    st.integers(-(2**200), 2**200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([-0.0, 1e300, -1e300, 5e-324, -5e-324, 1.7976931348623157e308, 2**64 + 1])
)
_values = st.recursive(
    st.none() | st.booleans() | _numbers | _unicode,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=25,
)
_dumps_options = st.fixed_dictionaries(
    {
        "indent": st.sampled_from([None, 0, 2, "\t"]),
        "ensure_ascii": st.booleans(),
        "sort_keys": st.booleans(),
        "separators": st.sampled_from([None, (",", ":"), (" , ", " : ")]),
    }
)


def _typed(value: object) -> str:
    """Equal text only for equal JSON: key order, 1 vs 1.0 vs true and -0.0 all count."""
    return json.dumps(value, ensure_ascii=True)


def _nested(depth: int) -> object:
    """``depth`` levels of objects and arrays, alternating, around a number."""
    value: object = 1
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=6), _dumps_options)
def test_whatever_json_dumps_writes_is_read_back_equal_with_types_and_order(
    profile: dict, options: dict
) -> None:
    text = json.dumps(profile, **options)
    expected = json.loads(text)  # the same profile, keys sorted if sort_keys was given
    assert _typed(parse_profile(text)) == _typed(expected)
    assert _typed(parse_value(text)) == _typed(expected)
    if not options["sort_keys"]:
        assert _typed(expected) == _typed(profile)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, MAX_DEPTH - 1), st.sampled_from([None, 2]))
def test_nesting_up_to_the_limit_is_read_back(depth: int, indent: int | None) -> None:
    profile = {"deep": _nested(depth)}  # the profile object is one level more
    assert _typed(parse_profile(json.dumps(profile, indent=indent))) == _typed(profile)


def _place_ok(text: str, problem: JsonProblem) -> None:
    """The problem names a line and column that exist in ``text`` (the end of a line counts)."""
    assert 0 <= problem.pos <= len(text)
    lines = text.split("\n")
    assert 1 <= problem.line <= len(lines)
    assert 1 <= problem.column <= len(lines[problem.line - 1]) + 1
    assert problem.line == text.count("\n", 0, problem.pos) + 1
    assert str(problem).startswith(f"Line {problem.line}, column {problem.column}: ")
    assert problem.message and "sys." not in problem.message  # no Python internals


@st.composite
def _corrupted_json(draw: st.DrawFn) -> str:
    """A valid profile text with one edit made to it: a span cut, doubled, or a character put in."""
    text = json.dumps(
        draw(st.dictionaries(_keys, _values, max_size=4)), indent=draw(st.sampled_from([None, 2]))
    )
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 6)))
    edit = draw(st.sampled_from(["cut", "double", "insert", "truncate"]))
    if edit == "cut":
        return text[:start] + text[end:]
    if edit == "double":
        return text[:end] + text[start:end] + text[end:]
    if edit == "truncate":
        return text[:start]
    return text[:start] + draw(st.sampled_from('{}[]:,"\\ \n0-.eE' + _TRICKY)) + text[start:]


_JSONISH = '{}[]:,"\\ \n\r\t0123456789-+.eEtrufalsnNIy'
_any_text = (
    st.text(max_size=80)
    | st.text(st.sampled_from(_JSONISH), max_size=60)
    # Lone surrogates too (st.text would drop them from any alphabet).
    | st.lists(st.characters() | st.sampled_from("\ud800\udfff"), max_size=30).map("".join)
    | _corrupted_json()
)


@settings(max_examples=400, deadline=None)
@given(_any_text)
@example('{"a":' + "[" * 100_000 + "]" * 100_000 + "}")  # was a RecursionError
@example('{"a":' + "[" * 990 + '{"x": 1, "x": 2}' + "]" * 990 + "}")  # ditto, finding the duplicate
@example('{"a": ' + "9" * 5000 + "}")  # said "use sys.set_int_max_str_digits()"
@example('{"a": "1e999", "b": [' + "7" * 4400 + "]}")
def test_any_text_is_read_or_refused_at_a_place_in_it(text: str) -> None:
    for parse in (parse_profile, parse_value):
        try:
            parse(text)
        except JsonProblem as problem:
            _place_ok(text, problem)


@pytest.mark.parametrize(
    ("text", "column", "needle"),
    [
        ('{"a":' + "[" * 100_000 + "]" * 100_000 + "}", 6 + MAX_DEPTH - 1, "nested too deeply"),
        ('{"a":' + '{"b":' * 5000, 1 + 5 * MAX_DEPTH, "nested too deeply"),  # and unclosed
        ('{"a":' + "[" * 990 + '{"x": 1, "x": 2}' + "]" * 990 + "}", 6 + MAX_DEPTH - 1, "nested"),
        ('{"a": ' + "9" * 5000 + "}", 7, "the number 999999999999…(5000 characters) is too large"),
        ('{"a": -' + "9" * 5000 + "}", 7, "is too large"),
    ],
)
def test_deep_nesting_and_huge_numbers_are_refused_by_name(
    text: str, column: int, needle: str
) -> None:
    with pytest.raises(JsonProblem) as info:
        parse_profile(text)
    assert (info.value.line, info.value.column) == (1, column)
    assert needle in info.value.message


def test_the_depth_limit_counts_the_profile_itself() -> None:
    at_limit = json.dumps({"a": _nested(MAX_DEPTH - 1)})
    assert nesting_depth(at_limit) == MAX_DEPTH
    parse_profile(at_limit)
    with pytest.raises(JsonProblem, match="nested too deeply"):
        parse_profile(json.dumps({"a": _nested(MAX_DEPTH)}))
    with pytest.raises(JsonProblem, match="nested too deeply"):
        parse_value(json.dumps(_nested(MAX_DEPTH + 1)))
    parse_value(json.dumps(_nested(MAX_DEPTH)))


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[{"', 0),
        ("{}", 1),
        ('{"a": [{}], "b": []}', 3),
        ('["]", {"\\"[": [["\\\\"]]}]', 4),
        ("[[], [[]], []]", 3),
    ],
)
def test_nesting_depth(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth
    assert nesting_depth(text.encode()) == depth  # a request's body, as it is sent


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=5), st.data())
def test_a_repeated_key_is_refused_where_it_repeats(profile: dict, data: st.DataObject) -> None:
    # Written by hand (a dict cannot hold a key twice): the key again, anywhere after the first.
    key = data.draw(st.sampled_from(list(profile)) if profile else _keys)
    items = [json.dumps(k) + ": " + json.dumps(v) for k, v in profile.items() if k != key]
    first = data.draw(st.integers(0, len(items)))
    items.insert(first, json.dumps(key) + ": 1")
    second = data.draw(st.integers(first + 1, len(items)))
    items.insert(second, json.dumps(key) + ": 2")
    wrap = data.draw(st.sampled_from(["", "nested", "in array"]))
    head = {"": "{", "nested": '{"x": {', "in array": '{"x": [1, {'}[wrap]
    tail = {"": "}", "nested": "}}", "in array": "}]}"}[wrap]
    text = head + ", ".join(items) + tail
    at = len(head) + len(", ".join(items[:second])) + (2 if second else 0)
    with pytest.raises(JsonProblem) as info:
        parse_profile(text)
    assert info.value.message == f"duplicate key {json.dumps(key, ensure_ascii=False)}"
    assert info.value.pos == at
    _place_ok(text, info.value)


def test_a_long_or_multi_line_duplicate_key_is_shown_on_one_short_line() -> None:
    key = "line\n" * 1000
    with pytest.raises(JsonProblem) as info:
        parse_profile(json.dumps({"a": 1})[:-1] + f", {json.dumps(key)}: 1, {json.dumps(key)}: 2}}")
    assert info.value.message.startswith('duplicate key "line\\nline\\n')
    assert info.value.message.endswith('…"') and len(info.value.message) < 100


@pytest.mark.parametrize(
    "value", [{"a": [1, 2.5, None, True], "ü": {"\u2028": "Zoë\ud800"}}, "key", [], {}, 0]
)
def test_the_shared_encoders_write_what_json_dumps_does(value: object) -> None:
    assert dumps_compact(value) == json.dumps(
        value, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    assert dumps_pretty(value) == json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    for dumps in (dumps_compact, dumps_pretty):
        with pytest.raises(ValueError):
            dumps({"a": float("nan")})
