"""Background jobs: one typed object per job, run off the UI thread, results back on it.

A :class:`Job` carries its work and where its answer goes: ``finished(T)`` with the result, or
``failed(Exception)`` — never an error dressed up as a result. Jobs are plain Python objects: every
report travels through the runner's one relay ``QObject`` (created on the UI thread, so delivery
there is queued). A ``QObject`` and three signal connections per job cost more than the request a
job usually makes.

Two runners, one contract: :class:`JobRunner` runs jobs side by side on a private pool;
:class:`JobThread` runs them one after another on one long-lived thread, for work that comes one
piece at a time and wants its answer soon (a window's requests).
"""

from __future__ import annotations

import atexit
import contextlib
import queue
import threading
import weakref
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from profile_editor.ui.common.calls import call_each

if TYPE_CHECKING:
    from profile_editor.core.http.cancel import CancelToken

__all__ = ["Job", "JobRunner", "JobThread", "Progress"]

T = TypeVar("T")
# What a job's work gets to report progress with (called on the worker thread).
Progress = Callable[[Any], None]


class _Report(IntEnum):
    PROGRESS = 0
    FINISHED = 1
    FAILED = 2


class Job(Generic[T]):
    """One piece of background work and where its answer goes.

    ``Job(work).on_finished(show).on_failed(explain)``, then ``runner.run(job)``. The slots run on
    the UI thread; ``finished`` or ``failed`` comes exactly once.
    """

    def __init__(self, work: Callable[[Progress], T], *, token: CancelToken | None = None) -> None:
        self.work = work
        self.token = token
        self._slots: tuple[list[Callable[[Any], Any]], ...] = ([], [], [])

    def on_finished(self, slot: Callable[[T], Any]) -> Job[T]:
        self._slots[_Report.FINISHED].append(slot)
        return self

    def on_failed(self, slot: Callable[[Exception], Any]) -> Job[T]:
        self._slots[_Report.FAILED].append(slot)
        return self

    def on_progress(self, slot: Callable[[Any], Any]) -> Job[T]:
        self._slots[_Report.PROGRESS].append(slot)
        return self

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()

    def _deliver(self, kind: _Report, payload: Any) -> None:
        call_each(self._slots[kind], payload)  # as separate connections: every slot hears it


# By value, without a call into the enum machinery for each report.
_REPORTS = tuple(_Report)


class _Relay(QObject):
    """Carries reports from pool threads to the UI thread: report(job, kind, payload)."""

    report = Signal(object, int, object)


def _execute(job: Job[Any], emit: Callable[[Job[Any], int, Any], None]) -> None:
    try:
        result = job.work(lambda note: emit(job, _Report.PROGRESS, note))
    except Exception as exc:  # never let an exception escape a worker thread
        emit(job, _Report.FAILED, exc)
    else:
        emit(job, _Report.FINISHED, result)


class _Runnable(QRunnable):
    def __init__(self, job: Job[Any], relay: _Relay) -> None:
        super().__init__()
        self._job = job
        self._relay = relay

    def run(self) -> None:
        _execute(self._job, self._relay.report.emit)


class _Runner(QObject):
    """What both runners share: jobs held by strong references until they report, one relay,
    cancelling, and dropping reports after ``shutdown()``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: set[Job[Any]] = set()
        self._relay = _Relay(self)
        self._relay.report.connect(self._on_report)
        self._open = True
        _LIVE.add(self)

    def run(self, job: Job[T]) -> Job[T]:
        self._jobs.add(job)
        self._start(job)
        return job

    def _start(self, job: Job[Any]) -> None:
        raise NotImplementedError

    def active_count(self) -> int:
        return len(self._jobs)

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def drain(self, timeout_ms: int = 3000) -> bool:
        """Wait (bounded) for the jobs already started; True when they all ended. Their reports
        still arrive, queued."""
        raise NotImplementedError

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel everything and wait (bounded) for it; True when it all ended. Reports that
        arrive after this are dropped."""
        self.cancel_all()
        drained = self.drain(timeout_ms)
        self._jobs.clear()
        self._open = False
        return drained

    def _on_report(self, job: Job[Any], kind: int, payload: Any) -> None:
        if not self._open:
            return
        report = _REPORTS[kind]
        if report is not _Report.PROGRESS:
            self._jobs.discard(job)
        job._deliver(report, payload)


class JobRunner(_Runner):
    """A private thread pool: jobs run side by side.

    Its owner shuts it down on close (cancel, then a bounded wait), so no thread outlives it; a
    report that arrives after that is dropped.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)

    def _start(self, job: Job[Any]) -> None:
        self._pool.start(_Runnable(job, self._relay))

    def drain(self, timeout_ms: int = 3000) -> bool:
        return self._pool.waitForDone(timeout_ms)


class JobThread(_Runner):
    """One long-lived thread that runs jobs one after another, in the order given.

    Handing a job to a thread that already waits for it is cheaper than starting a pool job (no
    runnable to build, no pool to wake), and a window's requests come one at a time. The thread
    starts with the first job; ``shutdown()`` cancels, waits (bounded) and ends it, so it does not
    outlive its owner. A job given after that is not run.
    """

    def __init__(self, parent: QObject | None = None, name: str = "profile-editor-jobs") -> None:
        super().__init__(parent)
        self._name = name
        self._queue: queue.SimpleQueue[Job[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._done = threading.Condition()
        self._pending = 0  # jobs handed over whose work has not ended

    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _start(self, job: Job[Any]) -> None:
        if not self._open:
            self._jobs.discard(job)
            return
        with self._done:
            self._pending += 1
        if self._thread is None:
            # A daemon, as pool threads are native ones: a script that never closes its window
            # still exits (after the exit hook below has shut this down).
            self._thread = threading.Thread(target=self._serve, name=self._name, daemon=True)
            self._thread.start()
        self._queue.put(job)

    def _serve(self) -> None:
        emit, take, done = self._relay.report.emit, self._queue.get, self._done
        while (job := take()) is not None:
            try:
                _execute(job, emit)
            finally:
                del job  # not kept alive while the thread waits for the next one
                with done:
                    self._pending -= 1
                    done.notify_all()

    def drain(self, timeout_ms: int = 3000) -> bool:
        with self._done:
            return self._done.wait_for(lambda: self._pending == 0, timeout_ms / 1000)

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        drained = super().shutdown(timeout_ms)
        if self._thread is not None:
            self._queue.put(None)
            if drained:
                self._thread.join(timeout_ms / 1000)  # its last job has ended: it leaves at once
        return drained


# Runners whose owner was never closed (a script that drops its window) still have jobs running
# when the interpreter exits; a pool thread that then reaches for the GIL is killed mid-job.
# Before that, each is shut down like a closing window would.
_LIVE: weakref.WeakSet[_Runner] = weakref.WeakSet()


@atexit.register
def _shut_down_all() -> None:
    for runner in list(_LIVE):
        # RuntimeError: its QObject is already gone, and its pool with it.
        with contextlib.suppress(RuntimeError):
            runner.shutdown(3000)
