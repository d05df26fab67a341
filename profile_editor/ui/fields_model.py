"""Table model of a profile's top-level fields: one row per key, columns Key, Type and Value.

Rows are ``(key, value)`` pairs in order; duplicate and empty keys are allowed in the rows (a
user is mid-edit) but flagged, and reported by :meth:`FieldsModel.problems`. Values are JSON
values that are never mutated in place, edits replace them, so a shallow copy of the rows is
a safe snapshot for another thread.

Loading is O(n) with no per-row work: display text is made lazily in :meth:`data` and cut to
:data:`DISPLAY_LIMIT` characters, which keeps multi-megabyte profiles cheap to show.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from profile_editor.core.jsoncodec import (
    JSON_TYPES,
    JsonProblem,
    dumps_compact,
    parse_value,
    type_name,
)
from profile_editor.ui.json_edit import editor_json

__all__ = [
    "DISPLAY_LIMIT",
    "KEY_COLUMN",
    "TYPE_COLUMN",
    "VALUE_COLUMN",
    "VALUE_ROLE",
    "FieldProblem",
    "FieldsError",
    "FieldsModel",
    "convert_value",
]

KEY_COLUMN, TYPE_COLUMN, VALUE_COLUMN = 0, 1, 2
HEADERS = ("Key", "Type", "Value")
# The row's Python value, for any column.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1

DISPLAY_LIMIT = 200
TOOLTIP_LIMIT = 2000

_FLAG_BACKGROUND = QBrush(QColor(255, 205, 205))
_FLAG_FOREGROUND = QBrush(QColor(0, 0, 0))
_AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class FieldProblem:
    """Something that keeps the rows from being a profile; ``row`` is 0-based."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"Row {self.row + 1}: {self.message}"


class FieldsError(ValueError):
    """Raised by :meth:`FieldsModel.to_profile` when the rows have problems."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _quoted(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tokens(value: Any, limit: int) -> Iterator[str]:
    """Compact JSON in small pieces; long strings are cut, so callers must elide."""
    if isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield ("," if index else "") + dumps_compact(key[: limit + 1]) + ":"
            yield from _tokens(item, limit)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _tokens(item, limit)
        yield "]"
    elif isinstance(value, str):
        yield dumps_compact(value[: limit + 1])
    else:
        yield dumps_compact(value)


def preview(value: Any, limit: int = DISPLAY_LIMIT) -> str:
    """Compact single-line text for ``value``, at most ``limit`` characters, in O(limit)."""
    if isinstance(value, str):
        return _elide(value[: limit + 1].replace("\n", "↵"), limit)
    if not isinstance(value, dict | list):
        return dumps_compact(value)
    parts: list[str] = []
    size = 0
    for piece in _tokens(value, limit):
        parts.append(piece)
        size += len(piece)
        if size > limit:
            break
    return _elide("".join(parts), limit)


def edit_text(value: Any) -> str:
    """The full text a value is edited as: strings raw, containers as pretty JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return editor_json(value)
    return dumps_compact(value)


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and not math.isfinite(value))
    )


def _try_parse(text: str) -> Any:
    try:
        return parse_value(text)
    except JsonProblem:
        return _INVALID


_INVALID = object()
# Numbers people write that JSON does not accept as such: "00123", "+5", ".5", "5.".
_LOOSE_INT = re.compile(r"[+-]?[0-9]+")
_LOOSE_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _loose_number(text: str) -> int | float:
    parsed = _try_parse(text)
    if _is_number(parsed):
        return parsed
    if _LOOSE_INT.fullmatch(text):
        return int(text)
    if _LOOSE_FLOAT.fullmatch(text):
        number = float(text)
        if math.isfinite(number):
            return number
    return 0


def convert_value(value: Any, target: str) -> Any:
    """Convert ``value`` to the JSON type ``target``, keeping what can be kept.

    ``"3"`` → 3 (also ``"00123"`` → 123), 3 → ``"3"``, anything → null, ``"true"``/``"false"`` → booleans, a string
    holding JSON of the right kind → that object/array; otherwise the type's empty value.
    """
    if target not in JSON_TYPES:
        raise ValueError(f"unknown JSON type {target!r}")
    if type_name(value) == target:
        return value
    if target == "null":
        return None
    if target == "string":
        if value is None:
            return ""
        return dumps_compact(value)
    if target == "number":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str):
            return _loose_number(value.strip())
        return 0
    if target == "boolean":
        if isinstance(value, str):
            return value.strip().lower() == "true"
        if _is_number(value):
            return value != 0
        return False
    container: type = dict if target == "object" else list
    if isinstance(value, str):
        parsed = _try_parse(value)
        if isinstance(parsed, container):
            return parsed
    return container()


def _same(old: Any, new: Any) -> bool:
    return type(old) is type(new) and old == new


class FieldsModel(QAbstractTableModel):
    """Editable rows of a profile; columns Key, Type, Value.

    Signals:
        edited(): a user edit changed the rows (setData, insert, remove, move); not emitted
            by :meth:`set_profile`.
        problem(str): an edit was refused; the text says why, naming the row.
    """

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
                    FieldProblem(row, f"duplicate key {_quoted(key)} (also row {first + 1})")
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
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, (key, value))
        self._duplicates = None
        self.endInsertRows()
        self._keys_changed()
        self.edited.emit()
        return row

    def remove_fields(self, rows: Iterable[int]) -> int:
        """Remove the given rows (any order, repeats and out-of-range ignored); returns count."""
        doomed = sorted({r for r in rows if 0 <= r < len(self._rows)}, reverse=True)
        if not doomed or self._read_only:
            return 0
        # Contiguous runs, removed bottom-up so earlier row numbers stay valid.
        runs: list[tuple[int, int]] = []
        for row in doomed:
            if runs and runs[-1][0] == row + 1:
                runs[-1] = (row, runs[-1][1])
            else:
                runs.append((row, row))
        for first, last in runs:
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self._duplicates = None
            self.endRemoveRows()
        self._keys_changed()
        self.edited.emit()
        return len(doomed)

    def move_field(self, src: int, dst: int) -> bool:
        """Move row ``src`` so that it ends up at row ``dst``."""
        count = len(self._rows)
        if not (0 <= src < count and 0 <= dst < count) or src == dst or self._read_only:
            return False
        # Qt wants the row the moved one goes before, counted before the move.
        before = dst + 1 if dst > src else dst
        if not self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), before):
            return False
        self._rows.insert(dst, self._rows.pop(src))
        self._duplicates = None
        self.endMoveRows()
        self._keys_changed()
        self.edited.emit()
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
                return _elide(key, DISPLAY_LIMIT)
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
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == KEY_COLUMN:
                return self._key_flag(index.row()) or (key if len(key) > DISPLAY_LIMIT else None)
            if column == VALUE_COLUMN:
                return preview(value, TOOLTIP_LIMIT)
            return None
        if column == KEY_COLUMN and self._key_flag(index.row()):
            if role == Qt.ItemDataRole.BackgroundRole:
                return _FLAG_BACKGROUND
            if role == Qt.ItemDataRole.ForegroundRole:
                return _FLAG_FOREGROUND
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
            self.edited.emit()
            return True

        if column == TYPE_COLUMN:
            if value not in JSON_TYPES:
                self.problem.emit(f"{self._where(row)}: unknown type {value!r}")
                return False
            new = convert_value(old, value)
        else:
            new, reason = self._parse_for(old, value)
            if reason is not None:
                self.problem.emit(f"{self._where(row)}: {reason}")
                return False
        if _same(old, new):
            return True
        self._rows[row] = (key, new)
        self.dataChanged.emit(self.index(row, TYPE_COLUMN), self.index(row, VALUE_COLUMN))
        self.edited.emit()
        return True

    def check_edit(self, index: _AnyIndex, value: Any) -> str | None:
        """Why ``setData(index, value)`` would be refused, or None if it would be accepted."""
        if not self._valid(index) or self._read_only:
            return "this cell cannot be edited now"
        if index.column() != VALUE_COLUMN:
            return None
        return self._parse_for(self._rows[index.row()][1], value)[1]

    # -- helpers ---------------------------------------------------------------------------

    def _valid(self, index: _AnyIndex) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and 0 <= index.row() < len(self._rows)
            and 0 <= index.column() < len(HEADERS)
        )

    def _where(self, row: int) -> str:
        return f"Row {row + 1} ({_elide(_quoted(self._rows[row][0]), 60)})"

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
        return f"Duplicate key {_quoted(key)}: also in row {others}"

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

    @staticmethod
    def _parse_for(old: Any, raw: Any) -> tuple[Any, str | None]:
        """Interpret ``raw`` (usually editor text) as a new value of ``old``'s type."""
        kind = type_name(old)
        if kind == "string":
            if isinstance(raw, str):
                return raw, None
            return None, "a string value must be given as text"
        if kind == "null":
            return None, "null has no value to edit; change the type first"
        if kind == "number":
            if _is_number(raw):
                return raw, None
            if isinstance(raw, str):
                parsed = _try_parse(raw.strip())
                if _is_number(parsed):
                    return parsed, None
            return None, f"{_elide(repr(raw), 40)} is not a JSON number (e.g. 42, -1.5, 2e3)"
        if kind == "boolean":
            if isinstance(raw, bool):
                return raw, None
            if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
                return raw.strip().lower() == "true", None
            return None, "a boolean is true or false"
        # object or array
        container: type = dict if kind == "object" else list
        parsed = raw
        if isinstance(raw, str):
            try:
                parsed = parse_value(raw)
            except JsonProblem as problem:
                return None, f"invalid JSON: {problem}"
        if not isinstance(parsed, container):
            return None, f"expected {'an object' if kind == 'object' else 'an array'}, " + (
                f"got {type_name(parsed)}; change the type first"
            )
        return parsed, None
