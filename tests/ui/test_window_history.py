"""Issue: the send history in the real window against the real sandbox, and the API key that
must never reach any file under the data folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer, start_sandbox
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry, entry_to_line
from profile_editor.storage.history_db import HistoryStore
from profile_editor.ui.common import dialogs
from profile_editor.ui.history.model import (
    METHOD_COLUMN,
    OUTCOME_COLUMN,
    RECIPIENT_COLUMN,
    STATUS_COLUMN,
)

# Unlike anything else in a test run, so finding it anywhere means it leaked.
DISTINCTIVE_KEY = "sk-distinctive-7f3a9c51e2d84b06a9f3c7e1d5b2a8f4"
KEY_TAIL = DISTINCTIVE_KEY[-16:]
STORED = {"email": "ada@example.com", "name": "Ada", "custom": {"plan": "pro"}}


# -- helpers ------------------------------------------------------------------------------


def log_lines(window: WindowDriver) -> list[dict[str, Any]]:
    """The history database's entries (as exported), oldest first, read by a connection of
    the test's own."""
    path = window.history_log().path
    if not path.exists():
        return []
    store = HistoryStore(path)
    try:
        entries = store.entries()
    finally:
        store.close()
    lines = [json.loads(entry_to_line(e)) for e in entries]
    return sorted(lines, key=lambda line: datetime.fromisoformat(line["time"]))


def wait_for_log(qtbot: QtBot, window: WindowDriver, count: int) -> list[dict[str, Any]]:
    # Entries are written off the UI thread.
    qtbot.waitUntil(lambda: len(log_lines(window)) == count, timeout=5000)
    return log_lines(window)


def select_row(window: WindowDriver, row: int) -> HistoryEntry:
    window.history().select_row(row)
    entry = window.history().selected_entry()
    assert entry is not None
    return entry


def three_sends(window: WindowDriver, sandbox: SandboxServer) -> None:
    """A success, an API error and a network error, in that order."""
    window.fill(recipient="ada", profile={"plan": "pro"}, method="POST")
    assert window.send().ok
    window.fill(recipient="bob", profile={"plan": "free"}, method="PUT")
    sandbox.queue_fault(Fault(status=400))
    assert window.send().status_code == 400
    window.fill(recipient="ada-2", profile={"plan": "team"}, method="POST")
    sandbox.queue_fault(Fault(drop=True, times=3))
    assert window.send().kind.value == "network_error"


# -- the panel ------------------------------------------------------------------------------


def test_sends_are_listed_newest_first_with_status_and_outcome(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.wait_history_loaded()
    assert window.find(QTableView, "historyView") is window.history().view
    three_sends(window, sandbox)

    assert window.history_cells(RECIPIENT_COLUMN) == ["ada-2", "bob", "ada"]
    assert window.history_cells(METHOD_COLUMN) == ["POST", "PUT", "POST"]
    assert window.history_cells(STATUS_COLUMN) == ["—", "400", "200"]
    assert window.history_cells(OUTCOME_COLUMN) == ["Network error", "API error", "Success"]
    assert window.history().status_label.text().startswith("3 requests")

    entry = select_row(window, 1)
    details = window.history().details.toPlainText()
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
    assert sandbox.key not in json.dumps(lines)


def test_filters_reopen_and_export(
    qtbot: QtBot,
    window: WindowDriver,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
    tmp_path: Path,
) -> None:
    window.wait_history_loaded()
    three_sends(window, sandbox)
    window.fill(recipient="ADA-3", profile={"order": 1, "after": 2, "before": 3}, method="POST")
    sandbox.queue_fault(Fault(status=503, times=3))
    assert window.send().status_code == 503
    panel = window.history()

    wait_for_log(qtbot, window, 4)
    panel.set_recipient_filter("ada")  # any case
    assert window.history_cells(RECIPIENT_COLUMN) == ["ADA-3", "ada-2", "ada"]
    qtbot.waitUntil(lambda: panel.status_label.text() == "3 of 4 requests match")
    panel.set_status_filter("5xx")
    assert window.history_cells(RECIPIENT_COLUMN) == ["ADA-3"]
    panel.set_status_filter("error")
    assert window.history_cells(RECIPIENT_COLUMN) == ["ada-2"]
    panel.set_recipient_filter("")
    panel.set_status_filter("4xx")
    assert window.history_cells(RECIPIENT_COLUMN) == ["bob"]
    panel.set_status_filter("2xx")
    assert window.history_cells(RECIPIENT_COLUMN) == ["ada"]

    # Export writes exactly what the filters show, newest first.
    panel.set_status_filter("all")
    panel.set_recipient_filter("ada")
    dest = tmp_path / "export" / "ada.jsonl"
    dest.parent.mkdir()
    assert window.history_cells(RECIPIENT_COLUMN) == ["ADA-3", "ada-2", "ada"]
    with qtbot.waitSignal(panel.exported):
        assert panel.export_visible(dest)  # written on a worker
    exported = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]
    assert [e["recipient_id"] for e in exported] == ["ADA-3", "ada-2", "ada"]
    assert [e["id"] for e in exported] == [e.id for e in panel.visible_entries()]
    assert sandbox.key not in dest.read_text(encoding="utf-8")
    panel.set_recipient_filter("nobody")
    assert window.history_cells(RECIPIENT_COLUMN) == []
    assert not panel.export_button.isEnabled()

    # Re-open: recipient, method and profile (in its order) come back into the editor.
    panel.set_recipient_filter("")
    assert len(window.history_cells(RECIPIENT_COLUMN)) == 4
    window.set_json_text('{"unsaved": true}')
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    select_row(window, 2)  # bob's PUT
    panel.reopen_button.click()
    assert dialog_stub.last().kind == "ask_save_discard_cancel"
    assert window.profile() == {"unsaved": True}

    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)
    panel.reopen_button.click()
    assert window.recipient() == "bob"
    assert window.method() == "PUT"
    assert window.profile() == {"plan": "free"}
    assert window.title().startswith("*Untitled")
    assert "Re-opened" in window.status()

    # Activating a row (double-click, Enter) re-opens it as well.
    index = panel.view.model().index(0, RECIPIENT_COLUMN)
    panel.view.activated.emit(index)
    assert window.recipient() == "ADA-3"
    assert window.method() == "POST"
    assert list(window.profile() or {}) == ["order", "after", "before"]

    # What was re-opened can be sent again as it was.
    assert window.send().ok
    assert sandbox.get_profile("ADA-3") == {"order": 1, "after": 2, "before": 3}


def test_a_verified_send_after_a_load_records_the_profile_before_and_after(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.wait_history_loaded()
    sandbox.put_profile("ada", STORED)
    assert window.load_with_lists("ada").ok  # the Lists tab's read after it done too
    window.set_json_text('{"name": "Ada L", "custom": {"seats": 3}}')
    assert window.verifies_after_send()
    window.send()
    assert "verified" in window.status()
    after = {"email": "ada@example.com", "name": "Ada L", "custom": {"plan": "pro", "seats": 3}}
    assert sandbox.get_profile("ada") == after

    # One row per request: the load, the Lists tab's read, the send, and the re-load that
    # verified it.
    assert window.history_cells(METHOD_COLUMN) == ["GET", "POST", "Read lists", "GET"]
    entry = select_row(window, 1)
    assert entry.profile_before == STORED
    assert entry.profile_after == after
    details = window.history().details.toPlainText()
    assert "Profile before:" in details and "Profile after:" in details
    load, lists, line, check = wait_for_log(qtbot, window, 4)
    assert (lists["method"], lists["resource"]) == ("GET", "lists")
    assert (load["method"], load["status"], load["profile_after"]) == ("GET", 200, STORED)
    assert line["profile_before"] == STORED
    assert line["profile_after"] == after
    assert list(line["profile_after"]) == list(after)
    assert (check["method"], check["status"], check["profile_after"]) == ("GET", 200, after)

    # A send without a load knows neither.
    window.set_recipient("zoe")
    window.send()
    lines = wait_for_log(qtbot, window, 5)
    assert lines[4]["profile_before"] is None and lines[4]["profile_after"] is None


def test_a_send_still_being_verified_when_the_window_closes_is_recorded(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.wait_history_loaded()
    sandbox.put_profile("ada", STORED)
    # The Lists tab's read after the load done too, so the delay below is the re-load's.
    assert window.load_with_lists("ada").ok
    window.set_json_text('{"name": "Ada L"}')
    sandbox.queue_fault(Fault(delay=1.5, method="GET"))
    assert window.send(until_idle=False).ok
    assert "verifying" in window.status()
    # The send waits for its re-load.
    written = wait_for_log(qtbot, window, 2)
    assert [line["resource"] for line in written] == ["profile", "lists"]

    assert window.close()
    _load, _lists, line, check = log_lines(window)
    assert (line["recipient_id"], line["status"], line["outcome"]) == ("ada", 200, "success")
    assert line["profile_before"] == STORED
    assert line["profile_after"] is None
    assert (check["method"], check["outcome"]) == ("GET", "cancelled")


def test_the_history_survives_a_restart(
    qtbot: QtBot,
    make_window: MakeWindow,
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    first = make_window(sandbox.url, sandbox.key)
    first.wait_history_loaded()
    for n in range(4):
        first.fill(recipient=f"user-{n}", profile={"n": n}, method="POST")
        assert first.send().ok
    wait_for_log(qtbot, first, 4)
    first.close()
    assert (tmp_path / "data" / "history.sqlite3").stat().st_mode & 0o777 == 0o600

    second = make_window(sandbox.url, sandbox.key)
    qtbot.waitUntil(lambda: len(second.history().entries()) == 4, timeout=5000)
    assert second.history_cells(RECIPIENT_COLUMN) == ["user-3", "user-2", "user-1", "user-0"]
    # New sends go on top of what was read.
    second.fill(recipient="user-4", profile={"n": 4}, method="POST")
    assert second.send().ok
    assert second.history_cells(RECIPIENT_COLUMN)[:2] == ["user-4", "user-3"]
    # Rows read back hold no bodies until one is selected: then they are read on a worker.
    select_row(second, 1)
    qtbot.waitUntil(lambda: '"n": 3' in second.history().details.toPlainText(), timeout=5000)


def test_a_history_that_cannot_be_written_is_reported(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    # A folder where the database should be: it cannot be opened, history is off.
    (tmp_path / "data" / "history.sqlite3").mkdir(parents=True)
    window = make_window(sandbox.url, sandbox.key)
    window.wait_history_loaded()
    window.wait_status("Cannot write the history")
    assert window.status_state() == "warning"
    window.fill(recipient="ada", profile={"a": 1}, method="POST")
    assert window.send().ok
    assert "History is off: Cannot write the history" in window.history().status_label.text()
    assert "✓" in window.status()  # the send itself still reads as done
    assert window.history_cells(RECIPIENT_COLUMN) == ["ada"]  # still listed for this session


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
    make_window: MakeWindow,
    keyed_sandbox: SandboxServer,
    dialog_stub: DialogStub,
    tmp_path: Path,
) -> None:
    sandbox = keyed_sandbox
    data = tmp_path / "data"
    exports = data / "exports"
    exports.mkdir(parents=True)
    window = make_window(sandbox.url, DISTINCTIVE_KEY)
    window.wait_history_loaded()

    # Load, edit, save as a preset, send with verification.
    sandbox.put_profile("ada", STORED)
    assert window.load("ada").ok
    window.set_json_text('{"name": "Ada L"}')
    window.set_note("weekly fix")
    dialog_stub.answer("ask_text", "Ada")
    window.save()
    assert "Saved preset" in window.status()
    assert window.send().ok
    assert "verified" in window.status()

    # Errors: the API's and the network's.
    sandbox.queue_fault(Fault(status=401))
    assert window.send().status_code == 401
    sandbox.queue_fault(Fault(drop=True, times=3))
    assert window.send().kind.value == "network_error"

    # The key pasted where it does not belong: a profile value and a note.
    assert window.load("bob").status_code == 404
    leaky = {"token": DISTINCTIVE_KEY, "nested": {"list": [f"Bearer {DISTINCTIVE_KEY}"]}}
    window.set_json_text(json.dumps(leaky))
    assert window.send().ok  # what the user sends is theirs to send…
    assert sandbox.get_profile("bob") == leaky
    dialog_stub.answer("ask_text", "Leaky")
    window.save()  # …but it is not kept in a preset
    assert dialog_stub.last().kind == "inform"
    window.new_preset()
    window.set_recipient("carol")
    window.set_note(f"key: {DISTINCTIVE_KEY}")
    dialog_stub.answer("ask_text", "Leaky note")
    window.save()
    assert dialog_stub.last().kind == "inform"
    window.set_note("")

    # Export the history and the preset into the data folder, so they are scanned too.
    with qtbot.waitSignal(window.history().exported):
        assert window.history().export_visible(exports / "history.jsonl")
    assert window.presets().select_path(data / "presets" / "Ada.json")
    assert window.presets().export_selected(exports / "Ada.json")
    # Every request of the session (loads and verifications too) is in the database.
    qtbot.waitUntil(
        lambda: len(log_lines(window)) == len(window.history().entries()) >= 6, timeout=5000
    )
    assert window.close()

    written = sorted(str(p.relative_to(data)) for p in data.rglob("*") if p.is_file())
    for expected in (
        "settings.ini",
        "presets/Ada.json",
        "history.sqlite3",
        "exports/history.jsonl",
        "exports/Ada.json",
    ):
        assert expected in written
    assert [p.name for p in (data / "presets").glob("*.json")] == ["Ada.json"]
    store = HistoryStore(data / "history.sqlite3")
    history = json.dumps([json.loads(entry_to_line(e)) for e in store.entries()])
    store.close()
    assert "****" in history  # the profile value was masked, not dropped
    assert DISTINCTIVE_KEY not in history and KEY_TAIL not in history
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
    make_window: MakeWindow, keyed_sandbox: SandboxServer
) -> None:
    window = make_window(keyed_sandbox.url, DISTINCTIVE_KEY)
    window.wait_history_loaded()
    window.fill(recipient="ada", profile={"token": DISTINCTIVE_KEY}, method="POST")
    assert window.send().ok
    select_row(window, 0)
    details = window.history().details.toPlainText()
    assert DISTINCTIVE_KEY not in details and "****" in details
    index = window.history().view.model().index(0, RECIPIENT_COLUMN)
    assert DISTINCTIVE_KEY not in str(index.data(Qt.ItemDataRole.ToolTipRole))


def test_a_history_that_stops_being_writable_says_so_once(
    qtbot: QtBot,
    make_window: MakeWindow,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_window(sandbox.url, sandbox.key)
    window.wait_history_loaded()
    store = window.history_log()

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise StorageError(f"Cannot write the history to {store.path}: the disk is full.")

    monkeypatch.setattr(store, "append_many", full)
    failures: list[str] = []
    window.widget.recorder.writeFailed.connect(failures.append)
    for n in range(3):
        window.fill(recipient=f"user-{n}", profile={"n": n}, method="POST")
        assert window.send().ok
        qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert len(failures) == 1  # one message, then history is off
    assert "the disk is full" in failures[0] and "History is off" in failures[0]
    assert "History is off" in window.history().status_label.text()
    # The window goes on working, and this session's sends are still listed.
    assert window.history_cells(RECIPIENT_COLUMN) == ["user-2", "user-1", "user-0"]


def test_history_of_this_recipient_shows_each_change_in_order(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    from PySide6.QtWidgets import QTreeWidget

    from profile_editor.ui.history.timeline import RecipientTimeline

    window.wait_history_loaded()
    window.fill(recipient="ada", profile={"plan": "free", "seats": 1}, method="PUT")
    assert window.send().ok
    window.fill(recipient="ada", profile={"plan": "pro"}, method="POST")
    assert window.send().ok
    window.fill(recipient="bob", profile={"x": 1}, method="POST")
    assert window.send().ok
    wait_for_log(qtbot, window, 3)

    # From the recipient field (View → History of this recipient).
    window.set_recipient("ada")
    window.widget.menus.timeline.trigger()
    dialog = window.widget.findChild(RecipientTimeline)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=5000)
    assert "2 requests to “ada”" in dialog.summary.text()
    # By default the last change: "plan" went from free to pro, "seats" stayed.
    tree = dialog.findChild(QTreeWidget, "changesTree")
    qtbot.waitUntil(lambda: tree.topLevelItemCount() > 0, timeout=5000)
    rows = [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]
    assert "plan" in rows and "seats" not in rows
    # Any two points: from nothing stored to the newest, everything is added.
    with qtbot.waitSignal(dialog.diffShown, timeout=5000):
        dialog.set_points(-1, 1)
    labels = {
        tree.topLevelItem(i).text(1): tree.topLevelItem(i).text(0)
        for i in range(tree.topLevelItemCount())
    }
    assert labels == {"plan": "+ added", "seats": "+ added"}
    dialog.close()

    # From a history entry: the selected row's recipient. The panel adds rows in bursts, after
    # the log has them: wait until the newest (bob's) is shown.
    panel = window.history()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=5000)
    window.history().select_row(0)  # bob
    with qtbot.waitSignal(window.history().timelineRequested) as blocker:
        window.history().timeline_button.click()
    assert blocker.args == ["bob"]


def test_a_damaged_database_is_moved_aside_and_the_user_told_where(
    qtbot: QtBot, make_window: MakeWindow, sandbox: SandboxServer, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "history.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all " * 500)
    window = make_window(sandbox.url, sandbox.key)
    window.wait_history_loaded()
    text = window.history().status_label.text()
    assert "damaged" in text and "history.sqlite3.corrupt-" in text
    assert list(path.parent.glob("history.sqlite3.corrupt-*"))
    window.fill(recipient="ada", profile={"a": 1}, method="POST")
    assert window.send().ok
    wait_for_log(qtbot, window, 1)
