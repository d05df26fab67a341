"""The profile editor: a "Fields" table and a "JSON" text tab, kept in sync.

Whichever side the user edited last is the truth:

* JSON → table: each text change restarts a short single-shot timer; when it fires the text
  is parsed strictly and, if valid, loaded into the table (the text itself is never touched).
  While the text is invalid the table keeps its last valid state and is read-only, so a table
  edit can never overwrite what was typed in the JSON tab.
* table → JSON: a table edit marks the text stale; it is regenerated when the JSON tab is
  shown, never while the user is typing in it.

Both views share one undo history (:attr:`ProfileEditorWidget.undo_stack`): a table edit,
typing or a paste in the JSON tab and a whole profile loaded are steps of it, undone and
redone through the same paths as the changes themselves (see :mod:`.undo_commands`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from profile_editor.core.jsoncodec import JsonProblem, dumps_pretty, parse_profile
from profile_editor.core.values import doc_safe, editor_json
from profile_editor.ui.fields_delegate import FieldsDelegate
from profile_editor.ui.fields_model import KEY_COLUMN, FieldsModel, RowEdit
from profile_editor.ui.profile_json_edit import DocumentRef, ProfileJsonEdit, TextStep
from profile_editor.ui.undo_commands import (
    EditorState,
    ReplaceCommand,
    TableEditCommand,
    TextEditCommand,
)

__all__ = ["ProfileEditorWidget", "ProfileResult"]

FIELDS_TAB, JSON_TAB = 0, 1
DEBOUNCE_MS = 150
# Parsing a multi-megabyte text takes long enough that it should not run between keystrokes.
LARGE_TEXT = 1_000_000
LARGE_DEBOUNCE_MS = 500
# Undo steps kept; each may hold a whole document, so not unbounded.
UNDO_LIMIT = 200
# Below this many characters an undo step keeps the rows as well as the text (cheap, and
# undoing then needs no parse); above, the rows are parsed from the text again when needed.
KEEP_ROWS_LIMIT = 200_000

_ERROR_STYLE = "color: #b00020;"
_NOTE_STYLE = "background: #fff4ce; color: #5c4400; padding: 4px; border-radius: 3px;"


@dataclass(frozen=True)
class ProfileResult:
    """The profile being edited, or the first problem that keeps it from being one.

    ``where`` is ``"json"`` (then ``line``/``column`` are set) or ``"fields"`` (then ``row``,
    0-based); ``problem`` is a sentence for the user naming the place.
    """

    profile: dict[str, Any] | None
    problem: str | None = None
    where: Literal["json", "fields"] | None = None
    line: int = 0
    column: int = 0
    row: int = -1

    @property
    def ok(self) -> bool:
        return self.profile is not None


def rows_json_text(rows: list[tuple[str, Any]], duplicates: bool) -> str:
    """Pretty JSON of the rows, in order; duplicate keys are written out, not merged."""
    if not duplicates:
        return editor_json(dict(rows))
    if not rows:
        return "{}"
    # Same layout as dumps_pretty: nested lines get one more indent level. Newlines inside
    # strings are escaped by json.dumps, so every "\n" here is structural.
    items = [
        "  "
        + json.dumps(key, ensure_ascii=False)
        + ": "
        + dumps_pretty(value).replace("\n", "\n  ")
        for key, value in rows
    ]
    return doc_safe("{\n" + ",\n".join(items) + "\n}")


class ProfileEditorWidget(QWidget):
    """Edits one profile as a table of fields or as JSON text.

    Signals:
        profileChanged(): the user changed the profile (after the two views were synced),
            or an undo or redo did; read it with :meth:`profile_result`.
        modifiedChanged(bool): the modified flag changed (undoing back to the last
            ``set_modified(False)`` clears it again).

    Actions for the window's menus: :attr:`undo_action` and :attr:`redo_action`, whose text
    names the step ("Undo edit of email", "Redo paste").
    """

    profileChanged = Signal()
    modifiedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = FieldsModel(self)
        self._delegate = FieldsDelegate(self)
        self._modified = False
        self._syncing = False  # set while the widget itself writes the JSON text
        self._text_stale = False  # the table was edited after the text was written
        self._text_error: JsonProblem | None = None  # the user's text does not parse
        self._replaying = False  # set while an undo or redo changes the views
        self._replace_before: EditorState | None = None
        self._parse_timer = QTimer(self)
        self._parse_timer.setSingleShot(True)
        self._undo_stack = QUndoStack(self)
        self._undo_stack.setUndoLimit(UNDO_LIMIT)
        self._build_ui()
        self._connect_signals()
        self.set_profile({}, record=False)

    # -- building --------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self._tabs = QTabWidget(self)
        self._tabs.setObjectName("profileTabs")

        fields_page = QWidget()
        self._view = QTableView(fields_page)
        self._view.setObjectName("fieldsView")
        self._view.setModel(self._model)
        self._view.setItemDelegate(self._delegate)
        self._view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self._view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self._view.setWordWrap(False)
        self._view.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Fixed sizes: sizing to contents would visit every row of a large profile.
        header = self._view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 220)
        header.resizeSection(1, 90)
        rows = self._view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self._view.fontMetrics().height() + 8)

        self._add_action = self._action("Add field", "Insert", "Add a field below the current row")
        self._remove_action = self._action("Remove", "Delete", "Remove the selected fields")
        self._up_action = self._action("Move up", "Alt+Up", "Move the current field up")
        self._down_action = self._action("Move down", "Alt+Down", "Move the current field down")
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(0, 0, 0, 0)
        for action, name in (
            (self._add_action, "addFieldButton"),
            (self._remove_action, "removeFieldButton"),
            (self._up_action, "moveUpButton"),
            (self._down_action, "moveDownButton"),
        ):
            button = QToolButton(fields_page)
            button.setObjectName(name)
            button.setDefaultAction(action)
            toolbar.addWidget(button)
        toolbar.addStretch(1)

        self._note_label = QLabel(fields_page)
        self._note_label.setObjectName("fieldsNoteLabel")
        self._note_label.setStyleSheet(_NOTE_STYLE)
        self._note_label.setToolTip("The table is read-only until the JSON tab parses again.")
        self._note_label.hide()
        self._field_problem_label = QLabel(fields_page)
        self._field_problem_label.setObjectName("fieldsProblemLabel")
        self._field_problem_label.setStyleSheet(_ERROR_STYLE)
        self._field_problem_label.setWordWrap(True)
        self._field_problem_label.hide()

        fields_layout = QVBoxLayout(fields_page)
        fields_layout.addLayout(toolbar)
        fields_layout.addWidget(self._note_label)
        fields_layout.addWidget(self._view, 1)
        fields_layout.addWidget(self._field_problem_label)

        json_page = QWidget()
        self._json_edit = ProfileJsonEdit(json_page)
        self._json_edit.setObjectName("rawJsonEdit")
        self._json_error_label = QLabel(json_page)
        self._json_error_label.setObjectName("jsonErrorLabel")
        self._json_error_label.setStyleSheet(_ERROR_STYLE)
        self._json_error_label.setWordWrap(True)
        self._json_error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._json_error_label.hide()
        json_layout = QVBoxLayout(json_page)
        json_layout.addWidget(self._json_edit, 1)
        json_layout.addWidget(self._json_error_label)

        self._tabs.addTab(fields_page, "Fields")
        self._tabs.addTab(json_page, "JSON")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._tabs)

        self.undo_action = self._undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setObjectName("undoAction")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action = self._undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setObjectName("redoAction")
        self.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
        # On the widget too, so the keys work in the table without a window menu.
        self.addActions([self.undo_action, self.redo_action])
        self._json_edit.set_undo_actions(self.undo_action, self.redo_action)

    def _action(self, text: str, shortcut: str, tip: str) -> QAction:
        action = QAction(text, self._view)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setToolTip(
            f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
        )
        self._view.addAction(action)
        return action

    def _connect_signals(self) -> None:
        self._json_edit.textChanged.connect(self.on_json_text_changed)
        self._json_edit.textStep.connect(self._on_json_text_step)
        self._json_edit.aboutToReplaceText.connect(self._on_json_about_to_replace_text)
        self._json_edit.textReplaced.connect(self._on_json_text_replaced)
        self._json_edit.undoRequested.connect(self._undo_stack.undo)
        self._json_edit.redoRequested.connect(self._undo_stack.redo)
        self._model.rowsEdited.connect(self._on_model_rows_edited)
        self._undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self._parse_timer.timeout.connect(self._parse_now)
        self._tabs.currentChanged.connect(self.on_tabs_current_changed)
        self._model.edited.connect(self.on_model_edited)
        self._model.problem.connect(self._show_field_problem)
        self._delegate.problem.connect(self._show_field_problem)
        self._add_action.triggered.connect(self.add_field)
        self._remove_action.triggered.connect(self.remove_selected_fields)
        self._up_action.triggered.connect(self.move_current_up)
        self._down_action.triggered.connect(self.move_current_down)
        selection = self._view.selectionModel()
        selection.selectionChanged.connect(self._on_selection_changed)
        selection.currentChanged.connect(self._on_current_changed)
        for signal in (
            self._model.modelReset,
            self._model.rowsInserted,
            self._model.rowsRemoved,
            self._model.rowsMoved,
        ):
            signal.connect(self._update_actions)

    # -- public API ------------------------------------------------------------------------

    @property
    def fields_model(self) -> FieldsModel:
        return self._model

    @property
    def fields_view(self) -> QTableView:
        return self._view

    @property
    def json_edit(self) -> ProfileJsonEdit:
        return self._json_edit

    @property
    def undo_stack(self) -> QUndoStack:
        return self._undo_stack

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    def set_profile(
        self, profile: dict[str, Any], *, record: bool = True, step: str = "load"
    ) -> None:
        """Load ``profile`` into both tabs and clear the modified flag.

        ``record``: the replacement is an undo step named ``step`` ("Undo load"); with
        ``record=False`` the undo history starts afresh here instead (nothing before it could
        be undone consistently). The table keeps the top-level pairs; values are shared, not
        copied, and never mutated.
        """
        before = self._snapshot() if record else None
        self._parse_timer.stop()
        self._model.set_profile(profile)
        self._write_text(editor_json(profile), keep_cursor=False)
        self._text_stale = False
        self._set_text_error(None)
        self._show_field_problem("")
        if before is not None:
            document = self._json_edit.document_ref
            size = document.document.characterCount()
            rows = self._model.rows() if size <= KEEP_ROWS_LIMIT else None
            after = EditorState(document, rows)
            self._undo_stack.push(ReplaceCommand(self, step, before, after))
        else:
            self._undo_stack.clear()
        self.set_modified(False)

    def profile_result(self) -> ProfileResult:
        """The profile shown, or the first problem and where it is.

        Parses pending JSON text right away, so what is returned matches what is on screen.
        """
        self.flush()
        if self._text_error is not None:
            error = self._text_error
            return ProfileResult(
                None,
                f"JSON tab, line {error.line}, column {error.column}: {error.message}",
                "json",
                line=error.line,
                column=error.column,
            )
        problems = self._model.problems()
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            return ProfileResult(
                None, f"Fields: {problems[0]}{more}", "fields", row=problems[0].row
            )
        return ProfileResult(self._model.to_profile())

    def reveal_problem(self) -> bool:
        """Switch to and focus the place of the first problem; False if there is none."""
        result = self.profile_result()
        if result.where == "json":
            self._tabs.setCurrentIndex(JSON_TAB)
            self._json_edit.setTextCursor(self._json_edit.cursor_at(result.line, result.column))
            self._json_edit.ensureCursorVisible()
            self._json_edit.setFocus()
            return True
        if result.where == "fields":
            self._tabs.setCurrentIndex(FIELDS_TAB)
            index = self._model.index(result.row, KEY_COLUMN)
            self._view.setCurrentIndex(index)
            self._view.scrollTo(index)
            self._view.setFocus()
            return True
        return False

    def flush(self) -> None:
        """Parse JSON text still waiting for its debounce timer."""
        if self._parse_timer.isActive():
            self._parse_now()

    def is_modified(self) -> bool:
        return self._modified

    def set_modified(self, modified: bool) -> None:
        """Mark the profile saved (``False``: undoing away from here modifies it again) or
        modified (``True``: it stays modified whatever is undone)."""
        if modified:
            self._undo_stack.resetClean()
        else:
            self._undo_stack.setClean()
        self._set_modified_flag(modified)

    def _set_modified_flag(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def _on_undo_index_changed(self, _index: int) -> None:
        if self._undo_stack.cleanIndex() >= 0:
            self._set_modified_flag(not self._undo_stack.isClean())

    def json_stale(self) -> bool:
        """Whether table edits are waiting to be written to the JSON text."""
        return self._text_stale

    # -- table actions ---------------------------------------------------------------------

    def add_field(self) -> None:
        """Insert an empty field below the current row and start editing its key."""
        self.flush()
        if self._model.is_read_only():
            return
        current = self._view.currentIndex()
        row = current.row() + 1 if current.isValid() else self._model.rowCount()
        row = self._model.insert_field(row)
        index = self._model.index(row, KEY_COLUMN)
        self._view.setCurrentIndex(index)
        self._view.scrollTo(index)
        if self._view.isVisible():
            self._view.edit(index)

    def remove_selected_fields(self) -> None:
        self.flush()
        if self._model.is_read_only():
            return
        rows = {index.row() for index in self._view.selectionModel().selectedRows()}
        if not rows and self._view.currentIndex().isValid():
            rows = {self._view.currentIndex().row()}
        if not rows:
            return
        first = min(rows)
        self._model.remove_fields(rows)
        remaining = self._model.rowCount()
        if remaining:
            self._view.setCurrentIndex(self._model.index(min(first, remaining - 1), KEY_COLUMN))

    def move_current_up(self) -> None:
        self._move_current(-1)

    def move_current_down(self) -> None:
        self._move_current(1)

    def _move_current(self, step: int) -> None:
        self.flush()
        current = self._view.currentIndex()
        if self._model.is_read_only() or not current.isValid():
            return
        row = current.row()
        if self._model.move_field(row, row + step):
            # The current index follows the move; keep the selection on that row alone.
            self._view.selectRow(row + step)
            self._view.scrollTo(self._model.index(row + step, KEY_COLUMN))

    # -- sync ------------------------------------------------------------------------------

    def on_json_text_changed(self) -> None:
        if self._syncing:
            return
        self._text_stale = False  # the user's text is now the truth
        if not self._replaying:
            self._set_modified_flag(True)
        if self._json_edit.bulk_replaced:
            # One discrete paste, not typing: nothing to wait for.
            self._json_edit.bulk_replaced = False
            self._parse_timer.start(0)
            return
        large = self._json_edit.document().characterCount() > LARGE_TEXT
        self._parse_timer.start(LARGE_DEBOUNCE_MS if large else DEBOUNCE_MS)

    def _parse_now(self) -> None:
        self._parse_timer.stop()
        try:
            profile = parse_profile(self._json_edit.text())
        except JsonProblem as problem:
            self._set_text_error(problem)
        else:
            self._set_text_error(None)
            self._model.set_profile(profile)
        self.profileChanged.emit()

    def on_model_edited(self) -> None:
        self._text_stale = True
        self._show_field_problem("")
        if self._replaying:
            self.profileChanged.emit()
            return
        self._set_modified_flag(True)
        if self._tabs.currentIndex() == JSON_TAB and not self._parse_timer.isActive():
            # Only code can edit the table while the JSON tab is shown. If the user is
            # mid-typing there (a parse is pending), their text wins when it is parsed.
            self._regenerate_text()
        self.profileChanged.emit()

    def on_tabs_current_changed(self, index: int) -> None:
        if index == JSON_TAB:
            if self._text_stale:
                self._regenerate_text()
        else:
            self.flush()

    def _regenerate_text(self) -> None:
        duplicates = self._model.has_duplicate_keys()
        self._write_text(rows_json_text(self._model.rows(), duplicates), keep_cursor=True)
        self._text_stale = False
        self._mark_duplicate_keys()

    def _mark_duplicate_keys(self) -> None:
        """Show where a repeated key is in text made from the rows, without locking the
        table that has to fix it."""
        if not self._model.has_duplicate_keys():
            self._show_json_error(None)
            return
        try:
            parse_profile(self._json_edit.text())
        except JsonProblem as problem:
            self._show_json_error(problem)

    def _write_text(self, text: str, *, keep_cursor: bool) -> None:
        """Show ``text`` in a new document: the one replaced may belong to undo steps."""
        edit = self._json_edit
        cursor = edit.textCursor()
        line, column = cursor.blockNumber(), cursor.positionInBlock()
        scroll = edit.verticalScrollBar().value()
        self._syncing = True
        try:
            edit.load_text(text)
        finally:
            self._syncing = False
        if keep_cursor:
            block = edit.document().findBlockByNumber(min(line, edit.blockCount() - 1))
            cursor = QTextCursor(block)
            cursor.setPosition(block.position() + min(column, block.length() - 1))
            edit.setTextCursor(cursor)
            edit.verticalScrollBar().setValue(scroll)

    def _set_text_error(self, problem: JsonProblem | None) -> None:
        self._text_error = problem
        self._show_json_error(problem)
        self._model.set_read_only(problem is not None)
        if problem is None:
            self._note_label.hide()
            self._note_label.clear()
        else:
            self._note_label.setText(f"Fix the JSON error first (line {problem.line})")
            self._note_label.show()
        self._update_actions()

    def _show_json_error(self, problem: JsonProblem | None) -> None:
        if problem is None:
            self._json_error_label.clear()
            self._json_error_label.hide()
            self._json_edit.clear_error()
        else:
            self._json_error_label.setText(str(problem))
            self._json_error_label.show()
            self._json_edit.mark_error(problem.line, problem.column)

    def _show_field_problem(self, text: str) -> None:
        self._field_problem_label.setText(text)
        self._field_problem_label.setVisible(bool(text))

    # -- undo ------------------------------------------------------------------------------

    def _snapshot(self) -> EditorState:
        document = self._json_edit.document_ref
        if self._parse_timer.isActive():
            return EditorState(document, None)  # the text is the truth, its parse is pending
        keep_rows = (
            self._text_stale
            or self._text_error is not None
            or self._model.has_duplicate_keys()
            or document.document.characterCount() <= KEEP_ROWS_LIMIT
        )
        rows = self._model.rows() if keep_rows else None
        return EditorState(document, rows, self._text_stale, self._text_error)

    def _show_document(self, document: DocumentRef) -> None:
        if document is self._json_edit.document_ref:
            return
        self._syncing = True
        try:
            self._json_edit.show_document(document)
        finally:
            self._syncing = False

    def _on_json_text_step(self, step: TextStep) -> None:
        if not (self._syncing or self._replaying):
            self._undo_stack.push(TextEditCommand(self, step))

    def _on_json_about_to_replace_text(self) -> None:
        self._replace_before = self._snapshot()

    def _on_json_text_replaced(self, kind: str) -> None:
        before, self._replace_before = self._replace_before, None
        if before is None or self._replaying:
            return
        after = EditorState(self._json_edit.document_ref, None)
        self._undo_stack.push(ReplaceCommand(self, kind, before, after))

    def _on_model_rows_edited(self, edit: RowEdit) -> None:
        if self._replaying:
            return
        before = EditorState(self._json_edit.document_ref, None, self._text_stale)
        self._undo_stack.push(TableEditCommand(self, edit, before))

    def restore_state(self, state: EditorState) -> None:
        """Show both views as they were (an undo step's state before or after)."""
        self._parse_timer.stop()
        self._replaying = True
        try:
            self._show_document(state.document)
            self._text_stale = state.stale
            self._show_field_problem("")
            if state.rows is None:
                self._parse_now()
            else:
                self._model.set_rows(state.rows)
                self._set_text_error(state.error)
                if not state.stale and state.error is None:
                    self._mark_duplicate_keys()
                self.profileChanged.emit()
        finally:
            self._replaying = False
        if self._text_stale and self._tabs.currentIndex() == JSON_TAB:
            self._regenerate_text()

    def replay_table_edit(self, edit: RowEdit, before: EditorState, *, forward: bool) -> None:
        """Redo or undo a table edit; undone, the JSON text is the one it had before."""
        self.flush()
        self._replaying = True
        try:
            self._model.replay(edit, forward=forward)
            if forward:
                self._text_stale = True
            else:
                self._show_document(before.document)
                self._text_stale = before.stale
                if not before.stale:
                    self._mark_duplicate_keys()
        finally:
            self._replaying = False
        self._tabs.setCurrentIndex(FIELDS_TAB)
        if edit.kind == "move":
            row = edit.rows[1] if forward else edit.rows[0]
        elif edit.kind == "remove" and forward:
            row = min(edit.rows[0], self._model.rowCount() - 1)
        else:
            row = edit.rows[0] if self._model.rowCount() > edit.rows[0] else -1
        if row >= 0:
            self._view.selectRow(row)
            self._view.scrollTo(self._model.index(row, KEY_COLUMN))

    def replay_text_steps(self, document: DocumentRef, steps: int, *, forward: bool) -> None:
        """Redo or undo steps of a JSON document (showing it again if it was replaced since)."""
        self._parse_timer.stop()
        self._replaying = True
        try:
            self._show_document(document)
            cursor = self._json_edit.textCursor()
            for _ in range(steps):
                if forward:
                    document.document.redo(cursor)
                else:
                    document.document.undo(cursor)
            self._json_edit.setTextCursor(cursor)
            self._text_stale = False
            self._parse_now()
        finally:
            self._replaying = False
        self._tabs.setCurrentIndex(JSON_TAB)
        self._json_edit.ensureCursorVisible()

    # -- toolbar state ---------------------------------------------------------------------

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        editable = not self._model.is_read_only()
        current = self._view.currentIndex()
        row = current.row() if current.isValid() else -1
        count = self._model.rowCount()
        has_selection = self._view.selectionModel().hasSelection()
        self._add_action.setEnabled(editable)
        self._remove_action.setEnabled(editable and (has_selection or row >= 0))
        self._up_action.setEnabled(editable and row > 0)
        self._down_action.setEnabled(editable and 0 <= row < count - 1)
