"""The multi-line cell editor of the Fields table (objects, arrays, strings of several lines).

A module of its own so that the table, on the window's first frame, does not load the JSON
text editor it is made of: it is imported when a cell is first edited.
"""

from __future__ import annotations

from PySide6.QtCore import QPersistentModelIndex
from PySide6.QtWidgets import QWidget

from profile_editor.ui.editor.json_edit import JsonEdit

__all__ = ["CellTextEdit"]


class CellTextEdit(JsonEdit):
    """Multi-line cell editor; Ctrl+Return commits, Escape cancels, Return is a new line."""

    original = ""
    cell: QPersistentModelIndex | None = None

    def __init__(self, parent: QWidget | None = None, *, is_json: bool) -> None:
        super().__init__(parent, highlight=is_json)
        self.is_json = is_json
        self.setTabChangesFocus(False)
