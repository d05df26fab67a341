"""A new recipient ID changes the draft's ID and nothing else: the editor is not read again for
the next send, and the draft is what a fresh snapshot of the widgets would be."""

from __future__ import annotations

import dataclasses

import pytest
from driver import WindowDriver  # type: ignore[import-not-found]

from profile_editor.core.methods import Method
from profile_editor.core.send.draft import Draft
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.editor.profile_result import ProfileResult
from profile_editor.ui.shell.main_window import MainWindow


def _fields(draft: Draft) -> tuple[object, ...]:
    return dataclasses.astuple(draft)


@pytest.fixture
def reads(window: WindowDriver, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time the window reads the profile out of the editor."""
    editor = window.widget.editor
    seen: list[int] = []
    result = editor.profile_result

    def counting() -> ProfileResult:
        seen.append(1)
        return result()

    monkeypatch.setattr(editor, "profile_result", counting)
    return seen


def test_a_new_recipient_id_keeps_the_rest_of_the_draft(
    window: WindowDriver, reads: list[int]
) -> None:
    main: MainWindow = window.widget
    window.fill(recipient="first", profile={"plan": "pro"}, method="POST", note="n")
    before = main.build_draft()
    reads.clear()
    window.set_recipient("second")
    draft = main.build_draft()
    assert reads == []
    assert draft.recipient_id == "second"
    assert draft.profile is before.profile
    assert _fields(draft) == _fields(main._snapshot())
    assert main.build_draft() is draft  # the same object until something changes


def test_the_method_or_the_note_makes_a_new_snapshot(
    window: WindowDriver, reads: list[int]
) -> None:
    main: MainWindow = window.widget
    window.fill(recipient="a", profile={"plan": "pro"}, method="POST")
    main.build_draft()
    window.choose_method("PUT")
    reads.clear()
    assert main.build_draft().method is Method.PUT
    assert reads == [1]
    window.set_note("why")
    assert main.build_draft().note == "why"
    # Both at once: the ID with a method chosen since the last snapshot.
    window.choose_method("POST")
    window.set_recipient("b")
    assert _fields(main.build_draft()) == _fields(main._snapshot())
    assert main.build_draft().method is Method.POST


def test_text_typed_before_a_new_id_is_in_the_draft(window: WindowDriver) -> None:
    main: MainWindow = window.widget
    window.fill(recipient="a", profile={"plan": "pro"}, method="POST")
    main.build_draft()
    window.set_json_text('{"plan": "team"}')  # parsed after the editor's pause, or on demand
    window.set_recipient("b")
    draft = main.build_draft()
    assert (draft.recipient_id, draft.profile) == ("b", {"plan": "team"})


def test_a_new_id_is_sent_with_the_body_entered(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.fill(recipient="one", profile={"plan": "pro"}, method="POST")
    assert window.send().ok
    for n in range(3):
        window.set_recipient(f"next-{n}")
        assert window.send().ok
        assert sandbox.get_profile(f"next-{n}") == {"plan": "pro"}


def test_patch_text_typed_before_a_new_id_is_in_the_draft(window: WindowDriver) -> None:
    """The patch editor waits a moment before it parses; a send made within that moment (with or
    without a new ID) still takes the text shown, not the patch parsed before."""
    main: MainWindow = window.widget
    window.fill(recipient="a", method="PATCH")
    window.set_patch_text('[{"op": "add", "path": "/plan", "value": "pro"}]')
    main.build_draft()
    window.type_patch_text('[{"op": "add", "path": "/plan", "value": "team"}]')
    window.set_recipient("b")
    draft = main.build_draft()
    assert (draft.recipient_id, draft.patch) == (
        "b",
        [{"op": "add", "path": "/plan", "value": "team"}],
    )
    window.type_patch_text('[{"op": "remove", "path": "/plan"}]')
    assert main.build_draft().patch == [{"op": "remove", "path": "/plan"}]
