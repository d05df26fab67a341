"""The Lists tab: the recipient's list subscriptions, Subscribe, and Unsubscribe all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from profile_editor.core.lists.requests import (
        PreferenceRule,
        RecipientPreferences,
        Subscription,
    )

__all__ = ["ListsTab", "SubscriptionsModel", "preferences_summary"]

COLUMNS = ("List ID", "Name", "Since", "Preferences")
_STATUS_WORDS = {"OPTED_IN": "opted in", "OPTED_OUT": "opted out", "REQUIRED": "required"}
SUMMARY_ITEMS = 3  # preferences named in the cell before "+N more"
FIT_ROWS = 200
MAX_COLUMN_WIDTH = 200

Index = QModelIndex | QPersistentModelIndex


def preferences_summary(preferences: RecipientPreferences | None) -> str:
    """One short line: "marketing: opted out · billing: required +2 more", or "—"."""
    if preferences is None:
        return "—"
    rules: list[tuple[str, PreferenceRule]] = []
    rules += (preferences.categories or {}).items()
    rules += (preferences.notifications or {}).items()
    if not rules:
        return "—"
    parts = [
        f"{name}: {_STATUS_WORDS.get(rule.status.value, rule.status.value)}" for name, rule in rules
    ]
    more = len(parts) - SUMMARY_ITEMS
    return " · ".join(parts[:SUMMARY_ITEMS]) + (f" +{more} more" if more > 0 else "")


def _since(subscription: Subscription) -> str:
    created = subscription.created_at
    if created is None:
        return subscription.created
    return created.astimezone().strftime("%Y-%m-%d")


class SubscriptionsModel(QAbstractTableModel):
    """The subscriptions shown, one row each (a list, not edited in place)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Subscription] = []

    def set_subscriptions(self, subscriptions: list[Subscription]) -> None:
        self.beginResetModel()
        self._rows = list(subscriptions)
        self.endResetModel()

    def subscriptions(self) -> list[Subscription]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.id, row.name, _since(row), preferences_summary(row.preferences))[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 2:
                return f"List created {row.created}; updated {row.updated}"
            if column == 3 and row.preferences is not None:
                return row.preferences.model_dump_json(indent=2, exclude_none=True)
            return (row.id, row.name)[column] if column < 2 else None
        return None


class ListsTab(QWidget):
    """What the recipient is subscribed to, and the two changes the window makes to it.

    Signals:
        subscribeRequested(str): Subscribe (or Enter in the list ID field), with the list ID.
        unsubscribeAllRequested(): Unsubscribe all.
        reloadRequested(): Reload.
    """

    subscribeRequested = Signal(str)
    unsubscribeAllRequested = Signal()
    reloadRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listsTab")
        # Whose subscriptions the rows are: the recipient ID field may say another one by now.
        self.header = QLabel(self)
        self.header.setObjectName("listsHeader")
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.header.setWordWrap(True)
        self.header.setMinimumWidth(40)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.header.hide()
        self.summary = QLabel("Load a recipient to see its list subscriptions.", self)
        self.summary.setObjectName("listsSummary")
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(40)  # it wraps: a long ID must not widen the window
        self.model = SubscriptionsModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("listsView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        # Fitting columns to their contents looks at this many rows, not at 20,000.
        header.setResizeContentsPrecision(FIT_ROWS)
        self.list_id_edit = QLineEdit(self)
        self.list_id_edit.setObjectName("listIdEdit")
        self.list_id_edit.setPlaceholderText("List ID, e.g. weekly-digest")
        self.list_id_edit.setClearButtonEnabled(True)
        self.list_id_edit.setAccessibleName("List ID")
        self.list_id_edit.setMinimumWidth(24)
        self.subscribe_button = QPushButton("Subscribe", self)
        self.subscribe_button.setObjectName("subscribeButton")
        self.subscribe_button.setToolTip(
            "Subscribe the recipient to this list (Courier creates an unknown list)"
        )
        self.unsubscribe_all_button = QPushButton("Unsubscribe all…", self)
        self.unsubscribe_all_button.setObjectName("unsubscribeAllButton")
        self.unsubscribe_all_button.setToolTip(
            "Unsubscribe the recipient from every list (asks first)"
        )
        self.reload_button = QToolButton(self)
        self.reload_button.setObjectName("listsReloadButton")
        self.reload_button.setText("Reload")
        self.reload_button.setToolTip("Read the recipient's subscriptions again")

        self._whose = ""
        self._summary = self.summary.text()
        self._stale_note: str | None = None
        self._layout()
        self.subscribe_button.clicked.connect(self.on_subscribe_clicked)
        self.list_id_edit.returnPressed.connect(self.on_subscribe_clicked)
        self.unsubscribe_all_button.clicked.connect(self.unsubscribeAllRequested)
        self.reload_button.clicked.connect(self.reloadRequested)

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        top = QHBoxLayout()
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.header)
        texts.addWidget(self.summary)
        top.addLayout(texts, 1)
        top.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        # Two short rows rather than one long one: the tab must not widen the window.
        row = QHBoxLayout()
        row.addWidget(self.list_id_edit, 1)
        row.addWidget(self.subscribe_button)
        layout.addLayout(row)
        layout.addWidget(self.unsubscribe_all_button, 0, Qt.AlignmentFlag.AlignRight)

    # -- what it shows ----------------------------------------------------------------------
    def list_id(self) -> str:
        return self.list_id_edit.text().strip()

    def show_subscriptions(
        self, subscriptions: list[Subscription], summary: str, *, whose: str
    ) -> None:
        """``whose``: the header, e.g. "Subscriptions of “ada” in staging"."""
        self.model.set_subscriptions(subscriptions)
        self._set_summary(summary)
        self._set_header(whose)
        self.mark_current()
        if subscriptions:
            for column in range(len(COLUMNS) - 1):  # the last one takes the rest
                self.view.resizeColumnToContents(column)
                width = min(self.view.columnWidth(column), MAX_COLUMN_WIDTH)
                self.view.setColumnWidth(column, width)

    def show_message(self, text: str, *, clear: bool = True) -> None:
        if clear:
            self.model.set_subscriptions([])
            self._set_header("")
            self.mark_current()
        self._set_summary(text)

    def mark_out_of_date(self, note: str) -> None:
        """The rows belong to another recipient (or place) than the one entered now: greyed,
        the header says so and ``note`` what to do."""
        self._stale_note = note
        self.header.setText(f"{self._whose} — out of date")
        self.view.setEnabled(False)
        self._show_summary(note)  # what the rows said is shown again once they are current

    def mark_current(self) -> None:
        if self._stale_note is None:
            return
        self._stale_note = None
        self.header.setText(self._whose)
        self.view.setEnabled(True)
        self._show_summary(self._summary)

    def is_out_of_date(self) -> bool:
        return self._stale_note is not None

    def _set_header(self, whose: str) -> None:
        self._whose = whose
        self.header.setText(whose)
        self.header.setToolTip(whose)
        self.header.setVisible(bool(whose))

    def _set_summary(self, text: str) -> None:
        self._summary = text
        self._show_summary(text)

    def _show_summary(self, text: str) -> None:
        self.summary.setText(text)
        self.summary.setToolTip(text)  # a long recipient ID is cut in a narrow tab

    def set_busy(self, busy: bool) -> None:
        for button in (self.subscribe_button, self.unsubscribe_all_button, self.reload_button):
            button.setEnabled(not busy)

    # -- slots ------------------------------------------------------------------------------
    def on_subscribe_clicked(self) -> None:
        self.subscribeRequested.emit(self.list_id())
