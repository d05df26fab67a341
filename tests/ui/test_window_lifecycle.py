"""Issue: load, preview the change, merge / replace / delete, verify — against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from conftest import DialogLog  # type: ignore[import-not-found]
from pytestqt.qtbot import QtBot
from window_helpers import load  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.main_window import MainWindow

STORED = {
    "email": "ada@example.com",
    "name": "Ada",
    "custom": {"plan": "pro", "seats": 3},
    "locale": "en-GB",
}


def finish(qtbot: QtBot, window: MainWindow) -> str:
    """Click Send and wait for the send and, when it runs, the verification."""
    with qtbot.waitSignal(window.requestFinished, timeout=10_000):
        window.send_button.click()
    qtbot.waitUntil(lambda: not window.is_busy(), timeout=10_000)
    return window.status_label.text()


def choose(window: MainWindow, action: str) -> None:
    index = next(
        i
        for i in range(window.method_combo.count())
        if window.method_combo.itemText(i).startswith(action)
    )
    window.method_combo.setCurrentIndex(index)


def changes_text(window: MainWindow) -> str:
    tree = window.changes_view.tree
    rows = []
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        rows.append(" | ".join(item.text(c) for c in range(4)))
    return window.changes_view.summary.text() + "\n" + "\n".join(rows)


def test_method_combo_items(window: MainWindow) -> None:
    texts = [window.method_combo.itemText(i) for i in range(window.method_combo.count())]
    assert [t.split()[0] for t in texts] == ["Merge", "Replace", "Delete"]
    assert window.findChild(type(window.changes_view), "changesView") is window.changes_view


def test_load_fills_the_editor_and_nothing_to_send(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", STORED)
    assert load(qtbot, window, "ada").ok
    assert window.editor.profile_result().profile == STORED
    assert list(window.editor.profile_result().profile or {}) == list(STORED)
    qtbot.waitUntil(lambda: "Nothing to send" in changes_text(window))
    assert "Loaded" in window.status_label.text()


def test_load_404_means_sending_creates(qtbot: QtBot, window: MainWindow) -> None:
    outcome = load(qtbot, window, "nobody")
    assert outcome.status_code == 404
    assert "no profile yet" in window.status_label.text() and "create" in window.status_label.text()
    assert window.editor.profile_result().profile == {}


def test_load_over_unsaved_edits_asks(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, asked: DialogLog
) -> None:
    sandbox.put_profile("ada", STORED)
    window.editor.json_edit.setPlainText('{"typed": true}')
    qtbot.waitUntil(window.editor.is_modified)
    asked.answer("ask_discard", False)
    window.recipient_edit.setText("ada")
    window.load_button.click()
    assert [name for name, _ in asked.asked] == ["ask_discard"]
    assert window.editor.json_edit.toPlainText() == '{"typed": true}'
    assert sandbox.requests() == []
    asked.answer("ask_discard", True)
    assert load(qtbot, window, "ada").ok
    assert window.editor.profile_result().profile == STORED


def test_merge_preview_send_verify(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, asked: DialogLog
) -> None:
    sandbox.put_profile("ada", STORED)
    load(qtbot, window, "ada")
    window.editor.json_edit.setPlainText(
        json.dumps(
            {
                "name": "Ada Lovelace",
                "custom": {"plan": "enterprise"},
                "locale": None,
                "phone_number": "555-0100",
            }
        )
    )
    qtbot.waitUntil(lambda: "1 added, 2 changed, 1 removed" in changes_text(window))
    text = changes_text(window)
    assert "custom.plan" in text and "phone_number" in text and "locale" in text
    assert "1 untouched" in text  # email; custom is partly changed
    status = finish(qtbot, window)
    assert "verified" in status
    assert asked.asked == []  # merge needs no confirmation
    assert sandbox.get_profile("ada") == {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "custom": {"plan": "enterprise", "seats": 3},
        "phone_number": "555-0100",
    }


def test_replace_confirms_and_lists_what_is_lost(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, asked: DialogLog
) -> None:
    sandbox.put_profile("ada", STORED)
    load(qtbot, window, "ada")
    choose(window, "Replace")
    window.editor.json_edit.setPlainText('{"email": "ada@example.com"}')
    qtbot.waitUntil(lambda: "3 removed" in changes_text(window))
    asked.answer("confirm", False)
    window.send_button.click()
    name, args = asked.asked[-1]
    assert name == "confirm"
    joined = " ".join(str(a) for a in args)
    assert "ada" in joined and sandbox.url in joined
    assert "name" in joined and "custom" in joined and "locale" in joined
    assert sandbox.get_profile("ada") == STORED  # cancelled: nothing sent
    asked.answer("confirm", True)
    assert "verified" in finish(qtbot, window)
    assert sandbox.get_profile("ada") == {"email": "ada@example.com"}


def test_delete_confirms_and_verifies(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, asked: DialogLog
) -> None:
    sandbox.put_profile("ada", STORED)
    load(qtbot, window, "ada")
    choose(window, "Delete")
    qtbot.waitUntil(lambda: "4 removed" in changes_text(window))
    status = finish(qtbot, window)
    assert asked.asked[-1][0] == "confirm"
    assert "verified" in status
    assert sandbox.get_profile("ada") is None


def test_verify_shows_a_mismatch(qtbot: QtBot, window: MainWindow, sandbox: SandboxServer) -> None:
    sandbox.put_profile("ada", STORED)
    load(qtbot, window, "ada")
    window.editor.json_edit.setPlainText('{"name": "Ada L"}')
    qtbot.waitUntil(lambda: "1 changed" in changes_text(window))
    # Someone else changes the profile between the send and the check.
    sandbox.queue_fault(
        Fault(
            status=200,
            body=json.dumps({"profile": {"name": "Someone else"}, "preferences": None}),
            method="GET",
        )
    )
    status = finish(qtbot, window)
    assert "MISMATCH" in status
    assert window.status_label.property("state") == "warning"


def test_changes_need_a_load_for_this_recipient(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.put_profile("ada", STORED)
    load(qtbot, window, "ada")
    window.recipient_edit.setText("bob")
    qtbot.waitUntil(lambda: "Load “bob”" in window.changes_view.summary.text())


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
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    fault: Fault,
    needle: str,
) -> None:
    window = make_window(sandbox.url, sandbox.key, total_timeout=0.5)
    sandbox.queue_fault(fault)
    window.recipient_edit.setText("ada")
    window.editor.json_edit.setPlainText('{"a": 1}')
    finish(qtbot, window)
    assert needle in window.status_label.text()
    assert window.status_label.property("state") == "error"


def test_429_with_retry_after_then_success(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.queue_fault(Fault(status=429, retry_after="1"))
    seen: list[str] = []
    window.statusChanged.connect(lambda text, _state: seen.append(text))
    window.recipient_edit.setText("ada")
    window.editor.json_edit.setPlainText('{"a": 1}')
    status = finish(qtbot, window)
    assert "SUCCESS" in status
    assert any("HTTP 429" in s and "retrying (1/2) in 1.0 s" in s for s in seen)
