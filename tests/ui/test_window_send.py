"""Issue: the editor that sends — through the real window and the real sandbox."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from window_helpers import send  # type: ignore[import-not-found]

from profile_editor.core.models import OutcomeKind
from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.main_window import MainWindow


def set_json(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.editor.json_edit.setPlainText(text)
    assert window.editor.profile_result().profile is not None


def status(window: MainWindow) -> str:
    return window.status_label.text()


def test_contract_widgets_exist(window: MainWindow) -> None:
    from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTableView, QTabWidget

    for name, kind in [
        ("recipientIdEdit", QLineEdit),
        ("recipientIdHint", QLabel),
        ("profileTabs", QTabWidget),
        ("fieldsView", QTableView),
        ("rawJsonEdit", QPlainTextEdit),
        ("jsonErrorLabel", QLabel),
        ("sendButton", QPushButton),
        ("cancelButton", QPushButton),
        ("statusLabel", QLabel),
        ("responseView", QPlainTextEdit),
        ("loadButton", QPushButton),
    ]:
        assert window.findChild(kind, name) is not None, name
    tabs = window.findChild(QTabWidget, "profileTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Fields", "JSON"]
    assert window.findChild(QPlainTextEdit, "responseView").isReadOnly()


@pytest.mark.parametrize("bad", ["", "   ", " user", "user ", ".", ".."])
def test_bad_recipient_ids_are_refused_and_kept(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, bad: str
) -> None:
    window.recipient_edit.setText(bad)
    assert window.recipient_hint.property("state") in ("error", "idle")
    set_json(qtbot, window, '{"email": "a@b.c"}')
    window.send_button.click()
    assert status(window).startswith("Not sent:")
    assert window.status_label.property("state") == "error"
    assert window.recipient_edit.text() == bad
    assert window.editor.json_edit.toPlainText() == '{"email": "a@b.c"}'
    assert sandbox.requests() == []
    if bad.strip():
        assert window.recipient_hint.text()


@pytest.mark.parametrize("rid", ["ada@example.com", "+1 555 010 0199"])
def test_email_or_phone_warns_but_sends(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, rid: str
) -> None:
    window.recipient_edit.setText(rid)
    assert window.recipient_hint.property("state") == "warning"
    assert "change" in window.recipient_hint.text()
    set_json(qtbot, window, '{"a": 1}')
    assert send(qtbot, window).ok
    assert sandbox.get_profile(rid) == {"a": 1}


@pytest.mark.parametrize(
    ("rid", "path"),
    [
        ("a/b?c#d", "/profiles/a%2Fb%3Fc%23d"),
        ("50%", "/profiles/50%25"),
        ("zoë", "/profiles/zo%C3%AB"),
    ],
)
def test_id_travels_as_one_encoded_segment(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, rid: str, path: str
) -> None:
    window.recipient_edit.setText(rid)
    set_json(qtbot, window, '{"a": 1}')
    assert send(qtbot, window).ok
    assert sandbox.requests()[-1].path == path
    assert sandbox.get_profile(rid) == {"a": 1}


def test_success_shows_status_and_wire_format(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, '{"email": "a@b.c", "zip": "00123", "n": 3}')
    outcome = send(qtbot, window)
    assert outcome.ok
    assert "200" in status(window) and "SUCCESS" in status(window)
    assert window.status_label.property("state") == "success"
    assert window.elapsed_label.text().endswith("ms")
    assert "SUCCESS" in window.response_view.toPlainText()
    [recorded] = sandbox.requests()
    assert recorded.method == "POST" and recorded.path == "/profiles/user-1"
    assert json.loads(recorded.body) == {"profile": {"email": "a@b.c", "zip": "00123", "n": 3}}
    assert list(json.loads(recorded.body)["profile"]) == ["email", "zip", "n"]
    headers = recorded.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("profile-editor/")
    assert len(headers["Idempotency-Key"]) >= 32
    assert sandbox.key not in headers["Authorization"]


def test_ctrl_return_sends(qtbot: QtBot, window: MainWindow, sandbox: SandboxServer) -> None:
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, '{"a": 1}')
    window.recipient_edit.setFocus()
    with qtbot.waitSignal(window.requestFinished, timeout=5000):
        qtbot.keyClick(
            window.recipient_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
        )
    assert sandbox.get_profile("user-1") == {"a": 1}


def test_each_click_gets_a_new_idempotency_key(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, '{"a": 1}')
    send(qtbot, window)
    send(qtbot, window)
    keys = [r.headers["Idempotency-Key"] for r in sandbox.requests()]
    assert len(set(keys)) == 2


def test_invalid_json_is_not_sent(qtbot: QtBot, window: MainWindow, sandbox: SandboxServer) -> None:
    window.recipient_edit.setText("user-1")
    window.editor.json_edit.setPlainText('{\n  "a": 1,\n}')
    window.send_button.click()
    assert "line 2" in status(window) and "trailing comma" in status(window)
    assert window.editor.json_edit.toPlainText() == '{\n  "a": 1,\n}'
    assert sandbox.requests() == []


def test_api_error_shows_status_message_and_type(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.queue_fault(
        Fault(
            status=400,
            body=json.dumps({"message": "Profile is bad", "type": "invalid_request_error"}),
        )
    )
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, '{"a": 1}')
    outcome = send(qtbot, window)
    assert outcome.kind is OutcomeKind.API_ERROR
    text = status(window)
    assert "400" in text and "Profile is bad" in text and "invalid_request_error" in text
    assert window.status_label.property("state") == "error"
    assert "Profile is bad" in window.response_view.toPlainText()
    assert window.send_button.isEnabled()


def test_401_with_a_wrong_key(
    qtbot: QtBot, make_window: Callable[..., MainWindow], sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, "wrong-key")
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    send(qtbot, window)
    assert "401" in status(window) and "authentication_error" in status(window)


def test_html_500_is_explained(qtbot: QtBot, window: MainWindow, sandbox: SandboxServer) -> None:
    sandbox.queue_fault(
        Fault(
            status=500,
            body="<html><h1>Internal Server Error</h1></html>",
            content_type="text/html",
            times=3,
        )
    )
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    outcome = send(qtbot, window)
    assert outcome.kind is OutcomeKind.HTTP_ERROR
    assert "500" in status(window) and "HTML" in status(window)
    assert "Internal Server Error" in window.response_view.toPlainText()
    assert "Traceback" not in window.response_view.toPlainText()


def test_retry_shows_progress_and_keeps_one_idempotency_key(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.queue_fault(Fault(status=503, times=2))
    seen: list[str] = []
    window.statusChanged.connect(lambda text, _state: seen.append(text))
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, '{"a": 1}')
    assert send(qtbot, window).ok
    assert any("retrying (1/2)" in s for s in seen) and any("retrying (2/2)" in s for s in seen)
    assert len({r.headers["Idempotency-Key"] for r in sandbox.requests()}) == 1
    assert len(sandbox.requests()) == 3


def test_retry_after_is_obeyed(qtbot: QtBot, window: MainWindow, sandbox: SandboxServer) -> None:
    sandbox.queue_fault(Fault(status=429, retry_after="1"))
    seen: list[str] = []
    window.statusChanged.connect(lambda text, _state: seen.append(text))
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    outcome = send(qtbot, window)
    assert outcome.ok and outcome.elapsed_ms >= 1000
    assert any("retrying (1/2) in 1.0 s" in s for s in seen)


def test_timeout(
    qtbot: QtBot, make_window: Callable[..., MainWindow], sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, total_timeout=0.3)
    sandbox.queue_fault(Fault(delay=3, times=3))
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    outcome = send(qtbot, window)
    assert outcome.kind is OutcomeKind.NETWORK
    assert "Timed out" in status(window)


def test_connection_refused(qtbot: QtBot, make_window: Callable[..., MainWindow]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    window = make_window(f"http://127.0.0.1:{port}", "some-key")
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    send(qtbot, window)
    assert "Connection refused" in status(window)
    assert "Traceback" not in window.response_view.toPlainText()
    assert window.send_button.isEnabled()


def test_dropped_connection(qtbot: QtBot, window: MainWindow, sandbox: SandboxServer) -> None:
    sandbox.queue_fault(Fault(drop=True, times=3))
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    send(qtbot, window)
    assert "Connection dropped" in status(window)


def test_in_flight_disables_send_and_cancel_stops_waiting(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    sandbox.queue_fault(Fault(delay=10))
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    window.send_button.click()
    assert not window.send_button.isEnabled() and window.cancel_button.isEnabled()
    assert "Sending" in status(window)
    window.send_button.click()  # a second click sends nothing
    qtbot.waitUntil(lambda: len(sandbox.requests()) == 1)
    with qtbot.waitSignal(window.requestFinished, timeout=3000) as blocker:
        window.cancel_button.click()
    assert blocker.args[0].kind is OutcomeKind.CANCELLED
    assert "cancelled" in status(window).lower()
    assert window.send_button.isEnabled()
    assert len(sandbox.requests()) == 1


def test_closing_while_in_flight_closes_at_once(
    qtbot: QtBot, make_window: Callable[..., MainWindow], sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, total_timeout=30)
    sandbox.queue_fault(Fault(delay=20))
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    window.send_button.click()
    qtbot.waitUntil(lambda: len(sandbox.requests()) == 1)
    window.close()
    assert window.runner.active_count() == 0
    assert window.runner._pool.activeThreadCount() == 0
    # The send is still recorded, as cut short by the close.
    [entry] = window.history_log.entries()
    assert entry.outcome == "cancelled" and entry.recipient_id == "user-1"
    assert "window closed before the answer" in entry.message


def test_preview_masks_key_and_curl_uses_env_var(
    qtbot: QtBot, make_window: Callable[..., MainWindow], sandbox: SandboxServer
) -> None:
    key = "sandbox-secret-key-0123456789"
    window = make_window(sandbox.url, key)
    assert window.key_edit.echoMode() is QLineEdit.EchoMode.Password
    window.recipient_edit.setText("a/b")
    set_json(qtbot, window, '{"name": "O\'Brien"}')
    qtbot.waitUntil(lambda: "profiles/a%2Fb" in window.request_preview.toPlainText())
    preview = window.request_preview.toPlainText()
    assert key not in preview and "Bearer ****6789" in preview
    assert "Content-Type: application/json" in preview and '"name": "O\'Brien"' in preview
    window.copy_curl_button.click()
    curl = QGuiApplication.clipboard().text()
    assert key not in curl and "$COURIER_API_KEY" in curl and "profiles/a%2Fb" in curl


def test_key_is_not_sent_over_plain_http_off_loopback(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window("http://profiles.example.com", "k-123")
    window.recipient_edit.setText("user-1")
    set_json(qtbot, window, "{}")
    window.send_button.click()
    assert "Refusing to send the API key" in status(window)
    assert not window.is_busy()


def test_no_key_is_a_clear_message(
    qtbot: QtBot, make_window: Callable[..., MainWindow], sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, None)
    window.recipient_edit.setText("user-1")
    window.send_button.click()
    assert "no API key" in status(window)
    window.key_edit.setText(sandbox.key)
    set_json(qtbot, window, '{"a": 1}')
    assert send(qtbot, window).ok


def test_large_profile_pasted_reaches_table_and_sends(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    profile = {f"key_{i:04d}": {"n": i, "tags": ["a", "b"], "s": "x" * 40} for i in range(5000)}
    window.recipient_edit.setText("big")
    window.editor.json_edit.setPlainText(json.dumps(profile, indent=2))
    qtbot.waitUntil(lambda: window.editor.fields_model.rowCount() == 5000, timeout=10_000)
    outcome = send(qtbot, window, timeout=20_000)
    assert outcome.ok
    assert sandbox.get_profile("big") == profile
