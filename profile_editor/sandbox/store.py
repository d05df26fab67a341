"""SQLite-backed storage for the sandbox server: profiles, list subscriptions and the rest of a
recipient (topics, preference overrides, device tokens, tenants; see :mod:`.users_store`), one
database."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profile_editor.core.profile.ops import apply_json_patch, merge_profile

__all__ = ["ProfileNotFoundError", "ProfileStore", "Subscription", "json_text"]


class ProfileNotFoundError(KeyError):
    """The recipient has no stored profile."""


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: Any) -> str:
    """Compact JSON that UTF-8 (and SQLite) can hold, in the value's key order.

    A string with a lone surrogate (valid JSON as the escape "\\ud800") cannot be written out
    raw; such a value is written with every non-ASCII character escaped, which reads back equal.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if _LONE_SURROGATE.search(text) is None:
        return text
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class Subscription:
    """One list a recipient is subscribed to; ``created``/``updated`` are the list's (ISO 8601)."""

    list_id: str
    name: str
    created: str
    updated: str
    preferences_json: str | None  # as stored: compact JSON text, spliced into answers


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, profile TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS lists ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)",
    # Keyed by (recipient, list) so a page is one index range scan in list-ID order.
    "CREATE TABLE IF NOT EXISTS subscriptions ("
    " recipient_id TEXT NOT NULL, list_id TEXT NOT NULL REFERENCES lists (id), preferences TEXT,"
    " PRIMARY KEY (recipient_id, list_id)) WITHOUT ROWID",
    # The workspace's subscription topics; digest_schedules is a JSON array of schedule IDs.
    "CREATE TABLE IF NOT EXISTS topics (topic_id TEXT PRIMARY KEY, topic_name TEXT NOT NULL,"
    " section_id TEXT NOT NULL, section_name TEXT NOT NULL, default_status TEXT NOT NULL,"
    " digest_schedules TEXT NOT NULL DEFAULT '[]')",
    # A user's override of a topic; tenant_id '' is the unscoped one.
    "CREATE TABLE IF NOT EXISTS user_preferences (recipient_id TEXT NOT NULL,"
    " tenant_id TEXT NOT NULL, topic_id TEXT NOT NULL, status TEXT NOT NULL,"
    " has_custom_routing INTEGER NOT NULL, custom_routing TEXT NOT NULL,"
    " digest_schedule_id TEXT, PRIMARY KEY (recipient_id, tenant_id, topic_id)) WITHOUT ROWID",
    # A device token as JSON (status included); rowid keeps registration order.
    "CREATE TABLE IF NOT EXISTS user_tokens (recipient_id TEXT NOT NULL, token TEXT NOT NULL,"
    " data TEXT NOT NULL, PRIMARY KEY (recipient_id, token))",
    "CREATE TABLE IF NOT EXISTS user_tenants (recipient_id TEXT NOT NULL,"
    " tenant_id TEXT NOT NULL, profile TEXT, PRIMARY KEY (recipient_id, tenant_id)) WITHOUT ROWID",
)
_TABLES = (
    "user_preferences",
    "user_tokens",
    "user_tenants",
    "topics",
    "subscriptions",
    "lists",
    "profiles",
)


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
        for statement in _SCHEMA:
            self._conn.execute(statement)
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
        text = json_text(profile)
        with self._lock:
            self._write(recipient_id, text)

    def merge(self, recipient_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Merge ``changes`` with :func:`merge_profile`, creating the profile if absent."""
        with self._lock:
            text = self._read(recipient_id)
            merged = merge_profile({} if text is None else json.loads(text), changes)
            self._write(recipient_id, json_text(merged))
        return merged

    def patch(self, recipient_id: str, ops: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply a JSON Patch; on ProfileNotFoundError or JsonPatchError nothing is changed."""
        with self._lock:
            text = self._read(recipient_id)
            if text is None:
                raise ProfileNotFoundError(recipient_id)
            patched = apply_json_patch(json.loads(text), ops)
            self._write(recipient_id, json_text(patched))
        return patched

    def delete(self, recipient_id: str) -> bool:
        """Delete the profile; ``True`` if there was one."""
        with self._lock:
            cursor = self._conn.execute("DELETE FROM profiles WHERE id = ?", (recipient_id,))
        return cursor.rowcount > 0

    def clear(self) -> None:
        """Forget every profile, list, subscription, topic, preference, token and tenant."""
        with self._lock, self._transaction():
            for table in _TABLES:
                self._conn.execute(f"DELETE FROM {table}")

    # List subscriptions -------------------------------------------------------------------

    def subscriptions_page(
        self, recipient_id: str, after: str, limit: int
    ) -> tuple[list[Subscription], bool]:
        """Up to ``limit`` subscriptions with list IDs after ``after``, in list-ID order, and
        whether more follow. An unknown recipient simply has none."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT s.list_id, l.name, l.created, l.updated, s.preferences"
                " FROM subscriptions s JOIN lists l ON l.id = s.list_id"
                " WHERE s.recipient_id = ? AND s.list_id > ? ORDER BY s.list_id LIMIT ?",
                (recipient_id, after, limit + 1),
            ).fetchall()
        return [Subscription(*row) for row in rows[:limit]], len(rows) > limit

    def subscribe(
        self, recipient_id: str, lists: Sequence[tuple[str, dict[str, Any] | None]], now: str
    ) -> None:
        """Subscribe to each ``(list ID, preferences or None)``, all or nothing.

        An unknown list is created, named after its ID. Subscribing again keeps the
        subscription; preferences sent replace the stored ones, none sent keep them.
        """
        rows = [(list_id, None if prefs is None else json_text(prefs)) for list_id, prefs in lists]
        with self._lock, self._transaction():
            for list_id, preferences in rows:
                self._conn.execute(
                    "INSERT INTO lists (id, name, created, updated) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (id) DO NOTHING",
                    (list_id, list_id, now, now),
                )
                self._conn.execute(
                    "INSERT INTO subscriptions (recipient_id, list_id, preferences)"
                    " VALUES (?, ?, ?) ON CONFLICT (recipient_id, list_id) DO UPDATE SET"
                    " preferences = coalesce(excluded.preferences, subscriptions.preferences)",
                    (recipient_id, list_id, preferences),
                )

    def unsubscribe_all(self, recipient_id: str) -> int:
        """Remove every subscription of the recipient (the lists stay); how many there were."""
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM subscriptions WHERE recipient_id = ?", (recipient_id,)
            )
        return cursor.rowcount

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

    @contextlib.contextmanager
    def session(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """The connection under the store's lock, for the other resources' rows
        (:mod:`.users_store`); ``write``: in one transaction, all or nothing."""
        with self._lock:
            if write:
                with self._transaction():
                    yield self._conn
            else:
                yield self._conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        # Autocommit mode otherwise: statements grouped here commit together or not at all.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

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
