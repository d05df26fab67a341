"""validate_patch / preview_patch (the editor's Patch method) and the copy-on-write patcher."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.core.profile.changes import ChangeKind, compute_changes_to
from profile_editor.core.profile.json_patch import (
    PatchFailure,
    PatchProblem,
    preview_patch,
    validate_patch,
)
from profile_editor.core.profile.ops import (
    JsonPatchError,
    _Patcher,
    apply_json_patch,
    parse_pointer,
)

_fast = settings(max_examples=60, deadline=None)


# --- validate_patch --------------------------------------------------------------------------


def test_a_well_formed_patch_has_no_problems() -> None:
    ops = [
        {"op": "add", "path": "/tags/-", "value": "vip"},
        {"op": "remove", "path": "/phone"},
        {"op": "replace", "path": "/a~1b/m~0n", "value": None},
        {"op": "move", "from": "/old", "path": "/new"},
        {"op": "copy", "from": "/email", "path": "/backup_email"},
        {"op": "test", "path": "", "value": {}},
        {"op": "add", "path": "/", "value": 1},  # the key "" is a key like any other
    ]
    assert validate_patch(ops) == []
    assert validate_patch([]) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"op": "add"}, "an array of operations"),
        ("[]", "not a string"),
        (None, "not a null"),
    ],
)
def test_the_patch_must_be_an_array(value: object, message: str) -> None:
    [problem] = validate_patch(value)
    assert problem.index is None
    assert problem.field is None
    assert message in problem.message
    assert problem.location == "patch"


@pytest.mark.parametrize(
    ("op", "field", "message"),
    [
        ("add", None, "an operation is an object, not a string"),
        ({"path": "/a"}, "op", "missing; one of add, remove"),
        ({"op": 1, "path": "/a"}, "op", "must be a string, not a number"),
        ({"op": "delete", "path": "/a"}, "op", 'unknown op "delete": use one of'),
        ({"op": "replcae", "path": "/a", "value": 1}, "op", 'did you mean "replace"?'),
        ({"op": "Add", "path": "/a", "value": 1}, "op", 'did you mean "add"?'),
        ({"op": "remove"}, "path", 'missing: a JSON Pointer such as "/email"'),
        ({"op": "remove", "path": 3}, "path", "must be a string, not a number"),
        ({"op": "remove", "path": "email"}, "path", '"email" must start with "/" (e.g. "/email")'),
        ({"op": "remove", "path": "/a~2b"}, "path", '"~" must be followed by 0'),
        ({"op": "remove", "path": "/a~"}, "path", '"~" must be followed by 0'),
        ({"op": "add", "path": "/a"}, "value", 'missing: "add" needs a value'),
        ({"op": "replace", "path": "/a"}, "value", 'missing: "replace" needs a value'),
        ({"op": "test", "path": "/a"}, "value", 'missing: "test" needs a value'),
        ({"op": "move", "path": "/a"}, "from", "missing"),
        ({"op": "copy", "path": "/a", "from": "a"}, "from", "must start with"),
        ({"op": "move", "from": "/a", "path": "/a/b"}, "path", "own children"),
        ({"op": "remove", "path": ""}, "path", "cannot remove the whole profile"),
        ({"op": "replace", "path": "", "value": [1]}, "value", "must be an object, not an array"),
    ],
)
def test_each_problem_names_the_op_and_field(op: Any, field: str | None, message: str) -> None:
    ops = [{"op": "test", "path": "/ok", "value": 1}, op]
    [problem] = validate_patch(ops)
    assert problem.index == 1
    assert problem.field == field
    assert message in problem.message
    assert str(problem).startswith("op 1" + (f", {field}" if field else "") + ": ")


def test_all_problems_are_listed_in_order() -> None:
    problems = validate_patch([{"op": "nope"}, 5, {"op": "add", "path": "x"}])
    assert [(p.index, p.field) for p in problems] == [
        (0, "op"),
        (0, "path"),
        (1, None),
        (2, "path"),
        (2, "value"),
    ]


def test_values_of_any_json_type_and_extra_members_are_fine() -> None:
    ops = [
        {"op": "add", "path": "/a", "value": None, "comment": "RFC 6902 ignores other members"},
        {"op": "test", "path": "/a", "value": False},
    ]
    assert validate_patch(ops) == []


def test_parse_pointer_unescapes_in_the_right_order() -> None:
    assert parse_pointer("") == []
    assert parse_pointer("/") == [""]
    assert parse_pointer("/a~1b/m~0n/~01/-/0") == ["a/b", "m~n", "~1", "-", "0"]
    with pytest.raises(JsonPatchError, match="must be empty or start with"):
        parse_pointer("a")


# --- preview_patch -----------------------------------------------------------------------------


def test_preview_gives_the_resulting_profile_and_the_change_set() -> None:
    stored = {"email": "a@example.com", "phone": "555", "tags": ["a"]}
    ops = [
        {"op": "move", "from": "/phone", "path": "/phone_number"},
        {"op": "add", "path": "/tags/-", "value": "b"},
        {"op": "replace", "path": "/email", "value": "b@example.com"},
    ]
    before = copy.deepcopy(stored)
    preview = preview_patch(stored, ops)
    assert preview.ok
    assert preview.failure is None
    assert preview.result == {
        "email": "b@example.com",
        "tags": ["a", "b"],
        "phone_number": "555",
    }
    assert stored == before
    changes = compute_changes_to(stored, preview.result)
    assert [(c.kind, c.path) for c in changes.changes] == [
        (ChangeKind.CHANGED, "email"),
        (ChangeKind.CHANGED, "tags"),
        (ChangeKind.ADDED, "phone_number"),
        (ChangeKind.REMOVED, "phone"),
    ]
    assert changes.expected == preview.result


def test_preview_names_the_first_op_that_would_fail() -> None:
    stored = {"email": "a@example.com"}
    ops = [
        {"op": "add", "path": "/name", "value": "Ann"},
        {"op": "test", "path": "/email", "value": "someone@else.com"},
        {"op": "remove", "path": "/nope"},
    ]
    preview = preview_patch(stored, ops)
    assert preview.result is None
    assert preview.failure == PatchFailure(1, "test", "/email", "test failed: the value differs")
    assert str(preview.failure) == "op 1 (test /email): test failed: the value differs"
    assert stored == {"email": "a@example.com"}


@pytest.mark.parametrize(
    ("ops", "failure"),
    [
        (
            [{"op": "remove", "path": "/x"}],
            PatchFailure(0, "remove", "/x", "path not found at '/x'"),
        ),
        (
            [{"op": "add", "path": "/email/x", "value": 1}],
            PatchFailure(0, "add", "/email/x", "'/email' is not a container"),
        ),
        (
            [{"op": "add", "path": "/tags/5", "value": 1}],
            PatchFailure(0, "add", "/tags/5", "array index 5 out of range"),
        ),
        (
            [{"op": "replace", "path": "/tags/-", "value": 1}],
            PatchFailure(0, "replace", "/tags/-", "invalid array index '-'"),
        ),
        (
            [{"op": "replace", "path": "/tags/01", "value": 1}],
            PatchFailure(0, "replace", "/tags/01", "invalid array index '01'"),
        ),
    ],
)
def test_preview_failures_from_the_document(ops: list[Any], failure: PatchFailure) -> None:
    assert preview_patch({"email": "a@example.com", "tags": [1, 2]}, ops).failure == failure


def test_preview_of_an_invalid_patch_fails_at_its_first_problem() -> None:
    ops = [{"op": "add", "path": "/a", "value": 1}, {"op": "replace", "path": "b"}]
    preview = preview_patch({}, ops)
    assert preview.failure == PatchFailure(1, "replace", "b", '"b" must start with "/" (e.g. "/b")')
    assert len(preview.problems) == 2
    assert preview_patch({}, "nope").failure == PatchFailure(
        None, None, None, validate_patch("nope")[0].message
    )


def test_preview_without_a_stored_profile_says_courier_answers_404() -> None:
    preview = preview_patch(None, [{"op": "add", "path": "/a", "value": 1}])
    assert preview.failure is not None
    assert preview.failure.index is None
    assert "404" in preview.failure.reason


def test_preview_problems_are_typed() -> None:
    preview = preview_patch({}, [{"op": "x", "path": "/a"}])
    assert preview.problems == (
        PatchProblem(0, "op", 'unknown op "x": use one of add, remove, replace, move, copy, test'),
    )


def test_patching_a_large_profile_copies_only_what_it_touches() -> None:
    stored = {f"key_{i}": {"tags": [i, i + 1], "name": "n"} for i in range(2000)}
    ops = [
        {"op": "add", "path": "/key_5/tags/-", "value": 99},
        {"op": "remove", "path": "/key_7"},
        {"op": "copy", "from": "/key_1", "path": "/key_copy"},
    ]
    result = apply_json_patch(stored, ops)
    assert result["key_5"]["tags"] == [5, 6, 99]
    assert stored["key_5"]["tags"] == [5, 6]
    assert "key_7" in stored
    assert result["key_3"] is stored["key_3"]  # shared, not copied
    assert result["key_copy"] == stored["key_1"]
    assert result["key_copy"] is not stored["key_1"]


def test_a_container_written_twice_is_copied_once_and_never_shared() -> None:
    stored: dict[str, Any] = {"a": {"b": {"c": 1}}}
    ops = [
        {"op": "add", "path": "/a/b/d", "value": 2},
        {"op": "copy", "from": "/a", "path": "/z"},
        {"op": "add", "path": "/a/b/e", "value": 3},
        {"op": "move", "from": "/a/b", "path": "/m"},
        {"op": "add", "path": "/m/f", "value": 4},
    ]
    result = apply_json_patch(stored, ops)
    assert result == {"a": {}, "z": {"b": {"c": 1, "d": 2}}, "m": {"c": 1, "d": 2, "e": 3, "f": 4}}
    assert stored == {"a": {"b": {"c": 1}}}


# --- property: the patcher never touches its input and agrees with a deep-copying reference -----

_keys = st.sampled_from(["a", "b", "c", "0", "-", "a/b", "m~n"])
_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=2),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
    max_leaves=6,
)
_docs = st.dictionaries(_keys, _values, max_size=4)
_tokens = st.lists(st.sampled_from(["a", "b", "c", "0", "1", "-", "a/b", "m~n"]), max_size=3)


def _pointer(tokens: list[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


_ops = st.lists(
    st.builds(
        lambda name, path, source, value: {
            "op": name,
            "path": path,
            "from": source,
            "value": value,
        },
        st.sampled_from(["add", "remove", "replace", "move", "copy", "test"]),
        _tokens.map(_pointer),
        _tokens.map(_pointer),
        _values,
    ),
    max_size=5,
)


def _reference(doc: dict[str, Any], ops: list[dict[str, Any]]) -> Any:
    """Each op by a fresh patcher on its own deep copy: the simplest correct copy semantics."""
    current: Any = copy.deepcopy(doc)
    for op in ops:
        patcher = _Patcher(copy.deepcopy(current))
        try:
            patcher.apply(op)
        except JsonPatchError as exc:
            return exc.reason
        current = patcher.root
    if not isinstance(current, dict):
        return "the patched document must still be a JSON object"
    return current


@_fast
@given(_docs, _ops)
def test_patching_leaves_the_input_alone_and_matches_one_op_at_a_time(
    doc: dict[str, Any], ops: list[dict[str, Any]]
) -> None:
    before = copy.deepcopy(doc)
    try:
        result: dict[str, Any] | str = apply_json_patch(doc, ops)
    except JsonPatchError as exc:
        result = exc.reason
    assert doc == before
    assert result == _reference(doc, ops)
    if isinstance(result, dict):
        preview = preview_patch(doc, ops)
        if validate_patch(ops):
            # Checked as typed first: an op the editor flags (e.g. the whole profile set to
            # null, even if a later op puts an object back) is reported, not tried.
            assert preview.failure is not None
        else:
            assert preview.result == result


def test_compute_changes_to_a_given_result() -> None:
    stored = {"a": 1, "b": {"c": [1], "d": 2}, "e": True}
    after = {"a": 1, "b": {"c": [1], "d": 3}, "e": 1, "f": None}
    changes = compute_changes_to(stored, after)
    assert [(c.kind, c.path, c.old, c.new) for c in changes.changes] == [
        (ChangeKind.CHANGED, "b.d", 2, 3),
        (ChangeKind.CHANGED, "e", True, 1),  # true is not 1 in JSON
        (ChangeKind.ADDED, "f", None, None),
    ]
    assert changes.untouched == ["a"]
    deleted = compute_changes_to(stored, None)
    assert [c.kind for c in deleted.changes] == [ChangeKind.REMOVED] * 3
    assert deleted.untouched == []
    assert deleted.expected is None
    created = compute_changes_to(None, {"a": 1})
    assert [(c.kind, c.path) for c in created.changes] == [(ChangeKind.ADDED, "a")]


def test_values_shared_with_the_stored_profile_count_as_untouched() -> None:
    shared = {"deep": [1, 2]}
    stored = {"a": shared, "b": 1}
    changes = compute_changes_to(stored, {"a": shared, "b": 2})
    assert changes.untouched == ["a"]
    assert [c.path for c in changes.changes] == ["b"]
