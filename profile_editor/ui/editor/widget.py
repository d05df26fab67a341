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

The tabs themselves (table, filter and toolbar; text and find bar) are
:class:`~.fields_page.FieldsPage` and :class:`~.json_page.JsonPage`. The JSON page (its editor,
highlighter and find bar) is built when first needed — :meth:`ProfileEditorWidget.finish`, the
tab shown, or anything that reads the text — not with the widget: the window's first frame
shows the Fields tab.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QTableView, QTabWidget, QVBoxLayout, QWidget
from shiboken6 import delete as delete_now

from profile_editor.core.profile.jsoncodec import JsonProblem, parse_profile
from profile_editor.core.profile.key_paths import KeyPath
from profile_editor.core.profile.values import editor_json, rows_json_text
from profile_editor.ui.editor.fields_delegate import FieldsDelegate
from profile_editor.ui.editor.fields_model import FieldsModel, RowEdit
from profile_editor.ui.editor.fields_page import FieldsPage
from profile_editor.ui.editor.find_and_go_to import FIELDS_TAB, JSON_TAB, FindAndGoTo
from profile_editor.ui.editor.profile_result import ProfileResult
from profile_editor.ui.editor.undo_commands import (
    EditorState,
    ReplaceCommand,
    TableEditCommand,
    TextEditCommand,
)

if TYPE_CHECKING:
    from profile_editor.ui.editor.json_page import JsonPage
    from profile_editor.ui.editor.profile_json_edit import DocumentRef, ProfileJsonEdit, TextStep

__all__ = ["FIELDS_TAB", "JSON_TAB", "ProfileEditorWidget"]

DEBOUNCE_MS = 150
# Parsing a multi-megabyte text takes long enough that it should not run between keystrokes.
LARGE_TEXT = 1_000_000
LARGE_DEBOUNCE_MS = 500
# Undo steps kept; each may hold a whole document, so not unbounded.
UNDO_LIMIT = 200
# Below this many characters an undo step keeps the rows as well as the text (cheap, and
# undoing then needs no parse); above, the rows are parsed from the text again when needed.
KEEP_ROWS_LIMIT = 200_000


class ProfileEditorWidget(QWidget):
    """Edits one profile as a table of fields or as JSON text.

    Signals:
        profileChanged(): the user changed the profile (after the two views were synced),
            or an undo or redo did; read it with :meth:`profile_result`.
        edited(): the text or the table changed, at once (typing: before the parse).
        modifiedChanged(bool): the modified flag changed. Modified means the undo history is
            not at the last ``set_modified(False)`` (a load or a save): undoing back there
            clears it, and a key press that changes nothing (an arrow) does not set it.

    Actions for the window's menus: :attr:`undo_action` and :attr:`redo_action`, whose text
    names the step ("Undo edit of email", "Redo paste"); :attr:`find_action` (Ctrl+F: the
    find bar in the JSON tab, the filter box in the Fields tab) and :attr:`go_to_path_action`
    (Ctrl+G: asks for a key path, then :meth:`go_to_path`).
    """

    profileChanged = Signal()
    edited = Signal()
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
        self._edit_before: EditorState | None = None
        self._parse_timer = QTimer(self)
        self._parse_timer.setSingleShot(True)
        self._undo_stack = QUndoStack(self)
        self._undo_stack.setUndoLimit(UNDO_LIMIT)
        self._json_page: JsonPage | None = None  # built when first needed (see the module)
        self._build_ui()
        self._connect_signals()
        # An empty profile, as set_profile({}, record=False) would load it; the JSON page
        # starts with this text when it is built.
        self._model.set_profile({})
        self._first_text = editor_json({})
        self._set_text_error(None)
        self._undo_stack.clear()
        self.set_modified(False)

    # -- building --------------------------------------------------------------------------

    def _build_ui(self) -> None:
        self._tabs = QTabWidget(self)
        self._tabs.setObjectName("profileTabs")
        self._fields_page = FieldsPage(self._model, self._delegate, self.flush)
        self._view = self._fields_page.view
        self._tabs.addTab(self._fields_page, "Fields")
        self._tabs.addTab(QWidget(self._tabs), "JSON")  # the page is built by finish()
        self._find = FindAndGoTo(
            self, self._tabs, self._fields_page, lambda: self.json_page, self._model, self.flush
        )
        self.find_action = self._find.find_action
        self.go_to_path_action = self._find.go_to_path_action
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._tabs, 1)
        layout.addWidget(self._find.note_label)

        self.undo_action = self._undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setObjectName("undoAction")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action = self._undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setObjectName("redoAction")
        self.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
        # On the widget too, so the keys work in the table without a window menu.
        self.addActions([self.undo_action, self.redo_action])

    def finish(self) -> None:
        """Build the JSON page in its tab's place, showing the text it would have had from the
        start (nothing but this page writes the text, so that is the first one)."""
        if self._json_page is not None:
            return
        from profile_editor.ui.editor.json_page import JsonPage

        page = JsonPage()
        edit = page.edit
        edit.set_undo_actions(self.undo_action, self.redo_action)
        tabs, shown = self._tabs, self._tabs.currentIndex()
        blocked = tabs.blockSignals(True)  # the tab shown stays; nothing changed for the user
        try:
            placeholder = tabs.widget(JSON_TAB)
            tabs.removeTab(JSON_TAB)
            tabs.insertTab(JSON_TAB, page, "JSON")
            tabs.setCurrentIndex(shown)
        finally:
            tabs.blockSignals(blocked)
        if placeholder is not None:
            delete_now(placeholder)
        edit.load_text(self._first_text)  # before its signals are connected: no edit, no step
        self._json_page = page
        edit.contentChanged.connect(self.on_json_text_changed)
        edit.aboutToEdit.connect(self._on_json_about_to_edit)
        edit.textStep.connect(self._on_json_text_step)
        edit.aboutToReplaceText.connect(self._on_json_about_to_replace_text)
        edit.textReplaced.connect(self._on_json_text_replaced)
        edit.undoRequested.connect(self._undo_stack.undo)
        edit.redoRequested.connect(self._undo_stack.redo)
        if self._text_error is not None:
            page.show_error(self._text_error)

    def _connect_signals(self) -> None:
        self._model.rowsEdited.connect(self._on_model_rows_edited)
        self._undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self._undo_stack.cleanChanged.connect(self._on_undo_index_changed)
        self._parse_timer.timeout.connect(self._parse_now)
        self._tabs.currentChanged.connect(self.on_tabs_current_changed)
        self._model.edited.connect(self.on_model_edited)
        self._model.problem.connect(self._fields_page.show_problem)
        self._delegate.problem.connect(self._fields_page.show_problem)

    # -- public API ------------------------------------------------------------------------

    @property
    def fields_model(self) -> FieldsModel:
        return self._model

    @property
    def fields_view(self) -> QTableView:
        """The table; its model is the filter over :attr:`fields_model`."""
        return self._view

    @property
    def fields_page(self) -> FieldsPage:
        return self._fields_page

    @property
    def json_page(self) -> JsonPage:
        """The JSON tab's page, built now if it was not yet."""
        if self._json_page is None:
            self.finish()
            assert self._json_page is not None
        return self._json_page

    @property
    def json_edit(self) -> ProfileJsonEdit:
        return self.json_page.edit

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
        self._fields_page.show_problem("")
        if before is not None:
            document = self.json_edit.document_ref
            size = document.document.characterCount()
            rows = self._model.rows() if size <= KEEP_ROWS_LIMIT else None
            after = EditorState(document, rows)
            self._undo_stack.push(ReplaceCommand(self, step, before, after))
        else:
            self._undo_stack.clear()
        self.set_modified(False)

    def current_text(self) -> str:
        """The profile as JSON text, exactly as typed (even when it does not parse); after
        table edits not yet written to the JSON tab, the text the rows make."""
        if self._text_stale:
            return rows_json_text(self._model.rows(), self._model.has_duplicate_keys())
        return self.json_edit.text()

    def text_snapshot(self) -> Callable[[], str]:
        """:meth:`current_text` as a function that may be called later, on another thread.

        The text the JSON tab holds is taken now (cheap when it was read since its last change:
        see :meth:`JsonEdit.text`); text still to be made from table edits is made when called,
        from the rows as they are now (values are never mutated), so the UI thread only copies
        a list of pairs.
        """
        if self._text_stale:
            rows, duplicates = list(self._model.rows()), self._model.has_duplicate_keys()
            return lambda: rows_json_text(rows, duplicates)
        text = self.json_edit.text()
        return lambda: text

    def set_text(self, text: str) -> None:
        """Put ``text`` in the JSON tab as if typed (parsed after the usual pause), e.g. a
        restored draft that may not be valid JSON."""
        self._tabs.setCurrentIndex(JSON_TAB)
        self.json_edit.setPlainText(text)

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
            self.go_to_line(result.line, result.column)
            return True
        if result.where == "fields":
            self._tabs.setCurrentIndex(FIELDS_TAB)
            self._fields_page.select_row(result.row)
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

    def _on_undo_index_changed(self, *_args: object) -> None:
        # Every change the user makes is a step of the history, so where it stands says it all;
        # without a clean index (set_modified(True), or the saved step undone and edited over,
        # or dropped past the limit) the saved state cannot come back.
        stack = self._undo_stack
        self._set_modified_flag(stack.cleanIndex() < 0 or not stack.isClean())

    def json_stale(self) -> bool:
        """Whether table edits are waiting to be written to the JSON text."""
        return self._text_stale

    # -- table actions ---------------------------------------------------------------------

    def add_field(self) -> None:
        """Insert an empty field below the current row and start editing its key."""
        self._fields_page.add_field()

    def remove_selected_fields(self) -> None:
        self._fields_page.remove_selected_fields()

    def move_current_up(self) -> None:
        self._fields_page.move_current_up()

    def move_current_down(self) -> None:
        self._fields_page.move_current_down()

    # -- sync ------------------------------------------------------------------------------

    def on_json_text_changed(self) -> None:
        if self._syncing:
            return
        self._text_stale = False  # the user's text is now the truth
        self.edited.emit()
        if self.json_edit.bulk_replaced:
            # One discrete paste, not typing: nothing to wait for (a load may signal more
            # than once; the flag stays up until the parse).
            self._parse_timer.start(0)
            return
        large = self.json_edit.document().characterCount() > LARGE_TEXT
        self._parse_timer.start(LARGE_DEBOUNCE_MS if large else DEBOUNCE_MS)

    def _parse_now(self) -> None:
        self._parse_timer.stop()
        self.json_edit.bulk_replaced = False
        try:
            profile = parse_profile(self.json_edit.text())
        except JsonProblem as problem:
            self._set_text_error(problem)
        else:
            self._set_text_error(None)
            self._model.set_profile(profile)
        self.profileChanged.emit()

    def on_model_edited(self) -> None:
        self._text_stale = True
        self._fields_page.show_problem("")
        self.edited.emit()
        if self._replaying:
            self.profileChanged.emit()
            return
        if self._tabs.currentIndex() == JSON_TAB and not self._parse_timer.isActive():
            # Only code can edit the table while the JSON tab is shown. If the user is
            # mid-typing there (a parse is pending), their text wins when it is parsed.
            self._regenerate_text()
        self.profileChanged.emit()

    def on_tabs_current_changed(self, index: int) -> None:
        self._find.show_note("")
        if index == JSON_TAB:
            self.finish()  # picked before the window built it
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
            parse_profile(self.json_edit.text())
        except JsonProblem as problem:
            self._show_json_error(problem)

    def _write_text(self, text: str, *, keep_cursor: bool) -> None:
        """Show ``text`` in a new document: the one replaced may belong to undo steps."""
        edit = self.json_edit
        cursor = edit.textCursor()
        line, column = cursor.blockNumber(), cursor.positionInBlock()
        scroll = edit.verticalScrollBar().value()
        self._syncing = True
        try:
            edit.load_text(text)
        finally:
            self._syncing = False
        if keep_cursor:
            from PySide6.QtGui import QTextCursor  # loaded by the JSON page already

            block = edit.document().findBlockByNumber(min(line, edit.blockCount() - 1))
            cursor = QTextCursor(block)
            cursor.setPosition(block.position() + min(column, block.length() - 1))
            edit.setTextCursor(cursor)
            edit.verticalScrollBar().setValue(scroll)

    def _set_text_error(self, problem: JsonProblem | None) -> None:
        self._text_error = problem
        self._show_json_error(problem)
        self._model.set_read_only(problem is not None)
        self._fields_page.show_lock(None if problem is None else problem.line)

    def _show_json_error(self, problem: JsonProblem | None) -> None:
        if self._json_page is not None:  # else shown when it is built
            self._json_page.show_error(problem)

    # -- undo ------------------------------------------------------------------------------

    def _snapshot(self) -> EditorState:
        document = self.json_edit.document_ref
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
        if document is self.json_edit.document_ref:
            return
        self._syncing = True
        try:
            self.json_edit.show_document(document)
        finally:
            self._syncing = False

    def _on_json_about_to_edit(self) -> None:
        # The table before a key press, where the text will not give it back when undone: it
        # mirrored rows with a repeated key, or it did not parse. Earlier typing not parsed
        # yet is the truth itself.
        self._edit_before = None
        if self._parse_timer.isActive():
            return
        if self._text_error is not None or self._model.has_duplicate_keys():
            document = self.json_edit.document_ref
            self._edit_before = EditorState(document, self._model.rows(), False, self._text_error)

    def _on_json_text_step(self, step: TextStep) -> None:
        before = self._edit_before if step.kind != "edit" else None
        self._edit_before = None
        if not (self._syncing or self._replaying):
            self._undo_stack.push(TextEditCommand(self, step, before))

    def _on_json_about_to_replace_text(self) -> None:
        self._replace_before = self._snapshot()

    def _on_json_text_replaced(self, kind: str) -> None:
        before, self._replace_before = self._replace_before, None
        if before is None or self._replaying:
            return
        after = EditorState(self.json_edit.document_ref, None)
        self._undo_stack.push(ReplaceCommand(self, kind, before, after))

    def _on_model_rows_edited(self, edit: RowEdit) -> None:
        if self._replaying:
            return
        before = EditorState(self.json_edit.document_ref, None, self._text_stale)
        self._undo_stack.push(TableEditCommand(self, edit, before))

    def restore_state(self, state: EditorState) -> None:
        """Show both views as they were (an undo step's state before or after)."""
        self._parse_timer.stop()
        self._replaying = True
        try:
            self._show_document(state.document)
            self._text_stale = state.stale
            self._fields_page.show_problem("")
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
            row = edit.rows[0]
        self._fields_page.select_row(row)

    def replay_text_steps(
        self, document: DocumentRef, steps: int, before: EditorState | None, *, forward: bool
    ) -> None:
        """Redo or undo steps of a JSON document (showing it again if it was replaced since);
        undone, the table is ``before`` if given, else what the text parses to."""
        self._parse_timer.stop()
        self._replaying = True
        try:
            self._show_document(document)
            cursor = self.json_edit.textCursor()
            for _ in range(steps):
                if forward:
                    document.document.redo(cursor)
                else:
                    document.document.undo(cursor)
            self.json_edit.setTextCursor(cursor)
            self._parse_timer.stop()  # started by the text's change: what follows decides
            self._text_stale = False
            if forward or before is None or before.rows is None:
                self._parse_now()
            else:
                self._model.set_rows(before.rows)
                self._set_text_error(before.error)
                if before.error is None:
                    self._mark_duplicate_keys()
                self.profileChanged.emit()
        finally:
            self._replaying = False
        self._tabs.setCurrentIndex(JSON_TAB)
        self.json_edit.ensureCursorVisible()

    # -- find and go to (see :mod:`.find_and_go_to`) -----------------------------------------

    def go_to_line(self, line: int, column: int = 1) -> None:
        """Show the JSON tab with the cursor at 1-based ``line``/``column``."""
        self._find.go_to_line(line, column)

    def go_to_path(self, path: KeyPath | str) -> bool:
        """Go to a key path in the tab shown; False, with a note, when it is not there."""
        return self._find.go_to_path(path)
