"""Records every send (and list, preference, token and tenant change) in the history: shown at
once, written to disk by one draining writer."""

from __future__ import annotations

import contextlib
import queue
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from profile_editor.core.cooperate import background
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry, HistoryLog
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.history.panel import HistoryPanel
from profile_editor.ui.lists.controller import ListsChanged
from profile_editor.ui.request.controller import Sent, Verified

# Named only: the preferences, tokens and tenants tabs are imported after the first paint.
if TYPE_CHECKING:
    from profile_editor.core.users.record import UsersChanged

__all__ = ["HistoryRecorder"]

BURST_MS = 100
# An entry waiting to be written, with the secrets to mask in it.
_Pending = tuple[HistoryEntry, list[str]]


class HistoryRecorder(QObject):
    """Turns finished sends into history entries.

    One writer thread, so lines reach the file in the order the sends finished; one writer job
    drains every entry queued meanwhile, so sends in quick succession do not each pay for a job.

    Signals:
        writeFailed(str): the log could not be written; the sentence says why.
    """

    writeFailed = Signal(str)

    def __init__(
        self,
        log: HistoryLog,
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
        # Sends in quick succession are written by one job: a job (and an fsync) per send
        # would cost more than the send itself.
        self._burst_timer = QTimer(self)
        self._burst_timer.setSingleShot(True)
        self._burst_timer.setInterval(BURST_MS)
        self._burst_timer.timeout.connect(self._on_burst_timer)

    def on_sent(self, sent: Sent) -> None:
        if not sent.verifying:  # otherwise recorded once the re-load tells what is stored
            self._record(sent, None)

    def on_verified(self, verified: Verified) -> None:
        stored = verified.stored
        self._record(verified.sent, stored.profile if stored is not None else None)

    def on_lists_changed(self, changed: ListsChanged) -> None:
        plan = changed.plan
        self._add(
            HistoryEntry.of_request(
                plan.request, changed.outcome, environment=plan.target.environment
            )
        )

    def on_users_changed(self, changed: UsersChanged, environment: str | None) -> None:
        """A preference, token or tenant write, with the stored item before and after."""
        outcome = changed.outcome
        # IDs travel percent-encoded, so the last "/users/" starts the request's own path.
        base_url = changed.url.rsplit("/users/", 1)[0]
        entry = HistoryEntry.model_construct(
            id=uuid.uuid4().hex,
            time=datetime.now(UTC),
            environment=environment,
            base_url=base_url,
            method=changed.method,
            recipient_id=changed.recipient_id,
            request_body=changed.body,
            status=outcome.status_code,
            outcome=outcome.kind.value,
            message=outcome.message or outcome.summary,
            duration_ms=outcome.elapsed_ms,
            profile_before=changed.before,
            profile_after=changed.after,
            resource=changed.resource,
            source="window",
            report=None,
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

    def _add(self, entry: HistoryEntry) -> None:
        self._panel.add_entry(entry)
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
        if self._closed:
            return
        problem = (
            str(exc) if isinstance(exc, StorageError) else f"Cannot write the history: {exc!r}"
        )
        self._panel.set_note(problem)
        self.writeFailed.emit(problem)

    def shutdown(self) -> None:
        """Join the writer (bounded), then write out whatever it did not get to."""
        self._closed = True
        self._burst_timer.stop()
        self._runner.shutdown(3000)
        # Nowhere is left to tell of a failure now.
        with contextlib.suppress(StorageError):
            self._log.append_many(_take_all(self._queue))


def _take_all(pending: queue.SimpleQueue[_Pending]) -> list[_Pending]:
    batch: list[_Pending] = []
    with contextlib.suppress(queue.Empty):
        while True:
            batch.append(pending.get_nowait())
    return batch
