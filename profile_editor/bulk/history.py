"""A bulk run in the history: one entry for the run (what ran, how it ended, its report) and one
for each row sent, pointing at the run's entry."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profile_editor.bulk.runner import RunCounts
from profile_editor.core.methods import Method
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry, new_entry_id
from profile_editor.storage.history_db import RequestRow, now_us
from profile_editor.storage.history_ids import entry_ids

if TYPE_CHECKING:
    from profile_editor.core.http.models import Outcome
    from profile_editor.storage.history_db import HistoryStore

# Rows written per transaction at most: one sync per batch, not per row.
BATCH = 2000
# The writer wakes this often while a run goes on.
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


# What on_sent keeps of a row until the writer takes it: time_us, base_url, method, resource,
# recipient_id, status, outcome, message, duration_ms, body, and the URL when the resource is
# not a profile. Only strings, numbers, bytes and None: nothing the garbage collector walks
# (the tuple itself is untracked at its first collection), however many rows wait.
Waiting = tuple[int, str, str, str, str, int | None, str, str, float, bytes | None, str | None]


class RowRecorder:
    """Records each row a run sends as a history entry of its own (``run_id`` = the run's
    entry), written in batches by a thread of its own so the run never waits for the disk.

    :meth:`on_sent` is the run's hook (called from its worker threads): it only appends a plain
    tuple of what the row sent (its body the bytes that were sent) to a deque, so a row costs
    the run a few microseconds; the writer wakes every :data:`FLUSH_S`, gives the waiting rows
    their ids and inserts a batch per transaction. :meth:`close` writes what is left and tells
    how many rows were recorded. A failure to write stops the recording (the run goes on) and
    is kept in :attr:`error`.
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
        # deque.append and popleft are atomic: no lock between the senders and the writer.
        self._waiting: deque[Waiting] = deque()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._write, name="bulk-history", daemon=True)
        self._thread.start()

    def on_sent(self, request: Any, outcome: Outcome) -> None:
        """``request``: the row's ProfileRequest, or the users request of a preference row."""
        if self.error is not None:
            return
        resource = getattr(request, "resource", "profile")
        self._waiting.append(
            (
                now_us(),
                request.base_url,
                request.method.value,
                resource,
                request.recipient_id,
                outcome.status_code,
                outcome.kind.value,
                outcome.message or outcome.summary,
                outcome.elapsed_ms,
                request.body_bytes(),  # encoded once, for the send
                # A profile row's path follows from its recipient; another resource's is kept.
                None if resource == "profile" else request.url,
            )
        )

    def close(self) -> int:
        self._closing.set()
        self._thread.join()
        return self.recorded

    def _write(self) -> None:
        waiting = self._waiting
        while True:
            # Asleep between batches, not woken at each row: a thread woken for every row costs
            # the run more (in GIL hand-offs) than writing the row does.
            closing = self._closing.wait(FLUSH_S)
            # What gathered until now, a batch at a time; rows sent meanwhile wait for the next
            # look (written at once, they would make many small batches, each costing the run
            # nearly as much as a full one).
            count = len(waiting)
            while count and self.error is None:  # after a failure the rows are let go
                take = min(count, BATCH)
                self._flush([waiting.popleft() for _ in range(take)])
                count -= take
            if closing:  # the run has ended: nothing came after what was just written
                return

    def _flush(self, batch: list[Waiting]) -> None:
        if self.error is not None:
            return
        environment, source, run_id = self._environment, self._source, self.run_id
        rows = [
            RequestRow(
                id=entry_id,
                time_us=time_us,
                environment=environment,
                base_url=base_url,
                method=method,
                resource=resource,
                recipient_id=recipient_id,
                status=status,
                outcome=outcome,
                message=message,
                duration_ms=duration_ms,
                source=source,
                body=body,
                run_id=run_id,
                path=None if url is None else url[len(base_url.rstrip("/")) :],
            )
            for entry_id, (
                time_us,
                base_url,
                method,
                resource,
                recipient_id,
                status,
                outcome,
                message,
                duration_ms,
                body,
                url,
            ) in zip(entry_ids([w[0] for w in batch]), batch, strict=True)
        ]
        try:
            self._store.append_rows(rows, secrets=self._secrets)
            self.recorded += len(rows)
        except StorageError as exc:
            self.error = exc
            self._waiting.clear()  # nothing more is written: let the rows go
