"""A plain-text JSON editor: monospace, no wrapping, error line marking, light highlighting.

``QTextDocument`` turns a few characters into paragraph breaks when text is set (``\\r``,
U+2029 and the two frame markers U+FDD0/U+FDD1), cannot hold lone surrogates, and its
``toPlainText()`` also rewrites no-break spaces and U+2028. Text meant for this editor
therefore goes through :func:`doc_safe` (which escapes those characters inside JSON strings;
they can appear nowhere else), and is read back with :meth:`JsonEdit.text`, which keeps every
other character as typed.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QMimeData, QObject, Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from profile_editor.core.profile.values import doc_safe, editor_json
from profile_editor.ui.common.palette import Palette, current, theme

__all__ = ["HIGHLIGHT_LIMIT", "JsonEdit", "JsonHighlighter", "doc_safe", "editor_json"]

# QSyntaxHighlighter re-highlights every block synchronously, through Python, whenever the
# document changes wholesale; beyond this many characters that would freeze the window.
HIGHLIGHT_LIMIT = 200_000
# Pastes larger than this that replace the whole text are loaded like a file (see below).
BULK_PASTE = 256_000

_PARAGRAPH = "\u2029"


def utf16_offset(text: str, index: int) -> int:
    """Convert a code-point index in ``text`` to the UTF-16 offset Qt's cursors use."""
    prefix = text[:index]
    if prefix.isascii():
        return len(prefix)
    return len(prefix.encode("utf-16-le")) // 2


class JsonHighlighter(QSyntaxHighlighter):
    """Colours keys, strings, numbers and literals. JSON has no multi-line tokens, so every
    block is highlighted on its own."""

    _TOKEN = re.compile(
        r'(?P<string>"(?:[^"\\]|\\.)*"?)(?P<colon>\s*:)?'
        r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
        r"|(?P<literal>\btrue\b|\bfalse\b|\bnull\b)"
    )

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.set_colors(current())

    def set_colors(self, colors: Palette) -> None:
        """Use ``colors`` from now on; re-highlights the document (bounded by the limit)."""
        self._key = self._format(colors.json_key, bold=True)
        self._string = self._format(colors.json_string)
        self._number = self._format(colors.json_number)
        self._literal = self._format(colors.json_literal)
        if self.document() is not None:
            self.rehighlight()

    @staticmethod
    def _format(color: str, *, bold: bool = False) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(color))
        if bold:
            fmt.setFontWeight(700)
        return fmt

    def highlightBlock(self, text: str) -> None:
        ascii_only = text.isascii()
        done = qt_done = 0  # walk forward once: offsets must be in UTF-16 units
        for match in self._TOKEN.finditer(text):
            if match.group("string") is not None:
                fmt = self._key if match.group("colon") else self._string
                start, end = match.span("string")
            else:
                fmt = self._number if match.lastgroup == "number" else self._literal
                start, end = match.span()
            if ascii_only:
                self.setFormat(start, end - start, fmt)
                continue
            qt_start = qt_done + utf16_offset(text[done:start], start - done)
            qt_end = qt_start + utf16_offset(text[start:end], end - start)
            self.setFormat(qt_start, qt_end - qt_start, fmt)
            done, qt_done = end, qt_end


class JsonEdit(QPlainTextEdit):
    """Monospace JSON text editor without line wrap; Tab inserts two spaces.

    ``mark_error(line, column)`` paints the offending line light red (via extra selections, so
    the text and its undo history are untouched); ``clear_error()`` removes it. Highlighting is
    switched off while the document is larger than :data:`HIGHLIGHT_LIMIT` characters.
    """

    def __init__(self, parent: QWidget | None = None, *, highlight: bool = True) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self._highlighter: JsonHighlighter | None = JsonHighlighter(self) if highlight else None
        self._error_line = self._error_column = 0
        # Set when a paste replaced the whole text; the editor widget then parses at once.
        self.bulk_replaced = False
        self._known: tuple[object, str] | None = None  # (document, its text) until it changes
        self._sync_highlighter(self.document().characterCount(), allow_attach=True)
        self.textChanged.connect(self._on_text_changed)
        theme().follow(self, self.on_theme_changed)

    # -- text in and out -------------------------------------------------------------------

    def text(self) -> str:
        """The document's text exactly as typed (unlike ``toPlainText``, keeps U+00A0/U+2028).

        Kept until the next change, so the parse, the draft and the preview of one edit share
        one copy (out of a 6 MB document, one copy takes 10-20 ms of the UI thread)."""
        document = self.document()
        known = self._known
        if known is not None and known[0] is document:
            return known[1]
        text = document.toRawText().replace(_PARAGRAPH, "\n")
        self._known = (document, text)
        return text

    def setPlainText(self, text: str) -> None:
        # Detach the highlighter first when the new text is large: attached, it would
        # highlight every block of it synchronously during the call.
        self._sync_highlighter(len(text), allow_attach=True)
        super().setPlainText(text)
        # Until the next edit, the text is the one given (Qt would turn a "\r" into a break).
        self._known = (self.document(), text) if "\r" not in text else None

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            text = source.text()
            if len(text) > BULK_PASTE and self._replaces_everything():
                # A cursor insert keeps an undo copy and lays out block by block: about twice
                # the time and memory of a reload for a multi-megabyte profile. Replacing the
                # whole text is what the user asked for; only the undo step is given up.
                self.bulk_replaced = True
                self.setPlainText(text)
                return
            self._sync_highlighter(self.document().characterCount() + len(text))
        super().insertFromMimeData(source)

    def _replaces_everything(self) -> bool:
        cursor = self.textCursor()
        end = self.document().characterCount() - 1
        if cursor.selectionStart() == 0 and cursor.selectionEnd() >= end:
            return True
        return not self.document().toRawText().strip()

    def is_highlighting(self) -> bool:
        return self._highlighter is not None and self._highlighter.document() is not None

    def _on_text_changed(self) -> None:
        self._known = None
        self._sync_highlighter(self.document().characterCount())

    def _sync_highlighter(self, size: int, *, allow_attach: bool = False) -> None:
        """Detach above the limit; re-attach only on a wholesale load (``setPlainText``), since
        attaching re-highlights everything and an undo could bring a huge text straight back."""
        if self._highlighter is None:
            return
        attached = self._highlighter.document() is not None
        if size > HIGHLIGHT_LIMIT and attached:
            self._highlighter.setDocument(None)
        elif size <= HIGHLIGHT_LIMIT and not attached and allow_attach:
            self._highlighter.setDocument(self.document())

    # -- keys ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Tab and not (
            event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self.textCursor().insertText("  ")
            event.accept()
            return
        super().keyPressEvent(event)

    # -- error marking ---------------------------------------------------------------------

    def cursor_at(self, line: int, column: int) -> QTextCursor:
        """A cursor at 1-based ``line``/``column`` (columns count characters, not UTF-16)."""
        doc: QTextDocument = self.document()
        block = doc.findBlockByNumber(max(line - 1, 0))
        if not block.isValid():
            block = doc.lastBlock()
        offset = min(utf16_offset(block.text(), max(column - 1, 0)), max(block.length() - 1, 0))
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + offset)
        return cursor

    def mark_error(self, line: int, column: int) -> None:
        """Highlight ``line`` across the full width and the character at ``column``."""
        cursor = self.cursor_at(line, column)
        line_format = QTextCharFormat()
        colors = current()
        line_format.setBackground(QColor(colors.error_line))
        line_format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        line_selection = QTextEdit.ExtraSelection()
        line_selection.cursor = QTextCursor(cursor)
        line_selection.format = line_format

        char_cursor = QTextCursor(cursor)
        char_cursor.movePosition(
            QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor
        )
        char_format = QTextCharFormat()
        char_format.setBackground(QColor(colors.error_char))
        char_selection = QTextEdit.ExtraSelection()
        char_selection.cursor = char_cursor
        char_selection.format = char_format

        self._error_line, self._error_column = line, column
        self.setExtraSelections([line_selection, char_selection])

    def clear_error(self) -> None:
        if self._error_line:
            self._error_line = 0
            self.setExtraSelections([])

    def on_theme_changed(self, colors: Palette) -> None:
        if self._highlighter is not None:
            self._highlighter.set_colors(colors)
        if self._error_line:
            self.mark_error(self._error_line, self._error_column)

    def error_line(self) -> int:
        """The 1-based line currently marked, or 0."""
        return self._error_line
