"""The history database: ``history.sqlite3`` in the data folder, shared by the window and the CLI.

One row per request in ``requests``; request bodies and the profiles before and after go into
``blobs`` once each, so a body sent ten thousand times is stored once: found by the first 63
bits of the SHA-256 of its compact JSON (``hash``, indexed) and then by content. Ids are given in
order, so a bulk run's new bodies are appended, not scattered over the table. A small body is
kept as its JSON text, a larger one compressed. Recipient IDs live in ``recipients`` (filtering by part of an
ID scans that small table, then the requests through an index). The schema is versioned by
``PRAGMA user_version`` and upgraded by :data:`STEPS`, in order.

The entry model (:mod:`profile_editor.storage.history`, pydantic) is imported only where an entry
is built or read: a row built directly (:func:`load_row`) is written without it, so the command
line's ``get`` records its request and still starts as light as it is measured.

Every connection is WAL, ``synchronous=NORMAL``, foreign keys on and a busy timeout; writes take
the write lock up front (``BEGIN IMMEDIATE``) and are retried when another process holds it for
longer, so the window, a second window and CLI runs can all write at once.
"""

from __future__ import annotations

import contextlib
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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from profile_editor.core.profile.jsoncodec import iter_compact, json_bytes, loads_in_pieces
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history_ids import new_entry_id
from profile_editor.storage.secretscan import contains_secret, mask_data, mask_text, secret_forms

if TYPE_CHECKING:
    from profile_editor.core.http.models import Outcome, ProfileRequest
    from profile_editor.storage.history import HistoryEntry

__all__ = [
    "DB_NAME",
    "DEFAULT_KEEP_COUNT",
    "DEFAULT_KEEP_DAYS",
    "STEPS",
    "Cursor",
    "HistoryFilter",
    "HistoryStore",
    "Migration",
    "RequestRow",
    "Retention",
    "load_row",
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

T = TypeVar("T")


# A body's JSON under this many bytes is stored as text: zlib saves little on a few hundred bytes
# (and costs a header), and the sqlite3 shell reads text as it is (json_extract works on it).
INLINE_BELOW = 1024
# Blob ids remembered by a store between transactions (checked to still be there before use).
_BLOB_CACHE = 4096
# WAL pages between checkpoints while a bulk run writes (SQLite's default is 1000).
_BULK_CHECKPOINT_PAGES = 10_000
# Rows per multi-row INSERT: each statement is one sqlite3 step, and each step gives up and
# takes back the GIL, which a bulk run's sending threads are waiting for. Fewer when a row's
# values times this would pass SQLite's limit of variables in one statement.
ROWS_PER_INSERT = 200


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


def _step_4(conn: sqlite3.Connection) -> None:
    """Integer blob ids instead of hex hashes in every row, small bodies as JSON text, a
    contentless full-text index, and a request path for writes other than profiles and lists."""
    fts = _table_exists(conn, "body_fts")
    conn.execute("PRAGMA defer_foreign_keys = ON")
    _run_script(
        conn,
        """
        CREATE TABLE blobs_v4 (
            id INTEGER PRIMARY KEY,
            hash INTEGER NOT NULL,      -- first 63 bits of the sha256 of the compact JSON
            size INTEGER NOT NULL,      -- bytes of the JSON (UTF-8)
            indexed INTEGER,            -- a request body: 1 in body_fts, 0 not yet (bulk rows)
            data BLOB NOT NULL          -- the JSON as TEXT when small, else zlib of it as a BLOB
        );
        CREATE TABLE requests_v4 (
            seq INTEGER PRIMARY KEY,    -- insertion order
            id TEXT NOT NULL UNIQUE,
            time_us INTEGER NOT NULL,   -- microseconds since 1970, UTC
            environment TEXT,
            base_url TEXT NOT NULL,
            method TEXT NOT NULL,
            resource TEXT NOT NULL,     -- profile, lists, preferences, tokens, tenants...
            rid INTEGER NOT NULL REFERENCES recipients(rid),
            status INTEGER,
            outcome TEXT NOT NULL,
            message TEXT NOT NULL,
            duration_ms REAL NOT NULL,
            source TEXT NOT NULL,
            report TEXT,
            run_id TEXT,
            path TEXT,                  -- the request path when not /profiles/{id}[/lists]
            body_id INTEGER REFERENCES blobs_v4(id),
            before_id INTEGER REFERENCES blobs_v4(id),
            after_id INTEGER REFERENCES blobs_v4(id)
        );
        CREATE TEMP TABLE pe_ids(hash TEXT PRIMARY KEY, id INTEGER NOT NULL) WITHOUT ROWID;
        """,
    )
    bodies = {row[0] for row in conn.execute("SELECT DISTINCT body_hash FROM requests")}
    rows = conn.execute("SELECT hash, data FROM blobs").fetchall()
    for blob_id, (digest, data) in enumerate(rows, start=1):
        raw = zlib.decompress(data)
        conn.execute(
            "INSERT INTO blobs_v4(id, hash, size, indexed, data) VALUES (?, ?, ?, ?, ?)",
            (
                blob_id,
                _blob_hash(bytes.fromhex(digest)),
                len(raw),
                1 if digest in bodies else None,
                _stored_form(raw),
            ),
        )
        conn.execute("INSERT INTO pe_ids(hash, id) VALUES (?, ?)", (digest, blob_id))
    conn.execute(
        "INSERT INTO requests_v4 SELECT seq, id, time_us, environment, base_url, method,"
        " resource, rid, status, outcome, message, duration_ms, source, report, run_id, NULL,"
        " (SELECT id FROM pe_ids WHERE hash = body_hash),"
        " (SELECT id FROM pe_ids WHERE hash = before_hash),"
        " (SELECT id FROM pe_ids WHERE hash = after_hash) FROM requests ORDER BY seq"
    )
    if fts:
        conn.execute("DROP TABLE body_fts")
    _run_script(
        conn,
        """
        DROP TABLE pe_ids;
        DROP TABLE requests;
        DROP TABLE blobs;
        ALTER TABLE blobs_v4 RENAME TO blobs;
        ALTER TABLE requests_v4 RENAME TO requests;
        CREATE INDEX requests_time ON requests(time_us);
        CREATE INDEX requests_recipient ON requests(rid, time_us);
        CREATE INDEX requests_status ON requests(status, time_us);
        CREATE INDEX requests_environment ON requests(environment, time_us);
        CREATE INDEX requests_method ON requests(method, resource, time_us);
        CREATE INDEX requests_run ON requests(run_id) WHERE run_id IS NOT NULL;
        CREATE INDEX blobs_hash ON blobs(hash);
        CREATE INDEX blobs_pending ON blobs(id) WHERE indexed = 0;
        """,
    )
    if fts:
        # Contentless: the words only, the text is the blob's (re-read to delete an entry).
        # No column sizes either: they serve ranking, which history search does not do.
        conn.execute("CREATE VIRTUAL TABLE body_fts USING fts5(text, content='', columnsize=0)")
        _register_functions(conn)
        conn.execute(
            "INSERT INTO body_fts(rowid, text) SELECT id, pe_json(data) FROM blobs WHERE indexed = 1"
        )


# Each step upgrades the schema from version i to i + 1; never edit one that shipped.
STEPS: tuple[Callable[[sqlite3.Connection], None], ...] = (_step_1, _step_2, _step_3, _step_4)


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
        from profile_editor.storage.history import parse_status_filter

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


# Plain classes below, not dataclasses: each @dataclass costs about 0.5 ms to import, and the
# command line's `get` imports this module to record its request (its start-up is measured).


class Cursor(NamedTuple):
    """Where the next page starts: after the entry with this time and sequence number."""

    time_us: int
    seq: int


class Migration:
    """What the first start took over from the JSON Lines files."""

    def __init__(self, imported: int = 0, unreadable: int = 0, files: list[Path] | None = None):
        self.imported = imported
        self.unreadable = unreadable
        self.files: list[Path] = [] if files is None else files

    def sentence(self) -> str:
        if not self.files:
            return ""
        text = f"{self.imported} request{'s' if self.imported != 1 else ''} taken over from the old history files"
        if self.unreadable:
            text += f" ({self.unreadable} unreadable line{'s' if self.unreadable != 1 else ''} left out)"
        return text + "; the old files are kept as *.migrated."


class Retention:
    """How much history is kept: days and requests, each at least one."""

    __slots__ = ("keep_count", "keep_days")

    def __init__(
        self, keep_days: int = DEFAULT_KEEP_DAYS, keep_count: int = DEFAULT_KEEP_COUNT
    ) -> None:
        if keep_days < 1 or keep_count < 1:
            raise ValueError("history retention must keep at least a day and one request")
        self.keep_days = keep_days
        self.keep_count = keep_count

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Retention):
            return NotImplemented
        return (self.keep_days, self.keep_count) == (other.keep_days, other.keep_count)

    def __hash__(self) -> int:
        return hash((self.keep_days, self.keep_count))

    def __repr__(self) -> str:
        return f"Retention(keep_days={self.keep_days}, keep_count={self.keep_count})"


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


def _blob_hash(digest: bytes) -> int:
    """What a blob is looked up by: 63 bits of its SHA-256 (then compared by content)."""
    return int.from_bytes(digest[:8], "big") >> 1


def _stored_form(raw: bytes) -> str | bytes:
    """What goes in ``blobs.data``: small JSON as text, larger JSON compressed."""
    if len(raw) < INLINE_BELOW:
        return raw.decode("utf-8")
    packed = zlib.compress(raw, 6)
    return packed if len(packed) < len(raw) else raw.decode("utf-8")


def _raw(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else zlib.decompress(data)


def _decode(data: str | bytes) -> Any:
    return loads_in_pieces(data if isinstance(data, str) else zlib.decompress(data))


def _json_text(data: str | bytes | None) -> str | None:
    # The full-text index's words are those of the JSON text: keys, strings and numbers.
    if data is None or isinstance(data, str):
        return data
    try:
        return zlib.decompress(data).decode("utf-8", "replace")
    except zlib.error:
        return None


def _register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("pe_json", 1, _json_text, deterministic=True)


# -- the store --------------------------------------------------------------------------------

_COLUMNS = (
    "r.seq, r.id, r.time_us, r.environment, r.base_url, r.method, r.resource, p.recipient_id, "
    "r.status, r.outcome, r.message, r.duration_ms, r.source, r.report, r.run_id, r.path"
)
_BODY_COLUMNS = ", r.body_id, r.before_id, r.after_id"


def _row_entry(row: sqlite3.Row | tuple[Any, ...]) -> tuple[HistoryEntry, Cursor]:
    from profile_editor.storage.history import HistoryEntry

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
        request_path=row[15],
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
        # Full SHA-256 -> blob id, for bodies this store wrote or checked (a bulk run's profile).
        self._blob_ids: dict[bytes, int] = {}

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
            _register_functions(conn)
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
        rows = [_prepare(entry, secrets) for entry, secrets in entries]
        if rows:
            self._write(functools.partial(self._insert, rows=rows))

    def append_rows(self, rows: Sequence[RequestRow], *, secrets: Iterable[str] = ()) -> None:
        """Insert rows built directly (a bulk run's, their bodies the bytes that were sent) in
        one transaction. A row with a key in it is masked as an entry would be."""
        rows = _scrubbed_rows(rows, secrets)
        if not rows:
            return
        conn = self._conn()
        if not getattr(self._local, "bulk", False):
            # A run writes batch after batch: fewer, larger checkpoints copy each page once.
            conn.execute(f"PRAGMA wal_autocheckpoint = {_BULK_CHECKPOINT_PAGES}")
            self._local.bulk = True
        self._write(functools.partial(self._insert, rows=list(rows), defer_index=True))

    def append_row(self, row: RequestRow, *, secrets: Iterable[str] = ()) -> None:
        """Insert one row built directly (see :func:`load_row`), scanned for keys first, its
        body's words indexed at once: the entry model is not needed (nor imported)."""
        self._write(functools.partial(self._insert, rows=_scrubbed_rows([row], secrets)))

    def index_pending(self, limit: int = 20_000) -> int:
        """Put the words of up to ``limit`` bodies written by bulk runs into the full-text
        index (searches scan them meanwhile); how many were indexed."""
        if not self.fts:
            return 0

        def work(conn: sqlite3.Connection) -> int:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS pe_batch(id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM pe_batch")
            conn.execute(
                "INSERT INTO pe_batch SELECT id FROM blobs WHERE indexed = 0 LIMIT ?", (limit,)
            )
            conn.execute(
                "INSERT INTO body_fts(rowid, text) SELECT b.id, pe_json(b.data)"
                " FROM pe_batch p JOIN blobs b ON b.id = p.id"
            )
            done = conn.execute(
                "UPDATE blobs SET indexed = 1 WHERE id IN (SELECT id FROM pe_batch)"
            ).rowcount
            conn.execute("DELETE FROM pe_batch")
            return int(done)

        return int(self._write(work))

    def record_write(
        self,
        *,
        resource: str,
        method: str,
        url: str,
        recipient_id: str,
        body: Any,
        outcome: Outcome,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        environment: str | None = None,
        base_url: str | None = None,
        source: str = "window",
        secrets: Iterable[str] = (),
    ) -> HistoryEntry:
        """Record one write to any resource (preferences, tokens, tenants...) and return the
        entry. ``url`` is the full request URL; ``base_url`` splits it when given (else its
        scheme and host are the base)."""
        from profile_editor.storage.history import HistoryEntry

        entry = HistoryEntry.of_write(
            resource=resource,
            method=method,
            url=url,
            recipient_id=recipient_id,
            body=body,
            outcome=outcome,
            before=before,
            after=after,
            environment=environment,
            base_url=base_url,
            source=source,
        )
        self.append(entry, secrets=secrets)
        return entry

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

    def _insert(
        self, conn: sqlite3.Connection, rows: list[RequestRow], defer_index: bool = False
    ) -> None:
        """Every row with its bodies, in a few multi-row INSERTs: a bulk run's batch costs
        little Python per row and a few sqlite3 steps in all. ``defer_index``: new bodies wait
        for :meth:`index_pending` (indexing is the largest part of a row's cost)."""
        digests: list[tuple[bytes | None, bytes | None, bytes | None]] = []
        wanted: dict[bytes, tuple[bytes, bool]] = {}  # digest -> (JSON, used as a request body)
        sha = hashlib.sha256
        for row in rows:
            slots: list[bytes | None] = []
            for index, raw in enumerate((row.body, row.before, row.after)):
                if raw is None:
                    slots.append(None)
                    continue
                digest = sha(raw).digest()
                slots.append(digest)
                known = wanted.get(digest)
                if known is None or (index == 0 and not known[1]):
                    wanted[digest] = (raw, index == 0)
            digests.append((slots[0], slots[1], slots[2]))
        ids = self._blob_ids_for(conn, wanted, defer_index) if wanted else {}
        recipients = {row.recipient_id for row in rows}
        insert_values(
            conn,
            "INSERT OR IGNORE INTO recipients(recipient_id, fold)",
            "(?, ?)",
            [(r, r.casefold()) for r in recipients],
        )
        insert_values(
            conn,
            "INSERT OR IGNORE INTO requests(id, time_us, environment, base_url, method, resource,"
            " rid, status, outcome, message, duration_ms, source, report, run_id, path,"
            " body_id, before_id, after_id)",
            "(?, ?, ?, ?, ?, ?, (SELECT rid FROM recipients WHERE recipient_id = ?),"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    row.id,
                    row.time_us,
                    row.environment,
                    row.base_url,
                    row.method,
                    row.resource,
                    row.recipient_id,
                    row.status,
                    row.outcome,
                    row.message,
                    row.duration_ms,
                    row.source,
                    row.report,
                    row.run_id,
                    row.path,
                    None if body is None else ids[body],
                    None if before is None else ids[before],
                    None if after is None else ids[after],
                )
                for row, (body, before, after) in zip(rows, digests, strict=True)
            ],
        )

    def _blob_ids_for(
        self, conn: sqlite3.Connection, wanted: dict[bytes, tuple[bytes, bool]], defer: bool
    ) -> dict[bytes, int]:
        """The blob id of each JSON text, inserting those not stored yet (and indexing the
        request bodies among them)."""
        cache = self._blob_ids
        if len(cache) > _BLOB_CACHE:
            cache.clear()
        ids: dict[bytes, int] = {}
        to_index: list[tuple[int, str]] = []
        marks: list[tuple[int, int]] = []  # (indexed, id) of stored blobs now used as bodies
        cached = {d: cache[d] for d in wanted if d in cache}
        if cached:
            present = _select_in(conn, "SELECT id, indexed FROM blobs WHERE id", cached.values())
            for digest, blob_id in cached.items():
                if blob_id in present:  # else pruned since: found or stored again below
                    ids[digest] = blob_id
                    raw, is_body = wanted[digest]
                    if is_body and self.fts:
                        self._index_later(present[blob_id][1], blob_id, raw, defer, to_index, marks)
        hashes = {d: _blob_hash(d) for d in wanted if d not in ids}
        same_hash: dict[int, list[Any]] = {}
        if hashes:
            found = _select_in(
                conn, "SELECT id, indexed, data, hash FROM blobs WHERE hash", set(hashes.values())
            )
            for row in found.values():
                same_hash.setdefault(row[3], []).append(row)
        new: list[tuple[int, int, int, int | None, str | bytes]] = []
        next_id = 0
        for digest, key in hashes.items():
            raw, is_body = wanted[digest]
            for row in same_hash.get(key, ()):
                if _raw(row[2]) == raw:  # the same text (63 bits alone could be another)
                    ids[digest] = row[0]
                    if is_body and self.fts:
                        self._index_later(row[1], row[0], raw, defer, to_index, marks)
                    break
            else:
                if not next_id:  # the write lock is held: nobody else takes ids meanwhile
                    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM blobs").fetchone()[
                        0
                    ]
                indexed = (0 if defer else 1) if is_body and self.fts else None
                new.append((next_id, key, len(raw), indexed, _stored_form(raw)))
                if indexed:
                    to_index.append((next_id, raw.decode("utf-8")))
                ids[digest] = next_id
                next_id += 1
        if new:
            insert_values(
                conn, "INSERT INTO blobs(id, hash, size, indexed, data)", "(?, ?, ?, ?, ?)", new
            )
        if marks:
            conn.executemany("UPDATE blobs SET indexed = ? WHERE id = ?", marks)
        if to_index:
            insert_values(conn, "INSERT INTO body_fts(rowid, text)", "(?, ?)", to_index)
        cache.update(ids)
        return ids

    @staticmethod
    def _index_later(
        indexed: int | None,
        blob_id: int,
        raw: bytes,
        defer: bool,
        to_index: list[tuple[int, str]],
        marks: list[tuple[int, int]],
    ) -> None:
        """A stored blob is now a request body: index it (now, or later when deferring)."""
        if indexed == 1 or (defer and indexed == 0):
            return
        if defer:
            marks.append((0, blob_id))
        else:
            marks.append((1, blob_id))
            to_index.append((blob_id, raw.decode("utf-8")))

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
        return self._with_bodies(conn, entry, row[16:19])

    def full(self, entry: HistoryEntry) -> HistoryEntry:
        """``entry`` with its bodies read (itself when it has them already)."""
        if not entry.partial:
            return entry
        return self.get(entry.id) or entry

    def _with_bodies(
        self, conn: sqlite3.Connection, entry: HistoryEntry, blob_ids: Sequence[int | None]
    ) -> HistoryEntry:
        values: list[Any] = []
        for blob_id in blob_ids:
            if blob_id is None:
                values.append(None)
                continue
            row = conn.execute("SELECT data FROM blobs WHERE id = ?", (blob_id,)).fetchone()
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
        return [self._with_bodies(conn, _row_entry(row)[0], row[16:19]) for row in rows]

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
            from profile_editor.storage.history import parse_status_filter

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
                # Bodies a bulk run wrote whose words are not indexed yet are scanned.
                _register_body_search(conn)
                where.append(
                    "(r.body_id IN (SELECT rowid FROM body_fts WHERE body_fts MATCH ?)"
                    " OR r.body_id IN (SELECT id FROM blobs WHERE indexed = 0"
                    " AND pe_body_has(data, ?)))"
                )
                params += [_fts_query(flt.text), flt.text.casefold()]
            else:
                _register_body_search(conn)
                where.append("r.body_id IN (SELECT id FROM blobs WHERE pe_body_has(data, ?))")
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
        self.index_pending()  # what bulk runs left for later, a bounded part per start
        return removed

    def _drop_orphans(self, conn: sqlite3.Connection) -> None:
        self._blob_ids.clear()
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS pe_used(id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM pe_used")
        for column in ("body_id", "before_id", "after_id"):
            conn.execute(
                f"INSERT OR IGNORE INTO pe_used SELECT {column} FROM requests"
                f" WHERE {column} IS NOT NULL"
            )
        if self.fts:
            # A contentless index forgets a text by being given it again.
            conn.execute(
                "INSERT INTO body_fts(body_fts, rowid, text) SELECT 'delete', id, pe_json(data)"
                " FROM blobs WHERE indexed = 1 AND id NOT IN (SELECT id FROM pe_used)"
            )
        conn.execute("DELETE FROM blobs WHERE id NOT IN (SELECT id FROM pe_used)")
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
        for chunk in chunks(prepared, 2000):
            self._write(functools.partial(self._insert, rows=list(chunk)))
        for path in files:
            with contextlib.suppress(OSError):
                os.replace(path, path.with_name(path.name + ".migrated"))
        return Migration(len(entries), unreadable, files)

    # -- measures -----------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        conn = self._conn()
        requests = conn.execute("SELECT count(*) FROM requests").fetchone()[0]
        blobs, stored, raw = conn.execute(
            "SELECT count(*), coalesce(sum(length(CAST(data AS BLOB))), 0), coalesce(sum(size), 0)"
            " FROM blobs"
        ).fetchone()
        return {"requests": requests, "blobs": blobs, "blob_bytes": stored, "json_bytes": raw}


def _rotation_index(path: Path) -> int:
    # history.jsonl is the newest (0), history.1.jsonl older, history.5.jsonl the oldest.
    parts = path.name.split(".")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def _read_jsonl(path: Path) -> tuple[list[HistoryEntry], int]:
    from profile_editor.storage.history import HistoryEntry

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


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of ``size`` (the last one shorter), in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_per_insert(conn: sqlite3.Connection, width: int) -> int:
    """How many rows of ``width`` values one INSERT takes: :data:`ROWS_PER_INSERT`, or fewer
    when this SQLite allows fewer variables in a statement (999 before 3.32)."""
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(ROWS_PER_INSERT, limit // max(1, width)))


def insert_values(
    conn: sqlite3.Connection, head: str, group: str, rows: Sequence[Sequence[Any]]
) -> None:
    """``head VALUES group, group, ...``: ``rows`` inserted a chunk per statement (one step
    each), not a step per row as with ``executemany``. ``group`` is one row's
    ``(?, ...)``; a ``?`` in a subquery counts as one of its values."""
    size = rows_per_insert(conn, group.count("?"))
    for chunk in chunks(rows, size):
        conn.execute(
            f"{head} VALUES {','.join([group] * len(chunk))}",
            [value for row in chunk for value in row],
        )


def _select_in(conn: sqlite3.Connection, select: str, values: Iterable[int]) -> dict[int, Any]:
    """``select`` (ending in a column) ``IN`` ``values``, by chunks: first column -> row."""
    found: dict[int, Any] = {}
    items = list(values)
    for chunk in chunks(items, 500):
        for row in conn.execute(f"{select} IN ({','.join('?' * len(chunk))})", chunk):
            found[row[0]] = row
    return found


def _register_body_search(conn: sqlite3.Connection) -> None:
    def has(data: str | bytes, needle: str) -> bool:
        text = _json_text(data)
        if text is None:
            return False
        text = text.casefold()
        return all(word in text for word in needle.split())

    conn.create_function("pe_body_has", 2, has, deterministic=True)


# -- preparing an entry (off the UI thread) ------------------------------------------------------


class RequestRow:
    """One request as it is inserted: an entry's fields with its bodies as compact JSON bytes.

    What :meth:`HistoryStore.append_many` makes of each entry, what a bulk run builds for each
    row directly (its body the bytes that were sent, so nothing is encoded twice), and what the
    command line's ``get`` records (:func:`load_row`).
    """

    __slots__ = (
        "after",
        "base_url",
        "before",
        "body",
        "duration_ms",
        "environment",
        "id",
        "message",
        "method",
        "outcome",
        "path",
        "recipient_id",
        "report",
        "resource",
        "run_id",
        "source",
        "status",
        "time_us",
    )

    def __init__(
        self,
        *,
        id: str,
        time_us: int,
        environment: str | None,
        base_url: str,
        method: str,
        resource: str,
        recipient_id: str,
        status: int | None,
        outcome: str,
        message: str,
        duration_ms: float,
        source: str,
        body: bytes | None,
        before: bytes | None = None,
        after: bytes | None = None,
        report: str | None = None,
        run_id: str | None = None,
        path: str | None = None,
    ) -> None:
        self.id = id
        self.time_us = time_us
        self.environment = environment
        self.base_url = base_url
        self.method = method
        self.resource = resource
        self.recipient_id = recipient_id
        self.status = status
        self.outcome = outcome
        self.message = message
        self.duration_ms = duration_ms
        self.source = source
        self.body = body
        self.before = before
        self.after = after
        self.report = report
        self.run_id = run_id
        self.path = path


def now_us() -> int:
    return time.time_ns() // 1000


def _compact(value: Any) -> bytes | None:
    if value is None:
        return None
    try:
        return json_bytes("".join(iter_compact(value)))
    except (TypeError, ValueError) as exc:
        raise StorageError(f"History entry is not plain JSON: {exc}") from exc


def load_row(
    request: ProfileRequest, outcome: Outcome, *, environment: str | None, source: str
) -> RequestRow:
    """A profile load as a row, the profile it read as the state after: what
    ``HistoryEntry.of_request`` records for a load, built without the entry model."""
    return RequestRow(
        id=new_entry_id(),
        time_us=now_us(),
        environment=environment,
        base_url=request.base_url,
        method=request.method.value,
        resource="profile",
        recipient_id=request.recipient_id,
        status=outcome.status_code,
        outcome=outcome.kind.value,
        message=outcome.message or outcome.summary,
        duration_ms=float(outcome.elapsed_ms),
        source=source,
        body=_compact(request.payload()),
        after=_compact(outcome.profile) if outcome.ok else None,
    )


def _scrubbed_rows(rows: Sequence[RequestRow], secrets: Iterable[str]) -> list[RequestRow]:
    keys = [s for s in secrets if s]
    if not keys:
        return list(rows)
    forms = secret_forms(keys)
    raw_forms = [f.encode("utf-8", "surrogatepass") for f in forms]
    # The whole batch searched at once first: a bulk run's rows almost never hold a key, and a
    # search per field of each row holds the GIL that the sending threads need. A match (or
    # one across two joined fields) sends every row through the exact test below.
    texts = "\n".join(
        t
        for row in rows
        for t in (
            row.recipient_id,
            row.message,
            row.base_url,
            row.environment,
            row.report,
            row.path,
        )
        if t
    )
    raws = b"\n".join(r for row in rows for r in (row.body, row.before, row.after) if r)
    if not any(f in texts for f in forms) and not any(f in raws for f in raw_forms):
        return list(rows)
    return [_scrubbed(row, keys, forms, raw_forms) for row in rows]


def _prepare(entry: HistoryEntry, secrets: Iterable[str]) -> RequestRow:
    """Scan for keys (masking what is found), then encode the bodies.

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
            entry.request_path,
        )
        if any(f in t for t in (*texts, *fields) if t for f in forms):
            entry = _masked(entry, keys)
            values = (entry.request_body, entry.profile_before, entry.profile_after)
            # Masking the data keeps it JSON; masking the text catches anything left.
            texts = [
                None if v is None else mask_text("".join(iter_compact(v)), keys) for v in values
            ]
    body, before, after = (None if t is None else json_bytes(t) for t in texts)
    return RequestRow(
        id=entry.id,
        time_us=_us(entry.time),
        environment=entry.environment,
        base_url=entry.base_url,
        method=entry.method,
        resource=entry.resource,
        recipient_id=entry.recipient_id,
        status=entry.status,
        outcome=entry.outcome,
        message=entry.message,
        duration_ms=float(entry.duration_ms),
        source=entry.source,
        body=body,
        before=before,
        after=after,
        report=entry.report,
        run_id=entry.run_id,
        path=entry.request_path,
    )


def _scrubbed(
    row: RequestRow, keys: list[str], forms: list[str], raw_forms: list[bytes]
) -> RequestRow:
    """``row`` itself when no key is in it; else masked, by way of the entry it stands for."""
    texts = (row.recipient_id, row.message, row.base_url, row.environment, row.report, row.path)
    raws = (row.body, row.before, row.after)
    if not any(f in t for t in texts if t for f in forms) and not any(
        f in r for r in raws if r for f in raw_forms
    ):
        return row
    from profile_editor.storage.history import HistoryEntry

    entry = HistoryEntry.model_construct(
        id=row.id,
        time=_from_us(row.time_us),
        environment=row.environment,
        base_url=row.base_url,
        method=row.method,
        resource=row.resource,
        recipient_id=row.recipient_id,
        request_body=None if row.body is None else loads_in_pieces(row.body),
        status=row.status,
        outcome=row.outcome,
        message=row.message,
        duration_ms=row.duration_ms,
        profile_before=None if row.before is None else loads_in_pieces(row.before),
        profile_after=None if row.after is None else loads_in_pieces(row.after),
        source=row.source,
        report=row.report,
        run_id=row.run_id,
        request_path=row.path,
        partial=False,
    )
    return _prepare(entry, keys)


def _masked(entry: HistoryEntry, keys: list[str]) -> HistoryEntry:
    update: dict[str, Any] = {}
    for name in ("request_body", "profile_before", "profile_after"):
        update[name] = mask_data(getattr(entry, name), keys)
    for name in ("recipient_id", "message", "base_url", "environment", "report", "request_path"):
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
    "request_path",
    "request_body",
    "profile_before",
    "profile_after",
)


def export_entries(
    entries: Iterable[HistoryEntry], dest: Path, *, fmt: str = "jsonl", secrets: Iterable[str] = ()
) -> int:
    """Write ``entries`` (in order) to ``dest`` atomically as JSON Lines or CSV; how many."""
    import csv

    from profile_editor.storage.atomic import atomic_write_text
    from profile_editor.storage.history import entry_to_line

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
