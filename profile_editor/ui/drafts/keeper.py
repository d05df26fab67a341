"""Keeps a window's unsaved state on disk, about a second after the last edit.

Wiring (the window owns one keeper)::

    keeper = DraftKeeper.open(config.data_dir, parent=self, secrets=self.known_secrets)
    # after the first paint, so the question has a window behind it:
    restored = keeper.offer_leftover(self)
    if restored is not None: ...put the restored record's fields back into the editor...
    # on every edit of the recipient, method, environment, note or profile text:
    keeper.schedule(self._draft_record)  # () -> DraftRecord.of(self.build_draft(), json_text)
    keeper.clear()                       # after a preset save
    keeper.close(clean=True)             # in closeEvent once the close is accepted

Writes run on the keeper's own one-thread pool, so they never stall the UI and always land in the
order they were asked for (a ``clear()`` cannot be overtaken by an earlier write). The snapshot
itself is taken on the UI thread, where the widgets live. The keeper registers :meth:`flush` as a
before-report callback of the crash hooks, so an unexpected error saves the latest edit first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from profile_editor.core.cooperate import background
from profile_editor.diagnostics.crash import add_before_report
from profile_editor.diagnostics.masking import registered_secrets
from profile_editor.storage.drafts import DraftRecord, DraftSlot, DraftStore, drafts_dir
from profile_editor.ui.common.workers import Job, JobRunner
from profile_editor.ui.drafts import prompt as draft_prompt

log = logging.getLogger("profile_editor.drafts")

DEBOUNCE_MS = 1000
CLOSE_WAIT_MS = 5000

SnapshotFn = Callable[[], DraftRecord]


class DraftKeeper(QObject):
    """One window's draft: debounced saves off the UI thread, cleared on a clean close or a save.

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
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.slot = slot
        self._secrets = secrets
        self._snapshot_fn: SnapshotFn | None = None
        self._closed = False
        self._edited = False
        self._paused = False
        self._in_flight = 0  # jobs started and not yet reported back
        self._runner = JobRunner(self, max_threads=1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
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
        """Save ``snapshot_fn()`` once no edit came for the debounce interval."""
        if self._closed:
            return
        self._snapshot_fn = snapshot_fn
        self._edited = True
        self._timer.start()

    def set_paused(self, paused: bool) -> None:
        """While paused (a request in flight), a due save waits: copying a multi-megabyte text
        out of the editor takes tens of milliseconds of the UI thread."""
        self._paused = paused
        if not paused and self._snapshot_fn is not None and not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Write the latest edit now, on this thread (the crash hooks call it before reporting)."""
        if self._closed:
            return
        self._timer.stop()
        draft = self._take_snapshot()
        self._drain()  # earlier writes first, so this one lands last
        if draft is not None:
            self._write(draft)

    def clear(self) -> None:
        """Forget the draft: nothing pending is written and the file goes (after earlier writes)."""
        if self._closed:
            return
        self._timer.stop()
        self._snapshot_fn = None
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
            self._snapshot_fn = None
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

    def _take_snapshot(self) -> DraftRecord | None:
        snapshot_fn, self._snapshot_fn = self._snapshot_fn, None
        return snapshot_fn() if snapshot_fn is not None else None

    def _all_secrets(self) -> list[str]:
        return [*self._secrets(), *registered_secrets()]

    def _write_pending(self) -> None:
        if self._paused:
            return  # set_paused(False) starts the timer again
        draft = self._take_snapshot()
        if draft is None or self._closed:
            return
        secrets = self._all_secrets()
        job = Job(lambda _progress: self._save_in_background(draft, secrets))
        self._in_flight += 1
        self._runner.run(job.on_finished(self._on_saved).on_failed(self._on_job_save_failed))

    def _save_in_background(self, draft: DraftRecord, secrets: list[str]) -> DraftRecord:
        with background():
            return self.slot.save(draft, secrets=secrets)

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

    def _on_job_save_failed(self, exc: Exception) -> None:
        self._in_flight = max(0, self._in_flight - 1)
        self._on_save_failed(exc)

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
