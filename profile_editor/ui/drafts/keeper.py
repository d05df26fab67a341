"""Keeps a window's unsaved state on disk: every edit is written within a second of being made.

Wiring (the window owns one keeper)::

    keeper = DraftKeeper.open(config.data_dir, parent=self, secrets=self.known_secrets)
    # after the first paint, so the question has a window behind it:
    restored = keeper.offer_leftover(self)
    if restored is not None: ...put the restored record's fields back into the editor...
    # on every edit of the recipient, method, environment, note or profile text:
    keeper.schedule(self._draft_record)  # () -> DraftRecord.of(self.build_draft(), json_text)
    keeper.clear()                       # after a preset save
    keeper.close(clean=True)             # in closeEvent once the close is accepted

A save starts :data:`DEBOUNCE_MS` after the last edit, or :data:`MAX_WAIT_MS` after the first edit
not yet saved, whichever comes first: steady typing never pushes it back further. Saves go on
while a request is in flight.

Writes run on the keeper's own one-thread pool, so they never stall the UI and always land in the
order they were asked for (a ``clear()`` cannot be overtaken by an earlier write); one write at a
time, the newest edit waiting for it (never a queue of old snapshots). The snapshot is taken on the
UI thread, where the widgets live; it may be a function that makes the record on the writer's
thread (a multi-megabyte text made from the table's rows), so the UI thread only captures what
the widgets hold. The keeper registers :meth:`flush` as a before-report callback of the crash
hooks, so an unexpected error saves the latest edit first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from profile_editor.core.cooperate import background
from profile_editor.diagnostics.crash import add_before_report
from profile_editor.diagnostics.masking import registered_secrets
from profile_editor.storage.drafts import DraftRecord, DraftSlot, DraftStore, drafts_dir
from profile_editor.ui.common.workers import Job, JobRunner
from profile_editor.ui.drafts import prompt as draft_prompt

log = logging.getLogger("profile_editor.drafts")

# A pause in the edits this long saves them; however the typing goes, an edit waits at most
# MAX_WAIT_MS for its save to start, which leaves the write half a second to be on disk within 1 s.
DEBOUNCE_MS = 250
MAX_WAIT_MS = 500
CLOSE_WAIT_MS = 5000

# A record, or a function (safe on another thread) that makes it from what was captured.
Snapshot = DraftRecord | Callable[[], DraftRecord]
SnapshotFn = Callable[[], Snapshot]


class DraftKeeper(QObject):
    """One window's draft: saves off the UI thread, at most ``max_wait_ms`` after an edit (sooner
    after a pause of ``delay_ms``), cleared on a clean close or a save.

    Signals:
        saved(object): the DraftRecord as written (secrets masked), after each write.
        cleared(): the draft file was removed.
        failed(str): a write or a removal failed; the reason.
    """

    saved = Signal(object)
    cleared = Signal()
    failed = Signal(str)

    def __init__(
        self,
        slot: DraftSlot,
        *,
        secrets: Callable[[], Iterable[str]] = tuple,
        delay_ms: int = DEBOUNCE_MS,
        max_wait_ms: int = MAX_WAIT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.slot = slot
        self._secrets = secrets
        self._snapshot_fn: SnapshotFn | None = None
        self._closed = False
        self._edited = False
        self._delay_ms = delay_ms
        self._max_wait_ms = max(max_wait_ms, delay_ms)
        self._first_edit_at: float | None = None  # monotonic ms of the oldest edit not saved
        self._saving = False  # a save job runs: the next one waits for it
        self._in_flight = 0  # jobs started and not yet reported back
        self._runner = JobRunner(self, max_threads=1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._write_pending)
        self._remove_hook = add_before_report(self.flush)

    @classmethod
    def open(cls, data_dir: Path, **options: Any) -> DraftKeeper:
        """A keeper for a new window, without asking anything yet.

        It takes over the slot of a draft left by a run that did not close cleanly, if there is
        one (see :attr:`leftover`), so that draft stays on disk until :meth:`offer_leftover` has
        been answered; otherwise it opens a fresh slot.
        """
        store = DraftStore(drafts_dir(data_dir))
        slot = store.claim_leftover() or store.open_slot()
        return cls(slot, **options)

    @classmethod
    def start(
        cls, data_dir: Path, parent: QWidget | None = None, **options: Any
    ) -> tuple[DraftKeeper, DraftRecord | None]:
        """:meth:`open` and :meth:`offer_leftover` at once."""
        keeper = cls.open(data_dir, parent=parent, **options)
        return keeper, keeper.offer_leftover(parent)

    @property
    def leftover(self) -> DraftRecord | None:
        """The draft of a previous run waiting for :meth:`offer_leftover`, if any."""
        return self.slot.leftover

    def offer_leftover(self, parent: QWidget | None) -> DraftRecord | None:
        """Ask (through :func:`draft_prompt.ask_restore_draft`) about the leftover draft.

        Returns it when the user chose Restore; it then stays on disk, now this window's draft,
        until the window saves over it or closes cleanly. Discard removes it. Without a leftover
        nothing is asked and ``None`` comes back.
        """
        record, self.slot.leftover = self.slot.leftover, None
        if record is None or self._closed:
            return None
        if draft_prompt.ask_restore_draft(parent, record):
            log.info("Draft from %s restored", record.saved_at.isoformat())
            return record
        if not self._edited:
            self.slot.clear()  # after an edit the file holds this window's newer draft
        log.info("Leftover draft discarded")
        return None

    @property
    def window_id(self) -> str:
        return self.slot.window_id

    @property
    def pending(self) -> bool:
        """An edit is waiting for the debounce or a write is still running."""
        return self._snapshot_fn is not None or self._in_flight > 0

    def schedule(self, snapshot_fn: SnapshotFn) -> None:
        """Save ``snapshot_fn()`` once no edit came for ``delay_ms``, and at the latest
        ``max_wait_ms`` after the first edit not saved yet (call it on every edit)."""
        if self._closed:
            return
        self._snapshot_fn = snapshot_fn
        self._edited = True
        now = time.monotonic() * 1000
        if self._first_edit_at is None:
            self._first_edit_at = now
        left = self._first_edit_at + self._max_wait_ms - now
        self._timer.start(max(0, round(min(self._delay_ms, left))))

    def flush(self) -> None:
        """Write the latest edit now, on this thread (the crash hooks call it before reporting)."""
        if self._closed:
            return
        self._timer.stop()
        snapshot = self._take_snapshot()
        self._drain()  # earlier writes first, so this one lands last
        if snapshot is not None:
            self._write(_made(snapshot))

    def clear(self) -> None:
        """Forget the draft: nothing pending is written and the file goes (after earlier writes)."""
        if self._closed:
            return
        self._timer.stop()
        self._snapshot_fn = self._first_edit_at = None
        job = Job(lambda _progress: self.slot.clear())
        self._in_flight += 1
        self._runner.run(job.on_finished(self._on_cleared).on_failed(self._on_clear_failed))

    def close(self, *, clean: bool) -> None:
        """Stop for good. ``clean`` (the user closed the window) removes the draft; otherwise the
        latest edit is written so the next start can offer it."""
        if self._closed:
            return
        self._timer.stop()
        if clean:
            self._snapshot_fn = self._first_edit_at = None
        else:
            self.flush()
        self._closed = True
        self._remove_hook()
        self._drain()
        self.slot.close(clear=clean)

    def _drain(self) -> None:
        # Waits for the writer. A report still queued for the UI thread may arrive later; the
        # count never goes below zero for it.
        self._runner.drain(CLOSE_WAIT_MS)
        self._in_flight = 0
        self._saving = False

    def _take_snapshot(self) -> Snapshot | None:
        snapshot_fn, self._snapshot_fn = self._snapshot_fn, None
        self._first_edit_at = None  # edits from now on are newer than this snapshot
        return snapshot_fn() if snapshot_fn is not None else None

    def _all_secrets(self) -> list[str]:
        return [*self._secrets(), *registered_secrets()]

    def _write_pending(self) -> None:
        if self._closed or self._snapshot_fn is None:
            return
        if self._saving:
            return  # _on_saved writes it as soon as the running write has landed
        snapshot = self._take_snapshot()
        if snapshot is None:
            return
        secrets = self._all_secrets()
        job = Job(lambda _progress: self._save_in_background(snapshot, secrets))
        self._in_flight += 1
        self._saving = True
        self._runner.run(job.on_finished(self._on_saved).on_failed(self._on_job_save_failed))

    def _save_in_background(self, snapshot: Snapshot, secrets: list[str]) -> DraftRecord:
        with background():
            return self.slot.save(_made(snapshot), secrets=secrets)

    def _write_if_due(self) -> None:
        # An edit that came due while the previous write ran goes now.
        self._saving = False
        if self._snapshot_fn is not None and not self._timer.isActive():
            self._write_pending()

    def _write(self, draft: DraftRecord) -> None:
        try:
            written = self.slot.save(draft, secrets=self._all_secrets())
        except OSError as exc:
            self._on_save_failed(exc)
        else:
            self.saved.emit(written)

    def _on_saved(self, written: DraftRecord) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self.saved.emit(written)
        self._write_if_due()

    def _on_job_save_failed(self, exc: Exception) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._on_save_failed(exc)
        self._write_if_due()

    def _on_save_failed(self, exc: Exception) -> None:
        log.warning("Draft not saved: %s", exc)
        self.failed.emit(f"The draft could not be saved: {exc}")

    def _on_cleared(self, _result: object) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self.cleared.emit()

    def _on_clear_failed(self, exc: Exception) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        log.warning("Draft not removed: %s", exc)
        self.failed.emit(f"The draft could not be removed: {exc}")


def _made(snapshot: Snapshot) -> DraftRecord:
    return snapshot() if callable(snapshot) else snapshot
