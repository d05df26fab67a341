"""What the user sees of a request while it runs and when it ends: status line, buttons, answer."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction

from profile_editor.core.http import outcome_text
from profile_editor.ui.request.bar import RequestBar
from profile_editor.ui.request.controller import Loaded, Sent, Verified
from profile_editor.ui.request.output_tabs import OutputTabs
from profile_editor.ui.request.status_line import StatusLine

__all__ = ["BUSY_DELAY_MS", "RequestFeedback"]

# A request answered sooner than this never shows a busy state: no flicker, and one repaint per
# send instead of two.
BUSY_DELAY_MS = 120


class RequestFeedback(QObject):
    """Shows a request's progress and ending.

    Signals:
        verifiedShown(object): a verification's outcome, once shown.
        changesStale(): the stored profile changed (after a verification): preview again.
    """

    verifiedShown = Signal(object)
    changesStale = Signal()

    def __init__(
        self, status: StatusLine, bar: RequestBar, output: OutputTabs, send: QAction
    ) -> None:
        super().__init__(status)
        self._status = status
        self._bar = bar
        self._output = output
        self._send = send
        self._busy = False
        self._busy_shown = False  # most requests end before their busy state shows
        self._busy_text = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BUSY_DELAY_MS)
        self._timer.timeout.connect(self.on_busy_shown)

    def expect(self, text: str) -> None:
        """What the status line says once the request coming next takes a while."""
        self._busy_text = text

    def on_busy_changed(self, busy: bool) -> None:
        self._busy = busy
        if busy:
            self._timer.start()
        else:
            self._timer.stop()
            if self._busy_shown:
                self._show_busy(False)

    def on_busy_shown(self) -> None:
        self._show_busy(True)
        self._status.show_status(self._busy_text, "busy")
        self._status.show_elapsed(None)

    def _show_busy(self, busy: bool) -> None:
        self._busy_shown = busy
        self._bar.set_busy(busy)
        self._send.setEnabled(not busy)

    def on_progress(self, note: str) -> None:
        self._busy_text = note
        self._status.show_status(note, "busy")

    def on_loaded(self, loaded: Loaded) -> None:
        outcome = loaded.outcome
        self._output.show_response(lambda: outcome_text.describe(outcome))
        self._status.show_elapsed(outcome.elapsed_ms)
        self._status.show_status(*outcome_text.load_status(loaded.request.recipient_id, outcome))
        if loaded.stored is not None:
            self._output.show_changes_tab()

    def on_sent(self, sent: Sent) -> None:
        outcome = sent.outcome
        self._output.show_response(lambda: outcome_text.describe(outcome), raise_tab=not outcome.ok)
        self._status.show_elapsed(outcome.elapsed_ms)
        self._status.show_status(*outcome_text.send_status(outcome, sent.verifying))
        if sent.verifying:
            self._busy_text = self._status.text()

    def on_verified(self, verified: Verified) -> None:
        check = verified.verification
        matches = check.matches if check is not None else None
        summary = check.summary if check is not None else ""
        sent = verified.sent.outcome
        self._status.show_status(
            *outcome_text.verified_status(sent, verified.outcome, matches, summary)
        )
        if matches is False:
            self._output.append_response(outcome_text.verification_text(verified.outcome))
        if check is not None:
            self.changesStale.emit()
        self.verifiedShown.emit(verified.outcome)

    def on_history_write_failed(self, problem: str) -> None:
        if not self._busy:
            self._status.append(problem, "warning")
