"""A bulk run in the history: one entry for the run (what ran, how it ended, its report) and one
for each row sent, pointing at the run's entry."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profile_editor.bulk.runner import RunCounts
from profile_editor.core.methods import Method
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry, new_entry_id
from profile_editor.storage.history_db import RequestRow, now_us

if TYPE_CHECKING:
    from profile_editor.core.http.models import Outcome
    from profile_editor.storage.history_db import HistoryStore

# Rows written per transaction at most: one sync per batch, not per row.
BATCH = 2000
# The writer wakes this often while a run goes on, not at each row: a thread woken for every
# row costs the run more (in GIL hand-offs) than writing the row does.
FLUSH_S = 0.25


def new_run_entry_id() -> str:
    return new_entry_id()


def run_entry(
    *,
    environment: str | None,
    base_url: str,
    method: Method,
    input_path: Path,
    counts: RunCounts,
    duration_ms: float,
    report: Path | None,
    source: str,
    interrupted: bool = False,
    entry_id: str | None = None,
    resource: str = "profile",
) -> HistoryEntry:
    ended = "cancelled" if interrupted or counts.cancelled else None
    outcome = ended or ("success" if counts.all_ok else "api_error")
    return HistoryEntry(
        id=entry_id or new_run_entry_id(),
        environment=environment,
        base_url=base_url,
        method=method.value,
        recipient_id=f"bulk: {input_path.name}",
        request_body={
            "bulk": {
                "file": str(input_path),
                "done": counts.done,
                "failed": counts.failed,
                "bad": counts.bad,
                "cancelled": counts.cancelled,
                "already_done": counts.skipped,
            }
        },
        outcome=outcome,
        message=f"Bulk apply of {input_path.name}: {counts.summary()}",
        duration_ms=duration_ms,
        source=source,
        report=str(report) if report is not None else None,
        resource=resource,
    )


class RowRecorder:
    """Records each row a run sends as a history entry of its own (``run_id`` = the run's
    entry), written in batches by a thread of its own so the run never waits for the disk.

    :meth:`on_sent` is the run's hook (called from its worker threads): it only queues a plain
    row holding the body bytes that were sent, so a row costs the run a few microseconds; the
    writer inserts a batch per transaction. :meth:`close` writes what is left and tells how many
    rows were recorded. A failure to write stops the recording (the run goes on) and is kept in
    :attr:`error`.
    """

    def __init__(
        self,
        store: HistoryStore,
        *,
        run_id: str,
        environment: str | None,
        source: str,
        secrets: list[str],
    ) -> None:
        self.run_id = run_id
        self.recorded = 0
        self.error: StorageError | None = None
        self._store = store
        self._environment = environment
        self._source = source
        self._secrets = secrets
        self._queue: queue.SimpleQueue[RequestRow | None] = queue.SimpleQueue()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._write, name="bulk-history", daemon=True)
        self._thread.start()

    def on_sent(self, request: Any, outcome: Outcome) -> None:
        """``request``: the row's ProfileRequest, or the users request of a preference row."""
        if self.error is not None:
            return
        resource = getattr(request, "resource", "profile")
        base = request.base_url.rstrip("/")
        self._queue.put(
            RequestRow(
                id=new_entry_id(),
                time_us=now_us(),
                environment=self._environment,
                base_url=request.base_url,
                method=request.method.value,
                resource=resource,
                recipient_id=request.recipient_id,
                status=outcome.status_code,
                outcome=outcome.kind.value,
                message=outcome.message or outcome.summary,
                duration_ms=outcome.elapsed_ms,
                source=self._source,
                body=request.body_bytes(),  # encoded once, for the send
                run_id=self.run_id,
                # A profile row's path follows from its recipient; another resource's is kept.
                path=None if resource == "profile" else request.url[len(base) :],
            )
        )

    def close(self) -> int:
        self._queue.put(None)
        self._closing.set()
        self._thread.join()
        return self.recorded

    def _write(self) -> None:
        done = False
        while not done:
            first = self._queue.get()  # asleep until the run sends its first row
            self._closing.wait(FLUSH_S)  # then let rows gather
            batch: list[RequestRow] = []
            item: RequestRow | None = first
            while True:
                if item is None:
                    done = True
                else:
                    batch.append(item)
                if len(batch) >= BATCH or (done and batch):
                    self._flush(batch)
                    batch = []
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._flush(batch)

    def _flush(self, batch: list[RequestRow]) -> None:
        if self.error is not None:
            return
        try:
            self._store.append_rows(batch, secrets=self._secrets)
            self.recorded += len(batch)
        except StorageError as exc:
            self.error = exc
