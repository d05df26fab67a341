"""Completion of Courier's well-known profile keys, in the Fields table and the JSON tab.

The keys and their skeletons come from :mod:`profile_editor.core.profile.fields`; the popup
lists each key with its type, and the key's description is its tooltip. Matching is
case-insensitive anywhere in the key (``ver`` finds ``email_verified``).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit

from profile_editor.core.profile.fields import KnownField, field_at, known_fields
from profile_editor.core.profile.key_completion import KeyContext, key_context, key_insertion
from profile_editor.ui.editor.profile_json_edit import ProfileJsonEdit

__all__ = ["KEY_ROLE", "JsonKeyCompleter", "key_completer", "known_key_model"]

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
_CLOSE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
_NAME_CHARS = frozenset('_$-"')
_TYPED_KEY = re.compile(r'"?[A-Za-z0-9_$\-]*\Z')


def known_key_model(path: tuple[str, ...], parent: QObject) -> QStandardItemModel:
    """The known keys at ``path`` as items: shown as ``key · type``, matched on ``KEY_ROLE``."""
    model = QStandardItemModel(parent)
    for known in known_fields(path):
        item = QStandardItem(f"{known.key}  ·  {known.json_type}")
        item.setData(known.key, KEY_ROLE)
        item.setToolTip(f"{known.key}: {known.description}")
        item.setEditable(False)
        model.appendRow(item)
    return model


def _completer(parent: QObject, model: QStandardItemModel) -> QCompleter:
    completer = QCompleter(parent)
    completer.setModel(model)
    completer.setCompletionRole(KEY_ROLE)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setMaxVisibleItems(12)
    return completer


def key_completer(edit: QLineEdit) -> QCompleter:
    """Top-level known keys for a Key cell's line edit."""
    completer = _completer(edit, known_key_model((), edit))
    edit.setCompleter(completer)
    return completer


class JsonKeyCompleter(QObject):
    """Offers known keys while a key is typed in the JSON tab (or on Ctrl+Space); accepting
    one inserts ``"key": <skeleton>`` as one undo step, the cursor in its first empty string."""

    def __init__(self, edit: ProfileJsonEdit) -> None:
        super().__init__(edit)
        self._edit = edit
        self._context: KeyContext | None = None
        self._models: dict[tuple[str, ...], QStandardItemModel] = {}
        self._completer = _completer(self, self._model(()))
        self._completer.setWidget(edit)
        self._completer.activated.connect(self.on_activated)
        edit.key_hook = self

    @property
    def completer(self) -> QCompleter:
        return self._completer

    def _model(self, path: tuple[str, ...]) -> QStandardItemModel:
        model = self._models.get(path)
        if model is None:
            model = self._models[path] = known_key_model(path, self)
        return model

    def _popup(self) -> QAbstractItemView:
        popup = self._completer.popup()
        assert popup is not None  # a completer always has one
        return popup

    def before_key(self, event: QKeyEvent) -> bool:
        popup = self._popup()
        if popup.isVisible() and (event.key() in _CLOSE_KEYS or event.key() == Qt.Key.Key_Escape):
            event.ignore()  # the completer acts on it
            return True
        if event.key() == Qt.Key.Key_Space and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            event.accept()
            self.update(explicit=True)
            return True
        return False

    def after_key(self, event: QKeyEvent) -> None:
        text = event.text()
        typed = bool(text) and (text.isalnum() or text in _NAME_CHARS)
        if typed or (event.key() == Qt.Key.Key_Backspace and self._popup().isVisible()):
            self.update()
        elif self._popup().isVisible():
            self._popup().hide()

    def update(self, *, explicit: bool = False) -> None:
        """Show, narrow or hide the popup for the cursor's position."""
        context = self._find_context()
        popup = self._popup()
        if context is None or not (context.prefix or explicit):
            popup.hide()
            self._context = None
            return
        self._context = context
        self._completer.setModel(self._model(context.path))
        self._completer.setCompletionPrefix(context.prefix)
        if self._completer.completionCount() == 0:
            popup.hide()
            return
        popup.setCurrentIndex(self._completer.completionModel().index(0, 0))
        rect = self._edit.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        self._completer.complete(rect)

    def _find_context(self) -> KeyContext | None:
        cursor = self._edit.textCursor()
        head = _TYPED_KEY.sub("", cursor.block().text()[: cursor.positionInBlock()]).rstrip()
        if head and head[-1] not in "{,":
            return None  # a cheap test on the line before reading a large text
        text, position = self._edit.text(), cursor.position()
        return key_context(text, position if text.isascii() else _code_points(text, position))

    def on_activated(self, key: str) -> None:
        context = self._context or self._find_context()
        self._context = None
        if context is None:
            return
        known = field_at((*context.path, key))
        if known is None:
            return
        text = self._edit.text()
        rest = text[context.end : context.end + 200].lstrip()
        insertion = _insertion(known, context, comma=rest.startswith('"'))
        empty = insertion.find('""')
        self._edit.replace_range(
            context.start,
            context.end,
            insertion,
            empty + 1 if empty >= 0 else len(insertion),
        )


def _insertion(known: KnownField, context: KeyContext, *, comma: bool) -> str:
    return key_insertion(known, context.indent, comma=comma)


def _code_points(text: str, utf16_position: int) -> int:
    """The code-point index of a UTF-16 position in ``text``."""
    units = 0
    for index, char in enumerate(text):
        if units >= utf16_position:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)
