"""The three tables: preferences by section (status edited in place, staged), device tokens,
tenant memberships. They only show and collect; the controller reads and writes."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from profile_editor.ui.common import palette

if TYPE_CHECKING:
    from profile_editor.core.users.preferences import TopicPreference
    from profile_editor.core.users.tenants import TenantAssociation
    from profile_editor.core.users.tokens import UserToken

__all__ = [
    "PREFERENCE_COLUMNS",
    "STATUS_CHOICES",
    "PreferencesModel",
    "StatusDelegate",
    "TenantsModel",
    "TokensModel",
    "token_stands_out",
]

Index = QModelIndex | QPersistentModelIndex
PREFERENCE_COLUMNS = ("Topic", "Status", "Default", "Custom routing", "Digest schedule")
STATUS_COLUMN = 1
# What a user may choose: REQUIRED is the workspace's, never the user's.
STATUS_CHOICES = ("OPTED_IN", "OPTED_OUT")
ALL_STATUSES = ("OPTED_IN", "OPTED_OUT", "REQUIRED")
NO_SECTION = "Other topics"
_SECTION = 0  # internalId of a section row; a topic's is its section's row + 1


def _value(item: Any) -> str:
    """An enum member or a plain string, as the API spells it."""
    return str(getattr(item, "value", item)) if item is not None else ""


class PreferencesModel(QAbstractItemModel):
    """Topics under their sections. The status column's EditRole value is the status string;
    setting it stages a change (setting it back to the stored value unstages it).

    Signals:
        stagedChanged(): the staged changes are not what they were.
    """

    stagedChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sections: list[tuple[str, list[TopicPreference]]] = []
        self._staged: dict[str, str] = {}

    # -- content ----------------------------------------------------------------------------
    def set_topics(self, topics: list[TopicPreference], *, keep_staged: bool = False) -> None:
        self.beginResetModel()
        sections: dict[str, list[TopicPreference]] = {}
        for topic in topics:
            sections.setdefault(topic.section_name or NO_SECTION, []).append(topic)
        self._sections = list(sections.items())
        stored = {t.topic_id: _value(t.status) for t in topics}
        # An edit stays while its topic is shown and not already what is stored.
        staged = (
            {k: v for k, v in self._staged.items() if k in stored and stored[k] != v}
            if keep_staged
            else {}
        )
        changed = staged != self._staged
        self._staged = staged
        self.endResetModel()
        if changed:
            self.stagedChanged.emit()

    def add_topic(self, topic: TopicPreference) -> None:
        """Show one more topic (read on its own: one the user has not overridden)."""
        topics = [t for t in self.topics() if t.topic_id != topic.topic_id]
        self.set_topics([*topics, topic], keep_staged=True)

    def topics(self) -> list[TopicPreference]:
        return [topic for _, topics in self._sections for topic in topics]

    def staged(self) -> dict[str, str]:
        """topic ID → the status chosen, for the topics changed and not yet applied."""
        return dict(self._staged)

    def clear_staged(self) -> None:
        if self._staged:
            self._staged = {}
            self._all_changed()
            self.stagedChanged.emit()

    def set_staged(self, staged: dict[str, str]) -> None:
        """Stage these (topic ID → status) over the shown topics; unknown topics are skipped."""
        known = {t.topic_id: _value(t.status) for t in self.topics()}
        self._staged = {k: v for k, v in staged.items() if k in known and known[k] != v}
        self._all_changed()
        self.stagedChanged.emit()

    def topic_at(self, index: Index) -> TopicPreference | None:
        if not index.isValid() or index.internalId() == _SECTION:
            return None
        return self._sections[index.internalId() - 1][1][index.row()]

    def index_of(self, topic_id: str, column: int = 0) -> QModelIndex:
        for s, (_, topics) in enumerate(self._sections):
            for r, topic in enumerate(topics):
                if topic.topic_id == topic_id:
                    return self.createIndex(r, column, s + 1)
        return QModelIndex()

    def _all_changed(self) -> None:
        for s, (_, topics) in enumerate(self._sections):
            if topics:
                first = self.createIndex(0, 0, s + 1)
                last = self.createIndex(len(topics) - 1, len(PREFERENCE_COLUMNS) - 1, s + 1)
                self.dataChanged.emit(first, last)

    # -- the tree ---------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _SECTION)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _SECTION:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _SECTION)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == _SECTION and parent.column() == 0:
            return len(self._sections[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(PREFERENCE_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PREFERENCE_COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != _SECTION and index.column() == STATUS_COLUMN:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        if index.internalId() == _SECTION:
            if column == 0 and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                name, topics = self._sections[index.row()]
                return f"{name} ({len(topics)})"
            if column == 0 and role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        topic = self._sections[index.internalId() - 1][1][index.row()]
        stored = _value(topic.status)
        staged = self._staged.get(topic.topic_id)
        if role == Qt.ItemDataRole.EditRole and column == STATUS_COLUMN:
            return staged or stored
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return topic.topic_name or topic.topic_id
            if column == STATUS_COLUMN:
                return f"{stored} → {staged}" if staged else stored
            if column == 2:
                return _value(topic.default_status)
            if column == 3:
                if not topic.has_custom_routing:
                    return "—"
                return ", ".join(_value(c) for c in (topic.custom_routing or [])) or "none"
            if column == 4:
                return topic.digest_schedule_id or "—"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"{topic.topic_name} — topic ID {topic.topic_id}"
            if column == STATUS_COLUMN:
                tip = "Double-click to choose OPTED_IN or OPTED_OUT; Apply sends the changes."
                if _value(topic.default_status) == "REQUIRED":
                    tip = "REQUIRED by the workspace: cannot be opted out."
                return f"Staged: {stored} → {staged}. {tip}" if staged else tip
            return None
        if role == Qt.ItemDataRole.FontRole and staged and column in (0, STATUS_COLUMN):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and staged and column == STATUS_COLUMN:
            return QColor(palette.current().warning_text)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        topic = self.topic_at(index)
        if topic is None or index.column() != STATUS_COLUMN or role != Qt.ItemDataRole.EditRole:
            return False
        text = str(value)
        if text not in ALL_STATUSES:
            return False
        if text == _value(topic.status):
            if self._staged.pop(topic.topic_id, None) is None:
                return True
        elif self._staged.get(topic.topic_id) == text:
            return True
        else:
            self._staged[topic.topic_id] = text
        parent = index.internalId()
        self.dataChanged.emit(
            self.createIndex(index.row(), 0, parent),
            self.createIndex(index.row(), STATUS_COLUMN, parent),
        )
        self.stagedChanged.emit()
        return True


class StatusDelegate(QStyledItemDelegate):
    """The status column is edited with a combo of the statuses a user may choose."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("preferenceStatusCombo")
        combo.addItems(list(STATUS_CHOICES))
        # Commit as soon as a status is picked, not only when the editor loses focus.
        combo.activated.connect(lambda _i: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


# -- tokens ----------------------------------------------------------------------------------

TOKEN_COLUMNS = ("Token", "Provider", "Platform", "App", "Expiry", "Status", "Reason")


def _expiry_date(token: UserToken) -> date | None:
    expiry = token.expiry_date
    if not isinstance(expiry, str) or not expiry:
        return None
    try:
        return date.fromisoformat(expiry[:10])
    except ValueError:
        return None


def token_stands_out(token: UserToken, today: date) -> str | None:
    """Why a token is shown in the error colour (failed, revoked or expired), or None."""
    status = _value(token.status)
    if status in ("failed", "revoked"):
        return status
    expiry = _expiry_date(token)
    if expiry is not None and expiry < today:
        return "expired"
    return None


class TokensModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[UserToken] = []
        self._today = date.today()

    def set_tokens(self, tokens: list[UserToken]) -> None:
        self.beginResetModel()
        self._rows = list(tokens)
        self._today = date.today()
        self.endResetModel()

    def tokens(self) -> list[UserToken]:
        return list(self._rows)

    def token_at(self, row: int) -> UserToken | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TOKEN_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TOKEN_COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        from profile_editor.core.users.tokens import shorten_token

        token = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            device = token.device
            expiry = token.expiry_date
            expiry_text = (
                "never" if expiry is False else (expiry or "60 days after last registration")
            )
            stands_out = token_stands_out(token, self._today)
            status = _value(token.status) or "—"
            if stands_out == "expired":
                status = f"{status} (expired)"
            values = (
                shorten_token(token.token),
                _value(token.provider_key),
                _value(device.platform) if device and device.platform else "—",
                (device.app_id if device else None) or "—",
                expiry_text,
                status,
                token.status_reason or "",
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return token.token
            return token.model_dump_json(indent=2, exclude_none=True)
        if role == Qt.ItemDataRole.ForegroundRole and token_stands_out(token, self._today):
            return QColor(palette.current().error_text)
        return None


# -- tenants ---------------------------------------------------------------------------------

TENANT_COLUMNS = ("Tenant", "Profile in this tenant")


class TenantsModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[TenantAssociation] = []

    def set_tenants(self, tenants: list[TenantAssociation]) -> None:
        self.beginResetModel()
        self._rows = list(tenants)
        self.endResetModel()

    def tenants(self) -> list[TenantAssociation]:
        return list(self._rows)

    def tenant_at(self, row: int) -> TenantAssociation | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TENANT_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return TENANT_COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        tenant = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return tenant.tenant_id
            profile = tenant.profile
            return json.dumps(profile, ensure_ascii=False)[:200] if profile else "—"
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1 and tenant.profile:
            return json.dumps(tenant.profile, indent=2, ensure_ascii=False)[:4000]
        return None
