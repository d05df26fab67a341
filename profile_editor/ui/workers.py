"""Runs requests off the UI thread and brings their outcomes back as queued signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

if TYPE_CHECKING:
    from profile_editor.core.cancel import CancelToken


class WorkerSignals(QObject):
    """Signals of one job (a QRunnable is not a QObject).

    Signals:
        progress(object): a progress note from the job (e.g. a retry), emitted on the worker thread.
        finished(object): the job's result; always emitted exactly once, even on a bug.
    """

    progress = Signal(object)
    finished = Signal(object)


class Job(QRunnable):
    def __init__(
        self,
        func: Callable[[Callable[[Any], None]], Any],
        on_error: Callable[[BaseException], Any],
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the runner holds it until it reports
        self.signals = WorkerSignals()
        self._func = func
        self._on_error = on_error

    def run(self) -> None:
        try:
            result = self._func(self.signals.progress.emit)
        except BaseException as exc:  # never let an exception escape a pool thread
            result = self._on_error(exc)
        self.signals.finished.emit(result)


class JobRunner(QObject):
    """A private thread pool; jobs are held by strong references until they finish.

    The window cancels and joins it on close, so no thread outlives the window.
    """

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()
        self._tokens: set[CancelToken] = set()

    def start(
        self,
        func: Callable[[Callable[[Any], None]], Any],
        *,
        on_finished: Callable[[Any], None],
        on_progress: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], Any],
        token: CancelToken | None = None,
    ) -> Job:
        job = Job(func, on_error)
        self._jobs.add(job)
        if token is not None:
            self._tokens.add(token)

        def done(result: Any) -> None:
            self._jobs.discard(job)
            if token is not None:
                self._tokens.discard(token)
            on_finished(result)

        job.signals.finished.connect(done)
        if on_progress is not None:
            job.signals.progress.connect(on_progress)
        self._pool.start(job)
        return job

    def active_count(self) -> int:
        return len(self._jobs)

    def cancel_all(self) -> None:
        for token in list(self._tokens):
            token.cancel()

    def shutdown(self, timeout_ms: int = 3000) -> bool:
        """Cancel everything and wait (bounded) for the pool; True when it drained."""
        self.cancel_all()
        drained = self._pool.waitForDone(timeout_ms)
        self._jobs.clear()
        return drained
