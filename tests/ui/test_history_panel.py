"""HistoryPanel: model contract, newest-first order, filters, details, export, reopen, loading."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.storage.history import HistoryEntry, HistoryLog
from profile_editor.storage.history_db import HistoryStore
from profile_editor.ui.common.workers import JobRunner
from profile_editor.ui.history.model import (
    COLUMNS,
    DURATION_COLUMN,
    RECIPIENT_COLUMN,
    STATUS_COLUMN,
    TIME_COLUMN,
    HistoryModel,
)
from profile_editor.ui.history.panel import HistoryPanel

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def entry(
    minutes: int,
    recipient: str,
    status: int | None,
    outcome: str = "success",
    *,
    method: str = "POST",
    body: Any = None,
    **extra: Any,
) -> HistoryEntry:
    return HistoryEntry(
        time=T0 + timedelta(minutes=minutes),
        environment="Production",
        base_url="https://api.courier.com",
        method=method,
        recipient_id=recipient,
        request_body=body if body is not None else {"profile": {"email": f"{recipient}@x.io"}},
        status=status,
        outcome=outcome,
        duration_ms=120.0 + minutes,
        **extra,
    )


ENTRIES = [
    entry(0, "ada", 200),
    entry(1, "bob", 404, "api_error", message="Not found"),
    entry(2, "Ada-2", 500, "api_error", method="PUT"),
    entry(3, "carol", None, "network_error", message="Connection refused"),
    entry(4, "ada", 204, method="DELETE"),
    entry(5, "dave", None, "cancelled"),
]


def recipients(panel: HistoryPanel) -> list[str]:
    model = panel.model
    return [
        model.index(r, RECIPIENT_COLUMN).data(Qt.ItemDataRole.DisplayRole)
        for r in range(model.rowCount())
    ]


@pytest.fixture
def panel(qtbot: QtBot, dialog_stub: DialogStub) -> HistoryPanel:
    p = HistoryPanel()
    qtbot.addWidget(p)
    p.resize(800, 500)
    p.show()
    shuffled = list(ENTRIES)
    random.Random(4).shuffle(shuffled)
    p.set_entries(shuffled)
    return p


@pytest.fixture
def runner() -> Iterator[JobRunner]:
    r = JobRunner()
    yield r
    assert r.shutdown()


def test_model_contract(qtmodeltester: Any) -> None:
    model = HistoryModel()
    qtmodeltester.check(model)
    model.set_entries(ENTRIES)
    qtmodeltester.check(model)
    model.prepend([entry(10, "eve", 200)])
    model.prepend([entry(11, "frank", 503, "api_error")])
    qtmodeltester.check(model)
    # Rows are picked, not edited; no cell has children.
    row = (
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
    )
    assert {model.flags(model.index(r, c)) for r in range(2) for c in range(3)} == {row}
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags
    model.set_entries([])
    qtmodeltester.check(model)


def test_panel_model_contract_through_filters(qtmodeltester: Any, panel: HistoryPanel) -> None:
    qtmodeltester.check(panel.model)
    panel.filter_edit.setText("ada")
    panel.add_entry(entry(9, "ada-new", 200))
    panel.add_entry(entry(10, "zed", 200))  # filtered out: no row
    qtmodeltester.check(panel.model)


def test_columns_and_newest_first(panel: HistoryPanel) -> None:
    assert panel.view.objectName() == "historyView"
    headers = [
        panel.model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(len(COLUMNS))
    ]
    assert headers == ["Time", "Env", "Method", "Recipient", "Status", "Outcome", "Duration"]
    assert recipients(panel) == ["dave", "ada", "carol", "Ada-2", "bob", "ada"]
    first = panel.model.index(0, TIME_COLUMN)
    assert first.data() == ENTRIES[5].time.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert panel.model.index(2, STATUS_COLUMN).data() == "—"
    assert panel.model.index(4, STATUS_COLUMN).data() == "404"
    assert panel.model.index(4, DURATION_COLUMN).data() == "121 ms"
    assert panel.model.index(0, DURATION_COLUMN + 1).data() is None
    assert panel.model.data(QModelIndex()) is None


def test_add_entry_prepends_at_row_zero(qtbot: QtBot, panel: HistoryPanel) -> None:
    new = entry(30, "newest", 200)
    with qtbot.waitSignal(panel.model.rowsInserted) as blocker:
        panel.add_entry(new)
    assert blocker.args[1:] == [0, 0]
    assert recipients(panel)[0] == "newest"
    assert panel.entries()[0] is new


def test_filters_by_recipient_and_status(panel: HistoryPanel) -> None:
    assert panel.filter_edit.objectName() == "historyFilterEdit"
    assert panel.status_combo.objectName() == "historyStatusCombo"
    labels = [panel.status_combo.itemText(i) for i in range(panel.status_combo.count())]
    assert labels == ["All", "2xx", "4xx", "5xx", "Network/other error"]

    panel.filter_edit.setText("ADA")
    assert recipients(panel) == ["ada", "Ada-2", "ada"]
    panel.status_combo.setCurrentIndex(labels.index("2xx"))
    assert recipients(panel) == ["ada", "ada"]
    panel.status_combo.setCurrentIndex(labels.index("5xx"))
    assert recipients(panel) == ["Ada-2"]
    panel.filter_edit.clear()
    panel.status_combo.setCurrentIndex(labels.index("4xx"))
    assert recipients(panel) == ["bob"]
    panel.status_combo.setCurrentIndex(labels.index("Network/other error"))
    assert recipients(panel) == ["dave", "carol"]
    assert "2 of 6" in panel.status_label.text()
    panel.status_combo.setCurrentIndex(0)
    assert len(recipients(panel)) == 6

    # A new entry the filter hides is kept and shows when the filter is lifted.
    panel.filter_edit.setText("bob")
    panel.add_entry(entry(40, "zed", 200))
    assert recipients(panel) == ["bob"]
    panel.filter_edit.clear()
    assert recipients(panel)[0] == "zed"


def test_details_show_the_body(panel: HistoryPanel) -> None:
    assert panel.details.objectName() == "historyDetails"
    assert panel.details.isReadOnly()
    assert not panel.reopen_button.isEnabled()
    with_profiles = entry(
        50,
        "grace",
        200,
        body={"profile": {"email": "grace@x.io", "custom": {"plan": "pro"}}},
        message="ok",
        profile_before={"email": "old@x.io"},
        profile_after={"email": "grace@x.io"},
    )
    panel.add_entry(with_profiles)
    panel.select_row(0)
    text = panel.details.toPlainText()
    assert '"email": "grace@x.io"' in text
    assert '  "profile": {\n    "email"' in text  # pretty, indented
    assert "Message: ok" in text
    assert "Profile before:" in text and '"old@x.io"' in text
    assert "Profile after:" in text
    assert "POST https://api.courier.com/profiles/grace" in text
    assert panel.reopen_button.isEnabled()

    panel.select_row(3)  # carol: network error, no profiles
    text = panel.details.toPlainText()
    assert "Connection refused" in text and "Profile before" not in text


def test_reopen_emits_the_entry(qtbot: QtBot, panel: HistoryPanel) -> None:
    assert panel.reopen_button.objectName() == "historyReopenButton"
    panel.select_row(4)
    with qtbot.waitSignal(panel.reopenRequested) as blocker:
        panel.reopen_button.click()
    assert blocker.args[0] is panel.visible_entries()[4]
    assert blocker.args[0].recipient_id == "bob"

    with qtbot.waitSignal(panel.reopenRequested) as blocker:
        panel.view.activated.emit(panel.model.index(1, 0))
    assert blocker.args[0].recipient_id == "ada"


def test_selection_survives_filtering(panel: HistoryPanel) -> None:
    panel.select_row(4)  # bob
    panel.filter_edit.setText("b")
    assert panel.selected_entry() is not None
    assert panel.selected_entry().recipient_id == "bob"  # type: ignore[union-attr]


def test_export_writes_only_filtered_entries(
    tmp_path: Path,
    panel: HistoryPanel,
    monkeypatch: pytest.MonkeyPatch,
    dialog_stub: DialogStub,
) -> None:
    dest = tmp_path / "out" / "export.jsonl"
    dest.parent.mkdir()
    dialog_stub.answer("ask_save_path", dest)
    panel.filter_edit.setText("ada")
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("2xx"))
    panel.export_button.click()
    lines = dest.read_text(encoding="utf-8").splitlines()
    exported = [HistoryEntry.model_validate_json(line) for line in lines]
    assert [e.id for e in exported] == [e.id for e in panel.visible_entries()]
    assert [e.recipient_id for e in exported] == ["ada", "ada"]

    panel.filter_edit.setText("nobody")
    assert not panel.export_button.isEnabled()
    assert not panel.export_visible()
    informed = dialog_stub.of("inform")
    assert informed and "nothing to export" in informed[-1].text


def test_export_cancel_writes_nothing(
    tmp_path: Path, panel: HistoryPanel, dialog_stub: DialogStub
) -> None:
    dialog_stub.answer("ask_save_path", None)
    assert not panel.export_visible()
    assert list(tmp_path.iterdir()) == []


def test_export_masks_known_keys(tmp_path: Path, qtbot: QtBot) -> None:
    key = "pk_prod_HISTORY-KEY-123456"
    p = HistoryPanel(secrets=lambda: [key])
    qtbot.addWidget(p)
    p.add_entry(entry(0, "ada", 401, "api_error", message=f"bad key {key}"))
    p.select_row(0)
    assert key not in p.details.toPlainText()
    dest = tmp_path / "h.jsonl"
    assert p.export_visible(dest)
    assert key not in dest.read_text(encoding="utf-8")


def test_load_from_reads_on_the_runner(qtbot: QtBot, tmp_path: Path, runner: JobRunner) -> None:
    # The JSON Lines files of earlier versions are taken over on the first open.
    log = HistoryLog(tmp_path / "history")
    for e in ENTRIES:
        log.append(e)
    with log.path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    p = HistoryPanel()
    qtbot.addWidget(p)

    added_before_read = ENTRIES[-1]  # already in the log and added by the window: once only
    added_only_here = entry(60, "late", 200)
    with qtbot.waitSignal(p.loaded, timeout=5000) as blocker:
        p.load_from(HistoryStore.in_data_dir(tmp_path), runner)
        assert p.is_loading()
        assert "Loading" in p.status_label.text()
        p.add_entry(added_only_here)
        p.add_entry(added_before_read)
        assert "loading" in p.status_label.text()
    assert blocker.args == [len(ENTRIES) + 1]
    assert not p.is_loading()
    assert recipients(p) == ["late", "dave", "ada", "carol", "Ada-2", "bob", "ada"]
    assert "1 unreadable line left out" in p.status_label.text()
    assert (tmp_path / "history" / "history.jsonl.migrated").exists()
    qtbot.waitUntil(lambda: runner.active_count() == 0)
    qtbot.waitUntil(lambda: p.status_label.text().startswith("7 requests"))


def test_a_newer_load_supersedes_an_older_one(
    qtbot: QtBot, tmp_path: Path, runner: JobRunner
) -> None:
    store = HistoryStore.in_data_dir(tmp_path)
    store.append(ENTRIES[0])
    p = HistoryPanel()
    qtbot.addWidget(p)
    p.load_from(store, runner)
    p.set_entries([ENTRIES[1]])  # explicit entries win over the pending read
    qtbot.waitUntil(lambda: runner.active_count() == 0)
    assert recipients(p) == ["bob"]
    assert not p.is_loading()


def test_a_panel_closed_during_a_load_is_left_alone(
    qtbot: QtBot, tmp_path: Path, runner: JobRunner
) -> None:
    store = HistoryStore.in_data_dir(tmp_path)
    store.append(ENTRIES[0])
    p = HistoryPanel()
    p.load_from(store, runner)
    shiboken6.delete(p)
    qtbot.waitUntil(lambda: runner.active_count() == 0)


def test_export_file_is_json_lines(tmp_path: Path, panel: HistoryPanel) -> None:
    dest = tmp_path / "all.jsonl"
    assert panel.export_visible(dest)
    rows = [json.loads(line) for line in dest.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(ENTRIES)
