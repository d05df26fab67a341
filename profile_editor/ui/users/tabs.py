"""The Preferences, Devices and Tenants tabs: views and buttons only; the controller does the
reading and writing, and says what to show."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from profile_editor.ui.users.models import (
    PreferencesModel,
    StatusDelegate,
    TenantsModel,
    TokensModel,
)

__all__ = ["DevicesTab", "PreferencesTab", "ResourceTab", "TenantsTab"]


class ResourceTab(QWidget):
    """What every one of the three tabs has: a line saying whose rows these are (or why there
    are none), the view, a line saying whether the last write is stored as asked, Reload.

    Signals:
        reloadRequested(): Reload.
    """

    reloadRequested = Signal()
    view: QAbstractItemView

    def __init__(self, name: str, empty: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Tab")
        self.summary = QLabel(empty, self)
        self.summary.setObjectName(f"{name}Summary")
        self.summary.setWordWrap(True)
        self.summary.setMinimumWidth(40)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.result = QLabel(self)
        self.result.setObjectName(f"{name}Result")
        self.result.setWordWrap(True)
        self.result.setMinimumWidth(40)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.hide()
        self.reload_button = QToolButton(self)
        self.reload_button.setObjectName(f"{name}ReloadButton")
        self.reload_button.setText("Reload")
        self.reload_button.clicked.connect(self.reloadRequested)
        self._buttons: list[QPushButton | QToolButton] = [self.reload_button]
        self._message = empty
        self._stale_note: str | None = None

    def _top(self, layout: QVBoxLayout) -> None:
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

    def show_message(self, text: str) -> None:
        """Whose rows these are (or why there are none); a note that they are out of date
        stays over it until :meth:`mark_current`."""
        self._message = text
        if self._stale_note is None:
            self._show_summary(text, "")

    def mark_out_of_date(self, note: str) -> None:
        """The rows belong to another recipient (or place, or tenant) than the one entered
        now: greyed, and ``note`` says whose they are and what to do."""
        self._stale_note = note
        self.view.setEnabled(False)
        self._show_summary(note, "note")

    def mark_current(self) -> None:
        if self._stale_note is None:
            return
        self._stale_note = None
        self.view.setEnabled(True)
        self._show_summary(self._message, "")

    def is_out_of_date(self) -> bool:
        return self._stale_note is not None

    def _show_summary(self, text: str, tone: str) -> None:
        self.summary.setText(text)
        self.summary.setToolTip(text)
        if self.summary.property("tone") != tone:
            self.summary.setProperty("tone", tone)  # coloured by app.qss
            self.summary.style().unpolish(self.summary)
            self.summary.style().polish(self.summary)

    def show_result(self, text: str, state: str) -> None:
        """After a write: whether what is stored is what was asked (``state``: ok or error)."""
        self.result.setText(text)
        self.result.setToolTip(text)
        self.result.setProperty("state", state)
        self.result.setProperty("tone", "error" if state == "error" else "")  # app.qss colours
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.result.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        for button in self._buttons:
            button.setEnabled(not busy)


def _table(parent: QWidget, name: str, model: QAbstractItemModel) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    header.setResizeContentsPrecision(100)
    return view


class PreferencesTab(ResourceTab):
    """Topics by section; statuses edited in place and staged, previewed, applied.

    Signals:
        applyRequested(): Apply the staged changes.
        resetRequested(str): reset the selected topic (its ID) to its default.
        discardRequested(): forget the staged changes.
        topicRequested(str): read one topic by its ID (one the recipient has not overridden
            is not listed) and show it.
    """

    applyRequested = Signal()
    resetRequested = Signal(str)
    discardRequested = Signal()
    topicRequested = Signal(str)
    view: QTreeView

    def __init__(self, model: PreferencesModel, parent: QWidget | None = None) -> None:
        super().__init__(
            "preferences", "Load a recipient to see its subscription preferences.", parent
        )
        self.model = model
        self.tenant_edit = QLineEdit(self)
        self.tenant_edit.setObjectName("preferencesTenantEdit")
        self.tenant_edit.setPlaceholderText("Tenant ID (optional): scopes reads and writes")
        self.tenant_edit.setAccessibleName("Tenant ID for preferences")
        self.tenant_edit.setClearButtonEnabled(True)
        self.tenant_edit.setMinimumWidth(24)
        self.topic_edit = QLineEdit(self)
        self.topic_edit.setObjectName("preferenceTopicEdit")
        self.topic_edit.setPlaceholderText("Topic ID not listed, e.g. weekly-digest")
        self.topic_edit.setAccessibleName("Topic ID to show")
        self.topic_edit.setClearButtonEnabled(True)
        self.topic_edit.setMinimumWidth(24)
        self.topic_button = QPushButton("Show topic", self)
        self.topic_button.setObjectName("preferenceTopicButton")
        self.topic_button.setToolTip(
            "Only overridden topics are listed: read another one to change it"
        )
        self.view = QTreeView(self)
        self.view.setObjectName("preferencesView")
        self.view.setAccessibleName("Subscription preferences by section")
        self.view.setModel(model)
        self.view.setItemDelegateForColumn(1, StatusDelegate(self.view))
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.header().setStretchLastSection(True)
        self.changes = QPlainTextEdit(self)
        self.changes.setObjectName("preferencesChanges")
        self.changes.setReadOnly(True)
        self.changes.setPlaceholderText("Changes to apply appear here: double-click a status.")
        self.changes.setMaximumHeight(self.fontMetrics().height() * 5 + 12)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.setObjectName("preferencesApplyButton")
        self.apply_button.setToolTip("Send the staged changes, one request per topic")
        self.apply_button.setEnabled(False)
        self.discard_button = QPushButton("Discard", self)
        self.discard_button.setObjectName("preferencesDiscardButton")
        self.discard_button.setEnabled(False)
        self.reset_button = QPushButton("Reset to default", self)
        self.reset_button.setObjectName("preferenceResetButton")
        self.reset_button.setToolTip("Remove the recipient's choice for the selected topic")
        self._buttons += [self.reset_button, self.topic_button]
        self._staged = False
        self._busy = False
        self._layout()
        self.apply_button.clicked.connect(self.applyRequested)
        self.discard_button.clicked.connect(self.discardRequested)
        self.reset_button.clicked.connect(self.on_reset_clicked)
        self.topic_button.clicked.connect(self.on_topic_clicked)
        self.topic_edit.returnPressed.connect(self.on_topic_clicked)
        model.modelReset.connect(self.on_model_reset)
        model.stagedChanged.connect(lambda: self.view.resizeColumnToContents(1))

    def _layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self._top(layout)
        layout.addWidget(self.tenant_edit)
        layout.addWidget(self.view, 1)
        topic_row = QHBoxLayout()
        topic_row.addWidget(self.topic_edit, 1)
        topic_row.addWidget(self.topic_button)
        layout.addLayout(topic_row)
        layout.addWidget(self.changes)
        layout.addWidget(self.result)
        row = QHBoxLayout()
        row.addWidget(self.reset_button)
        row.addStretch(1)
        row.addWidget(self.discard_button)
        row.addWidget(self.apply_button)
        layout.addLayout(row)

    def tenant_id(self) -> str:
        return self.tenant_edit.text().strip()

    def selected_topic(self) -> str | None:
        topic = self.model.topic_at(self.view.currentIndex())
        return topic.topic_id if topic is not None else None

    def show_changes(self, lines: list[str], problem: str | None) -> None:
        """The staged changes, one a line, and why they cannot be sent (if so)."""
        text = "\n".join(lines)
        if problem:
            text = f"{text}\n⚠ {problem}" if text else f"⚠ {problem}"
        self.changes.setPlainText(text)
        self._staged = bool(lines)
        self._enable()

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        self._busy = busy
        self._enable()

    def _enable(self) -> None:
        self.apply_button.setEnabled(self._staged and not self._busy)
        self.discard_button.setEnabled(self._staged and not self._busy)

    def on_model_reset(self) -> None:
        self.view.expandAll()
        for column in range(4):  # the digest schedule takes the rest
            self.view.resizeColumnToContents(column)

    def on_topic_clicked(self) -> None:
        self.topicRequested.emit(self.topic_edit.text().strip())

    def on_reset_clicked(self) -> None:
        self.resetRequested.emit(self.selected_topic() or "")


class DevicesTab(ResourceTab):
    """The recipient's push tokens.

    Signals:
        addRequested(): Add… (asks for the token's fields).
        patchRequested(str): change the status or expiry of this token.
        deleteRequested(str): delete this token (asks first).
    """

    addRequested = Signal()
    patchRequested = Signal(str)
    deleteRequested = Signal(str)
    view: QTableView

    def __init__(self, model: TokensModel, parent: QWidget | None = None) -> None:
        super().__init__("tokens", "Load a recipient to see its device tokens.", parent)
        self.model = model
        self.view = _table(self, "tokensView", model)
        self.view.setAccessibleName("Device tokens")
        self.add_button = QPushButton("Add…", self)
        self.add_button.setObjectName("tokenAddButton")
        self.add_button.setToolTip("Register a device token for the recipient")
        self.patch_button = QPushButton("Change status or expiry…", self)
        self.patch_button.setObjectName("tokenPatchButton")
        self.delete_button = QPushButton("Delete…", self)
        self.delete_button.setObjectName("tokenDeleteButton")
        self.delete_button.setToolTip("Delete the selected token (asks first)")
        self._buttons += [self.add_button, self.patch_button, self.delete_button]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self._top(layout)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.result)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        row.addWidget(self.patch_button)
        row.addWidget(self.delete_button)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.addRequested)
        self.patch_button.clicked.connect(lambda: self.patchRequested.emit(self.selected()))
        self.delete_button.clicked.connect(lambda: self.deleteRequested.emit(self.selected()))

    def selected(self) -> str:
        token = self.model.token_at(self.view.currentIndex().row())
        return token.token if token is not None else ""

    def select(self, row: int) -> None:
        self.view.selectRow(row)


class TenantsTab(ResourceTab):
    """The tenants the recipient belongs to, each with its per-tenant profile.

    Signals:
        addRequested(): Add… (asks for the tenant ID and an optional profile as JSON).
        removeRequested(str): remove the recipient from this tenant (asks first).
    """

    addRequested = Signal()
    removeRequested = Signal(str)
    view: QTableView

    def __init__(self, model: TenantsModel, parent: QWidget | None = None) -> None:
        super().__init__("tenants", "Load a recipient to see its tenants.", parent)
        self.model = model
        self.view = _table(self, "tenantsView", model)
        self.view.setAccessibleName("Tenants the recipient belongs to")
        self.add_button = QPushButton("Add…", self)
        self.add_button.setObjectName("tenantAddButton")
        self.add_button.setToolTip("Add the recipient to a tenant, with an optional profile")
        self.remove_button = QPushButton("Remove…", self)
        self.remove_button.setObjectName("tenantRemoveButton")
        self.remove_button.setToolTip("Remove the recipient from the selected tenant (asks first)")
        self._buttons += [self.add_button, self.remove_button]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self._top(layout)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.result)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.addRequested)
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self.selected()))

    def selected(self) -> str:
        tenant = self.model.tenant_at(self.view.currentIndex().row())
        return tenant.tenant_id if tenant is not None else ""

    def select(self, row: int) -> None:
        self.view.selectRow(row)
