"""Issue: load, preview the change, merge / replace / delete, verify — against the sandbox."""

from __future__ import annotations

import gc
import json

import pytest
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.request.changes_view import ChangesView

STORED = {
    "email": "ada@example.com",
    "name": "Ada",
    "custom": {"plan": "pro", "seats": 3},
    "locale": "en-GB",
}


def test_method_combo_items(window: WindowDriver) -> None:
    assert [t.split()[0] for t in window.method_labels()] == ["Merge", "Replace", "Patch", "Delete"]
    assert isinstance(window.find(ChangesView, "changesView"), ChangesView)


def test_load_fills_the_editor_and_nothing_to_send(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", STORED)
    assert window.load("ada").ok
    assert window.profile() == STORED
    assert list(window.profile() or {}) == list(STORED)
    window.wait_changes("Nothing to send")
    assert "Loaded" in window.status()


def test_load_404_means_sending_creates(window: WindowDriver) -> None:
    outcome = window.load("nobody")
    assert outcome.status_code == 404
    assert "no profile yet" in window.status() and "create" in window.status()
    assert window.profile() == {}


def test_load_over_unsaved_edits_asks(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    sandbox.put_profile("ada", STORED)
    window.set_json_text('{"typed": true}')
    window.wait_profile_modified()
    dialog_stub.answer("ask_discard", False)
    window.set_recipient("ada")
    window.click_load()
    assert dialog_stub.kinds() == ["ask_discard"]
    assert window.json_text() == '{"typed": true}'
    assert sandbox.requests() == []
    dialog_stub.answer("ask_discard", True)
    assert window.load("ada").ok
    assert window.profile() == STORED


def test_merge_preview_send_verify(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    sandbox.put_profile("ada", STORED)
    window.load("ada")
    window.set_json_text(
        json.dumps(
            {
                "name": "Ada Lovelace",
                "custom": {"plan": "enterprise"},
                "locale": None,
                "phone_number": "555-0100",
            }
        )
    )
    window.wait_changes("1 added, 2 changed, 1 removed")
    text = window.changes_text()
    assert "custom.plan" in text and "phone_number" in text and "locale" in text
    assert "1 untouched" in text  # email; custom is partly changed
    window.send()
    assert "verified" in window.status()
    assert dialog_stub.questions == []  # merge needs no confirmation
    assert sandbox.get_profile("ada") == {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "custom": {"plan": "enterprise", "seats": 3},
        "phone_number": "555-0100",
    }


def test_replace_confirms_and_lists_what_is_lost(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    sandbox.put_profile("ada", STORED)
    window.load("ada")
    window.choose_method("Replace")
    window.set_json_text('{"email": "ada@example.com"}')
    window.wait_changes("3 removed")
    dialog_stub.answer("confirm", False)
    window.click_send()
    question = dialog_stub.last()
    assert question.kind == "confirm"
    joined = question.words()
    assert "ada" in joined and sandbox.url in joined
    assert "name" in joined and "custom" in joined and "locale" in joined
    assert sandbox.get_profile("ada") == STORED  # cancelled: nothing sent
    dialog_stub.answer("confirm", True)
    window.send()
    assert "verified" in window.status()
    assert sandbox.get_profile("ada") == {"email": "ada@example.com"}


def test_delete_confirms_and_verifies(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    sandbox.put_profile("ada", STORED)
    window.load("ada")
    window.choose_method("Delete")
    window.wait_changes("4 removed")
    window.send()
    assert dialog_stub.last().kind == "confirm"
    assert "verified" in window.status()
    assert sandbox.get_profile("ada") is None


def test_verify_shows_a_mismatch(window: WindowDriver, sandbox: SandboxServer) -> None:
    sandbox.put_profile("ada", STORED)
    window.load("ada")
    window.set_json_text('{"name": "Ada L"}')
    window.wait_changes("1 changed")
    # Someone else changes the profile between the send and the check.
    sandbox.queue_fault(
        Fault(
            status=200,
            body=json.dumps({"profile": {"name": "Someone else"}, "preferences": None}),
            method="GET",
        )
    )
    window.send()
    assert "MISMATCH" in window.status()
    assert window.status_state() == "warning"


def test_changes_need_a_load_for_this_recipient(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", STORED)
    window.load("ada")
    window.set_recipient("bob")
    qtbot.waitUntil(lambda: "Load “bob”" in window.changes_summary())


@pytest.mark.parametrize(
    ("fault", "needle"),
    [
        (Fault(status=500, times=3), "500"),
        (
            Fault(status=502, body="<html>Bad gateway</html>", content_type="text/html", times=3),
            "HTML",
        ),
        (Fault(delay=3, times=3), "Timed out"),
        (Fault(drop=True, times=3), "Connection dropped"),
    ],
)
def test_faults_show_their_message(
    make_window: MakeWindow, sandbox: SandboxServer, fault: Fault, needle: str
) -> None:
    window = make_window(sandbox.url, sandbox.key, total_timeout=0.5)
    sandbox.queue_fault(fault)
    window.fill(recipient="ada", profile='{"a": 1}')
    window.send()
    assert needle in window.status()
    assert window.status_state() == "error"


def test_429_with_retry_after_then_success(window: WindowDriver, sandbox: SandboxServer) -> None:
    sandbox.queue_fault(Fault(status=429, retry_after="1"))
    seen = window.record_statuses()
    window.fill(recipient="ada", profile='{"a": 1}')
    window.send()
    assert "SUCCESS" in window.status()
    assert any("HTTP 429" in s and "retrying (1/2) in 1.0 s" in s for s in seen)


def test_what_start_up_made_is_out_of_the_collectors_sight(
    window: WindowDriver, qtbot: QtBot
) -> None:
    """A full collection walks only what came after the window was up, not every widget,
    module and schema start-up made (tens of milliseconds each time on the UI thread)."""
    qtbot.waitExposed(window.widget)
    widget, bar = window.widget, window.widget.request_bar

    def out_of_sight() -> bool:
        return not any(o is widget or o is bar for o in gc.get_objects())

    qtbot.waitUntil(out_of_sight, timeout=5000)
    assert gc.get_freeze_count() > 0
