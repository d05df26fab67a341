"""File → Bulk apply…: preview a CSV or JSONL file, dry-run it, run it with pause and cancel.

The run itself is :mod:`profile_editor.bulk` (the command line's engine) on a worker; this
dialog only shows it. Everything it reads or sends happens off the UI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from profile_editor.ui.common import dialogs
from profile_editor.ui.common.workers import Job, JobRunner

if TYPE_CHECKING:
    from profile_editor.bulk.inputs import Preview
    from profile_editor.bulk.runner import BulkRunner, RunCounts
    from profile_editor.core.http.session import Session
    from profile_editor.core.send.plan import Target
    from profile_editor.storage.history import HistoryEntry, HistoryLog

_W = TypeVar("_W", bound=QWidget)
# Progress reaches the UI at most this often, however fast rows finish.
PROGRESS_EVERY_S = 0.1
PREVIEW_ROWS = 20


def ask_open_file(parent: QWidget) -> str:
    """The one seam tests replace: the file chooser."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Bulk apply: choose a file", "", "Rows (*.csv *.jsonl *.ndjson);;All files (*)"
    )
    return path


def open_report(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class BulkDialog(QDialog):
    """Bulk apply, standalone: give it where to send, how to get the key and where to keep files.

    Signals:
        previewReady(object): the file's :class:`Preview` (or an error text) after it was read.
        runFinished(object): the :class:`RunCounts` of a run or dry run that ended.
        runRecorded(object): the :class:`HistoryEntry` written for a run (not for dry runs).
    """

    previewReady = Signal(object)
    runFinished = Signal(object)
    runRecorded = Signal(object)

    def __init__(
        self,
        *,
        base_url: str,
        api_key: Callable[[], str | None],
        history: HistoryLog,
        data_dir: Path,
        environment: str | None = None,
        protected: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bulkDialog")
        self.setWindowTitle("Bulk apply")
        self._base_url = base_url
        self._api_key = api_key
        self._history = history
        self._work_dir = data_dir / "bulk"
        self._environment = environment
        self._protected = protected
        self.runner = JobRunner(self, max_threads=2)
        self._session: Session | None = None
        self._preview: Preview | None = None
        self._bulk: BulkRunner | None = None
        self._running = False
        self.report_path: Path | None = None
        self._build()
        self._connect_signals()
        self._update_buttons()

    # ----------------------------------------------------------------- layout
    def _build(self) -> None:
        self.file_edit = _named(QLineEdit(), "bulkFileEdit")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("A CSV with a recipient_id column, or JSONL")
        self.choose_button = _named(QPushButton("Choose…"), "bulkChooseButton")
        self.method_combo = _named(QComboBox(), "bulkMethodCombo")
        self.method_combo.addItem("Merge (POST)", "POST")
        self.method_combo.addItem("Replace (PUT)", "PUT")
        self.concurrency_spin = _named(QSpinBox(), "bulkConcurrencySpin")
        self.concurrency_spin.setRange(1, 16)
        self.concurrency_spin.setValue(4)
        target = _named(
            QLabel(f"{self._environment or 'Custom'} · {self._base_url}"), "bulkTargetLabel"
        )

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("File", file_row)
        form.addRow("Sends to", target)
        form.addRow("Method", self.method_combo)
        form.addRow("Concurrency", self.concurrency_spin)

        self.mapping_table = _table("bulkMappingTable", ["Column", "Profile key", "Type"])
        self.rows_table = _table("bulkRowsTable", ["Line", "Recipient", "Profile"])
        self.bad_table = _table("bulkBadRowsTable", ["Line", "Recipient", "Why it is skipped"])
        self.summary_label = _named(QLabel("Choose a file to see its rows."), "bulkSummaryLabel")
        self.progress_bar = _named(QProgressBar(), "bulkProgressBar")
        self.progress_bar.setFormat("%v / %m")
        self.status_label = _named(QLabel(""), "bulkStatusLabel")
        self.status_label.setWordWrap(True)

        self.dry_run_button = _named(QPushButton("Dry run"), "bulkDryRunButton")
        self.run_button = _named(QPushButton("Run"), "bulkRunButton")
        self.pause_button = _named(QPushButton("Pause"), "bulkPauseButton")
        self.cancel_button = _named(QPushButton("Cancel run"), "bulkCancelButton")
        self.report_button = _named(QPushButton("Open report"), "bulkOpenReportButton")
        self.close_button = _named(QPushButton("Close"), "bulkCloseButton")
        buttons = QHBoxLayout()
        for button in (self.dry_run_button, self.run_button, self.pause_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Columns → profile keys"))
        layout.addWidget(self.mapping_table)
        layout.addWidget(QLabel(f"First rows (up to {PREVIEW_ROWS})"))
        layout.addWidget(self.rows_table)
        layout.addWidget(QLabel("Bad rows (skipped)"))
        layout.addWidget(self.bad_table)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)
        self.resize(760, 640)

    def _connect_signals(self) -> None:
        self.choose_button.clicked.connect(self.on_choose_clicked)
        self.dry_run_button.clicked.connect(self.on_dry_run_clicked)
        self.run_button.clicked.connect(self.on_run_clicked)
        self.pause_button.clicked.connect(self.on_pause_clicked)
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        self.report_button.clicked.connect(self.on_report_clicked)
        self.close_button.clicked.connect(self.close)

    def _update_buttons(self) -> None:
        ready = self._preview is not None and not self._running
        self.dry_run_button.setEnabled(ready)
        self.run_button.setEnabled(ready)
        self.pause_button.setEnabled(self._running and self._bulk is not None)
        self.cancel_button.setEnabled(self._running)
        self.report_button.setEnabled(
            not self._running and self.report_path is not None and self.report_path.exists()
        )
        self.choose_button.setEnabled(not self._running)
        self.method_combo.setEnabled(not self._running)
        self.concurrency_spin.setEnabled(not self._running)

    # ----------------------------------------------------------------- preview
    def on_choose_clicked(self) -> None:
        path = ask_open_file(self)
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        """Read ``path`` on a worker and show its preview."""
        from profile_editor.bulk.inputs import preview
        from profile_editor.bulk.rows import InputError

        self.file_edit.setText(str(path))
        self._preview = None
        self.summary_label.setText("Reading…")
        self._update_buttons()

        def work(_progress: Any) -> Preview | str:
            try:
                return preview(path, PREVIEW_ROWS)
            except InputError as err:
                return str(err)

        self.runner.run(
            Job(work)
            .on_finished(self._show_preview)
            .on_failed(lambda exc: self._show_preview(_error_text(exc)))
        )

    def _show_preview(self, result: Preview | str) -> None:
        for table in (self.mapping_table, self.rows_table, self.bad_table):
            table.setRowCount(0)
        if isinstance(result, str):
            self.summary_label.setText(f"Cannot use this file: {result}")
            self._preview = None
        else:
            from profile_editor.core.profile.jsoncodec import dumps_compact

            self._preview = result
            _fill(self.mapping_table, result.mapping)
            _fill(
                self.rows_table,
                [
                    (str(r.line), r.recipient_id, dumps_compact(r.profile)[:200])
                    for r in result.rows
                ],
            )
            _fill(self.bad_table, [(str(b.line), b.recipient_id, b.reason) for b in result.bad])
            bad = max(result.bad_total, len(result.bad))
            listed = f" (the first {len(result.bad):,} are listed)" if bad > len(result.bad) else ""
            self.summary_label.setText(
                f"{result.total:,} rows; {bad:,} bad row(s) will be skipped{listed}."
                if bad
                else f"{result.total:,} rows, none bad."
            )
            self.progress_bar.setRange(0, max(result.total, 1))
            self.progress_bar.setValue(0)
        self._update_buttons()
        self.previewReady.emit(result)

    # ----------------------------------------------------------------- running
    def on_dry_run_clicked(self) -> None:
        self._start(dry_run=True)

    def on_run_clicked(self) -> None:
        self._start(dry_run=False)

    def _method(self) -> Any:
        from profile_editor.core.methods import Method

        return Method(self.method_combo.currentData())

    def _confirmed(self) -> bool:
        from profile_editor.core.methods import Method

        assert self._preview is not None
        rows = self._preview.total - len(self._preview.bad)
        if (
            self._protected
            and self._environment
            and not dialogs.confirm(
                self,
                f"Send to {self._environment}?",
                f"“{self._environment}” is a protected environment ({self._base_url}). "
                f"Apply {rows:,} rows there?",
                ok=f"Apply in {self._environment}",
            )
        ):
            return False
        return self._method() is not Method.PUT or dialogs.confirm(
            self,
            "Replace profiles?",
            f"Replace the whole profile of {rows:,} recipients at {self._base_url}?",
            "Every stored key that is not in a row's columns is removed.",
            ok="Replace",
        )

    def _start(self, *, dry_run: bool) -> None:
        from profile_editor.core.send.draft import Draft
        from profile_editor.core.send.plan import Refusal, Target, plan_load

        if self._preview is None or self._running:
            return
        key = self._api_key()
        target = Target(
            base_url=self._base_url,
            environment=self._environment,
            protected=self._protected,
            has_key=bool(key),
        )
        refusal = plan_load(Draft(recipient_id="bulk"), target)
        if isinstance(refusal, Refusal):
            self.status_label.setText(refusal.message)
            return
        if not dry_run and not self._confirmed():
            self.status_label.setText("Not sent: cancelled at the confirmation.")
            return
        if self._session is None:
            from profile_editor.core.http.session import Session

            self._session = Session()
        session = self._session
        path = Path(self.file_edit.text())
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self._work_dir.mkdir(parents=True, exist_ok=True)
        name = f"{path.stem}-{stamp}{'-dry-run' if dry_run else ''}"
        self.report_path = self._work_dir / f"{name}.report.csv"
        journal_path = self._work_dir / f"{name}.journal.jsonl"
        method = self._method()
        concurrency = self.concurrency_spin.value()
        # Made here so that closing the dialog can stop the run before its rows start.
        token = session.cancel_token()
        history = self._history
        report_path = self.report_path

        def work(
            progress: Callable[[Any], None],
        ) -> tuple[RunCounts, HistoryEntry | None] | _NotStarted:
            from profile_editor.bulk.history import run_entry
            from profile_editor.bulk.session import START_ERRORS, BulkJob

            job = BulkJob(
                input_path=path,
                method=method,
                target=target,
                client=session.client(),
                api_key=key,
                dry_run=dry_run,
                concurrency=concurrency,
                journal_path=journal_path,
                report_path=report_path,
                cancel=token,
            )
            last = [0.0]

            def on_result(_result: Any) -> None:
                now = time.monotonic()
                if now - last[0] >= PROGRESS_EVERY_S:
                    last[0] = now
                    progress(("counts", runner.snapshot()))

            try:
                # The file is read again here, whole, before anything is sent: it may have
                # changed since the preview.
                runner = job.prepare(on_result)
            except START_ERRORS as err:
                return _NotStarted(str(err))
            progress(("runner", runner))
            counts = job.run()
            entry = None
            if not dry_run:
                entry = run_entry(
                    environment=target.environment,
                    base_url=target.base_url,
                    method=method,
                    input_path=path,
                    counts=counts,
                    duration_ms=(time.monotonic() - counts.started) * 1000,
                    report=report_path,
                    source="bulk",
                    interrupted=runner.cancelled,
                )
                history.append(entry, secrets=[key] if key else [])
            return counts, entry

        self._running = True
        self._bulk = None
        self.progress_bar.setValue(0)
        self.status_label.setText("Dry run: loading each recipient…" if dry_run else "Sending…")
        self._update_buttons()
        self.runner.run(
            Job(work, token=token)
            .on_finished(lambda result: self._finished(result, dry_run))
            .on_failed(lambda exc: self._finished(_error_text(exc), dry_run))
            .on_progress(self._on_progress)
        )

    def _on_progress(self, note: tuple[str, Any]) -> None:
        kind, value = note
        if kind == "runner":
            self._bulk = value
            self._update_buttons()
        else:
            self._show_counts(value)

    def _show_counts(self, counts: RunCounts) -> None:
        self.progress_bar.setValue(counts.finished + counts.skipped)
        elapsed = max(time.monotonic() - counts.started, 1e-6)
        paused = " · paused" if self._bulk is not None and self._bulk.paused else ""
        self.status_label.setText(
            f"{counts.summary()} · {counts.finished / elapsed:,.0f} rows/s{paused}"
        )

    def _finished(self, result: Any, dry_run: bool) -> None:
        self._running = False
        self._bulk = None
        self.pause_button.setText("Pause")
        if isinstance(result, _NotStarted):
            self.status_label.setText(f"Nothing was sent: {result.message}")
            self._update_buttons()
            return
        if isinstance(result, str):
            self.status_label.setText(f"The run stopped: {result}")
            self._update_buttons()
            return
        counts, entry = result
        self._show_counts(counts)
        verb = "Dry run" if dry_run else "Bulk apply"
        self.status_label.setText(f"{verb} finished: {counts.summary()}.")
        self._update_buttons()
        if entry is not None:
            self.runRecorded.emit(entry)
        self.runFinished.emit(counts)

    def on_pause_clicked(self) -> None:
        if self._bulk is None:
            return
        if self._bulk.paused:
            self._bulk.resume()
            self.pause_button.setText("Pause")
        else:
            self._bulk.pause()
            self.pause_button.setText("Resume")
        self._show_counts(self._bulk.snapshot())

    def on_cancel_clicked(self) -> None:
        if self._bulk is not None:
            self._bulk.cancel()
        self.status_label.setText("Cancelling: rows in flight are stopped…")

    def on_report_clicked(self) -> None:
        if self.report_path is not None:
            open_report(self.report_path)

    # ----------------------------------------------------------------- closing
    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def reject(self) -> None:  # Esc
        self.shutdown()
        super().reject()

    def shutdown(self) -> None:
        """Cancel a run in progress and wait (bounded) for the workers; safe to call twice."""
        if self._bulk is not None:
            self._bulk.cancel()
        self.runner.shutdown()
        if self._session is not None:
            self._session.close()
            self._session = None


@dataclass(frozen=True)
class _NotStarted:
    """A run that did not start (its files or its input cannot be used): nothing was sent."""

    message: str


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = _named(QTableWidget(0, len(headers)), name)
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return table


def _named(widget: _W, name: str) -> _W:
    widget.setObjectName(name)  # tests and style sheets find widgets by these names
    return widget


def _fill(table: QTableWidget, rows: Sequence[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))


def open_bulk_dialog(
    parent: QWidget,
    target: Target,
    api_key: Callable[[], str | None],
    history: HistoryLog,
    data_dir: Path,
    recorded: Callable[[HistoryEntry], object],
) -> None:
    """File → Bulk apply…: the dialog for the window's current environment, modal."""
    dialog = BulkDialog(
        base_url=target.base_url,
        api_key=api_key,
        history=history,
        data_dir=data_dir,
        environment=target.environment,
        protected=target.protected,
        parent=parent,
    )
    dialog.runRecorded.connect(recorded)
    dialog.exec()
