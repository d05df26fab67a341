"""A PATCH draft in the send plan: previewed against the stored profile, verified against it."""

from __future__ import annotations

from profile_editor.core.methods import Method
from profile_editor.core.profile.changes import ChangeKind
from profile_editor.core.send.draft import Draft
from profile_editor.core.send.plan import SendPlan, Stored, Target, plan, preview_changes

LOCAL = Target("http://127.0.0.1:8765")
STORED = Stored(LOCAL.base_url, "r1", {"email": "a@b.co", "tags": ["x"]})


def _patch(*ops: dict[str, object]) -> Draft:
    return Draft("r1", Method.PATCH, profile={}, patch=list(ops))


def test_the_changes_of_a_patch_are_what_its_ops_do_to_the_stored_profile() -> None:
    draft = _patch(
        {"op": "replace", "path": "/email", "value": "c@d.co"},
        {"op": "add", "path": "/tags/-", "value": "y"},
        {"op": "add", "path": "/locale", "value": "en-US"},
    )
    preview = preview_changes(draft, STORED)
    assert preview.failure is None and preview.changes is not None
    kinds = {c.path: c.kind for c in preview.changes.changes}
    assert kinds == {
        "email": ChangeKind.CHANGED,
        "tags": ChangeKind.CHANGED,
        "locale": ChangeKind.ADDED,
    }
    assert preview.action == "Patch"


def test_a_failing_op_is_named_and_nothing_is_listed() -> None:
    draft = _patch(
        {"op": "replace", "path": "/email", "value": "c@d.co"},
        {"op": "remove", "path": "/phone_number"},
    )
    preview = preview_changes(draft, STORED)
    assert preview.changes is None
    assert preview.failure is not None and preview.failure.index == 1
    assert "op 1 (remove /phone_number)" in preview.message


def test_a_patch_plan_is_verifiable_against_the_previewed_result() -> None:
    draft = _patch({"op": "add", "path": "/locale", "value": "en-US"})
    result = plan(draft, LOCAL, STORED)
    assert isinstance(result, SendPlan)
    assert result.verifiable
    assert result.expected == {"email": "a@b.co", "tags": ["x"], "locale": "en-US"}
    assert STORED.profile == {"email": "a@b.co", "tags": ["x"]}  # untouched


def test_a_failing_patch_is_still_sent_but_not_verified() -> None:
    result = plan(_patch({"op": "remove", "path": "/nope"}), LOCAL, STORED)
    assert isinstance(result, SendPlan)
    assert not result.verifiable and result.changes is None


def test_a_patch_without_a_stored_profile_says_courier_answers_404() -> None:
    preview = preview_changes(_patch(), Stored(LOCAL.base_url, "r1", None))
    assert preview.failure is not None and "404" in preview.message
