"""A find bar for a plain-text editor: find next/previous, a match count, a case option.

Finding is the document's own (C++) search, one match at a time; in a text longer than
:data:`LARGE_TEXT` (where one search can take a good part of a second) the search as you type
waits for a pause in the typing, while Enter and F3 search at once. Counting matches is the
only whole-text work: it runs on a short timer after the last change (never between key
presses), reuses its result until the text or the search changes, and stops at
:data:`COUNT_LIMIT` matches ("1000+").
"""

from __future__ import annotations

import bisect
import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

__all__ = ["COUNT_DELAY_MS", "COUNT_LIMIT", "FindBar"]

COUNT_LIMIT = 1000
COUNT_DELAY_MS = 200
LARGE_TEXT = 500_000
TYPING_PAUSE_MS = 250
_PARAGRAPH = "\u2029"


def _utf16_positions(text: str, starts: list[int]) -> list[int]:
    """Code-point offsets (ascending) as the UTF-16 offsets Qt's cursors use."""
    if text.isascii():
        return starts
    out: list[int] = []
    done = qt_done = 0
    for start in starts:
        qt_done += len(text[done:start].encode("utf-16-le")) // 2
        done = start
        out.append(qt_done)
    return out


class FindBar(QWidget):
    """Find in ``editor``: Enter / F3 next, Shift+Enter / Shift+F3 previous, Escape closes.

    Signals:
        closed(): the bar was closed (focus is back in the editor).
    """

    closed = Signal()

    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._editor = editor
        # What was counted last — the document (compared by identity) and its revision, the
        # text found and the case option — and the match starts, in UTF-16 units, capped.
        self._counted_document: QTextDocument | None = None
        self._counted: tuple[int, str, bool] | None = None
        self._starts: list[int] = []
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(COUNT_DELAY_MS)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(TYPING_PAUSE_MS)

        self.find_edit = QLineEdit(self)
        self.find_edit.setObjectName("findEdit")
        self.find_edit.setPlaceholderText("Find in the JSON text")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setAccessibleName("Find")
        self.find_edit.setToolTip("Enter: next match, Shift+Enter: previous, Escape: close")
        self.find_edit.installEventFilter(self)
        self.case_check = QCheckBox("Match case", self)
        self.case_check.setObjectName("findCaseCheck")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("findCountLabel")
        self.previous_button = self._button("↑", "findPreviousButton", "Find previous (Shift+F3)")
        self.next_button = self._button("↓", "findNextButton", "Find next (F3)")
        close_button = self._button("✕", "findCloseButton", "Close (Escape)")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addWidget(self.find_edit, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.case_check)
        layout.addWidget(self.count_label)
        layout.addWidget(close_button)

        self.find_edit.textChanged.connect(self.on_find_edit_text_changed)
        self.case_check.toggled.connect(self.on_case_check_toggled)
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button.clicked.connect(self.find_next)
        close_button.clicked.connect(self.close_bar)
        self._count_timer.timeout.connect(self.update_count)
        self._search_timer.timeout.connect(self._search_as_typed)
        editor.textChanged.connect(self._on_editor_text_changed)
        self.hide()

    def _button(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        return button

    # -- public ----------------------------------------------------------------------------

    def open_bar(self) -> None:
        """Show the bar with the editor's selected text (if one line) and focus it."""
        selected = self._editor.textCursor().selectedText()
        if selected and _PARAGRAPH not in selected:
            self.find_edit.setText(selected)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        self._schedule_count()

    def close_bar(self) -> None:
        self._count_timer.stop()
        self._search_timer.stop()
        self.hide()
        self._editor.setFocus()
        self.closed.emit()

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def match_count(self) -> int:
        """Matches counted (at most :data:`COUNT_LIMIT`; counts now if not up to date)."""
        self.update_count()
        return len(self._starts)

    # -- finding ---------------------------------------------------------------------------

    def _flags(self, *, backward: bool) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.case_check.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def _find(self, *, backward: bool, start: QTextCursor | None = None) -> bool:
        self._search_timer.stop()
        needle = self.find_edit.text()
        if not needle:
            return False
        document = self._editor.document()
        flags = self._flags(backward=backward)
        cursor = start if start is not None else self._editor.textCursor()
        found = document.find(needle, cursor, flags)
        if found.isNull():  # wrap around
            wrap = QTextCursor(document)
            if backward:
                wrap.movePosition(QTextCursor.MoveOperation.End)
            found = document.find(needle, wrap, flags)
        if found.isNull():
            self.count_label.setText("No matches")
            return False
        self._editor.setTextCursor(found)
        self._editor.ensureCursorVisible()
        self._schedule_count()
        return True

    def on_find_edit_text_changed(self, _text: str) -> None:
        if self._editor.document().characterCount() > LARGE_TEXT:
            self._search_timer.start()
        else:
            self._search_as_typed()

    def _search_as_typed(self) -> None:
        # Search on from where the current match starts, so it grows as one types.
        cursor = self._editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        if self.find_edit.text():
            self._find(backward=False, start=cursor)
        else:
            self._editor.setTextCursor(cursor)
            self.count_label.clear()

    def on_case_check_toggled(self, _checked: bool) -> None:
        self._search_as_typed()

    # -- counting --------------------------------------------------------------------------

    def _on_editor_text_changed(self) -> None:
        if self.isVisible():
            self._schedule_count()

    def _schedule_count(self) -> None:
        self._count_timer.start()

    def update_count(self) -> None:
        """Count matches (if the text or search changed) and show "n of m"."""
        self._count_timer.stop()
        needle = self.find_edit.text()
        if not needle:
            self._starts, self._counted = [], None
            self.count_label.clear()
            return
        document = self._editor.document()
        case = self.case_check.isChecked()
        key = (document.revision(), needle, case)
        if self._counted_document is not document or self._counted != key:
            text = document.toRawText()
            pattern = re.compile(re.escape(needle), 0 if case else re.IGNORECASE)
            starts: list[int] = []
            for match in pattern.finditer(text):
                starts.append(match.start())
                if len(starts) > COUNT_LIMIT:
                    break
            self._starts = _utf16_positions(text, starts)
            self._counted_document, self._counted = document, key
        total = len(self._starts)
        if total == 0:
            self.count_label.setText("No matches")
            return
        shown = f"{COUNT_LIMIT}+" if total > COUNT_LIMIT else str(total)
        cursor = self._editor.textCursor()
        if cursor.hasSelection():
            index = bisect.bisect_left(self._starts, cursor.selectionStart())
            if index < len(self._starts) and self._starts[index] == cursor.selectionStart():
                self.count_label.setText(f"{index + 1} of {shown}")
                return
        self.count_label.setText(f"{shown} {'match' if total == 1 else 'matches'}")

    # -- keys ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.find_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, shift = event.key(), event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._find(backward=bool(shift))
                return True
            if key == Qt.Key.Key_Escape or event.matches(QKeySequence.StandardKey.Cancel):
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
