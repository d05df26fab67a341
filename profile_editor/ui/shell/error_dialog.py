"""The dialog an unexpected error brings up (see :mod:`profile_editor.ui.shell.error_reporter`).

The app keeps running after it: the dialog is not modal and one dialog collects every error until
it is closed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from profile_editor.diagnostics.crash import CrashReport


class ErrorDialog(QDialog):
    """Says what happened and where the log is; "Copy details" copies the masked traceback."""

    def __init__(self, log_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDialog")
        self.setWindowTitle("Profile Editor: unexpected error")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._log_path = log_path
        self._reports: list[CrashReport] = []

        self.message = QLabel(self)
        self.message.setObjectName("errorMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("errorDetails")
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        self.details.setVisible(False)

        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("Copy details", self)
        self.copy_button.setObjectName("copyDetailsButton")
        self.copy_button.setToolTip("Copy the error report (keys masked) to the clipboard")
        self.show_button = QPushButton("Show details", self)
        self.show_button.setObjectName("showDetailsButton")
        self.show_button.setCheckable(True)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self.copy_details)
        self.show_button.toggled.connect(self.details.setVisible)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(560, 200)

    def add_report(self, report: CrashReport) -> None:
        self._reports.append(report)
        count = len(self._reports)
        first = self._reports[0].summary
        what = first if count == 1 else f"{first} (and {count - 1} more since)"
        saved = all(r.work_saved for r in self._reports)
        keep = (
            "Your unsaved work was kept as a draft, and the app keeps running; if something looks "
            "wrong, save your work and restart it."
            if saved
            else "The app keeps running; if something looks wrong, save your work (Ctrl+S) and "
            "restart it."
        )
        self.message.setText(
            f"Something went wrong inside Profile Editor: {what}.\n\n{keep}\n\n"
            f"The details are in the log: {self._log_path}"
        )
        self.details.setPlainText(self.details_text())

    def details_text(self) -> str:
        return (
            "\n".join(f"In {r.thread_name}:\n{r.details}" for r in self._reports)
            + f"\nLog: {self._log_path}\n"
        )

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())
