"""Key paths (``custom.plan``, ``tags[0]``) and where they are in a JSON text.

Qt-free. Finding a path walks only the containers on the way to it and skips every other
value with the C decoder, so it is cheap even in a multi-megabyte text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from profile_editor.core.profile.values import quoted

__all__ = [
    "KeyPath",
    "PathSpot",
    "format_key_path",
    "key_path_offset",
    "line_column",
    "parse_key_path",
    "spot_in_fields",
    "spot_in_text",
]

KeyPath = tuple[str, ...]

_WS = re.compile(r"[ \t\n\r]*")
_STEP = re.compile(r"([^.\[\]]*)((?:\[\d+\])*)")
_DECODER = json.JSONDecoder()


def parse_key_path(text: str) -> KeyPath:
    """``"address.locality"`` → ``("address", "locality")``; ``"tags[1]"`` and ``"tags.1"``
    → ``("tags", "1")`` (a number steps into an array). Surrounding spaces are dropped."""
    steps: list[str] = []
    for part in text.strip().split("."):
        match = _STEP.fullmatch(part)
        if match is None:
            steps.append(part)
            continue
        name, indexes = match.groups()
        if name or not indexes:
            steps.append(name)
        steps.extend(re.findall(r"\d+", indexes))
    return tuple(steps)


def format_key_path(path: KeyPath) -> str:
    return ".".join(path)


def _skip(text: str, pos: int) -> int:
    end = _WS.match(text, pos)
    return end.end() if end else pos


def _key_in_object(text: str, pos: int, key: str) -> tuple[int, int] | None:
    """In the object opening at ``pos``: (offset of ``key``'s opening quote, its value's start)."""
    pos = _skip(text, pos + 1)
    if text.startswith("}", pos):
        return None
    while True:
        if not text.startswith('"', pos):
            return None
        start = pos
        name, pos = scanstring(text, pos + 1)
        pos = _skip(text, pos)
        if not text.startswith(":", pos):
            return None
        pos = _skip(text, pos + 1)
        if name == key:
            return start, pos
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if not text.startswith(",", pos):
            return None
        pos = _skip(text, pos + 1)


def _item_in_array(text: str, pos: int, index: int) -> int | None:
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return None
    for _ in range(index):
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if not text.startswith(",", pos):
            return None
        pos = _skip(text, pos + 1)
    return pos


def key_path_offset(text: str, path: KeyPath) -> int | None:
    """Offset (in characters) of the last step of ``path`` in the JSON ``text``: the opening
    quote of a key, or the first character of an array item. None when the path is not there
    or the text does not parse on the way; the first of duplicate keys wins."""
    if not path:
        return None
    pos = _skip(text, 0)
    try:
        for step in path:
            if text.startswith("{", pos):
                found = _key_in_object(text, pos, step)
                if found is None:
                    return None
                at, pos = found
            elif text.startswith("[", pos) and step.isdigit():
                item = _item_in_array(text, pos, int(step))
                if item is None:
                    return None
                at = pos = item
            else:
                return None
    except (ValueError, IndexError):
        return None
    return at


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class PathSpot:
    """Where "Go to key path" takes the user, or why it cannot: ``note`` is what to tell them
    ("" when there is nothing to say). In the JSON text the place is ``line``/``column``
    (1-based); in the Fields table it is ``row`` (0-based)."""

    found: bool
    note: str
    line: int
    column: int
    row: int

    def __init__(
        self,
        found: bool,
        note: str = "",
        line: int = 0,
        column: int = 0,
        row: int = -1,
    ) -> None:
        object.__setattr__(self, "found", found)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "row", row)

    def _key(self) -> tuple[Any, ...]:
        return (self.found, self.note, self.line, self.column, self.row)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PathSpot) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(found={self.found!r}, note={self.note!r}, line={self.line!r}, column={self.column!r}, row={self.row!r})"


def spot_in_text(text: str, path: KeyPath) -> PathSpot:
    """Where the key of ``path`` is in the JSON ``text``."""
    offset = key_path_offset(text, path)
    if offset is None:
        return PathSpot(
            False, f"No key path {format_key_path(path) or '(empty path)'} in the JSON text."
        )
    line, column = line_column(text, offset)
    return PathSpot(True, line=line, column=column)


def spot_in_fields(keys: Sequence[str], path: KeyPath) -> PathSpot:
    """The row of the top-level key of ``path`` among the table's ``keys``; a nested path gets
    a note saying the table goes only that far."""
    if not path or path[0] not in keys:
        missing = quoted(path[0]) if path else "(empty path)"
        return PathSpot(False, f"No field {missing}.")
    row = keys.index(path[0])
    if len(path) == 1:
        return PathSpot(True, row=row)
    note = (
        f"{format_key_path(path)} is inside the value of {quoted(path[0])} (row {row + 1}); "
        "the JSON tab goes to the key itself."
    )
    return PathSpot(True, note, row=row)
