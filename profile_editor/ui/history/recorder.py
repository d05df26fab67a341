"""Records every request the window makes (loads, sends and their verifications; list,
preference, token and tenant changes) in the history: shown at once (a burst of requests, at the
end of each ``BURST_MS``), written to the database a burst at a time by one long-lived writer
thread."""

from __future__ import annotations

import contextlib
import functools
import queue
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from profile_editor.core.cooperate import background
from profile_editor.core.http.cancel import CancelToken
from profile_editor.core.http.models import ProfileRequest
from profile_editor.core.methods import Method
from profile_editor.diagnostics.masking import registered_secrets
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry
from profile_editor.storage.history_db import HistoryStore
from profile_editor.ui.common.workers import Job, JobThread, Progress
from profile_editor.ui.history.panel import HistoryPanel
from profile_editor.ui.lists.controller import ListsChanged, ListsRead
from profile_editor.ui.request.controller import Loaded, Sent, Verified

# Named only: the preferences, tokens and tenants tabs are imported after the first paint.
if TYPE_CHECKING:
    from profile_editor.core.users.record import UsersChanged

__all__ = ["HistoryRecorder"]

BURST_MS = 100
# How long a burst's entries may wait for the burst to pause before they are written anyway.
WRITE_WITHIN_MS = 500
# How long a closing window waits for the writer to write what is queued.
SHUTDOWN_MS = 3000
# An entry waiting to be written, with the secrets to mask in it.
_Pending = tuple[HistoryEntry, list[str]]


class _Maker(Protocol):
    """Makes the entry of a request that ended, given the time it ended: now, or with its
    burst."""

    def __call__(self, *, at: datetime) -> HistoryEntry: ...


class HistoryRecorder(QObject):
    """Turns finished sends into history entries.

    The first request after a quiet moment is shown at once; those that end within ``BURST_MS``
    of it are shown together when that time is up (and so on while the burst lasts): making an
    entry costs the UI thread more, one by one between sends, than the send itself. Entries are
    made in the order their requests ended, with the time each ended. They are written once the
    burst pauses, or every ``WRITE_WITHIN_MS`` while it lasts: a write competes with the sends
    for the CPU.

    One long-lived writer thread, so rows reach the database in the order the sends finished; it
    waits for entries and writes those handed over together in one transaction (one fsync).
    When the database cannot be written (a full disk, a read-only folder) the recorder says so
    once and turns history off; the panel still shows this session's requests.

    Signals:
        writeFailed(str): the history could not be written; the sentence says why.
    """

    writeFailed = Signal(str)

    def __init__(
        self,
        log: HistoryStore,
        panel: HistoryPanel,
        secrets: Callable[[], list[str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._log = log
        self._panel = panel
        self._secrets = secrets
        # One long-lived writer that waits for entries: handing one over is a put on a queue,
        # where a pool job (and a timer to gather a burst) per burst cost the UI thread more.
        self._writer = JobThread(self, name="profile-editor-history")
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._serving = False
        self._closed = False
        self._off = ""  # why history is off, once writing failed
        # The burst's requests not recorded yet, each with the time it ended.
        self._waiting: list[tuple[_Maker, datetime]] = []
        # Entries shown, written once the burst pauses (see flush), and since when they wait.
        self._unwritten: list[HistoryEntry] = []
        self._unwritten_since = 0.0
        self._burst = QTimer(self)
        self._burst.setSingleShot(True)
        self._burst.setInterval(BURST_MS)
        self._burst.timeout.connect(self.flush)

    def on_loaded(self, loaded: Loaded) -> None:
        """A load is a request too: recorded with the profile it read as the state after."""
        stored = loaded.stored
        self._add(
            lambda at: HistoryEntry.of_request(
                loaded.request,
                loaded.outcome,
                environment=loaded.environment,
                after=stored.profile if stored is not None else None,
                at=at,
            )
        )

    def on_sent(self, sent: Sent) -> None:
        if not sent.verifying:  # otherwise recorded once the re-load tells what is stored
            self._record(sent, None)

    def on_verified(self, verified: Verified) -> None:
        stored = verified.stored
        after = stored.profile if stored is not None else None
        self._record(verified.sent, after)
        # The re-load is a request of its own, recorded after the send it checks.
        request = verified.sent.plan.request
        reload = ProfileRequest(request.base_url, request.recipient_id, Method.GET)
        self._add(
            lambda at: HistoryEntry.of_request(
                reload,
                verified.outcome,
                environment=verified.sent.plan.target.environment,
                after=after,
                at=at,
            )
        )

    def on_lists_changed(self, changed: ListsChanged) -> None:
        plan = changed.plan
        self._add(
            lambda at: HistoryEntry.of_request(
                plan.request, changed.outcome, environment=plan.target.environment, at=at
            )
        )

    def on_lists_read(self, read: ListsRead) -> None:
        """Each page request of a read of the subscriptions, a row of its own."""
        for request, outcome in read.pages:
            self._add(
                functools.partial(
                    HistoryEntry.of_request, request, outcome, environment=read.environment
                )
            )

    def on_users_changed(self, changed: UsersChanged, environment: str | None) -> None:
        """A preference, token or tenant write, with the stored item before and after."""
        self._add(
            lambda at: HistoryEntry.of_write(
                resource=changed.resource,
                method=changed.method,
                url=changed.url,
                recipient_id=changed.recipient_id,
                body=changed.body,
                outcome=changed.outcome,
                before=changed.before,
                after=changed.after,
                environment=environment,
                # IDs travel percent-encoded, so the last "/users/" starts the request's path.
                base_url=changed.url.rsplit("/users/", 1)[0],
                at=at,
            )
        )

    def _record(self, sent: Sent, after: dict[str, object] | None) -> None:
        self._add(
            lambda at: HistoryEntry.of_request(
                sent.plan.request,
                sent.outcome,
                environment=sent.plan.target.environment,
                before=sent.before,
                after=after,
                at=at,
            )
        )

    @property
    def off(self) -> str:
        """Why history is off ("" while it is kept)."""
        return self._off

    def on_store_failed(self, problem: str) -> None:
        """The database could not be opened: history is off; queued entries are dropped."""
        self._off = problem
        _take_all(self._queue)

    def _add(self, make: _Maker) -> None:
        """Record a request that ended now: at once, or with the rest of its burst."""
        at = datetime.now(UTC)
        if self._waiting or self._burst.isActive():
            self._waiting.append((make, at))
            return
        self._burst.start()
        self._keep([make(at=at)])

    def flush(self) -> None:
        """Record the burst's requests that wait (the burst's timer does this each ``BURST_MS``
        while requests keep coming); once the burst pauses, write what it recorded."""
        waiting, self._waiting = self._waiting, []
        if not waiting:
            self._write_held()
            return
        if not self._closed:
            self._burst.start()  # the burst may go on
        # One entry that cannot be made (a bug) must not cost the others theirs: it surfaces
        # once they are kept.
        entries: list[HistoryEntry] = []
        error: Exception | None = None
        for make, at in waiting:
            try:
                entries.append(make(at=at))
            except Exception as exc:
                error = error or exc
        self._keep(entries)
        if time.monotonic() - self._unwritten_since >= WRITE_WITHIN_MS / 1000:
            self._write_held()  # a long burst: written as it goes too
        if error is not None:
            raise error

    def _keep(self, entries: list[HistoryEntry]) -> None:
        """Show ``entries`` now; write them once the burst pauses: a write (and its fsync)
        competes with the sends for the CPU, and one for the burst costs less than one per send
        or per update."""
        for entry in entries:
            self._panel.add_entry(entry)
        if not self._unwritten:
            self._unwritten_since = time.monotonic()
        self._unwritten.extend(entries)

    def _write_held(self) -> None:
        entries, self._unwritten = self._unwritten, []
        if not entries or self._off:
            return
        # Every key known now, and every key a request was sent with (the bar's key may have
        # changed since the burst's first request).
        secrets = sorted({*self._secrets(), *registered_secrets()})
        for entry in entries:
            self._queue.put((entry, secrets))
        if not self._serving and not self._closed:
            self._start_writer()

    def _start_writer(self) -> None:
        log, pending = self._log, self._queue
        # Cancelled by the writer's shutdown (the window's close, or the exit hook): the entries
        # queued before then are written, then the writer ends.
        stop = CancelToken(abort=lambda: pending.put(None))

        def serve(_progress: Progress) -> None:
            with background():
                while True:
                    # A burst at a time: the recorder gathers it (see flush).
                    batch, ended = _take_batch(pending)  # waits for the first entry
                    if batch:
                        log.append_many(batch)  # one write and one fsync for the lot
                    if ended:
                        return

        self._serving = True
        self._writer.run(Job(serve, token=stop).on_failed(self._on_write_failed))

    def _on_write_failed(self, exc: Exception) -> None:
        self._serving = False
        if self._closed or self._off:
            return
        problem = (
            str(exc) if isinstance(exc, StorageError) else f"Cannot write the history: {exc!r}"
        )
        # One message, not one per send: what is queued is dropped and nothing more is queued.
        self._off = f"{problem.rstrip('.')}. History is off until the app restarts."
        _take_all(self._queue)
        self._panel.set_note(self._off)
        self.writeFailed.emit(self._off)

    def shutdown(self) -> None:
        """End the writer once it has written what was queued (bounded wait), then write out
        whatever it did not get to: no thread outlives the window."""
        self._burst.stop()
        self.flush()  # the burst's last requests are recorded too
        self._write_held()
        self._closed = True
        self._writer.shutdown(SHUTDOWN_MS)
        if self._writer.is_alive():
            # Still in a slow write: the end mark queued behind the entries ends it once they
            # are written (taking them here would take the mark too, and leave it waiting).
            return
        # Nowhere is left to tell of a failure now.
        left = _take_all(self._queue)  # only when the writer never started or failed
        if left and not self._off:
            with contextlib.suppress(StorageError):
                self._log.append_many(left)

    def writer_alive(self) -> bool:
        """Whether the writer thread is running (it starts with the first entry)."""
        return self._writer.is_alive()


def _take_batch(pending: queue.SimpleQueue[_Pending | None]) -> tuple[list[_Pending], bool]:
    """Wait for an entry, then take it and every one queued after it; True once the end mark
    (None) was taken, which comes after every entry meant to be written."""
    batch: list[_Pending] = []
    item = pending.get()
    with contextlib.suppress(queue.Empty):
        while item is not None:
            batch.append(item)
            item = pending.get_nowait()
    return batch, item is None


def _take_all(pending: queue.SimpleQueue[_Pending | None]) -> list[_Pending]:
    """Every entry queued now, without waiting (end marks skipped)."""
    batch: list[_Pending] = []
    with contextlib.suppress(queue.Empty):
        while True:
            item = pending.get_nowait()
            if item is not None:
                batch.append(item)
    return batch
