"""The run journal: JSON Lines, appended and flushed per finished row, read back by ``--resume``.

First line, the run::

    {"journal": 1, "run_id": "…", "input": "users.csv", "input_sha256": "…", "method": "POST",
     "base_url": "https://api.courier.com", "started": "2026-11-27T10:00:00+00:00"}

Then one line per row that finished::

    {"line": 7, "recipient_id": "u7", "status": "done", "http_status": 200, "key": "…",
     "attempts": 1, "duration_ms": 12.5}

(plus ``error_type`` and ``message`` when there are any: a line holds everything the report
says of its row, so a resumed run can write the whole report again from the journal).
``done`` and ``bad`` rows are finished; a ``failed`` row is sent again on resume, with the same
Idempotency-Key. The key of a row is derived from the run ID, the line and the recipient, so a
resumed run (or another machine given the same journal header) sends the very same keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

JOURNAL_VERSION = 1
FINISHED = frozenset({"done", "bad"})


class JournalError(ValueError):
    """A journal that cannot be used for this run, said in a sentence."""


def default_journal_path(input_path: Path) -> Path:
    return input_path.with_name(input_path.name + ".journal.jsonl")


def new_run_id() -> str:
    return uuid.uuid4().hex


def row_key(run_id: str, line: int, recipient_id: str) -> str:
    """The Idempotency-Key of one row of one run: the same on every resume."""
    digest = hashlib.sha256(f"{run_id}\n{line}\n{recipient_id}".encode()).hexdigest()
    return f"pe-bulk-{digest[:40]}"


@dataclass
class JournalState:
    """What an existing journal says: the run it belongs to and the lines that finished."""

    header: dict[str, Any]
    finished: set[int] = field(default_factory=set)
    failed: set[int] = field(default_factory=set)
    torn_lines: int = 0

    @property
    def run_id(self) -> str:
        return str(self.header["run_id"])


def _items(path: Path) -> Iterator[dict[str, Any] | None]:
    """Each line of the journal as an object, None for a torn or foreign line; streamed."""
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except ValueError:
                yield None  # a line cut short by kill -9 or a full disk: that row did not finish
                continue
            yield item if isinstance(item, dict) else None


def _is_header(item: dict[str, Any] | None) -> bool:
    return item is not None and item.get("journal") == JOURNAL_VERSION and "run_id" in item


def is_blank(path: Path) -> bool:
    """Whether the journal at ``path`` holds nothing at all: a run killed before its first line
    was written (nothing is sent before that line is)."""
    try:
        with open(path, "rb") as handle:
            return not handle.read(4096).strip()
    except OSError:
        return False


def read_journal(path: Path) -> JournalState:
    state: JournalState | None = None
    torn = 0
    try:
        for item in _items(path):
            if state is None:
                if item is None and is_blank(path):
                    break
                if not _is_header(item):
                    raise JournalError(
                        f"{path} is not a bulk journal (its first line is not a run)."
                    )
                assert item is not None
                state = JournalState(item)
                continue
            if item is None or not isinstance(item.get("line"), int):
                torn += 1
                continue
            line = item["line"]
            if item.get("status") in FINISHED:
                state.finished.add(line)
                state.failed.discard(line)
            elif line not in state.finished:
                state.failed.add(line)
    except FileNotFoundError:
        raise JournalError(f"No journal at {path}: there is nothing to resume.") from None
    except OSError as exc:
        raise JournalError(f"Cannot read the journal {path}: {exc.strerror or exc}") from None
    if state is None:
        raise JournalError(
            f"{path} is empty: the run was stopped before it sent anything. "
            "Run again without --resume."
        )
    state.torn_lines = torn
    return state


def finished_entries(path: Path) -> Iterator[dict[str, Any]]:
    """The entry of each finished row, once per line, in journal order; streamed."""
    seen: set[int] = set()
    items = _items(path)
    next(items, None)  # the run
    for item in items:
        if item is None or not isinstance(item.get("line"), int):
            continue
        if item.get("status") in FINISHED and item["line"] not in seen:
            seen.add(item["line"])
            yield item


def journal_input(header: dict[str, Any]) -> Path | None:
    """The input file a journal's run read, as it named it."""
    name = header.get("input")
    return Path(name) if isinstance(name, str) and name else None


class Journal:
    """Appends lines to the journal file; each line is flushed to the OS before the call returns,
    so a killed process loses at most the rows still in flight."""

    def __init__(self, path: Path, handle: TextIO) -> None:
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()

    @classmethod
    def start(cls, path: Path, header: dict[str, Any]) -> Journal:
        """A new journal for a new run; refuses to overwrite one that exists (unless it is
        blank: a run killed before it wrote its first line, and so before it sent anything)."""
        if is_blank(path):
            path.unlink()
        try:
            handle = open(path, "x", encoding="utf-8")  # noqa: SIM115 - closed by close()
        except FileExistsError:
            raise JournalError(_exists_message(path, header)) from None
        except OSError as exc:
            raise JournalError(f"Cannot create the journal {path}: {exc.strerror or exc}") from None
        journal = cls(path, handle)
        journal._write({"journal": JOURNAL_VERSION, **header, "started": _now()})
        return journal

    @classmethod
    def reopen(cls, path: Path) -> Journal:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed by close()
        # A torn last line (the process was killed mid-write) must not swallow the next entry.
        handle.seek(0, os.SEEK_END)
        if handle.tell() > 0:
            with open(path, "rb") as check:
                check.seek(-1, os.SEEK_END)
                if check.read(1) != b"\n":
                    handle.write("\n")
        return cls(path, handle)

    def record(self, entry: dict[str, Any]) -> None:
        self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._handle.write(text)
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()


def _exists_message(path: Path, header: dict[str, Any]) -> str:
    try:
        first = next(_items(path), None)
    except OSError:
        first = None
    theirs = journal_input(first) if first is not None and _is_header(first) else None
    ours = journal_input(header)
    if theirs is not None and ours is not None and not same_input(theirs, ours):
        return (
            f"The journal {path} belongs to a run of another file, {theirs}: give {ours.name} "
            "a journal of its own (--journal PATH), or resume that file with this one."
        )
    return (
        f"A journal already exists at {path}: add --resume to finish that run, "
        "or remove the file to start again."
    )


def same_input(a: Path, b: Path) -> bool:
    """Whether two names are of one input file (resolved; the same file under two names too)."""
    try:
        if a.resolve() == b.resolve():
            return True
        return os.path.samefile(a, b)
    except OSError:
        return False


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
