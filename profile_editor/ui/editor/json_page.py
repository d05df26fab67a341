"""The JSON tab of the profile editor: the text, its find bar and the parse error line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from profile_editor.core.profile.jsoncodec import JsonProblem
from profile_editor.ui.editor.find_bar import FindBar
from profile_editor.ui.editor.profile_json_edit import ProfileJsonEdit

__all__ = ["JsonPage"]


class JsonPage(QWidget):
    """The JSON text with a find bar (Ctrl+F opens it: see the editor's ``find_action``;
    F3 / Shift+F3 find the next / previous match) and the error under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = ProfileJsonEdit(self)
        self.edit.setObjectName("rawJsonEdit")
        self.find_bar = FindBar(self.edit, self)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("jsonErrorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.find_bar)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.error_label)

        # F3 alone: the platform's FindNext also means Ctrl+G, which is Go to key path here.
        self.find_next_action = self._action("Find next", "F3")
        self.find_next_action.setObjectName("findNextAction")
        self.find_previous_action = self._action("Find previous", "Shift+F3")
        self.find_previous_action.setObjectName("findPreviousAction")
        self.find_next_action.triggered.connect(self.on_find_next_action_triggered)
        self.find_previous_action.triggered.connect(self.on_find_previous_action_triggered)

    def _action(self, text: str, keys: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def on_find_next_action_triggered(self) -> None:
        if not self.find_bar.find_edit.text():
            self.find_bar.open_bar()
        else:
            self.find_bar.find_next()

    def on_find_previous_action_triggered(self) -> None:
        if not self.find_bar.find_edit.text():
            self.find_bar.open_bar()
        else:
            self.find_bar.find_previous()

    def go_to_line(self, line: int, column: int) -> None:
        """Put the cursor at 1-based ``line``/``column``, scrolled into view, and focus it."""
        self.edit.setTextCursor(self.edit.cursor_at(line, column))
        self.edit.centerCursor()
        self.edit.setFocus()

    def show_error(self, problem: JsonProblem | None) -> None:
        if problem is None:
            self.error_label.clear()
            self.error_label.hide()
            self.edit.clear_error()
        else:
            self.error_label.setText(str(problem))
            self.error_label.show()
            self.edit.mark_error(problem.line, problem.column)
