"""CSV rows: a ``recipient_id`` column and one column per profile key, read one row at a time.

Cells are strings as written (``00123`` stays a string). A header suffix types a column
(``age:number``, ``vip:boolean``, ``custom:json``; any case, spaces around the colon allowed), a
dotted header nests (``custom.plan`` → ``{"custom": {"plan": …}}``) and an empty cell leaves its
key out of the row's profile.

The file is read as RFC 4180 says, strictly: a quote may only open a cell, a quoted cell must be
closed and followed by a comma or the end of the line, and every row has as many cells as the
header. Python's ``csv`` module is lenient about all three, so a stray or missing quote could
silently merge the rows after it into one cell; here it stops the file at the line it is on
(:class:`InputError`), and a row with too few or too many cells is a bad row. The checks are
cheap because they are where the damage is: an odd number of quotes always breaks one of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from profile_editor.bulk.encoding import open_text, undecodable
from profile_editor.bulk.rows import BadRow, InputError, Row
from profile_editor.core.profile.jsoncodec import JsonProblem, parse_value

RECIPIENT_COLUMN = "recipient_id"
COLUMN_TYPES = ("string", "number", "boolean", "json")
# What people write for the types, for the suggestion when a suffix is unknown.
_TYPE_ALIASES = {
    "int": "number",
    "integer": "number",
    "float": "number",
    "double": "number",
    "decimal": "number",
    "num": "number",
    "bool": "boolean",
    "str": "string",
    "text": "string",
    "object": "json",
    "array": "json",
    "list": "json",
}
_TYPE_SUFFIX = re.compile(r"(.*?)\s*:\s*([A-Za-z]+)", re.DOTALL)
_INTEGER = re.compile(r"-?(?:0|[1-9]\d*)")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
# Inside a quoted cell: anything but a quote, or a doubled quote (unrolled for speed).
_QUOTED = re.compile(r'[^"]*(?:""[^"]*)*')
_UNQUOTED = re.compile(r'[^,"\r\n]*')
_LINE_ENDS = ("\r\n", "\n", "\r")
# The words of a bad row whose number of cells is not the header's (see width_mismatch).
WIDTH_MISMATCH = "but the header names"


@dataclass(frozen=True)
class Column:
    """One profile column: its header, the key path it fills and the type of its cells."""

    header: str
    path: tuple[str, ...]
    kind: str

    @property
    def key(self) -> str:
        return ".".join(self.path)


def _recipient_hint(names: list[str]) -> str:
    def squash(name: str) -> str:
        return re.sub(r"[^a-z0-9]", "", name.casefold())

    for name in names:
        if squash(name) in ("recipientid", "recipient", "recipientids"):
            return f" Rename “{name}” to “{RECIPIENT_COLUMN}”."
    close = difflib.get_close_matches(RECIPIENT_COLUMN, names, n=1, cutoff=0.7)
    return f" Rename “{close[0]}” to “{RECIPIENT_COLUMN}”?" if close else ""


def _type_hint(key: str, kind: str) -> str:
    guess = _TYPE_ALIASES.get(kind)
    if guess is None:
        close = difflib.get_close_matches(kind, COLUMN_TYPES, n=1, cutoff=0.6)
        guess = close[0] if close else None
    if guess is None:
        return f"use {', '.join(COLUMN_TYPES)}"
    return f"did you mean “{key}:{guess}”?"


def parse_header(fields: list[str]) -> tuple[int, list[tuple[int, Column]]]:
    """The index of the recipient column and the profile columns; InputError saying what is wrong."""
    names = [name.strip() for name in fields]
    if RECIPIENT_COLUMN not in names:
        raise InputError(
            f"The first line needs a “{RECIPIENT_COLUMN}” column "
            f"(found: {', '.join(names) or 'nothing'}).{_recipient_hint(names)}"
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
        typed = _TYPE_SUFFIX.fullmatch(name)
        if typed:
            key, kind = typed.group(1), typed.group(2).lower()
            if kind not in COLUMN_TYPES:
                raise InputError(
                    f"Column “{name}”: unknown type “{typed.group(2)}”: {_type_hint(key, kind)}"
                )
            if not key:
                raise InputError(f"Column {index + 1} (“{name}”) has a type but no name.")
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
    with open_text(path) as handle:
        _, columns = _header(_records(handle))
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
            number = float(value)
            if number in (float("inf"), float("-inf")):
                # JSON has no infinity: sending it would fail every time, on every resume.
                raise ValueError(f"“{text}” is too large for a number")
            return number
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


def _records(handle: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; blank lines are skipped; InputError where the quotes
    do not follow RFC 4180 (after that the file cannot be read reliably, so it stops there).

    ``handle`` is opened with ``newline=""``, so a line keeps its ``\\r\\n``, ``\\n`` or ``\\r``.
    """
    lines = iter(handle)
    number = 0
    for text in lines:
        number += 1
        if text in _LINE_ENDS:
            continue
        start = number
        cells: list[str] = []
        pos = 0
        while True:
            if text.startswith('"', pos):
                pos += 1
                parts: list[str] = []
                while True:
                    match = _QUOTED.match(text, pos)
                    assert match is not None
                    parts.append(match.group())
                    pos = match.end()
                    if pos < len(text):
                        break  # at the closing quote
                    following = next(lines, None)
                    if following is None:
                        raise InputError(
                            f"Line {start}, cell {len(cells) + 1}: the quote that opens this cell is "
                            "never closed (the cell would run to the end of the file)."
                        )
                    number += 1
                    text, pos = following, 0
                pos += 1
                cells.append("".join(parts).replace('""', '"'))
                if pos < len(text) and text[pos] not in ",\r\n":
                    raise InputError(
                        f"Line {number}, cell {len(cells)}: text after the closing quote of a "
                        'cell (a quote inside a quoted cell is written twice: "").'
                    )
            else:
                match = _UNQUOTED.match(text, pos)
                assert match is not None
                pos = match.end()
                if text.startswith('"', pos):
                    raw = re.match(r"[^,\r\n]*", text[match.start() :])
                    cell = raw.group() if raw else ""
                    quoted = '"' + cell.replace('"', '""') + '"'
                    raise InputError(
                        f"Line {number}, cell {len(cells) + 1}: a quote inside a cell that does not "
                        "start with one. Put the whole cell in quotes and write each quote in it "
                        f"twice: {quoted}"
                    )
                cells.append(match.group())
            if text.startswith(",", pos):
                pos += 1
                continue
            break  # the line ends here (its line break, or the end of the file)
        yield start, cells


def header_cells(records: Iterator[tuple[int, list[str]]]) -> list[str]:
    """The first line's cells: the column names of a profiles or a preferences CSV."""
    try:
        line, header = next(records)
    except StopIteration:
        raise InputError("The file is empty: the first line names the columns.") from None
    if line != 1:
        raise InputError(f"Line 1 is blank: the first line names the columns (found line {line}).")
    for cell in header:
        bad = undecodable(cell)
        if bad:
            raise InputError(f"Line 1: the header is not UTF-8 text ({bad}).")
    return header


def _header(records: Iterator[tuple[int, list[str]]]) -> tuple[int, list[tuple[int, Column]]]:
    return parse_header(header_cells(records))


def width_problem(line: int, recipient: str, cells: list[str], width: int) -> BadRow | None:
    """The bad row of a row with more or fewer cells than the header's ``width`` columns."""
    if len(cells) == width:
        return None
    return BadRow(
        line,
        recipient,
        f"{len(cells)} cell{'s' if len(cells) != 1 else ''}, {WIDTH_MISMATCH} {width} columns",
    )


def read_csv(handle: TextIO) -> Iterator[Row | BadRow]:
    """Rows of an open CSV file (opened with ``newline=""``), in file order."""
    records = _records(handle)
    id_index, columns = _header(records)
    width = len(columns) + 1
    for line, cells in records:
        recipient = cells[id_index] if id_index < len(cells) else ""
        for index, cell in enumerate(cells):
            bad = undecodable(cell)
            if bad:
                shown = "" if undecodable(recipient) else recipient
                yield BadRow(line, shown, f"not UTF-8 text ({bad} in cell {index + 1})")
                break
        else:
            yield width_problem(line, recipient, cells, width) or _row(
                line, recipient, cells, columns
            )


def width_mismatch(row: BadRow) -> bool:
    """Whether ``row`` is bad for having more or fewer cells than the header has columns."""
    return WIDTH_MISMATCH in row.reason


def _row(
    line: int, recipient: str, cells: list[str], columns: list[tuple[int, Column]]
) -> Row | BadRow:
    profile: dict[str, Any] = {}
    for index, column in columns:
        text = cells[index]
        if text == "":
            continue
        try:
            _put(profile, column.path, convert(column.kind, text))
        except ValueError as exc:
            return BadRow(line, recipient, f"column “{column.header}”: {exc}")
    return Row(line, recipient, profile)
