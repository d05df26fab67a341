"""Runs the Lists tab's requests: read every page after a Load, subscribe, unsubscribe all.

They go through the window's one HTTP session and job runner (the same client, retries and
Idempotency-Key as profile requests), never on the UI thread; the plans in
:mod:`profile_editor.core.lists.plan` refuse and ask exactly as a profile send would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from profile_editor.core.http.models import Outcome, OutcomeKind
from profile_editor.core.http.outcome_text import closed_outcome, retry_line
from profile_editor.core.http.session import Session
from profile_editor.core.send.plan import Refusal, Target
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.lists.tab import ListsTab
from profile_editor.ui.request.bar import RequestBar
from profile_editor.ui.request.controller import Loaded
from profile_editor.ui.request.status_line import StatusLine

# The list requests and answers are pydantic models: imported on first use, as start-up does not
# need them.
if TYPE_CHECKING:
    from profile_editor.core.lists.plan import ListsPlan
    from profile_editor.core.lists.requests import GetSubscriptionsRequest, SubscriptionsResult

__all__ = ["ListsChanged", "ListsController", "ListsRead"]


@dataclass(frozen=True, eq=False)
class ListsChanged:
    """A subscribe or unsubscribe-all that ended (for the history)."""

    plan: ListsPlan
    outcome: Outcome


@dataclass(frozen=True, eq=False)
class ListsRead:
    """The page requests of one read of the subscriptions, in order, each with its outcome (for
    the history: one row a page). Appended to by the worker while the read runs."""

    environment: str | None
    pages: list[tuple[GetSubscriptionsRequest, Outcome]]


class ListsController(QObject):
    """The Lists tab's requests, one at a time.

    Signals:
        changed(ListsChanged): a subscribe or unsubscribe-all ended (sent, failed or cut short).
        pagesRead(ListsRead): a read of the subscriptions ended (finished, stale, failed or cut
            short by closing) after sending at least one page request.
        finished(Outcome): what the user started is over: a read, or a change and the re-read
            after it. The outcome is the read's, or the change's when it failed.
    """

    changed = Signal(object)
    pagesRead = Signal(object)
    finished = Signal(object)

    def __init__(
        self,
        tab: ListsTab,
        session: Session,
        runner: JobRunner,
        request_bar: RequestBar,
        status_line: StatusLine,
        target: Callable[[], Target],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._tab = tab
        self._session = session
        self._runner = runner
        self._bar = request_bar
        self._status = status_line
        self._target = target
        self._widget = parent
        self._busy = False
        self._closed = False
        self._generation = 0  # a read started later makes an earlier one's answer stale
        self._shown: tuple[str, str] | None = None  # base URL and recipient of the rows shown
        # Base URL, recipient and environment of the rows on screen (complete or not).
        self._whose: tuple[str, str, str | None] | None = None
        self._changing: ListsPlan | None = None  # a change in flight, reported even if cut short
        self._reads: list[ListsRead] = []  # reads in flight, reported even if cut short
        tab.subscribeRequested.connect(self.on_subscribe_requested)
        tab.unsubscribeAllRequested.connect(self.on_unsubscribe_all_requested)
        tab.reloadRequested.connect(self.on_reload_requested)

    def is_busy(self) -> bool:
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._tab.set_busy(busy)

    def shown_count(self) -> int | None:
        """How many subscriptions the tab shows, None when they were not all read."""
        return self._tab.model.rowCount() if self._shown is not None else None

    def _shown_count(self, target: Target, recipient_id: str) -> int | None:
        return self.shown_count_for(target.base_url, recipient_id)

    def shown_count_for(self, base_url: str, recipient_id: str) -> int | None:
        """How many subscriptions the tab shows for this recipient there, None when it shows
        another's or they were not all read."""
        if self._shown != (base_url, recipient_id):
            return None
        return self._tab.model.rowCount()

    def _refuse(self, refusal: Refusal) -> None:
        self._status.show_status(refusal.message, "error")
        self._bar.focus(refusal.field)

    def on_target_changed(self, *_args: object) -> None:
        """The recipient ID or the environment changed: rows of another recipient (or place)
        are marked out of date at once, and current again if it changes back."""
        whose = self._whose
        if whose is None or self._closed:
            return
        base_url, rid, env = whose
        target, now = self._target(), self._bar.recipient_id()
        if (target.base_url, now) == (base_url, rid):
            self._tab.mark_current()
            return
        if now == rid:
            place = target.environment or target.base_url
            note = (
                f"Out of date: these were read in {env or base_url}; the environment is now "
                f"{place}. Load or Reload reads them there."
            )
        elif now:
            note = (
                f"Out of date: these are the subscriptions of “{rid}”; the recipient ID is now "
                f"“{now}”. Load or Reload reads those of “{now}”."
            )
        else:
            note = (
                f"Out of date: these are the subscriptions of “{rid}”; the recipient ID field "
                "is empty."
            )
        self._tab.mark_out_of_date(note)

    # -- reading ----------------------------------------------------------------------------
    def on_profile_loaded(self, loaded: Loaded) -> None:
        """After a Load: read the same recipient's subscriptions, at the same place."""
        request = loaded.request
        if loaded.stored is None:
            self._shown = self._whose = None
            self._tab.show_message(
                f"Subscriptions of “{request.recipient_id}” not read: the Load did not succeed."
            )
            return
        target = self._target()
        if target.base_url != request.base_url:
            target = Target(request.base_url, has_key=target.has_key)
        self._read(request.recipient_id, target, after_load=True)

    def on_reload_requested(self) -> None:
        self._read(self._bar.recipient_id(), self._target(), after_load=False)

    def _read(self, recipient_id: str, target: Target, *, after_load: bool) -> None:
        if self._closed or self._changing is not None:
            return
        from profile_editor.core.lists.plan import plan_read

        plan = plan_read(recipient_id, target)
        if isinstance(plan, Refusal):
            if not after_load:
                self._refuse(plan)
            return
        self._fetch(plan, after_load=after_load, change=None)

    def _fetch(self, plan: ListsPlan, *, after_load: bool, change: Outcome | None) -> None:
        from profile_editor.core.lists.requests import fetch_all_subscriptions

        self._generation += 1
        generation = self._generation
        session, api_key, rid = self._session, self._bar.api_key(), plan.recipient_id
        base_url = plan.target.base_url
        token = session.cancel_token()
        read = ListsRead(plan.target.environment, [])
        self._reads.append(read)

        def page(request: GetSubscriptionsRequest, outcome: Outcome) -> None:
            if outcome.kind is not OutcomeKind.REFUSED:  # refused: nothing was sent
                read.pages.append((request, outcome))

        def work(progress: Progress) -> SubscriptionsResult:
            return fetch_all_subscriptions(
                session.client(),
                base_url,
                rid,
                api_key,
                cancel=token,
                on_retry=lambda n, total, delay, why: progress(retry_line(why, n, total, delay)),
                on_page=page,
            )

        def failed(exc: Exception) -> None:
            self._report_read(read)
            self._on_bug(exc)

        self._set_busy(True)
        self._tab.show_message(f"Reading the subscriptions of “{rid}”…", clear=False)
        job = Job(work, token=token)
        job.on_finished(
            lambda result: self._on_read(generation, plan, result, after_load, change, read)
        )
        job.on_failed(failed).on_progress(self._on_progress)
        self._runner.run(job)

    def _report_read(self, read: ListsRead) -> None:
        """Hand a read's page requests to the history once (stale reads' too: they were sent)."""
        if read in self._reads:
            self._reads.remove(read)
            if read.pages:
                self.pagesRead.emit(read)

    def _on_progress(self, note: str) -> None:
        if not self._closed:
            self._tab.show_message(note, clear=False)

    def _on_read(
        self,
        generation: int,
        plan: ListsPlan,
        result: SubscriptionsResult,
        after_load: bool,
        change: Outcome | None,
        read: ListsRead,
    ) -> None:
        self._report_read(read)
        if self._closed or generation != self._generation:
            return
        from profile_editor.core.lists.plan import read_status, subscriptions_count

        self._set_busy(False)
        rid, env = plan.recipient_id, plan.target.environment
        where = f" in {env}" if env else ""
        whose = f"Subscriptions of “{rid}”{where}"
        self._whose = (plan.target.base_url, rid, env)
        if result.ok:
            self._shown = (plan.target.base_url, rid)
            count = len(result.subscriptions)
            pages = f" · {result.pages} pages" if result.pages > 1 else ""
            self._tab.show_subscriptions(
                result.subscriptions,
                f"“{rid}”{where} has {subscriptions_count(count)}{pages}.",
                whose=whose,
            )
        else:
            self._shown = None
            text, _state = read_status(rid, result)
            self._tab.show_subscriptions(result.subscriptions, text, whose=whose)
        self.on_target_changed()  # the field may have changed while they were read
        text, state = read_status(rid, result)
        if after_load or change is not None:
            # The Load's or the change's own line stays; a failure to read is added to it.
            if not result.ok:
                self._status.append(text, state)
        else:
            self._status.show_status(text, state)
        self.finished.emit(change if change is not None and not change.ok else result.outcome)

    # -- changing ---------------------------------------------------------------------------
    def on_subscribe_requested(self, list_id: str) -> None:
        if self._busy or self._closed:
            return
        if not list_id:
            self._status.show_status("Subscribe: enter the ID of the list first.", "error")
            self._tab.list_id_edit.setFocus()
            return
        from profile_editor.core.lists.plan import plan_subscribe

        self._change(plan_subscribe(self._bar.recipient_id(), list_id, self._target()))

    def on_unsubscribe_all_requested(self) -> None:
        if self._busy or self._closed:
            return
        from profile_editor.core.lists.plan import plan_unsubscribe_all

        target, rid = self._target(), self._bar.recipient_id()
        self._change(plan_unsubscribe_all(rid, target, self._shown_count(target, rid)))

    def _change(self, plan: ListsPlan | Refusal) -> None:
        if isinstance(plan, Refusal):
            self._refuse(plan)
            return
        for ask in plan.confirmations:
            if not dialogs.confirm(self._widget, ask.title, ask.text, ask.detail, ok=ask.ok):
                self._status.show_status(
                    f"{plan.verb}: not sent, cancelled at the confirmation.", "idle"
                )
                return
        from profile_editor.core.lists.requests import execute_lists

        session, api_key, request = self._session, self._bar.api_key(), plan.request
        token = session.cancel_token()

        def work(progress: Progress) -> Outcome:
            return execute_lists(
                session.client(),
                request,
                api_key,
                cancel=token,
                on_retry=lambda n, total, delay, why: progress(retry_line(why, n, total, delay)),
            )

        self._changing = plan
        self._generation += 1  # a read in flight now shows what was before the change
        self._set_busy(True)
        self._status.show_status(f"{plan.verb}…", "busy")
        job = Job(work, token=token).on_finished(lambda outcome: self._on_changed(plan, outcome))
        self._runner.run(job.on_failed(self._on_bug).on_progress(self._on_change_progress))

    def _on_change_progress(self, note: str) -> None:
        if not self._closed:
            self._status.show_status(note, "busy")

    def _on_changed(self, plan: ListsPlan, outcome: Outcome) -> None:
        self._changing = None
        if self._closed:
            return
        from profile_editor.core.lists.plan import change_status, plan_read
        from profile_editor.core.lists.requests import SubscribeRequest

        self._status.show_status(*change_status(plan, outcome))
        self.changed.emit(ListsChanged(plan, outcome))
        if outcome.ok:
            if isinstance(plan.request, SubscribeRequest):
                self._tab.list_id_edit.clear()
            read = plan_read(plan.recipient_id, plan.target)
            if not isinstance(read, Refusal):
                self._fetch(read, after_load=False, change=outcome)
                return
        self._set_busy(False)
        self.finished.emit(outcome)

    def _on_bug(self, exc: Exception) -> None:
        # execute_lists() maps every failure to an outcome; this is a bug in the app itself.
        if self._closed:
            return
        plan, self._changing = self._changing, None
        self._set_busy(False)
        outcome = Outcome(kind=OutcomeKind.NETWORK, summary="Unexpected error", detail=repr(exc))
        if plan is not None:
            self.changed.emit(ListsChanged(plan, outcome))
        self._status.show_status(f"Lists: unexpected error ({exc!r}).", "error")
        self.finished.emit(outcome)

    # -- closing ----------------------------------------------------------------------------
    def shutdown(self) -> None:
        """After the runner is shut down: a change cut short is still reported, for history."""
        self._closed = True
        plan, self._changing = self._changing, None
        if plan is not None:
            self.changed.emit(ListsChanged(plan, closed_outcome()))
        for read in list(self._reads):  # the pages a read sent before it was cut short
            self._report_read(read)
