"""Unsaved editor state kept on disk per window, so a crash or a kill loses at most a second of work.

Layout under ``data_dir/drafts/``: ``<window id>.json`` holds the draft, ``<window id>.lock`` is held
open with an OS lock (``flock`` / ``msvcrt.locking``) for as long as the window lives. The OS drops
the lock when the process dies, however it dies, so a draft whose lock can be taken is a leftover
from a run that did not close cleanly; a draft whose lock is held belongs to a live window and is
never offered to another one. Process ids are not used: they are reused after a reboot.

A draft never holds the API key: every secret passed to :meth:`DraftSlot.save` is replaced by
``****`` before anything is written (refusing to write, as presets do, would lose the work the
draft exists to keep). :attr:`DraftRecord.secrets_masked` says that happened, so a restore can tell the
user to paste the key again where it was.
"""

from __future__ import annotations

import contextlib
import json
import secrets as token_source
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from profile_editor.storage.atomic import atomic_write_text
from profile_editor.storage.secretscan import contains_secret, mask_text

if TYPE_CHECKING:
    from profile_editor.core.send.draft import Draft

FORMAT_VERSION = 1
DRAFT_SUFFIX = ".json"
LOCK_SUFFIX = ".lock"


# Texts longer than this are escaped in slices: one json.dumps of a 6 MB text holds the GIL
# (and so the UI thread) for tens of milliseconds on the thread that writes the draft.
_SLICE = 64 * 1024


def _json_value(value: Any) -> str:
    if not isinstance(value, str) or len(value) <= _SLICE:
        return json.dumps(value, ensure_ascii=False)
    slices = (value[i : i + _SLICE] for i in range(0, len(value), _SLICE))
    return '"' + "".join(json.dumps(part, ensure_ascii=False)[1:-1] for part in slices) + '"'


@dataclass(frozen=True)
class DraftRecord:
    """The editor state worth keeping; every field is text exactly as the user left it.

    Unlike :class:`profile_editor.core.send.draft.Draft` (the parsed snapshot a send is built from) it
    holds the profile *text*, so a half-typed, invalid profile comes back as it was.
    """

    recipient_id: str = ""
    method: str = ""
    environment: str = ""
    note: str = ""
    profile_text: str = ""
    saved_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    secrets_masked: bool = False
    patch_text: str = ""  # the Patch method's operations, as typed

    @classmethod
    def of(cls, draft: Draft, profile_text: str) -> DraftRecord:
        """The record of the editor's ``draft`` and the JSON tab's text as it stands."""
        return cls(
            recipient_id=draft.recipient_id,
            method=draft.method.value,
            environment=draft.environment or "",
            note=draft.note,
            profile_text=profile_text,
        )

    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["saved_at"] = self.saved_at.isoformat()
        members = [
            f" {json.dumps(name)}: {_json_value(value)}"
            for name, value in {"format": FORMAT_VERSION, **data}.items()
        ]
        return "{\n" + ",\n".join(members) + "\n}"

    @classmethod
    def from_json(cls, text: str) -> DraftRecord:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            raise ValueError("not a draft of a known format")
        strings = ("recipient_id", "method", "environment", "note", "profile_text", "patch_text")
        values = {name: data.get(name, "") for name in strings}
        if not all(isinstance(v, str) for v in values.values()):
            raise ValueError("draft fields must be text")
        saved_at = datetime.fromisoformat(str(data["saved_at"]))
        if saved_at.tzinfo is None:
            saved_at = saved_at.replace(tzinfo=UTC)
        return cls(
            **values, saved_at=saved_at, secrets_masked=bool(data.get("secrets_masked", False))
        )

    def masked(self, secrets: Iterable[str]) -> DraftRecord:
        """This draft with every secret replaced by ``****`` (itself when none appears)."""
        plain = [s for s in secrets if s]
        texts = {
            "recipient_id": self.recipient_id,
            "method": self.method,
            "environment": self.environment,
            "note": self.note,
            "profile_text": self.profile_text,
            "patch_text": self.patch_text,
        }
        if not any(contains_secret(text, plain) for text in texts.values()):
            return self
        masked = {name: mask_text(text, plain) for name, text in texts.items()}
        return replace(
            self,
            recipient_id=masked["recipient_id"],
            method=masked["method"],
            environment=masked["environment"],
            note=masked["note"],
            profile_text=masked["profile_text"],
            patch_text=masked["patch_text"],
            secrets_masked=True,
        )


class _OsLock:
    """An exclusive, non-blocking lock on an open file; released by the OS if the process dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            _lock_file(handle)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    @property
    def held(self) -> bool:
        return self._file is not None

    def release(self, *, remove: bool) -> None:
        if self._file is None:
            return
        # Removed while still held, so nobody can lock the old file in between and think the
        # window died.
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        with contextlib.suppress(OSError):
            _unlock_file(self._file)
        self._file.close()
        self._file = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class DraftSlot:
    """One window's draft file, locked for as long as the window holds the slot.

    ``leftover`` is the draft found in the slot when it was claimed from a previous run (``None``
    for a fresh slot); the window offers it back and then saves over it or clears it.
    """

    def __init__(self, directory: Path, window_id: str, lock: _OsLock) -> None:
        self.window_id = window_id
        self.path = directory / f"{window_id}{DRAFT_SUFFIX}"
        self._lock = lock
        self.leftover: DraftRecord | None = None

    @property
    def is_open(self) -> bool:
        return self._lock.held

    def save(self, draft: DraftRecord, *, secrets: Iterable[str] = ()) -> DraftRecord:
        """Write ``draft`` atomically, secrets masked; returns what was written."""
        written = draft.masked(secrets)
        atomic_write_text(self.path, written.to_json())
        return written

    def load(self) -> DraftRecord | None:
        """The saved draft, or ``None`` when there is none or it cannot be read."""
        try:
            return DraftRecord.from_json(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def close(self, *, clear: bool) -> None:
        """Give up the slot; with ``clear`` (a clean close) the draft goes too."""
        if clear:
            self.clear()
        self._lock.release(remove=clear)


class DraftStore:
    """The drafts of every window under one data directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def open_slot(self) -> DraftSlot:
        """A fresh, locked slot for a new window."""
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            window_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S-") + token_source.token_hex(4)
            lock = _OsLock(self.directory / f"{window_id}{LOCK_SUFFIX}")
            if not (self.directory / f"{window_id}{DRAFT_SUFFIX}").exists() and lock.try_acquire():
                return DraftSlot(self.directory, window_id, lock)

    def leftovers(self) -> list[tuple[str, DraftRecord]]:
        """Drafts no live window holds, newest first (unreadable ones are left alone)."""
        found: list[tuple[str, DraftRecord]] = []
        for window_id in self._draft_ids():
            slot = self._try_claim(window_id)
            if slot is None:
                continue
            draft = slot.load()
            slot.close(clear=False)
            if draft is not None:
                found.append((window_id, draft))
        found.sort(key=lambda item: item[1].saved_at, reverse=True)
        return found

    def claim_leftover(self) -> DraftSlot | None:
        """The newest leftover draft's slot, now locked by the caller; ``None`` when there is none.

        The window takes over the dead window's id, so its own saves go to the same file and a
        second crash before the user answers still leaves the draft in place.
        """
        for window_id, _draft in self.leftovers():
            slot = self._try_claim(window_id)
            if slot is None:  # another window claimed it in between
                continue
            slot.leftover = slot.load()
            if slot.leftover is not None:
                return slot
            slot.close(clear=False)
        return None

    def _draft_ids(self) -> list[str]:
        try:
            names = [p.name for p in self.directory.iterdir()]
        except FileNotFoundError:
            return []
        return [
            name[: -len(DRAFT_SUFFIX)]
            for name in names
            if name.endswith(DRAFT_SUFFIX) and not name.startswith(".")
        ]

    def _try_claim(self, window_id: str) -> DraftSlot | None:
        lock = _OsLock(self.directory / f"{window_id}{LOCK_SUFFIX}")
        if not lock.try_acquire():
            return None
        return DraftSlot(self.directory, window_id, lock)


def drafts_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "drafts"
