"""Issue: the editor that sends — through the real window and the real sandbox."""

from __future__ import annotations

import json
import socket

import pytest
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from profile_editor.core.http.models import OutcomeKind
from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer


def test_contract_widgets_exist(window: WindowDriver) -> None:
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
        assert window.find(kind, name) is not None, name
    tabs = window.find(QTabWidget, "profileTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Fields", "JSON"]
    assert window.find(QPlainTextEdit, "responseView").isReadOnly()


@pytest.mark.parametrize("bad", ["", "   ", " user", "user ", ".", ".."])
def test_bad_recipient_ids_are_refused_and_kept(
    window: WindowDriver, sandbox: SandboxServer, bad: str
) -> None:
    window.set_recipient(bad)
    assert window.hint_state() in ("error", "idle")
    window.fill(profile='{"email": "a@b.c"}')
    window.click_send()
    assert window.status().startswith("Not sent:")
    assert window.status_state() == "error"
    assert window.recipient() == bad
    assert window.json_text() == '{"email": "a@b.c"}'
    assert sandbox.requests() == []
    if bad.strip():
        assert window.hint()


@pytest.mark.parametrize("rid", ["ada@example.com", "+1 555 010 0199"])
def test_email_or_phone_warns_but_sends(
    window: WindowDriver, sandbox: SandboxServer, rid: str
) -> None:
    window.set_recipient(rid)
    assert window.hint_state() == "warning"
    assert "change" in window.hint()
    window.fill(profile='{"a": 1}')
    assert window.send().ok
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
    window: WindowDriver, sandbox: SandboxServer, rid: str, path: str
) -> None:
    window.fill(recipient=rid, profile='{"a": 1}')
    assert window.send().ok
    assert sandbox.requests()[-1].path == path
    assert sandbox.get_profile(rid) == {"a": 1}


def test_success_shows_status_and_wire_format(window: WindowDriver, sandbox: SandboxServer) -> None:
    window.fill(recipient="user-1", profile='{"email": "a@b.c", "zip": "00123", "n": 3}')
    outcome = window.send()
    assert outcome.ok
    assert "200" in window.status() and "SUCCESS" in window.status()
    assert window.status_state() == "success"
    assert window.elapsed_text().endswith("ms")
    assert "SUCCESS" in window.response_text()
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


def test_ctrl_return_sends(window: WindowDriver, sandbox: SandboxServer) -> None:
    window.fill(recipient="user-1", profile='{"a": 1}')
    window.send_by_shortcut()
    assert sandbox.get_profile("user-1") == {"a": 1}


def test_each_click_gets_a_new_idempotency_key(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.fill(recipient="user-1", profile='{"a": 1}')
    window.send()
    window.send()
    keys = [r.headers["Idempotency-Key"] for r in sandbox.requests()]
    assert len(set(keys)) == 2


def test_invalid_json_is_not_sent(window: WindowDriver, sandbox: SandboxServer) -> None:
    window.set_recipient("user-1")
    window.set_json_text('{\n  "a": 1,\n}')
    window.click_send()
    assert "line 2" in window.status() and "trailing comma" in window.status()
    assert window.json_text() == '{\n  "a": 1,\n}'
    assert sandbox.requests() == []


def test_api_error_shows_status_message_and_type(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.queue_fault(
        Fault(
            status=400,
            body=json.dumps({"message": "Profile is bad", "type": "invalid_request_error"}),
        )
    )
    window.fill(recipient="user-1", profile='{"a": 1}')
    outcome = window.send()
    assert outcome.kind is OutcomeKind.API_ERROR
    text = window.status()
    assert "400" in text and "Profile is bad" in text and "invalid_request_error" in text
    assert window.status_state() == "error"
    assert "Profile is bad" in window.response_text()
    assert window.can_send()


def test_the_answer_shows_in_its_tab_and_a_failure_raises_the_tab(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    from PySide6.QtWidgets import QPlainTextEdit, QTabWidget

    tabs, view = window.find(QTabWidget, "outputTabs"), window.find(QPlainTextEdit, "responseView")
    window.fill(recipient="user-1", profile='{"a": 1}')
    assert window.send().ok
    assert tabs.currentWidget() is not view  # a success leaves the tab the user had open
    assert "SUCCESS" in window.response_text()  # made once its tab is shown
    tabs.setCurrentWidget(view)
    sandbox.queue_fault(Fault(status=400, body=json.dumps({"message": "Nope, not this one"})))
    window.send()
    assert "Nope, not this one" in view.toPlainText()  # the tab is open: shown at once
    tabs.setCurrentIndex(0)
    sandbox.queue_fault(Fault(status=400, body=json.dumps({"message": "Still not"})))
    window.send()
    assert tabs.currentWidget() is view
    assert "Still not" in view.toPlainText()


def test_401_with_a_wrong_key(make_window: MakeWindow, sandbox: SandboxServer) -> None:
    window = make_window(sandbox.url, "wrong-key")
    window.fill(recipient="user-1", profile="{}")
    window.send()
    assert "401" in window.status() and "authentication_error" in window.status()


def test_html_500_is_explained(window: WindowDriver, sandbox: SandboxServer) -> None:
    sandbox.queue_fault(
        Fault(
            status=500,
            body="<html><h1>Internal Server Error</h1></html>",
            content_type="text/html",
            times=3,
        )
    )
    window.fill(recipient="user-1", profile="{}")
    outcome = window.send()
    assert outcome.kind is OutcomeKind.HTTP_ERROR
    assert "500" in window.status() and "HTML" in window.status()
    assert "Internal Server Error" in window.response_text()
    assert "Traceback" not in window.response_text()


def test_retry_shows_progress_and_keeps_one_idempotency_key(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.queue_fault(Fault(status=503, times=2))
    seen = window.record_statuses()
    window.fill(recipient="user-1", profile='{"a": 1}')
    assert window.send().ok
    assert any("retrying (1/2)" in s for s in seen) and any("retrying (2/2)" in s for s in seen)
    assert len({r.headers["Idempotency-Key"] for r in sandbox.requests()}) == 1
    assert len(sandbox.requests()) == 3


def test_retry_after_is_obeyed(window: WindowDriver, sandbox: SandboxServer) -> None:
    sandbox.queue_fault(Fault(status=429, retry_after="1"))
    seen = window.record_statuses()
    window.fill(recipient="user-1", profile="{}")
    outcome = window.send()
    assert outcome.ok and outcome.elapsed_ms >= 1000
    assert any("retrying (1/2) in 1.0 s" in s for s in seen)


def test_timeout(make_window: MakeWindow, sandbox: SandboxServer) -> None:
    window = make_window(sandbox.url, sandbox.key, total_timeout=0.3)
    sandbox.queue_fault(Fault(delay=3, times=3))
    window.fill(recipient="user-1", profile="{}")
    outcome = window.send()
    assert outcome.kind is OutcomeKind.NETWORK
    assert "Timed out" in window.status()


def test_connection_refused(make_window: MakeWindow) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    window = make_window(f"http://127.0.0.1:{port}", "some-key")
    window.fill(recipient="user-1", profile="{}")
    window.send()
    assert "Connection refused" in window.status()
    assert "Traceback" not in window.response_text()
    assert window.can_send()


def test_dropped_connection(window: WindowDriver, sandbox: SandboxServer) -> None:
    sandbox.queue_fault(Fault(drop=True, times=3))
    window.fill(recipient="user-1", profile="{}")
    window.send()
    assert "Connection dropped" in window.status()


def test_in_flight_disables_send_and_cancel_stops_waiting(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    sandbox.queue_fault(Fault(delay=10))
    window.fill(recipient="user-1", profile="{}")
    window.click_send()
    window.click_send()  # a second click sends nothing, even before the busy state shows
    # A request answered quickly never shows a busy state; this one soon does.
    qtbot.waitUntil(lambda: not window.can_send() and window.can_cancel(), timeout=2000)
    assert "Sending" in window.status()
    qtbot.waitUntil(lambda: len(sandbox.requests()) == 1)
    assert window.cancel().kind is OutcomeKind.CANCELLED
    assert "cancelled" in window.status().lower()
    assert window.can_send()
    assert len(sandbox.requests()) == 1


def test_closing_while_in_flight_closes_at_once(
    qtbot: QtBot, make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key, total_timeout=30)
    sandbox.queue_fault(Fault(delay=20))
    window.fill(recipient="user-1", profile="{}")
    window.click_send()
    qtbot.waitUntil(lambda: len(sandbox.requests()) == 1)
    window.close()
    assert window.jobs_running() == 0
    assert window.threads_running() == 0
    # The send is still recorded, as cut short by the close.
    [entry] = window.history_log().entries()
    assert entry.outcome == "cancelled" and entry.recipient_id == "user-1"
    assert "window closed before the answer" in entry.message


def test_preview_masks_key_and_curl_uses_env_var(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    key = "sandbox-secret-key-0123456789"
    window = make_window(sandbox.url, key)
    assert window.key_is_hidden()
    window.fill(recipient="a/b", profile='{"name": "O\'Brien"}')
    window.wait_preview("profiles/a%2Fb")
    preview = window.preview_text()
    assert key not in preview and "Bearer ****6789" in preview
    assert "Content-Type: application/json" in preview and '"name": "O\'Brien"' in preview
    curl = window.copy_curl()
    assert key not in curl and "$COURIER_API_KEY" in curl and "profiles/a%2Fb" in curl


def test_key_is_not_sent_over_plain_http_off_loopback(make_window: MakeWindow) -> None:
    window = make_window("http://profiles.example.com", "k-123")
    window.fill(recipient="user-1", profile="{}")
    window.click_send()
    assert "Refusing to send the API key" in window.status()
    assert not window.is_busy()


def test_no_key_is_a_clear_message(make_window: MakeWindow, sandbox: SandboxServer) -> None:
    window = make_window(sandbox.url, None)
    window.set_recipient("user-1")
    window.click_send()
    assert "no API key" in window.status()
    window.set_key(sandbox.key)
    window.fill(profile='{"a": 1}')
    assert window.send().ok


def test_large_profile_pasted_reaches_table_and_sends(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    profile = {f"key_{i:04d}": {"n": i, "tags": ["a", "b"], "s": "x" * 40} for i in range(5000)}
    window.set_recipient("big")
    window.set_json_text(json.dumps(profile, indent=2))
    qtbot.waitUntil(lambda: window.fields_model().rowCount() == 5000, timeout=10_000)
    outcome = window.send(timeout=20_000)
    assert outcome.ok
    assert sandbox.get_profile("big") == profile


def test_sends_and_failures_are_logged_without_the_key(
    window: WindowDriver, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="profile_editor")
    window.fill(recipient="log-me", profile={"a": 1})
    assert window.send().ok
    sandbox.queue_fault(Fault(status=400))
    window.send()
    lines = [r.getMessage() for r in caplog.records if r.name == "profile_editor.requests"]
    assert any("Send POST" in line and "/profiles/log-me" in line for line in lines)
    assert any(r.levelname == "WARNING" and "400" in r.getMessage() for r in caplog.records)
    assert all(sandbox.key not in line for line in caplog.messages)
