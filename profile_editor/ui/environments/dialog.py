"""Edit the environments (name, base URL, colour, protection) and their API keys."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from profile_editor.core.http.config import check_base_url
from profile_editor.storage.environments import (
    DEFAULT_BASE_URL,
    Environment,
    EnvironmentStore,
)
from profile_editor.storage.errors import StorageError
from profile_editor.storage.secrets import KeyVault
from profile_editor.storage.secretscan import contains_secret
from profile_editor.ui.common.palette import current
from profile_editor.ui.environments.bar import color_swatch, readable_text_color

SWATCHES = ("#d64541", "#d35400", "#c49000", "#2e7d32", "#00838f", "#1565c0", "#6a1b9a", "#455a64")
NEW_COLOR = "#2e7d32"


def ask_color(parent: QWidget | None, initial: str) -> str | None:
    """A colour picked by the user as ``#rrggbb``, or None if cancelled."""
    color = QColorDialog.getColor(QColor(initial), parent, "Environment colour")
    return color.name() if color.isValid() else None


@dataclass
class _Row:
    """One environment being edited. Typed keys stay here (memory) until saved to the vault."""

    original: str | None  # its name when the dialog opened (the vault's account); None if new
    name: str
    base_url: str
    color: str
    protected: bool
    new_key: str = ""
    clear_key: bool = False
    has_stored_key: bool | None = None  # looked up on first display

    @property
    def renamed(self) -> bool:
        return self.original is not None and self.original != self.name.strip()


@dataclass(frozen=True)
class _RowProblems:
    name: str = ""
    url: str = ""

    def __bool__(self) -> bool:
        return bool(self.name or self.url)


class EnvironmentsDialog(QDialog):
    """Add, remove and edit environments; "Save" writes them and their keys, Cancel nothing.

    The dialog never reads a stored key into a widget: it only asks the vault whether one
    exists. Typed keys go to ``vault`` on save and nowhere else.
    """

    def __init__(
        self,
        store: EnvironmentStore,
        vault: KeyVault,
        envs: list[Environment] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("environmentsDialog")
        self.setWindowTitle("Environments")
        self.store = store
        self.vault = vault
        if envs is None:
            envs = store.load()
        self._rows = [_Row(e.name, e.name, e.base_url, e.color, e.protected) for e in envs]
        self._removed: list[str] = []
        self._loading_row = False
        self._saved: list[Environment] | None = None

        self.vault_notice = QLabel(self)
        self.vault_notice.setObjectName("vaultNoticeLabel")
        self.vault_notice.setWordWrap(True)
        self.vault_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.vault_notice.setStyleSheet(
            f"background: {current().note[0]}; color: {current().note[1]};"
            " padding: 6px; border-radius: 4px;"
        )
        self.file_notice = QLabel(self)
        self.file_notice.setObjectName("environmentsFileNotice")
        self.file_notice.setWordWrap(True)
        self.file_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.file_notice.setStyleSheet(
            f"background: {current().danger[0]}; color: {current().danger[1]};"
            " padding: 6px; border-radius: 4px;"
        )
        if store.error:
            self.file_notice.setText(f"{store.error} Saving replaces that file.")
        self.file_notice.setVisible(bool(store.error))

        # Left: the list.
        self.list = QListWidget(self)
        self.list.setObjectName("environmentsList")
        self.list.setIconSize(QSize(14, 14))
        self.list.currentRowChanged.connect(self._show_row)
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("addEnvironmentButton")
        self.add_button.clicked.connect(self.add_environment)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("removeEnvironmentButton")
        self.remove_button.clicked.connect(self.remove_current)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.remove_button)
        left.addLayout(list_buttons)

        # Right: the selected environment.
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("envNameEdit")
        self.name_edit.textChanged.connect(self._on_name_edited)
        self.name_error = self._error_label("envNameError")
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("envUrlEdit")
        self.url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        self.url_edit.textChanged.connect(self._on_url_edited)
        self.url_error = self._error_label("envUrlError")

        self.color_button = QPushButton(self)
        self.color_button.setObjectName("envColorButton")
        self.color_button.setToolTip("Pick any colour…")
        self.color_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("#dddddd") + 28)
        self.color_button.clicked.connect(self._pick_color)
        colors = QHBoxLayout()
        colors.setSpacing(4)
        colors.addWidget(self.color_button)
        for hex_color in SWATCHES:
            swatch = QToolButton(self)
            swatch.setObjectName(f"envSwatch{hex_color[1:]}")
            swatch.setFixedSize(22, 22)
            swatch.setToolTip(hex_color)
            swatch.setStyleSheet(
                f"QToolButton {{ background: {hex_color}; border: 1px solid {current().border}; border-radius: 3px; }}"
            )
            swatch.clicked.connect(lambda _=False, c=hex_color: self.set_color(c))
            colors.addWidget(swatch)
        colors.addStretch(1)

        self.protected_check = QCheckBox("Protected: confirm before anything is sent", self)
        self.protected_check.setObjectName("envProtectedCheck")
        self.protected_check.toggled.connect(self._on_protected_toggled)

        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("envKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.textChanged.connect(self._on_key_edited)
        self.key_clear_button = QPushButton("Remove key", self)
        self.key_clear_button.setObjectName("envKeyClearButton")
        self.key_clear_button.setToolTip("Forget this environment's API key when saving")
        self.key_clear_button.clicked.connect(self.clear_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_clear_button)
        self.key_status = QLabel(self)
        self.key_status.setObjectName("envKeyStatus")
        self.key_status.setWordWrap(True)
        self.key_status.setStyleSheet(f"color: {current().muted};")

        self.editor = QWidget(self)
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Name", self.name_edit)
        form.addRow("", self.name_error)
        form.addRow("Base URL", self.url_edit)
        form.addRow("", self.url_error)
        form.addRow("Colour", colors)
        form.addRow("", self.protected_check)
        form.addRow("API key", key_row)
        form.addRow("", self.key_status)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addWidget(self.editor, 5)

        self.error_label = self._error_label("environmentsErrorLabel")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.vault_notice)
        layout.addWidget(self.file_notice)
        layout.addLayout(body, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self._update_vault_notice()
        for row in self._rows:
            self.list.addItem(self._make_item(row))
        if self._rows:
            self.list.setCurrentRow(0)
        self._show_row(self.list.currentRow())
        self._validate()
        self.resize(720, 440)

    # -- public API ----------------------------------------------------------------------

    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def current_row(self) -> int:
        return self.list.currentRow()

    def select_row(self, row: int) -> None:
        self.list.setCurrentRow(row)

    def problems(self) -> list[str]:
        """Everything that stops saving, one sentence each; empty when all is well."""
        return [text for _, text in self._problem_list()]

    def _problem_list(self) -> list[tuple[int | None, str]]:
        """(row index or None, sentence) for each problem."""
        result: list[tuple[int | None, str]] = []
        for index, (row, found) in enumerate(zip(self._rows, self._all_problems(), strict=True)):
            label = row.name.strip() or "An environment without a name"
            result += [(index, f"{label}: {text}") for text in (found.name, found.url) if text]
        leak = self._leaked_key()
        if leak:
            result.append((None, leak))
        return result

    def result_environments(self) -> list[Environment]:
        """The environments as edited; ValueError (saying why) while any is invalid."""
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return [
            Environment(
                name=row.name.strip(),
                base_url=check_base_url(row.base_url),
                color=row.color,
                protected=row.protected,
            )
            for row in self._rows
        ]

    def saved_environments(self) -> list[Environment] | None:
        """What the last successful :meth:`save` wrote."""
        return self._saved

    def save(self) -> bool:
        """Write the environments and then the keys; False (shown inline) on any problem."""
        try:
            envs = self.result_environments()
        except ValueError:
            self._validate()
            return False
        try:
            self.store.save(envs)
        except StorageError as exc:
            self.error_label.setText(f"Not saved: {exc}")
            self.error_label.setVisible(True)
            return False
        self._save_keys()
        self._saved = envs
        return True

    def accept(self) -> None:
        if self.save():
            super().accept()

    # -- editing -------------------------------------------------------------------------

    def add_environment(self) -> None:
        taken = {r.name.strip().casefold() for r in self._rows}
        name = "New environment"
        n = 2
        while name.casefold() in taken:
            name = f"New environment {n}"
            n += 1
        row = _Row(None, name, DEFAULT_BASE_URL, NEW_COLOR, False, has_stored_key=False)
        self._rows.append(row)
        self.list.addItem(self._make_item(row))
        self.list.setCurrentRow(len(self._rows) - 1)
        self._validate()
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def remove_current(self) -> None:
        index = self.list.currentRow()
        if not 0 <= index < len(self._rows):
            return
        row = self._rows.pop(index)
        if row.original is not None:
            self._removed.append(row.original)
        # Remove from the data first: takeItem moves the current row and refreshes editors.
        self.list.takeItem(index)
        self._show_row(self.list.currentRow())
        self._validate()

    def set_color(self, color: str) -> None:
        row = self._current()
        if row is None:
            return
        row.color = QColor(color).name()
        self._show_color(row.color)
        self._refresh_item(self.list.currentRow())

    def clear_key(self) -> None:
        row = self._current()
        if row is None:
            return
        row.new_key = ""
        row.clear_key = True
        self.key_edit.clear()
        self._show_key_state(row)

    # -- editors -------------------------------------------------------------------------

    @staticmethod
    def _error_label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(f"color: {current().error_text};")
        label.setVisible(False)
        return label

    def _current(self) -> _Row | None:
        index = self.list.currentRow()
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def _show_row(self, index: int) -> None:
        row = self._rows[index] if 0 <= index < len(self._rows) else None
        self.editor.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None)
        self._loading_row = True
        try:
            self.name_edit.setText(row.name if row else "")
            self.url_edit.setText(row.base_url if row else "")
            self.protected_check.setChecked(row.protected if row else False)
            self.key_edit.setText(row.new_key if row else "")
        finally:
            self._loading_row = False
        self._show_color(row.color if row else "#808080")
        if row is not None:
            self._show_key_state(row)
        else:
            self.key_status.clear()
        self._validate()

    def _show_color(self, color: str) -> None:
        fg = readable_text_color(color)
        self.color_button.setText(color)
        self.color_button.setStyleSheet(
            f"QPushButton {{ background: {color}; color: {fg}; border: 1px solid {current().border};"
            " border-radius: 3px; padding: 3px 10px; }"
        )

    def _pick_color(self) -> None:
        row = self._current()
        if row is None:
            return
        chosen = ask_color(self, row.color)
        if chosen:
            self.set_color(chosen)

    def _on_name_edited(self, text: str) -> None:
        row = self._current()
        if row is None or self._loading_row:
            return
        row.name = text
        self._show_key_state(row)
        self._validate()

    def _on_url_edited(self, text: str) -> None:
        row = self._current()
        if row is None or self._loading_row:
            return
        row.base_url = text
        self._validate()

    def _on_protected_toggled(self, checked: bool) -> None:
        row = self._current()
        if row is None or self._loading_row:
            return
        row.protected = checked
        self._refresh_item(self.list.currentRow())

    def _on_key_edited(self, text: str) -> None:
        row = self._current()
        if row is None or self._loading_row:
            return
        row.new_key = text.strip()
        if row.new_key:
            row.clear_key = False
        self._show_key_state(row)
        self._validate()

    def _stored(self, row: _Row) -> bool:
        if row.has_stored_key is None:
            # Only asks whether a key exists; its value is dropped at once.
            row.has_stored_key = (
                row.original is not None and self.vault.get(row.original) is not None
            )
        return row.has_stored_key

    def _show_key_state(self, row: _Row) -> None:
        where = "the keychain" if self.vault.persistent else "memory for this session"
        if row.new_key:
            status = f"The new key will be saved to {where}."
            placeholder = ""
        elif row.clear_key:
            status = "The key will be removed when you save."
            placeholder = "No key (paste one to replace)"
        elif self._stored(row):
            status = f"A key is stored in {where}. Type or paste to replace it."
            if row.renamed:
                status += " It moves to the new name when you save."
            placeholder = "•••••••• stored"
        else:
            status = "No key is stored for this environment."
            placeholder = "Paste the API key (pk_… or dk_…)"
        self.key_edit.setPlaceholderText(placeholder)
        self.key_status.setText(status)
        self.key_clear_button.setEnabled(
            bool(row.new_key) or (not row.clear_key and self._stored(row))
        )

    def _update_vault_notice(self) -> None:
        if self.vault.persistent:
            self.vault_notice.setVisible(False)
            return
        self.vault_notice.setText(
            f"Keys are kept only for this session: enter them again after a restart.\n"
            f"{self.vault.reason}"
        )
        self.vault_notice.setVisible(True)

    # -- list items ----------------------------------------------------------------------

    def _make_item(self, row: _Row) -> QListWidgetItem:
        item = QListWidgetItem()
        self._style_item(item, row, _RowProblems())
        return item

    def _refresh_item(self, index: int) -> None:
        item = self.list.item(index)
        if item is not None and 0 <= index < len(self._rows):
            self._style_item(item, self._rows[index], self._all_problems()[index])

    def _style_item(self, item: QListWidgetItem, row: _Row, problems: _RowProblems) -> None:
        name = row.name.strip() or "(no name)"
        item.setText(f"{name}  (protected)" if row.protected else name)
        if problems:
            item.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            item.setForeground(QColor(current().bad))
            item.setToolTip("\n".join(p for p in (problems.name, problems.url) if p))
        else:
            item.setIcon(color_swatch(row.color, 14))
            item.setData(Qt.ItemDataRole.ForegroundRole, None)
            item.setToolTip(row.base_url)

    # -- validation ----------------------------------------------------------------------

    def _all_problems(self) -> list[_RowProblems]:
        counts: dict[str, int] = {}
        for row in self._rows:
            key = row.name.strip().casefold()
            counts[key] = counts.get(key, 0) + 1
        result = []
        for row in self._rows:
            name = row.name.strip()
            if not name:
                name_problem = "the name must not be blank"
            elif counts[name.casefold()] > 1:
                name_problem = f"another environment is also named “{name}”"
            else:
                name_problem = ""
            try:
                check_base_url(row.base_url)
                url_problem = ""
            except ValueError as exc:
                url_problem = str(exc)
            result.append(_RowProblems(name_problem, url_problem))
        return result

    def _leaked_key(self) -> str:
        # Names and URLs go to a plain settings file: a key pasted there would leak.
        typed = [r.new_key for r in self._rows if r.new_key]
        if not typed:
            return ""
        for row in self._rows:
            if contains_secret(f"{row.name}\n{row.base_url}", typed):
                label = row.original or "An environment"
                return f"{label}: its name or URL contains an API key"
        return ""

    def _validate(self) -> None:
        problems = self._all_problems()
        for index, found in enumerate(problems):
            item = self.list.item(index)
            if item is not None:
                self._style_item(item, self._rows[index], found)
        self._show_row_problems(problems)
        listed = self._problem_list()
        # The current row's problems are shown next to its fields; the rest go below.
        current = self.list.currentRow()
        others = [text for index, text in listed if index != current]
        self.error_label.setText("\n".join(others))
        self.error_label.setVisible(bool(others))
        self.save_button().setEnabled(not listed)

    def _show_row_problems(self, problems: list[_RowProblems] | None = None) -> None:
        if problems is None:
            problems = self._all_problems()
        index = self.list.currentRow()
        found = problems[index] if 0 <= index < len(problems) else _RowProblems()
        for label, text in ((self.name_error, found.name), (self.url_error, found.url)):
            label.setText(text[:1].upper() + text[1:] if text else "")
            label.setVisible(bool(text))

    # -- saving keys ---------------------------------------------------------------------

    def _save_keys(self) -> None:
        """Apply key changes: moves for renamed rows, removals, new keys. Values stay in the vault."""
        moving: dict[int, str] = {}
        for index, row in enumerate(self._rows):
            if row.renamed and not row.new_key and not row.clear_key and row.original is not None:
                old = self.vault.get(row.original)
                if old:
                    moving[index] = old
        gone = set(self._removed) | {r.original for r in self._rows if r.renamed and r.original}
        for name in gone:
            self.vault.delete(name)
        for index, row in enumerate(self._rows):
            name = row.name.strip()
            if row.new_key:
                self.vault.set(name, row.new_key)
            elif row.clear_key:
                self.vault.delete(name)
            elif index in moving:
                self.vault.set(name, moving[index])
            row.original = name
            row.new_key = ""
            row.clear_key = False
            row.has_stored_key = None
        self._removed.clear()
        self.key_edit.clear()
        self._update_vault_notice()
