"""Catching what escapes a slot or a thread: keep the work, log the traceback, tell the user.

:func:`install_crash_hooks` replaces ``sys.excepthook`` and ``threading.excepthook``. For an
exception on the calling (UI) thread it first runs the *before-report* callbacks (windows register
one that saves their draft), then logs the masked traceback, then hands a :class:`CrashReport` to
the ``notify`` callable (the app shows a dialog). For one on another thread it logs at once, from
that thread, and leaves saving and telling to ``notify``, which must get back to the UI thread
(:meth:`CrashReport.from_ui_thread` is ``False``; :func:`run_before_report` does the saving).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import Any

from profile_editor.diagnostics.masking import mask_secrets

log = logging.getLogger("profile_editor.crash")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_callbacks_lock = threading.Lock()
_before_report: list[Callable[[], Callable[[], Any] | None]] = []


def add_before_report(callback: Callable[[], Any]) -> Callable[[], None]:
    """Run ``callback`` (on the UI thread) before an unexpected error is reported.

    Bound methods are held weakly, so a window that is gone is not kept alive by its hook.
    Returns a function that removes the callback again.
    """
    ref: Callable[[], Callable[[], Any] | None]
    if hasattr(callback, "__self__") and hasattr(callback, "__func__"):
        ref = weakref.WeakMethod(callback)
    else:

        def ref() -> Callable[[], Any]:
            return callback

    with _callbacks_lock:
        _before_report.append(ref)

    def remove() -> None:
        with _callbacks_lock:
            if ref in _before_report:
                _before_report.remove(ref)

    return remove


def run_before_report() -> bool:
    """Every registered callback; one that fails is logged and does not stop the others.

    True when there was at least one and all of them succeeded (the work is saved).
    """
    with _callbacks_lock:
        refs = list(_before_report)
    ran, failed = 0, 0
    for ref in refs:
        callback = ref()
        if callback is None:
            continue
        ran += 1
        try:
            callback()
        except Exception:
            failed += 1
            log.exception("Saving before the error report failed")
    return ran > 0 and failed == 0


class CrashReport:
    """What the user is told; ``details`` is the masked traceback. ``work_saved`` is only known
    for reports from the UI thread; the others are saved when they get there."""

    summary: str
    details: str
    thread_name: str
    from_ui_thread: bool
    work_saved: bool

    def __init__(
        self,
        summary: str,
        details: str,
        thread_name: str,
        from_ui_thread: bool,
        work_saved: bool = False,
    ) -> None:
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "details", details)
        object.__setattr__(self, "thread_name", thread_name)
        object.__setattr__(self, "from_ui_thread", from_ui_thread)
        object.__setattr__(self, "work_saved", work_saved)

    def _key(self) -> tuple[Any, ...]:
        return (self.summary, self.details, self.thread_name, self.from_ui_thread, self.work_saved)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CrashReport) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def with_work_saved(self, work_saved: bool) -> CrashReport:
        return CrashReport(
            self.summary, self.details, self.thread_name, self.from_ui_thread, work_saved
        )

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(summary={self.summary!r}, details={self.details!r}, thread_name={self.thread_name!r}, from_ui_thread={self.from_ui_thread!r}, work_saved={self.work_saved!r})"


def report_for(
    exc_info: ExcInfo, thread_name: str, *, from_ui_thread: bool, work_saved: bool = False
) -> CrashReport:
    exc_type, exc, tb = exc_info
    details = mask_secrets("".join(traceback.format_exception(exc_type, exc, tb)))
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    summary = mask_secrets(f"{exc_type.__name__}: {message}" if message else exc_type.__name__)
    return CrashReport(summary, details, thread_name, from_ui_thread, work_saved)


class CrashHooks:
    """The installed hooks; :meth:`uninstall` puts the previous ones back."""

    def __init__(self, notify: Callable[[CrashReport], None]) -> None:
        self._notify = notify
        self._ui_thread = threading.current_thread()
        self._reporting = threading.local()
        self._previous_sys = sys.excepthook
        self._previous_threading = threading.excepthook
        self.installed = False

    def install(self) -> None:
        sys.excepthook = self._on_sys_exception
        threading.excepthook = self._on_thread_exception
        self.installed = True

    def uninstall(self) -> None:
        if not self.installed:
            return
        if sys.excepthook == self._on_sys_exception:
            sys.excepthook = self._previous_sys
        if threading.excepthook == self._on_thread_exception:
            threading.excepthook = self._previous_threading
        self.installed = False

    def _on_sys_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt) or getattr(self._reporting, "active", False):
            # Ctrl+C keeps its usual meaning; an error while reporting one must not loop.
            self._previous_sys(exc_type, exc, tb)
            return
        on_ui = threading.current_thread() is self._ui_thread
        self._report((exc_type, exc, tb), threading.current_thread().name, on_ui)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit) or getattr(self._reporting, "active", False):
            self._previous_threading(args)
            return
        exc = args.exc_value if args.exc_value is not None else args.exc_type()
        name = args.thread.name if args.thread is not None else "unknown thread"
        self._report((args.exc_type, exc, args.exc_traceback), name, False)

    def _report(self, exc_info: ExcInfo, thread_name: str, on_ui: bool) -> None:
        self._reporting.active = True
        try:
            saved = run_before_report() if on_ui else False
            log.error("Unexpected error in %s", thread_name, exc_info=exc_info)
            report = report_for(exc_info, thread_name, from_ui_thread=on_ui, work_saved=saved)
            try:
                self._notify(report)
            except Exception:
                log.exception("Could not show the error report")
        finally:
            self._reporting.active = False


def install_crash_hooks(notify: Callable[[CrashReport], None]) -> CrashHooks:
    """Install the hooks from the UI thread; ``notify`` shows a report (see the module doc)."""
    hooks = CrashHooks(notify)
    hooks.install()
    return hooks
