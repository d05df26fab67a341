"""Runs the window's requests: load, send and the verification after a send, one at a time.

The controller owns the shared HTTP session, the job runner, the request in flight and the
stored profile as last seen. Widgets never wait: every request and every comparison of a
(possibly 6 MB) profile runs on a worker; answers come back as signals. Requests run on one
long-lived thread of their own: they come one at a time, and handing one to a thread that waits
for it costs less than starting a pool job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from profile_editor.core.cooperate import gc_quiet
from profile_editor.core.http.models import Outcome, OutcomeKind, ProfileRequest
from profile_editor.core.http.outcome_text import closed_outcome, retry_line
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.http.session import Session
from profile_editor.core.send.plan import SendPlan, Stored, Verification, check_verification
from profile_editor.ui.common.workers import Job, JobRunner, JobThread, Progress

__all__ = ["Loaded", "RequestController", "Sent", "Verified"]

# Notable events for the app's log (never a key: requests are logged by method and path).
log = logging.getLogger("profile_editor.requests")


def _log_outcome(what: str, request: ProfileRequest, outcome: Outcome) -> None:
    level = logging.INFO if outcome.ok or outcome.status_code == 404 else logging.WARNING
    if not log.isEnabledFor(level):  # the line's URL is not worked out only to be dropped
        return
    log.log(
        level,
        "%s %s %s: %s (%s, %d attempt(s), %.0f ms)",
        what,
        request.method.value,
        request.url,
        outcome.summary,
        outcome.kind.value,
        outcome.attempts,
        outcome.elapsed_ms,
    )


@dataclass(frozen=True, eq=False)
class Loaded:
    request: ProfileRequest
    outcome: Outcome
    stored: Stored | None  # None: the load failed (a 404 is a stored "no profile")
    environment: str | None = None  # the environment it was made in (for the history)


@dataclass(frozen=True, eq=False)
class Sent:
    plan: SendPlan
    outcome: Outcome
    before: dict[str, Any] | None  # the stored profile before, when it was loaded
    verifying: bool  # a verification follows; its answer comes as ``verified``


@dataclass(frozen=True, eq=False)
class Verified:
    sent: Sent
    outcome: Outcome  # of the re-load
    stored: Stored | None  # None: it could not be re-loaded
    verification: Verification | None


class RequestController(QObject):
    """Load, send (and verify), cancel, shut down.

    Signals:
        busyChanged(bool): a request started, or the last one (verification included) ended.
        progress(str): a note while busy, e.g. "… retrying (1/2) in 0.5 s…".
        loaded(Loaded): a load ended.
        sent(Sent): a send ended; when ``verifying``, ``verified`` follows.
        verified(Verified): the re-load after a send ended.
        finished(Outcome): any request ended (after the signal of its kind).
    """

    busyChanged = Signal(bool)
    progress = Signal(str)
    loaded = Signal(object)
    sent = Signal(object)
    verified = Signal(object)
    finished = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        connect_timeout: float,
        total_timeout: float,
        retry_base_delay: float,
    ) -> None:
        super().__init__(parent)
        self.session = Session(
            connect_timeout=connect_timeout,
            total_timeout=total_timeout,
            retry=RetryPolicy(base_delay=retry_base_delay),
        )
        self.runner = JobRunner(self)  # shared with the window's other background work
        self.requests = JobThread(self, name="profile-editor-requests")
        self.stored: Stored | None = None
        self._busy = False
        self._closed = False
        self._sending: Sent | None = None  # a send (or its verification) in flight
        self._send_plan: SendPlan | None = None

    # -- state ------------------------------------------------------------------------------
    def is_busy(self) -> bool:
        return self._busy

    def stored_for(self, base_url: str, recipient_id: str) -> Stored | None:
        """The stored profile, if it was last seen for this target."""
        stored = self.stored
        return stored if stored is not None and stored.is_for(base_url, recipient_id) else None

    def forget_stored(self) -> None:
        self.stored = None

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)

    # -- requests ---------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Build the HTTP client (and start the request thread), so neither start-up nor the
        first send pays."""
        session = self.session

        def imports(_progress: Progress) -> None:
            import profile_editor.core.profile.changes  # noqa: F401

        self.runner.run(Job(imports))
        # The client and its TLS context, on the request thread that will use them.
        self.requests.run(Job(lambda _progress: session.warm_up()))

    def load(
        self, request: ProfileRequest, api_key: str | None, environment: str | None = None
    ) -> None:
        if self._busy or self._closed:
            return
        self._start(request, api_key, lambda o: self._on_loaded(request, o, environment))

    def send(self, plan: SendPlan, api_key: str | None, *, verify: bool) -> None:
        if self._busy or self._closed:
            return
        stored = self.stored_for(plan.target.base_url, plan.draft.recipient_id)
        before = stored.profile if stored is not None else None
        self._send_plan = plan
        self._start(
            plan.request,
            api_key,
            lambda o: self._on_sent(plan, o, before, api_key if verify else None, verify),
        )

    def cancel(self) -> None:
        self.requests.cancel_all()
        self.runner.cancel_all()

    def _start(
        self, request: ProfileRequest, api_key: str | None, answer: Callable[[Outcome], None]
    ) -> None:
        session = self.session
        token = session.cancel_token()

        def work(progress: Progress) -> Outcome:
            return session.client().execute(
                request,
                api_key,
                cancel=token,
                on_retry=lambda n, total, delay, why: progress(retry_line(why, n, total, delay)),
            )

        self._set_busy(True)
        # Every slot is connected before the job starts: a fast answer must not be missed.
        job = Job(work, token=token).on_finished(answer).on_failed(self._on_bug)
        self.requests.run(job.on_progress(self._on_progress))

    def _on_progress(self, note: str) -> None:
        if not self._closed:
            self.progress.emit(note)

    def _on_bug(self, exc: Exception) -> None:
        # execute() maps every failure to an outcome; this is a bug in the app itself.
        if self._closed:
            return
        self._sending = self._send_plan = None
        self._set_busy(False)
        self.finished.emit(
            Outcome(kind=OutcomeKind.NETWORK, summary="Unexpected error", detail=repr(exc))
        )

    def _on_loaded(
        self, request: ProfileRequest, outcome: Outcome, environment: str | None
    ) -> None:
        if self._closed:
            return
        stored = None
        if outcome.ok and outcome.profile is not None:
            stored = Stored(request.base_url, request.recipient_id, outcome.profile)
        elif outcome.status_code == 404:
            stored = Stored(request.base_url, request.recipient_id, None)
        if stored is not None:
            self.stored = stored
        _log_outcome("Load", request, outcome)
        self._set_busy(False)
        self.loaded.emit(Loaded(request, outcome, stored, environment))
        self.finished.emit(outcome)

    def _on_sent(
        self,
        plan: SendPlan,
        outcome: Outcome,
        before: dict[str, Any] | None,
        api_key: str | None,
        verify: bool,
    ) -> None:
        self._send_plan = None
        if self._closed:
            return
        verifying = outcome.ok and verify and plan.verifiable
        sent = Sent(plan, outcome, before, verifying)
        _log_outcome("Send", plan.request, outcome)
        if verifying:
            self._sending = sent
            self._verify(sent, api_key)
        else:
            self._set_busy(False)
        self.sent.emit(sent)
        self.finished.emit(outcome)

    def _verify(self, sent: Sent, api_key: str | None) -> None:
        plan = sent.plan
        request = plan.draft.to_load_request(plan.target.base_url)
        session = self.session
        token = session.cancel_token()
        expected = plan.expected

        def work(_progress: Progress) -> tuple[Outcome, Verification | None]:
            outcome = session.client().execute(request, api_key, cancel=token)
            if outcome.ok:
                with gc_quiet():
                    return outcome, check_verification(expected, outcome.profile)
            if outcome.status_code == 404:
                return outcome, check_verification(expected, None)
            return outcome, None

        job = Job(work, token=token).on_failed(self._on_bug)
        self.requests.run(job.on_finished(lambda result: self._on_verified(sent, *result)))

    def _on_verified(self, sent: Sent, outcome: Outcome, verification: Verification | None) -> None:
        self._sending = None
        if self._closed:
            return
        stored = None
        if verification is not None:
            request = sent.plan.request
            profile = outcome.profile if outcome.ok else None
            if verification.matches:
                # The same profile, but the object the preview was worked out from: diffing it
                # against the editor again finds shared values instead of comparing them.
                profile = sent.plan.expected
            stored = self.stored = Stored(request.base_url, request.recipient_id, profile)
        if verification is not None and not verification.matches:
            log.warning("Verification of %s: %s", sent.plan.request.url, verification.summary)
        self._set_busy(False)
        self.verified.emit(Verified(sent, outcome, stored, verification))

    # -- closing ----------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop at once: cancel, join the workers (bounded), close the HTTP session.

        A send cut short is still reported (as cancelled), and so is a verification cut short,
        so that history records every send.
        """
        if self._closed:
            return
        self._closed = True
        plan, sending = self._send_plan, self._sending
        self.requests.cancel_all()  # both stop at once; then each is waited for
        self.runner.shutdown(3000)
        self.requests.shutdown(3000)
        self.session.close()
        if plan is not None:
            self.sent.emit(Sent(plan, closed_outcome(), None, False))
        elif sending is not None:
            self.verified.emit(Verified(sending, closed_outcome(), None, None))
