"""Reads a recipient's preferences, tokens and tenants (in parallel, after a Load) and writes
them: each write asks where a profile send would ask, re-reads, says whether what is stored is
what was asked, and is reported for the history with the item before and after.

Everything goes through the window's one HTTP session and job runner, never on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from profile_editor.core.http.models import Outcome, OutcomeKind
from profile_editor.core.http.outcome_text import closed_outcome, failure_line, retry_line
from profile_editor.core.http.session import Session
from profile_editor.core.send.plan import Confirmation, Refusal, Target, target_problem
from profile_editor.core.users.plan import plan_request
from profile_editor.core.users.record import UsersChanged
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.request.bar import RequestBar
from profile_editor.ui.request.controller import Loaded
from profile_editor.ui.request.status_line import StatusLine
from profile_editor.ui.users import api
from profile_editor.ui.users.models import PreferencesModel, TenantsModel, TokensModel
from profile_editor.ui.users.tabs import DevicesTab, PreferencesTab, ResourceTab, TenantsTab

__all__ = ["RESOURCES", "UsersController"]

RESOURCES = ("preferences", "tokens", "tenants")
_NOUNS = {"preferences": "preferences", "tokens": "device tokens", "tenants": "tenants"}


@dataclass
class _Shown:
    """One resource: whose rows the model holds, and the line that says so (or why not)."""

    message: str
    whose: tuple[str, str] | None = None  # base URL and recipient of the rows
    environment: str | None = None  # where they were read, by name (None: no name)
    tenant: str | None = None  # the tenant scope they were read in (preferences only)
    ok: bool = False
    generation: int = 0
    busy: bool = False


@dataclass(frozen=True, eq=False)
class _Write:
    """One write the user asked for: its requests, in order, and how to judge the re-read."""

    resource: str
    verb: str
    recipient_id: str
    target: Target
    tenant_id: str | None
    requests: list[Any]
    before: list[dict[str, Any] | None]
    # (request, items re-read) → the item after, for the history
    after: Callable[[Any, list[Any]], dict[str, Any] | None]
    # items re-read → what differs from what was asked (empty: stored as asked)
    check: Callable[[list[Any]], list[str]]


class UsersController(QObject):
    """The three tabs' requests.

    Signals:
        changed(UsersChanged, str | None): a write ended (for the history), and the
            environment it went to.
        finished(str): a read, or a write and its re-read, of this resource is over.
        busyChanged(bool): something of the three tabs is being read or written (or no more).
    """

    changed = Signal(object, object)
    finished = Signal(str)
    busyChanged = Signal(bool)

    def __init__(
        self,
        session: Session,
        runner: JobRunner,
        request_bar: RequestBar,
        status_line: StatusLine,
        target: Callable[[], Target],
        lists_count: Callable[[str, str], int | None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._runner = runner
        self._bar = request_bar
        self._status = status_line
        self._target = target
        self._lists_count = lists_count
        self._widget = parent
        self._closed = False
        self._busy = False
        self._jobs: set[Job[Any]] = set()  # in flight, for Cancel
        self.preferences_model = PreferencesModel(self._widget)
        self.tokens_model = TokensModel(self._widget)
        self.tenants_model = TenantsModel(self._widget)
        self._shown = {r: _Shown(_empty(r)) for r in RESOURCES}
        self._tabs: dict[str, ResourceTab] = {}
        self._writing: _Write | None = None
        # What Add… was given last, kept when it was refused so nothing typed is lost.
        self._token_form: dict[str, str] = {}
        self._tenant_form: dict[str, str] = {}
        self._patch_form: dict[str, str] = {}
        # Preference changes from a preset, staged once the topics they name are read.
        self._pending: dict[str, str] = {}
        # Whose the summary line under the recipient field is (base URL, recipient), and its text.
        self._summary_whose: tuple[str, str] | None = None
        self._summary_text = ""
        self.preferences_model.stagedChanged.connect(self._on_staged_changed)

    # -- the tabs, built when first shown ---------------------------------------------------
    def build_tab(self, resource: str, page: QWidget) -> ResourceTab:
        tab: ResourceTab
        if resource == "preferences":
            prefs = PreferencesTab(self.preferences_model, page)
            prefs.applyRequested.connect(self.on_apply_requested)
            prefs.resetRequested.connect(self.on_reset_requested)
            prefs.discardRequested.connect(self.preferences_model.clear_staged)
            prefs.topicRequested.connect(self.on_topic_requested)
            prefs.tenant_edit.returnPressed.connect(lambda: self.reload("preferences"))
            prefs.tenant_edit.textChanged.connect(self.on_target_changed)
            tab = prefs
        elif resource == "tokens":
            devices = DevicesTab(self.tokens_model, page)
            devices.addRequested.connect(self.on_add_token_requested)
            devices.patchRequested.connect(self.on_patch_token_requested)
            devices.deleteRequested.connect(self.on_delete_token_requested)
            tab = devices
        else:
            tenants = TenantsTab(self.tenants_model, page)
            tenants.addRequested.connect(self.on_add_tenant_requested)
            tenants.removeRequested.connect(self.on_remove_tenant_requested)
            tab = tenants
        tab.reloadRequested.connect(lambda: self.reload(resource))
        layout = page.layout()
        if layout is not None:
            layout.addWidget(tab)
        self._tabs[resource] = tab
        shown = self._shown[resource]
        tab.show_message(shown.message)
        tab.set_busy(shown.busy or self._writing is not None)
        self._mark(resource)
        if resource == "preferences":
            self._on_staged_changed()
            prefs.on_model_reset()
        self._fit_columns(resource)
        return tab

    def tab(self, resource: str) -> ResourceTab | None:
        return self._tabs.get(resource)

    def _tenant_id(self) -> str | None:
        tab = self._tabs.get("preferences")
        if isinstance(tab, PreferencesTab):
            return tab.tenant_id() or None
        return None

    def is_busy(self) -> bool:
        return self._writing is not None or any(s.busy for s in self._shown.values())

    def _message(self, resource: str, text: str) -> None:
        self._shown[resource].message = text
        tab = self._tabs.get(resource)
        if tab is not None:
            tab.show_message(text)

    def _result(self, resource: str, text: str, state: str) -> None:
        tab = self._tabs.get(resource)
        if tab is not None:
            tab.show_result(text, state)

    def _set_busy(self, resource: str, busy: bool) -> None:
        self._shown[resource].busy = busy
        tab = self._tabs.get(resource)
        if tab is not None:
            tab.set_busy(busy or self._writing is not None)
        if self.is_busy() != self._busy:
            self._busy = not self._busy
            self.busyChanged.emit(self._busy)

    def _run(self, job: Job[Any]) -> None:
        """Run ``job`` on the window's runner, where Cancel can reach it."""
        self._jobs.add(job)
        job.on_finished(lambda _result: self._jobs.discard(job))
        job.on_failed(lambda _exc: self._jobs.discard(job))
        self._runner.run(job)

    def cancel(self) -> None:
        """Cancel (Ctrl+.): stop the reads and writes in flight. Each ends as cancelled: a
        read says so in its tab, a write in the status line and the history, as any write
        cut short."""
        for job in list(self._jobs):
            job.cancel()

    # -- reading ----------------------------------------------------------------------------
    def on_profile_loaded(self, loaded: Loaded) -> None:
        """After a Load: the same recipient's preferences, tokens and tenants, in parallel."""
        request = loaded.request
        rid = request.recipient_id
        if loaded.stored is None:
            for resource in RESOURCES:
                self._shown[resource].generation += 1
                self._set_busy(resource, False)
                self._clear(resource)
                self._message(
                    resource,
                    f"{_NOUNS[resource].capitalize()} of “{rid}” not read: the Load did not succeed.",
                )
            self._set_summary(None, "")
            return
        target = self._target()
        if target.base_url != request.base_url:
            target = Target(request.base_url, has_key=target.has_key)
        self._set_summary((target.base_url, rid), f"Reading the rest of “{rid}”…")
        if self._shown["preferences"].whose != (target.base_url, rid):
            self.preferences_model.clear_staged()  # another recipient's edits are not these
        for resource in RESOURCES:
            self._read(resource, rid, target)

    def reload(self, resource: str) -> None:
        if self._closed or self._writing is not None:
            return
        self._read(resource, self._bar.recipient_id(), self._target(), explicit=True)

    def _read(self, resource: str, rid: str, target: Target, *, explicit: bool = False) -> None:
        if self._closed:
            return
        problem = target_problem(rid, target)
        if problem is not None:
            if explicit:
                self._status.show_status(
                    f"Read {_NOUNS[resource]}: not sent. {problem[0]}", "error"
                )
                self._bar.focus(problem[1])
            return
        shown = self._shown[resource]
        shown.generation += 1
        generation = shown.generation
        session, key, tenant = self._session, self._bar.api_key(), self._tenant_id()
        token = session.cancel_token()

        def work(progress: Progress) -> api.Read:
            return api.read(
                resource,
                session.client(),
                target.base_url,
                rid,
                key,
                tenant_id=tenant,
                cancel=token,
                on_retry=lambda n, total, delay, why: progress(retry_line(why, n, total, delay)),
            )

        self._set_busy(resource, True)
        self._message(resource, f"Reading the {_NOUNS[resource]} of “{rid}”…")
        job = Job(work, token=token)
        job.on_finished(lambda read: self._on_read(resource, generation, rid, target, tenant, read))
        job.on_failed(lambda exc: self._on_bug(resource, exc))
        job.on_progress(lambda note: self._message(resource, str(note)))
        self._run(job)

    def _on_read(
        self,
        resource: str,
        generation: int,
        rid: str,
        target: Target,
        tenant: str | None,
        read: api.Read,
    ) -> None:
        shown = self._shown[resource]
        if self._closed or generation != shown.generation:
            return
        self._set_busy(resource, False)
        self._show_read(resource, rid, target, tenant, read)
        self._update_summary((target.base_url, rid))
        self.finished.emit(resource)

    def _show_read(
        self, resource: str, rid: str, target: Target, tenant: str | None, read: api.Read
    ) -> None:
        shown = self._shown[resource]
        where = f" in {target.environment}" if target.environment else ""
        dropped = ""
        if resource == "preferences" and shown.whose not in (None, (target.base_url, rid)):
            # Changes staged on another recipient's topics are not this one's (as on a Load).
            count = len(self.preferences_model.staged())
            self.preferences_model.clear_staged()
            if count:
                dropped = f" The {count} change{'' if count == 1 else 's'} staged for the recipient shown before were dropped."
        shown.whose = (target.base_url, rid)
        shown.environment = target.environment
        shown.tenant = tenant if resource == "preferences" else None
        shown.ok = read.ok
        if read.ok:
            self._fill(resource, read.items)
            scope = f" (tenant “{tenant}”)" if tenant and resource == "preferences" else ""
            self._message(
                resource,
                f"“{rid}”{where}{scope}: {api.count_text(resource, read.items)}.{dropped}",
            )
        else:
            self._clear(resource)
            self._message(resource, failure_line(f"Reading the {_NOUNS[resource]}", read.outcome))
        self._mark(resource)  # the field may have changed while they were read

    def _fill(self, resource: str, items: list[Any]) -> None:
        if resource == "preferences":
            self.preferences_model.set_topics(items, keep_staged=True)
            if self._pending and items:
                self.preferences_model.set_staged(
                    {**self._pending, **self.preferences_model.staged()}
                )
                self._pending = {}
        elif resource == "tokens":
            self.tokens_model.set_tokens(items)
        else:
            self.tenants_model.set_tenants(items)
        self._fit_columns(resource)

    def _fit_columns(self, resource: str) -> None:
        tab = self._tabs.get(resource)
        if isinstance(tab, (DevicesTab, TenantsTab)) and tab.model.rowCount():
            for column in range(tab.model.columnCount() - 1):
                tab.view.resizeColumnToContents(column)
                # Capped, so that status and reason still show beside a long app ID.
                tab.view.setColumnWidth(column, min(tab.view.columnWidth(column), 150))

    def _clear(self, resource: str) -> None:
        self._shown[resource].ok = False
        self._fill(resource, [])

    def summary(self) -> str:
        return self._bar.recipient_summary_text()

    def _update_summary(self, whose: tuple[str, str]) -> None:
        """The summary line about ``whose``, from the tabs that show that recipient."""
        if any(s.busy for s in self._shown.values()):
            return
        parts = {
            r: (self._items(r) if self._shown[r].ok and self._shown[r].whose == whose else None)
            for r in RESOURCES
        }
        text = api.summary(
            self._lists_count(*whose),
            parts["preferences"],
            parts["tokens"],
            parts["tenants"],
            date.today(),
        )
        self._set_summary(whose, text)

    def _set_summary(self, whose: tuple[str, str] | None, text: str) -> None:
        self._summary_whose, self._summary_text = whose, text
        self._mark_summary()

    def on_lists_finished(self, *_args: object) -> None:
        if not self._closed and self._summary_whose is not None:
            self._update_summary(self._summary_whose)

    # -- whose rows are shown ----------------------------------------------------------------
    def on_target_changed(self, *_args: object) -> None:
        """The recipient ID, the environment (or the preferences' tenant box) changed: rows
        of another recipient are marked out of date at once, and current again if it changes
        back. Writes are refused while they are (see :meth:`_shown_target`)."""
        if self._closed:
            return
        for resource in RESOURCES:
            self._mark(resource)
        self._mark_summary()

    def _mark(self, resource: str) -> None:
        tab = self._tabs.get(resource)
        if tab is None:
            return
        mismatch = self._mismatch(resource)
        if mismatch is None:
            tab.mark_current()
        else:
            tab.mark_out_of_date(f"Out of date: {mismatch[0]}. {mismatch[1]}")

    def _mark_summary(self) -> None:
        whose, text = self._summary_whose, self._summary_text
        if whose is None or not text:
            self._bar.set_recipient_summary(text)
            return
        rid = whose[1]
        if (self._target().base_url, self._bar.recipient_id()) == whose:
            self._bar.set_recipient_summary(text)
        else:
            self._bar.set_recipient_summary(f"Out of date, “{rid}”: {text}", stale=True)

    def _mismatch(self, resource: str) -> tuple[str, str, str] | None:
        """Why the rows shown are not those of the recipient entered now: what differs, what
        the tab can do about it, and what to do before a write; None when they are."""
        shown = self._shown[resource]
        if shown.whose is None:
            return None
        base_url, rid = shown.whose
        noun = _NOUNS[resource]
        target, now = self._target(), self._bar.recipient_id()
        if now != rid:
            if not now:
                return (
                    f"the {noun} shown are those of “{rid}”, but the recipient ID field is empty",
                    "Load a recipient to see theirs.",
                    f"Put “{rid}” back, or Load another recipient first.",
                )
            return (
                f"the {noun} shown are those of “{rid}”, but the recipient ID is now “{now}”",
                f"Load or Reload reads those of “{now}”.",
                f"Load “{now}” first, or put “{rid}” back.",
            )
        if target.base_url != base_url:
            then = shown.environment or base_url
            place = target.environment or target.base_url
            return (
                f"the {noun} shown were read in {then}, but the environment is now {place}",
                "Load or Reload reads them there.",
                f"Load there first, or switch back to {then}.",
            )
        if resource == "preferences" and self._tabs.get("preferences") is not None:
            tenant = self._tenant_id()
            if tenant != shown.tenant:
                return (
                    f"the preferences shown were read {_scope(shown.tenant)}, but the tenant box "
                    f"now says {_said(tenant)}",
                    "Reload (or Enter in the box) reads them there.",
                    "Reload first, or put the tenant back.",
                )
        return None

    def _shown_target(self, resource: str, verb: str) -> tuple[str, Target] | None:
        """The recipient and target of the rows shown, for a write; None (and why, in the
        status line) when the recipient entered is not theirs.

        Refused rather than sent to the recipient shown: the field is what the user looks at
        and what every other button acts on, so a write to another one would surprise; and
        one to the recipient entered would be planned against rows read from someone else.
        Nothing is lost: staged changes and forms stay as they are.
        """
        shown = self._shown[resource]
        if shown.whose is None:
            self._status.show_status(
                f"{verb}: not sent. No {_NOUNS[resource]} are shown: Load the recipient first, "
                "so that you see what you change.",
                "error",
            )
            self._bar.focus("recipient")
            return None
        mismatch = self._mismatch(resource)
        if mismatch is not None:
            line = f"{verb}: not sent — {mismatch[0]}. {mismatch[2]}"
            self._status.show_status(line, "error")  # the tab's own line says it already
            return None
        return shown.whose[1], self._target()

    def _items(self, resource: str) -> list[Any]:
        if resource == "preferences":
            return self.preferences_model.topics()
        if resource == "tokens":
            return self.tokens_model.tokens()
        return self.tenants_model.tenants()

    # -- preferences ------------------------------------------------------------------------
    def staged_preferences(self) -> dict[str, str]:
        return {**self._pending, **self.preferences_model.staged()}

    def stage_preferences(self, changes: dict[str, str]) -> None:
        """Stage these (a preset's) on the topics shown, and on those read next."""
        self._pending = dict(changes)
        self.preferences_model.set_staged(changes)

    def _on_staged_changed(self) -> None:
        tab = self._tabs.get("preferences")
        if not isinstance(tab, PreferencesTab):
            return
        staged = self.preferences_model.staged()
        if not staged:
            tab.show_changes([], None)
            return
        plan = api.plan_staged(staged, self.preferences_model.topics())
        if isinstance(plan, str):
            lines = [
                api.describe_staged(topic, staged[topic.topic_id])
                for topic in self.preferences_model.topics()
                if topic.topic_id in staged
            ]
            tab.show_changes(lines, plan.removesuffix(" Nothing was sent."))
        else:
            tab.show_changes([api.describe(change) for change in plan], None)

    def on_topic_requested(self, topic_id: str) -> None:
        """Read one topic (the recipient's choice, or the topic's default) and list it."""
        if self._closed:
            return
        if not topic_id:
            self._status.show_status("Show topic: enter the topic's ID first.", "error")
            return
        shown = self._shown_target("preferences", "Show topic")  # it joins the rows shown
        if shown is None:
            return
        (rid, target), tenant = shown, self._tenant_id()
        request = api.topic_request(target.base_url, rid, topic_id, tenant)
        plan = plan_request(request, target, "")
        if isinstance(plan, Refusal):
            self._refuse(plan)
            return
        session, key = self._session, self._bar.api_key()
        token = session.cancel_token()

        def work(_progress: Progress) -> Outcome:
            return api.execute(session.client(), request, key, cancel=token)

        def done(outcome: Outcome) -> None:
            if self._closed:
                return
            self._set_busy("preferences", False)
            topic = api.topic_of(outcome)
            if topic is None:
                self._status.show_status(
                    failure_line(f"Reading the topic “{topic_id}”", outcome), "error"
                )
            else:
                self.preferences_model.add_topic(topic)
                tab = self._tabs.get("preferences")
                if isinstance(tab, PreferencesTab):
                    tab.topic_edit.clear()
                    tab.view.setCurrentIndex(self.preferences_model.index_of(topic.topic_id))
                self._status.show_status(
                    f"“{topic.name}” for “{rid}”: {topic.status.value} — double-click the status to change it.",
                    "success",
                )
            self.finished.emit("preferences")

        self._set_busy("preferences", True)
        job = Job(work, token=token).on_finished(done)
        self._run(job.on_failed(lambda exc: self._on_bug("preferences", exc)))

    def on_apply_requested(self) -> None:
        if self._refuse_busy("Apply preferences"):
            return
        shown = self._shown_target("preferences", "Apply preferences")
        if shown is None:
            return
        (rid, target), tenant = shown, self._tenant_id()
        staged = self.preferences_model.staged()
        if not staged:
            self._status.show_status("Apply preferences: nothing is staged.", "idle")
            return
        topics = self.preferences_model.topics()
        plan = api.plan_staged(staged, topics)
        if isinstance(plan, str):
            self._status.show_status(f"Apply preferences: {plan}", "error")
            self._result("preferences", plan, "error")
            return
        by_id = {t.topic_id: t for t in topics}
        requests = api.preference_writes(plan, target.base_url, rid, tenant)
        what = "; ".join(api.describe(c) for c in plan)
        write = _Write(
            "preferences",
            "Apply preferences",
            rid,
            target,
            tenant,
            requests,
            [api.dump(by_id[c.topic_id]) for c in plan],
            api.preference_after,
            lambda items: api.check_changes(plan, items),
        )
        self._write(write, f"Change the preferences of “{rid}” ({what})", "Apply")

    def on_reset_requested(self, topic_id: str) -> None:
        if self._refuse_busy("Reset to default"):
            return
        shown = self._shown_target("preferences", "Reset to default")
        if shown is None:
            return
        (rid, target), tenant = shown, self._tenant_id()
        if not topic_id:
            self._status.show_status("Reset to default: select a topic first.", "error")
            return
        topic = next((t for t in self.preferences_model.topics() if t.topic_id == topic_id), None)
        name = (topic.topic_name if topic is not None else None) or topic_id
        plan = api.plan_reset(topic_id, self.preferences_model.topics())
        if isinstance(plan, str):
            self._status.show_status(f"Reset to default: not sent. {plan}", "error")
            return
        if not plan:
            self._status.show_status(
                f"Reset to default: “{name}” already follows its default; nothing to send.", "idle"
            )
            return
        write = _Write(
            "preferences",
            "Reset to default",
            rid,
            target,
            tenant,
            api.preference_writes(plan, target.base_url, rid, tenant),
            [api.dump(topic)],
            api.preference_after,
            lambda items: api.check_changes(plan, items),
        )
        self._write(write, f"Reset “{name}” to its default for “{rid}”", "Reset")

    # -- tokens -----------------------------------------------------------------------------
    def on_add_token_requested(self) -> None:
        if self._refuse_busy("Add token"):
            return
        shown = self._shown_target("tokens", "Add token")
        if shown is None:
            return
        rid, target = shown
        values = dialogs.ask_form(
            self._widget,
            "Add a device token",
            "The token as the push provider gave it; expiry as a date (2027-01-31) or “never”"
            " (empty: 60 days after the last registration).",
            api.token_fields(self._token_form),
            ok="Add",
        )
        if values is None:
            return
        self._token_form = values
        made = api.token_from_form(values)
        if isinstance(made, str):
            self._status.show_status(f"Add token: not sent. {made}", "error")
            self._result("tokens", f"Not sent: {made}", "error")
            return
        request, asked = api.put_token(target.base_url, rid, made)
        write = _Write(
            "tokens",
            "Add token",
            rid,
            target,
            None,
            [request],
            [None],
            api.token_after,
            lambda items: api.check_added(asked, items),
        )
        self._write(write, f"Add the device token {api.short(made.token)} to “{rid}”", "Add")

    def on_patch_token_requested(self, token: str) -> None:
        if self._refuse_busy("Change token"):
            return
        shown = self._shown_target("tokens", "Change token")
        if shown is None:
            return
        rid, target = shown
        current = next((t for t in self.tokens_model.tokens() if t.token == token), None)
        if current is None:
            self._status.show_status("Change token: select a token first.", "error")
            return
        values = dialogs.ask_form(
            self._widget,
            "Change a device token",
            f"Token {api.short(token)}: leave a field empty to keep it as it is.",
            api.patch_fields(self._patch_form),
            ok="Change",
        )
        if values is None:
            return
        self._patch_form = values
        ops = api.patch_ops(values)
        if isinstance(ops, str):
            self._status.show_status(f"Change token: not sent. {ops}", "error")
            self._result("tokens", f"Not sent: {ops}", "error")
            return
        self._patch_form = {}
        write = _Write(
            "tokens",
            "Change token",
            rid,
            target,
            None,
            [api.patch_token(target.base_url, rid, token, ops)],
            [api.dump(current)],
            api.token_after,
            lambda items: api.check_patch(current, ops, items),
        )
        self._write(write, f"Change the device token {api.short(token)} of “{rid}”", "Change")

    def on_delete_token_requested(self, token: str) -> None:
        if self._refuse_busy("Delete token"):
            return
        shown = self._shown_target("tokens", "Delete token")
        if shown is None:
            return
        rid, target = shown
        current = next((t for t in self.tokens_model.tokens() if t.token == token), None)
        if current is None:
            self._status.show_status("Delete token: select a token first.", "error")
            return
        where = target.environment or target.base_url
        ask = Confirmation(
            "Delete the device token?",
            f"Delete the device token {api.short(token)} of “{rid}” in {where}? "
            "Push will no longer reach that device.",
            f"{api.provider(current)} · {target.base_url}",
            "Delete",
        )
        write = _Write(
            "tokens",
            "Delete token",
            rid,
            target,
            None,
            [api.delete_token(target.base_url, rid, token)],
            [api.dump(current)],
            api.token_after,
            lambda items: api.check_deleted(token, items),
        )
        self._write(write, f"Delete the device token {api.short(token)}", "Delete", extra=ask)

    # -- tenants ----------------------------------------------------------------------------
    def on_add_tenant_requested(self) -> None:
        if self._refuse_busy("Add tenant"):
            return
        shown = self._shown_target("tenants", "Add tenant")
        if shown is None:
            return
        rid, target = shown
        values = dialogs.ask_form(
            self._widget,
            "Add to a tenant",
            "The tenant's ID, and optionally the recipient's profile in that tenant as a JSON "
            "object (it overrides the profile for sends in the tenant).",
            api.tenant_fields(self._tenant_form),
            ok="Add",
        )
        if values is None:
            return
        self._tenant_form = values
        made = api.tenant_from_form(values)
        if isinstance(made, str):
            self._status.show_status(f"Add tenant: not sent. {made}", "error")
            self._result("tenants", f"Not sent: {made}", "error")
            return
        tenant_id, profile = made
        write = _Write(
            "tenants",
            "Add tenant",
            rid,
            target,
            None,
            [api.put_tenant(target.base_url, rid, tenant_id, profile)],
            [
                api.dump(
                    next(
                        (t for t in self.tenants_model.tenants() if t.tenant_id == tenant_id), None
                    )
                )
            ],
            api.tenant_after,
            lambda items: api.check_membership(tenant_id, profile, items, removed=False),
        )
        self._write(write, f"Add “{rid}” to the tenant “{tenant_id}”", "Add")

    def on_remove_tenant_requested(self, tenant_id: str) -> None:
        if self._refuse_busy("Remove tenant"):
            return
        shown = self._shown_target("tenants", "Remove tenant")
        if shown is None:
            return
        rid, target = shown
        current = next((t for t in self.tenants_model.tenants() if t.tenant_id == tenant_id), None)
        if current is None:
            self._status.show_status("Remove tenant: select a tenant first.", "error")
            return
        where = target.environment or target.base_url
        ask = Confirmation(
            "Remove from the tenant?",
            f"Remove “{rid}” in {where} from the tenant “{tenant_id}”? Its profile in that "
            "tenant goes too.",
            target.base_url,
            "Remove",
        )
        write = _Write(
            "tenants",
            "Remove tenant",
            rid,
            target,
            None,
            [api.remove_tenant(target.base_url, rid, tenant_id)],
            [api.dump(current)],
            api.tenant_after,
            lambda items: api.check_membership(tenant_id, None, items, removed=True),
        )
        self._write(write, f"Remove “{rid}” from the tenant “{tenant_id}”", "Remove", extra=ask)

    # -- writing ----------------------------------------------------------------------------
    def _refuse_busy(self, verb: str) -> bool:
        if self._closed:
            return True
        if self._writing is not None:
            self._status.show_status(f"{verb}: wait for the change in progress to end.", "error")
            return True
        return False

    def _write(
        self, write: _Write, what: str, ok: str, *, extra: Confirmation | None = None
    ) -> None:
        asks: tuple[Confirmation, ...] = ()
        for n, request in enumerate(write.requests):
            plan = plan_request(request, write.target, what, ask=extra)
            if isinstance(plan, Refusal):
                self._refuse(plan)
                return
            if n == 0:  # one question for the whole write
                asks = plan.confirmations
        for ask in asks:
            if not dialogs.confirm(self._widget, ask.title, ask.text, ask.detail, ok=ask.ok):
                self._status.show_status(
                    f"{write.verb}: not sent, cancelled at the confirmation.", "idle"
                )
                return
        session, key = self._session, self._bar.api_key()
        token = session.cancel_token()
        resource = write.resource

        def work(progress: Progress) -> tuple[list[Outcome], api.Read]:
            def on_retry(n: int, total: int, delay: float, why: str) -> None:
                progress(retry_line(why, n, total, delay))

            outcomes: list[Outcome] = []
            for request in write.requests:
                outcome = api.execute(
                    session.client(), request, key, cancel=token, on_retry=on_retry
                )
                outcomes.append(outcome)
                if not outcome.ok:
                    break
            # Re-read whatever happened: the tab shows what is stored, not what was hoped for.
            read = api.read(
                resource,
                session.client(),
                write.target.base_url,
                write.recipient_id,
                key,
                tenant_id=write.tenant_id,
                cancel=token,
                on_retry=on_retry,
            )
            return outcomes, read

        self._writing = write
        self._shown[resource].generation += 1  # a read in flight would show the state before
        for r in RESOURCES:
            self._set_busy(r, self._shown[r].busy)
        self._set_busy(resource, True)
        self._status.show_status(f"{write.verb}…", "busy")
        self._result(resource, "", "idle")
        job = Job(work, token=token)
        job.on_finished(lambda result: self._on_written(write, *result))
        job.on_failed(lambda exc: self._on_bug(resource, exc))
        job.on_progress(lambda note: self._status.show_status(str(note), "busy"))
        self._run(job)

    def _refuse(self, refusal: Refusal) -> None:
        self._status.show_status(refusal.message, "error")
        self._bar.focus(refusal.field)

    def _on_written(self, write: _Write, outcomes: list[Outcome], read: api.Read) -> None:
        if self._closed:
            return  # reported by shutdown()
        self._writing = None
        resource = write.resource
        self._report(write, outcomes, read)
        self._set_busy(resource, False)
        for r in RESOURCES:
            self._set_busy(r, self._shown[r].busy)
        self._show_read(resource, write.recipient_id, write.target, write.tenant_id, read)
        failed = next((o for o in outcomes if not o.ok), None)
        if failed is not None:
            state = "idle" if failed.kind is OutcomeKind.CANCELLED else "error"
            line = failure_line(write.verb, failed)
            done = len(outcomes) - 1
            if done:
                line += f" ({done} of {len(write.requests)} sent before it)"
            self._status.show_status(line, state)
            self._result(resource, line, "error")
        elif not read.ok:
            line = (
                f"{write.verb}: sent, but the re-read failed, so whether it is stored is unknown."
            )
            self._status.show_status(line, "error")
            self._result(resource, line, "error")
        else:
            problems = write.check(read.items)
            if problems:
                line = (
                    f"{write.verb}: sent, but what is stored is not what was asked: "
                    + "; ".join(problems)
                )
                self._status.show_status(line, "error")
                self._result(resource, f"✗ {line}", "error")
            else:
                line = f"✓ {write.verb}: stored as asked (read again) — {sum(o.elapsed_ms for o in outcomes):,.0f} ms"
                self._status.show_status(line, "success")
                self._result(resource, line, "ok")
                if resource == "preferences" and write.verb == "Apply preferences":
                    self.preferences_model.clear_staged()
        if resource == "preferences":
            self._on_staged_changed()
        self._update_summary((write.target.base_url, write.recipient_id))
        self.finished.emit(resource)

    def _report(self, write: _Write, outcomes: list[Outcome], read: api.Read | None) -> None:
        items = read.items if read is not None and read.ok else None
        for request, before, outcome in zip(write.requests, write.before, outcomes, strict=False):
            after = write.after(request, items) if items is not None else None
            changed = UsersChanged.of(request, outcome, before, after)
            self.changed.emit(changed, write.target.environment)

    def _on_bug(self, resource: str, exc: Exception) -> None:
        # The core maps every failure to an outcome; this is a bug in the app itself.
        self._writing = None
        if self._closed:
            return
        self._set_busy(resource, False)
        self._status.show_status(
            f"{_NOUNS[resource].capitalize()}: unexpected error ({exc!r}).", "error"
        )
        self.finished.emit(resource)

    def shutdown(self) -> None:
        """After the runner is shut down: a write cut short is still reported, for history
        (its first request, as it is unknown how far it got)."""
        self._closed = True
        write, self._writing = self._writing, None
        if write is not None:
            self._report(write, [closed_outcome()], None)


def _empty(resource: str) -> str:
    return f"Load a recipient to see its {_NOUNS[resource]}."


def _scope(tenant: str | None) -> str:
    return f"for the tenant “{tenant}”" if tenant else "without a tenant"


def _said(tenant: str | None) -> str:
    return f"“{tenant}”" if tenant else "none"
