"""Sends the plan refuses because they cannot do anything: an empty patch, a body over Courier's
limit (measured as the exact bytes the client would send)."""

from __future__ import annotations

from typing import Any

import pytest

from profile_editor.core.http.models import MAX_BODY_BYTES, ProfileRequest, body_size_problem
from profile_editor.core.methods import Method
from profile_editor.core.profile.jsoncodec import dumps_compact, iter_compact
from profile_editor.core.send.draft import Draft
from profile_editor.core.send.plan import (
    QUICK_CHARS,
    QUICK_VALUES,
    Refusal,
    SendPlan,
    Stored,
    Target,
    plan,
    plans_quickly,
    preview_changes,
    profile_body_problem,
)

LOCAL = Target("http://127.0.0.1:8765")
EMPTY_BODY = len(b'{"profile":{"blob":""}}')


def profile_of_body_size(size: int) -> dict[str, Any]:
    """A profile whose request body is exactly ``size`` bytes (two bytes per ``é``)."""
    room = size - EMPTY_BODY
    return {"blob": "é" * (room // 2) + "x" * (room % 2)}


def test_the_limit_is_courier_s_six_megabytes() -> None:
    assert MAX_BODY_BYTES == 6 * 1024 * 1024
    from profile_editor.sandbox.state import Limits

    assert Limits().max_body_bytes == MAX_BODY_BYTES  # the sandbox answers 413 from the same


@pytest.mark.parametrize("method", [Method.POST, Method.PUT])
def test_a_body_at_the_limit_is_planned_and_one_byte_more_is_refused(method: Method) -> None:
    at_limit = Draft("r1", method, profile=profile_of_body_size(MAX_BODY_BYTES))
    result = plan(at_limit, LOCAL, None)
    assert isinstance(result, SendPlan)
    assert len(result.request.body_bytes() or b"") == MAX_BODY_BYTES

    over = Draft("r1", method, profile=profile_of_body_size(MAX_BODY_BYTES + 1))
    refusal = plan(over, LOCAL, None)
    assert isinstance(refusal, Refusal)
    assert refusal.field == "profile"
    assert refusal.message == (
        "Not sent: the body is 6.0 MB (6,291,457 bytes); "
        "Courier accepts at most 6 MB (6,291,456 bytes)."
    )


def test_the_size_is_of_the_encoded_bytes_not_the_characters() -> None:
    # 3.2 million characters, 6.4 million bytes in UTF-8.
    draft = Draft("r1", Method.POST, profile={"name": "é" * 3_200_000})
    refusal = plan(draft, LOCAL, None)
    assert isinstance(refusal, Refusal)
    assert refusal.message.startswith("Not sent: the body is 6.1 MB (6,400,0")
    assert "Courier accepts at most 6 MB" in refusal.message


def test_a_refused_body_is_refused_before_its_changes_are_worked_out() -> None:
    stored = Stored(LOCAL.base_url, "r1", {"a": 1})
    draft = Draft("r1", Method.PUT, profile=profile_of_body_size(MAX_BODY_BYTES + 10))
    assert isinstance(plan(draft, LOCAL, stored), Refusal)


def test_the_bytes_measured_are_the_bytes_sent() -> None:
    result = plan(Draft("r1", Method.POST, profile={"a": "é"}), LOCAL, None)
    assert isinstance(result, SendPlan)
    body = result.request.body_bytes()
    assert body == '{"profile":{"a":"é"}}'.encode()
    assert result.request.body_bytes() is body  # encoded once, not again by the client


def test_size_problem_boundary_and_rows() -> None:
    assert body_size_problem(MAX_BODY_BYTES) is None
    assert body_size_problem(MAX_BODY_BYTES + 1) is not None
    assert profile_body_problem(profile_of_body_size(MAX_BODY_BYTES)) is None
    problem = profile_body_problem(profile_of_body_size(6_500_000))
    assert problem is not None and problem.startswith("the body is 6.2 MB (6,500,000 bytes)")


def test_a_delete_has_no_body_to_measure() -> None:
    assert isinstance(plan(Draft("r1", Method.DELETE), LOCAL, None), SendPlan)


@pytest.mark.parametrize("ops", [[], None])
def test_an_empty_patch_is_refused_naming_why(ops: list[dict[str, Any]] | None) -> None:
    draft = Draft("r1", Method.PATCH, patch=ops, problem=None if ops is not None else "bad JSON")
    refusal = plan(draft, LOCAL, None)
    assert isinstance(refusal, Refusal) and refusal.field == "profile"
    if ops is not None:
        assert refusal.message == "Not sent: the patch has no operations: nothing to send."


def test_the_changes_view_says_an_empty_patch_sends_nothing() -> None:
    stored = Stored(LOCAL.base_url, "r1", {"a": 1})
    preview = preview_changes(Draft("r1", Method.PATCH, patch=[]), stored)
    assert preview.changes is None
    assert preview.message == "The patch has no operations: nothing to send."


def test_a_patch_with_an_op_is_still_planned() -> None:
    draft = Draft("r1", Method.PATCH, patch=[{"op": "add", "path": "/a", "value": 1}])
    result = plan(draft, LOCAL, None)
    assert isinstance(result, SendPlan)
    assert result.request.body_bytes() == b'{"patch":[{"op":"add","path":"/a","value":1}]}'


def test_plans_quickly_counts_values_and_text_at_every_depth() -> None:
    def quick(profile: dict[str, Any], method: Method = Method.POST) -> bool:
        return plans_quickly(Draft("r1", method, profile=profile))

    assert quick({"blob": "x" * (QUICK_CHARS - 10)})
    assert not quick({"blob": "x" * (QUICK_CHARS + 1)})
    assert quick({f"k{i}": i for i in range(QUICK_VALUES)})
    assert not quick({f"k{i}": i for i in range(QUICK_VALUES + 1)})
    nested = {"custom": {"deeper": [[i] for i in range(QUICK_VALUES // 2)]}}
    assert not quick(nested)
    assert quick(nested, Method.DELETE)  # no body is sent
    assert plans_quickly(Draft("r1", Method.POST, profile=None, problem="bad JSON"))


def test_a_large_body_sent_once_is_still_planned_off_the_ui_thread_for_the_next_recipient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its bytes are kept after the first send, but a plan of it (changes, confirmations)
    still walks many values: the verdict is kept with the bytes, not implied by them."""
    draft = Draft("r1", Method.PUT, profile={f"k{i}": i for i in range(QUICK_VALUES + 1)})
    assert not plans_quickly(draft)
    assert isinstance(plan(draft, LOCAL, None), SendPlan)  # encodes and keeps the bytes
    walks: list[object] = []
    monkeypatch.setattr("profile_editor.core.send.plan._is_small", walks.append)
    assert not plans_quickly(draft.with_recipient("r2"))
    assert walks == []  # the first verdict, not a second walk


def test_a_request_built_again_is_encoded_again() -> None:
    first = ProfileRequest("http://x", "r1", profile={"a": 1})
    assert first.body_bytes() == b'{"profile":{"a":1}}'
    from dataclasses import replace

    assert replace(first, profile={"a": 2}).body_bytes() == b'{"profile":{"a":2}}'


def test_a_large_container_deep_inside_is_encoded_in_pieces() -> None:
    # Measuring runs on a worker; one json.dumps of all of it would hold the GIL throughout.
    payload = {"profile": {"custom": {"prefs": {f"k{i}": [i] for i in range(300)}}}}
    pieces = list(iter_compact(payload))
    assert len(pieces) > 300
    assert "".join(pieces) == dumps_compact(payload)
    small = {"profile": {"custom": {f"k{i}": [i] for i in range(100)}}}
    assert list(iter_compact(small)) == [dumps_compact(small)]


def nested(depth: int) -> dict[str, Any]:
    """A profile whose objects nest ``depth`` levels (the profile itself is the first)."""
    profile: dict[str, Any] = {}
    for _ in range(depth - 1):
        profile = {"a": profile}
    return profile


@pytest.mark.parametrize("method", [Method.POST, Method.PUT])
def test_a_profile_nested_to_the_limit_is_refused_since_the_request_wraps_it(
    method: Method,
) -> None:
    # The editor reads a profile nested 200 levels; the request body would nest 201, which the
    # sandbox (and our own reader) refuse: say so before anything is sent.
    from profile_editor.core.profile.jsoncodec import MAX_DEPTH

    assert isinstance(
        plan(Draft("r1", method, profile=nested(MAX_DEPTH - 1)), LOCAL, None), SendPlan
    )
    refused = plan(Draft("r1", method, profile=nested(MAX_DEPTH)), LOCAL, None)
    assert isinstance(refused, Refusal)
    assert f"deeper than {MAX_DEPTH} levels" in refused.message
    assert profile_body_problem(nested(MAX_DEPTH)) is not None
