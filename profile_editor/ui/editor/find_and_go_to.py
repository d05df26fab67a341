"""Find (Ctrl+F) and Go to key path (Ctrl+G) in the profile editor, in whichever tab is shown.

Where a key path lands, or why it cannot, is worked out by the pure functions of
:mod:`profile_editor.core.profile.key_paths`; this only moves the cursor or the selection and
says the note under the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QTableView, QTabWidget, QWidget

from profile_editor.core.profile.key_paths import (
    KeyPath,
    parse_key_path,
    spot_in_fields,
    spot_in_text,
)
from profile_editor.ui.common import dialogs
from profile_editor.ui.editor.fields_model import FieldsModel
from profile_editor.ui.editor.fields_page import FieldsPage

if TYPE_CHECKING:
    from profile_editor.ui.editor.json_page import JsonPage

__all__ = ["FIELDS_TAB", "JSON_TAB", "FindAndGoTo"]

# The editor's two tabs, in order.
FIELDS_TAB, JSON_TAB = 0, 1


class FindAndGoTo(QObject):
    """The editor's Find and Go to key path actions and the note they leave under it.

    ``flush`` makes the table current before a go-to in the Fields tab; ``json_page`` gives
    the JSON tab's page (built when first asked for).
    """

    def __init__(
        self,
        editor: QWidget,
        tabs: QTabWidget,
        fields_page: FieldsPage,
        json_page: Callable[[], JsonPage],
        model: FieldsModel,
        flush: Callable[[], None],
    ) -> None:
        super().__init__(editor)
        self._editor = editor
        self._tabs = tabs
        self._fields_page = fields_page
        self._json_page = json_page
        self._model = model
        self._flush = flush
        self._last_path = ""
        self.note_label = QLabel(editor)
        self.note_label.setObjectName("goToNoteLabel")
        self.note_label.setProperty("tone", "note")  # coloured by app.qss
        self.note_label.setWordWrap(True)
        self.note_label.hide()
        self.find_action = self._editor_action("Find…", "findAction", QKeySequence.StandardKey.Find)
        self.find_action.setToolTip("Find in the JSON text, or filter the fields (Ctrl+F)")
        self.go_to_path_action = self._editor_action(
            "Go to key path…", "goToKeyPathAction", QKeySequence("Ctrl+G")
        )
        self.go_to_path_action.setToolTip("Go to a key, e.g. custom.plan (Ctrl+G)")
        self.find_action.triggered.connect(self.on_find_action_triggered)
        self.go_to_path_action.triggered.connect(self.on_go_to_path_action_triggered)

    def _editor_action(
        self, text: str, name: str, keys: QKeySequence | QKeySequence.StandardKey
    ) -> QAction:
        action = QAction(text, self._editor)
        action.setObjectName(name)
        if isinstance(keys, QKeySequence):
            action.setShortcut(keys)
        else:
            action.setShortcuts(keys)
        # Within the editor only: other parts of the window may find and go to things too.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._editor.addAction(action)
        return action

    def on_find_action_triggered(self) -> None:
        if self._tabs.currentIndex() == JSON_TAB:
            self._json_page().find_bar.open_bar()
        else:
            self._fields_page.focus_filter()

    def on_go_to_path_action_triggered(self) -> None:
        text = dialogs.ask_text(
            self._editor,
            "Go to key path",
            "Key path (e.g. custom.plan or tags[0]):",
            self._last_path,
        )
        if text:
            self._last_path = text
            self.go_to_path(text)

    def go_to_line(self, line: int, column: int = 1) -> None:
        """Show the JSON tab with the cursor at 1-based ``line``/``column``."""
        self._tabs.setCurrentIndex(JSON_TAB)
        self._json_page().go_to_line(line, column)

    def go_to_path(self, path: KeyPath | str) -> bool:
        """Go to a key path (``custom.plan`` or ``("custom", "plan")``) in the tab shown.

        In the JSON tab the cursor moves to the key; in the Fields tab the row of its
        top-level key is selected (for a nested path, with a note saying so). False, with a
        note, when the path is not there.
        """
        steps = parse_key_path(path) if isinstance(path, str) else tuple(path)
        if self._tabs.currentIndex() == JSON_TAB:
            spot = spot_in_text(self._json_page().edit.text(), steps)
            if spot.found:
                self._json_page().go_to_line(spot.line, spot.column)
        else:
            self._flush()
            spot = spot_in_fields([key for key, _ in self._model.rows()], steps)
            if spot.found:
                self._fields_page.select_row(spot.row)
                view: QTableView = self._fields_page.view
                view.setFocus()
        self.show_note(spot.note)
        return spot.found

    def show_note(self, text: str) -> None:
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))
