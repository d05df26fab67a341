"""The sandbox's rows for the rest of a recipient: the topic catalogue, preference overrides,
device tokens and tenant memberships, in the same SQLite database as the profiles.

Functions over a :class:`~profile_editor.sandbox.store.ProfileStore` (its lock and connection),
so every read-modify-write runs whole under the store's lock, as profile merges do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from profile_editor.sandbox.store import ProfileStore, json_text

__all__ = [
    "Override",
    "Topic",
    "delete_all_tenants",
    "delete_override",
    "delete_tenant",
    "delete_token",
    "get_override",
    "get_token",
    "get_topic",
    "list_overrides",
    "list_tokens",
    "list_topics",
    "put_tenants",
    "put_tokens",
    "put_topics",
    "replace_overrides",
    "seed_recipient",
    "set_overrides",
    "tenants_page",
    "update_token",
]


@dataclass(frozen=True)
class Topic:
    topic_id: str
    topic_name: str
    section_id: str
    section_name: str
    default_status: str
    digest_schedules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Override:
    """A user's choice for one topic (per tenant, '' for none)."""

    topic_id: str
    status: str
    has_custom_routing: bool = False
    custom_routing: tuple[str, ...] = field(default=())
    digest_schedule_id: str | None = None


# --- topics ---------------------------------------------------------------------------------


def put_topics(store: ProfileStore, topics: Sequence[Topic]) -> None:
    with store.session(write=True) as conn:
        for t in topics:
            conn.execute(
                "INSERT INTO topics VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (topic_id) DO UPDATE SET"
                " topic_name = excluded.topic_name, section_id = excluded.section_id,"
                " section_name = excluded.section_name, default_status = excluded.default_status,"
                " digest_schedules = excluded.digest_schedules",
                (
                    t.topic_id,
                    t.topic_name,
                    t.section_id,
                    t.section_name,
                    t.default_status,
                    json.dumps(list(t.digest_schedules)),
                ),
            )


def _topic(row: Sequence[Any]) -> Topic:
    return Topic(row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])))


def list_topics(store: ProfileStore) -> dict[str, Topic]:
    with store.session() as conn:
        rows = conn.execute("SELECT * FROM topics ORDER BY topic_id").fetchall()
    return {row[0]: _topic(row) for row in rows}


def get_topic(store: ProfileStore, topic_id: str) -> Topic | None:
    with store.session() as conn:
        row = conn.execute("SELECT * FROM topics WHERE topic_id = ?", (topic_id,)).fetchone()
    return None if row is None else _topic(row)


# --- preference overrides -------------------------------------------------------------------

_OVERRIDE_COLUMNS = "topic_id, status, has_custom_routing, custom_routing, digest_schedule_id"


def _override(row: Sequence[Any]) -> Override:
    return Override(row[0], row[1], bool(row[2]), tuple(json.loads(row[3])), row[4])


def list_overrides(store: ProfileStore, recipient_id: str, tenant_id: str) -> list[Override]:
    with store.session() as conn:
        rows = conn.execute(
            f"SELECT {_OVERRIDE_COLUMNS} FROM user_preferences"
            " WHERE recipient_id = ? AND tenant_id = ? ORDER BY topic_id",
            (recipient_id, tenant_id),
        ).fetchall()
    return [_override(row) for row in rows]


def get_override(
    store: ProfileStore, recipient_id: str, tenant_id: str, topic_id: str
) -> Override | None:
    with store.session() as conn:
        row = conn.execute(
            f"SELECT {_OVERRIDE_COLUMNS} FROM user_preferences"
            " WHERE recipient_id = ? AND tenant_id = ? AND topic_id = ?",
            (recipient_id, tenant_id, topic_id),
        ).fetchone()
    return None if row is None else _override(row)


def _write_override(conn: Any, recipient_id: str, tenant_id: str, o: Override) -> None:
    conn.execute(
        "INSERT INTO user_preferences VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (recipient_id, tenant_id, topic_id) DO UPDATE SET status = excluded.status,"
        " has_custom_routing = excluded.has_custom_routing,"
        " custom_routing = excluded.custom_routing,"
        " digest_schedule_id = excluded.digest_schedule_id",
        (
            recipient_id,
            tenant_id,
            o.topic_id,
            o.status,
            int(o.has_custom_routing),
            json.dumps(list(o.custom_routing)),
            o.digest_schedule_id,
        ),
    )


def set_overrides(
    store: ProfileStore,
    recipient_id: str,
    tenant_id: str,
    make: Callable[[str, Override | None], Override | None],
    topic_ids: Sequence[str],
) -> list[Override]:
    """For each topic, ``make(topic ID, stored override or None)`` → the override to store (None: leave
    it); all in one transaction, so a read-modify-write (a kept digest choice) is never lost."""
    written: list[Override] = []
    with store.session(write=True) as conn:
        for topic_id in topic_ids:
            row = conn.execute(
                f"SELECT {_OVERRIDE_COLUMNS} FROM user_preferences"
                " WHERE recipient_id = ? AND tenant_id = ? AND topic_id = ?",
                (recipient_id, tenant_id, topic_id),
            ).fetchone()
            new = make(topic_id, None if row is None else _override(row))
            if new is not None:
                _write_override(conn, recipient_id, tenant_id, new)
                written.append(new)
    return written


def replace_overrides(
    store: ProfileStore, recipient_id: str, tenant_id: str, overrides: Sequence[Override]
) -> list[str]:
    """The complete set: every override not in ``overrides`` is dropped (the dropped topic IDs
    are returned); a kept topic keeps its digest choice (the bulk body has none)."""
    keep = {o.topic_id for o in overrides}
    with store.session(write=True) as conn:
        stored = dict(
            conn.execute(
                "SELECT topic_id, digest_schedule_id FROM user_preferences"
                " WHERE recipient_id = ? AND tenant_id = ? ORDER BY topic_id",
                (recipient_id, tenant_id),
            ).fetchall()
        )
        deleted = [topic_id for topic_id in stored if topic_id not in keep]
        conn.executemany(
            "DELETE FROM user_preferences WHERE recipient_id = ? AND tenant_id = ?"
            " AND topic_id = ?",
            [(recipient_id, tenant_id, topic_id) for topic_id in deleted],
        )
        for o in overrides:
            digest = o.digest_schedule_id or stored.get(o.topic_id)
            _write_override(conn, recipient_id, tenant_id, replace(o, digest_schedule_id=digest))
    return deleted


def delete_override(store: ProfileStore, recipient_id: str, tenant_id: str, topic_id: str) -> bool:
    with store.session() as conn:
        cursor = conn.execute(
            "DELETE FROM user_preferences WHERE recipient_id = ? AND tenant_id = ? AND topic_id = ?",
            (recipient_id, tenant_id, topic_id),
        )
    return cursor.rowcount > 0


# --- device tokens --------------------------------------------------------------------------


def list_tokens(store: ProfileStore, recipient_id: str) -> list[dict[str, Any]]:
    with store.session() as conn:
        rows = conn.execute(
            "SELECT data FROM user_tokens WHERE recipient_id = ? ORDER BY rowid", (recipient_id,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def get_token(store: ProfileStore, recipient_id: str, token: str) -> dict[str, Any] | None:
    with store.session() as conn:
        row = conn.execute(
            "SELECT data FROM user_tokens WHERE recipient_id = ? AND token = ?",
            (recipient_id, token),
        ).fetchone()
    return None if row is None else json.loads(row[0])


def put_tokens(store: ProfileStore, recipient_id: str, tokens: Sequence[dict[str, Any]]) -> None:
    """Register each token (overwriting one with the same value), all or nothing."""
    with store.session(write=True) as conn:
        for data in tokens:
            conn.execute(
                "INSERT INTO user_tokens (recipient_id, token, data) VALUES (?, ?, ?)"
                " ON CONFLICT (recipient_id, token) DO UPDATE SET data = excluded.data",
                (recipient_id, data["token"], json_text(data)),
            )


def update_token(
    store: ProfileStore,
    recipient_id: str,
    token: str,
    change: Callable[[dict[str, Any]], dict[str, Any]],
) -> bool:
    """Replace a stored token by ``change(it)`` under the lock; False when there is none. An
    exception from ``change`` leaves it as it was."""
    with store.session(write=True) as conn:
        row = conn.execute(
            "SELECT data FROM user_tokens WHERE recipient_id = ? AND token = ?",
            (recipient_id, token),
        ).fetchone()
        if row is None:
            return False
        conn.execute(
            "UPDATE user_tokens SET data = ? WHERE recipient_id = ? AND token = ?",
            (json_text(change(json.loads(row[0]))), recipient_id, token),
        )
    return True


def delete_token(store: ProfileStore, recipient_id: str, token: str) -> bool:
    with store.session() as conn:
        cursor = conn.execute(
            "DELETE FROM user_tokens WHERE recipient_id = ? AND token = ?", (recipient_id, token)
        )
    return cursor.rowcount > 0


# --- tenants --------------------------------------------------------------------------------


def tenants_page(
    store: ProfileStore, recipient_id: str, after: str, limit: int
) -> tuple[list[tuple[str, dict[str, Any] | None]], bool]:
    """Up to ``limit`` memberships with tenant IDs after ``after``, in ID order, and whether
    more follow."""
    with store.session() as conn:
        rows = conn.execute(
            "SELECT tenant_id, profile FROM user_tenants WHERE recipient_id = ? AND tenant_id > ?"
            " ORDER BY tenant_id LIMIT ?",
            (recipient_id, after, limit + 1),
        ).fetchall()
    items = [(row[0], None if row[1] is None else json.loads(row[1])) for row in rows[:limit]]
    return items, len(rows) > limit


def put_tenants(
    store: ProfileStore,
    recipient_id: str,
    tenants: Sequence[tuple[str, dict[str, Any] | None]],
) -> None:
    """Add (or replace) each membership with its per-tenant profile, all or nothing."""
    with store.session(write=True) as conn:
        for tenant_id, profile in tenants:
            conn.execute(
                "INSERT INTO user_tenants VALUES (?, ?, ?) ON CONFLICT (recipient_id, tenant_id)"
                " DO UPDATE SET profile = excluded.profile",
                (recipient_id, tenant_id, None if profile is None else json_text(profile)),
            )


def delete_tenant(store: ProfileStore, recipient_id: str, tenant_id: str) -> bool:
    with store.session() as conn:
        cursor = conn.execute(
            "DELETE FROM user_tenants WHERE recipient_id = ? AND tenant_id = ?",
            (recipient_id, tenant_id),
        )
    return cursor.rowcount > 0


def delete_all_tenants(store: ProfileStore, recipient_id: str) -> int:
    with store.session() as conn:
        cursor = conn.execute("DELETE FROM user_tenants WHERE recipient_id = ?", (recipient_id,))
    return cursor.rowcount


# --- seeding --------------------------------------------------------------------------------


def seed_recipient(
    store: ProfileStore,
    recipient_id: str,
    *,
    overrides: Sequence[tuple[str, Override]] | None = None,
    tokens: Sequence[dict[str, Any]] | None = None,
    tenants: Sequence[tuple[str, dict[str, Any] | None]] | None = None,
) -> None:
    """Replace what a seed names for one recipient (a part left as None stays as stored)."""
    with store.session(write=True) as conn:
        if overrides is not None:
            conn.execute("DELETE FROM user_preferences WHERE recipient_id = ?", (recipient_id,))
            for tenant_id, override in overrides:
                _write_override(conn, recipient_id, tenant_id, override)
        if tokens is not None:
            conn.execute("DELETE FROM user_tokens WHERE recipient_id = ?", (recipient_id,))
            for data in tokens:
                conn.execute(
                    "INSERT INTO user_tokens (recipient_id, token, data) VALUES (?, ?, ?)",
                    (recipient_id, data["token"], json_text(data)),
                )
        if tenants is not None:
            conn.execute("DELETE FROM user_tenants WHERE recipient_id = ?", (recipient_id,))
            for tenant_id, profile in tenants:
                conn.execute(
                    "INSERT INTO user_tenants VALUES (?, ?, ?)",
                    (recipient_id, tenant_id, None if profile is None else json_text(profile)),
                )
