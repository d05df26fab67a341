"""Background jobs: one typed object per job, run on a private pool, results back on the UI thread.

A :class:`Job` carries its work and where its answer goes: ``finished(T)`` with the result, or
``failed(Exception)`` — never an error dressed up as a result. Its signals live on a small
``QObject`` created on the UI thread, so they are delivered there, queued.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

if TYPE_CHECKING:
    from profile_editor.core.cancel import CancelToken

__all__ = ["Job", "JobRunner", "Progress"]

T = TypeVar("T")
# What a job's work gets to report progress with (called on the worker thread).
Progress = Callable[[Any], None]


class _JobSignals(QObject):
    """Signals of one job (a QRunnable is not a QObject).

    Signals:
        progress(object): a note from the work, e.g. a retry.
        finished(object): the work's result.
        failed(object): the exception the work raised.
        done(): after finished or failed, exactly once.
    """

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)
    done = Signal()


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[Progress], Any], signals: _JobSignals) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner holds it until it reports
        self._work = work
        self._signals = signals

    def run(self) -> None:
        signals = self._signals
        try:
            result = self._work(signals.progress.emit)
        except Exception as exc:  # never let an exception escape a pool thread
            signals.failed.emit(exc)
        else:
            signals.finished.emit(result)
        signals.done.emit()


class Job(Generic[T]):
    """One piece of background work and where its answer goes.

    ``Job(work).on_finished(show).on_failed(explain)``, then ``runner.run(job)``.
    """

    def __init__(self, work: Callable[[Progress], T], *, token: CancelToken | None = None) -> None:
        self.signals = _JobSignals()
        self.token = token
        self._runnable = _Runnable(work, self.signals)

    def on_finished(self, slot: Callable[[T], Any]) -> Job[T]:
        self.signals.finished.connect(slot)
        return self

    def on_failed(self, slot: Callable[[Exception], Any]) -> Job[T]:
        self.signals.failed.connect(slot)
        return self

    def on_progress(self, slot: Callable[[Any], Any]) -> Job[T]:
        self.signals.progress.connect(slot)
        return self

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()


class JobRunner(QObject):
    """A private thread pool; jobs are held by strong references until they report.

    Its owner shuts it down on close (cancel, then a bounded wait), so no thread outlives it.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job[Any]] = set()

    def run(self, job: Job[T]) -> Job[T]:
        self._jobs.add(job)
        job.signals.done.connect(lambda: self._jobs.discard(job))
        self._pool.start(job._runnable)
        return job

    def active_count(self) -> int:
        return len(self._jobs)

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel everything and wait (bounded) for the pool; True when it drained."""
        self.cancel_all()
        drained = self._pool.waitForDone(timeout_ms)
        self._jobs.clear()
        return drained
