"""Cell editors for :class:`~profile_editor.ui.editor.fields_model.FieldsModel`, chosen by column and type.

Key and string/number values get a line edit, Type and booleans a combo box, objects and
arrays (and strings that span lines) a multi-line editor. Return/Tab (Ctrl+Return in the
multi-line editor) only commit text the model would accept; otherwise the editor stays open
with the reason reported, so nothing typed is lost. An editor whose text was not changed
commits nothing.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QComboBox,
    QLineEdit,
    QStyledItemDelegate,
    QWidget,
)

from profile_editor.core.profile.jsoncodec import JSON_TYPES, JsonProblem, parse_value, type_name
from profile_editor.core.profile.values import doc_safe
from profile_editor.ui.editor.fields_model import KEY_COLUMN, TYPE_COLUMN, VALUE_ROLE, FieldsModel

if TYPE_CHECKING:
    # Only in the editor's methods' signatures: its type costs the first frame about 1.5 ms.
    from PySide6.QtWidgets import QStyleOptionViewItem

    from profile_editor.ui.editor.cell_text_edit import CellTextEdit

__all__ = ["FieldsDelegate"]

_AnyIndex = QModelIndex | QPersistentModelIndex
_COMMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)


class _LineEditor(QLineEdit):
    original = ""
    cell: QPersistentModelIndex | None = None


class _ComboEditor(QComboBox):
    original = ""
    cell: QPersistentModelIndex | None = None


def _cell_text_edit() -> type[CellTextEdit]:
    """The multi-line editor's class, loaded (with the JSON text editor) when a cell is first
    edited: the table on the first frame needs neither."""
    from profile_editor.ui.editor.cell_text_edit import CellTextEdit

    return CellTextEdit


def _needs_multiline(text: str) -> bool:
    # Characters a text document would rewrite are only safe in a line edit.
    return "\n" in text and doc_safe(text) == text


def _fill_known_field(model: QAbstractItemModel, index: _AnyIndex, key: str) -> bool:
    """A known key typed into a new row (empty key and value) brings its skeleton value
    (``email_verified`` → false, ``address`` → its six fields), in one edit."""
    from profile_editor.core.profile.fields import field_at  # with the first key typed

    known = field_at((key,))
    if known is None:
        return False
    if isinstance(model, QAbstractProxyModel):
        index = model.mapToSource(index)
        model = model.sourceModel()
    if not isinstance(model, FieldsModel) or index.data(VALUE_ROLE) != "":
        return False
    return model.set_field(index.row(), key, known.skeleton_value())


def _editor_text(editor: QWidget) -> str | None:
    if isinstance(editor, _cell_text_edit()):
        return editor.text()
    if isinstance(editor, QLineEdit):
        return editor.text()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    return None


class FieldsDelegate(QStyledItemDelegate):
    """Creates the right editor per column and JSON type.

    Signals:
        problem(str): an edit could not be committed; the text says why.
    """

    problem = Signal(str)

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: _AnyIndex, /
    ) -> QWidget:
        editor = self._new_editor(parent, index)
        editor.cell = QPersistentModelIndex(index)
        return editor

    def _new_editor(
        self, parent: QWidget, index: _AnyIndex
    ) -> _LineEditor | _ComboEditor | CellTextEdit:
        column = index.column()
        if column == KEY_COLUMN:
            # The completion data is loaded with the first key cell edited, not at start.
            from profile_editor.ui.editor.known_keys import key_completer

            key_editor = _LineEditor(parent)
            completer = key_completer(key_editor)
            completer.activated.connect(partial(self._on_known_key_picked, key_editor))
            return key_editor
        if column == TYPE_COLUMN:
            return self._combo(parent, JSON_TYPES)
        value = index.data(VALUE_ROLE)
        kind = type_name(value)
        if kind == "boolean":
            return self._combo(parent, ("true", "false"))
        if kind in ("object", "array"):
            return _cell_text_edit()(parent, is_json=True)
        if kind == "string" and _needs_multiline(value):
            return _cell_text_edit()(parent, is_json=False)
        editor = _LineEditor(parent)
        editor.setReadOnly(kind == "null")
        return editor

    def _combo(self, parent: QWidget, items: tuple[str, ...]) -> _ComboEditor:
        combo = _ComboEditor(parent)
        combo.addItems(list(items))
        # A pick from the list is the whole edit: commit it at once.
        combo.activated.connect(partial(self._commit_and_close, combo))
        return combo

    def _on_known_key_picked(self, editor: _LineEditor, key: str) -> None:
        editor.setText(key)  # a pick from the completion list is the whole edit too
        self._commit_and_close(editor)

    def _commit_and_close(self, editor: QWidget, *_: Any) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: _AnyIndex, /) -> None:
        text = index.data(Qt.ItemDataRole.EditRole)
        text = "" if text is None else str(text)
        if isinstance(editor, _cell_text_edit()):
            editor.setPlainText(text)
            editor.original = editor.text()
        elif isinstance(editor, _LineEditor):
            editor.setText(text)
            editor.original = editor.text()  # as Qt holds it, so "unchanged" compares equal
        elif isinstance(editor, _ComboEditor):
            editor.setCurrentIndex(max(editor.findText(text), 0))
            editor.original = text
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: _AnyIndex, /) -> None:
        text = _editor_text(editor)
        if text is None:
            super().setModelData(editor, model, index)
            return
        if text == getattr(editor, "original", None):
            return
        new_key = index.column() == KEY_COLUMN and not getattr(editor, "original", "x")
        if new_key and _fill_known_field(model, index, text):
            return
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: _AnyIndex, /
    ) -> None:
        if not isinstance(editor, _cell_text_edit()):
            super().updateEditorGeometry(editor, option, index)
            return
        # A one-row cell is too small for JSON: grow downwards, shift up near the bottom.
        rect = QRect(option.rect)
        viewport = editor.parentWidget()
        area = viewport.rect() if viewport is not None else rect
        line = editor.fontMetrics().lineSpacing()
        rect.setHeight(min(max(rect.height(), line * 12), max(area.height(), rect.height())))
        if rect.bottom() > area.bottom():
            rect.moveBottom(area.bottom())
        if rect.top() < area.top():
            rect.moveTop(area.top())
        editor.setGeometry(rect)

    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if isinstance(watched, QWidget) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, mods = event.key(), event.modifiers()
            if isinstance(watched, _cell_text_edit()):
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                    mods & Qt.KeyboardModifier.ControlModifier
                ):
                    if self._accepts(watched):
                        self._commit_and_close(watched)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    return False  # a new line
                if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not self._accepts(watched):
                    return True
            elif key in _COMMIT_KEYS and not self._accepts(watched):
                return True
        return super().eventFilter(watched, event)

    def _accepts(self, editor: QWidget) -> bool:
        """Whether the editor's text may be committed; if not, say why and keep it open."""
        text = _editor_text(editor)
        index = self._index_of(editor)
        if text is None or index is None or text == getattr(editor, "original", None):
            return True
        model = index.model()
        if isinstance(model, QAbstractProxyModel):  # the table is seen through a filter
            index = QPersistentModelIndex(model.mapToSource(index))
            model = index.model()
        if not isinstance(model, FieldsModel):
            return True
        reason = model.check_edit(index, text)
        cell_text_edit = _cell_text_edit()
        if reason is None:
            if isinstance(editor, cell_text_edit):
                editor.clear_error()
            return True
        if isinstance(editor, cell_text_edit) and editor.is_json:
            try:
                parse_value(text)
            except JsonProblem as problem:
                editor.mark_error(problem.line, problem.column)
        self.problem.emit(reason)
        return False

    @staticmethod
    def _index_of(editor: QWidget) -> QPersistentModelIndex | None:
        cell = getattr(editor, "cell", None)
        return cell if isinstance(cell, QPersistentModelIndex) and cell.isValid() else None
