"""The Bulk apply dialog end to end against the sandbox: preview, dry run, run, pause, cancel."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.bulk.runner import RunCounts
from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.history import HistoryEntry, HistoryLog
from profile_editor.ui.bulk import dialog as bulk_dialog
from profile_editor.ui.bulk.dialog import BulkDialog

MakeDialog = Callable[..., BulkDialog]
SUCCESS = json.dumps({"status": "SUCCESS"})


@pytest.fixture
def history(tmp_path: Path) -> HistoryLog:
    return HistoryLog(tmp_path / "data" / "history")


@pytest.fixture
def make_dialog(
    qtbot: QtBot,
    sandbox: SandboxServer,
    history: HistoryLog,
    tmp_path: Path,
    dialog_stub: DialogStub,
) -> MakeDialog:
    def make(**options: object) -> BulkDialog:
        options.setdefault("base_url", sandbox.url)
        options.setdefault("api_key", lambda: sandbox.key)
        dialog = BulkDialog(history=history, data_dir=tmp_path / "data", **options)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def _rows(path: Path, count: int) -> Path:
    lines = ["recipient_id,locale,age:number,custom.plan"]
    lines += [f"u{n:03d},fr-FR,{n},pro" for n in range(1, count + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _choose(qtbot: QtBot, dialog: BulkDialog, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_dialog, "ask_open_file", lambda parent: str(path))
    with qtbot.waitSignal(dialog.previewReady, timeout=10_000):
        dialog.choose_button.click()


def _table_texts(table: object, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]  # type: ignore[attr-defined]


def test_preview_then_dry_run_then_run(
    qtbot: QtBot,
    make_dialog: MakeDialog,
    sandbox: SandboxServer,
    history: HistoryLog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _rows(tmp_path / "fix.csv", 30)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("u031,de-DE,old,basic\nu001,es-ES,1,pro\n")
    sandbox.put_profile("u001", {"locale": "en-US", "keep": True})
    dialog = make_dialog()
    assert not dialog.run_button.isEnabled()
    _choose(qtbot, dialog, path, monkeypatch)

    assert _table_texts(dialog.mapping_table, 1) == ["locale", "age", "custom.plan"]
    assert _table_texts(dialog.mapping_table, 2) == ["string", "number", "string"]
    assert dialog.rows_table.rowCount() == 20
    assert _table_texts(dialog.bad_table, 0) == ["32", "33"]
    assert "32 rows; 2 bad" in dialog.summary_label.text()

    with qtbot.waitSignal(dialog.runFinished, timeout=30_000) as dry:
        dialog.dry_run_button.click()
    counts: RunCounts = dry.args[0]
    assert (counts.would_change, counts.bad) == (30, 2)
    assert {r.method for r in sandbox.requests()} == {"GET"}
    assert history.entries() == []

    opened: list[Path] = []
    monkeypatch.setattr(bulk_dialog, "open_report", opened.append)
    with (
        qtbot.waitSignal(dialog.runRecorded, timeout=30_000) as recorded,
        qtbot.waitSignal(dialog.runFinished, timeout=30_000) as run,
    ):
        dialog.run_button.click()
    counts = run.args[0]
    assert (counts.done, counts.bad, counts.failed) == (30, 2, 0)
    assert dialog.progress_bar.value() == 32
    assert sandbox.get_profile("u001") == {
        "locale": "fr-FR",
        "keep": True,
        "age": 1,
        "custom": {"plan": "pro"},
    }
    entry: HistoryEntry = recorded.args[0]
    assert [e.id for e in history.entries()] == [entry.id]
    assert (entry.source, entry.outcome) == ("bulk", "api_error")  # two rows were bad
    assert entry.report is not None
    with open(entry.report, newline="", encoding="utf-8") as handle:
        report = list(csv.DictReader(handle))
    assert len(report) == 32
    assert dialog.report_button.isEnabled()
    dialog.report_button.click()
    assert opened == [Path(entry.report)]


def test_replace_asks_first(
    qtbot: QtBot,
    make_dialog: MakeDialog,
    sandbox: SandboxServer,
    tmp_path: Path,
    dialog_stub: DialogStub,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = make_dialog(environment="Staging", protected=True)
    _choose(qtbot, dialog, _rows(tmp_path / "r.csv", 2), monkeypatch)
    dialog.method_combo.setCurrentIndex(1)
    dialog_stub.answer("confirm", False)
    dialog.run_button.click()
    assert dialog_stub.kinds() == ["confirm"]
    assert "protected" in dialog_stub.last().text
    assert "Not sent" in dialog.status_label.text()
    assert sandbox.requests() == []


def test_pause_holds_new_rows_and_resume_finishes(
    qtbot: QtBot,
    make_dialog: MakeDialog,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first row is slow, so the run can be paused while it is in flight.
    sandbox.queue_fault(Fault(status=200, body=SUCCESS, delay=1.5, path_prefix="/profiles/u001"))
    dialog = make_dialog()
    dialog.concurrency_spin.setValue(1)
    _choose(qtbot, dialog, _rows(tmp_path / "p.csv", 10), monkeypatch)
    dialog.run_button.click()
    qtbot.waitUntil(dialog.pause_button.isEnabled, timeout=10_000)
    qtbot.waitUntil(lambda: len(sandbox.requests()) == 1, timeout=10_000)  # u001 in flight
    dialog.pause_button.click()
    assert dialog.pause_button.text() == "Resume"
    bulk = dialog._bulk
    assert bulk is not None and bulk.paused
    qtbot.waitUntil(lambda: bulk.snapshot().finished == 1, timeout=10_000)
    assert [r.recipient_id for r in sandbox.requests()] == ["u001"]
    with qtbot.waitSignal(dialog.runFinished, timeout=30_000) as run:
        dialog.pause_button.click()
    assert run.args[0].done == 10


def test_cancel_stops_the_run_and_records_it(
    qtbot: QtBot,
    make_dialog: MakeDialog,
    sandbox: SandboxServer,
    history: HistoryLog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox.queue_fault(Fault(status=200, body=SUCCESS, delay=30, path_prefix="/profiles/u001"))
    dialog = make_dialog()
    dialog.concurrency_spin.setValue(1)
    _choose(qtbot, dialog, _rows(tmp_path / "c.csv", 5), monkeypatch)
    dialog.run_button.click()
    qtbot.waitUntil(lambda: len(sandbox.requests()) == 1, timeout=10_000)
    qtbot.waitUntil(dialog.cancel_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(dialog.runFinished, timeout=10_000) as run:
        dialog.cancel_button.click()
    counts = run.args[0]
    assert (counts.done, counts.cancelled) == (0, 1)
    assert [e.outcome for e in history.entries()] == ["cancelled"]
    assert dialog.run_button.isEnabled()


def test_a_file_without_recipient_column_cannot_run(
    qtbot: QtBot, make_dialog: MakeDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,locale\nu1,fr\n")
    dialog = make_dialog()
    _choose(qtbot, dialog, path, monkeypatch)
    assert "recipient_id" in dialog.summary_label.text()
    assert not dialog.run_button.isEnabled()


def test_a_broken_quote_is_refused_in_the_preview_and_at_the_run(
    qtbot: QtBot,
    make_dialog: MakeDialog,
    sandbox: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "q.csv"
    path.write_text('recipient_id,email\nm1,"a@example.com\nm2,b@example.com\n')
    dialog = make_dialog()
    _choose(qtbot, dialog, path, monkeypatch)
    assert "Line 2, cell 2" in dialog.summary_label.text()
    assert "never closed" in dialog.summary_label.text()
    assert not dialog.run_button.isEnabled()

    # Fine when previewed, broken by the time Run is pressed: nothing goes out, no files stay.
    _rows(path, 3)
    _choose(qtbot, dialog, path, monkeypatch)
    assert dialog.run_button.isEnabled()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('u004,"fr-FR\n')
    dialog.run_button.click()
    qtbot.waitUntil(lambda: "Nothing was sent" in dialog.status_label.text(), timeout=10_000)
    assert "Line 5, cell 2" in dialog.status_label.text()
    assert sandbox.requests() == []
    assert list((tmp_path / "data" / "bulk").glob("*.journal.jsonl")) == []
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=10_000)


def test_bad_bytes_and_short_rows_are_listed_as_bad_rows(
    qtbot: QtBot, make_dialog: MakeDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(
        b"recipient_id,locale,age:number\nu1,fr-FR,1\nu2,caf\xe9,2\nu3,de-DE\nu4,x,1e400\n"
    )
    dialog = make_dialog()
    _choose(qtbot, dialog, path, monkeypatch)
    assert _table_texts(dialog.bad_table, 0) == ["3", "4", "5"]
    reasons = _table_texts(dialog.bad_table, 2)
    assert "not UTF-8 text (byte 0xE9" in reasons[0]
    assert "2 cells, but the header names 3 columns" in reasons[1]
    assert "too large for a number" in reasons[2]
    assert "4 rows; 3 bad row(s)" in dialog.summary_label.text()
