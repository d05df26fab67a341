"""The main window: layout, one ``_connect_signals`` and a few ``on_*`` slots.

The work happens in components the window wires together: the request bar and the editor
collect a :class:`Draft`, ``send_plan.plan`` decides what a send does, the
:class:`RequestController` runs it, and the status line, output tabs and history recorder
show what became of it.

The window starts in two steps. The first frame is built from only what it shows: the band (from a
quick read of the environments file), the sidebar, the request bar, the profile editor, the
Changes tab, the status line and the history dock. Everything else — the storage layer and its
models, the HTTP client, the keychain, the history, the other tabs, the patch editor, the Problems
list, the components and their wiring — is built by :meth:`MainWindow.finish_start` right after
the first paint. Until then Load and Send wait: a click is kept and made once the validated
environment is known, unless that is not the one the band showed (then nothing is sent).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from profile_editor.core.methods import Method
from profile_editor.storage.environment_data import EnvironmentData, read_environments_quickly
from profile_editor.ui.common import palette
from profile_editor.ui.common.frame_pacer import Frame
from profile_editor.ui.common.palette import Palette, render_style_sheet
from profile_editor.ui.common.resources import read_text
from profile_editor.ui.editor.pane import EditorPane
from profile_editor.ui.environments.bar import EnvironmentBar
from profile_editor.ui.environments.start import EnvironmentLike, choose_start, same_environment
from profile_editor.ui.history.dock import HistoryDock
from profile_editor.ui.presets.panel import PresetsPanel
from profile_editor.ui.request.bar import RequestBar
from profile_editor.ui.request.output_tabs import OutputTabs
from profile_editor.ui.request.status_line import StatusLine
from profile_editor.ui.shell.first_frame import after_first_frame, style_first_frame
from profile_editor.ui.shell.menus import build_menus
from profile_editor.ui.shell.window_config import WindowConfig
from profile_editor.ui.shell.window_settings import WindowSettings

if TYPE_CHECKING:
    from profile_editor.core.send.draft import Draft
    from profile_editor.storage.drafts import DraftRecord
    from profile_editor.storage.history_db import HistoryStore
    from profile_editor.storage.presets import PresetStore
    from profile_editor.ui.drafts.keeper import DraftKeeper
    from profile_editor.ui.environments.keys import EnvironmentKeys
    from profile_editor.ui.environments.switcher import EnvironmentSwitcher
    from profile_editor.ui.history.panel import HistoryPanel
    from profile_editor.ui.history.recorder import HistoryRecorder
    from profile_editor.ui.lists.controller import ListsController
    from profile_editor.ui.presets.document import PresetDocument, RequestState
    from profile_editor.ui.request.change_previewer import ChangePreviewer
    from profile_editor.ui.request.controller import Loaded, RequestController
    from profile_editor.ui.request.curl_paste import CurlPaster
    from profile_editor.ui.request.feedback import RequestFeedback
    from profile_editor.ui.request.flow import RequestFlow
    from profile_editor.ui.users.controller import UsersController

PREVIEW_DELAY_MS = 200
# (resource, tab title, page object name)
USER_TABS = (
    ("preferences", "Preferences", "preferencesPage"),
    ("tokens", "Devices", "tokensPage"),
    ("tenants", "Tenants", "tenantsPage"),
)


class MainWindow(QMainWindow):
    """The editor window.

    Signals:
        requestFinished(object): an Outcome, after the UI shows it (send, load or verify).
        busyChanged(bool): a request started (True) or the last one ended (False).
        statusChanged(str, str): the status line's new text and state.
        started(): :meth:`finish_start` is done: every part of the window exists and is wired.
    """

    requestFinished = Signal(object)
    busyChanged = Signal(bool)
    statusChanged = Signal(str, str)
    started = Signal()

    # Built by finish_start, right after the first frame.
    controller: RequestController
    keys: EnvironmentKeys
    preset_store: PresetStore
    history_log: HistoryStore
    history_panel: HistoryPanel
    environments: EnvironmentSwitcher
    previewer: ChangePreviewer
    recorder: HistoryRecorder
    document: PresetDocument
    drafts: DraftKeeper
    feedback: RequestFeedback
    flow: RequestFlow
    lists: ListsController
    curl_paster: CurlPaster

    def __init__(self, config: WindowConfig) -> None:
        """The first frame: only what it shows, without the storage layer (see the module)."""
        super().__init__()
        self.config = config
        self.setObjectName("mainWindow")
        self._style_template = read_text("app.qss")
        self._styled_early: list[QWidget] = []  # the first frame's widgets with their rules
        self._whole_style = False  # the window has the whole style sheet
        # Followed before any widget's own colours are: a style sheet set resets what they set.
        palette.theme().follow(self, self._restyle)
        self.settings = WindowSettings(config.data_dir / "settings.ini")
        self._closing = False
        self._starting = False  # finish_start has begun (it runs once)
        self._started = False  # … and is done
        self._warmed = False  # the first-frame watch is set
        self._painted = False  # the first frame has been painted
        self._queued: str | None = None  # "load" or "send", clicked before the start finished
        self._touched = False  # the user changed the request before the start finished
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._title: tuple[str, object, bool] | None = None
        self._draft: Draft | None = None  # the snapshot, until anything in it changes
        self._build()
        self._restyle(palette.current())
        self.status_line.announcing = False  # a screen reader hears of the window once it shows
        self._first_band = self._show_first_band()
        self._connect_first_frame()
        self.settings.restore_layout(self, self._splitters)
        self.status_line.show_status("Starting…", "idle")

    def _show_first_band(self) -> EnvironmentLike:
        """The band from a quick read of the environments file: shown, never sent to."""
        config, target = self.config, self.config.session_target()

        def session(name: str) -> EnvironmentData:
            return EnvironmentData(name, target.base_url, target.color.lower(), target.protected)

        stored = read_environments_quickly(config.data_dir / "environments.json")
        envs, active, _session = choose_start(
            target, stored, self.settings.last_environment(), session
        )
        self.env_bar.set_environments(envs, active.name)
        self.setWindowTitle(f"Untitled — {active.name} — Profile Editor")
        return active

    def _restyle(self, colors: Palette) -> None:
        """app.qss in ``colors``: on the first frame only the rules its widgets need, on them
        (a sheet on the window styles every widget through it); once started, on the window."""
        style = render_style_sheet(self._style_template, colors)
        if self._whole_style:
            self.setStyleSheet(style)
        else:
            self._styled_early = style_first_frame(self, style)

    def _style_whole_window(self) -> None:
        self._whole_style = True
        self._restyle(palette.current())
        for widget in self._styled_early:
            widget.setStyleSheet("")  # the window's sheet styles it the same way now
        self._styled_early = []

    def _connect_first_frame(self) -> None:
        """What works before the start finishes; Load and Send wait for it."""
        bar = self.request_bar
        bar.methodChanged.connect(self.editor_pane.set_method)
        bar.loadRequested.connect(self._queue_load)
        bar.sendRequested.connect(self._queue_send)
        self.menus.load.triggered.connect(self._queue_load)
        self.send_action.triggered.connect(self._queue_send)
        self.menus.close.triggered.connect(self.close)
        bar.edited.connect(self._on_touched)
        self.editor.profileChanged.connect(self._on_touched)

    def _queue_load(self) -> None:
        self._queue("load")

    def _queue_send(self) -> None:
        self._queue("send")

    def _queue(self, what: str) -> None:
        """A click on Load or Send while starting: kept (the last one) and made once started."""
        self._queued = what
        self.status_line.show_status(f"Starting… {what.capitalize()} follows.", "busy")

    def _on_touched(self) -> None:
        self._touched = True

    def is_started(self) -> bool:
        return self._started

    def finish_start(self) -> None:
        """Build and wire everything the first frame did not show; validate the environments.

        Runs once, right after the first paint; callers that need the whole window at once (a
        window that is never shown) may call it themselves. Emits :attr:`started`.
        """
        if self._starting:
            return
        self._starting = True
        from profile_editor.storage.environments import EnvironmentStore
        from profile_editor.storage.history_db import HistoryStore
        from profile_editor.storage.presets import PresetStore
        from profile_editor.ui.drafts.keeper import DraftKeeper
        from profile_editor.ui.environments.keys import EnvironmentKeys
        from profile_editor.ui.environments.switcher import EnvironmentSwitcher
        from profile_editor.ui.history.panel import HistoryPanel
        from profile_editor.ui.history.recorder import HistoryRecorder
        from profile_editor.ui.lists.controller import ListsController
        from profile_editor.ui.presets.document import PresetDocument
        from profile_editor.ui.request.change_previewer import ChangePreviewer
        from profile_editor.ui.request.controller import RequestController
        from profile_editor.ui.request.curl_paste import CurlPaster
        from profile_editor.ui.request.feedback import RequestFeedback
        from profile_editor.ui.request.flow import RequestFlow
        from profile_editor.ui.shell import accessibility

        self._style_whole_window()
        self.status_line.announcing = True
        config, data_dir = self.config, self.config.data_dir
        self.controller = RequestController(
            self,
            connect_timeout=config.connect_timeout,
            total_timeout=config.total_timeout,
            retry_base_delay=config.retry_base_delay,
        )
        self.keys = EnvironmentKeys(
            config.session_target(),
            self.controller.runner,
            keyring_backend=config.keyring_backend,
            key_source=config.key_source,
            parent=self,
        )
        self.preset_store = PresetStore(data_dir / "presets")
        # history.sqlite3: opened (and old history files taken over) on a worker, see _warm_up.
        self.history_log = HistoryStore.in_data_dir(data_dir, retention=config.history_keep)
        self.editor_pane.finish()
        self.output.finish()
        self.history_panel = HistoryPanel(self.history_dock, secrets=self.known_secrets)
        self.history_dock.set_panel(self.history_panel)
        self.presets_panel.set_store(self.preset_store)
        shown = self.env_bar.active()  # the first frame's band (or what the user picked on it)
        typed_key = self.request_bar.api_key() or ""
        self.environments = EnvironmentSwitcher(
            self.env_bar,
            self.request_bar,
            self.keys,
            EnvironmentStore(data_dir / "environments.json"),
            self,
        )
        self.previewer = ChangePreviewer(self.controller.runner, self)
        self.recorder = HistoryRecorder(
            self.history_log, self.history_panel, self.known_secrets, self
        )
        self.document = PresetDocument(self.preset_store, self, self.editor_pane, self)
        self.drafts = DraftKeeper.open(config.data_dir, parent=self, secrets=self.known_secrets)
        self.feedback = RequestFeedback(
            self.status_line, self.request_bar, self.output, self.send_action
        )
        self.flow = RequestFlow(
            self,
            draft=self.build_draft,
            default_base_url=config.base_url,
            bar=self.request_bar,
            editor=self.editor_pane,
            environments=self.environments,
            controller=self.controller,
            previewer=self.previewer,
            feedback=self.feedback,
            status=self.status_line,
        )
        self.lists = ListsController(
            self.output.lists_tab,
            self.controller.session,
            self.controller.runner,
            self.request_bar,
            self.status_line,
            lambda: self.environments.target(config.base_url),
            self,
        )
        self.curl_paster = CurlPaster(
            self.load_draft,
            self.request_bar,
            self.environments,
            self.document,
            self.editor,
            self.status_line,
            self,
        )
        self.environments.start(self.settings.last_environment())
        if shown is not None and shown.name != self._first_band.name:
            self.environments.select(shown.name)  # picked on the first frame: kept if it exists
        validated = self.environments.active
        self._connect_signals()
        accessibility.prepare(self)  # names, descriptions, the tab order, shortcut tips
        self._restore()
        moved = self._settle_band(shown, validated, typed_key)
        self.on_preview_timer()
        self.output.build_deferred(self.output.currentWidget())  # a tab picked while starting
        self._started = True
        self.started.emit()
        queued, self._queued = self._queued, None
        if queued is not None and moved is None:
            slot = self.flow.on_send_requested if queued == "send" else self.flow.on_load_requested
            slot()
        if self._painted:
            self._warm_up()

    def _settle_band(
        self, shown: EnvironmentLike | None, validated: EnvironmentLike | None, typed_key: str
    ) -> str | None:
        """Compare the band the first frame showed with the environment requests now go to:
        "Ready." when they are the same, else a warning saying why (returned)."""
        envs = self.environments
        now = envs.active
        if same_environment(shown, now):
            if typed_key and typed_key != (self.config.api_key or ""):
                self.request_bar.key_edit.setText(typed_key)
                envs.on_key_edited(typed_key)  # typed on the first frame: kept for this session
            demo = self.config.demo_recipient
            if demo and not self.request_bar.recipient_id():
                ready = f"Ready. Try Load (Ctrl+L) with {demo}: it has something in every tab."
            else:
                ready = "Ready."
            self.status_line.show_status(ready, "idle")
            return None
        if not same_environment(shown, validated):
            why = envs.file_problem or "environments.json changed while the window started."
        else:
            why = f"the preset “{self.document.name}” was saved for it."
        where = f"{now.name} ({now.base_url})" if now is not None else "no environment"
        moved = (
            f"Requests go to {where}, not to {shown.name if shown else '?'} as first shown: {why}"
        )
        if self._queued is not None:
            moved += f" The {self._queued.capitalize()} clicked while starting was not made."
        self.status_line.show_status(moved, "warning")
        return moved

    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.env_bar = EnvironmentBar(central)
        outer.addWidget(self.env_bar)
        self.side_splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.side_splitter.setObjectName("sideSplitter")
        # No store yet: the sidebar lists the presets once the start finishes.
        self.presets_panel = PresetsPanel(None, self.side_splitter, secrets=self.known_secrets)
        body = QWidget(self.side_splitter)
        self.side_splitter.setStretchFactor(0, 0)
        self.side_splitter.setStretchFactor(1, 1)
        self.side_splitter.setSizes([240, 860])
        outer.addWidget(self.side_splitter, 1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        # What a send changes in the bar and the status line is painted in one pass a frame.
        frame = Frame(self)
        self.request_bar = RequestBar(body, frame)
        if self.config.demo_recipient:
            self.request_bar.recipient_edit.setPlaceholderText(
                f"Recipient ID, e.g. {self.config.demo_recipient} (the sandbox's demo)"
            )
        self.request_bar.key_edit.setText(self.config.api_key or "")
        layout.addWidget(self.request_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setObjectName("mainSplitter")
        self.editor_pane = EditorPane(self.splitter)  # the profile or patch, and Problems
        self.editor = self.editor_pane.profile_editor
        self.output = OutputTabs(self.splitter)
        self._users: UsersController | None = None
        for resource, title, name in USER_TABS:
            self.output.add_deferred_tab(title, name, self._tab_builder(resource))
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)
        self.status_line = StatusLine(body, frame)
        layout.addWidget(self.status_line)
        self.history_dock = HistoryDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.addAction(self.history_dock.toggle_action)
        editor = self.editor
        edit = [editor.undo_action, editor.redo_action, None, editor.find_action]
        self.menus = build_menus(
            self, edit=[*edit, editor.go_to_path_action], history=self.history_dock.toggle_action
        )
        self.send_action = self.menus.send
        self._splitters = {"sideSplitter": self.side_splitter, "mainSplitter": self.splitter}
        self.setCentralWidget(central)
        self.resize(1280, 860)
        self.resizeDocks([self.history_dock], [210], Qt.Orientation.Vertical)

    def _connect_signals(self) -> None:
        bar, controller, recorder = self.request_bar, self.controller, self.recorder
        bar.loadRequested.disconnect(self._queue_load)  # the first frame's stand-ins
        bar.sendRequested.disconnect(self._queue_send)
        self.menus.load.triggered.disconnect(self._queue_load)
        self.send_action.triggered.disconnect(self._queue_send)
        bar.edited.disconnect(self._on_touched)
        self.editor.profileChanged.disconnect(self._on_touched)
        bar.edited.connect(self.on_request_edited)
        bar.edited.connect(self.on_document_changed)
        flow, feedback = self.flow, self.feedback
        bar.loadRequested.connect(flow.on_load_requested)
        bar.sendRequested.connect(flow.on_send_requested)
        bar.cancelRequested.connect(controller.cancel)
        bar.cancelRequested.connect(self.on_cancel_users)
        self.menus.load.triggered.connect(flow.on_load_requested)
        self.menus.cancel.triggered.connect(controller.cancel)
        self.menus.cancel.triggered.connect(self.on_cancel_users)
        self.menus.copy_curl.triggered.connect(flow.on_copy_curl)
        self.menus.paste_curl.triggered.connect(self.curl_paster.paste_clipboard)
        self.curl_paster.loadRequested.connect(flow.on_load_requested)
        self.menus.new.triggered.connect(self.document.on_new_requested)
        self.menus.bulk.triggered.connect(self.on_bulk_apply)
        self.send_action.triggered.connect(flow.on_send_requested)
        self.editor.profileChanged.connect(self.on_profile_changed)
        self.editor_pane.modifiedChanged.connect(self.on_document_changed)
        self.editor_pane.edited.connect(self.on_document_changed)  # each key: the draft follows
        self.editor_pane.patchChanged.connect(self.on_profile_changed)
        self.editor_pane.problemsCounted.connect(self.output.changes_view.set_problem_count)
        self._preview_timer.timeout.connect(self.on_preview_timer)
        self.output.copyCurlRequested.connect(flow.on_copy_curl)
        self.previewer.ready.connect(self.output.changes_view.show_preview)
        self.previewer.ready.connect(flow.on_changes_ready)
        self.previewer.ready.connect(self.editor_pane.on_changes_ready)
        self.status_line.changed.connect(self.statusChanged)
        controller.busyChanged.connect(feedback.on_busy_changed)
        controller.busyChanged.connect(self.busyChanged)
        controller.progress.connect(feedback.on_progress)
        controller.loaded.connect(feedback.on_loaded)
        controller.loaded.connect(self.on_loaded)
        controller.loaded.connect(self.lists.on_profile_loaded)
        controller.loaded.connect(self.on_loaded_users)
        self.lists.finished.connect(self.on_lists_finished)
        bar.edited.connect(self.lists.on_target_changed)
        self.environments.activated.connect(self.lists.on_target_changed)
        bar.edited.connect(self.on_target_changed_users)
        self.environments.activated.connect(self.on_target_changed_users)
        self.lists.changed.connect(recorder.on_lists_changed)
        self.lists.pagesRead.connect(recorder.on_lists_read)
        controller.loaded.connect(recorder.on_loaded)
        controller.sent.connect(recorder.on_sent)
        controller.sent.connect(feedback.on_sent)
        controller.verified.connect(recorder.on_verified)
        controller.verified.connect(feedback.on_verified)
        controller.finished.connect(self.requestFinished)
        feedback.changesStale.connect(self._preview_timer.start)
        feedback.verifiedShown.connect(self.requestFinished)
        recorder.writeFailed.connect(feedback.on_history_write_failed)
        self.environments.activated.connect(self.on_document_changed)
        self.environments.activated.connect(self.on_profile_changed)
        self.environments.switched.connect(self.status_line.show_idle)
        self.document.changed.connect(self.on_document_changed)
        self.document.saved.connect(self.presets_panel.refresh)
        self.document.saved.connect(self.status_line.show_success)
        self.menus.save.triggered.connect(self.document.on_save)
        self.menus.save_as.triggered.connect(self.document.on_save_as)
        self.presets_panel.saveAsRequested.connect(self.document.on_save_as)
        self.presets_panel.openRequested.connect(self.document.on_open_requested)
        self.presets_panel.newRequested.connect(self.document.on_new_requested)
        self.document.status.connect(self.status_line.show_status)
        self.presets_panel.presetRenamed.connect(self.document.on_renamed)
        self.presets_panel.presetDeleted.connect(self.document.on_deleted)
        self.history_panel.reopenRequested.connect(self.document.on_history_reopen)
        self.history_panel.timelineRequested.connect(self.on_recipient_timeline)
        self.menus.timeline.triggered.connect(lambda: self.on_recipient_timeline(""))
        self.history_panel.storeFailed.connect(self.recorder.on_store_failed)
        self.history_panel.storeFailed.connect(feedback.on_history_write_failed)
        self.history_panel.loaded.connect(self.on_history_loaded)

    # -- the draft: one snapshot out of the widgets, one way back in ------------------------
    @property
    def base_url(self) -> str:
        return self.environments.target(self.config.base_url).base_url

    def build_draft(self) -> Draft:
        """What the user entered, as one snapshot; the same object until something changes."""
        self.editor_pane.flush()  # text typed but not yet parsed; a change drops the draft
        if self._draft is None:
            self._draft = self._snapshot()
        return self._draft

    def _snapshot(self) -> Draft:
        from profile_editor.core.send.draft import Draft  # loaded by the start already

        bar, result, patch = (
            self.request_bar,
            self.editor.profile_result(),
            self.editor_pane.patch_result(),
        )
        problem = patch.problem if bar.method() is Method.PATCH else result.problem
        env = self.environments.name
        return Draft(
            bar.recipient_id(), bar.method(), env, bar.note(), result.profile, patch.ops, problem
        )

    def load_draft(self, draft: Draft) -> None:
        self.environments.select_for(draft.environment)
        self.request_bar.set_request(draft.recipient_id, draft.method, draft.note)
        self.editor.set_profile(draft.profile or {})
        self.editor_pane.set_patch(draft.patch)
        self.controller.forget_stored()
        self.on_profile_changed()

    def request_state(self) -> RequestState:
        bar = self.request_bar
        return (bar.recipient_id(), bar.method().value, self.environments.name or "", bar.note())

    def known_secrets(self) -> list[str]:
        """Every key this window knows, so that none of them is ever written to a file."""
        return self.environments.known_secrets()

    def is_busy(self) -> bool:
        return self.controller.is_busy()

    # -- editing ----------------------------------------------------------------------------
    def on_profile_changed(self) -> None:
        self._draft = None
        self._preview_timer.start()
        if self._title is not None and self._title[2]:  # unsaved: keep it on disk too
            self.drafts.schedule(self._draft_record)

    def on_request_edited(self) -> None:
        """The bar changed. A new recipient ID alone leaves the rest of the draft as it was: the
        snapshot keeps its body rather than reading the editor again on the next send. The
        draft on disk follows in :meth:`on_document_changed`, which each bar edit also calls."""
        draft, bar = self._draft, self.request_bar
        self._draft = None
        self._preview_timer.start()
        if draft is not None and (draft.method, draft.note) == (bar.method(), bar.note()):
            self._draft = draft.with_recipient(bar.recipient_id())

    def _draft_record(self) -> Callable[[], DraftRecord]:
        # What the widgets hold, taken now; a text still to be made is made on the writer.
        from profile_editor.storage.drafts import DraftRecord

        bar, env = self.request_bar, self.environments.name or ""
        request = (bar.recipient_id(), bar.method().value, env, bar.note())
        text, patch = self.editor_pane.text_snapshot()
        return lambda: DraftRecord(*request, text(), patch_text=patch)

    def _restore_draft(self, record: DraftRecord) -> None:
        from profile_editor.core.send.draft import Draft

        method = next((m for m in Method if m.value == record.method), Method.POST)
        self.load_draft(Draft(record.recipient_id, method, record.environment or None, record.note))
        self.editor_pane.restore_texts(record.profile_text, record.patch_text)
        self.document.detach()
        when = record.saved_at.astimezone().strftime("%H:%M")
        self.status_line.show_idle(f"Restored the unsaved draft from {when}.")

    def on_document_changed(self, *_args: object) -> None:
        dirty, env = self.document.is_dirty(), self.environments.name
        where = f" — {env}" if env else ""
        title = f"{'*' if dirty else ''}{self.document.name}{where} — Profile Editor"
        if dirty:
            self.drafts.schedule(self._draft_record)
        elif self._title is not None and self._title[2]:
            self.drafts.clear()  # saved, or back to what was saved
        if (title, self.document.path, dirty) != self._title:  # typing in the ID changes neither
            self._title = (title, self.document.path, dirty)
            self.setWindowTitle(title)
            self.presets_panel.set_current(self.document.path, dirty)

    def on_preview_timer(self) -> None:
        if self._closing:
            return
        draft, base_url = self.build_draft(), self.base_url
        key = self.request_bar.api_key()
        self.output.show_preview(lambda: draft.preview_text(base_url, key))
        self.previewer.request(draft, self.controller.stored_for(base_url, draft.recipient_id))

    # -- load and send ----------------------------------------------------------------------
    def on_loaded(self, loaded: Loaded) -> None:
        if loaded.stored is not None:
            self.editor.set_profile(loaded.stored.profile or {})
            self.on_profile_changed()
            self.on_preview_timer()

    # -- the rest of the recipient: preferences, devices, tenants ---------------------------
    def users(self) -> UsersController:
        """The three tabs' controller, made (and its package imported) on first use."""
        if self._users is None:
            from profile_editor.ui.users.controller import UsersController

            self._users = UsersController(
                self.controller.session,
                self.controller.runner,
                self.request_bar,
                self.status_line,
                lambda: self.environments.target(self.config.base_url),
                self.lists.shown_count_for,
                self,
            )
            self._users.changed.connect(self.recorder.on_users_changed)
            self._users.busyChanged.connect(self.request_bar.set_background_busy)
            # Staged preference changes are part of the open preset: the title follows them.
            self._users.preferences_model.stagedChanged.connect(self.on_document_changed)
        return self._users

    def _tab_builder(self, resource: str) -> Callable[[QWidget], None]:
        def build(page: QWidget) -> None:
            self.users().build_tab(resource, page)

        return build

    def staged_preferences(self) -> dict[str, str]:
        """Preference changes staged and not applied, for a preset to keep."""
        return self._users.staged_preferences() if self._users is not None else {}

    def stage_preferences(self, changes: dict[str, str]) -> None:
        """From a preset: staged on the recipient's topics once they are read."""
        if changes or self._users is not None:
            self.users().stage_preferences(changes)

    def on_loaded_users(self, loaded: Loaded) -> None:
        if not self._closing:
            self.users().on_profile_loaded(loaded)

    def on_lists_finished(self, *_args: object) -> None:
        if self._users is not None:
            self._users.on_lists_finished()

    def on_target_changed_users(self, *_args: object) -> None:
        if self._users is not None:  # none made yet: no rows to mark
            self._users.on_target_changed()

    def on_cancel_users(self) -> None:
        if self._users is not None:
            self._users.cancel()

    # -- environments, presets and history --------------------------------------------------
    def on_bulk_apply(self) -> None:
        from profile_editor.ui.bulk.dialog import open_bulk_dialog

        target, key = self.environments.target(self.config.base_url), self.request_bar.api_key
        log, recorded = self.history_log, self.history_panel.add_entry
        open_bulk_dialog(self, target, key, log, self.config.data_dir, recorded)

    def on_recipient_timeline(self, recipient_id: str = "") -> None:
        """ "History of this recipient": every request to it in order, and what changed."""
        from profile_editor.ui.history.timeline import open_timeline

        recipient = recipient_id or self.request_bar.recipient_id().strip()
        if not recipient:
            self.status_line.show_status("Enter a recipient ID to see its history.", "warning")
            return
        open_timeline(self, self.history_log, self.controller.runner, recipient, self.known_secrets)

    def on_history_loaded(self, _rows: int) -> None:
        # Retention runs once a start, off the UI thread, after the history shows.
        from profile_editor.ui.common.workers import Job

        store = self.history_log
        self.controller.runner.run(Job(lambda _p: store.prune()))

    # -- start-up and closing ---------------------------------------------------------------
    def _restore(self) -> None:
        """The preset open when the window last closed, unless the user already typed."""
        if self._touched:
            self.on_document_changed()  # what was typed is unsaved: the title says so
            return
        config = self.config
        # Like the last environment, the last preset must not move the window away from a
        # target given on the command line or by environment variables.
        keep = self.environments.name if config.sandbox or config.api_key else None
        entry = self.document.open_last(self.settings.last_preset(), keep_environment=keep)
        if entry is not None:
            self.presets_panel.select_path(entry.path)
        self.document.mark_saved(self.document.entry)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._warmed:
            self._warmed = True
            after_first_frame(self, self._after_first_frame)

    def _after_first_frame(self) -> None:
        if self._closing:
            return
        self._painted = True
        if self._started:
            self._warm_up()  # finish_start was called before the first paint
        else:
            self.finish_start()  # and warms up at its end

    def _warm_up(self) -> None:
        """Work the first send, the history and the secret scan need, once the window is up."""
        self.controller.warm_up()
        self.history_panel.load_from(self.history_log, self.controller.runner)
        self.keys.release()
        self.environments.warm_up()
        record = self.drafts.offer_leftover(self)  # after a crash: asks, with the window shown
        if record is not None:
            self._restore_draft(record)
        # What start-up made (modules, widgets, schemas) lives as long as the window: out of the
        # cyclic collector's sight from now on, its full collections walk only what came since
        # (about 30 ms less each, on the UI thread). The trade of core.cooperate.gc_quiet.
        gc.freeze()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.finish_start()  # closed while starting: what was typed is asked about as ever
        if not self._closing:
            # Qt may deliver a second close (e.g. app shutdown): ask and save settings once.
            if not self.document.may_discard("closing"):
                event.ignore()
                return
            self.settings.save(
                self,
                self._splitters,
                environment=self.environments.persistent_name(),
                preset=self.document.path,
            )
        self._closing = True
        self.drafts.close(clean=True)
        self._preview_timer.stop()
        self.controller.shutdown()
        self.lists.shutdown()
        if self._users is not None:
            self._users.shutdown()
        self.recorder.shutdown()
        super().closeEvent(event)
