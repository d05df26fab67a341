"""Crash reports from any thread, brought to the UI thread and shown in one error dialog.

Start-up only pays for this small bridge; the dialog's module is imported on the first error.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from profile_editor.diagnostics.crash import CrashReport, run_before_report

if TYPE_CHECKING:
    from profile_editor.ui.shell.error_dialog import ErrorDialog


class ErrorReporter(QObject):
    """Takes crash reports from any thread and shows them in one :class:`ErrorDialog`.

    Signals:
        reported(object): a CrashReport, queued to the UI thread when emitted from another.
        shown(object): the dialog, after a report was added to it (for tests and logging).
    """

    reported = Signal(object)
    shown = Signal(object)

    def __init__(self, log_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.dialog: ErrorDialog | None = None
        self.reported.connect(self._on_reported)

    def notify(self, report: CrashReport) -> None:
        """The crash hooks' ``notify``: callable from any thread."""
        self.reported.emit(report)

    @Slot(object)
    def _on_reported(self, report: CrashReport) -> None:
        if not report.from_ui_thread:
            # The draft, saved on the UI thread where the widgets live.
            report = report.with_work_saved(run_before_report())
        from profile_editor.ui.shell.bring_to_front import bring_to_front
        from profile_editor.ui.shell.error_dialog import ErrorDialog

        if self.dialog is None or not self.dialog.isVisible():
            if self.dialog is not None:
                self.dialog.deleteLater()
            self.dialog = ErrorDialog(self.log_path)
        self.dialog.add_report(report)
        bring_to_front(self.dialog)
        self.shown.emit(self.dialog)

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
