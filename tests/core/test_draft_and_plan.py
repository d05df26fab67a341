"""The draft snapshot and the send plan: one path from what was entered to what is sent."""

from __future__ import annotations

import pytest

from profile_editor.core.methods import Method
from profile_editor.core.profile.changes import ChangeKind
from profile_editor.core.send.draft import Draft, DraftError
from profile_editor.core.send.plan import (
    Refusal,
    SendPlan,
    Stored,
    Target,
    check_verification,
    plan,
    plan_load,
)
from profile_editor.storage.conversions import (
    draft_from_history,
    draft_from_preset,
    draft_to_preset,
)
from profile_editor.storage.history import HistoryEntry
from profile_editor.storage.presets import Preset

LOCAL = Target("http://127.0.0.1:8765")


def planned(draft: Draft, target: Target = LOCAL, stored: Stored | None = None) -> SendPlan:
    result = plan(draft, target, stored)
    assert isinstance(result, SendPlan), result
    return result


def test_draft_to_request_keeps_the_body_of_its_method() -> None:
    draft = Draft("a/b", Method.PATCH, patch=[{"op": "remove", "path": "/x"}], profile={"y": 1})
    request = draft.to_request("https://api.courier.com", idempotency_key="k")
    assert request.url == "https://api.courier.com/profiles/a%2Fb"
    assert request.payload() == {"patch": [{"op": "remove", "path": "/x"}]}
    merge = Draft("r", Method.POST, profile={"y": 1}).to_request("https://x.test")
    assert merge.payload() == {"profile": {"y": 1}}


def test_draft_round_trips_through_a_preset_file() -> None:
    for draft in (
        Draft("r1", Method.PUT, "Staging", "a note", {"email": "a@b.co", "n": 1.0}),
        Draft("r2", Method.PATCH, None, "", {}, [{"op": "add", "path": "/a", "value": None}]),
    ):
        preset = Preset.from_file_text(draft_to_preset(draft, "p").to_file_text())
        back = draft_from_preset(preset)
        assert (back.recipient_id, back.method, back.environment, back.note) == (
            draft.recipient_id,
            draft.method,
            draft.environment,
            draft.note,
        )
        assert back.profile == (draft.profile or {})
        assert back.patch == draft.patch


def test_a_merge_preset_file_has_no_patch_key() -> None:
    text = draft_to_preset(Draft("r", profile={"a": 1}), "p").to_file_text()
    assert '"patch"' not in text


def test_draft_from_history_entry() -> None:
    entry = HistoryEntry(
        base_url="https://x.test",
        method="PUT",
        recipient_id="r",
        request_body={"profile": {"a": 1}},
        outcome="success",
        duration_ms=1,
        environment="Prod",
    )
    draft = draft_from_history(entry)
    assert (draft.method, draft.profile, draft.environment) == (Method.PUT, {"a": 1}, "Prod")
    patch = entry.model_copy(update={"method": "PATCH", "request_body": {"patch": []}})
    assert draft_from_history(patch).patch == []
    with pytest.raises(DraftError, match="GET requests are not edited"):
        draft_from_history(entry.model_copy(update={"method": "GET"}))


@pytest.mark.parametrize(
    ("draft", "target", "field"),
    [
        (Draft(" r", profile={}), LOCAL, "recipient"),
        (Draft("", profile={}), LOCAL, "recipient"),
        (Draft("r", profile=None, problem="JSON tab, line 1"), LOCAL, "profile"),
        (Draft("r", profile={}), Target("http://127.0.0.1:1", has_key=False), "key"),
        (Draft("r", profile={}), Target("http://example.com"), "url"),
    ],
)
def test_refusals_name_the_input(draft: Draft, target: Target, field: str) -> None:
    result = plan(draft, target, None)
    assert isinstance(result, Refusal)
    assert result.field == field
    assert result.message.startswith("Not sent: ")


def test_the_problem_of_the_body_is_the_refusal() -> None:
    result = plan(Draft("r", profile=None, problem="JSON tab, line 3, column 2: x"), LOCAL, None)
    assert isinstance(result, Refusal)
    assert result.message == "Not sent: JSON tab, line 3, column 2: x"


def test_load_needs_no_body() -> None:
    request = plan_load(Draft("r", profile=None), LOCAL)
    assert not isinstance(request, Refusal)
    assert request.method is Method.GET
    refused = plan_load(Draft(".."), LOCAL)
    assert isinstance(refused, Refusal) and refused.message.startswith("Not loaded: ")


def test_changes_only_against_the_stored_profile_of_this_target() -> None:
    stored = Stored(LOCAL.base_url, "r", {"a": 1, "b": 2})
    merge = planned(Draft("r", profile={"a": 5, "c": 3}), stored=stored)
    assert merge.changes is not None and merge.verifiable
    assert merge.expected == {"a": 5, "b": 2, "c": 3}
    other = planned(Draft("other", profile={}), stored=stored)
    assert other.changes is None and not other.verifiable
    elsewhere = planned(Draft("r", profile={}), Target("http://127.0.0.1:9"), stored)
    assert elsewhere.changes is None


def test_each_plan_has_a_new_idempotency_key() -> None:
    draft = Draft("r", profile={})
    first, second = planned(draft), planned(draft)
    assert first.request.idempotency_key and second.request.idempotency_key
    assert first.request.idempotency_key != second.request.idempotency_key


def test_confirmations_protected_then_what_is_lost() -> None:
    stored = Stored("https://api.courier.com", "r", {"a": 1, "b": {"c": 2}})
    target = Target("https://api.courier.com", "Production", protected=True)
    replace = planned(Draft("r", Method.PUT, profile={"a": 2}), target, stored)
    assert [c.ok for c in replace.confirmations] == ["Replace in Production", "Replace"]
    assert "Removed (1): b" in replace.confirmations[1].detail
    assert "Overwritten (1): a" in replace.confirmations[1].detail
    merge = planned(Draft("r", profile={}), Target(LOCAL.base_url))
    assert merge.confirmations == ()
    delete = planned(Draft("r", Method.DELETE), Target(LOCAL.base_url))
    assert "the whole profile" in delete.confirmations[0].detail
    assert delete.request.payload() is None


def test_verification_compares_types_as_json_does() -> None:
    assert check_verification({"a": 1}, {"a": 1}).matches
    assert check_verification(None, None).matches
    mismatch = check_verification({"a": 1}, {"a": 1.0, "b": True})
    assert not mismatch.matches
    assert mismatch.differences == ("changed a", "added b")
    assert "MISMATCH" in mismatch.summary
    assert not check_verification(None, {}).matches
    assert check_verification({}, None).differences == ("removed the whole profile",)


def test_plan_changes_kinds() -> None:
    stored = Stored(LOCAL.base_url, "r", {"keep": 1, "gone": 2})
    result = planned(Draft("r", profile={"gone": None, "new": 3}), stored=stored)
    assert result.changes is not None
    kinds = {c.path: c.kind for c in result.changes.changes}
    assert kinds == {"new": ChangeKind.ADDED, "gone": ChangeKind.REMOVED}


@pytest.mark.parametrize(
    "draft",
    [
        Draft("r", Method.POST, profile={"email": "a@b.co", "custom": {"n": [1, 2.5, None]}}),
        Draft("r", Method.PUT, profile={"name": "Zoë \ud800"}),
        Draft("r", Method.PATCH, patch=[{"op": "add", "path": "/a", "value": {"b": 1}}]),
    ],
)
def test_sends_to_other_recipients_encode_the_body_once_and_send_the_same_bytes(
    draft: Draft, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = planned(draft).request
    expected = first.body_bytes()
    encodings: list[object] = []
    monkeypatch.setattr(
        "profile_editor.core.http.models.iter_compact",
        lambda value: encodings.append(value) or iter(()),
    )
    for rid in ("user-1", "a/b", "user-1"):
        copy = draft.with_recipient(rid)
        request = planned(copy).request
        assert request.recipient_id == rid
        assert request.body_bytes() == expected
    assert encodings == []  # every copy sent the first encoding
    # A draft of another body is encoded anew.
    other = Draft("r", draft.method, profile={"x": 1}, patch=[{"op": "remove", "path": "/x"}])
    monkeypatch.undo()
    assert planned(other).request.body_bytes() != expected


def test_a_copy_for_another_recipient_keeps_every_field_but_the_id() -> None:
    draft = Draft("r", Method.PUT, "staging", "note", {"a": 1}, None, None)
    copy = draft.with_recipient("other")
    assert copy.recipient_id == "other" and draft.recipient_id == "r"
    fields = ("method", "environment", "note", "profile", "patch", "problem")
    assert all(getattr(copy, name) is getattr(draft, name) for name in fields)


def test_a_body_too_deep_to_send_is_refused_for_every_recipient_measured_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from profile_editor.core.http.models import MAX_DEPTH

    deep: dict[str, object] = {}
    inner = deep
    for _ in range(MAX_DEPTH):
        inner["a"] = {}
        inner = inner["a"]  # type: ignore[assignment]
    draft = Draft("r", Method.POST, profile=deep)
    first = plan(draft, LOCAL, None)
    assert isinstance(first, Refusal) and "deeper" in first.message
    measured: list[bytes] = []
    monkeypatch.setattr(
        "profile_editor.core.http.models.nesting_depth",
        lambda body: measured.append(body) or 0,
    )
    for rid in ("user-1", "user-2"):
        again = plan(draft.with_recipient(rid), LOCAL, None)
        assert isinstance(again, Refusal) and again.message == first.message
    assert measured == []  # the copies share the first measure
