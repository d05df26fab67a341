"""Opening a bulk input by its name (``.jsonl``/``.ndjson``: JSON Lines, else CSV) and checking rows.

Rows are read lazily: memory holds the rows in flight plus one entry per recipient seen (to
find duplicates), never the file.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from profile_editor.bulk.rows import BadRow, InputError, Row
from profile_editor.core.recipient import check_recipient_id
from profile_editor.core.send_plan import profile_body_problem

JSONL_SUFFIXES = (".jsonl", ".ndjson")


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES


@contextlib.contextmanager
def open_rows(path: Path) -> Iterator[Iterator[Row | BadRow]]:
    """The checked rows of ``path``; InputError (also for a file that cannot be opened)."""
    from profile_editor.bulk.csv_input import read_csv
    from profile_editor.bulk.jsonl_input import read_jsonl

    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"Cannot open {path}: {exc.strerror or exc}") from None
    with handle:
        raw = read_jsonl(handle) if is_jsonl(path) else read_csv(handle)
        yield _checked(raw, path)


def _checked(rows: Iterator[Row | BadRow], path: Path) -> Iterator[Row | BadRow]:
    first_line: dict[str, int] = {}
    try:
        for row in rows:
            if isinstance(row, BadRow):
                yield row
                continue
            check = check_recipient_id(row.recipient_id)
            if not check.sendable:
                yield BadRow(row.line, row.recipient_id, check.message)
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
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})."
        ) from None


def count_rows(path: Path) -> int:
    """How many rows (good and bad) the file holds: one cheap pass, for a progress bar."""
    with open_rows(path) as rows:
        return sum(1 for _ in rows)


def file_digest(path: Path) -> str:
    """SHA-256 of the file, so a resumed run knows it reads the same rows."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Preview:
    """How the columns map to profile keys, the first rows, every bad row (up to a bound), the count."""

    mapping: list[tuple[str, str, str]]  # (column header, profile key, type)
    rows: list[Row]
    bad: list[BadRow]
    total: int  # rows in the file, good and bad


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
    total = 0
    with open_rows(path) as stream:
        for row in stream:
            total += 1
            if isinstance(row, BadRow):
                if len(bad) < max_bad:
                    bad.append(row)
            elif len(rows) < limit:
                rows.append(row)
    return Preview(mapping, rows, bad, total)
