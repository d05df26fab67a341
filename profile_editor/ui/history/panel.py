"""Send history: a newest-first table of requests, filters, details and export (in the window,
the panel of :class:`~.dock.HistoryDock`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry, HistoryLog, filter_entries
from profile_editor.storage.secretscan import mask_text
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.history.model import (
    BURST_MS,
    DURATION_COLUMN,
    ENV_COLUMN,
    METHOD_COLUMN,
    OUTCOME_COLUMN,
    RECIPIENT_COLUMN,
    STATUS_COLUMN,
    STATUS_FILTERS,
    TIME_COLUMN,
    HistoryModel,
    describe_entry,
)


class HistoryPanel(QWidget):
    """The history of sent requests.

    Signals:
        reopenRequested(object): the user wants this HistoryEntry back in the editor.
        loaded(int): :meth:`load_from` finished; the number of entries now held.
    """

    reopenRequested = Signal(object)
    loaded = Signal(int)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        secrets: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        # Keys are masked in exports; entries added this session may not have been through the log.
        self._secrets = secrets or (lambda: ())
        self._all: list[HistoryEntry] = []
        self._generation = 0
        self._loading = False
        self._added_while_loading: list[HistoryEntry] = []
        self._note = ""

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("historyFilterEdit")
        self.filter_edit.setPlaceholderText("Filter by recipient ID")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._apply_filter)

        self.status_combo = QComboBox(self)
        self.status_combo.setObjectName("historyStatusCombo")
        self.status_combo.setToolTip("Show only requests with this result")
        for label, value in STATUS_FILTERS:
            self.status_combo.addItem(label, value)
        self.status_combo.currentIndexChanged.connect(self._apply_filter)

        self.model = HistoryModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("historyView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.verticalHeader().setVisible(False)
        # Entries of sends in quick succession are shown together: one table update, not one
        # each (repainting costs more than a loopback request). The table itself stays painted.
        self._pending: list[HistoryEntry] = []  # newest first
        self._burst_timer = QTimer(self)
        self._burst_timer.setSingleShot(True)
        self._burst_timer.setInterval(BURST_MS)
        self._burst_timer.timeout.connect(self._on_burst_timer)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(RECIPIENT_COLUMN, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font: ResizeToContents would measure every row on each change.
        metrics = self.fontMetrics()
        samples = {
            TIME_COLUMN: "2000-00-00 00:00:00",
            ENV_COLUMN: "Production",
            METHOD_COLUMN: "Unsubscribe all",
            STATUS_COLUMN: "Status",
            OUTCOME_COLUMN: "Network error",
            DURATION_COLUMN: "Duration",
        }
        for column, sample in samples.items():
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.details = QPlainTextEdit(self)
        self.details.setObjectName("historyDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setPlaceholderText("Select a request to see its body and result.")

        self.reopen_button = QPushButton("Re-open in editor", self)
        self.reopen_button.setObjectName("historyReopenButton")
        self.reopen_button.setToolTip("Put this request's recipient, method and body in the editor")
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setObjectName("historyExportButton")
        self.export_button.setToolTip("Save the requests shown (filters applied) as JSON Lines")
        self.export_button.clicked.connect(lambda: self.export_visible())

        self.status_label = QLabel(self)
        self.status_label.setObjectName("historyStatusLabel")

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.status_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.reopen_button)
        buttons.addWidget(self.export_button)

        # Side by side: docked under the editor the panel is wide and short.
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("historySplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._refresh_state()

    # -- entries -------------------------------------------------------------------------

    def set_entries(self, entries: Iterable[HistoryEntry]) -> None:
        """Show ``entries`` (any order; shown newest first). Supersedes a load in progress."""
        self._generation += 1
        self._loading = False
        self._note = ""
        self._set_all(entries)

    def add_entry(self, entry: HistoryEntry) -> None:
        """A request that just finished: goes on top (if the filters let it through).

        The first of a burst shows at once; those within ``BURST_MS`` of it come together.
        """
        self._all.insert(0, entry)
        if self._loading:
            self._added_while_loading.append(entry)
        self._pending.insert(0, entry)
        if not self._burst_timer.isActive():
            self.flush()
            self._burst_timer.start()

    def _on_burst_timer(self) -> None:
        if self._pending:
            self.flush()
            self._burst_timer.start()  # the burst may go on

    def flush(self) -> None:
        """Show the entries added since the last update."""
        pending, self._pending = self._pending, []
        self.model.prepend(
            filter_entries(
                pending, recipient=self._recipient_filter(), status=self._status_filter()
            )
        )
        self._refresh_state()

    def entries(self) -> list[HistoryEntry]:
        """Every entry held, newest first, filters ignored."""
        return list(self._all)

    def visible_entries(self) -> list[HistoryEntry]:
        """The entries the filters let through, as shown (newest first)."""
        return self.model.entries()

    def set_note(self, text: str) -> None:
        """A remark shown after the counts, e.g. that the log could not be written."""
        self._note = text
        self._refresh_state()

    def is_loading(self) -> bool:
        return self._loading

    def load_from(self, log: HistoryLog, runner: JobRunner) -> None:
        """Read ``log`` on ``runner`` and show it; entries added meanwhile are kept."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        self._added_while_loading = []
        self._refresh_state()

        def read(_progress: Progress) -> tuple[list[HistoryEntry], int]:
            entries = log.entries()
            return entries, log.skipped

        def current() -> bool:
            # The panel may be gone (window closed) or a newer load/set may have superseded this.
            return isValid(self) and generation == self._generation

        def failed(exc: Exception) -> None:
            if current():
                self._loading = False
                self._added_while_loading = []
                self._note = f"The history could not be read: {exc}"
                self._refresh_state()

        def done(result: tuple[list[HistoryEntry], int]) -> None:
            if not current():
                return
            self._loading = False
            added, self._added_while_loading = self._added_while_loading, []
            entries, skipped = result
            known = {e.id for e in entries}
            # Added during the read but not in what was read: newest first, on top.
            extra = [e for e in reversed(added) if e.id not in known]
            self._note = (
                f"{skipped} damaged line{'s' if skipped != 1 else ''} skipped." if skipped else ""
            )
            self._set_all([*extra, *entries])
            self.loaded.emit(len(self._all))

        runner.run(Job(read).on_finished(done).on_failed(failed))

    def _set_all(self, entries: Iterable[HistoryEntry]) -> None:
        self._all = sorted(entries, key=lambda e: e.time, reverse=True)
        self._apply_filter()

    # -- filters -------------------------------------------------------------------------

    def set_recipient_filter(self, text: str) -> None:
        self.filter_edit.setText(text)

    def set_status_filter(self, value: str) -> bool:
        """Pick the status filter by its value ("all", "2xx", "4xx", "5xx", "error")."""
        index = self.status_combo.findData(value)
        if index < 0:
            return False
        self.status_combo.setCurrentIndex(index)
        return True

    def _recipient_filter(self) -> str:
        return self.filter_edit.text()

    def _status_filter(self) -> str:
        value = self.status_combo.currentData()
        return value if isinstance(value, str) else "all"

    def _apply_filter(self) -> None:
        selected = self.selected_entry()
        self._pending = []  # all of them are in what is shown now
        self.model.set_entries(
            filter_entries(
                self._all, recipient=self._recipient_filter(), status=self._status_filter()
            )
        )
        if selected is not None:
            self.select_entry(selected)
        self._refresh_state()

    # -- selection and details -----------------------------------------------------------

    def selected_entry(self) -> HistoryEntry | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.entry(rows[0].row()) if rows else None

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    def select_entry(self, entry: HistoryEntry) -> bool:
        row = self.model.row_of_id(entry.id)
        if row < 0:
            return False
        self.view.selectRow(row)
        return True

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        entry = self.selected_entry()
        if entry is None:
            self.details.clear()
        else:
            self.details.setPlainText(mask_text(describe_entry(entry), self._secrets()))
        self.reopen_button.setEnabled(entry is not None)

    def _on_activated(self, index: QModelIndex) -> None:
        entry = self.model.entry(index.row())
        if entry is not None:
            self.reopenRequested.emit(entry)

    def reopen_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.reopenRequested.emit(entry)

    # -- export --------------------------------------------------------------------------

    def export_visible(self, dest: Path | None = None) -> bool:
        """Write the entries the filters let through to ``dest`` (asking if not given)."""
        entries = self.visible_entries()
        if not entries:
            dialogs.inform(
                self, "Export history", "No requests match the filters: nothing to export."
            )
            return False
        if dest is None:
            dest = dialogs.ask_save_path(
                self,
                "Export history",
                "history-export.jsonl",
                "JSON Lines (*.jsonl);;All files (*)",
            )
            if dest is None:
                return False
        try:
            HistoryLog.export(entries, dest, secrets=self._secrets())
        except StorageError as exc:
            dialogs.inform(self, "Cannot export history", str(exc))
            return False
        return True

    # -- state ---------------------------------------------------------------------------

    def _refresh_state(self) -> None:
        shown = self.model.rowCount()
        total = len(self._all)
        if self._loading and not total:
            text = "Loading history…"
        elif total == 0:
            text = "No requests sent yet."
        elif shown == total:
            text = f"{total} request{'s' if total != 1 else ''}"
        else:
            text = f"{shown} of {total} requests match"
        if self._loading and total:
            text += " — loading older requests…"
        if self._note:
            text += f" — {self._note}"
        self.status_label.setText(text)
        self.export_button.setEnabled(shown > 0)
        self.reopen_button.setEnabled(self.selected_entry() is not None)
