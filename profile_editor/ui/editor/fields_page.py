"""The Fields tab of the profile editor: the table of top-level fields seen through a
filter box, its toolbar (add, remove, move) and its notes.

Rows are numbered as in the model everywhere (messages, headers, :meth:`FieldsPage.select_row`);
the filter only decides which of them the view shows.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from profile_editor.ui.editor.fields_delegate import FieldsDelegate
from profile_editor.ui.editor.fields_filter import FieldsFilterModel
from profile_editor.ui.editor.fields_model import FieldsModel

__all__ = ["FieldsPage"]


class FieldsPage(QWidget):
    """The table, through a :class:`FieldsFilterModel`, with its toolbar and notes.

    ``before_edit`` runs before every toolbar action (the editor parses pending JSON text,
    so the rows are current).
    """

    def __init__(
        self,
        model: FieldsModel,
        delegate: FieldsDelegate,
        before_edit: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._before_edit = before_edit
        self.filter_model = FieldsFilterModel(model, self)
        self._build_ui(delegate)
        self._connect_signals()

    # -- building --------------------------------------------------------------------------

    def _build_ui(self, delegate: FieldsDelegate) -> None:
        self.view = view = QTableView(self)
        view.setObjectName("fieldsView")
        view.setModel(self.filter_model)
        view.setItemDelegate(delegate)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Fixed sizes: sizing to contents would visit every row of a large profile.
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 220)
        header.resizeSection(1, 90)
        rows = view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 8)

        self.add_action = self._action("Add field", "Insert", "Add a field below the current row")
        self.remove_action = self._action("Remove", "Delete", "Remove the selected fields")
        self.up_action = self._action("Move up", "Alt+Up", "Move the current field up")
        self.down_action = self._action("Move down", "Alt+Down", "Move the current field down")
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(0, 0, 0, 0)
        for action, name in (
            (self.add_action, "addFieldButton"),
            (self.remove_action, "removeFieldButton"),
            (self.up_action, "moveUpButton"),
            (self.down_action, "moveDownButton"),
        ):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setDefaultAction(action)
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("fieldsFilterEdit")
        self.filter_edit.setPlaceholderText("Filter by key or value")
        self.filter_edit.setToolTip("Show only the fields whose key or value holds this text")
        self.filter_edit.setAccessibleName("Filter fields")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_count_label = QLabel(self)
        self.filter_count_label.setObjectName("fieldsFilterCountLabel")
        # A row of its own: beside the buttons it would widen the editor's narrowest size.
        filter_row = QHBoxLayout()
        filter_row.setContentsMargins(0, 0, 0, 0)
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.filter_count_label)

        self.lock_label = QLabel(self)
        self.lock_label.setObjectName("fieldsNoteLabel")
        self.lock_label.setProperty("tone", "note")  # coloured by app.qss
        self.lock_label.setToolTip("The table is read-only until the JSON tab parses again.")
        self.lock_label.hide()
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("fieldsProblemLabel")
        self.problem_label.setProperty("tone", "error")
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addLayout(filter_row)
        layout.addWidget(self.lock_label)
        layout.addWidget(view, 1)
        layout.addWidget(self.problem_label)

    def _action(self, text: str, shortcut: str, tip: str) -> QAction:
        action = QAction(text, self.view)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setToolTip(
            f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        self.view.addAction(action)
        return action

    def _connect_signals(self) -> None:
        self.add_action.triggered.connect(self.add_field)
        self.remove_action.triggered.connect(self.remove_selected_fields)
        self.up_action.triggered.connect(self.move_current_up)
        self.down_action.triggered.connect(self.move_current_down)
        self.filter_edit.textChanged.connect(self.on_filter_edit_text_changed)
        selection = self.view.selectionModel()
        selection.selectionChanged.connect(self._on_selection_changed)
        selection.currentChanged.connect(self._on_current_changed)
        for signal in (
            self.filter_model.modelReset,
            self.filter_model.rowsInserted,
            self.filter_model.rowsRemoved,
            self.filter_model.layoutChanged,
        ):
            signal.connect(self.update_actions)

    # -- rows ------------------------------------------------------------------------------

    def current_row(self) -> int:
        """The model row of the current cell, or -1."""
        return self.filter_model.source_row(self.view.currentIndex())

    def select_row(self, row: int, *, edit: bool = False) -> bool:
        """Make model ``row`` current and visible (clearing a filter that hides it)."""
        if not 0 <= row < self._model.rowCount():
            return False
        index = self.filter_model.view_index(row)
        if not index.isValid():
            self.filter_edit.clear()
            index = self.filter_model.view_index(row)
        self.view.setCurrentIndex(index)
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        if edit and self.view.isVisible():
            self.view.edit(index)
        return True

    def add_field(self) -> None:
        """Insert an empty field below the current row and start editing its key."""
        self._before_edit()
        if self._model.is_read_only():
            return
        current = self.current_row()
        row = current + 1 if current >= 0 else self._model.rowCount()
        # A new field has an empty key: no filter would show it.
        self.filter_edit.clear()
        self.select_row(self._model.insert_field(row), edit=True)

    def remove_selected_fields(self) -> None:
        self._before_edit()
        if self._model.is_read_only():
            return
        selected = self.view.selectionModel().selectedRows()
        rows = {self.filter_model.source_row(index) for index in selected}
        if not rows and self.current_row() >= 0:
            rows = {self.current_row()}
        if not rows:
            return
        first = min(rows)
        self._model.remove_fields(rows)
        remaining = self._model.rowCount()
        if remaining:
            index = self.filter_model.view_index(min(first, remaining - 1))
            if index.isValid():
                self.view.setCurrentIndex(index)

    def move_current_up(self) -> None:
        self._move_current(-1)

    def move_current_down(self) -> None:
        self._move_current(1)

    def _move_current(self, step: int) -> None:
        self._before_edit()
        row = self.current_row()
        if self._model.is_read_only() or row < 0 or self.filter_model.is_filtering():
            return
        if self._model.move_field(row, row + step):
            # The current index follows the move; keep the selection on that row alone.
            self.select_row(row + step)

    # -- filter ----------------------------------------------------------------------------

    def on_filter_edit_text_changed(self, text: str) -> None:
        self.filter_model.set_filter_text(text)
        if text:
            shown, total = self.filter_model.rowCount(), self._model.rowCount()
            self.filter_count_label.setText(f"{shown} of {total}")
        else:
            self.filter_count_label.clear()
        self.update_actions()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    # -- notes -----------------------------------------------------------------------------

    def show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def show_lock(self, line: int | None) -> None:
        """Say the table is read-only until the JSON error on ``line`` is fixed (None: it is not)."""
        if line is None:
            self.lock_label.hide()
            self.lock_label.clear()
        else:
            self.lock_label.setText(f"Fix the JSON error first (line {line})")
            self.lock_label.show()
        self.update_actions()

    # -- toolbar state ---------------------------------------------------------------------

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.update_actions()

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self.update_actions()

    def update_actions(self) -> None:
        editable = not self._model.is_read_only()
        row = self.current_row()
        count = self._model.rowCount()
        has_selection = self.view.selectionModel().hasSelection()
        movable = editable and not self.filter_model.is_filtering()
        self.add_action.setEnabled(editable)
        self.remove_action.setEnabled(editable and (has_selection or row >= 0))
        self.up_action.setEnabled(movable and row > 0)
        self.down_action.setEnabled(movable and 0 <= row < count - 1)
        if self.filter_model.is_filtering():
            self.filter_count_label.setText(f"{self.filter_model.rowCount()} of {count}")
