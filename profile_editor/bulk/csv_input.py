"""CSV rows: a ``recipient_id`` column and one column per profile key, read one row at a time.

Cells are strings as written (``00123`` stays a string). A header suffix types a column
(``age:number``, ``vip:boolean``, ``custom:json``), a dotted header nests (``custom.plan`` →
``{"custom": {"plan": …}}``) and an empty cell leaves its key out of the row's profile.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from profile_editor.bulk.rows import BadRow, InputError, Row
from profile_editor.core.profile.jsoncodec import JsonProblem, parse_value

RECIPIENT_COLUMN = "recipient_id"
COLUMN_TYPES = ("string", "number", "boolean", "json")
_TYPE_SUFFIX = re.compile(r"^(.*):([a-z]+)$")
_INTEGER = re.compile(r"-?(?:0|[1-9]\d*)")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
# Cells of a few megabytes are legitimate (a 6 MB profile is); csv's default stops at 128 KB.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class Column:
    """One profile column: its header, the key path it fills and the type of its cells."""

    header: str
    path: tuple[str, ...]
    kind: str

    @property
    def key(self) -> str:
        return ".".join(self.path)


def parse_header(fields: list[str]) -> tuple[int, list[tuple[int, Column]]]:
    """The index of the recipient column and the profile columns; InputError saying what is wrong."""
    names = [name.strip() for name in fields]
    if RECIPIENT_COLUMN not in names:
        raise InputError(
            f"The first line needs a “{RECIPIENT_COLUMN}” column (found: {', '.join(names) or 'nothing'})."
        )
    if names.count(RECIPIENT_COLUMN) > 1:
        raise InputError(f"“{RECIPIENT_COLUMN}” is a column twice.")
    columns: list[tuple[int, Column]] = []
    for index, name in enumerate(names):
        if name == RECIPIENT_COLUMN:
            continue
        if not name:
            raise InputError(f"Column {index + 1} has no name.")
        key, kind = name, "string"
        typed = _TYPE_SUFFIX.match(name)
        if typed:
            key, kind = typed.group(1), typed.group(2)
            if kind not in COLUMN_TYPES:
                raise InputError(
                    f"Column “{name}”: unknown type “{kind}” (use {', '.join(COLUMN_TYPES)})."
                )
        path = tuple(key.split("."))
        if any(not part for part in path):
            raise InputError(
                f"Column “{name}”: a dotted name needs a key on each side of each dot."
            )
        columns.append((index, Column(name, path, kind)))
    _check_paths([column for _, column in columns])
    return names.index(RECIPIENT_COLUMN), columns


def _check_paths(columns: list[Column]) -> None:
    seen: dict[tuple[str, ...], Column] = {}
    for column in columns:
        if column.path in seen:
            raise InputError(
                f"Columns “{seen[column.path].header}” and “{column.header}” fill the same key."
            )
        seen[column.path] = column
    for column in columns:
        for cut in range(1, len(column.path)):
            parent = seen.get(column.path[:cut])
            if parent is not None:
                raise InputError(
                    f"Columns “{parent.header}” and “{column.header}” overlap: one is inside the other."
                )


def header_mapping(path: Path) -> list[tuple[str, str, str]]:
    """(header, profile key, type) of each profile column of a CSV file."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"Cannot read {path.name}: {exc}") from None
    _, columns = parse_header(header)
    return [(column.header, column.key, column.kind) for _, column in columns]


def convert(kind: str, text: str) -> Any:
    """The value of one non-empty cell; ValueError saying why it does not parse."""
    if kind == "string":
        return text
    if kind == "number":
        value = text.strip()
        if _INTEGER.fullmatch(value):
            return int(value)
        if _NUMBER.fullmatch(value):
            return float(value)
        raise ValueError(f"“{text}” is not a number")
    if kind == "boolean":
        flag = _BOOLEANS.get(text.strip().lower())
        if flag is None:
            raise ValueError(f"“{text}” is not true or false")
        return flag
    try:
        return parse_value(text)
    except JsonProblem as problem:
        raise ValueError(f"not JSON ({problem})") from None


def _put(profile: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = profile
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def read_csv(handle: TextIO) -> Iterator[Row | BadRow]:
    """Rows of an open CSV file (opened with ``newline=""``), in file order."""
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("The file is empty: the first line names the columns.") from None
    except csv.Error as exc:
        raise InputError(f"Line 1: {exc}") from None
    id_index, columns = parse_header(header)
    width = len(header)
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadRow(line, "", f"not CSV: {exc}")
            continue
        if not cells:
            continue  # a blank line
        recipient = cells[id_index] if id_index < len(cells) else ""
        if len(cells) > width:
            yield BadRow(
                line, recipient, f"{len(cells)} cells, but the header names {width} columns"
            )
            continue
        profile: dict[str, Any] = {}
        problem = None
        for index, column in columns:
            text = cells[index] if index < len(cells) else ""
            if text == "":
                continue
            try:
                _put(profile, column.path, convert(column.kind, text))
            except ValueError as exc:
                problem = f"column “{column.header}”: {exc}"
                break
        if problem is not None:
            yield BadRow(line, recipient, problem)
        else:
            yield Row(line, recipient, profile)
