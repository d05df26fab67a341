"""Issue: the send history in the real window against the real sandbox, and the API key that
must never reach any file under the data folder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import DialogLog  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from window_helpers import load, send  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer, start_sandbox
from profile_editor.storage.history import HistoryEntry
from profile_editor.ui import dialogs
from profile_editor.ui.history_panel import (
    METHOD_COLUMN,
    OUTCOME_COLUMN,
    RECIPIENT_COLUMN,
    STATUS_COLUMN,
)
from profile_editor.ui.main_window import MainWindow

# Unlike anything else in a test run, so finding it anywhere means it leaked.
DISTINCTIVE_KEY = "sk-distinctive-7f3a9c51e2d84b06a9f3c7e1d5b2a8f4"
KEY_TAIL = DISTINCTIVE_KEY[-16:]
STORED = {"email": "ada@example.com", "name": "Ada", "custom": {"plan": "pro"}}


# -- helpers ------------------------------------------------------------------------------


def fill(window: MainWindow, recipient: str, profile: dict[str, Any], method: str = "POST") -> None:
    window.method_combo.setCurrentIndex(window.method_combo.findData(method))
    window.recipient_edit.setText(recipient)
    window.editor.json_edit.setPlainText(json.dumps(profile))
    assert window.editor.profile_result().profile == profile


def log_lines(window: MainWindow) -> list[dict[str, Any]]:
    """The current log file's entries, oldest first.

    Sorted by time: entries are appended from worker threads, so two sends that end close
    together may be written in either order.
    """
    path = window.history_log.path
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return sorted(lines, key=lambda line: datetime.fromisoformat(line["time"]))


def wait_for_log(qtbot: QtBot, window: MainWindow, count: int) -> list[dict[str, Any]]:
    # Entries are written off the UI thread.
    qtbot.waitUntil(lambda: len(log_lines(window)) == count, timeout=5000)
    return log_lines(window)


def cells(window: MainWindow, column: int) -> list[str]:
    model = window.history_panel.view.model()
    return [str(model.index(row, column).data()) for row in range(model.rowCount())]


def select_row(window: MainWindow, row: int) -> HistoryEntry:
    window.history_panel.select_row(row)
    entry = window.history_panel.selected_entry()
    assert entry is not None
    return entry


def wait_history_loaded(qtbot: QtBot, window: MainWindow) -> None:
    """Until the log read at start-up (queued once the window shows) has been shown."""
    panel = window.history_panel
    qtbot.waitUntil(lambda: panel._generation > 0 and not panel.is_loading(), timeout=5000)


def three_sends(qtbot: QtBot, window: MainWindow, sandbox: SandboxServer) -> None:
    """A success, an API error and a network error, in that order."""
    fill(window, "ada", {"plan": "pro"})
    assert send(qtbot, window).ok
    fill(window, "bob", {"plan": "free"}, method="PUT")
    sandbox.queue_fault(Fault(status=400))
    assert send(qtbot, window).status_code == 400
    fill(window, "ada-2", {"plan": "team"})
    sandbox.queue_fault(Fault(drop=True, times=3))
    assert send(qtbot, window).kind.value == "network_error"


# -- the panel ------------------------------------------------------------------------------


def test_sends_are_listed_newest_first_with_status_and_outcome(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    wait_history_loaded(qtbot, window)
    assert window.findChild(QTableView, "historyView") is window.history_panel.view
    three_sends(qtbot, window, sandbox)

    assert cells(window, RECIPIENT_COLUMN) == ["ada-2", "bob", "ada"]
    assert cells(window, METHOD_COLUMN) == ["POST", "PUT", "POST"]
    assert cells(window, STATUS_COLUMN) == ["—", "400", "200"]
    assert cells(window, OUTCOME_COLUMN) == ["Network error", "API error", "Success"]
    assert window.history_panel.status_label.text().startswith("3 requests")

    entry = select_row(window, 1)
    details = window.history_panel.details.toPlainText()
    assert entry.recipient_id == "bob" and entry.environment == "Custom"
    assert f"PUT {sandbox.url}/profiles/bob" in details
    assert '"plan": "free"' in details and "Request body:" in details
    assert "400" in details and "API error" in details
    assert "Sandbox fault" in details  # the API's own message
    assert entry.duration_ms > 0

    lines = wait_for_log(qtbot, window, 3)
    assert [(e["recipient_id"], e["status"], e["outcome"]) for e in lines] == [
        ("ada", 200, "success"),
        ("bob", 400, "api_error"),
        ("ada-2", None, "network_error"),
    ]
    for line in lines:
        assert {"time", "environment", "base_url", "method", "request_body", "duration_ms"} <= set(
            line
        )
        assert line["base_url"] == sandbox.url
    assert lines[1]["request_body"] == {"profile": {"plan": "free"}}
    assert sandbox.key not in window.history_log.path.read_text(encoding="utf-8")


def test_filters_reopen_and_export(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, asked: DialogLog, tmp_path: Path
) -> None:
    wait_history_loaded(qtbot, window)
    three_sends(qtbot, window, sandbox)
    fill(window, "ADA-3", {"order": 1, "after": 2, "before": 3})
    sandbox.queue_fault(Fault(status=503, times=3))
    assert send(qtbot, window).status_code == 503
    panel = window.history_panel

    panel.set_recipient_filter("ada")  # any case
    assert cells(window, RECIPIENT_COLUMN) == ["ADA-3", "ada-2", "ada"]
    assert panel.status_label.text() == "3 of 4 requests match"
    panel.set_status_filter("5xx")
    assert cells(window, RECIPIENT_COLUMN) == ["ADA-3"]
    panel.set_status_filter("error")
    assert cells(window, RECIPIENT_COLUMN) == ["ada-2"]
    panel.set_recipient_filter("")
    panel.set_status_filter("4xx")
    assert cells(window, RECIPIENT_COLUMN) == ["bob"]
    panel.set_status_filter("2xx")
    assert cells(window, RECIPIENT_COLUMN) == ["ada"]

    # Export writes exactly what the filters show, newest first.
    panel.set_status_filter("all")
    panel.set_recipient_filter("ada")
    dest = tmp_path / "export" / "ada.jsonl"
    dest.parent.mkdir()
    assert panel.export_visible(dest)
    exported = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]
    assert [e["recipient_id"] for e in exported] == ["ADA-3", "ada-2", "ada"]
    assert [e["id"] for e in exported] == [e.id for e in panel.visible_entries()]
    assert sandbox.key not in dest.read_text(encoding="utf-8")
    panel.set_recipient_filter("nobody")
    assert not panel.export_button.isEnabled()

    # Re-open: recipient, method and profile (in its order) come back into the editor.
    panel.set_recipient_filter("")
    window.editor.json_edit.setPlainText('{"unsaved": true}')
    asked.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    select_row(window, 2)  # bob's PUT
    panel.reopen_button.click()
    assert asked.asked[-1][0] == "ask_save_discard_cancel"
    assert window.editor.profile_result().profile == {"unsaved": True}

    asked.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    panel.reopen_button.click()
    assert window.recipient_edit.text() == "bob"
    assert window.method_combo.currentData() == "PUT"
    assert window.editor.profile_result().profile == {"plan": "free"}
    assert window.windowTitle().startswith("*Untitled")
    assert "Re-opened" in window.status_label.text()

    # Activating a row (double-click, Enter) re-opens it as well.
    index = panel.view.model().index(0, RECIPIENT_COLUMN)
    panel.view.activated.emit(index)
    assert window.recipient_edit.text() == "ADA-3"
    assert window.method_combo.currentData() == "POST"
    assert list(window.editor.profile_result().profile or {}) == ["order", "after", "before"]

    # What was re-opened can be sent again as it was.
    assert send(qtbot, window).ok
    assert sandbox.get_profile("ADA-3") == {"order": 1, "after": 2, "before": 3}


def test_a_verified_send_after_a_load_records_the_profile_before_and_after(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    wait_history_loaded(qtbot, window)
    sandbox.put_profile("ada", STORED)
    assert load(qtbot, window, "ada").ok
    window.editor.json_edit.setPlainText('{"name": "Ada L", "custom": {"seats": 3}}')
    assert window.verify_check.isChecked()
    send(qtbot, window)
    assert "verified" in window.status_label.text()
    after = {"email": "ada@example.com", "name": "Ada L", "custom": {"plan": "pro", "seats": 3}}
    assert sandbox.get_profile("ada") == after

    entry = select_row(window, 0)
    assert entry.profile_before == STORED
    assert entry.profile_after == after
    details = window.history_panel.details.toPlainText()
    assert "Profile before:" in details and "Profile after:" in details
    [line] = wait_for_log(qtbot, window, 1)
    assert line["profile_before"] == STORED
    assert line["profile_after"] == after
    assert list(line["profile_after"]) == list(after)

    # A send without a load knows neither.
    window.recipient_edit.setText("zoe")
    send(qtbot, window)
    lines = wait_for_log(qtbot, window, 2)
    assert lines[1]["profile_before"] is None and lines[1]["profile_after"] is None


def test_a_send_still_being_verified_when_the_window_closes_is_recorded(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer
) -> None:
    wait_history_loaded(qtbot, window)
    sandbox.put_profile("ada", STORED)
    assert load(qtbot, window, "ada").ok
    window.editor.json_edit.setPlainText('{"name": "Ada L"}')
    sandbox.queue_fault(Fault(delay=1.5, method="GET"))
    with qtbot.waitSignal(window.requestFinished, timeout=10_000) as blocker:
        window.send_button.click()
    assert blocker.args[0].ok
    assert "verifying" in window.status_label.text()
    assert log_lines(window) == []  # waits for the verification

    assert window.close()
    [line] = log_lines(window)
    assert (line["recipient_id"], line["status"], line["outcome"]) == ("ada", 200, "success")
    assert line["profile_before"] == STORED
    assert line["profile_after"] is None


def test_the_log_survives_a_restart_and_rotates_by_size(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
) -> None:
    first = make_window(sandbox.url, sandbox.key)
    wait_history_loaded(qtbot, first)
    # Small enough that every entry starts a new file.
    first.history_log.max_bytes = 1
    for n in range(4):
        fill(first, f"user-{n}", {"n": n})
        assert send(qtbot, first).ok
    qtbot.waitUntil(lambda: len(first.history_log.files()) == 4, timeout=5000)
    assert [p.name for p in first.history_log.files()] == [
        "history.jsonl",
        "history.1.jsonl",
        "history.2.jsonl",
        "history.3.jsonl",
    ]
    first.close()

    second = make_window(sandbox.url, sandbox.key)
    qtbot.waitUntil(lambda: len(second.history_panel.entries()) == 4, timeout=5000)
    assert cells(second, RECIPIENT_COLUMN) == ["user-3", "user-2", "user-1", "user-0"]
    # New sends go on top of what was read.
    fill(second, "user-4", {"n": 4})
    assert send(qtbot, second).ok
    assert cells(second, RECIPIENT_COLUMN)[:2] == ["user-4", "user-3"]


def test_a_history_that_cannot_be_written_is_reported(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    # A folder where the log file should be: every append fails.
    (tmp_path / "data" / "history" / "history.jsonl").mkdir(parents=True)
    window = make_window(sandbox.url, sandbox.key)
    wait_history_loaded(qtbot, window)
    fill(window, "ada", {"a": 1})
    assert send(qtbot, window).ok
    qtbot.waitUntil(lambda: "Cannot write the history" in window.status_label.text(), timeout=5000)
    assert window.status_label.property("state") == "warning"
    assert "Cannot write the history" in window.history_panel.status_label.text()
    assert "✓" in window.status_label.text()  # the send itself still reads as done
    assert cells(window, RECIPIENT_COLUMN) == ["ada"]  # still listed for this session


# -- the key --------------------------------------------------------------------------------


@pytest.fixture
def keyed_sandbox() -> Iterator[SandboxServer]:
    server = start_sandbox(port=0, key=DISTINCTIVE_KEY)
    try:
        yield server
    finally:
        server.stop()


def test_the_key_is_written_nowhere_under_the_data_folder(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    keyed_sandbox: SandboxServer,
    asked: DialogLog,
    tmp_path: Path,
) -> None:
    sandbox = keyed_sandbox
    data = tmp_path / "data"
    exports = data / "exports"
    exports.mkdir(parents=True)
    window = make_window(sandbox.url, DISTINCTIVE_KEY)
    wait_history_loaded(qtbot, window)

    # Load, edit, save as a preset, send with verification.
    sandbox.put_profile("ada", STORED)
    assert load(qtbot, window, "ada").ok
    window.editor.json_edit.setPlainText('{"name": "Ada L"}')
    window.note_edit.setText("weekly fix")
    asked.answer("ask_text", "Ada")
    window.save_action.trigger()
    assert "Saved preset" in window.status_label.text()
    assert send(qtbot, window).ok
    assert "verified" in window.status_label.text()

    # Errors: the API's and the network's.
    sandbox.queue_fault(Fault(status=401))
    assert send(qtbot, window).status_code == 401
    sandbox.queue_fault(Fault(drop=True, times=3))
    assert send(qtbot, window).kind.value == "network_error"

    # The key pasted where it does not belong: a profile value and a note.
    assert load(qtbot, window, "bob").status_code == 404
    leaky = {"token": DISTINCTIVE_KEY, "nested": {"list": [f"Bearer {DISTINCTIVE_KEY}"]}}
    window.editor.json_edit.setPlainText(json.dumps(leaky))
    assert send(qtbot, window).ok  # what the user sends is theirs to send…
    assert sandbox.get_profile("bob") == leaky
    asked.answer("ask_text", "Leaky")
    window.save_action.trigger()  # …but it is not kept in a preset
    assert asked.asked[-1][0] == "inform"
    window.presets_panel.new_action.trigger()
    window.recipient_edit.setText("carol")
    window.note_edit.setText(f"key: {DISTINCTIVE_KEY}")
    asked.answer("ask_text", "Leaky note")
    window.save_action.trigger()
    assert asked.asked[-1][0] == "inform"
    window.note_edit.setText("")

    # Export the history and the preset into the data folder, so they are scanned too.
    assert window.history_panel.export_visible(exports / "history.jsonl")
    assert window.presets_panel.select_path(data / "presets" / "Ada.json")
    assert window.presets_panel.export_selected(exports / "Ada.json")
    wait_for_log(qtbot, window, 4)
    assert window.close()

    written = sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.is_file())
    for expected in (
        "settings.ini",
        "presets/Ada.json",
        "history/history.jsonl",
        "exports/history.jsonl",
        "exports/Ada.json",
    ):
        assert expected in written
    assert [p.name for p in (data / "presets").glob("*.json")] == ["Ada.json"]
    history = (data / "history" / "history.jsonl").read_text(encoding="utf-8")
    assert "****" in history  # the profile value was masked, not dropped
    leaks = [
        name
        for name in written
        for needle in (DISTINCTIVE_KEY, KEY_TAIL)
        if needle.encode() in (data / name).read_bytes()
    ]
    assert leaks == []
    # The key was really in use all along.
    assert sum(1 for r in sandbox.requests() if r.path.startswith("/profiles/")) >= 7


def test_history_details_mask_the_key(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    keyed_sandbox: SandboxServer,
) -> None:
    window = make_window(keyed_sandbox.url, DISTINCTIVE_KEY)
    wait_history_loaded(qtbot, window)
    fill(window, "ada", {"token": DISTINCTIVE_KEY})
    assert send(qtbot, window).ok
    select_row(window, 0)
    details = window.history_panel.details.toPlainText()
    assert DISTINCTIVE_KEY not in details and "****" in details
    index = window.history_panel.view.model().index(0, RECIPIENT_COLUMN)
    assert DISTINCTIVE_KEY not in str(index.data(Qt.ItemDataRole.ToolTipRole))
