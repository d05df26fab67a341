"""Table model of a profile's top-level fields: one row per key, columns Key, Type and Value.

Rows are ``(key, value)`` pairs in order; duplicate and empty keys are allowed in the rows (a
user is mid-edit) but flagged, and reported by :meth:`FieldsModel.problems`. Values are JSON
values that are never mutated in place, edits replace them, so a shallow copy of the rows is
a safe snapshot for another thread.

Loading is O(n) with no per-row work: display text is made lazily in :meth:`data` and cut to
:data:`DISPLAY_LIMIT` characters, which keeps multi-megabyte profiles cheap to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from profile_editor.core.profile.jsoncodec import JSON_TYPES, type_name
from profile_editor.core.profile.values import (
    DISPLAY_LIMIT,
    convert_value,
    edit_text,
    elide,
    parse_edit,
    preview,
    quoted,
    same_value,
)
from profile_editor.ui.common.palette import current

__all__ = [
    "DISPLAY_LIMIT",
    "FILTER_ROLE",
    "KEY_COLUMN",
    "TYPE_COLUMN",
    "VALUE_COLUMN",
    "VALUE_ROLE",
    "FieldProblem",
    "FieldsError",
    "FieldsModel",
    "RowEdit",
    "convert_value",
]

KEY_COLUMN, TYPE_COLUMN, VALUE_COLUMN = 0, 1, 2
HEADERS = ("Key", "Type", "Value")
# The row's Python value, for any column.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
# The text a filter matches: key and value, on two lines (a filter text is one line).
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2
FILTER_LIMIT = 1000

TOOLTIP_LIMIT = 2000

_AnyIndex = QModelIndex | QPersistentModelIndex


class FieldProblem:
    """Something that keeps the rows from being a profile; ``row`` is 0-based."""

    row: int
    message: str

    def __init__(self, row: int, message: str) -> None:
        object.__setattr__(self, "row", row)
        object.__setattr__(self, "message", message)

    def _key(self) -> tuple[Any, ...]:
        return (self.row, self.message)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldProblem) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(row={self.row!r}, message={self.message!r})"

    def __str__(self) -> str:
        return f"Row {self.row + 1}: {self.message}"


class RowEdit:
    """One user edit of the rows, enough to undo and redo it (see :meth:`FieldsModel.replay`).

    ``kind`` ``"set"``: ``rows == (row,)``, ``old``/``new`` the pair before and after, ``column``
    the one edited; ``"insert"``: ``rows == (row,)``, ``new == (pair,)``; ``"remove"``: ``rows``
    ascending with ``old`` the pairs removed; ``"move"``: ``rows == (src, dst)``.
    """

    kind: Literal["set", "insert", "remove", "move"]
    rows: tuple[int, ...]
    old: tuple[tuple[str, Any], ...]
    new: tuple[tuple[str, Any], ...]
    column: int

    def __init__(
        self,
        kind: Literal["set", "insert", "remove", "move"],
        rows: tuple[int, ...],
        old: tuple[tuple[str, Any], ...] = (),
        new: tuple[tuple[str, Any], ...] = (),
        column: int = -1,
    ) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "old", old)
        object.__setattr__(self, "new", new)
        object.__setattr__(self, "column", column)

    def _key(self) -> tuple[Any, ...]:
        return (self.kind, self.rows, self.old, self.new, self.column)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RowEdit) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(kind={self.kind!r}, rows={self.rows!r}, old={self.old!r}, new={self.new!r}, column={self.column!r})"

    def describe(self) -> str:
        """What the edit did, for "Undo …" / "Redo …"."""
        if self.kind == "set":
            key = elide(self.old[0][0], 40) or "(empty key)"
            action = {KEY_COLUMN: "rename", TYPE_COLUMN: "type change"}.get(self.column, "edit")
            return f"{action} of {key}"
        if self.kind == "insert":
            return "add row"
        if self.kind == "remove":
            return "remove row" if len(self.rows) == 1 else f"remove {len(self.rows)} rows"
        return "move row"


class FieldsError(ValueError):
    """Raised by :meth:`FieldsModel.to_profile` when the rows have problems."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class FieldsModel(QAbstractTableModel):
    """Editable rows of a profile; columns Key, Type, Value.

    Signals:
        rowsEdited(RowEdit): a user edit changed the rows (setData, insert, remove, move);
            emitted just before ``edited``, not by :meth:`replay` or :meth:`set_profile`.
        edited(): the rows changed by an edit or its :meth:`replay`; not emitted by
            :meth:`set_profile`.
        problem(str): an edit was refused; the text says why, naming the row.
    """

    rowsEdited = Signal(object)
    edited = Signal()
    problem = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, Any]] = []
        # key -> rows holding it, for keys used more than once; None = to be recomputed.
        self._duplicates: dict[str, list[int]] | None = {}
        self._read_only = False

    # -- whole profile ---------------------------------------------------------------------

    def set_profile(self, profile: dict[str, Any]) -> None:
        """Show ``profile``'s fields in order. O(n), no formatting; does not emit ``edited``."""
        self.beginResetModel()
        self._rows = list(profile.items())
        self._duplicates = {}  # a dict cannot repeat a key
        self.endResetModel()

    def set_rows(self, rows: Iterable[tuple[str, Any]]) -> None:
        """Show ``rows`` as given (repeated keys included); like :meth:`set_profile`."""
        self.beginResetModel()
        self._rows = list(rows)
        self._duplicates = None
        self.endResetModel()

    def rows(self) -> list[tuple[str, Any]]:
        """A shallow copy of the rows (a safe snapshot: values are never mutated)."""
        return list(self._rows)

    def problems(self) -> list[FieldProblem]:
        """Empty and duplicate keys, by row; empty when the rows form a valid profile."""
        if self._keys_are_valid():
            return []
        found: list[FieldProblem] = []
        first_row: dict[str, int] = {}
        for row, (key, _) in enumerate(self._rows):
            if key == "":
                found.append(FieldProblem(row, "empty key"))
                continue
            first = first_row.setdefault(key, row)
            if first != row:
                found.append(
                    FieldProblem(row, f"duplicate key {quoted(key)} (also row {first + 1})")
                )
        return found

    def has_duplicate_keys(self) -> bool:
        return bool(self._duplicate_rows())

    def to_profile(self) -> dict[str, Any]:
        """The rows as a profile; raises :class:`FieldsError` listing the problems if any."""
        profile = dict(self._rows)
        if len(profile) != len(self._rows) or "" in profile:
            raise FieldsError(self.problems())
        return profile

    def _keys_are_valid(self) -> bool:
        # Set-based, in C: a 40,000-row profile is checked on every send without a Python loop.
        keys = {key for key, _ in self._rows}
        return len(keys) == len(self._rows) and "" not in keys

    def set_read_only(self, read_only: bool) -> None:
        """Refuse all edits: flags drop ``ItemIsEditable``, ``setData`` and the structural
        methods change nothing (``set_profile`` still loads)."""
        self._read_only = read_only

    def is_read_only(self) -> bool:
        return self._read_only

    # -- structure -------------------------------------------------------------------------

    def insert_field(self, row: int, key: str = "", value: Any = "") -> int:
        """Insert a field before ``row`` (clamped to the ends); returns the row it landed on,
        or -1 while read-only."""
        if self._read_only:
            return -1
        row = min(max(row, 0), len(self._rows))
        self._insert(row, (key, value))
        self._keys_changed()
        self._emit_edit(RowEdit("insert", (row,), new=((key, value),)))
        return row

    def set_field(self, row: int, key: str, value: Any) -> bool:
        """Set a row's key and value as one edit (a known key with its skeleton value)."""
        if self._read_only or not 0 <= row < len(self._rows):
            return False
        old = self._rows[row]
        self._rows[row] = (key, value)
        self._duplicates = None
        self.dataChanged.emit(self.index(row, KEY_COLUMN), self.index(row, VALUE_COLUMN))
        self._keys_changed()
        self._emit_edit(RowEdit("set", (row,), (old,), ((key, value),), KEY_COLUMN))
        return True

    def remove_fields(self, rows: Iterable[int]) -> int:
        """Remove the given rows (any order, repeats and out-of-range ignored); returns count."""
        doomed = sorted({r for r in rows if 0 <= r < len(self._rows)})
        if not doomed or self._read_only:
            return 0
        old = tuple(self._rows[row] for row in doomed)
        self._remove(doomed)
        self._keys_changed()
        self._emit_edit(RowEdit("remove", tuple(doomed), old=old))
        return len(doomed)

    def move_field(self, src: int, dst: int) -> bool:
        """Move row ``src`` so that it ends up at row ``dst``."""
        count = len(self._rows)
        if not (0 <= src < count and 0 <= dst < count) or src == dst or self._read_only:
            return False
        if not self._move(src, dst):
            return False
        self._keys_changed()
        self._emit_edit(RowEdit("move", (src, dst)))
        return True

    def replay(self, edit: RowEdit, *, forward: bool) -> None:
        """Redo (``forward``) or undo an edit made earlier to these rows; emits ``edited``.

        Works while read-only: it restores a state the rows were in, it is not a new edit.
        """
        if edit.kind == "set":
            row = edit.rows[0]
            self._rows[row] = edit.new[0] if forward else edit.old[0]
            self._duplicates = None
            self.dataChanged.emit(self.index(row, KEY_COLUMN), self.index(row, VALUE_COLUMN))
        elif edit.kind in ("insert", "remove"):
            if (edit.kind == "insert") == forward:  # an insert, or a removal undone
                pairs = edit.new if forward else edit.old
                for row, pair in zip(edit.rows, pairs, strict=True):  # ascending: as they were
                    self._insert(row, pair)
            else:
                self._remove(edit.rows)
        else:
            src, dst = edit.rows
            if forward:
                self._move(src, dst)
            else:
                self._move(dst, src)
        self._keys_changed()
        self.edited.emit()

    def _emit_edit(self, edit: RowEdit) -> None:
        self.rowsEdited.emit(edit)
        self.edited.emit()

    def _insert(self, row: int, pair: tuple[str, Any]) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, pair)
        self._duplicates = None
        self.endInsertRows()

    def _remove(self, rows: Iterable[int]) -> None:
        # Contiguous runs, removed bottom-up so earlier row numbers stay valid.
        runs: list[tuple[int, int]] = []
        for row in sorted(rows, reverse=True):
            if runs and runs[-1][0] == row + 1:
                runs[-1] = (row, runs[-1][1])
            else:
                runs.append((row, row))
        for first, last in runs:
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self._duplicates = None
            self.endRemoveRows()

    def _move(self, src: int, dst: int) -> bool:
        # Qt wants the row the moved one goes before, counted before the move.
        before = dst + 1 if dst > src else dst
        if not self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), before):
            return False
        self._rows.insert(dst, self._rows.pop(src))
        self._duplicates = None
        self.endMoveRows()
        return True

    # -- Qt model interface ----------------------------------------------------------------

    def rowCount(self, /, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, /, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, /, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1) if 0 <= section < len(self._rows) else None

    def flags(self, index: _AnyIndex, /) -> Qt.ItemFlag:
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemNeverHasChildren
        if self._read_only:
            return flags
        if index.column() != VALUE_COLUMN or self._rows[index.row()][1] is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _AnyIndex, /, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        key, value = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == KEY_COLUMN:
                return elide(key, DISPLAY_LIMIT)
            if column == TYPE_COLUMN:
                return type_name(value)
            return preview(value)
        if role == Qt.ItemDataRole.EditRole:
            if column == KEY_COLUMN:
                return key
            if column == TYPE_COLUMN:
                return type_name(value)
            return edit_text(value)
        if role == VALUE_ROLE:
            return value
        if role == FILTER_ROLE:
            return f"{key}\n{preview(value, FILTER_LIMIT)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == KEY_COLUMN:
                return self._key_flag(index.row()) or (key if len(key) > DISPLAY_LIMIT else None)
            if column == VALUE_COLUMN:
                return preview(value, TOOLTIP_LIMIT)
            return None
        if column == KEY_COLUMN and self._key_flag(index.row()):
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(current().flag[0]))
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(current().flag[1]))
        return None

    def setData(
        self, index: _AnyIndex, value: Any, /, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not self._valid(index) or self._read_only:
            return False
        row, column = index.row(), index.column()
        key, old = self._rows[row]
        if column == KEY_COLUMN:
            if not isinstance(value, str):
                return False
            if value == key:
                return True
            self._rows[row] = (value, old)
            self._duplicates = None
            self._keys_changed()
            self._emit_edit(RowEdit("set", (row,), ((key, old),), ((value, old),), column))
            return True

        if column == TYPE_COLUMN:
            if value not in JSON_TYPES:
                self.problem.emit(f"{self._where(row)}: unknown type {value!r}")
                return False
            new = convert_value(old, value)
        else:
            new, reason = parse_edit(old, value)
            if reason is not None:
                self.problem.emit(f"{self._where(row)}: {reason}")
                return False
        if same_value(old, new):
            return True
        self._rows[row] = (key, new)
        self.dataChanged.emit(self.index(row, TYPE_COLUMN), self.index(row, VALUE_COLUMN))
        self._emit_edit(RowEdit("set", (row,), ((key, old),), ((key, new),), column))
        return True

    def check_edit(self, index: _AnyIndex, value: Any) -> str | None:
        """Why ``setData(index, value)`` would be refused, or None if it would be accepted."""
        if not self._valid(index) or self._read_only:
            return "this cell cannot be edited now"
        if index.column() != VALUE_COLUMN:
            return None
        return parse_edit(self._rows[index.row()][1], value)[1]

    # -- helpers ---------------------------------------------------------------------------

    def _valid(self, index: _AnyIndex) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and 0 <= index.row() < len(self._rows)
            and 0 <= index.column() < len(HEADERS)
        )

    def _where(self, row: int) -> str:
        return f"Row {row + 1} ({elide(quoted(self._rows[row][0]), 60)})"

    def _duplicate_rows(self) -> dict[str, list[int]]:
        if self._duplicates is None:
            first_row: dict[str, int] = {}
            duplicates: dict[str, list[int]] = {}
            for row, (key, _) in enumerate(self._rows):
                first = first_row.setdefault(key, row)
                if first != row:
                    duplicates.setdefault(key, [first]).append(row)
            self._duplicates = duplicates
        return self._duplicates

    def _key_flag(self, row: int) -> str | None:
        """Why the key in ``row`` is flagged (tooltip text), or None."""
        key = self._rows[row][0]
        if key == "":
            return "Empty key: type a name for this field"
        rows = self._duplicate_rows().get(key)
        if rows is None:
            return None
        others = ", ".join(str(r + 1) for r in rows if r != row)
        return f"Duplicate key {quoted(key)}: also in row {others}"

    def _keys_changed(self) -> None:
        # Flags on other rows can change with any key change; views repaint only what shows.
        if self._rows:
            last = len(self._rows) - 1
            self.dataChanged.emit(
                self.index(0, KEY_COLUMN),
                self.index(last, KEY_COLUMN),
                [
                    Qt.ItemDataRole.DisplayRole,
                    Qt.ItemDataRole.EditRole,
                    Qt.ItemDataRole.BackgroundRole,
                    Qt.ItemDataRole.ForegroundRole,
                    Qt.ItemDataRole.ToolTipRole,
                ],
            )
