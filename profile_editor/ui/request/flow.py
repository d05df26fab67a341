"""From a click on Load or Send to a request under way: checks, questions, then the controller."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from profile_editor.core.cooperate import gc_quiet
from profile_editor.core.send.draft import Draft
from profile_editor.core.send.plan import (
    ChangePreview,
    Refusal,
    SendPlan,
    Target,
    plan,
    plan_load,
    plans_quickly,
)
from profile_editor.diagnostics.masking import register_secret
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.workers import Job, Progress
from profile_editor.ui.environments.switcher import EnvironmentSwitcher
from profile_editor.ui.presets.document import BodyEditor
from profile_editor.ui.request.bar import RequestBar
from profile_editor.ui.request.change_previewer import ChangePreviewer
from profile_editor.ui.request.controller import RequestController
from profile_editor.ui.request.feedback import RequestFeedback
from profile_editor.ui.request.status_line import StatusLine

__all__ = ["RequestFlow"]


class RequestFlow(QObject):
    """Load and Send: refuse with a reason, ask what must be asked, then hand over.

    A send of a large profile whose change set is still being worked out (on a worker) waits
    for it, so the diff is never done twice nor on the UI thread. A body of many values is
    planned on a worker too: the plan measures the encoded body, which takes a while.
    """

    def __init__(
        self,
        window: QWidget,
        *,
        draft: Callable[[], Draft],
        default_base_url: str,
        bar: RequestBar,
        editor: BodyEditor,
        environments: EnvironmentSwitcher,
        controller: RequestController,
        previewer: ChangePreviewer,
        feedback: RequestFeedback,
        status: StatusLine,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._draft = draft
        self._default_base_url = default_base_url
        self._bar = bar
        self._editor = editor
        self._environments = environments
        self._controller = controller
        self._previewer = previewer
        self._feedback = feedback
        self._status = status
        self._pending: tuple[Draft, bool] | None = None  # a send waiting for its change set
        self._planning = False  # a send being planned on a worker

    def _refuse(self, refusal: Refusal) -> None:
        self._status.show_status(refusal.message, "error")
        if refusal.field == "profile":
            self._editor.reveal_problem()
        else:
            self._bar.focus(refusal.field)

    def on_copy_curl(self) -> None:
        draft = self._draft()
        if draft.method.has_body and not draft.body_ready:
            self._status.show_status(f"Cannot copy: {draft.problem}", "error")
            return
        base_url = self._environments.target(self._default_base_url).base_url
        QGuiApplication.clipboard().setText(draft.to_request(base_url).to_curl())
        self._status.show_idle("Copied the cURL command (it reads the key from $COURIER_API_KEY).")

    def on_load_requested(self) -> None:
        if self._controller.is_busy() or self._planning:
            return
        rid = self._bar.recipient_id()
        target = self._environments.target(self._default_base_url)
        request = plan_load(Draft(rid), target)
        if isinstance(request, Refusal):
            self._refuse(request)
            return
        if self._editor.is_modified() and not dialogs.ask_discard(
            self._window,
            "Discard unsaved edits?",
            f"Loading “{rid}” replaces what is in the editor.",
        ):
            return
        self._feedback.expect("Loading…")
        self._controller.load(request, self._use_key(), target.environment)

    def on_send_requested(self) -> None:
        if self._controller.is_busy() or self._pending is not None or self._planning:
            return
        draft, verify = self._draft(), self._bar.verify()
        target = self._environments.target(self._default_base_url)
        stored = self._controller.stored_for(target.base_url, draft.recipient_id)
        previewer = self._previewer
        if (
            stored is not None
            and previewer.changes_for(draft, stored) is None
            and previewer.is_large(draft, stored)
        ):
            self._pending = (draft, verify)
            previewer.request(draft, stored)
            return
        self._send(draft, verify, target)

    def on_changes_ready(self, _preview: ChangePreview) -> None:
        pending = self._pending
        if pending is not None and not self._previewer.is_working():
            self._pending = None
            self._send(*pending)

    def _send(self, draft: Draft, verify: bool, target: Target | None = None) -> None:
        # The target just worked out for this send, or (after the change preview) the one now.
        if target is None:
            target = self._environments.target(self._default_base_url)
        stored = self._controller.stored
        known = self._previewer.changes_for(draft, stored)
        if plans_quickly(draft):
            self._planned(plan(draft, target, stored, verify=verify, changes=known), verify)
            return

        def work(_progress: Progress) -> SendPlan | Refusal:
            with gc_quiet():  # no full collection in the middle of encoding the body
                return plan(draft, target, stored, verify=verify, changes=known)

        def planned(result: SendPlan | Refusal) -> None:
            self._planning = False
            self._planned(result, verify)

        def failed(exc: Exception) -> None:
            self._planning = False
            self._status.show_status(f"Not sent: unexpected error ({exc!r}).", "error")

        self._planning = True
        self._status.show_status("Preparing the send…", "busy")
        self._controller.runner.run(Job(work).on_finished(planned).on_failed(failed))

    def _planned(self, result: SendPlan | Refusal, verify: bool) -> None:
        if isinstance(result, Refusal):
            self._refuse(result)
            return
        for ask in result.confirmations:
            if not dialogs.confirm(self._window, ask.title, ask.text, ask.detail, ok=ask.ok):
                self._status.show_status("Not sent: cancelled at the confirmation.", "idle")
                return
        self._feedback.expect("Sending…")
        self._controller.send(result, self._use_key(), verify=verify)

    def _use_key(self) -> str | None:
        key = self._bar.api_key()
        register_secret(key)  # masked in the log from now on, whatever shape it has
        return key
