"""The history database: ``history.sqlite3`` in the data folder, shared by the window and the CLI.

One row per request in ``requests``; request bodies and the profiles before and after go into
``blobs`` once each, keyed by the SHA-256 of their compact JSON and compressed, so a body sent
ten thousand times is stored once. Recipient IDs live in ``recipients`` (filtering by part of an
ID scans that small table, then the requests through an index). The schema is versioned by
``PRAGMA user_version`` and upgraded by :data:`STEPS`, in order.

Every connection is WAL, ``synchronous=NORMAL``, foreign keys on and a busy timeout; writes take
the write lock up front (``BEGIN IMMEDIATE``) and are retried when another process holds it for
longer, so the window, a second window and CLI runs can all write at once.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from profile_editor.core.profile.jsoncodec import iter_compact, json_bytes, loads_in_pieces
from profile_editor.storage.atomic import atomic_write_text
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import (
    HistoryEntry,
    entry_to_line,
    parse_status_filter,
)
from profile_editor.storage.secretscan import contains_secret, mask_data, mask_text, secret_forms

__all__ = [
    "DB_NAME",
    "DEFAULT_KEEP_COUNT",
    "DEFAULT_KEEP_DAYS",
    "STEPS",
    "Cursor",
    "HistoryFilter",
    "HistoryStore",
    "Migration",
    "Retention",
]

DB_NAME = "history.sqlite3"
DEFAULT_KEEP_DAYS = 365
DEFAULT_KEEP_COUNT = 1_000_000
MIN_AGE = timedelta(days=1)  # pruning never removes an entry younger than this
BUSY_TIMEOUT_MS = 5000
WRITE_RETRIES = 8
PAGE = 200
# Recipients matched by a filter up to this many: their rows are read through the recipient
# index; more, and walking the time index newest first finds a page sooner.
_FEW_RECIPIENTS = 64
_PRUNE_CHUNK = 5000
_US = 1_000_000

_O_BINARY: int = getattr(os, "O_BINARY", 0)


# -- schema ---------------------------------------------------------------------------------


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # Statement by statement: executescript() would commit the migration's transaction first.
    lines = [line.split("--")[0] for line in script.splitlines()]
    for statement in "\n".join(lines).split(";"):
        if statement.strip():
            conn.execute(statement)


def _step_1(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE blobs (
            hash TEXT PRIMARY KEY,      -- sha256 of the compact JSON
            size INTEGER NOT NULL,      -- bytes of the JSON before compression
            data BLOB NOT NULL          -- zlib of the JSON (UTF-8)
        ) WITHOUT ROWID;
        CREATE TABLE recipients (
            rid INTEGER PRIMARY KEY,
            recipient_id TEXT NOT NULL UNIQUE,
            fold TEXT NOT NULL          -- casefolded, for filters
        );
        CREATE TABLE requests (
            seq INTEGER PRIMARY KEY,    -- insertion order
            id TEXT NOT NULL UNIQUE,
            time_us INTEGER NOT NULL,   -- microseconds since 1970, UTC
            environment TEXT,
            base_url TEXT NOT NULL,
            method TEXT NOT NULL,
            resource TEXT NOT NULL,
            rid INTEGER NOT NULL REFERENCES recipients(rid),
            status INTEGER,
            outcome TEXT NOT NULL,
            message TEXT NOT NULL,
            duration_ms REAL NOT NULL,
            source TEXT NOT NULL,
            report TEXT,
            body_hash TEXT REFERENCES blobs(hash),
            before_hash TEXT REFERENCES blobs(hash),
            after_hash TEXT REFERENCES blobs(hash)
        );
        CREATE INDEX requests_time ON requests(time_us);
        CREATE INDEX requests_recipient ON requests(rid, time_us);
        CREATE INDEX requests_status ON requests(status, time_us);
        CREATE INDEX requests_environment ON requests(environment, time_us);
        CREATE INDEX requests_method ON requests(method, resource, time_us);
        """,
    )


def _step_2(conn: sqlite3.Connection) -> None:
    # Full text over request bodies, where this SQLite has FTS5 (a plain scan otherwise).
    if has_fts5(conn):
        conn.execute("CREATE VIRTUAL TABLE body_fts USING fts5(hash UNINDEXED, text)")


def _step_3(conn: sqlite3.Connection) -> None:
    # The rows of a bulk run point at the run's entry (written when the run ends, so no FK).
    conn.execute("ALTER TABLE requests ADD COLUMN run_id TEXT")
    conn.execute("CREATE INDEX requests_run ON requests(run_id) WHERE run_id IS NOT NULL")


# Each step upgrades the schema from version i to i + 1; never edit one that shipped.
STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (_step_1, _step_2, _step_3)


def has_fts5(conn: sqlite3.Connection) -> bool:
    options = {row[0] for row in conn.execute("PRAGMA compile_options")}
    return "ENABLE_FTS5" in options


def migrate(
    conn: sqlite3.Connection, steps: Sequence[Callable[[sqlite3.Connection], None]] = STEPS
) -> int:
    """Bring the schema up to ``len(steps)``, one step per transaction; the version reached."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(steps):
        raise StorageError(
            f"The history database is from a newer Profile Editor (schema {version}, this one "
            f"knows {len(steps)}): history is off until that version is used."
        )
    while version < len(steps):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have upgraded meanwhile.
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if current == version:
                steps[version](conn)
                conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    return version


# -- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryFilter:
    """Which requests: every field that is set must match.

    ``recipient``: part of the recipient ID, any case. ``status``: ``2xx``…``5xx``, an exact code,
    ``error`` (no HTTP status), ``ok`` (succeeded) or ``failed``. ``method``: an HTTP method;
    ``resource``: ``profile`` or ``lists``. ``since``/``until``: a time range. ``text``: words in
    the request body (full text). ``run_id``: the rows of one bulk run.
    """

    recipient: str = ""
    status: str = ""
    environment: str | None = None
    method: str | None = None
    resource: str | None = None
    source: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    run_id: str | None = None

    def matches(self, entry: HistoryEntry) -> bool:
        """The same test in Python, for an entry not (yet) read back from the database."""
        needle = self.recipient.strip().casefold()
        if needle and needle not in entry.recipient_id.casefold():
            return False
        status = parse_status_filter(self.status)
        if status is not None and not status(entry):
            return False
        if self.environment is not None and entry.environment != self.environment:
            return False
        if self.method and entry.method != self.method.upper():
            return False
        if self.resource and entry.resource != self.resource:
            return False
        if self.source and entry.source != self.source:
            return False
        if self.since is not None and entry.time < _utc(self.since):
            return False
        if self.until is not None and entry.time >= _utc(self.until):
            return False
        if self.run_id is not None and entry.run_id != self.run_id:
            return False
        if self.text.strip():
            words = self.text.casefold().split()
            body = "".join(iter_compact(entry.request_body)).casefold()
            return all(w in body for w in words)
        return True

    @property
    def is_empty(self) -> bool:
        status = self.status.strip().lower()
        return replace(self, status="" if status == "all" else status) == HistoryFilter()


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the entry with this time and sequence number."""

    time_us: int
    seq: int


@dataclass
class Migration:
    """What the first start took over from the JSON Lines files."""

    imported: int = 0
    unreadable: int = 0
    files: list[Path] = field(default_factory=list)

    def sentence(self) -> str:
        if not self.files:
            return ""
        text = f"{self.imported} request{'s' if self.imported != 1 else ''} taken over from the old history files"
        if self.unreadable:
            text += f" ({self.unreadable} unreadable line{'s' if self.unreadable != 1 else ''} left out)"
        return text + "; the old files are kept as *.migrated."


@dataclass(frozen=True)
class Retention:
    keep_days: int = DEFAULT_KEEP_DAYS
    keep_count: int = DEFAULT_KEEP_COUNT

    def __post_init__(self) -> None:
        if self.keep_days < 1 or self.keep_count < 1:
            raise ValueError("history retention must keep at least a day and one request")


def parse_keep(text: str) -> Retention:
    """``--history-keep``: ``365d``, ``1000000`` (requests) or both, ``365d,1000000``."""
    days, count = DEFAULT_KEEP_DAYS, DEFAULT_KEEP_COUNT
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        try:
            if part.endswith("d"):
                days = int(part[:-1])
            elif part.endswith("y"):
                days = int(part[:-1]) * 365
            else:
                count = int(part.replace("_", ""))
        except ValueError:
            raise ValueError(
                f"history keep {part!r}: give days as e.g. 365d (or 1y) and a number of requests"
            ) from None
    return Retention(days, count)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _us(value: datetime) -> int:
    delta = _utc(value) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * _US + delta.microseconds


def _from_us(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)


def _fts_query(text: str) -> str:
    # Every word as a quoted phrase: the user's text never reaches FTS5's query syntax.
    return " ".join('"' + w.replace('"', '""') + '"' for w in text.split())


# -- blobs ------------------------------------------------------------------------------------


def _encode_text(text: str) -> tuple[str, bytes, int]:
    """(hash, compressed bytes, size) of a JSON value's compact text."""
    data = json_bytes(text)
    return hashlib.sha256(data).hexdigest(), zlib.compress(data, 6), len(data)


def _decode(data: bytes) -> Any:
    return loads_in_pieces(zlib.decompress(data))


def _fts_text(value: Any) -> str:
    # String values (and keys) only: JSON punctuation is no word.
    parts: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            parts.extend(str(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            parts.append(str(item))
    text = " ".join(parts)
    return text.encode("utf-8", "replace").decode("utf-8")


# -- the store --------------------------------------------------------------------------------

_COLUMNS = (
    "r.seq, r.id, r.time_us, r.environment, r.base_url, r.method, r.resource, p.recipient_id, "
    "r.status, r.outcome, r.message, r.duration_ms, r.source, r.report, r.run_id"
)
_BODY_COLUMNS = ", r.body_hash, r.before_hash, r.after_hash"


def _row_entry(row: sqlite3.Row | tuple[Any, ...]) -> tuple[HistoryEntry, Cursor]:
    entry = HistoryEntry.model_construct(
        id=row[1],
        time=_from_us(row[2]),
        environment=row[3],
        base_url=row[4],
        method=row[5],
        resource=row[6],
        recipient_id=row[7],
        request_body=None,
        status=row[8],
        outcome=row[9],
        message=row[10],
        duration_ms=row[11],
        profile_before=None,
        profile_after=None,
        source=row[12],
        report=row[13],
        run_id=row[14],
        partial=True,
    )
    return entry, Cursor(row[2], row[0])


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _storage_error(exc: Exception, path: Path) -> StorageError:
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    if "full" in lowered or getattr(exc, "errno", None) == 28:
        why = "the disk is full"
    elif "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        why = "the folder is read-only"
    elif "unable to open" in lowered:
        why = "the file cannot be created there"
    else:
        why = text
    return StorageError(f"Cannot write the history to {path}: {why}.")


class HistoryStore:
    """``history.sqlite3``: append, query by filter a page at a time, prune, export.

    Any thread may call any method: each thread gets its own connection. :meth:`open` creates or
    upgrades the database (moving a corrupt one aside first); the other methods open it on first
    use. Nothing here touches Qt.
    """

    def __init__(
        self,
        path: Path,
        *,
        retention: Retention | None = None,
        legacy_dir: Path | None = None,
    ) -> None:
        self.path = Path(path)
        self.retention = retention or Retention()
        # Where the JSON Lines history of earlier versions lives, taken over by open().
        self.legacy_dir = legacy_dir
        self.moved_aside: Path | None = None  # a corrupt database, set aside by open()
        self.migration = Migration()
        self.skipped = 0  # kept for callers of the JSON Lines log: rows are never unreadable
        self.fts = False
        self._local = threading.local()
        self._opened = False
        self._open_lock = threading.Lock()
        self._conn_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, retention: Retention | None = None) -> HistoryStore:
        return cls(
            Path(data_dir) / DB_NAME, retention=retention, legacy_dir=Path(data_dir) / "history"
        )

    # -- opening ----------------------------------------------------------------------------

    def open(self) -> HistoryStore:
        """Create or upgrade the database and take over old JSON Lines files. Idempotent.

        Raises :class:`StorageError` with one sentence when history cannot be kept here.
        """
        with self._open_lock:
            if self._opened:
                return self
            try:
                self._open_checked()
            except sqlite3.DatabaseError as exc:
                if not _is_corrupt(exc):
                    raise _storage_error(exc, self.path) from exc
                self._move_aside()
                try:
                    self._open_checked()
                except (sqlite3.Error, OSError) as again:
                    raise _storage_error(again, self.path) from again
            except OSError as exc:
                raise _storage_error(exc, self.path) from exc
            self._opened = True
        if self.legacy_dir is not None:
            self.migration = self.migrate_jsonl(self.legacy_dir)
        return self

    def _open_checked(self) -> None:
        self._create_private()
        conn = self._connect()
        # A header that is not SQLite's, or damage the first read meets, raises here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        migrate(conn)
        # No full check here: it reads the whole file (300 ms for a million requests). See verify().
        self.fts = _table_exists(conn, "body_fts")

    def verify(self) -> bool:
        """Check every page of the file (slow on a large one: off the UI thread). Damage found:
        the file is moved aside (:attr:`moved_aside`), a new one started, and False returned."""
        conn = self._conn()
        try:
            ok = conn.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise _storage_error(exc, self.path) from exc
            ok = False
        if ok:
            return True
        with self._open_lock:
            try:
                self._move_aside()
                self._open_checked()
            except (sqlite3.Error, OSError) as exc:
                raise _storage_error(exc, self.path) from exc
            self._opened = True
        return False

    def _create_private(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by its owner only: SQLite gives its -wal and -shm files the same mode.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _O_BINARY, 0o600)
        os.close(fd)

    def _move_aside(self) -> None:
        self.close()
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        os.replace(self.path, target)
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                os.replace(extra, target.with_name(target.name + suffix))
        self.moved_aside = target

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        self._local.conn = conn
        with self._conn_lock:
            self._connections.append(conn)
        return conn

    def _conn(self) -> sqlite3.Connection:
        if not self._opened:
            self.open()
        try:
            return self._connect()
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc

    def close(self) -> None:
        """Close every connection (those of other threads too: call when they are done)."""
        with self._conn_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()
        self._opened = False

    # -- writing ----------------------------------------------------------------------------

    def append(self, entry: HistoryEntry, *, secrets: Iterable[str] = ()) -> None:
        self.append_many([(entry, secrets)])

    def append_many(self, entries: Iterable[tuple[HistoryEntry, Iterable[str]]]) -> None:
        """Insert entries in one transaction (one sync): each scanned for keys first."""
        prepared = [_prepare(entry, secrets) for entry, secrets in entries]
        if not prepared:
            return
        self._write(lambda conn: self._insert(conn, prepared))

    def _write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        conn = self._conn()
        delay = 0.02
        for attempt in range(WRITE_RETRIES):
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if _is_busy(exc) and attempt < WRITE_RETRIES - 1:
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                raise _storage_error(exc, self.path) from exc
            try:
                result = work(conn)
                conn.execute("COMMIT")
                return result
            except sqlite3.OperationalError as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if _is_busy(exc) and attempt < WRITE_RETRIES - 1:
                    time.sleep(delay)
                    delay = min(delay * 2, 1.0)
                    continue
                raise _storage_error(exc, self.path) from exc
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise _storage_error(exc, self.path) from exc
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
        raise StorageError(f"Cannot write the history to {self.path}: it stayed locked.")

    def _insert(self, conn: sqlite3.Connection, prepared: list[_Prepared]) -> None:
        known_blobs: set[str] = set()
        recipients: dict[str, int] = {}
        for item in prepared:
            hashes: list[str | None] = []
            for blob in item.blobs:
                if blob is None:
                    hashes.append(None)
                    continue
                digest, data, size, fts = blob
                if digest not in known_blobs:
                    cur = conn.execute(
                        "INSERT OR IGNORE INTO blobs(hash, size, data) VALUES (?, ?, ?)",
                        (digest, size, data),
                    )
                    if cur.rowcount and fts is not None and self.fts:
                        conn.execute(
                            "INSERT INTO body_fts(hash, text) VALUES (?, ?)", (digest, fts)
                        )
                    known_blobs.add(digest)
                hashes.append(digest)
            entry = item.entry
            rid = recipients.get(entry.recipient_id)
            if rid is None:
                rid = _recipient_rid(conn, entry.recipient_id)
                recipients[entry.recipient_id] = rid
            conn.execute(
                "INSERT OR IGNORE INTO requests(id, time_us, environment, base_url, method, resource,"
                " rid, status, outcome, message, duration_ms, source, report, run_id,"
                " body_hash, before_hash, after_hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.id,
                    _us(entry.time),
                    entry.environment,
                    entry.base_url,
                    entry.method,
                    entry.resource,
                    rid,
                    entry.status,
                    entry.outcome,
                    entry.message,
                    float(entry.duration_ms),
                    entry.source,
                    entry.report,
                    entry.run_id,
                    *hashes,
                ),
            )

    # -- reading ----------------------------------------------------------------------------

    def page(
        self,
        flt: HistoryFilter = HistoryFilter(),
        *,
        after: Cursor | None = None,
        limit: int = PAGE,
        progress: Callable[[], bool] | None = None,
    ) -> tuple[list[HistoryEntry], Cursor | None]:
        """Up to ``limit`` entries, newest first, after ``after``; bodies not read (``partial``).

        The cursor of the last entry comes back for the next page (None: no more).
        ``progress`` is called now and then during a long scan; returning True stops it.
        """
        conn = self._conn()
        where, params, hint = self._where(conn, flt)
        if after is not None:
            where.append("(r.time_us < ? OR (r.time_us = ? AND r.seq < ?))")
            params += [after.time_us, after.time_us, after.seq]
        sql = (
            f"SELECT {_COLUMNS} FROM requests r {hint} JOIN recipients p ON p.rid = r.rid"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY r.time_us DESC, r.seq DESC LIMIT ?"
        )
        params.append(limit)
        rows = self._read(conn, sql, params, progress)
        entries: list[HistoryEntry] = []
        cursor: Cursor | None = None
        for row in rows:
            entry, cursor = _row_entry(row)
            entries.append(entry)
        return entries, (cursor if len(rows) == limit else None)

    def iter_entries(
        self, flt: HistoryFilter = HistoryFilter(), *, bodies: bool = True
    ) -> Iterator[HistoryEntry]:
        """Every matching entry, newest first, a page at a time."""
        cursor: Cursor | None = None
        while True:
            page, cursor = self.page(flt, after=cursor, limit=1000)
            for entry in page:
                yield self.full(entry) if bodies else entry
            if cursor is None:
                return

    def entries(self, flt: HistoryFilter = HistoryFilter()) -> list[HistoryEntry]:
        """Every matching entry with its bodies, newest first (small histories and tests)."""
        return list(self.iter_entries(flt))

    def count(
        self, flt: HistoryFilter = HistoryFilter(), progress: Callable[[], bool] | None = None
    ) -> int:
        conn = self._conn()
        where, params, hint = self._where(conn, flt)
        if flt.recipient.strip() or flt.text.strip():
            join = " JOIN recipients p ON p.rid = r.rid"
        else:
            join = ""
        sql = f"SELECT count(*) FROM requests r {hint}{join}" + (
            " WHERE " + " AND ".join(where) if where else ""
        )
        rows = self._read(conn, sql, params, progress)
        return int(rows[0][0]) if rows else 0

    def get(self, entry_id: str) -> HistoryEntry | None:
        """One entry with its bodies."""
        conn = self._conn()
        row = conn.execute(
            f"SELECT {_COLUMNS}{_BODY_COLUMNS} FROM requests r JOIN recipients p ON p.rid = r.rid"
            " WHERE r.id = ?",
            (entry_id,),
        ).fetchone()
        if row is None:
            return None
        entry, _cursor = _row_entry(row)
        return self._with_bodies(conn, entry, row[15:18])

    def full(self, entry: HistoryEntry) -> HistoryEntry:
        """``entry`` with its bodies read (itself when it has them already)."""
        if not entry.partial:
            return entry
        return self.get(entry.id) or entry

    def _with_bodies(
        self, conn: sqlite3.Connection, entry: HistoryEntry, hashes: Sequence[str | None]
    ) -> HistoryEntry:
        values: list[Any] = []
        for digest in hashes:
            if digest is None:
                values.append(None)
                continue
            row = conn.execute("SELECT data FROM blobs WHERE hash = ?", (digest,)).fetchone()
            values.append(_decode(row[0]) if row is not None else None)
        return entry.model_copy(
            update={
                "request_body": values[0],
                "profile_before": values[1],
                "profile_after": values[2],
                "partial": False,
            }
        )

    def timeline(self, recipient_id: str) -> list[HistoryEntry]:
        """Every request to exactly this recipient, oldest first, with bodies."""
        conn = self._conn()
        rows = conn.execute(
            f"SELECT {_COLUMNS}{_BODY_COLUMNS} FROM requests r JOIN recipients p ON p.rid = r.rid"
            " WHERE p.recipient_id = ? ORDER BY r.time_us, r.seq",
            (recipient_id,),
        ).fetchall()
        return [self._with_bodies(conn, _row_entry(row)[0], row[15:18]) for row in rows]

    def _read(
        self,
        conn: sqlite3.Connection,
        sql: str,
        params: list[Any],
        progress: Callable[[], bool] | None,
    ) -> list[Any]:
        if progress is not None:
            conn.set_progress_handler(lambda: 1 if progress() else 0, 20_000)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return []
            raise StorageError(f"Cannot read the history in {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"Cannot read the history in {self.path}: {exc}") from exc
        finally:
            if progress is not None:
                conn.set_progress_handler(None, 0)

    def _where(
        self, conn: sqlite3.Connection, flt: HistoryFilter
    ) -> tuple[list[str], list[Any], str]:
        where: list[str] = []
        params: list[Any] = []
        hint = ""
        needle = flt.recipient.strip().casefold()
        if needle:
            rids = [
                r[0]
                for r in conn.execute(
                    "SELECT rid FROM recipients WHERE instr(fold, ?) > 0 LIMIT ?",
                    (needle, _FEW_RECIPIENTS + 1),
                )
            ]
            if len(rids) <= _FEW_RECIPIENTS:
                where.append(f"r.rid IN ({','.join('?' * len(rids)) or 'NULL'})")
                params += rids
                hint = "INDEXED BY requests_recipient"
            else:
                where.append("r.rid IN (SELECT rid FROM recipients WHERE instr(fold, ?) > 0)")
                params.append(needle)
                hint = "INDEXED BY requests_time"
        status = flt.status.strip().lower()
        if status not in ("", "all"):
            parse_status_filter(status)  # raises ValueError for an unknown one
            if status == "error":
                where.append("r.status IS NULL")
            elif status == "ok":
                where.append("r.outcome = 'success'")
            elif status == "failed":
                where.append("r.outcome != 'success'")
            elif status.endswith("xx"):
                low = int(status[0]) * 100
                where.append("r.status >= ? AND r.status < ?")
                params += [low, low + 100]
            else:
                where.append("r.status = ?")
                params.append(int(status))
        if flt.environment is not None:
            where.append("r.environment IS ?")
            params.append(flt.environment or None)
        if flt.method:
            where.append("r.method = ?")
            params.append(flt.method.upper())
        if flt.resource:
            where.append("r.resource = ?")
            params.append(flt.resource)
        if flt.source:
            where.append("r.source = ?")
            params.append(flt.source)
        if flt.since is not None:
            where.append("r.time_us >= ?")
            params.append(_us(flt.since))
        if flt.until is not None:
            where.append("r.time_us < ?")
            params.append(_us(flt.until))
        if flt.run_id is not None:
            where.append("r.run_id = ?")
            params.append(flt.run_id)
        if flt.text.strip():
            if self.fts:
                where.append("r.body_hash IN (SELECT hash FROM body_fts WHERE body_fts MATCH ?)")
                params.append(_fts_query(flt.text))
            else:
                _register_body_search(conn)
                where.append("r.body_hash IN (SELECT hash FROM blobs WHERE pe_body_has(data, ?))")
                params.append(flt.text.casefold())
        return where, params, hint

    # -- retention --------------------------------------------------------------------------

    def prune(self, now: datetime | None = None) -> int:
        """Remove what the retention no longer keeps (never anything younger than a day), in
        small transactions so other writers are not held up; the number removed."""
        now = _utc(now or datetime.now(UTC))
        young = _us(now - MIN_AGE)
        cutoff = min(_us(now - timedelta(days=self.retention.keep_days)), young)
        conn = self._conn()
        removed = 0
        while True:
            n = self._write(functools.partial(_delete_older, before=cutoff, limit=_PRUNE_CHUNK))
            removed += n
            if n < _PRUNE_CHUNK:
                break
        total = int(conn.execute("SELECT count(*) FROM requests").fetchone()[0])
        excess = total - self.retention.keep_count
        while excess > 0:
            limit = min(excess, _PRUNE_CHUNK)
            n = self._write(functools.partial(_delete_older, before=young, limit=limit))
            removed += n
            excess -= n
            if n == 0:
                break  # the rest is younger than a day
        if removed:
            self._write(self._drop_orphans)
        return removed

    def _drop_orphans(self, conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS pe_used(hash TEXT PRIMARY KEY) WITHOUT ROWID")
        conn.execute("DELETE FROM pe_used")
        for column in ("body_hash", "before_hash", "after_hash"):
            conn.execute(
                f"INSERT OR IGNORE INTO pe_used SELECT {column} FROM requests"
                f" WHERE {column} IS NOT NULL"
            )
        if self.fts:
            conn.execute("DELETE FROM body_fts WHERE hash NOT IN (SELECT hash FROM pe_used)")
        conn.execute("DELETE FROM blobs WHERE hash NOT IN (SELECT hash FROM pe_used)")
        conn.execute("DELETE FROM recipients WHERE rid NOT IN (SELECT DISTINCT rid FROM requests)")
        conn.execute("DELETE FROM pe_used")

    def clear(self) -> None:
        def wipe(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM requests")
            self._drop_orphans(conn)

        self._write(wipe)

    # -- export -----------------------------------------------------------------------------

    def export(
        self,
        flt: HistoryFilter,
        dest: Path,
        *,
        fmt: str = "jsonl",
        secrets: Iterable[str] = (),
    ) -> int:
        """Write every matching entry (newest first) to ``dest`` as JSON Lines or CSV."""
        return export_entries(self.iter_entries(flt), dest, fmt=fmt, secrets=secrets)

    # -- migration from JSON Lines ------------------------------------------------------------

    def migrate_jsonl(self, directory: Path) -> Migration:
        """Take over ``history*.jsonl`` in ``directory``: every readable entry, oldest first;
        the files are then renamed ``*.migrated``. Entries already here (same id) are skipped,
        so two processes starting at once import each entry once."""
        files = sorted(
            (p for p in Path(directory).glob("history*.jsonl") if p.is_file()),
            key=_rotation_index,
            reverse=True,
        )
        if not files:
            return Migration()
        entries: list[HistoryEntry] = []
        unreadable = 0
        for path in files:  # oldest file first
            read, bad = _read_jsonl(path)
            entries.extend(read)
            unreadable += bad
        prepared = [_prepare(e, ()) for e in entries]
        for start in range(0, len(prepared), 2000):
            chunk = prepared[start : start + 2000]
            self._write(functools.partial(self._insert, prepared=chunk))
        for path in files:
            with contextlib.suppress(OSError):
                os.replace(path, path.with_name(path.name + ".migrated"))
        return Migration(len(entries), unreadable, files)

    # -- measures -----------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        conn = self._conn()
        requests = conn.execute("SELECT count(*) FROM requests").fetchone()[0]
        blobs, stored, raw = conn.execute(
            "SELECT count(*), coalesce(sum(length(data)), 0), coalesce(sum(size), 0) FROM blobs"
        ).fetchone()
        return {"requests": requests, "blobs": blobs, "blob_bytes": stored, "json_bytes": raw}


def _rotation_index(path: Path) -> int:
    # history.jsonl is the newest (0), history.1.jsonl older, history.5.jsonl the oldest.
    parts = path.name.split(".")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def _read_jsonl(path: Path) -> tuple[list[HistoryEntry], int]:
    try:
        data = path.read_bytes()
    except OSError:
        return [], 0
    entries: list[HistoryEntry] = []
    bad = 0
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            entries.append(HistoryEntry.model_validate_json(raw))
        except ValueError:
            try:
                entries.append(HistoryEntry.model_validate(json.loads(raw)))
            except ValueError:
                bad += 1
    return entries, bad


def _delete_older(conn: sqlite3.Connection, *, before: int, limit: int) -> int:
    """Delete up to ``limit`` of the oldest requests made before ``before``; how many."""
    cur = conn.execute(
        "DELETE FROM requests WHERE seq IN (SELECT seq FROM requests"
        " WHERE time_us < ? ORDER BY time_us, seq LIMIT ?)",
        (before, limit),
    )
    return int(cur.rowcount)


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None
    )


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _recipient_rid(conn: sqlite3.Connection, recipient_id: str) -> int:
    row = conn.execute(
        "SELECT rid FROM recipients WHERE recipient_id = ?", (recipient_id,)
    ).fetchone()
    if row is not None:
        return int(row[0])
    cur = conn.execute(
        "INSERT INTO recipients(recipient_id, fold) VALUES (?, ?)",
        (recipient_id, recipient_id.casefold()),
    )
    return int(cur.lastrowid or 0)


def _register_body_search(conn: sqlite3.Connection) -> None:
    def has(data: bytes, needle: str) -> bool:
        try:
            text = zlib.decompress(data).decode("utf-8", "replace").casefold()
        except zlib.error:
            return False
        return all(word in text for word in needle.split())

    conn.create_function("pe_body_has", 2, has, deterministic=True)


# -- preparing an entry (off the UI thread) ------------------------------------------------------

_Blob = tuple[str, bytes, int, str | None]


@dataclass
class _Prepared:
    entry: HistoryEntry
    blobs: tuple[_Blob | None, _Blob | None, _Blob | None]


def _prepare(entry: HistoryEntry, secrets: Iterable[str]) -> _Prepared:
    """Scan for keys (masking what is found), then encode and compress the bodies.

    Each body is serialized once: the scan reads the same text that is stored.
    """
    keys = [s for s in secrets if s]
    values = (entry.request_body, entry.profile_before, entry.profile_after)
    try:
        texts = [None if v is None else "".join(iter_compact(v)) for v in values]
    except (TypeError, ValueError) as exc:
        raise StorageError(f"History entry is not plain JSON: {exc}") from exc
    if keys:
        forms = secret_forms(keys)
        fields = (
            entry.recipient_id,
            entry.message,
            entry.base_url,
            entry.environment,
            entry.report,
        )
        if any(f in t for t in (*texts, *fields) if t for f in forms):
            entry = _masked(entry, keys)
            values = (entry.request_body, entry.profile_before, entry.profile_after)
            # Masking the data keeps it JSON; masking the text catches anything left.
            texts = [
                None if v is None else mask_text("".join(iter_compact(v)), keys) for v in values
            ]
    blobs: list[_Blob | None] = []
    for index, (value, text) in enumerate(zip(values, texts, strict=True)):
        if text is None:
            blobs.append(None)
            continue
        digest, data, size = _encode_text(text)
        blobs.append((digest, data, size, _fts_text(value) if index == 0 else None))
    return _Prepared(entry, (blobs[0], blobs[1], blobs[2]))


def _masked(entry: HistoryEntry, keys: list[str]) -> HistoryEntry:
    update: dict[str, Any] = {}
    for name in ("request_body", "profile_before", "profile_after"):
        update[name] = mask_data(getattr(entry, name), keys)
    for name in ("recipient_id", "message", "base_url", "environment", "report"):
        value = getattr(entry, name)
        if isinstance(value, str) and contains_secret(value, keys):
            update[name] = mask_text(value, keys)
    return entry.model_copy(update=update)


# -- export ------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "time",
    "environment",
    "base_url",
    "method",
    "resource",
    "recipient_id",
    "status",
    "outcome",
    "message",
    "duration_ms",
    "source",
    "report",
    "run_id",
    "request_body",
    "profile_before",
    "profile_after",
)


def export_entries(
    entries: Iterable[HistoryEntry], dest: Path, *, fmt: str = "jsonl", secrets: Iterable[str] = ()
) -> int:
    """Write ``entries`` (in order) to ``dest`` atomically as JSON Lines or CSV; how many."""
    keys = [s for s in secrets if s]
    count = 0
    if fmt == "jsonl":
        lines = []
        for entry in entries:
            lines.append(entry_to_line(entry, keys) + "\n")
            count += 1
        text = "".join(lines)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for entry in entries:
            data = json.loads(entry_to_line(entry, keys))
            writer.writerow([_csv_cell(data.get(name)) for name in CSV_COLUMNS])
            count += 1
        text = buffer.getvalue()
    else:
        raise ValueError(f"Unknown export format {fmt!r}: jsonl or csv")
    try:
        atomic_write_text(Path(dest), text)
    except OSError as exc:
        raise StorageError(f"Cannot write {Path(dest).name}: {exc.strerror or exc}") from exc
    return count


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)
