"""JSON Patch against an independent RFC 6902 reference, and arbitrary JSON as a patch.

The reference below is written from the RFC (6902, and 6901 for pointers) alone: plain deep
copies, a character-by-character pointer decoder, no code shared with the app's patcher. The
app must agree with it on every result and on which operation fails first; and whatever JSON
is given as a patch, the checks answer with problems that name an operation, never an exception.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from profile_editor.core.profile.json_patch import preview_patch, validate_patch
from profile_editor.core.profile.jsoncodec import MAX_DEPTH
from profile_editor.core.profile.ops import PATCH_OPS, JsonPatchError, apply_json_patch

# -- the reference ------------------------------------------------------------------------------


class _Refused(Exception):
    """The operation cannot be applied (RFC 6902 section 5: the whole patch then fails)."""


def _tokens(pointer: object) -> list[str]:
    """RFC 6901 section 3/4: "" is the whole document, else "/"-separated, "~1" is "/", "~0" "~"."""
    if not isinstance(pointer, str):
        raise _Refused("a pointer is a string")
    if pointer == "":
        return []
    if pointer[0] != "/":
        raise _Refused("a pointer starts with /")
    tokens = []
    for raw in pointer[1:].split("/"):
        token, i = "", 0
        while i < len(raw):
            if raw[i] != "~":
                token += raw[i]
                i += 1
            elif raw[i + 1 : i + 2] == "0":
                token, i = token + "~", i + 2
            elif raw[i + 1 : i + 2] == "1":
                token, i = token + "/", i + 2
            else:
                raise _Refused("~ must be followed by 0 or 1")
        tokens.append(token)
    return tokens


def _array_index(array: list[Any], token: str, *, end_allowed: bool) -> int:
    """RFC 6901 section 4: "0" or digits without a leading zero; "-" is past the last element."""
    if token == "-" and end_allowed:
        return len(array)
    if not re.fullmatch(r"0|[1-9][0-9]*", token):
        raise _Refused(f"not an array index: {token!r}")
    index = int(token)
    if index > len(array) or (index == len(array) and not end_allowed):
        raise _Refused("index out of range")
    return index


def _get(doc: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(doc, dict):
            if token not in doc:
                raise _Refused("no such member")
            doc = doc[token]
        elif isinstance(doc, list):
            doc = doc[_array_index(doc, token, end_allowed=False)]
        else:
            raise _Refused("not a container")
    return doc


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value  # section 4.1: adding at the root replaces the document
    parent = _get(doc, tokens[:-1])
    if isinstance(parent, dict):
        parent[tokens[-1]] = value
    elif isinstance(parent, list):
        parent.insert(_array_index(parent, tokens[-1], end_allowed=True), value)
    else:
        raise _Refused("not a container")
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise _Refused("the whole document cannot be removed")
    parent = _get(doc, tokens[:-1])
    if isinstance(parent, dict):
        if tokens[-1] not in parent:
            raise _Refused("no such member")
        return parent.pop(tokens[-1])
    if isinstance(parent, list):
        return parent.pop(_array_index(parent, tokens[-1], end_allowed=False))
    raise _Refused("not a container")


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _json_equal(a: Any, b: Any) -> bool:
    """Section 4.6: same type; numbers by value; arrays in order; objects by member, any order."""
    if _kind(a) != _kind(b):
        return False
    if isinstance(a, dict):
        return sorted(a) == sorted(b) and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _member(op: dict[str, Any], name: str) -> Any:
    if name not in op:
        raise _Refused(f"missing {name}")
    return op[name]


def _apply(doc: Any, op: object) -> Any:
    if not isinstance(op, dict) or op.get("op") not in PATCH_OPS:
        raise _Refused("not an operation")
    name = op["op"]
    path = _tokens(_member(op, "path"))
    if name == "add":
        return _add(doc, path, copy.deepcopy(_member(op, "value")))
    if name == "remove":
        _remove(doc, path)
        return doc
    if name == "replace":
        value = copy.deepcopy(_member(op, "value"))
        _get(doc, path)  # section 4.3: the target must exist
        if not path:
            return value
        parent = _get(doc, path[:-1])
        key = (
            path[-1]
            if isinstance(parent, dict)
            else _array_index(parent, path[-1], end_allowed=False)
        )
        parent[key] = value
        return doc
    if name == "test":
        if not _json_equal(_get(doc, path), _member(op, "value")):
            raise _Refused("test failed")
        return doc
    source = _tokens(_member(op, "from"))
    if name == "copy":
        return _add(doc, path, copy.deepcopy(_get(doc, source)))
    # move, section 4.4: "from" must not be a proper prefix of "path"
    if len(source) < len(path) and path[: len(source)] == source:
        raise _Refused("a value cannot move into its own child")
    value = _get(doc, source)
    if source == path:
        return doc
    _remove(doc, source)
    return _add(doc, path, value)


def reference_patch(doc: dict[str, Any], ops: list[Any]) -> dict[str, Any] | int | None:
    """The patched document; the index of the first operation that fails; or None when the
    result is not an object (a profile must stay one)."""
    current: Any = copy.deepcopy(doc)
    for index, op in enumerate(ops):
        try:
            current = _apply(current, op)
        except _Refused:
            return index
    return current if isinstance(current, dict) else None


# -- strategies ---------------------------------------------------------------------------------

# Few names, so that paths often hit; "-", "0", "01", "~", "/" and "" exercise the pointer rules.
_NAMES = ["a", "b", "0", "1", "01", "-", "", "a/b", "m~n", "~1"]
_scalars = st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from([1.0, -0.0, "a", ""])
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_NAMES), inner, max_size=3)
    ),
    max_leaves=8,
)
_docs = st.dictionaries(st.sampled_from(_NAMES), _values, max_size=4)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


_pointers = st.one_of(
    st.lists(st.sampled_from(_NAMES), max_size=3).map(
        lambda ts: "".join("/" + _escape(t) for t in ts)
    ),
    st.sampled_from(["", "/", "a", "/~", "/~2", "/a~", "//", "/a/-/b"]),  # raw, some invalid
)
_well_formed_ops = st.builds(
    lambda name, path, source, value: {"op": name, "path": path, "from": source, "value": value},
    st.sampled_from(PATCH_OPS),
    _pointers,
    _pointers,
    _values,
)
_members = st.sampled_from(["op", "path", "from", "value", "Op", "extra"])
_member_values = st.one_of(st.sampled_from([*PATCH_OPS, "Add", "delete"]), _pointers, _values)
_loose_ops = st.dictionaries(_members, _member_values, max_size=4)  # members missing or odd
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
_any_patch = st.one_of(
    st.lists(st.one_of(_well_formed_ops, _loose_ops, _json), max_size=5),
    _json,
)


# -- properties ---------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(_docs, st.lists(_well_formed_ops, min_size=1, max_size=5))
@example({"a": [1, 2]}, [{"op": "add", "path": "/a/-", "value": 3}])
@example({"a": [1, 2]}, [{"op": "add", "path": "/a/01", "value": 3}])
@example({"a/b": 1, "m~n": 2}, [{"op": "copy", "from": "/a~1b", "path": "/m~0n"}])
@example({"~1": 1}, [{"op": "test", "path": "/~01", "value": 1}])
@example({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/b"}])
@example({"a": {"b": 1}}, [{"op": "move", "from": "/a/b", "path": "/a"}])
@example(
    {"a": 1},
    [{"op": "test", "path": "/a", "value": 1.0}, {"op": "test", "path": "/a", "value": True}],
)
def test_the_patcher_agrees_with_the_rfc_reference(doc: dict[str, Any], ops: list[Any]) -> None:
    before = copy.deepcopy(doc)
    expected = reference_patch(doc, ops)
    try:
        result: dict[str, Any] | int | None = apply_json_patch(doc, ops)
    except JsonPatchError as error:
        result = error.index
    assert doc == before, "the stored profile was modified"
    if isinstance(expected, dict):
        assert isinstance(result, dict) and _same(result, expected)
    else:
        assert result == expected, (result, expected)
    preview = preview_patch(doc, ops)
    if not validate_patch(ops):  # the editor's checks pass: the preview is the patcher's answer
        if isinstance(result, dict):
            assert preview.ok and _same(preview.result, result)
        else:
            assert preview.failure is not None and preview.failure.index == result


@settings(max_examples=300, deadline=None)
@given(_any_patch, st.none() | _docs)
@example([{"op": [], "path": "/a"}], {})  # was a TypeError: unhashable type: 'list'
@example([{"op": {}, "from": "/a"}], {})
def test_any_json_as_a_patch_is_accepted_or_answered_by_operation(
    ops: Any, stored: dict[str, Any] | None
) -> None:
    problems = validate_patch(ops)
    for problem in problems:
        if isinstance(ops, list):
            assert problem.index is not None and 0 <= problem.index < len(ops)
            assert str(problem).startswith(f"op {problem.index}")
        else:
            assert problem.index is None and str(problem).startswith("patch: ")
        assert problem.field in (None, "op", "path", "from", "value")
    preview = preview_patch(stored, ops)
    assert (preview.result is None) == (preview.failure is not None)
    if preview.failure is not None:
        assert preview.failure.reason
        index = preview.failure.index
        assert index is None or (isinstance(ops, list) and 0 <= index < len(ops))
        if index is not None:
            assert str(preview.failure).startswith(f"op {index} (")
    if not isinstance(ops, list) or stored is None:
        return
    try:
        apply_json_patch(stored, ops)
    except JsonPatchError as error:
        assert error.index is None or 0 <= error.index < len(ops)


def test_a_value_nested_too_deeply_fails_its_operation_instead_of_raising() -> None:
    # From any caller but the strict reader (which refuses it): copying it used to raise
    # RecursionError out of the preview and, at the sandbox, answer 500.
    deep = json.loads("[" * 600 + "]" * 600)
    stored = {"a": json.loads("[" * 600 + "]" * 600)}
    for ops in (
        [{"op": "add", "path": "/c", "value": 1}, {"op": "add", "path": "/b", "value": deep}],
        [{"op": "add", "path": "/b", "value": 1}, {"op": "test", "path": "/a", "value": deep}],
    ):
        preview = preview_patch(stored, ops)
        assert preview.failure is not None and preview.failure.index == 1
        assert "nested too deeply" in preview.failure.reason


def test_an_error_does_not_print_a_path_that_is_no_string() -> None:
    deep = json.loads("[" * 900 + "]" * 900)  # its repr alone would exhaust the stack
    for path in ([[1, 2]] * 1000, deep):
        try:
            apply_json_patch({}, [{"op": "remove", "path": path}])
        except JsonPatchError as error:
            assert str(error) == "operation 0 (remove ?): 'path' must be a string"


def test_a_patch_value_at_the_depth_limit_can_be_previewed_and_tested() -> None:
    deep: Any = 1
    for _ in range(MAX_DEPTH - 2):  # inside the op list and the op object
        deep = [deep]
    ops = [{"op": "add", "path": "/a", "value": deep}, {"op": "test", "path": "/a", "value": deep}]
    preview = preview_patch({}, ops)
    assert preview.ok and preview.result == {"a": deep}
