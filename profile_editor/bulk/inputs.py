"""Opening a bulk input by its name (``.jsonl``/``.ndjson``: JSON Lines, else CSV) and checking rows.

Rows are read lazily: memory holds the rows in flight plus one entry per recipient seen (to
find duplicates), never the file. :func:`scan` reads the whole file once before anything is
sent, so a problem anywhere in it is known up front.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profile_editor.bulk.encoding import has_surrogate, open_text
from profile_editor.bulk.rows import BadRow, InputError, Kind, Row
from profile_editor.core.recipient import check_recipient_id

if TYPE_CHECKING:
    from profile_editor.bulk.preference_input import PreferenceRow
from profile_editor.core.send.plan import profile_body_problem

JSONL_SUFFIXES = (".jsonl", ".ndjson")


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES


@contextlib.contextmanager
def open_rows(
    path: Path, digest: hashlib._Hash | None = None, kind: Kind = "profile"
) -> Iterator[Iterator[Row | PreferenceRow | BadRow]]:
    """The checked rows of ``path``; InputError (also for a file that cannot be opened).

    With ``digest``, the file's bytes go into it as they are read (read the rows to the end).
    ``kind`` says what a row sets: a profile, or one topic's preference."""
    with open_text(path, digest) as handle:
        if kind == "preferences":
            from profile_editor.bulk.preference_input import (
                read_preferences_csv,
                read_preferences_jsonl,
            )

            rows = (
                read_preferences_jsonl(handle) if is_jsonl(path) else read_preferences_csv(handle)
            )
            yield _checked_preferences(rows)
            return
        from profile_editor.bulk.csv_input import read_csv
        from profile_editor.bulk.jsonl_input import read_jsonl

        raw = read_jsonl(handle) if is_jsonl(path) else read_csv(handle)
        yield _checked(raw)


def _checked_preferences(
    rows: Iterator[PreferenceRow | BadRow],
) -> Iterator[PreferenceRow | BadRow]:
    """A recipient's topic (in one tenant) set twice in one file is a bad row: which one wins
    would depend on the order rows finish in."""
    first_line: dict[tuple[str, str, str | None], int] = {}
    for row in rows:
        if isinstance(row, BadRow):
            yield row
            continue
        earlier = first_line.setdefault(row.target, row.line)
        if earlier != row.line:
            yield BadRow(
                row.line,
                row.recipient_id,
                f"the recipient's topic {row.topic_id} appears twice (first on line {earlier})",
            )
            continue
        yield row


def _checked(rows: Iterator[Row | BadRow]) -> Iterator[Row | BadRow]:
    first_line: dict[str, int] = {}
    for row in rows:
        if isinstance(row, BadRow):
            yield row
            continue
        check = check_recipient_id(row.recipient_id)
        if not check.sendable:
            yield BadRow(row.line, row.recipient_id, check.message)
            continue
        if has_surrogate(row.recipient_id) or _holds_surrogate(row.profile):
            # Only a JSON escape such as "\udcff" makes one; UTF-8 cannot carry it, so the row
            # would fail on every send and every resume.
            yield BadRow(
                row.line,
                "" if has_surrogate(row.recipient_id) else row.recipient_id,
                "a string holds a lone UTF-16 surrogate (an escape such as \\udcff), "
                "which cannot be sent as UTF-8",
            )
            continue
        earlier = first_line.setdefault(row.recipient_id, row.line)
        if earlier != row.line:
            yield BadRow(
                row.line,
                row.recipient_id,
                f"the recipient appears twice (first on line {earlier})",
            )
            continue
        too_large = profile_body_problem(row.profile)  # Courier would answer 413
        if too_large is not None:
            yield BadRow(row.line, row.recipient_id, too_large)
            continue
        yield row


def _holds_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return has_surrogate(value)
    if isinstance(value, dict):
        return any(has_surrogate(k) or _holds_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_surrogate(v) for v in value)
    return False


@dataclass(frozen=True)
class Scan:
    """What one pass over the whole file found: rows (good and bad), bad rows, its SHA-256."""

    total: int
    bad: int
    sha256: str


def scan(
    path: Path, on_bad: Callable[[BadRow], None] | None = None, kind: Kind = "profile"
) -> Scan:
    """Read every row once, streamed (memory stays flat); InputError if the file cannot be read.

    Each bad row goes to ``on_bad`` as it is found; the digest is of the bytes this pass read,
    so a resumed run knows it reads the same rows."""
    digest = hashlib.sha256()
    total = bad = 0
    widths = _Widths()
    with open_rows(path, digest, kind) as rows:
        for row in rows:
            total += 1
            if isinstance(row, BadRow):
                bad += 1
                widths.add(row)
                if on_bad is not None:
                    on_bad(row)
    widths.check(total)
    return Scan(total, bad, digest.hexdigest())


class _Widths:
    """Counts the rows whose number of cells is not the header's: when that is most of them, the
    first line is not the header these rows were written under (or it was damaged, e.g. split
    in two so that its second half reads as a row), and no row of the file can be trusted."""

    def __init__(self) -> None:
        self.count = 0
        self.first: BadRow | None = None

    def add(self, row: BadRow) -> None:
        from profile_editor.bulk.csv_input import width_mismatch

        if width_mismatch(row):
            self.count += 1
            self.first = self.first or row

    def check(self, total: int) -> None:
        if self.first is not None and self.count * 2 >= total:
            raise InputError(
                f"{self.count:,} of {total:,} rows do not have the header's number of cells "
                f"(line {self.first.line}: {self.first.reason}): check that line 1 is the "
                "header of these rows and that each row has a cell for every column."
            )


@dataclass(frozen=True)
class Preview:
    """How the columns map to profile keys, the first rows, every bad row (up to a bound), the count."""

    mapping: list[tuple[str, str, str]]  # (column header, profile key, type)
    rows: list[Row]
    bad: list[BadRow]
    total: int  # rows in the file, good and bad
    bad_total: int = 0  # bad rows in the file (``bad`` holds the first of them)


def preview(path: Path, limit: int = 20, max_bad: int = 1000) -> Preview:
    """Read the whole file once (streamed): the dialog shows this before anything is sent."""
    from profile_editor.bulk.csv_input import header_mapping

    mapping = (
        [("profile", "(each line's profile object)", "json")]
        if is_jsonl(path)
        else header_mapping(path)
    )
    rows: list[Row] = []
    bad: list[BadRow] = []
    total = bad_total = 0
    widths = _Widths()
    with open_rows(path) as stream:
        for row in stream:
            total += 1
            if isinstance(row, BadRow):
                bad_total += 1
                widths.add(row)
                if len(bad) < max_bad:
                    bad.append(row)
            elif isinstance(row, Row) and len(rows) < limit:  # profile rows: no kind given
                rows.append(row)
    widths.check(total)
    return Preview(mapping, rows, bad, total, bad_total)
