"""SQLite-backed profile storage for the sandbox server."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from profile_editor.core.profile_ops import apply_json_patch, merge_profile

__all__ = ["ProfileNotFoundError", "ProfileStore"]


class ProfileNotFoundError(KeyError):
    """The recipient has no stored profile."""


def _dumps(profile: dict[str, Any]) -> str:
    # json keeps dict insertion order, so the stored text keeps the profile's key order.
    return json.dumps(profile, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class ProfileStore:
    """Profiles keyed by recipient ID, one JSON document each.

    One connection shared by all server threads and guarded by a lock: every method, including
    the read-modify-write of :meth:`merge` and :meth:`patch`, runs whole under that lock, so
    concurrent merges never lose updates. ``path=None`` keeps everything in memory.
    """

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            ":memory:" if path is None else str(path),
            check_same_thread=False,
            isolation_level=None,  # autocommit: each statement is its own transaction
        )
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, profile TEXT NOT NULL)"
        )
        self._closed = False

    def get_json(self, recipient_id: str) -> str | None:
        """The stored profile as compact JSON text, or ``None`` if there is none."""
        with self._lock:
            return self._read(recipient_id)

    def get(self, recipient_id: str) -> dict[str, Any] | None:
        text = self.get_json(recipient_id)
        return None if text is None else json.loads(text)

    def put(self, recipient_id: str, profile: dict[str, Any]) -> None:
        """Store ``profile`` as the whole profile of ``recipient_id``, creating or replacing it."""
        text = _dumps(profile)
        with self._lock:
            self._write(recipient_id, text)

    def merge(self, recipient_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` with :func:`merge_profile`, creating the profile if absent."""
        with self._lock:
            text = self._read(recipient_id)
            merged = merge_profile({} if text is None else json.loads(text), changes)
            self._write(recipient_id, _dumps(merged))
        return merged

    def patch(self, recipient_id: str, ops: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply a JSON Patch; on ProfileNotFoundError or JsonPatchError nothing is changed."""
        with self._lock:
            text = self._read(recipient_id)
            if text is None:
                raise ProfileNotFoundError(recipient_id)
            patched = apply_json_patch(json.loads(text), ops)
            self._write(recipient_id, _dumps(patched))
        return patched

    def delete(self, recipient_id: str) -> bool:
        """Delete the profile; ``True`` if there was one."""
        with self._lock:
            cursor = self._conn.execute("DELETE FROM profiles WHERE id = ?", (recipient_id,))
        return cursor.rowcount > 0

    def clear(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM profiles")

    def count(self) -> int:
        with self._lock:
            (n,) = self._conn.execute("SELECT COUNT(*) FROM profiles").fetchone()
        return int(n)

    def close(self) -> None:
        """Close the database; idempotent."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def _read(self, recipient_id: str) -> str | None:
        row = self._conn.execute(
            "SELECT profile FROM profiles WHERE id = ?", (recipient_id,)
        ).fetchone()
        return None if row is None else str(row[0])

    def _write(self, recipient_id: str, text: str) -> None:
        self._conn.execute(
            "INSERT INTO profiles (id, profile) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET profile = excluded.profile",
            (recipient_id, text),
        )
