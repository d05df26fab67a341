"""The JSON tab's text editor, whose every change is a step of the profile editor's one undo
history (see :mod:`profile_editor.ui.editor.undo_commands`).

A ``QTextDocument`` keeps its own undo steps, but loses them all when its whole text is set.
So a whole-text replacement (a load, a large paste, the text regenerated from the table)
never sets the text of the document shown: it shows a new document and leaves the old one,
with its steps, to the undo history that may show it again. Typing and small pastes stay
steps of the shown document, one per key press or paste, announced by :attr:`textStep` with
what the key did (inserted, deleted, replaced a selection, broke a line), so the history can
merge typing the way a plain ``QPlainTextEdit`` does. A key press that changes nothing (an
arrow, Shift) still makes Qt emit ``textChanged``; :attr:`contentChanged` is not emitted for it.

A document is mostly layout: a 6 MB text takes about 90 MB as a document, 6 MB as a string.
So a large document that is put away without steps of its own (a loaded or pasted profile)
is kept as its text only, and loaded into a document again if an undo shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import shiboken6
from PySide6.QtCore import QMimeData, QPoint, QSignalBlocker, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QMenu, QPlainTextDocumentLayout, QWidget

from profile_editor.ui.editor.json_edit import BULK_PASTE, JsonEdit, utf16_offset

__all__ = ["KEEP_AS_TEXT", "DocumentRef", "ProfileJsonEdit", "TextStep"]

# A document put away with more characters than this, and no steps, is kept as text only.
KEEP_AS_TEXT = BULK_PASTE
_PARAGRAPH = "\u2029"
# When each step happened (seconds); tests replace it to make a pause without waiting.
clock: Callable[[], float] = time.monotonic


class DocumentRef:
    """One document of the editor, kept while the editor or an undo step refers to it: as a
    ``QTextDocument``, or (put away, large, without steps) as its text only.

    Documents are children of the editor, so the editor's deletion takes them along; one that
    nothing refers to any more is deleted at once (``setDocument`` keeps a Python reference to
    every document it was given, so garbage collection alone would never free them).
    """

    __slots__ = ("_document", "_text")

    def __init__(self, document: QTextDocument) -> None:
        self._document: QTextDocument | None = document
        self._text: str | None = None

    @property
    def document(self) -> QTextDocument:
        """The document; only valid while it is shown or put away as a document."""
        assert self._document is not None, "a document kept as text is shown first"
        return self._document

    def is_text(self) -> bool:
        return self._document is None

    def keep_as_text(self) -> None:
        """Keep only the text, if the document is large and has no steps to undo or redo."""
        document = self._document
        if (
            document is None
            or document.characterCount() <= KEEP_AS_TEXT
            or document.availableUndoSteps()
            or document.availableRedoSteps()
        ):
            return
        self._text = document.toRawText().replace(_PARAGRAPH, "\n")
        self._document = None
        shiboken6.delete(document)  # now, not later: its memory is what this is for

    def take_text(self, document: QTextDocument) -> str:
        """The text kept, handing over to ``document``, which will hold it from now on."""
        text, self._text, self._document = self._text or "", None, document
        return text

    def __del__(self) -> None:
        if self._document is not None and shiboken6.isValid(self._document):
            self._document.deleteLater()


class TextStep:
    """One undo step the shown document just recorded.

    ``kind`` is ``"typing"`` (a key press), ``"paste"`` or ``"edit"`` (anything else, e.g. a
    cut from the context menu); ``start``/``end`` are the cursor positions before and after a
    typing step (-1 otherwise), so consecutive typing can be merged into one step. ``shape``
    says what a typing step did: ``"insert"``, ``"delete"``, ``"replace"`` (typed over a
    selection, or a completion) or ``"newline"`` (a line break typed or deleted); ``at`` is
    when it began (:data:`clock`).
    """

    document: DocumentRef
    kind: str
    start: int
    end: int
    shape: str
    at: float

    def __init__(
        self,
        document: DocumentRef,
        kind: str,
        start: int = -1,
        end: int = -1,
        shape: str = "",
        at: float = 0.0,
    ) -> None:
        object.__setattr__(self, "document", document)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "at", at)

    def _key(self) -> tuple[Any, ...]:
        return (self.document, self.kind, self.start, self.end, self.shape, self.at)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TextStep) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(document={self.document!r}, kind={self.kind!r}, start={self.start!r}, end={self.end!r}, shape={self.shape!r}, at={self.at!r})"


class KeyHook(Protocol):
    """Sees the editor's key presses (completion): ``before_key`` True takes one over."""

    def before_key(self, event: QKeyEvent) -> bool: ...
    def after_key(self, event: QKeyEvent) -> None: ...


class ProfileJsonEdit(JsonEdit):
    """A :class:`JsonEdit` for one undo history shared with another view.

    Signals:
        contentChanged(): the text changed (``textChanged``, less the key presses that change
            nothing: Qt emits it for every edit block, even an empty one).
        aboutToEdit(): a key press, input method event or paste is about to be handled (it
            may or may not change the text; if it does, ``textStep`` follows).
        textStep(TextStep): the shown document recorded an undo step (typing, a paste).
        aboutToReplaceText(): a user action is about to replace the whole text (a large paste,
            ``setPlainText``); the document shown now is the one before.
        textReplaced(str): it did, by showing a new document; the argument names the action
            (``"paste"``, ``"replace"``).
        undoRequested(), redoRequested(): the user pressed the undo or redo keys here; the
            document's own undo is not used.
    """

    contentChanged = Signal()
    aboutToEdit = Signal()
    textStep = Signal(object)
    aboutToReplaceText = Signal()
    textReplaced = Signal(str)
    undoRequested = Signal()
    redoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = self._new_document()
        self.show_document(self._document)
        # The step being recorded: its kind, the cursor position before it and what it did.
        self._step_kind: str | None = None
        self._step_start = -1
        self._step_end = -1
        self._step_shape = ""
        self._step_at = 0.0
        self._step_before = (False, 0, 0)  # a selection, characters and lines before the step
        self._step_changed = False  # the text changed during the step
        self._menu_actions: dict[str, QAction] = {}
        self.key_hook: KeyHook | None = None
        self.textChanged.connect(self._on_any_text_changed)

    def set_undo_actions(self, undo: QAction, redo: QAction) -> None:
        """The actions the context menu offers instead of the document's own undo and redo."""
        self._menu_actions = {"edit-undo": undo, "edit-redo": redo}

    def create_context_menu(self, position: QPoint) -> QMenu:
        menu = self.createStandardContextMenu(position)
        for action in menu.actions():
            ours = self._menu_actions.get(action.objectName())
            if ours is not None:
                menu.insertAction(action, ours)
                menu.removeAction(action)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.create_context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    # -- documents -------------------------------------------------------------------------

    def _new_document(self) -> DocumentRef:
        return DocumentRef(self._new_text_document())

    def _new_text_document(self) -> QTextDocument:
        document = QTextDocument(self)
        document.setDocumentLayout(QPlainTextDocumentLayout(document))
        document.setDefaultFont(self.font())
        document.undoCommandAdded.connect(self._on_undo_command_added)
        return document

    @property
    def document_ref(self) -> DocumentRef:
        """The document shown, as undo steps refer to it."""
        return self._document

    def show_document(self, ref: DocumentRef) -> None:
        """Show a document as it is (its text and undo steps); emits ``textChanged``. The one
        shown before is put away (as text only, if large and without steps)."""
        if self._highlighter is not None and self._highlighter.document() is not None:
            self._highlighter.setDocument(None)
        self.clear_error()  # the marks belong to the old document
        previous, self._document = self._document, ref
        text = ref.take_text(self._new_text_document()) if ref.is_text() else None
        self.setDocument(ref.document)
        # Tab stops are an option of the document, not of the view.
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        if previous is not ref:
            previous.keep_as_text()  # before a text is loaded: one large document at a time
        if text is not None:
            JsonEdit.setPlainText(self, text)
        else:
            self._sync_highlighter(ref.document.characterCount(), allow_attach=True)

    def load_text(self, text: str) -> DocumentRef:
        """Show ``text`` in a new document, without an undo step; returns the one replaced.

        ``textChanged`` is emitted for the text, not for the empty document shown first."""
        old = self._document
        self._step_changed = True  # e.g. a large paste by Ctrl+V, within the key's step
        with QSignalBlocker(self):
            self.show_document(self._new_document())
        JsonEdit.setPlainText(self, text)  # as fast as loading a file: no undo copy
        return old

    def setPlainText(self, text: str) -> None:
        """Replace the whole text as a user action: one undo step (``textReplaced``)."""
        self._replace(text, "replace")

    def _replace(self, text: str, kind: str) -> None:
        self.aboutToReplaceText.emit()
        self.load_text(text)
        self.textReplaced.emit(kind)

    # -- user edits ------------------------------------------------------------------------

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText() and len(source.text()) > BULK_PASTE and self._replaces_everything():
            # A cursor insert keeps an undo copy and lays out block by block: about twice the
            # time and memory of a load for a multi-megabyte profile. A new document is a load,
            # and the old one, kept by the undo step, is all that undoing needs.
            self.bulk_replaced = True
            self._replace(source.text(), "paste")
            return
        self._as_step("paste", lambda: JsonEdit.insertFromMimeData(self, source))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        hook = self.key_hook
        if hook is not None and hook.before_key(event):
            return
        if event.matches(QKeySequence.StandardKey.Undo):
            event.accept()
            self.undoRequested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Redo):
            event.accept()
            self.redoRequested.emit()
            return
        self._as_step("typing", lambda: JsonEdit.keyPressEvent(self, event))
        if hook is not None:
            hook.after_key(event)

    def replace_range(self, start: int, end: int, text: str, cursor_at: int) -> None:
        """Replace code points ``start``..``end`` with ``text`` as one undo step, as typing
        does; the cursor ends ``cursor_at`` code points into ``text``."""
        whole = self.text()
        begin, stop = utf16_offset(whole, start), utf16_offset(whole, end)

        def action() -> None:
            cursor = self.textCursor()
            cursor.setPosition(begin)
            cursor.setPosition(stop, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(text)
            cursor.setPosition(begin + utf16_offset(text, cursor_at))
            self.setTextCursor(cursor)

        self._as_step("typing", action, shape="replace")

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self._as_step("typing", lambda: JsonEdit.inputMethodEvent(self, event))

    def _as_step(self, kind: str, action: Callable[[], None], *, shape: str = "") -> None:
        """Run ``action`` as one undo step of the shown document (an edit block, so the
        document never merges it into the step before: merging is the undo history's call)."""
        if self._step_kind is not None:  # nested, e.g. a key press that pastes
            self._step_kind = kind
            action()
            return
        self.aboutToEdit.emit()
        document = self._document.document
        cursor = QTextCursor(document)
        self._step_kind, self._step_start = kind, self.textCursor().position()
        self._step_shape, self._step_at, self._step_changed = shape, clock(), False
        self._step_before = (
            self.textCursor().hasSelection(),
            document.characterCount(),
            document.blockCount(),
        )
        cursor.beginEditBlock()
        try:
            action()
        finally:
            self._step_end = self.textCursor().position()
            # Emits undoCommandAdded if the text changed, then textChanged even if it did not.
            cursor.endEditBlock()
            self._step_kind = None

    def _on_any_text_changed(self) -> None:
        if self._step_kind is None or self._step_changed:
            self.contentChanged.emit()

    def _shape(self) -> str:
        """What the key press being recorded did to the text."""
        if self._step_shape:
            return self._step_shape
        selection, characters, blocks = self._step_before
        document = self._document.document
        if selection:
            # Typed over a selection: a line break typed over one stands alone all the same.
            broke = document.characterAt(self.textCursor().position() - 1) == _PARAGRAPH
            return "newline" if broke else "replace"
        if document.blockCount() != blocks:
            return "newline"  # a line break typed or deleted
        if document.characterCount() == characters:
            return "replace"  # overwrite mode
        return "insert" if document.characterCount() > characters else "delete"

    def _on_undo_command_added(self) -> None:
        # Steps are only ever added to the shown document: it is the one being edited.
        self._step_changed = True
        if self._step_kind is None:
            step = TextStep(self._document, "edit", at=clock())
        elif self._step_kind == "typing":
            step = TextStep(
                self._document,
                "typing",
                self._step_start,
                self._step_end,
                self._shape(),
                self._step_at,
            )
        else:
            step = TextStep(self._document, self._step_kind, at=self._step_at)
        self.textStep.emit(step)
