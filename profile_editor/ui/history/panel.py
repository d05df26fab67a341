"""Send history: a newest-first table of requests, filters, details and export (in the window,
the panel of :class:`~.dock.HistoryDock`).

Over the history database (after :meth:`HistoryPanel.load_from`) the table is a page of rows,
and every query — the first page, the next page when the table scrolls, a filter, an entry's
bodies, an export — runs on a worker: the UI thread never waits on the database. Without a
database (:meth:`HistoryPanel.set_entries`) it filters the entries it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry
from profile_editor.storage.history_db import (
    Cursor,
    HistoryFilter,
    HistoryStore,
    export_entries,
)
from profile_editor.storage.secretscan import mask_text
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.quiet_label import QuietLabel
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.history.cells import HistoryCellDelegate
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

# Rows read per query: a screenful many times over, and ~10 ms from an indexed query.
PAGE_ROWS = 200
SESSION_KEPT = 2000  # this session's requests kept for merging into query results
# (label, (method, resource)) and (label, hours; 0: any time)
KIND_FILTERS: tuple[tuple[str, tuple[str, str] | None], ...] = (
    ("Any kind", None),
    ("GET (load)", ("GET", "profile")),
    ("POST (merge)", ("POST", "profile")),
    ("PUT (replace)", ("PUT", "profile")),
    ("PATCH", ("PATCH", "profile")),
    ("DELETE", ("DELETE", "profile")),
    ("List requests", ("", "lists")),
    ("Preference changes", ("", "preferences")),
    ("Device token changes", ("", "tokens")),
    ("Tenant changes", ("", "tenants")),
)
TIME_FILTERS = (
    ("Any time", 0),
    ("Last hour", 1),
    ("Last 24 hours", 24),
    ("Last 7 days", 24 * 7),
    ("Last 30 days", 24 * 30),
)


class HistoryPanel(QWidget):
    """The history of sent requests.

    Signals:
        reopenRequested(object): the user wants this HistoryEntry back in the editor.
        loaded(int): :meth:`load_from` finished; the number of entries now held.
        queried(int): a query over the database (a filter) shows its first page; rows shown.
        exported(str): an export was written to this path.
        timelineRequested(str): "History of this recipient" for this recipient ID.
        storeFailed(str): the database could not be opened; history is off (the sentence).
    """

    reopenRequested = Signal(object)
    loaded = Signal(int)
    queried = Signal(int)
    exported = Signal(str)
    timelineRequested = Signal(str)
    storeFailed = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        secrets: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        # Opaque (the window's own background colour): the rows and count of each burst of
        # sends repaint the panel, not the dock and the window under it as well.
        self.setAutoFillBackground(True)
        # Keys are masked in exports; entries added this session may not have been through the log.
        self._secrets = secrets or (lambda: ())
        self._all: list[HistoryEntry] = []
        self._generation = 0
        self._loading = False
        self._added_while_loading: list[HistoryEntry] = []
        self._note = ""
        # Over the database: where it is, the runner its queries go to, the next page's start,
        # the counts, and what was added this session (it may not be written yet).
        self._store: HistoryStore | None = None
        self._runner: JobRunner | None = None
        self._cursor: Cursor | None = None
        self._total = 0
        self._matching: int | None = None
        self._session: list[HistoryEntry] = []
        self._querying = False

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

        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("historyKindCombo")
        self.kind_combo.setToolTip("Show only requests of this method or kind")
        for label, kind in KIND_FILTERS:
            self.kind_combo.addItem(label, kind)
        self.kind_combo.currentIndexChanged.connect(self._apply_filter)

        self.env_edit = QLineEdit(self)
        self.env_edit.setObjectName("historyEnvEdit")
        self.env_edit.setPlaceholderText("Environment")
        self.env_edit.setToolTip("Show only requests to this environment (its exact name)")
        self.env_edit.setClearButtonEnabled(True)
        self.env_edit.textChanged.connect(self._apply_filter)

        self.time_combo = QComboBox(self)
        self.time_combo.setObjectName("historyTimeCombo")
        self.time_combo.setToolTip("Show only requests made in this time")
        for label, hours in TIME_FILTERS:
            self.time_combo.addItem(label, hours)
        self.time_combo.currentIndexChanged.connect(self._apply_filter)

        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("historyTextEdit")
        self.text_edit.setPlaceholderText("Search request bodies")
        self.text_edit.setToolTip("Show only requests whose body holds all these words")
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.textChanged.connect(self._apply_filter)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("historyProgress")
        self.progress.setRange(0, 0)  # busy: a scan of every body has no known length
        self.progress.setMaximumWidth(120)
        self.progress.setVisible(False)

        self.model = HistoryModel(self)
        self.model.more = self._fetch_more
        self.view = QTableView(self)
        self.view.setObjectName("historyView")
        self.view.setModel(self.model)
        self.view.setItemDelegate(HistoryCellDelegate(self.view, self.model))
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
        self.export_button.setToolTip(
            "Save every request the filters let through as JSON Lines or CSV"
        )
        self.export_button.clicked.connect(lambda: self.export_visible())
        self.timeline_button = QPushButton("History of this recipient", self)
        self.timeline_button.setObjectName("historyTimelineButton")
        self.timeline_button.setToolTip(
            "Every request to the selected request's recipient, in order, and what changed"
        )
        self.timeline_button.clicked.connect(self._on_timeline_clicked)

        # Its count changes with each burst of sends: without laying out the window again.
        self.status_label = QuietLabel("historyStatusLabel", self)

        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 2)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.env_edit, 1)
        filters.addWidget(self.time_combo)
        filters.addWidget(self.text_edit, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.timeline_button)
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
        """Show ``entries`` (any order; shown newest first), without a database.

        Supersedes a load in progress."""
        self._generation += 1
        self._loading = False
        self._note = ""
        self._store = None
        self._set_all(entries)

    def add_entry(self, entry: HistoryEntry) -> None:
        """A request that just finished: goes on top (if the filters let it through).

        The first of a burst shows at once; those within ``BURST_MS`` of it come together.
        """
        self._all.insert(0, entry)
        self._session.insert(0, entry)
        del self._session[SESSION_KEPT:]
        self._total += 1
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
        flt = self.current_filter()
        shown = [e for e in pending if flt.matches(e)]
        if self._matching is not None:
            self._matching += len(shown)
        if shown:
            self.model.prepend(shown)
            # Laid out now, not on the view's next turn: the new rows and the count are painted
            # in one pass, not two.
            self.view.doItemsLayout()
        self._refresh_state()

    def entries(self) -> list[HistoryEntry]:
        """Every entry held, newest first, filters ignored (over the database: the rows read)."""
        if self._store is not None:
            return self.model.entries() if self.current_filter().is_empty else list(self._all)
        return list(self._all)

    def visible_entries(self) -> list[HistoryEntry]:
        """The entries the filters let through, as shown (newest first)."""
        return self.model.entries()

    def set_note(self, text: str) -> None:
        """A remark shown after the counts, e.g. that the history could not be written."""
        self._note = text
        self._refresh_state()

    def is_loading(self) -> bool:
        return self._loading

    def is_querying(self) -> bool:
        return self._querying

    @property
    def store(self) -> HistoryStore | None:
        return self._store

    def load_from(self, store: HistoryStore, runner: JobRunner) -> None:
        """Open ``store`` on ``runner`` (taking over old files) and show its newest page.

        Entries added meanwhile are kept."""
        self._store = store
        self._runner = runner
        self._loading = True
        self._added_while_loading = []
        self._refresh_state()
        self._query(opening=True)

    def _set_all(self, entries: Iterable[HistoryEntry]) -> None:
        self._all = sorted(entries, key=lambda e: e.time, reverse=True)
        self._total = len(self._all)
        self._apply_filter()

    def _current(self, generation: int) -> bool:
        # The panel may be gone (window closed) or a newer query may have superseded this one.
        return isValid(self) and generation == self._generation

    def _query(self, *, opening: bool = False) -> None:
        """Read the first page for the filters, then the counts (each on a worker)."""
        store, runner = self._store, self._runner
        if store is None or runner is None:
            return
        self._generation += 1
        generation = self._generation
        flt = self.current_filter()
        self._querying = True
        self.progress.setVisible(bool(flt.text.strip()) and not store.fts)

        def read(_progress: Progress) -> tuple[list[HistoryEntry], Cursor | None, str]:
            note = ""
            if opening:
                store.open()
                note = _opening_note(store)
            page, cursor = store.page(
                flt, limit=PAGE_ROWS, progress=lambda: generation != self._generation
            )
            return page, cursor, note

        def failed(exc: Exception) -> None:
            if not self._current(generation):
                return
            self._querying = False
            self.progress.setVisible(False)
            if opening:
                self._loading = False
                self._added_while_loading = []
                self._note = (
                    f"History is off: {exc}"
                    if isinstance(exc, StorageError)
                    else (f"The history could not be read: {exc}")
                )
                self._store = None  # this session's requests stay shown, filtered in memory
                self._all = list(self._session)
                self._apply_filter()
                self.storeFailed.emit(self._note)
            else:
                self._note = f"The history could not be read: {exc}"
            self._refresh_state()

        def done(result: tuple[list[HistoryEntry], Cursor | None, str]) -> None:
            if not self._current(generation):
                return
            page, cursor, note = result
            self._querying = False
            self.progress.setVisible(False)
            self._cursor = cursor
            if opening:
                self._loading = False
                self._added_while_loading = []
                self._note = note
            selected = self.selected_entry()
            self._pending = []
            self.model.set_entries(
                self._with_session(page, cursor, flt), has_more=cursor is not None
            )
            if selected is not None:
                self.select_entry(selected)
            self._matching = None
            self._refresh_state()
            self._count(generation, flt, verify=opening)
            if opening:
                self.loaded.emit(self.model.rowCount())
            self.queried.emit(self.model.rowCount())

        runner.run(Job(read).on_finished(done).on_failed(failed))

    def _with_session(
        self, page: list[HistoryEntry], cursor: Cursor | None, flt: HistoryFilter
    ) -> list[HistoryEntry]:
        # Requests of this session the writer has not stored yet (or stored after the read).
        # Those it has stored are used as they are: they hold their bodies already.
        mine = {e.id: e for e in self._session}
        known = {e.id for e in page}
        oldest = page[-1].time if page and cursor is not None else None
        extra = [
            e
            for e in self._session
            if e.id not in known and flt.matches(e) and (oldest is None or e.time >= oldest)
        ]
        return [*extra, *(mine.get(e.id, e) for e in page)]

    def _count(self, generation: int, flt: HistoryFilter, *, verify: bool = False) -> None:
        """Count the requests (and check the whole file once, after the first page shows)."""
        store, runner = self._store, self._runner
        if store is None or runner is None:
            return

        def count(_progress: Progress) -> tuple[int, int, bool]:
            intact = store.verify() if verify else True
            stop = lambda: generation != self._generation  # noqa: E731
            total = store.count(progress=stop)
            return total, (total if flt.is_empty else store.count(flt, progress=stop)), intact

        def done(result: tuple[int, int, bool]) -> None:
            if not intact_or_requery(result):
                return
            if self._current(generation):
                total, matching, _intact = result
                # Requests of this session not stored yet are shown, so counted.
                self._total = max(total, self.model.rowCount())
                self._matching = max(matching, self.model.rowCount())
                self._refresh_state()

        def intact_or_requery(result: tuple[int, int, bool]) -> bool:
            if result[2] or not isValid(self):
                return True
            # The file was damaged: it was moved aside and a new one started; show that one.
            self._note = _opening_note(store)
            self._query()
            return False

        def failed(exc: Exception) -> None:
            if self._current(generation):
                self.set_note(f"The history could not be read: {exc}")

        runner.run(Job(count).on_finished(done).on_failed(failed))

    def _fetch_more(self) -> None:
        """The next page, asked for by the table as it scrolls near its end."""
        store, runner, cursor = self._store, self._runner, self._cursor
        if store is None or runner is None or cursor is None:
            self.model.set_has_more(False)
            return
        generation = self._generation
        flt = self.current_filter()

        def read(_progress: Progress) -> tuple[list[HistoryEntry], Cursor | None]:
            return store.page(flt, after=cursor, limit=PAGE_ROWS)

        def done(result: tuple[list[HistoryEntry], Cursor | None]) -> None:
            if self._current(generation):
                page, self._cursor = result
                self.model.append_page(page, self._cursor is not None)
                self._refresh_state()

        def failed(exc: Exception) -> None:
            if self._current(generation):
                self.model.set_has_more(False)
                self.set_note(f"The history could not be read: {exc}")

        runner.run(Job(read).on_finished(done).on_failed(failed))

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

    def current_filter(self) -> HistoryFilter:
        """What the filter widgets ask for."""
        kind = self.kind_combo.currentData()
        method, resource = kind or ("", "")
        hours = self.time_combo.currentData()
        since = (
            datetime.now(UTC) - timedelta(hours=hours) if isinstance(hours, int) and hours else None
        )
        env = self.env_edit.text().strip()
        status = self.status_combo.currentData()
        return HistoryFilter(
            recipient=self.filter_edit.text(),
            status=status if isinstance(status, str) else "all",
            environment=env or None,
            method=method or None,
            resource=resource or None,
            since=since,
            text=self.text_edit.text(),
        )

    def _apply_filter(self) -> None:
        if self._store is not None:
            if not self._loading:
                self._query()
            return
        selected = self.selected_entry()
        self._pending = []  # all of them are in what is shown now
        flt = self.current_filter()
        self.model.set_entries([e for e in self._all if flt.matches(e)])
        self._matching = self.model.rowCount()
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
        elif entry.partial:
            self.details.setPlainText("Reading the request…")
            self._with_full(entry, self._show_details)
        else:
            self._show_details(entry)
        self.reopen_button.setEnabled(entry is not None)
        self.timeline_button.setEnabled(entry is not None and self._store is not None)

    def _show_details(self, entry: HistoryEntry) -> None:
        selected = self.selected_entry()
        if selected is not None and selected.id == entry.id:
            self.details.setPlainText(mask_text(describe_entry(entry), self._secrets()))

    def _with_full(self, entry: HistoryEntry, then: Callable[[HistoryEntry], Any]) -> None:
        """Call ``then`` with ``entry`` and its bodies, read on a worker."""
        store, runner = self._store, self._runner
        if not entry.partial or store is None or runner is None:
            then(entry)
            return

        def done(full: HistoryEntry) -> None:
            if isValid(self):
                self.model.replace_entry(full)
                then(full)

        def failed(exc: Exception) -> None:
            if isValid(self):
                self.set_note(f"The request could not be read: {exc}")

        runner.run(Job(lambda _p: store.full(entry)).on_finished(done).on_failed(failed))

    def _on_activated(self, index: QModelIndex) -> None:
        entry = self.model.entry(index.row())
        if entry is not None:
            self._with_full(entry, self.reopenRequested.emit)

    def reopen_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._with_full(entry, self.reopenRequested.emit)

    def _on_timeline_clicked(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.timelineRequested.emit(entry.recipient_id)

    # -- export --------------------------------------------------------------------------

    def export_visible(self, dest: Path | None = None) -> bool:
        """Write every entry the filters let through to ``dest`` (asking if not given): JSON
        Lines, or CSV when the name ends in ``.csv``. Over the database the file is written
        on a worker (``exported`` tells when); True when it is written or being written."""
        if self.model.rowCount() == 0:
            dialogs.inform(
                self, "Export history", "No requests match the filters: nothing to export."
            )
            return False
        if dest is None:
            dest = dialogs.ask_save_path(
                self,
                "Export history",
                "history-export.jsonl",
                "JSON Lines (*.jsonl);;CSV (*.csv);;All files (*)",
            )
            if dest is None:
                return False
        fmt = "csv" if dest.suffix.lower() == ".csv" else "jsonl"
        secrets = list(self._secrets())
        store, runner = self._store, self._runner
        if store is None or runner is None:
            try:
                export_entries(self.visible_entries(), dest, fmt=fmt, secrets=secrets)
            except StorageError as exc:
                dialogs.inform(self, "Cannot export history", str(exc))
                return False
            self.exported.emit(str(dest))
            return True
        flt = self.current_filter()
        unsaved = [e for e in self.visible_entries() if not e.partial]

        def write(_progress: Progress) -> int:
            # Rows stored meanwhile plus those of this session the writer has not stored yet.
            seen: set[str] = set()

            def merged() -> Iterable[HistoryEntry]:
                stored = list(store.iter_entries(flt))
                seen.update(e.id for e in stored)
                extra = [e for e in unsaved if e.id not in seen]
                return sorted([*extra, *stored], key=lambda e: e.time, reverse=True)

            return export_entries(merged(), dest, fmt=fmt, secrets=secrets)

        def failed(exc: Exception) -> None:
            if isValid(self):
                dialogs.inform(self, "Cannot export history", str(exc))

        def done(_count: int) -> None:
            if isValid(self):
                self.exported.emit(str(dest))

        runner.run(Job(write).on_finished(done).on_failed(failed))
        return True

    # -- state ---------------------------------------------------------------------------

    def _refresh_state(self) -> None:
        shown = self.model.rowCount()
        total = max(self._total, len(self._all)) if self._store is None else self._total
        matching = self._matching
        more = "+" if self.model.has_more() and matching is None else ""
        if self._loading and not total:
            text = "Loading history…"
        elif total == 0 and shown == 0:
            text = "No requests sent yet."
        elif self.current_filter().is_empty:
            count = max(total, shown)
            text = f"{count}{more} request{'s' if count != 1 else ''}"
        else:
            count = matching if matching is not None else shown
            text = f"{count}{more} of {max(total, count)} requests match"
        if self._loading and total:
            text += " — loading older requests…"
        if self._note:
            text += f" — {self._note}"
        self.status_label.setText(text)
        self.export_button.setEnabled(shown > 0)
        selected = self.selected_entry() is not None
        self.reopen_button.setEnabled(selected)
        self.timeline_button.setEnabled(selected and self._store is not None)


def _opening_note(store: HistoryStore) -> str:
    parts = []
    if store.moved_aside is not None:
        parts.append(
            f"The history database was damaged: it was moved to {store.moved_aside} and a new "
            "one started."
        )
    if store.migration.files:
        parts.append(store.migration.sentence())
    return " ".join(parts)
