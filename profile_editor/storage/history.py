"""A history entry, its filters and its JSON Lines form.

The history itself is kept in SQLite (:mod:`profile_editor.storage.history_db`); the JSON Lines log
here (rotated by size) is what earlier versions wrote: read once to take it over, and the format
exports use.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from profile_editor.core.profile.jsoncodec import iter_compact, json_bytes
from profile_editor.core.recipient import profile_path
from profile_editor.storage.atomic import atomic_write_text
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history_ids import new_entry_id
from profile_editor.storage.secretscan import contains_secret, mask_data, mask_text

if TYPE_CHECKING:
    from profile_editor.core.http.models import Outcome, ProfileRequest
    from profile_editor.core.lists.requests import ListsRequest

CURRENT_NAME = "history.jsonl"
OUTCOMES = ("success", "api_error", "network_error", "cancelled")

_O_BINARY: int = getattr(os, "O_BINARY", 0)
_STATUS_CLASS = re.compile(r"^([1-5])xx$")
_STATUS_EXACT = re.compile(r"^[1-5]\d\d$")


_new_id = new_entry_id


def _now() -> datetime:
    return datetime.now(UTC)


class HistoryEntry(BaseModel):
    """One request that was sent (or attempted) and how it ended."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str = Field(default_factory=_new_id)
    time: datetime = Field(default_factory=_now)
    environment: str | None = None
    base_url: str
    method: str
    recipient_id: str
    request_body: Any = None
    status: int | None = None
    outcome: str
    message: str = ""
    duration_ms: float
    profile_before: dict[str, Any] | None = None
    profile_after: dict[str, Any] | None = None
    # Where the request came from: "window", "cli" or "bulk"; lines written before it say nothing.
    source: str = "window"
    # A bulk run's report file, so the one history entry of a run leads to its rows.
    report: str | None = None
    # "profile" (/profiles/{id}) or "lists" (/profiles/{id}/lists, a subscription change).
    resource: str = "profile"
    # The bulk run (its entry's id) a row of a bulk run belongs to.
    run_id: str | None = None
    # The request's path when it is not /profiles/{id}[/lists] (preferences, tokens, tenants...).
    request_path: str | None = None
    # Read back from the database without its bodies (request, before, after): see HistoryStore.full.
    partial: bool = Field(default=False, exclude=True)

    @property
    def is_lists(self) -> bool:
        return self.resource == "lists"

    @property
    def path(self) -> str:
        """The request's path, e.g. ``/profiles/abc/lists``."""
        if self.request_path is not None:
            return self.request_path
        return profile_path(self.recipient_id) + ("/lists" if self.is_lists else "")

    @classmethod
    def of_request(
        cls,
        request: ProfileRequest | ListsRequest,
        outcome: Outcome,
        *,
        environment: str | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        source: str = "window",
        at: datetime | None = None,
    ) -> HistoryEntry:
        """The entry for one request and how it ended (``at``: when it ended, if not now).

        Built without validation: every value comes from the app's own request and outcome,
        and validating would copy a 6 MB body and the profiles before and after on the UI
        thread. Every field is given, defaults too: pydantic inspects a default factory's
        signature on each call otherwise.
        """
        resource = getattr(request, "resource", "profile")
        # A profile's or its lists' path follows from the recipient; another resource's is kept.
        path = None
        if resource not in ("profile", "lists"):
            path = request.url[len(request.base_url.rstrip("/")) :]
        return cls._of_outcome(
            outcome,
            environment=environment,
            base_url=request.base_url,
            method=request.method.value,
            recipient_id=request.recipient_id,
            body=request.payload(),
            before=before,
            after=after,
            resource=resource,
            source=source,
            path=path,
            at=at,
        )

    @classmethod
    def of_write(
        cls,
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
        at: datetime | None = None,
    ) -> HistoryEntry:
        """The entry for a request to any resource (preferences, tokens, tenants...): its full
        URL is split into the base URL (``base_url`` when given, else scheme and host) and the
        path; the stored state before and after is that of the resource written."""
        if base_url and url.startswith(base_url.rstrip("/") + "/"):
            base, path = base_url.rstrip("/"), url[len(base_url.rstrip("/")) :]
        else:
            parts = urlsplit(url)
            base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
            path = url[len(base) :] or "/"
        return cls._of_outcome(
            outcome,
            environment=environment,
            base_url=base,
            method=str(method).upper(),
            recipient_id=recipient_id,
            body=body,
            before=before,
            after=after,
            resource=resource,
            source=source,
            path=path,
            at=at,
        )

    @classmethod
    def _of_outcome(
        cls,
        outcome: Outcome,
        *,
        environment: str | None,
        base_url: str,
        method: str,
        recipient_id: str,
        body: Any,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        resource: str,
        source: str,
        path: str | None,
        at: datetime | None,
    ) -> HistoryEntry:
        # Built without validation (see of_request); every field given, defaults too.
        return cls.model_construct(
            id=_new_id(),
            time=at or _now(),
            environment=environment,
            base_url=base_url,
            method=method,
            recipient_id=recipient_id,
            request_body=body,
            status=outcome.status_code,
            outcome=outcome.kind.value,
            message=outcome.message or outcome.summary,
            duration_ms=outcome.elapsed_ms,
            profile_before=before,
            profile_after=after,
            source=source,
            report=None,
            resource=resource,
            run_id=None,
            request_path=path,
            partial=False,
        )

    @field_validator("time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Plain JSON already (request bodies and profiles): written as they are, not re-serialized by
# pydantic, whose dump of a 6 MB profile is one long call that holds the GIL.
_BULKY_FIELDS = {"request_body", "profile_before", "profile_after"}


def entry_to_line(entry: HistoryEntry, secrets: Iterable[str] = ()) -> str:
    """One JSON line (no newline) with every secret replaced by ``****``.

    Encoded in pieces (see :func:`iter_compact`), so writing the history of a multi-megabyte
    send does not freeze the UI thread.
    """
    secrets = [s for s in secrets if s]
    small = entry.model_dump(mode="json", exclude=_BULKY_FIELDS)
    if small.get("request_path") is None:
        small.pop("request_path", None)  # profiles and lists: the line stays as it was
    data = {
        name: getattr(entry, name) if name in _BULKY_FIELDS else small[name]
        for name in type(entry).model_fields
        if name in _BULKY_FIELDS or name in small
    }
    try:
        line = "".join(iter_compact(data))
        if contains_secret(line, secrets):
            # Masking the data keeps the line valid JSON; masking the text catches anything left.
            line = mask_text("".join(iter_compact(mask_data(data, secrets))), secrets)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"History entry is not plain JSON: {exc}") from exc
    return line


EntryTest = Callable[[HistoryEntry], bool]


def parse_status_filter(status: str | None) -> EntryTest | None:
    """The test for a status filter; None when it lets everything through.

    ``"2xx"``…``"5xx"``, an exact code such as ``"404"``, ``"error"`` (no HTTP status: network
    error, cancelled), ``"ok"`` (succeeded) or ``"failed"``; ``None``, ``""`` or ``"all"``: all.
    """
    wanted = (status or "").strip().lower()
    if wanted in ("", "all"):
        return None
    if wanted == "ok":
        return lambda e: e.outcome == "success"
    if wanted == "failed":
        return lambda e: e.outcome != "success"
    if wanted == "error":
        return lambda e: e.status is None
    if m := _STATUS_CLASS.match(wanted):
        first = int(m.group(1))
        return lambda e: e.status is not None and e.status // 100 == first
    if _STATUS_EXACT.match(wanted):
        code = int(wanted)
        return lambda e: e.status == code
    raise ValueError(f"Unknown status filter {status!r}")


def filter_entries(
    entries: Iterable[HistoryEntry],
    *,
    recipient: str | None = None,
    status: str | None = None,
) -> list[HistoryEntry]:
    """Entries whose recipient ID contains ``recipient`` (any case) and whose status matches.

    ``status``: ``"2xx"``…``"5xx"``, an exact code such as ``"404"``, or ``"error"`` for
    requests that got no HTTP status (network error, cancelled). ``None``, ``""`` or
    ``"all"`` match everything.
    """
    needle = (recipient or "").strip().casefold()
    match_status = parse_status_filter(status)
    return [
        e
        for e in entries
        if (not needle or needle in e.recipient_id.casefold())
        and (match_status is None or match_status(e))
    ]


_DIRECTORY_LOCKS: dict[Path, threading.Lock] = {}
_DIRECTORY_LOCKS_GUARD = threading.Lock()


def _lock_for(directory: Path) -> threading.Lock:
    # One lock per folder, so two HistoryLog objects on the same folder don't interleave.
    key = directory.resolve()
    with _DIRECTORY_LOCKS_GUARD:
        return _DIRECTORY_LOCKS.setdefault(key, threading.Lock())


class HistoryLog:
    """``history.jsonl`` plus rotated ``history.1.jsonl`` … ``history.<backups>.jsonl``.

    :meth:`append` may be called from any thread. :attr:`skipped` tells how many lines the
    last :meth:`entries` call could not read (a torn last line after a crash, hand edits).
    """

    def __init__(self, directory: Path, *, max_bytes: int = 2_000_000, backups: int = 5) -> None:
        if max_bytes <= 0 or backups < 0:
            raise ValueError("max_bytes must be positive and backups not negative")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.backups = backups
        self.skipped = 0
        self._lock = _lock_for(self.directory)

    @property
    def path(self) -> Path:
        return self.directory / CURRENT_NAME

    def rotated_path(self, index: int) -> Path:
        return self.directory / f"history.{index}.jsonl"

    def files(self) -> list[Path]:
        """The log files that exist, newest first."""
        candidates = [self.path, *(self.rotated_path(i) for i in range(1, self.backups + 1))]
        return [p for p in candidates if p.exists()]

    def append(self, entry: HistoryEntry, *, secrets: Iterable[str] = ()) -> None:
        self.append_many([(entry, secrets)])

    def append_many(self, entries: Iterable[tuple[HistoryEntry, Iterable[str]]]) -> None:
        """Append several entries with one write and one fsync (a burst of sends).

        An entry that cannot be encoded does not keep the others out: they are written, then
        its error is raised.
        """
        lines: list[str] = []
        problem: StorageError | None = None
        for entry, secrets in entries:
            try:
                lines.append(entry_to_line(entry, secrets) + "\n")
            except StorageError as exc:
                problem = problem or exc
        with self._lock:
            try:
                self._append_lines([json_bytes(line) for line in lines])
            except OSError as exc:
                raise StorageError(f"Cannot write the history: {exc.strerror or exc}") from exc
        if problem is not None:
            raise problem

    def entries(self) -> list[HistoryEntry]:
        """All readable entries, newest first (the order they were appended, reversed)."""
        result: list[HistoryEntry] = []
        skipped = 0
        for path in self.files():
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for raw in reversed(data.split(b"\n")):
                if not raw.strip():
                    continue
                try:
                    result.append(HistoryEntry.model_validate_json(raw))
                except ValidationError:
                    try:  # pydantic's parser refuses "\ud800", valid JSON that json reads
                        result.append(HistoryEntry.model_validate(json.loads(raw)))
                    except ValueError:
                        skipped += 1
        self.skipped = skipped
        return result

    @staticmethod
    def filter(
        entries: Iterable[HistoryEntry],
        *,
        recipient: str | None = None,
        status: str | None = None,
    ) -> list[HistoryEntry]:
        return filter_entries(entries, recipient=recipient, status=status)

    @staticmethod
    def export(entries: Iterable[HistoryEntry], dest: Path, *, secrets: Iterable[str] = ()) -> None:
        """Write ``entries`` (in the given order) to ``dest`` as JSON Lines, atomically."""
        secrets = list(secrets)
        text = "".join(entry_to_line(e, secrets) + "\n" for e in entries)
        try:
            atomic_write_text(Path(dest), text)
        except OSError as exc:
            raise StorageError(f"Cannot write {Path(dest).name}: {exc.strerror or exc}") from exc

    def clear(self) -> None:
        """Delete the log and its rotated files."""
        with self._lock:
            for path in self.files():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    # -- internals ------------------------------------------------------------------------

    def _append_lines(self, lines: list[bytes]) -> None:
        """Write ``lines`` in as few appends as rotation allows: one, unless the file fills."""
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            size = 0
        chunk: list[bytes] = []
        for line in lines:
            if size > 0 and size + len(line) > self.max_bytes:
                if chunk:
                    self._append_bytes(b"".join(chunk))
                    chunk = []
                self._rotate()
                size = 0
            chunk.append(line)
            size += len(line)
        if chunk:
            self._append_bytes(b"".join(chunk))

    def _append_bytes(self, data: bytes) -> None:
        # Private: the log holds recipients' profile data.
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_BINARY, 0o600)
        try:
            end = os.lseek(fd, 0, os.SEEK_END)
            if end > 0:
                os.lseek(fd, end - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":
                    # A torn line from a crash: start on a fresh line so only it is lost.
                    data = b"\n" + data
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)

    def _rotate(self) -> None:
        if self.backups == 0:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.rotated_path(self.backups))
        for index in range(self.backups - 1, 0, -1):
            with contextlib.suppress(FileNotFoundError):
                os.replace(self.rotated_path(index), self.rotated_path(index + 1))
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path, self.rotated_path(1))
