"""The steps of the profile editor's one undo history (a ``QUndoStack``), whichever view a
change came from: a table edit, typing or a paste in the JSON tab, a whole profile replaced.

Every step is pushed after its change was made (the first ``redo`` does nothing) and asks
its :class:`UndoHost` — the editor widget — to replay it, so the views stay in sync exactly
as they do for the change itself. A step keeps only what the views do not: the document a
text step belongs to, the rows a table step changed, and for a replacement the state before
(and, once undone, the one after). Rows are kept only where the text cannot give them back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtGui import QUndoCommand

from profile_editor.core.profile.jsoncodec import JsonProblem
from profile_editor.ui.editor.fields_model import RowEdit

if TYPE_CHECKING:
    from profile_editor.ui.editor.profile_json_edit import DocumentRef, TextStep

__all__ = [
    "EditorState",
    "ReplaceCommand",
    "TableEditCommand",
    "TextEditCommand",
    "UndoHost",
]

_TYPING_ID = 1
# Typing after a pause this long (seconds) is a step of its own.
TYPING_PAUSE_S = 1.0
# What a typing step may go on with, as a plain QPlainTextEdit merges: typing goes on after
# typing or after typing over a selection; deleting after deleting; a line break stands alone.
_GOES_ON = {"insert": ("insert",), "replace": ("insert",), "delete": ("delete",), "newline": ()}


class EditorState:
    """What both views show: the JSON document, and the table's rows where the text does not
    give them (``rows is None``: parse the text). ``stale``: the text predates table edits."""

    document: DocumentRef
    rows: list[tuple[str, Any]] | None
    stale: bool
    error: JsonProblem | None

    def __init__(
        self,
        document: DocumentRef,
        rows: list[tuple[str, Any]] | None,
        stale: bool = False,
        error: JsonProblem | None = None,
    ) -> None:
        object.__setattr__(self, "document", document)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "stale", stale)
        object.__setattr__(self, "error", error)

    def _key(self) -> tuple[Any, ...]:
        return (self.document, self.rows, self.stale, self.error)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EditorState) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(document={self.document!r}, rows={self.rows!r}, stale={self.stale!r}, error={self.error!r})"


class UndoHost(Protocol):
    def restore_state(self, state: EditorState) -> None: ...

    def replay_table_edit(self, edit: RowEdit, before: EditorState, *, forward: bool) -> None: ...

    def replay_text_steps(
        self, document: DocumentRef, steps: int, before: EditorState | None, *, forward: bool
    ) -> None: ...


class _AlreadyDone(QUndoCommand):
    """A step pushed after its change was made: the stack's first ``redo`` is skipped."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.replay(forward=True)

    def undo(self) -> None:
        self.replay(forward=False)

    def replay(self, *, forward: bool) -> None:
        raise NotImplementedError


class ReplaceCommand(_AlreadyDone):
    """The whole profile or the whole text replaced (a load, a preset, a large paste)."""

    def __init__(self, host: UndoHost, text: str, before: EditorState, after: EditorState) -> None:
        super().__init__(text)
        self._host = host
        self._before = before
        self._after = after

    def replay(self, *, forward: bool) -> None:
        self._host.restore_state(self._after if forward else self._before)


class TableEditCommand(_AlreadyDone):
    """A cell edit, or a row added, removed or moved; ``before`` is the text at the time."""

    def __init__(self, host: UndoHost, edit: RowEdit, before: EditorState) -> None:
        super().__init__(edit.describe())
        self._host = host
        self._edit = edit
        self._before = before

    def replay(self, *, forward: bool) -> None:
        self._host.replay_table_edit(self._edit, self._before, forward=forward)


class TextEditCommand(_AlreadyDone):
    """Undo steps of one JSON document; consecutive typing in one place merges into one.

    Steps are at least as fine as a plain ``QPlainTextEdit``'s: typing over a selection, a
    paste, a line break, deleting after typing (or typing after deleting), typing elsewhere and
    a pause of :data:`TYPING_PAUSE_S` each start a new step.

    ``before`` is the table as it was, where parsing the text undone would not give it back
    (the text only mirrored rows with a repeated key, or did not parse); None otherwise.
    """

    def __init__(self, host: UndoHost, step: TextStep, before: EditorState | None) -> None:
        super().__init__(step.kind if step.kind in ("typing", "paste") else "edit of the JSON")
        self._host = host
        self._before = before
        self._document = step.document
        self._typing = step.kind == "typing"
        self._start, self._end = step.start, step.end
        self._shape = step.shape  # of the first key press: what may go on merging into it
        self._last_at = step.at
        self._steps = 1

    def id(self) -> int:
        return _TYPING_ID if self._typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (
            isinstance(other, TextEditCommand)
            and other._typing
            and other._document is self._document
            and other._start == self._end  # typed on where the last key press left off
            and other._shape in _GOES_ON.get(self._shape, ())
            and other._last_at - self._last_at < TYPING_PAUSE_S
        ):
            return False
        self._steps += other._steps
        self._end = other._end
        self._last_at = other._last_at
        return True

    def replay(self, *, forward: bool) -> None:
        self._host.replay_text_steps(self._document, self._steps, self._before, forward=forward)
