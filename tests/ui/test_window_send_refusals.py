"""Sends the window refuses because they cannot do anything, with nothing reaching the sandbox:
an empty JSON Patch, and a body over Courier's 6 MB limit (measured off the UI thread when the
profile has many values)."""

from __future__ import annotations

import json

from driver import WindowDriver  # type: ignore[import-not-found]
from pytestqt.qtbot import QtBot

from profile_editor.sandbox.server import SandboxServer

LIMIT_WORDS = "Courier accepts at most 6 MB (6,291,456 bytes)."


def test_an_empty_patch_is_refused_and_said_in_problems(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", {"a": 1})
    window.load("ada")
    window.choose_method("Patch")
    window.set_patch_text("[]")
    window.wait_problems(
        lambda found: found == [("Note", "patch", "the patch has no operations: nothing to send.")]
    )
    window.wait_changes("The patch has no operations: nothing to send.")
    requests_before = len(sandbox.requests())

    window.click_send()

    assert window.status() == "Not sent: the patch has no operations: nothing to send."
    assert window.status_state() == "error"
    window.set_patch_text('{"patch": []}')  # the request body's shape is not a patch here
    window.click_send()
    assert window.status().startswith("Not sent: Patch, patch: a JSON Patch is an array")
    assert len(sandbox.requests()) == requests_before
    # One op: sent as before.
    window.set_patch_text('[{"op": "replace", "path": "/a", "value": 2}]')
    assert window.send().ok
    assert sandbox.get_profile("ada") == {"a": 2}


def test_a_body_over_the_limit_is_refused_naming_size_and_limit(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    # 3.25 million characters, 6.5 million bytes: the limit is on the encoded bytes.
    window.fill(recipient="big", method="Replace")
    window.set_json_text(json.dumps({"bio": "é" * 3_250_000}, ensure_ascii=False))
    qtbot.waitUntil(lambda: window.profile() is not None, timeout=10_000)

    window.click_send()

    qtbot.waitUntil(lambda: LIMIT_WORDS in window.status())
    assert window.status().startswith("Not sent: the body is 6.2 MB (6,500,0")
    assert window.status_state() == "error"
    assert sandbox.requests() == []
    assert not window.is_busy()


def test_a_body_of_many_values_is_measured_off_the_ui_thread_and_refused(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    custom = {f"k{i:06d}": "v" * 50 for i in range(110_000)}  # about 6.9 MB as sent
    window.set_recipient("many")
    window.set_json_text(json.dumps({"custom": custom}))
    qtbot.waitUntil(lambda: window.profile() is not None, timeout=20_000)

    window.click_send()
    window.click_send()  # a second click while it is measured starts nothing

    assert "Preparing the send" in window.status()
    qtbot.waitUntil(lambda: LIMIT_WORDS in window.status(), timeout=10_000)
    assert window.status().startswith("Not sent: the body is 6.")
    assert sandbox.requests() == []
    # The window goes on: a body within the limit is sent.
    window.set_json_text('{"a": 1}')
    qtbot.waitUntil(lambda: window.profile() == {"a": 1})
    assert window.send().ok
    assert sandbox.get_profile("many") == {"a": 1}
