"""Records every request the window makes (loads, sends and their verifications; list,
preference, token and tenant changes) in the history: shown at once, written to the database by
one draining writer."""

from __future__ import annotations

import contextlib
import queue
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from profile_editor.core.cooperate import background
from profile_editor.core.http.models import ProfileRequest
from profile_editor.core.methods import Method
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry
from profile_editor.storage.history_db import HistoryStore
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.history.panel import HistoryPanel
from profile_editor.ui.lists.controller import ListsChanged, ListsRead
from profile_editor.ui.request.controller import Loaded, Sent, Verified

# Named only: the preferences, tokens and tenants tabs are imported after the first paint.
if TYPE_CHECKING:
    from profile_editor.core.users.record import UsersChanged

__all__ = ["HistoryRecorder"]

BURST_MS = 100
# An entry waiting to be written, with the secrets to mask in it.
_Pending = tuple[HistoryEntry, list[str]]


class HistoryRecorder(QObject):
    """Turns finished sends into history entries.

    One writer thread, so rows reach the database in the order the sends finished; one writer
    job drains every entry queued meanwhile (one transaction), so sends in quick succession do not
    each pay for a job. When the database cannot be written (a full disk, a read-only folder) the
    recorder says so once and turns history off; the panel still shows this session's requests.

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
        self._runner = JobRunner(self, max_threads=1)
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._writing = False
        self._closed = False
        self._off = ""  # why history is off, once writing failed
        # Sends in quick succession are written by one job: a job (and an fsync) per send
        # would cost more than the send itself.
        self._burst_timer = QTimer(self)
        self._burst_timer.setSingleShot(True)
        self._burst_timer.setInterval(BURST_MS)
        self._burst_timer.timeout.connect(self._on_burst_timer)

    def on_loaded(self, loaded: Loaded) -> None:
        """A load is a request too: recorded with the profile it read as the state after."""
        stored = loaded.stored
        self._add(
            HistoryEntry.of_request(
                loaded.request,
                loaded.outcome,
                environment=loaded.environment,
                after=stored.profile if stored is not None else None,
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
            HistoryEntry.of_request(
                reload,
                verified.outcome,
                environment=verified.sent.plan.target.environment,
                after=after,
            )
        )

    def on_lists_changed(self, changed: ListsChanged) -> None:
        plan = changed.plan
        self._add(
            HistoryEntry.of_request(
                plan.request, changed.outcome, environment=plan.target.environment
            )
        )

    def on_lists_read(self, read: ListsRead) -> None:
        """Each page request of a read of the subscriptions, a row of its own."""
        for request, outcome in read.pages:
            self._add(HistoryEntry.of_request(request, outcome, environment=read.environment))

    def on_users_changed(self, changed: UsersChanged, environment: str | None) -> None:
        """A preference, token or tenant write, with the stored item before and after."""
        entry = HistoryEntry.of_write(
            resource=changed.resource,
            method=changed.method,
            url=changed.url,
            recipient_id=changed.recipient_id,
            body=changed.body,
            outcome=changed.outcome,
            before=changed.before,
            after=changed.after,
            environment=environment,
            # IDs travel percent-encoded, so the last "/users/" starts the request's own path.
            base_url=changed.url.rsplit("/users/", 1)[0],
        )
        self._add(entry)

    def _record(self, sent: Sent, after: dict[str, object] | None) -> None:
        entry = HistoryEntry.of_request(
            sent.plan.request,
            sent.outcome,
            environment=sent.plan.target.environment,
            before=sent.before,
            after=after,
        )
        self._add(entry)

    @property
    def off(self) -> str:
        """Why history is off ("" while it is kept)."""
        return self._off

    def on_store_failed(self, problem: str) -> None:
        """The database could not be opened: history is off; queued entries are dropped."""
        self._off = problem
        _take_all(self._queue)

    def _add(self, entry: HistoryEntry) -> None:
        self._panel.add_entry(entry)
        if self._off:
            return
        self._queue.put((entry, self._secrets()))
        if not self._burst_timer.isActive() and not self._writing and not self._closed:
            self._start_writer()  # the first of a burst at once, the others together
            self._burst_timer.start()

    def _on_burst_timer(self) -> None:
        if not self._queue.empty() and not self._writing and not self._closed:
            self._start_writer()
            self._burst_timer.start()

    def _start_writer(self) -> None:
        log, pending = self._log, self._queue

        def drain(_progress: Progress) -> None:
            with background():
                while batch := _take_all(pending):
                    log.append_many(batch)  # one write and one fsync for the lot

        self._writing = True
        job = Job(drain).on_finished(self._on_drained).on_failed(self._on_write_failed)
        self._runner.run(job)

    def _on_drained(self, _result: None) -> None:
        self._writing = False
        if not self._queue.empty() and not self._closed and not self._burst_timer.isActive():
            self._start_writer()  # queued after the writer's last look

    def _on_write_failed(self, exc: Exception) -> None:
        self._on_drained(None)
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
        """Join the writer (bounded), then write out whatever it did not get to."""
        self._closed = True
        self._burst_timer.stop()
        self._runner.shutdown(3000)
        # Nowhere is left to tell of a failure now.
        if not self._off:
            with contextlib.suppress(StorageError):
                self._log.append_many(_take_all(self._queue))


def _take_all(pending: queue.SimpleQueue[_Pending]) -> list[_Pending]:
    batch: list[_Pending] = []
    with contextlib.suppress(queue.Empty):
        while True:
            batch.append(pending.get_nowait())
    return batch
