"""Property tests for the bulk readers: whatever a CSV writer or a JSON encoder writes reads back as
the same rows, and a damaged file is read identically, refused, or has its damaged rows reported
bad at their lines: it is never silently read as other rows.

What no reader can see is a damaged cell that is still a valid cell (``u12`` flipped to ``u13``):
the row the damage is in may read differently. Every other row must read as it was written, at
its own line, or be reported (a bad row, or the whole file refused); and no row may appear that
was not a row of the file (a row split in two, or several merged into one, would be sent).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profile_editor.bulk.inputs import open_rows, scan
from profile_editor.bulk.rows import BadRow, InputError, Row
from profile_editor.core.recipient import check_recipient_id

# PE_PROPERTY_EXAMPLES=5000 searches harder than the suite has time for.
SETTINGS = settings(
    max_examples=int(os.environ.get("PE_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
_TERMINATOR = re.compile(rb"\r\n|\r|\n")

# Any character a file can hold (surrogates cannot be written as UTF-8).
_chars = st.characters(blacklist_categories=("Cs",))
_text = st.text(_chars, max_size=12)
_key = _text.filter(lambda k: k == k.strip() and k and "." not in k and ":" not in k)
_recipient = st.text(_chars, min_size=1, max_size=10).filter(
    lambda r: check_recipient_id(r).sendable
)
_json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_BOOLEAN_WORDS = {True: ("true", "TRUE", "yes", "1", " True "), False: ("false", "No", "0")}


@dataclass(frozen=True)
class _Column:
    path: tuple[str, ...]
    kind: str
    header: str


@st.composite
def _columns(draw: st.DrawFn) -> list[_Column]:
    paths = draw(
        st.lists(st.lists(_key, min_size=1, max_size=2).map(tuple), min_size=1, max_size=4)
    )
    kept: list[tuple[str, ...]] = []
    for path in paths:
        clash = any(
            other == path or other[: len(path)] == path or path[: len(other)] == other
            for other in kept
        )
        if not clash and ".".join(path) != "recipient_id":
            kept.append(path)
    columns = []
    for path in kept:
        kind = draw(st.sampled_from(("string", "number", "boolean", "json")))
        name = ".".join(path)
        if kind != "string" or draw(st.booleans()):
            spelled = draw(st.sampled_from((kind, kind.upper(), kind.title())))
            name += draw(st.sampled_from((":", " :", ": ", " : "))) + spelled
        columns.append(_Column(path, kind, name))
    return columns


def _cell(draw: st.DrawFn, kind: str) -> tuple[str, Any]:
    """(the cell as written, the value it stands for)."""
    if kind == "string":
        text = draw(st.text(_chars, min_size=1, max_size=20))
        return text, text
    if kind == "number":
        number = draw(st.integers() | st.floats(allow_nan=False, allow_infinity=False))
        return repr(number), number
    if kind == "boolean":
        flag = draw(st.booleans())
        return draw(st.sampled_from(_BOOLEAN_WORDS[flag])), flag
    value = draw(_json_value)
    return json.dumps(value, ensure_ascii=draw(st.booleans())), value


def _put(profile: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = profile
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


@dataclass(frozen=True)
class _File:
    data: bytes
    rows: list[tuple[str, dict[str, Any]]]  # recipient and profile of each row, in order
    spans: list[tuple[int, int]]  # byte span of each record (the header first), line break included


@st.composite
def csv_files(draw: st.DrawFn, min_rows: int = 0) -> _File:
    columns = draw(_columns())
    recipients = draw(st.lists(_recipient, min_size=min_rows, max_size=6, unique=True))
    at = draw(st.integers(0, len(columns)))  # where the recipient column goes
    header = [c.header for c in columns]
    header.insert(at, "recipient_id")
    # The writer's own line break ("\r\n") or "\n"; with "\n" it would write a lone "\r" in a
    # cell unquoted, which no reader can tell from a line break, so that one quotes every cell.
    dialect = draw(
        st.sampled_from(
            (
                {},
                {"quoting": csv.QUOTE_ALL},
                {"lineterminator": "\n", "quoting": csv.QUOTE_ALL},
            )
        )
    )
    records = [header]
    rows = []
    for recipient in recipients:
        cells: list[str] = []
        profile: dict[str, Any] = {}
        for column in columns:
            if draw(st.integers(0, 4)) == 0:
                cells.append("")  # an empty cell leaves the key out
                continue
            text, value = _cell(draw, column.kind)
            cells.append(text)
            _put(profile, column.path, value)
        cells.insert(at, recipient)
        records.append(cells)
        rows.append((recipient, profile))
    bom = draw(st.booleans())
    data = b"\xef\xbb\xbf" if bom else b""
    spans = []
    for record in records:
        out = io.StringIO()
        csv.writer(out, **dialect).writerow(record)  # type: ignore[arg-type]
        chunk = out.getvalue().encode("utf-8")
        # The byte order mark belongs to the header: damage to it is damage to the header.
        spans.append((len(data) if spans else 0, len(data) + len(chunk)))
        data += chunk
    return _File(data, rows, spans)


@st.composite
def jsonl_files(draw: st.DrawFn, min_rows: int = 0) -> _File:
    recipients = draw(st.lists(_recipient, min_size=min_rows, max_size=6, unique=True))
    ending = draw(st.sampled_from(("\n", "\r\n")))
    data = b""
    rows = []
    spans = []
    for recipient in recipients:
        if draw(st.integers(0, 5)) == 0:
            data += ending.encode()  # a blank line is skipped, and still counts as a line
        profile = draw(st.dictionaries(_text, _json_value, max_size=4))
        line = json.dumps(
            {"recipient_id": recipient, "profile": profile}, ensure_ascii=draw(st.booleans())
        )
        chunk = (line + ending).encode("utf-8")
        spans.append((len(data), len(data) + len(chunk)))
        data += chunk
        rows.append((recipient, profile))
    return _File(data, rows, spans)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def _read(folder: Path, data: bytes, suffix: str) -> list[Row | BadRow]:
    """The rows a run would send or report: after its check of the whole file (scan)."""
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    scan(path)
    with open_rows(path) as rows:
        return list(rows)


def _line_at(data: bytes, offset: int) -> int:
    """The 1-based line of the byte at ``offset``, counting line breaks as the readers do."""
    return 1 + len(_TERMINATOR.findall(data[:offset]))


def _ordered(value: Any) -> Any:
    """A value with its key order made visible, so that == also compares the order."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


def _same_rows(read: list[Row | BadRow], written: _File) -> None:
    lines = [_line_at(written.data, start) for start, _ in written.spans]
    if len(written.spans) > len(written.rows):
        lines = lines[1:]  # CSV: the first record is the header
    assert all(isinstance(row, Row) for row in read), read
    assert [(r.line, r.recipient_id) for r in read] == list(
        zip(lines, [rid for rid, _ in written.rows], strict=True)
    )
    for row, (_, profile) in zip(read, written.rows, strict=True):
        assert isinstance(row, Row)
        assert _ordered(row.profile) == _ordered(profile)


@SETTINGS
@given(written=csv_files())
def test_what_a_csv_writer_writes_reads_back_as_the_same_rows(folder: Path, written: _File) -> None:
    _same_rows(_read(folder, written.data, ".csv"), written)


@SETTINGS
@given(written=jsonl_files())
def test_what_a_json_encoder_writes_reads_back_as_the_same_rows(
    folder: Path, written: _File
) -> None:
    _same_rows(_read(folder, written.data, ".jsonl"), written)


@dataclass(frozen=True)
class _Damage:
    kind: str  # flip, delete, insert or truncate
    at: int
    byte: int = 0

    def apply(self, data: bytes) -> bytes:
        if self.kind == "flip":
            return data[: self.at] + bytes([self.byte]) + data[self.at + 1 :]
        if self.kind == "delete":
            return data[: self.at] + data[self.at + 1 :]
        if self.kind == "insert":
            return data[: self.at] + bytes([self.byte]) + data[self.at :]
        return data[: self.at]

    @property
    def shift(self) -> int:
        return {"flip": 0, "delete": -1, "insert": 1}.get(self.kind, 0)

    def end(self, size: int) -> int:
        """The end of the original bytes the damage covers (an insert covers none)."""
        if self.kind == "truncate":
            return size
        return self.at + (0 if self.kind == "insert" else 1)


# Bytes that carry structure (and a few that are not UTF-8) come up more often than chance.
_BYTES = st.sampled_from(b'",\r\n\\{}:[] \x00\xff\xc3\xa9') | st.integers(0, 255)


@st.composite
def _damage(draw: st.DrawFn, size: int) -> _Damage:
    kind = draw(st.sampled_from(("flip", "delete", "insert", "insert", "truncate")))
    at = draw(st.integers(0, size if kind == "insert" else size - 1))
    byte = draw(_BYTES) if kind in ("flip", "insert") else 0
    if kind == "insert" and draw(st.booleans()):
        byte = ord('"')  # the quote that swallowed rows in a lenient reader
    return _Damage(kind, at, byte)


def _check_damaged(read: list[Row | BadRow] | None, written: _File, damage: _Damage) -> None:
    """Untouched records read as written at their lines (or are reported bad); the records the
    damage touches may read as whatever the damaged bytes say, but no more rows come out of
    them than went in (nothing is split off), and no untouched row goes missing (nothing is
    merged in)."""
    if read is None:
        return  # refused as a whole: nothing would be sent
    damaged = damage.apply(written.data)
    start, end = damage.at, damage.end(len(written.data))
    header = len(written.spans) > len(written.rows)
    rows: list[tuple[str, dict[str, Any]] | None] = list(written.rows)
    if header:
        rows.insert(0, None)
    untouched: dict[int, tuple[str, dict[str, Any]] | None] = {}
    touched: list[tuple[int, int]] = []
    for (first, last), row in zip(written.spans, rows, strict=True):
        if first <= end and start <= last:  # the damage is inside the record or at its edge
            touched.append((first, last))
        elif damage.kind != "truncate" or last <= start:
            moved = first if last <= start else first + damage.shift
            untouched[_line_at(damaged, moved)] = row
    header_touched = header and written.spans[0] in touched
    # The lines the damage may show on: those of the records it touched, and its own.
    first = min([start, *(span[0] for span in touched)])
    last = max([start + max(damage.shift, 0), *(span[1] + damage.shift - 1 for span in touched)])
    low, high = _line_at(damaged, first), _line_at(damaged, max(first, last))
    if damage.kind == "truncate":
        high = _line_at(damaged, len(damaged))
    from_touched = 0
    seen: set[int] = set()
    for item in read:
        if item.line in untouched:
            seen.add(item.line)
            row = untouched[item.line]
            assert row is not None, item  # a row read at the header's line
            if isinstance(item, BadRow):
                continue  # reported: e.g. a damaged row now holds this row's recipient
            assert item.recipient_id == row[0], (item, row)
            if not header_touched:  # a damaged header may rename a column, and validly so
                assert _ordered(item.profile) == _ordered(row[1]), (item, row)
            continue
        assert low <= item.line <= high, f"line {item.line} is outside the damage: {item}"
        from_touched += isinstance(item, Row)
    assert from_touched <= sum(1 for span in touched if span != written.spans[0] or not header)
    for line, row in untouched.items():
        if row is not None:
            assert line in seen, f"the row at line {line} ({row[0]!r}) was not read at all"


def _read_or_refuse(folder: Path, data: bytes, suffix: str) -> list[Row | BadRow] | None:
    try:
        return _read(folder, data, suffix)
    except InputError:
        return None


@SETTINGS
@given(data=st.data(), written=csv_files(min_rows=1))
def test_a_damaged_csv_is_read_identically_refused_or_bad_rowed_never_as_other_rows(
    folder: Path, data: st.DataObject, written: _File
) -> None:
    damage = data.draw(_damage(len(written.data)))
    read = _read_or_refuse(folder, damage.apply(written.data), ".csv")
    _check_damaged(read, written, damage)


@SETTINGS
@given(data=st.data(), written=jsonl_files(min_rows=1))
def test_a_damaged_jsonl_is_read_identically_or_bad_rowed_never_as_other_rows(
    folder: Path, data: st.DataObject, written: _File
) -> None:
    damage = data.draw(_damage(len(written.data)))
    read = _read_or_refuse(folder, damage.apply(written.data), ".jsonl")
    _check_damaged(read, written, damage)
