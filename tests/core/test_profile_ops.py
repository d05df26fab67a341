"""merge_profile (Courier POST semantics) and apply_json_patch (RFC 6902)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.core.profile.ops import JsonPatchError, apply_json_patch, merge_profile

# --- merge_profile -------------------------------------------------------------------------

_keys = st.sampled_from(["a", "b", "c", "email", "custom", ""]) | st.text(max_size=3)
_null_free_scalars = (
    st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)


def _json_values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
        max_leaves=8,
    )


_docs = st.dictionaries(_keys, _json_values(st.none() | _null_free_scalars), max_size=5)
_null_free_docs = st.dictionaries(_keys, _json_values(_null_free_scalars), max_size=5)
# Fewer examples than the default keep this module fast; no deadline, since CI machines vary.
_fast = settings(max_examples=50, deadline=None)


def test_merge_keeps_untouched_keys_and_replaces_scalars() -> None:
    stored = {"email": "a@example.com", "name": "Ann", "phone_number": "1"}
    assert merge_profile(stored, {"name": "Anna"}) == {
        "email": "a@example.com",
        "name": "Anna",
        "phone_number": "1",
    }


def test_merge_removes_keys_set_to_null() -> None:
    assert merge_profile({"a": 1, "b": 2}, {"a": None, "missing": None}) == {"b": 2}


def test_merge_is_recursive_with_null_removal_inside() -> None:
    stored = {"custom": {"plan": "free", "seats": 1, "tags": ["x"]}, "email": "e"}
    changes = {"custom": {"plan": "pro", "seats": None, "region": "eu"}}
    assert merge_profile(stored, changes) == {
        "custom": {"plan": "pro", "tags": ["x"], "region": "eu"},
        "email": "e",
    }


def test_merge_replaces_lists_and_type_changes_whole() -> None:
    stored = {"firebaseToken": ["a", "b"], "apn": "old", "slack": {"channel": "c"}}
    changes = {"firebaseToken": ["c"], "apn": {"token": "t"}, "slack": "gone"}
    assert merge_profile(stored, changes) == {
        "firebaseToken": ["c"],
        "apn": {"token": "t"},
        "slack": "gone",
    }


def test_merge_drops_nulls_inside_a_new_object() -> None:
    assert merge_profile({}, {"address": {"country": "FR", "region": None}}) == {
        "address": {"country": "FR"}
    }


def test_merge_keeps_existing_key_positions_and_appends_new_keys() -> None:
    result = merge_profile({"a": 1, "b": 2, "c": 3}, {"z": 0, "b": 9, "y": 0})
    assert list(result) == ["a", "b", "c", "z", "y"]
    nested = merge_profile({"o": {"p": 1, "q": 2}}, {"o": {"r": 3, "p": 0}})
    assert list(nested["o"]) == ["p", "q", "r"]


def test_merge_builds_new_objects_along_merged_paths() -> None:
    stored = {"custom": {"a": [1]}, "list": [{"x": 1}]}
    changes = {"custom": {"b": 2}, "new": {"deep": [1]}}
    result = merge_profile(stored, changes)
    assert result is not stored and result["custom"] is not stored["custom"]
    assert result["new"] is not changes["new"]
    result["custom"]["c"] = 3
    result["new"]["other"] = 1
    assert stored == {"custom": {"a": [1]}, "list": [{"x": 1}]}
    assert changes == {"custom": {"b": 2}, "new": {"deep": [1]}}


@_fast
@given(_docs)
def test_merging_nothing_is_identity(doc: dict[str, Any]) -> None:
    result = merge_profile(doc, {})
    assert result == doc
    assert list(result) == list(doc)
    assert result is not doc


@_fast
@given(_null_free_docs)
def test_merging_a_null_free_doc_with_itself_is_identity(doc: dict[str, Any]) -> None:
    assert merge_profile(doc, doc) == doc


@_fast
@given(_docs, _docs)
def test_merge_never_mutates_its_inputs(stored: dict[str, Any], changes: dict[str, Any]) -> None:
    before = copy.deepcopy((stored, changes))
    merge_profile(stored, changes)
    assert (stored, changes) == before


@_fast
@given(_docs, _docs)
def test_merge_top_level_contract(stored: dict[str, Any], changes: dict[str, Any]) -> None:
    result = merge_profile(stored, changes)
    for key, value in stored.items():
        if key not in changes:
            assert result[key] == value
    for key, value in changes.items():
        if value is None:
            assert key not in result
        elif not isinstance(value, dict):
            assert result[key] == value
        else:
            assert isinstance(result[key], dict)
    kept = [k for k in stored if k in result]
    added = [k for k in changes if k not in stored and k in result]
    assert list(result) == kept + added


# --- apply_json_patch: RFC 6902 appendix A ------------------------------------------------

_RFC_EXAMPLES: list[tuple[str, dict[str, Any], list[dict[str, Any]], dict[str, Any]]] = [
    (
        "A.1 add an object member",
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux"}],
        {"foo": "bar", "baz": "qux"},
    ),
    (
        "A.2 add an array element",
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    (
        "A.3 remove an object member",
        {"baz": "qux", "foo": "bar"},
        [{"op": "remove", "path": "/baz"}],
        {"foo": "bar"},
    ),
    (
        "A.4 remove an array element",
        {"foo": ["bar", "qux", "baz"]},
        [{"op": "remove", "path": "/foo/1"}],
        {"foo": ["bar", "baz"]},
    ),
    (
        "A.5 replace a value",
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        "A.6 move a value",
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        "A.7 move an array element",
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        "A.8 test a value: success",
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    (
        "A.10 add a nested member object",
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    (
        "A.11 ignore unrecognized elements",
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
        {"foo": "bar", "baz": "qux"},
    ),
    (
        "A.14 ~ escape ordering",
        {"/": 9, "~1": 10},
        [{"op": "test", "path": "/~01", "value": 10}],
        {"/": 9, "~1": 10},
    ),
    (
        "A.16 add an array value",
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
]


@pytest.mark.parametrize(
    ("doc", "ops", "expected"),
    [example[1:] for example in _RFC_EXAMPLES],
    ids=[example[0] for example in _RFC_EXAMPLES],
)
def test_rfc6902_examples(
    doc: dict[str, Any], ops: list[dict[str, Any]], expected: dict[str, Any]
) -> None:
    before = copy.deepcopy(doc)
    assert apply_json_patch(doc, ops) == expected
    assert doc == before


@pytest.mark.parametrize(
    ("doc", "ops", "message"),
    [
        # A.9, A.12, A.15
        ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], "test failed"),
        ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], "not found"),
        ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], "test failed"),
        # JSON equality: true is not 1
        ({"a": 1}, [{"op": "test", "path": "/a", "value": True}], "test failed"),
        ({"a": []}, [{"op": "add", "path": "/a/01", "value": 1}], "invalid array index"),
        ({"a": []}, [{"op": "add", "path": "/a/-1", "value": 1}], "invalid array index"),
        ({"a": [1]}, [{"op": "add", "path": "/a/2", "value": 1}], "out of range"),
        ({"a": [1]}, [{"op": "remove", "path": "/a/-"}], "invalid array index"),
        ({"a": [1]}, [{"op": "replace", "path": "/a/1", "value": 0}], "out of range"),
        ({"a": 1}, [{"op": "remove", "path": "/b"}], "not found"),
        ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}], "not found"),
        ({"a": 1}, [{"op": "add", "path": "a", "value": 2}], "must be empty or start with '/'"),
        ({"a": 1}, [{"op": "add", "path": "/~2", "value": 2}], "followed by 0 or 1"),
        ({"a": 1}, [{"op": "add", "path": "/~~01", "value": 2}], "followed by 0 or 1"),
        ({"a": 1}, [{"op": "add", "path": "/a~", "value": 2}], "followed by 0 or 1"),
        ({"a": 1}, [{"op": "add", "path": "/b"}], "missing 'value'"),
        ({"a": 1}, [{"op": "add", "value": 2}], "missing 'path'"),
        ({"a": 1}, [{"op": "add", "path": 5, "value": 2}], "must be a string"),
        ({"a": 1}, [{"op": "move", "path": "/b"}], "missing 'from'"),
        ({"a": 1}, [{"op": "frobnicate", "path": "/a"}], "unknown op"),
        ({"a": 1}, [{"path": "/a"}], "unknown op"),
        ({"a": 1}, ["add"], "must be an object"),
        ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}], "own children"),
        ({"a": 1}, [{"op": "move", "from": "/x", "path": "/x"}], "not found"),
        ({"a": 1}, [{"op": "copy", "from": "/x", "path": "/y"}], "not found"),
        ({"a": 1}, [{"op": "add", "path": "/a/b", "value": 2}], "not a container"),
        ({"a": 1}, [{"op": "remove", "path": ""}], "whole document"),
        ({"a": 1}, [{"op": "replace", "path": "", "value": [1]}], "must still be a JSON object"),
    ],
)
def test_invalid_patches_raise(doc: dict[str, Any], ops: list[Any], message: str) -> None:
    with pytest.raises(JsonPatchError, match=message):
        apply_json_patch(doc, ops)


def test_patch_error_is_a_value_error_naming_the_failing_operation() -> None:
    ops: list[dict[str, Any]] = [
        {"op": "add", "path": "/x", "value": 1},
        {"op": "remove", "path": "/nope"},
    ]
    with pytest.raises(ValueError, match=r"operation 1 \(remove /nope\)"):
        apply_json_patch({"a": 1}, ops)


def test_patch_must_be_a_list() -> None:
    with pytest.raises(JsonPatchError, match="list of operations"):
        apply_json_patch({}, {"op": "add"})  # type: ignore[arg-type]


def test_patch_is_atomic() -> None:
    doc = {"a": {"b": [1, 2]}, "c": 1}
    before = copy.deepcopy(doc)
    ops: list[dict[str, Any]] = [
        {"op": "add", "path": "/a/b/-", "value": 3},
        {"op": "remove", "path": "/c"},
        {"op": "test", "path": "/a/b/0", "value": 99},
    ]
    with pytest.raises(JsonPatchError):
        apply_json_patch(doc, ops)
    assert doc == before


def test_patch_root_operations() -> None:
    assert apply_json_patch({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}]) == {
        "b": 2
    }
    assert apply_json_patch({"a": 1}, [{"op": "add", "path": "", "value": {}}]) == {}
    assert apply_json_patch({"a": 1}, [{"op": "test", "path": "", "value": {"a": 1.0}}]) == {"a": 1}


def test_patch_pointer_escapes_and_special_keys() -> None:
    doc: dict[str, Any] = {}
    ops = [
        {"op": "add", "path": "/a~1b", "value": 1},
        {"op": "add", "path": "/m~0n", "value": 2},
        {"op": "add", "path": "/", "value": 3},
        {"op": "add", "path": "/-", "value": 4},
        {"op": "add", "path": "/0", "value": 5},
    ]
    assert apply_json_patch(doc, ops) == {"a/b": 1, "m~n": 2, "": 3, "-": 4, "0": 5}


def test_patch_replace_keeps_key_position_and_move_to_itself_is_a_no_op() -> None:
    result = apply_json_patch(
        {"a": 1, "b": 2, "c": 3},
        [
            {"op": "replace", "path": "/a", "value": 0},
            {"op": "move", "from": "/b", "path": "/b"},
        ],
    )
    assert list(result.items()) == [("a", 0), ("b", 2), ("c", 3)]


def test_patch_copy_is_deep_and_values_are_not_shared() -> None:
    value = {"deep": [1]}
    doc = {"src": {"x": [1]}}
    result = apply_json_patch(
        doc,
        [
            {"op": "copy", "from": "/src", "path": "/dst"},
            {"op": "add", "path": "/val", "value": value},
            {"op": "add", "path": "/dst/x/-", "value": 2},
        ],
    )
    assert result == {"src": {"x": [1]}, "dst": {"x": [1, 2]}, "val": {"deep": [1]}}
    result["val"]["deep"].append(2)
    assert value == {"deep": [1]}
    assert doc == {"src": {"x": [1]}}


def test_patch_test_compares_objects_regardless_of_key_order() -> None:
    doc = {"o": {"a": 1, "b": [True, None]}}
    assert apply_json_patch(
        doc, [{"op": "test", "path": "/o", "value": {"b": [True, None], "a": 1}}]
    )


def _pointer_to(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


@_fast
@given(_docs, st.text(alphabet="ab/~01", max_size=6), _json_values(_null_free_scalars))
def test_patch_add_test_remove_round_trip(doc: dict[str, Any], key: str, value: Any) -> None:
    path = _pointer_to(key)
    added = apply_json_patch(doc, [{"op": "add", "path": path, "value": value}])
    assert added[key] == value
    ops = [{"op": "test", "path": _pointer_to(k), "value": v} for k, v in added.items()]
    assert apply_json_patch(added, ops) == added
    removed = apply_json_patch(added, [{"op": "remove", "path": path}])
    assert removed == {k: v for k, v in doc.items() if k != key}
