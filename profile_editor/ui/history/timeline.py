"""History of this recipient: every request to it in order, and what changed between two points."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from profile_editor.core.profile.changes import ChangeSet, compute_changes_to
from profile_editor.storage.history_db import HistoryStore
from profile_editor.storage.timeline import TimelinePoint, profile_states
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.history.model import format_duration, local_time, method_label, outcome_label
from profile_editor.ui.request.changes_view import ChangesView

__all__ = ["RecipientTimeline", "open_timeline"]

_COLUMNS = ("Time", "Method", "Status", "Outcome", "Profile after")


class RecipientTimeline(QDialog):
    """The requests to one recipient, oldest first; pick two points to see what changed.

    Signals:
        ready(int): the timeline was read; how many requests it holds.
        diffShown(): the Changes view shows the difference between the chosen points.
    """

    ready = Signal(int)
    diffShown = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        store: HistoryStore,
        runner: JobRunner,
        recipient_id: str,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recipientTimeline")
        self.setWindowTitle(f"History of {recipient_id}")
        self.resize(900, 600)
        self._store = store
        self._runner = runner
        self.recipient_id = recipient_id
        self.points: list[TimelinePoint] = []
        self._diff_generation = 0

        self.summary = QLabel(f"Reading the history of “{recipient_id}”…", self)
        self.summary.setObjectName("timelineSummary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setObjectName("timelineTable")
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.from_combo = QComboBox(self)
        self.from_combo.setObjectName("timelineFromCombo")
        self.to_combo = QComboBox(self)
        self.to_combo.setObjectName("timelineToCombo")
        self.from_combo.currentIndexChanged.connect(self._show_diff)
        self.to_combo.currentIndexChanged.connect(self._show_diff)
        self.table.itemSelectionChanged.connect(self._on_row_selected)
        self.changes = ChangesView(self)
        self.changes.setObjectName("timelineChanges")
        self.changes.show_message("Pick two points to see what changed between them.")

        points = QHBoxLayout()
        points.addWidget(QLabel("Changes from", self))
        points.addWidget(self.from_combo, 1)
        points.addWidget(QLabel("to", self))
        points.addWidget(self.to_combo, 1)
        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(points)
        lower_layout.addWidget(self.changes, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self._load()

    def _load(self) -> None:
        store, recipient = self._store, self.recipient_id

        def read(_progress: Progress) -> list[TimelinePoint]:
            return profile_states(store.timeline(recipient))

        def failed(exc: Exception) -> None:
            if isValid(self):
                self.summary.setText(f"The history could not be read: {exc}")

        self._runner.run(Job(read).on_finished(self._on_read).on_failed(failed))

    def _on_read(self, points: list[TimelinePoint]) -> None:
        if not isValid(self):
            return
        self.points = points
        writes = sum(1 for p in points if p.changed)
        self.summary.setText(
            f"{len(points)} request{'s' if len(points) != 1 else ''} to “{self.recipient_id}”, "
            f"{writes} of them successful writes, oldest first."
            if points
            else f"No requests to “{self.recipient_id}” in the history."
        )
        self.table.setRowCount(len(points))
        for row, point in enumerate(points):
            entry = point.entry
            after = (
                "read back"
                if point.known
                else ("worked out" if point.profile is not None else "none / unknown")
            )
            cells = (
                local_time(entry),
                method_label(entry),
                str(entry.status) if entry.status is not None else "—",
                f"{outcome_label(entry.outcome)} · {format_duration(entry.duration_ms)}",
                after,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        for combo in (self.from_combo, self.to_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("(nothing stored)", -1)
            for row, point in enumerate(points):
                combo.addItem(
                    f"{row + 1}. {local_time(point.entry)} {method_label(point.entry)}", row
                )
            combo.blockSignals(False)
        if points:
            # The last change by default: the point before the newest against the newest.
            self.to_combo.setCurrentIndex(len(points))
            self.from_combo.setCurrentIndex(len(points) - 1)
        self.ready.emit(len(points))
        self._show_diff()

    def _on_row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            # The selected request: what it changed.
            row = rows[0].row()
            self.from_combo.setCurrentIndex(row)  # the point before it (index 0 = nothing)
            self.to_combo.setCurrentIndex(row + 1)

    def set_points(self, first: int, second: int) -> None:
        """Diff the profile after request ``first`` against after ``second`` (-1: none)."""
        self.from_combo.setCurrentIndex(first + 1)
        self.to_combo.setCurrentIndex(second + 1)

    def _profile_at(self, combo: QComboBox) -> tuple[dict[str, Any] | None, str]:
        row = combo.currentData()
        if not isinstance(row, int) or row < 0 or row >= len(self.points):
            return None, "(nothing stored)"
        point = self.points[row]
        return point.profile, f"{row + 1}"

    def _show_diff(self) -> None:
        if not self.points:
            return
        before, first = self._profile_at(self.from_combo)
        after, second = self._profile_at(self.to_combo)
        self._diff_generation += 1
        generation = self._diff_generation

        def diff(_progress: Progress) -> ChangeSet:
            return compute_changes_to(before, after)

        def done(changes: ChangeSet) -> None:
            if isValid(self) and generation == self._diff_generation:
                self.changes.show_changes(
                    f"From {first} to {second}", self.recipient_id, changes, before is None
                )
                self.diffShown.emit()

        self._runner.run(Job(diff).on_finished(done))


def open_timeline(
    parent: QWidget,
    store: HistoryStore,
    runner: JobRunner,
    recipient_id: str,
    secrets: Callable[[], list[str]] | None = None,
) -> RecipientTimeline:
    """Show the timeline of ``recipient_id`` (not modal: the window stays usable)."""
    del secrets  # keys never reach the database, so none can show here
    dialog = RecipientTimeline(parent, store, runner, recipient_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
