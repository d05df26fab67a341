"""The run journal: JSON Lines, appended and flushed per finished row, read back by ``--resume``.

First line, the run::

    {"journal": 1, "run_id": "…", "input": "users.csv", "input_sha256": "…", "method": "POST",
     "base_url": "https://api.courier.com", "started": "2026-11-27T10:00:00+00:00"}

Then one line per row that finished::

    {"line": 7, "recipient_id": "u7", "status": "done", "http_status": 200, "key": "…"}

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


def read_journal(path: Path) -> JournalState:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"No journal at {path}: there is nothing to resume.") from None
    except OSError as exc:
        raise JournalError(f"Cannot read the journal {path}: {exc.strerror or exc}") from None
    state: JournalState | None = None
    torn = 0
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            torn += 1  # a line cut short by kill -9 or a full disk: that row did not finish
            continue
        if state is None:
            if (
                not isinstance(item, dict)
                or item.get("journal") != JOURNAL_VERSION
                or "run_id" not in item
            ):
                raise JournalError(f"{path} is not a bulk journal (its first line is not a run).")
            state = JournalState(item)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("line"), int):
            torn += 1
            continue
        line = item["line"]
        if item.get("status") in FINISHED:
            state.finished.add(line)
            state.failed.discard(line)
        elif line not in state.finished:
            state.failed.add(line)
    if state is None:
        raise JournalError(f"{path} is empty: there is nothing to resume.")
    state.torn_lines = torn
    return state


class Journal:
    """Appends lines to the journal file; each line is flushed to the OS before the call returns,
    so a killed process loses at most the rows still in flight."""

    def __init__(self, path: Path, handle: TextIO) -> None:
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()

    @classmethod
    def start(cls, path: Path, header: dict[str, Any]) -> Journal:
        """A new journal for a new run; refuses to overwrite one that exists."""
        try:
            handle = open(path, "x", encoding="utf-8")  # noqa: SIM115 - closed by close()
        except FileExistsError:
            raise JournalError(
                f"A journal already exists at {path}: add --resume to finish that run, "
                "or remove the file to start again."
            ) from None
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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
