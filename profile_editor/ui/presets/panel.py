"""The presets sidebar: one row per preset file, with new / save as / rename / duplicate / delete."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from profile_editor.storage.errors import StorageError
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.palette import current
from profile_editor.ui.common.resources import icon

if TYPE_CHECKING:
    from profile_editor.storage.presets import Preset, PresetEntry, PresetStore

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
# Name, file name and recipient: what a user may type into the filter box.
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2

MODIFIED_PREFIX = "• "
ModelIndex = QModelIndex | QPersistentModelIndex


PRESET_FILES = "Presets (*.json);;All files (*)"


def _as_entry(value: object) -> PresetEntry | None:
    if value is None:
        return None
    # Entries come from the store, so its module is loaded by the time there is one.
    from profile_editor.storage.presets import PresetEntry

    return value if isinstance(value, PresetEntry) else None


def _one_line(text: str) -> str:
    # A name with line breaks would break the uniform row height of the list.
    return " ".join(text.split())


def _tooltip(entry: PresetEntry) -> str:
    # Names and reasons come from files anyone may have written: never let them be markup.
    import html  # with the first tooltip, not at start

    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    if entry.preset is None:
        lines = [
            f"<b>{esc(entry.path.name)} cannot be opened</b>",
            esc(entry.error or "The file could not be loaded."),
        ]
    else:
        preset = entry.preset
        target = preset.recipient_id or "no recipient"
        lines = [f"<b>{esc(preset.name)}</b>", esc(f"{preset.method} · {target}")]
        if preset.environment:
            lines.append(esc(f"Environment: {preset.environment}"))
        if preset.note:
            lines.append(esc(preset.note))
        lines.append(f"<i>{esc(entry.path.name)}</i>")
    return "<qt>" + "<br>".join(lines) + "</qt>"


class PresetListModel(QAbstractListModel):
    """The listed preset files, in the store's order; marks the current one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[PresetEntry] = []
        self._current: Path | None = None
        self._modified = False
        self._warning_icon: QIcon | None = None

    # -- data --------------------------------------------------------------------------

    def set_entries(self, entries: Iterable[PresetEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entries(self) -> list[PresetEntry]:
        return list(self._entries)

    def entry(self, row: int) -> PresetEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, path: Path | None) -> int:
        if path is None:
            return -1
        return next((i for i, e in enumerate(self._entries) if e.path == path), -1)

    def set_current(self, path: Path | None, modified: bool) -> None:
        rows = {self.row_of(self._current), self.row_of(path)}
        self._current = Path(path) if path is not None else None
        self._modified = modified and path is not None
        for row in rows - {-1}:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    def current_path(self) -> Path | None:
        return self._current

    def is_modified(self) -> bool:
        return self._modified

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        is_current = self._current is not None and entry.path == self._current
        if role == Qt.ItemDataRole.DisplayRole:
            if entry.is_broken:
                return _one_line(entry.path.name)
            prefix = MODIFIED_PREFIX if is_current and self._modified else ""
            return prefix + _one_line(entry.name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(entry)
        if role == Qt.ItemDataRole.DecorationRole and entry.is_broken:
            return self._warning()
        if role == Qt.ItemDataRole.ForegroundRole and entry.is_broken:
            return QBrush(QColor(current().bad))
        if role == Qt.ItemDataRole.FontRole and is_current:
            from PySide6.QtGui import QFont  # its type costs the first frame; rows come later

            font = QFont()
            font.setBold(True)
            font.setItalic(self._modified)
            return font
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            if entry.is_broken:
                return f"Broken preset: {entry.error or ''}"
            if is_current:
                return "Open, unsaved changes" if self._modified else "Open"
            return None
        if role == ENTRY_ROLE:
            return entry
        if role == FILTER_ROLE:
            recipient = entry.preset.recipient_id if entry.preset is not None else ""
            return f"{entry.name}\n{entry.path.name}\n{recipient}"
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Broken rows stay selectable so they can be deleted; opening them is refused.
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def _warning(self) -> QIcon:
        if self._warning_icon is None:
            from PySide6.QtWidgets import QStyle  # a large type to load: only for broken rows

            style = QApplication.style()
            self._warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning_icon


class PresetsPanel(QWidget):
    """The presets sidebar over a :class:`PresetStore`.

    The window shows the sidebar in its first frame with no store (``None``: an empty list) and
    gives it the store right after (:meth:`set_store`): reading presets needs the storage models.

    Signals:
        openRequested(object): the user activated a loadable preset (a PresetEntry). The
            window decides what happens to unsaved changes.
        newRequested(): "New" was chosen.
        saveAsRequested(): "Save as…" was chosen; the window builds the preset and may call
            :meth:`save_new`.
        presetRenamed(object, object): old Path, new PresetEntry (new path and fingerprint).
        presetDeleted(object): the Path of a deleted preset file.
        presetsChanged(): the list was re-read.
    """

    openRequested = Signal(object)
    newRequested = Signal()
    saveAsRequested = Signal()
    presetRenamed = Signal(object, object)
    presetDeleted = Signal(object)
    presetsChanged = Signal()

    def __init__(
        self,
        store: PresetStore | None,
        parent: QWidget | None = None,
        *,
        secrets: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("presetsPanel")
        self._store = store
        # Known API keys: the store refuses to write a preset that contains one.
        self._secrets = secrets or (lambda: ())

        self.model = PresetListModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(FILTER_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("presetFilterEdit")
        self.filter_edit.setPlaceholderText("Filter presets")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)

        self.view = QListView(self)
        self.view.setObjectName("presetsList")
        self.view.setModel(self.proxy)
        self.view.setUniformItemSizes(True)
        # Rows with and without the warning icon must be the same height (uniform sizes).
        self.view.setIconSize(QSize(16, 16))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.activated.connect(self._on_activated)
        self.view.customContextMenuRequested.connect(self._show_menu)
        self.view.selectionModel().selectionChanged.connect(self._update_actions)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("presetsStatusLabel")
        self.status_label.setWordWrap(True)

        self._make_actions()

        tools = QHBoxLayout()
        tools.setSpacing(2)
        for action in (self.new_action, self.save_as_action):
            tools.addWidget(self._tool_button(action))
        tools.addStretch(1)
        more = QToolButton(self)
        more.setObjectName("presetsMoreButton")
        more.setText("More")
        more.setToolTip("More preset actions")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        more.setMenu(self._menu(with_new=False))
        tools.addWidget(more)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        title = QLabel("<b>Presets</b>", self)
        layout.addWidget(title)
        layout.addWidget(self.filter_edit)
        layout.addLayout(tools)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status_label)

        self.refresh()

    @property
    def store(self) -> PresetStore:
        assert self._store is not None, "the presets panel has no store yet"
        return self._store

    def set_store(self, store: PresetStore) -> None:
        """List the presets of ``store`` from now on."""
        self._store = store
        self.refresh()

    # -- actions -------------------------------------------------------------------------

    def _make_actions(self) -> None:
        def action(text: str, slot: Callable[[], Any], icon_name: str = "") -> QAction:
            act = QAction(text, self)
            if icon_name:
                act.setIcon(icon(icon_name))
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_action = action("New", self.newRequested.emit, "add")
        self.new_action.setToolTip("Start a new, empty profile")
        self.save_as_action = action("Save as…", self.saveAsRequested.emit, "save")
        self.save_as_action.setToolTip("Save the current profile as a new preset")
        self.rename_action = action("Rename…", lambda: self.rename_selected())
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.duplicate_action = action("Duplicate", lambda: self.duplicate_selected(), "copy")
        self.delete_action = action("Delete…", self.delete_selected, "remove")
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.import_action = action("Import…", lambda: self.import_preset(), "load")
        self.export_action = action("Export…", lambda: self.export_selected())
        self.refresh_action = action("Reload list", self.refresh)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        for act in (self.rename_action, self.delete_action, self.refresh_action):
            # Only while the sidebar has focus: Delete must not fire from the JSON editor.
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _tool_button(self, action: QAction) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def _menu(self, *, with_new: bool) -> QMenu:
        menu = QMenu(self)
        if with_new:
            menu.addAction(self.new_action)
            menu.addAction(self.save_as_action)
            menu.addSeparator()
        menu.addAction(self.rename_action)
        menu.addAction(self.duplicate_action)
        menu.addAction(self.delete_action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)
        menu.addSeparator()
        menu.addAction(self.refresh_action)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        menu = self._menu(with_new=True)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _update_actions(self) -> None:
        entry = self.selected_entry()
        loaded = entry is not None and not entry.is_broken
        self.rename_action.setEnabled(loaded)
        self.duplicate_action.setEnabled(loaded)
        self.export_action.setEnabled(loaded)
        self.delete_action.setEnabled(entry is not None)

    # -- listing -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the folder (one listing), keeping the selection where possible."""
        if self._store is None:
            return
        selected = self.selected_entry()
        try:
            entries = self._store.list()
        except OSError as exc:
            entries = []
            self._set_status(f"Cannot read the preset folder: {exc.strerror or exc}")
        self.model.set_entries(entries)
        if selected is not None:
            self.select_path(selected.path)
        self._update_status()
        self._update_actions()
        self.presetsChanged.emit()

    def entries(self) -> list[PresetEntry]:
        """Every listed entry (filtered out ones too), in display order."""
        return self.model.entries()

    def visible_entries(self) -> list[PresetEntry]:
        """The entries the filter lets through, top to bottom."""
        result = []
        for row in range(self.proxy.rowCount()):
            entry = _as_entry(self.proxy.index(row, 0).data(ENTRY_ROLE))
            if entry is not None:
                result.append(entry)
        return result

    def set_filter(self, text: str) -> None:
        self.filter_edit.setText(text)

    def _on_filter_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_status()
        self._update_actions()

    def _update_status(self) -> None:
        total = self.model.rowCount()
        broken = sum(1 for e in self.model.entries() if e.is_broken)
        shown = self.proxy.rowCount()
        if total == 0:
            text = "No presets yet. Use “Save as…” to keep the current profile."
        elif shown == 0:
            text = "No preset matches the filter."
        else:
            text = f"{total} preset{'s' if total != 1 else ''}"
            if shown != total:
                text = f"{shown} of {text}"
            if broken:
                text += f", {broken} cannot be opened"
        self._set_status(text)

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    # -- current and selection -----------------------------------------------------------

    def set_current(self, path: Path | None, modified: bool) -> None:
        """Mark the preset open in the editor, with an unsaved-changes marker if modified."""
        self.model.set_current(path, modified)

    def selected_entry(self) -> PresetEntry | None:
        indexes = self.view.selectionModel().selectedIndexes()
        if not indexes:
            return None
        return _as_entry(indexes[0].data(ENTRY_ROLE))

    def select_path(self, path: Path) -> bool:
        """Select (and scroll to) the preset file ``path``; False if it is not shown."""
        row = self.model.row_of(Path(path))
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return True

    def open_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self._request_open(entry)

    def _on_activated(self, index: QModelIndex) -> None:
        entry = _as_entry(index.data(ENTRY_ROLE))
        if entry is not None:
            self._request_open(entry)

    def _request_open(self, entry: PresetEntry) -> None:
        if entry.is_broken:
            dialogs.inform(
                self,
                "Cannot open preset",
                f"{entry.path.name} cannot be opened: {entry.error or 'it could not be loaded.'}",
            )
            return
        self.openRequested.emit(entry)

    # -- operations ----------------------------------------------------------------------

    def save_new(self, preset: Preset) -> PresetEntry | None:
        """Write ``preset`` to a new file and select it; None (after telling the user) on error."""
        try:
            entry = self.store.save(preset, secrets=self._secrets())
        except StorageError as exc:
            self._report("Cannot save preset", exc)
            return None
        self._after_write(entry.path)
        return entry

    def rename_selected(self, new_name: str | None = None) -> PresetEntry | None:
        """Rename the selected preset (asking for the name if not given)."""
        entry = self._selected_loaded("rename")
        if entry is None:
            return None
        if new_name is None:
            new_name = dialogs.ask_text(
                self, "Rename preset", "New name:", entry.name, hint="A preset needs a name."
            )
        if new_name is None or not new_name.strip() or new_name.strip() == entry.name:
            return None
        try:
            renamed = self.store.rename(entry, new_name, secrets=self._secrets())
        except StorageError as exc:
            self._report("Cannot rename preset", exc)
            self.refresh()
            return None
        if self.model.current_path() == entry.path:
            self.model.set_current(renamed.path, self.model.is_modified())
        self._after_write(renamed.path)
        self.presetRenamed.emit(entry.path, renamed)
        return renamed

    def duplicate_selected(self, new_name: str | None = None) -> PresetEntry | None:
        """Copy the selected preset under ``new_name`` (default "<name> copy") and select it."""
        entry = self._selected_loaded("duplicate")
        if entry is None:
            return None
        name = (new_name or "").strip() or f"{entry.name} copy"
        try:
            copy = self.store.duplicate(entry, name, secrets=self._secrets())
        except StorageError as exc:
            self._report("Cannot duplicate preset", exc)
            return None
        self._after_write(copy.path)
        return copy

    def delete_selected(self) -> bool:
        """Delete the selected preset file after confirmation; True if it was deleted."""
        entry = self.selected_entry()
        if entry is None:
            return False
        label = entry.path.name if entry.is_broken else f"“{entry.name}”"
        if not dialogs.confirm(
            self,
            "Delete preset",
            f"Delete the preset {label}?",
            f"The file {entry.path.name} will be removed from {self.store.directory}.",
            ok="Delete",
        ):
            return False
        try:
            self.store.delete(entry)
        except StorageError as exc:
            self._report("Cannot delete preset", exc)
            return False
        row = self.proxy.mapFromSource(self.model.index(self.model.row_of(entry.path), 0)).row()
        self.refresh()
        # Keep the keyboard user in place: select the row that took the deleted one's spot.
        if self.proxy.rowCount():
            self.view.setCurrentIndex(
                self.proxy.index(min(max(row, 0), self.proxy.rowCount() - 1), 0)
            )
        self.presetDeleted.emit(entry.path)
        return True

    def import_preset(self, src: Path | None = None) -> PresetEntry | None:
        """Copy a preset file into the folder (asking for it if not given) and select it."""
        if src is None:
            src = dialogs.ask_open_path(self, "Import preset", PRESET_FILES)
            if src is None:
                return None
        try:
            entry = self.store.import_file(src, secrets=self._secrets())
        except StorageError as exc:
            self._report("Cannot import preset", exc)
            return None
        self._after_write(entry.path)
        return entry

    def export_selected(self, dest: Path | None = None) -> bool:
        """Write the selected preset to ``dest`` (asking where if not given)."""
        entry = self._selected_loaded("export")
        if entry is None:
            return False
        if dest is None:
            dest = dialogs.ask_save_path(self, "Export preset", entry.path.name, PRESET_FILES)
            if dest is None:
                return False
        try:
            self.store.export(entry, dest, secrets=self._secrets())
        except StorageError as exc:
            self._report("Cannot export preset", exc)
            return False
        return True

    # -- helpers -------------------------------------------------------------------------

    def _selected_loaded(self, verb: str) -> PresetEntry | None:
        entry = self.selected_entry()
        if entry is not None and entry.is_broken:
            dialogs.inform(
                self,
                f"Cannot {verb} preset",
                f"{entry.path.name} cannot be loaded, so it cannot be {verb}d: {entry.error}",
            )
            return None
        return entry

    def _after_write(self, path: Path) -> None:
        self.refresh()
        if not self.select_path(path):
            # The new file is hidden by the filter: show it rather than leave the user guessing.
            self.filter_edit.clear()
            self.select_path(path)

    def _report(self, title: str, exc: StorageError) -> None:
        dialogs.inform(self, title, str(exc))
