"""Sends the rows of a bulk run on a few threads, through the window's send plan and client.

Each row becomes a :class:`Draft` and is planned by :func:`plan` like a send from the window
(same recipient-ID rules, same request, same retries and outcome mapping in
:meth:`ProfilesClient.execute`), with an Idempotency-Key derived from the run and the row.
A 429 slows the whole run (see :mod:`.rate`); a row that still ends on 429 waits its turn and is
sent again with the same key, a bounded number of times. Other failures are reported and the
run goes on.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from profile_editor.bulk.journal import Journal, row_key
from profile_editor.bulk.rate import RunRate
from profile_editor.bulk.report import KeyChange, RowResult
from profile_editor.bulk.rows import BadRow, Kind, Row
from profile_editor.core.http.cancel import CancelToken
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.methods import Method
from profile_editor.core.profile.changes import ChangeKind, compute_changes
from profile_editor.core.send.draft import Draft
from profile_editor.core.send.plan import Refusal, Target, plan, plan_load

if TYPE_CHECKING:
    from profile_editor.bulk.preference_input import PreferenceRow
    from profile_editor.bulk.preference_send import PreferenceSender
    from profile_editor.core.http.client import ApiRequest, ProfilesClient
    from profile_editor.core.http.models import Outcome

# Sends one request: the client's ``execute``, or ``execute_users`` bound to the client.
Sender = Callable[..., "Outcome"]

# How often one row may end on 429 and be queued again before it counts as failed.
MAX_THROTTLED_ROUNDS = 8


@dataclass
class RunCounts:
    """Running totals; ``skipped`` rows had finished in the journal of the run being resumed."""

    done: int = 0
    failed: int = 0
    bad: int = 0
    cancelled: int = 0
    skipped: int = 0
    would_change: int = 0
    no_change: int = 0
    throttled: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.bad + self.would_change + self.no_change

    @property
    def all_ok(self) -> bool:
        return self.failed == 0 and self.bad == 0 and self.cancelled == 0

    def summary(self) -> str:
        parts = []
        for label, value in (
            ("done", self.done),
            ("would change", self.would_change),
            ("no change", self.no_change),
            ("failed", self.failed),
            ("bad", self.bad),
            ("cancelled", self.cancelled),
            ("already done", self.skipped),
        ):
            if value:
                parts.append(f"{value:,} {label}")
        return ", ".join(parts) or "no rows"


# Called from the worker threads with each request sent and how it ended.
# Each request a row sends, as it ends: a ProfileRequest, or a users request (preference rows).
SentHook = Callable[[Any, "Outcome"], None]


class BulkRunner:
    """One run. :meth:`run` blocks until the rows are done or the run is cancelled;
    :meth:`pause`, :meth:`resume` and :meth:`cancel` may be called from any thread, and
    :meth:`interrupt` from a signal handler."""

    def __init__(
        self,
        *,
        client: ProfilesClient,
        api_key: str | None,
        target: Target,
        method: Method,
        run_id: str,
        dry_run: bool = False,
        concurrency: int = 4,
        journal: Journal | None = None,
        skip: Iterable[int] = (),
        on_result: Callable[[RowResult], None] | None = None,
        on_sent: SentHook | None = None,
        cancel: CancelToken | None = None,
        rate: RunRate | None = None,
        retry: RetryPolicy | None = None,
        kind: Kind = "profile",
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be 1 or more")
        self._client = client
        self._key = api_key
        self._target = target
        self._method = method
        self._run_id = run_id
        self._dry_run = dry_run
        self._concurrency = concurrency
        self._journal = journal
        self._skip = set(skip)
        self._on_result = on_result
        self._on_sent = on_sent
        self._cancel = cancel or CancelToken()
        self.rate = rate or RunRate()
        self._retry = retry or RetryPolicy()
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()
        self.counts = RunCounts()
        self._preferences: PreferenceSender | None = None
        if kind == "preferences":
            from profile_editor.bulk.preference_send import PreferenceSender

            self._preferences = PreferenceSender(target, client, self._execute, on_sent)
        # Why the run stopped by itself (a journal or report write failed); raised by run().
        self.error: Exception | None = None
        self._interrupted = False

    # -- control --------------------------------------------------------------------------
    def pause(self) -> None:
        """Rows in flight finish; no new row starts until :meth:`resume`."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def cancel(self) -> None:
        self._cancel.cancel()
        self._running.set()  # wake paused workers so they can stop

    def interrupt(self) -> None:
        """Ctrl+C: :meth:`run` cancels the run within 0.1 s, then raises KeyboardInterrupt.

        Only a flag is set here. A signal handler runs between any two bytecodes of the thread
        in :meth:`run`: there it may hold a lock that :meth:`cancel` takes, and an exception
        raised there (Python's own KeyboardInterrupt) can leave a lock held, e.g. the row
        queue's as ``with`` leaves it, and the run waiting for it forever.
        """
        self._interrupted = True

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_cancelled()

    def _stopping(self) -> bool:
        """Whether the run is cancelled; cancels it first when it was interrupted."""
        if self._interrupted and not self._cancel.is_cancelled():
            self.cancel()
        return self._cancel.is_cancelled()

    def snapshot(self) -> RunCounts:
        with self._lock:
            return RunCounts(**vars(self.counts))

    # -- running --------------------------------------------------------------------------
    def run(self, rows: Iterable[Row | PreferenceRow | BadRow]) -> RunCounts:
        pending: queue.Queue[Row | PreferenceRow | None] = queue.Queue(
            maxsize=self._concurrency * 2
        )
        workers = [
            threading.Thread(target=self._work, args=(pending,), name=f"bulk-{n}", daemon=True)
            for n in range(self._concurrency)
        ]
        for worker in workers:
            worker.start()
        try:
            for row in rows:
                if self._stopping():
                    break
                if row.line in self._skip:
                    with self._lock:
                        self.counts.skipped += 1
                    continue
                if isinstance(row, BadRow):
                    try:
                        self._finish(
                            RowResult(row.line, row.recipient_id, "bad", message=row.reason)
                        )
                    except Exception as exc:
                        self._stop_on(exc)
                    continue
                while not self._put(pending, row):
                    if self._stopping():
                        break
        except BaseException:
            self.cancel()  # a broken input (or KeyboardInterrupt): stop the workers first
            raise
        finally:
            if self._stopping():
                _drain(pending)
            # Waited for a little at a time, so that an interrupt meanwhile still cancels.
            for _ in workers:
                while not self._put(pending, None):
                    self._stopping()  # the rows still queued ahead are skipped once cancelled
            for worker in workers:
                while worker.is_alive():
                    worker.join(0.1)
                    self._stopping()
        if self._interrupted:
            raise KeyboardInterrupt
        if self.error is not None:
            raise self.error
        return self.snapshot()

    @staticmethod
    def _put(
        pending: queue.Queue[Row | PreferenceRow | None], row: Row | PreferenceRow | None
    ) -> bool:
        try:
            pending.put(row, timeout=0.1)
        except queue.Full:
            return False
        return True

    def _work(self, pending: queue.Queue[Row | PreferenceRow | None]) -> None:
        while True:
            row = pending.get()
            if row is None:
                return
            while not self._running.wait(0.1) and not self.cancelled:
                pass  # paused
            if self.cancelled:
                continue
            try:
                result = self._row(row)
            except Exception as exc:  # a bug fails the row, never the run
                result = RowResult(
                    row.line, row.recipient_id, "failed", message=f"{type(exc).__name__}: {exc}"
                )
            try:
                self._finish(result)
            except Exception as exc:  # the journal or report cannot be written: stop the run
                self._stop_on(exc)

    def _stop_on(self, exc: Exception) -> None:
        with self._lock:
            if self.error is None:
                self.error = exc
        self.cancel()

    def _finish(self, result: RowResult) -> None:
        with self._lock:
            counts = self.counts
            if result.status == "done":
                counts.done += 1
            elif result.status == "bad":
                counts.bad += 1
            elif result.status == "cancelled":
                counts.cancelled += 1
            elif result.status == "would-change":
                counts.would_change += 1
            elif result.status == "no-change":
                counts.no_change += 1
            else:
                counts.failed += 1
        if self._journal is not None and result.status in ("done", "failed", "bad"):
            self._journal.record(result.journal_entry())
        if self._on_result is not None:
            self._on_result(result)

    def _on_retry(self, n: int, total: int, delay: float, reason: str) -> None:
        if reason == "HTTP 429":
            self.rate.throttled(delay)
            with self._lock:
                self.counts.throttled += 1

    def _row(self, row: Row | PreferenceRow) -> RowResult:
        if isinstance(row, Row):
            return self._load_row(row) if self._dry_run else self._send_row(row)
        assert self._preferences is not None, "a preference row in a profile run"
        if self._dry_run:
            return self._preferences.load_row(row)
        return self._preferences.send_row(row, row_key(self._run_id, row.line, row.recipient_id))

    def _execute(
        self, request: ApiRequest, rounds: int, send: Sender | None = None
    ) -> tuple[Outcome | None, int]:
        """Send (again while the answer is 429); None when cancelled before an answer.

        ``send`` sends one request (default: the client's ``execute``, for profiles)."""
        attempts = 0
        outcome: Outcome | None = None
        for round_ in range(rounds + 1):
            if not self.rate.acquire(self._cancel):
                return outcome, attempts
            outcome = (send or self._client.execute)(
                request,
                self._key,
                cancel=self._cancel,
                on_retry=self._on_retry,
            )
            attempts += outcome.attempts
            if outcome.status_code != 429 or round_ == rounds:
                break
            self.rate.throttled(self._retry.delay(0))
            with self._lock:
                self.counts.throttled += 1
        return outcome, attempts

    def _send_row(self, row: Row) -> RowResult:
        key = row_key(self._run_id, row.line, row.recipient_id)
        draft = Draft(recipient_id=row.recipient_id, method=self._method, profile=row.profile)
        send = plan(draft, self._target, None, idempotency_key=key, verify=False)
        if isinstance(send, Refusal):
            return RowResult(row.line, row.recipient_id, "bad", message=send.message)
        started = time.perf_counter()
        outcome, attempts = self._execute(send.request, MAX_THROTTLED_ROUNDS)
        result = outcome_result(row, outcome, attempts, started, key, "done")
        if self._on_sent is not None and outcome is not None:
            self._on_sent(send.request, outcome)  # the history records each row sent
        return result

    def _load_row(self, row: Row) -> RowResult:
        draft = Draft(recipient_id=row.recipient_id, method=self._method, profile=row.profile)
        request = plan_load(draft, self._target)
        if isinstance(request, Refusal):
            return RowResult(row.line, row.recipient_id, "bad", message=request.message)
        started = time.perf_counter()
        outcome, attempts = self._execute(request, MAX_THROTTLED_ROUNDS)
        if outcome is not None and (outcome.ok or outcome.status_code == 404):
            changes = compute_changes(outcome.profile, row.profile, self._method)
            counted = [
                f"{changes.count(kind)} {kind.value}"
                for kind in (ChangeKind.ADDED, ChangeKind.CHANGED, ChangeKind.REMOVED)
                if changes.count(kind)
            ]
            return RowResult(
                row.line,
                row.recipient_id,
                "no-change" if changes.is_empty else "would-change",
                http_status=outcome.status_code,
                attempts=attempts,
                duration_ms=(time.perf_counter() - started) * 1000,
                changes=", ".join(counted),
                message="no profile yet: it would be created" if outcome.status_code == 404 else "",
                details=tuple(
                    KeyChange(change.kind.value, change.path, change.old, change.new)
                    for change in changes.changes
                ),
            )
        return outcome_result(row, outcome, attempts, started, None, "")


def outcome_result(
    row: Row | PreferenceRow,
    outcome: Outcome | None,
    attempts: int,
    started: float,
    key: str | None,
    ok_status: str,
) -> RowResult:
    """How a row ended, from the outcome of its request (None: cancelled before an answer)."""
    duration = (time.perf_counter() - started) * 1000
    if outcome is None or outcome.kind.value == "cancelled":
        return RowResult(
            row.line,
            row.recipient_id,
            "cancelled",
            attempts=attempts,
            duration_ms=duration,
            idempotency_key=key,
        )
    if outcome.ok:
        return RowResult(
            row.line,
            row.recipient_id,
            ok_status,
            http_status=outcome.status_code,
            attempts=attempts,
            duration_ms=duration,
            idempotency_key=key,
        )
    return RowResult(
        row.line,
        row.recipient_id,
        "failed",
        http_status=outcome.status_code,
        error_type=outcome.error_type or outcome.kind.value,
        message=outcome.message or outcome.summary,
        attempts=attempts,
        duration_ms=duration,
        idempotency_key=key,
    )


def _drain(pending: queue.Queue[Row | PreferenceRow | None]) -> None:
    while True:
        try:
            pending.get_nowait()
        except queue.Empty:
            return
