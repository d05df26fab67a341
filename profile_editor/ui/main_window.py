"""The main window: all signal wiring lives in ``_connect_signals``; slots are ``on_*``."""

from __future__ import annotations

import contextlib
import queue
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QGuiApplication,
    QKeySequence,
    QPalette,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from profile_editor.core.config import insecure_key_problem
from profile_editor.core.jsoncodec import dumps_pretty
from profile_editor.core.outcome_text import describe_outcome, failure_line
from profile_editor.core.recipient import Severity, check_recipient_id
from profile_editor.core.session import Session
from profile_editor.storage.environments import Environment, EnvironmentStore
from profile_editor.storage.errors import PresetConflictError, SecretLeakError, StorageError
from profile_editor.storage.history import HistoryEntry, HistoryLog
from profile_editor.storage.presets import Preset, PresetEntry, PresetStore
from profile_editor.storage.secrets import KeyVault
from profile_editor.ui import dialogs
from profile_editor.ui.changes_view import ChangesView
from profile_editor.ui.environment_bar import EnvironmentBar
from profile_editor.ui.history_panel import HistoryPanel
from profile_editor.ui.presets_panel import PresetsPanel
from profile_editor.ui.profile_editor_widget import ProfileEditorWidget
from profile_editor.ui.resources import icon, read_text
from profile_editor.ui.workers import JobRunner

if TYPE_CHECKING:
    from profile_editor.core.changes import ChangeSet
    from profile_editor.core.models import Method, Outcome, ProfileRequest

# Method combo entries: label, HTTP method. Merge = POST, Replace = PUT, Delete = DELETE.
METHODS = (("Merge (POST)", "POST"), ("Replace (PUT)", "PUT"), ("Delete (DELETE)", "DELETE"))
PREVIEW_DELAY_MS = 200
# What "saved" means when no preset is open: recipient, method, environment, note.
NOTHING_SAVED: tuple[str, str, str, str] = ("", "POST", "", "")
STATUS_COLORS = {
    "idle": ("#eceff1", "#37474f"),
    "busy": ("#e3f2fd", "#0d47a1"),
    "success": ("#e8f5e9", "#1b5e20"),
    "warning": ("#fff8e1", "#6d4c00"),
    "error": ("#ffebee", "#b71c1c"),
}


def _new_idempotency_key() -> str:
    import uuid  # only needed once the user sends

    return str(uuid.uuid4())


def _closed_outcome() -> Outcome:
    from profile_editor.core.models import Outcome, OutcomeKind

    return Outcome(
        kind=OutcomeKind.CANCELLED,
        summary="Cancelled: the window was closed",
        message="The window closed before the answer arrived; the server may have applied it.",
    )


@dataclass
class WindowConfig:
    base_url: str
    api_key: str | None
    data_dir: Path
    environment_name: str = "Custom"
    environment_color: str = "#455a64"
    environment_protected: bool = False
    sandbox: bool = False
    connect_timeout: float = 5.0
    total_timeout: float = 60.0
    retry_base_delay: float = 0.5
    key_source: str = ""
    # None: the OS keychain through keyring's own choice; tests pass keyring's test backends.
    keyring_backend: Any = None


@dataclass
class Stored:
    """The stored profile as last loaded or verified, and for which request target."""

    base_url: str
    recipient_id: str
    profile: dict[str, Any] | None  # None: no profile yet (404)


class MainWindow(QMainWindow):
    """The editor window.

    Signals:
        requestFinished(object): an Outcome, after the UI shows it (send, load or verify).
        busyChanged(bool): a request started (True) or the last one ended (False).
        statusChanged(str, str): the status line's new text and state.
    """

    requestFinished = Signal(object)
    busyChanged = Signal(bool)
    statusChanged = Signal(str, str)

    def __init__(self, config: WindowConfig) -> None:
        super().__init__()
        from profile_editor.core.retry import RetryPolicy

        self.config = config
        self.session = Session(
            connect_timeout=config.connect_timeout,
            total_timeout=config.total_timeout,
            retry=RetryPolicy(base_delay=config.retry_base_delay),
        )
        self.runner = JobRunner(self)
        # One thread, so history lines reach the file in the order the sends finished.
        self.disk_runner = JobRunner(self, max_threads=1)
        self._history_queue: queue.SimpleQueue[tuple[HistoryEntry, list[str]]] = queue.SimpleQueue()
        self._history_writing = False
        data_dir = config.data_dir
        self.env_store = EnvironmentStore(data_dir / "environments.json")
        # Made on first use or by a start-up job: finding the keychain can take a while.
        self._vault: KeyVault | None = None
        self._keychain_keys: dict[str, str | None] = {}
        self.preset_store = PresetStore(data_dir / "presets")
        self.history_log = HistoryLog(data_dir / "history")
        self.settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
        # Environments that live only for this session (sandbox, env vars, --base-url).
        self._session_envs: list[Environment] = []
        self._memory_keys: dict[str, str] = {}
        self._env: Environment | None = None
        self._preset: PresetEntry | None = None
        self._saved_state = NOTHING_SAVED
        self._send_env_name: str | None = None
        self._in_flight: tuple[str, ProfileRequest] | None = None
        self._pending_history: tuple[ProfileRequest, Outcome, dict[str, Any] | None] | None = None
        self._closing = False
        self._warmed = False
        self._busy = False
        self._stored: Stored | None = None
        self._pending_expected: tuple[str, dict[str, Any] | None] | None = None
        self._verify_expected: dict[str, Any] | None = None
        self._last_send_summary = ""
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.setObjectName("mainWindow")
        self.setStyleSheet(read_text("app.qss"))
        self._build()
        self._setup_environments()
        self._connect_signals()
        self._restore_settings()
        self._saved_state = self._state_key()
        self._update_title()
        self._set_status("Ready.", "idle")
        self.on_recipient_id_changed("")
        self.on_profile_changed()

    # ----------------------------------------------------------------- building
    def _build(self) -> None:
        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self.env_bar = EnvironmentBar(central)
        outer.addWidget(self.env_bar)

        self.side_splitter = QSplitter(Qt.Orientation.Horizontal, central)
        self.side_splitter.setObjectName("sideSplitter")
        self.presets_panel = PresetsPanel(
            self.preset_store, self.side_splitter, secrets=self._known_secrets
        )
        body = QWidget(self.side_splitter)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        self.side_splitter.setStretchFactor(0, 0)
        self.side_splitter.setStretchFactor(1, 1)
        self.side_splitter.setSizes([240, 860])
        outer.addWidget(self.side_splitter, 1)

        bar = QHBoxLayout()
        self.method_combo = QComboBox(body)
        self.method_combo.setObjectName("methodCombo")
        for label, method in METHODS:
            self.method_combo.addItem(label, method)
        self.method_combo.setToolTip(
            "Merge adds and updates keys (null removes one); Replace overwrites the whole "
            "profile; Delete removes it."
        )
        id_box = QVBoxLayout()
        id_box.setSpacing(2)
        self.recipient_edit = QLineEdit(body)
        self.recipient_edit.setObjectName("recipientIdEdit")
        self.recipient_edit.setPlaceholderText(
            "Recipient ID, e.g. 0460766e-8463-4905-ae98-b72c7aef41d6"
        )
        self.recipient_edit.setClearButtonEnabled(True)
        self.recipient_hint = QLabel(body)
        self.recipient_hint.setObjectName("recipientIdHint")
        self.recipient_hint.setWordWrap(True)
        id_box.addWidget(self.recipient_edit)
        id_box.addWidget(self.recipient_hint)
        self.load_button = QPushButton(icon("load"), "Load", body)
        self.load_button.setObjectName("loadButton")
        self.load_button.setShortcut(QKeySequence("Ctrl+L"))
        self.load_button.setToolTip("Fetch the stored profile (Ctrl+L)")
        self.send_button = QPushButton(icon("send"), "Send", body)
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip("Send the request (Ctrl+Return)")
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", body)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip("Stop waiting for the answer")
        bar.addWidget(self.method_combo, 0, Qt.AlignmentFlag.AlignTop)
        bar.addLayout(id_box, 1)
        for button in (self.load_button, self.send_button, self.cancel_button):
            bar.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(bar)

        key_row = QHBoxLayout()
        key_label = QLabel("API key", body)
        self.key_edit = QLineEdit(body)
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste a key (kept in memory only) or set COURIER_API_KEY")
        self.key_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        if self.config.api_key:
            self.key_edit.setText(self.config.api_key)
        self.key_source = QLabel(self.config.key_source, body)
        self.key_source.setObjectName("keySourceLabel")
        self.verify_check = QCheckBox("Verify after send", body)
        self.verify_check.setObjectName("verifyCheck")
        self.verify_check.setChecked(True)
        self.verify_check.setToolTip(
            "Re-load the profile after a send and compare it with the preview"
        )
        key_row.addWidget(key_label)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_source)
        self.note_edit = QLineEdit(body)
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText("Note (saved with the preset)")
        key_row.addWidget(self.note_edit, 1)
        key_row.addWidget(self.verify_check)
        layout.addLayout(key_row)
        key_label.setBuddy(self.key_edit)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setObjectName("mainSplitter")
        self.editor = ProfileEditorWidget(self.splitter)
        self.output_tabs = QTabWidget(self.splitter)
        self.output_tabs.setObjectName("outputTabs")
        self.changes_view = ChangesView(self.output_tabs)
        self.output_tabs.addTab(self.changes_view, "Changes")

        request_page = QWidget(self.output_tabs)
        request_layout = QVBoxLayout(request_page)
        request_layout.setContentsMargins(6, 6, 6, 6)
        self.request_preview = QPlainTextEdit(request_page)
        self.request_preview.setObjectName("requestPreview")
        self.request_preview.setReadOnly(True)
        self.request_preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.copy_curl_button = QPushButton(icon("copy"), "Copy as cURL", request_page)
        self.copy_curl_button.setObjectName("copyCurlButton")
        self.copy_curl_button.setToolTip("The command reads the key from $COURIER_API_KEY")
        request_layout.addWidget(self.request_preview, 1)
        request_layout.addWidget(self.copy_curl_button, 0, Qt.AlignmentFlag.AlignRight)
        self.output_tabs.addTab(request_page, "Request")

        self.response_view = QPlainTextEdit(self.output_tabs)
        self.response_view.setObjectName("responseView")
        self.response_view.setReadOnly(True)
        self.response_view.setPlaceholderText("The answer to the last request appears here.")
        self.output_tabs.addTab(self.response_view, "Response")
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)

        status_row = QHBoxLayout()
        self.status_label = QLabel("Ready.", body)
        self.status_label.setObjectName("statusLabel")
        self.status_label.setAutoFillBackground(True)
        self.status_label.setMargin(6)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.elapsed_label = QLabel("", body)
        self.elapsed_label.setObjectName("elapsedLabel")
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.elapsed_label)
        layout.addLayout(status_row)

        self.send_action = QAction("Send", self)
        self.send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.send_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.send_action)

        self.save_action = QAction("Save preset", self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.save_action)
        self.save_as_action = QAction("Save preset as…", self)
        self.save_as_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.addAction(self.save_as_action)

        self.history_panel = HistoryPanel(self, secrets=self._known_secrets)
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("historyDock")
        self.history_dock.setWidget(self.history_panel)
        self.history_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.history_action = self.history_dock.toggleViewAction()
        self.history_action.setShortcut(QKeySequence("Ctrl+H"))
        self.addAction(self.history_action)

        self.setCentralWidget(central)
        self.resize(1280, 860)
        self.resizeDocks([self.history_dock], [210], Qt.Orientation.Vertical)

    def _connect_signals(self) -> None:
        self.recipient_edit.textChanged.connect(self.on_recipient_id_changed)
        self.recipient_edit.returnPressed.connect(self.on_load_clicked)
        self.method_combo.currentIndexChanged.connect(self.on_method_changed)
        self.editor.profileChanged.connect(self.on_profile_changed)
        self.editor.modifiedChanged.connect(self.on_modified_changed)
        self.key_edit.textChanged.connect(self.on_profile_changed)
        self._preview_timer.timeout.connect(self.on_preview_timer)
        self.load_button.clicked.connect(self.on_load_clicked)
        self.send_button.clicked.connect(self.on_send_clicked)
        self.send_action.triggered.connect(self.on_send_clicked)
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        self.copy_curl_button.clicked.connect(self.on_copy_curl_clicked)
        self.recipient_edit.textChanged.connect(self.on_state_edited)
        self.method_combo.currentIndexChanged.connect(self.on_state_edited)
        self.note_edit.textChanged.connect(self.on_state_edited)
        self.key_edit.textEdited.connect(self.on_key_edited)
        self.env_bar.environmentChanged.connect(self.on_environment_changed)
        self.env_bar.editRequested.connect(self.on_edit_environments)
        self.save_action.triggered.connect(self.on_save_preset)
        self.save_as_action.triggered.connect(self.on_save_preset_as)
        self.presets_panel.openRequested.connect(self.on_preset_open_requested)
        self.presets_panel.newRequested.connect(self.on_new_preset)
        self.presets_panel.saveAsRequested.connect(self.on_save_preset_as)
        self.presets_panel.presetRenamed.connect(self.on_preset_renamed)
        self.presets_panel.presetDeleted.connect(self.on_preset_deleted)
        self.history_panel.reopenRequested.connect(self.on_history_reopen)

    # ----------------------------------------------------------------- state
    @property
    def base_url(self) -> str:
        return self._env.base_url if self._env is not None else self.config.base_url

    def api_key(self) -> str | None:
        return self.key_edit.text().strip() or None

    def method(self) -> Method:
        from profile_editor.core.models import Method

        return Method(self.method_combo.currentData())

    def is_busy(self) -> bool:
        return self._busy

    def _update_title(self) -> None:
        dirty = self.is_dirty()
        name = self._preset.name if self._preset is not None else "Untitled"
        env = f" — {self._env.name}" if self._env is not None else ""
        self.setWindowTitle(f"{'*' if dirty else ''}{name}{env} — Profile Editor")
        self.presets_panel.set_current(
            self._preset.path if self._preset is not None else None, dirty
        )

    def _set_status(self, text: str, state: str) -> None:
        self.status_label.setText(text)
        if self.status_label.property("state") != state:
            # A palette swap is far cheaper than re-running the style sheet on every send.
            self.status_label.setProperty("state", state)
            background, foreground = STATUS_COLORS[state]
            palette = self.status_label.palette()
            palette.setColor(QPalette.ColorRole.Window, QColor(background))
            palette.setColor(QPalette.ColorRole.WindowText, QColor(foreground))
            self.status_label.setPalette(palette)
        self.statusChanged.emit(text, state)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.send_button.setEnabled(not busy)
        self.load_button.setEnabled(not busy)
        self.send_action.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.busyChanged.emit(busy)

    def _stored_for(self, base_url: str, recipient_id: str) -> Stored | None:
        """The loaded profile, if it was loaded for this target."""
        stored = self._stored
        if stored is not None and (stored.base_url, stored.recipient_id) == (
            base_url,
            recipient_id,
        ):
            return stored
        return None

    def _target_matches_stored(self) -> bool:
        return self._stored_for(self.base_url, self.recipient_edit.text()) is not None

    # ----------------------------------------------------------------- slots: editing
    def on_recipient_id_changed(self, text: str) -> None:
        check = check_recipient_id(text)
        state = {Severity.OK: "ok", Severity.WARNING: "warning", Severity.ERROR: "error"}[
            check.severity
        ]
        if text == "":
            state = "idle"
        self.recipient_hint.setText(
            check.message if text else "The ID travels as one URL path segment, encoded."
        )
        if self.recipient_hint.property("state") != state:
            self.recipient_hint.setProperty("state", state)
            self.recipient_hint.style().unpolish(self.recipient_hint)
            self.recipient_hint.style().polish(self.recipient_hint)
        self._preview_timer.start()

    def on_method_changed(self, _index: int) -> None:
        self.editor.setEnabled(self.method_combo.currentData() != "DELETE")
        self._preview_timer.start()

    def on_profile_changed(self) -> None:
        self._preview_timer.start()

    def on_modified_changed(self, _modified: bool) -> None:
        self._update_title()

    def on_state_edited(self, *_args: Any) -> None:
        self._update_title()

    def on_preview_timer(self) -> None:
        self._refresh_preview()

    def _build_request(self, profile: dict[str, Any] | None, *, new_key: bool) -> ProfileRequest:
        from profile_editor.core.models import ProfileRequest

        return ProfileRequest(
            base_url=self.base_url,
            recipient_id=self.recipient_edit.text(),
            method=self.method(),
            profile=profile,
            idempotency_key=_new_idempotency_key() if new_key else None,
        )

    def _refresh_preview(self) -> None:
        if self._closing:
            return
        method = self.method()
        result = self.editor.profile_result()
        profile = result.profile
        if method.has_body and profile is None:
            self.request_preview.setPlainText(f"Not ready to send:\n{result.problem}")
        else:
            request = self._build_request(profile, new_key=False)
            self.request_preview.setPlainText(request.preview(self.api_key()))
        self._refresh_changes(profile)

    def _refresh_changes(self, profile: dict[str, Any] | None) -> None:
        from profile_editor.core.changes import compute_changes
        from profile_editor.core.models import ACTION_NAMES

        rid = self.recipient_edit.text()
        if not rid:
            self.changes_view.show_message(
                "Enter a recipient ID, then Load (Ctrl+L) to see its profile."
            )
            return
        if not self._target_matches_stored():
            self.changes_view.show_message(
                f"Load “{rid}” (Ctrl+L) to see what sending will change in the stored profile."
            )
            return
        method = self.method()
        if method.has_body and profile is None:
            self.changes_view.show_message(
                "Fix the profile first: it has a problem (see the editor)."
            )
            return
        assert self._stored is not None
        changes = compute_changes(self._stored.profile, profile or {}, method)
        created = self._stored.profile is None and method.has_body
        self.changes_view.show_changes(ACTION_NAMES[method], rid, changes, created)

    # ----------------------------------------------------------------- slots: actions
    def on_copy_curl_clicked(self) -> None:
        result = self.editor.profile_result()
        if self.method().has_body and result.profile is None:
            self._set_status(f"Cannot copy: {result.problem}", "error")
            return
        request = self._build_request(result.profile, new_key=False)
        QGuiApplication.clipboard().setText(request.to_curl())
        self._set_status(
            "Copied the cURL command (it reads the key from $COURIER_API_KEY).", "idle"
        )

    def _precheck(self) -> str | None:
        check = check_recipient_id(self.recipient_edit.text())
        if not check.sendable:
            self.recipient_edit.setFocus()
            return f"Not sent: {check.message}"
        key = self.api_key()
        if not key:
            self.key_edit.setFocus()
            return (
                "Not sent: no API key. Set COURIER_API_KEY or paste the key in the API key field."
            )
        problem = insecure_key_problem(self.base_url, True)
        if problem:
            return f"Not sent: {problem}"
        return None

    def on_load_clicked(self) -> None:
        if self._busy:
            return
        problem = self._precheck()
        if problem:
            self._set_status(problem.replace("Not sent", "Not loaded"), "error")
            return
        if self.editor.is_modified() and not dialogs.ask_discard(
            self,
            "Discard unsaved edits?",
            f"Loading “{self.recipient_edit.text()}” replaces what is in the editor.",
        ):
            return
        from profile_editor.core.models import Method, ProfileRequest

        request = ProfileRequest(
            base_url=self.base_url, recipient_id=self.recipient_edit.text(), method=Method.GET
        )
        self._run(request, purpose="load", status="Loading…")

    def on_send_clicked(self) -> None:
        if self._busy:
            return
        problem = self._precheck()
        if problem:
            self._set_status(problem, "error")
            return
        method = self.method()
        profile: dict[str, Any] | None = None
        if method.has_body:
            result = self.editor.profile_result()
            if result.profile is None:
                self._set_status(f"Not sent: {result.problem}", "error")
                self.editor.reveal_problem()
                return
            profile = result.profile
        changes = self._changes_for(profile)
        if not self._confirm(method, changes):
            self._set_status("Not sent: cancelled at the confirmation.", "idle")
            return
        if changes is not None and self.verify_check.isChecked():
            self._pending_expected = (self.recipient_edit.text(), changes.expected)
        else:
            self._pending_expected = None
        request = self._build_request(profile, new_key=True)
        # History names the environment the request went to, even if the user switches meanwhile.
        self._send_env_name = self._env.name if self._env is not None else None
        self._run(request, purpose="send", status="Sending…")

    def _changes_for(self, profile: dict[str, Any] | None) -> ChangeSet | None:
        if not self._target_matches_stored():
            return None
        from profile_editor.core.changes import compute_changes

        assert self._stored is not None
        return compute_changes(self._stored.profile, profile or {}, self.method())

    def _confirm(self, method: Method, changes: ChangeSet | None) -> bool:
        from profile_editor.core.changes import ChangeKind
        from profile_editor.core.models import ACTION_NAMES, Method

        rid = self.recipient_edit.text()
        action = ACTION_NAMES[method]
        env = self._env
        if (
            env is not None
            and env.protected
            and not dialogs.confirm(
                self,
                f"Send to {env.name}?",
                f"“{env.name}” is a protected environment ({env.base_url}). "
                f"{action} the profile of “{rid}” there?",
                ok=f"{action} in {env.name}",
            )
        ):
            return False
        if method not in (Method.PUT, Method.DELETE):
            return True
        if changes is None:
            lost = "The stored profile was not loaded, so what will be lost is unknown: " + (
                "the whole profile."
                if method is Method.DELETE
                else "every stored key not in the editor."
            )
        else:
            removed = [c.path for c in changes.changes if c.kind is ChangeKind.REMOVED]
            altered = [c.path for c in changes.changes if c.kind is ChangeKind.CHANGED]
            lines = []
            if removed:
                lines.append(
                    f"Removed ({len(removed)}): "
                    + ", ".join(removed[:20])
                    + (" …" if len(removed) > 20 else "")
                )
            if altered:
                lines.append(
                    f"Overwritten ({len(altered)}): "
                    + ", ".join(altered[:20])
                    + (" …" if len(altered) > 20 else "")
                )
            lost = "\n".join(lines) or "Nothing stored will be lost."
        return dialogs.confirm(
            self,
            f"{action} profile?",
            f"{action} the profile of “{rid}” at {self.base_url}?",
            lost,
            ok=action,
        )

    def on_cancel_clicked(self) -> None:
        self.runner.cancel_all()

    # ----------------------------------------------------------------- running requests
    def _run(self, request: ProfileRequest, *, purpose: str, status: str) -> None:
        from profile_editor.core.models import Outcome, OutcomeKind

        session = self.session
        key = self.api_key()
        token = session.cancel_token()

        def work(progress: Any) -> Outcome:
            return session.client().execute(
                request,
                key,
                cancel=token,
                on_retry=lambda n, total, delay, reason: progress((n, total, delay, reason)),
            )

        def failed(exc: BaseException) -> Outcome:
            return Outcome(kind=OutcomeKind.NETWORK, summary="Unexpected error", detail=repr(exc))

        self._set_busy(True)
        self._set_status(status, "busy")
        self.elapsed_label.setText("")
        self._in_flight = (purpose, request)
        self.runner.start(
            work,
            on_finished=lambda outcome: self.on_request_finished(purpose, request, outcome),
            on_progress=self.on_request_progress,
            on_error=failed,
            token=token,
        )

    def on_request_progress(self, note: tuple[int, int, float, str]) -> None:
        if self._closing:
            return
        n, total, delay, reason = note
        self._set_status(f"{reason} — retrying ({n}/{total}) in {delay:.1f} s…", "busy")

    def on_request_finished(self, purpose: str, request: ProfileRequest, outcome: Outcome) -> None:
        self._in_flight = None
        if self._closing:
            return
        self._set_busy(False)
        if purpose != "verify":
            self.elapsed_label.setText(f"{outcome.elapsed_ms:,.0f} ms")
        if purpose == "load":
            self._show_load(request, outcome)
        elif purpose == "verify":
            self._show_verify(request, outcome)
        else:
            self._show_send(request, outcome)
        self.requestFinished.emit(outcome)

    def _describe(self, outcome: Outcome) -> str:
        return describe_outcome(outcome)

    def _status_for_failure(self, verb: str, outcome: Outcome) -> str:
        return failure_line(verb, outcome)

    def _show_response(self, text: str) -> None:
        # Repeated sends often get the same answer; re-laying out the text is wasted work.
        if self.response_view.toPlainText() != text:
            self.response_view.setPlainText(text)

    def _show_send(self, request: ProfileRequest, outcome: Outcome) -> None:
        self._show_response(self._describe(outcome))
        before = self._stored_profile_for(request)
        if not outcome.ok:
            state = "idle" if outcome.kind.value == "cancelled" else "error"
            self._set_status(self._status_for_failure("Send", outcome), state)
            self.output_tabs.setCurrentWidget(self.response_view)
            self._record_history(request, outcome, before, None)
            return
        self._set_status(f"✓ {outcome.summary} — {outcome.elapsed_ms:,.0f} ms", "success")
        expected = self._pending_expected
        self._pending_expected = None
        if expected is not None and expected[0] == request.recipient_id:
            # Recorded once the check tells what is stored now.
            self._pending_history = (request, outcome, before)
            self._verify(request, expected[1])
        else:
            self._record_history(request, outcome, before, None)

    def _stored_profile_for(self, request: ProfileRequest) -> dict[str, Any] | None:
        stored = self._stored_for(request.base_url, request.recipient_id)
        return stored.profile if stored is not None else None

    def _verify(self, sent: ProfileRequest, expected: dict[str, Any] | None) -> None:
        from profile_editor.core.models import Method, ProfileRequest

        get = ProfileRequest(
            base_url=sent.base_url, recipient_id=sent.recipient_id, method=Method.GET
        )
        self._verify_expected = expected
        self._last_send_summary = self.status_label.text()
        self._run(get, purpose="verify", status=f"{self.status_label.text()} · verifying…")

    def _show_verify(self, request: ProfileRequest, outcome: Outcome) -> None:
        from profile_editor.core.changes import ChangeKind, compute_changes
        from profile_editor.core.models import Method

        expected = self._verify_expected
        sent_summary = self._last_send_summary
        if outcome.ok:
            actual: dict[str, Any] | None = outcome.profile
        elif outcome.status_code == 404:
            actual = None
        else:
            self._set_status(f"{sent_summary} · could not verify: {outcome.summary}", "warning")
            self._flush_pending_history(None)
            return
        self._flush_pending_history(actual)
        self._stored = Stored(request.base_url, request.recipient_id, actual)
        if actual == expected:
            self._set_status(
                f"{sent_summary} · verified: the stored profile matches the preview", "success"
            )
        else:
            diff = compute_changes(expected or {}, actual or {}, Method.PUT)
            paths = [
                f"{c.kind.value} {c.path}"
                for c in diff.changes
                if c.kind is not ChangeKind.UNTOUCHED
            ]
            self._set_status(
                f"{sent_summary} · MISMATCH: the stored profile differs from the preview ("
                + "; ".join(paths[:5])
                + ("…" if len(paths) > 5 else "")
                + ")",
                "warning",
            )
            self.response_view.appendPlainText(
                "\nVerification: stored profile now is\n" + dumps_pretty(actual)[:20_000]
            )
        self._refresh_preview()

    def _show_load(self, request: ProfileRequest, outcome: Outcome) -> None:
        self._show_response(self._describe(outcome))
        if outcome.ok and outcome.profile is not None:
            self._stored = Stored(request.base_url, request.recipient_id, outcome.profile)
            self.editor.set_profile(outcome.profile)
            self._set_status(
                f"✓ Loaded “{request.recipient_id}”: {len(outcome.profile)} keys — {outcome.elapsed_ms:,.0f} ms",
                "success",
            )
        elif outcome.status_code == 404:
            self._stored = Stored(request.base_url, request.recipient_id, None)
            self.editor.set_profile({})
            self._set_status(
                f"“{request.recipient_id}” has no profile yet: sending will create it.", "warning"
            )
        else:
            self._set_status(self._status_for_failure("Load", outcome), "error")
            return
        self.output_tabs.setCurrentWidget(self.changes_view)
        self._refresh_preview()

    # ----------------------------------------------------------------- environments
    def _setup_environments(self) -> None:
        config = self.config
        stored = self.env_store.load()
        by_url = {env.base_url: env for env in stored}
        active: Environment | None = None
        if config.sandbox or config.api_key or config.base_url not in by_url:
            # A target given on the command line or by env vars is a session environment;
            # its key stays in memory.
            name = config.environment_name
            if any(env.name == name for env in stored):
                name = f"{name} (this session)"
            active = Environment(
                name=name,
                base_url=config.base_url,
                color=config.environment_color,
                protected=config.environment_protected,
            )
            self._session_envs = [active]
            if config.api_key:
                self._memory_keys[name] = config.api_key
        else:
            active = by_url[config.base_url]
        last = str(self.settings.value("environment", "") or "")
        if not config.sandbox and not config.api_key and last:
            active = next((e for e in stored if e.name == last), active)
        self.env_bar.set_environments(self._session_envs + stored, active.name)
        self._activate_environment(active, background=True)
        if self._vault is None and active in self._session_envs:
            self._look_up_key_later(None)  # opens the keychain, so the band can tell about it

    def _look_up_key_later(self, env: Environment | None) -> None:
        """Open the keychain on a worker: it may be slow, or wait to be unlocked."""
        backend = self.config.keyring_backend

        def work(_progress: Any) -> tuple[KeyVault, str | None]:
            vault = KeyVault(backend=backend)
            return vault, vault.get(env.name) if env is not None else None

        def done(result: Any) -> None:
            if self._closing or not isinstance(result, tuple):
                return
            vault, key = result
            if self._vault is None:
                self._vault = vault
            if env is not None:
                self._keychain_keys[env.name] = key
            if self._env is env and key and not self.key_edit.text():
                self.key_edit.setText(key)
                self.key_source.setText("keychain")
            self._update_vault_notice()

        self.runner.start(work, on_finished=done, on_error=lambda exc: exc)

    @property
    def vault(self) -> KeyVault:
        if self._vault is None:
            self._vault = KeyVault(backend=self.config.keyring_backend)
        return self._vault

    def _update_vault_notice(self) -> None:
        vault = self._vault
        notice = ""
        if vault is not None and not vault.persistent:
            notice = "No keychain: keys kept in memory this session"
            self.env_bar.notice_label.setToolTip(vault.reason)
        if self.config.sandbox and self._env is not None and self._env in self._session_envs:
            notice = "Local sandbox: nothing here reaches Courier"
        self.env_bar.set_key_notice(notice)

    def _activate_environment(self, env: Environment, *, background: bool = False) -> None:
        self._env = env
        key = self._memory_keys.get(env.name)
        if key is None and env not in self._session_envs:
            if background and self._vault is None:
                self._look_up_key_later(env)
            else:
                key = self._keychain_key(env.name)
        self.key_edit.setText(key or "")
        source = "sandbox key" if self.config.sandbox and env in self._session_envs else ""
        if not source and key:
            source = "this session" if env.name in self._memory_keys else "keychain"
        self.key_source.setText(source)
        self._update_vault_notice()
        self._update_title()
        self._preview_timer.start()

    def environments(self) -> list[Environment]:
        return self.env_bar.environments()

    def on_environment_changed(self, env: Environment) -> None:
        self._activate_environment(env)
        self._set_status(f"Environment: {env.name} — {env.base_url}", "idle")

    def on_key_edited(self, text: str) -> None:
        if self._env is not None:
            self._memory_keys[self._env.name] = text.strip()
            self.key_source.setText("this session" if text else "")

    def on_edit_environments(self) -> None:
        from profile_editor.ui.environments_dialog import EnvironmentsDialog

        stored = [env for env in self.environments() if env not in self._session_envs]
        dialog = EnvironmentsDialog(self.env_store, self.vault, stored, self)
        if dialog.exec() != EnvironmentsDialog.DialogCode.Accepted:
            return
        saved = dialog.saved_environments() or []
        self._keychain_keys.clear()  # the dialog may have changed stored keys
        active = self._env.name if self._env is not None else None
        env = self.env_bar.set_environments(self._session_envs + saved, active)
        if env is not None:
            self._activate_environment(env)

    def _known_secrets(self) -> list[str]:
        """Every key this window knows, so that none of them is ever written to a file."""
        keys = {key for key in self._memory_keys.values() if key}
        if self.key_edit.text().strip():
            keys.add(self.key_edit.text().strip())
        for env in self.environments():
            if env not in self._session_envs:
                key = self._keychain_key(env.name)
                if key:
                    keys.add(key)
        return sorted(keys)

    def _keychain_key(self, name: str) -> str | None:
        # Asked on every save and send: read each environment's key from the keychain once.
        if name not in self._keychain_keys:
            self._keychain_keys[name] = self.vault.get(name)
        return self._keychain_keys[name]

    # ----------------------------------------------------------------- presets
    def _state_key(self) -> tuple[str, str, str, str]:
        env = self._env.name if self._env is not None else ""
        return (
            self.recipient_edit.text(),
            str(self.method_combo.currentData()),
            env,
            self.note_edit.text(),
        )

    def is_dirty(self) -> bool:
        """Unsaved changes against the open preset (or against the empty start)."""
        return self.editor.is_modified() or self._state_key() != self._saved_state

    def current_preset(self, name: str) -> Preset | None:
        result = self.editor.profile_result()
        if result.profile is None:
            dialogs.inform(self, "Cannot save", f"The profile has a problem: {result.problem}")
            self.editor.reveal_problem()
            return None
        return Preset(
            name=name,
            recipient_id=self.recipient_edit.text(),
            method=self.method_combo.currentData(),
            environment=self._env.name if self._env is not None else None,
            note=self.note_edit.text(),
            profile=result.profile,
        )

    def _mark_saved(self, entry: PresetEntry | None) -> None:
        self._preset = entry
        self.editor.set_modified(False)
        self._saved_state = self._state_key()
        self._update_title()

    def save_preset(self, *, save_as: bool = False) -> bool:
        """Save to the open preset (or ask for a name); True when it is on disk."""
        entry = None if save_as else self._preset
        if entry is None:
            suggested = f"{self._preset.name} copy" if self._preset is not None else ""
            name = dialogs.ask_text(self, "Save preset", "Preset name:", suggested)
            if not name:
                return False
        else:
            name = entry.name
        preset = self.current_preset(name)
        if preset is None:
            return False
        secrets = self._known_secrets()
        try:
            if entry is None:
                saved = self.preset_store.save(preset, secrets=secrets)
            else:
                try:
                    saved = self.preset_store.save(
                        preset, path=entry.path, expected=entry.fingerprint, secrets=secrets
                    )
                except PresetConflictError as conflict:
                    if not dialogs.confirm(
                        self,
                        "Preset changed on disk",
                        f"“{name}” was changed on disk since it was opened (another window or "
                        "program). Overwrite it with what is here?",
                        str(conflict),
                        ok="Overwrite",
                    ):
                        return False
                    saved = self.preset_store.save(preset, path=entry.path, secrets=secrets)
        except SecretLeakError:
            dialogs.inform(
                self,
                "Not saved",
                "The preset contains an API key (in the profile or the note). Keys are never "
                "written to preset files: remove it and save again.",
            )
            return False
        except (StorageError, OSError) as err:
            dialogs.inform(self, "Not saved", f"The preset could not be written: {err}")
            return False
        self._mark_saved(saved)
        self.presets_panel.refresh()
        self._update_title()
        self._set_status(f"Saved preset “{saved.name}” ({saved.path.name}).", "success")
        return True

    def on_save_preset(self) -> None:
        self.save_preset()

    def on_save_preset_as(self) -> None:
        self.save_preset(save_as=True)

    def _may_discard(self, doing: str) -> bool:
        """Ask about unsaved changes before ``doing``; True when it may go ahead."""
        if not self.is_dirty():
            return True
        name = self._preset.name if self._preset is not None else "Untitled"
        choice = dialogs.ask_save_discard_cancel(
            self, "Unsaved changes", f"“{name}” has unsaved changes. Save them before {doing}?"
        )
        if choice is dialogs.Choice.SAVE:
            return self.save_preset()
        return choice is dialogs.Choice.DISCARD

    def on_new_preset(self) -> None:
        if not self._may_discard("starting a new one"):
            return
        self.recipient_edit.clear()
        self.note_edit.clear()
        self.method_combo.setCurrentIndex(0)
        self.editor.set_profile({})
        self._stored = None
        self._mark_saved(None)

    def on_preset_open_requested(self, entry: PresetEntry) -> None:
        if entry.is_broken or entry.preset is None:
            dialogs.inform(self, "Cannot open preset", f"{entry.path.name}: {entry.error}")
            return
        if self._preset is not None and entry.path == self._preset.path and not self.is_dirty():
            return
        if not self._may_discard(f"opening “{entry.name}”"):
            return
        self.open_preset(entry)

    def open_preset(self, entry: PresetEntry) -> None:
        preset = entry.preset
        assert preset is not None
        self._apply_request(preset.recipient_id, preset.method, preset.environment, preset.profile)
        self.note_edit.setText(preset.note)
        self._mark_saved(entry)
        self._set_status(f"Opened preset “{preset.name}”.", "idle")

    def _apply_request(
        self, recipient: str, method: str, environment: str | None, profile: dict[str, Any]
    ) -> None:
        wanted = environment and (self._env is None or environment != self._env.name)
        if wanted and not self.env_bar.select(environment or ""):
            dialogs.inform(
                self,
                "Environment not found",
                f"This request was made for the environment “{environment}”, which does "
                f"not exist here. It stays on “{self._env.name if self._env else '?'}”.",
            )
        index = self.method_combo.findData(method)
        self.method_combo.setCurrentIndex(max(index, 0))
        self.recipient_edit.setText(recipient)
        self.editor.set_profile(profile)
        self._stored = None

    def on_preset_renamed(self, old_path: Path, entry: PresetEntry) -> None:
        if self._preset is not None and self._preset.path == old_path:
            self._preset = entry
            self._update_title()

    def on_preset_deleted(self, path: Path) -> None:
        if self._preset is not None and self._preset.path == path:
            # The content stays in the editor, now unsaved.
            self._preset = None
            self._saved_state = NOTHING_SAVED
            self._update_title()

    # ----------------------------------------------------------------- history
    def _flush_pending_history(self, after: dict[str, Any] | None) -> None:
        if self._pending_history is not None:
            request, outcome, before = self._pending_history
            self._pending_history = None
            self._record_history(request, outcome, before, after)

    def _record_history(
        self,
        request: ProfileRequest,
        outcome: Outcome,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        entry = HistoryEntry(
            environment=self._send_env_name,
            base_url=request.base_url,
            method=request.method.value,
            recipient_id=request.recipient_id,
            request_body=request.payload(),
            status=outcome.status_code,
            outcome=outcome.kind.value,
            message=outcome.message or outcome.summary,
            duration_ms=outcome.elapsed_ms,
            profile_before=before,
            profile_after=after,
        )
        self.history_panel.add_entry(entry)
        self._history_queue.put((entry, self._known_secrets()))
        # While closing, the queue is written out after the writer has stopped.
        if not self._history_writing and not self._closing:
            self._start_history_writer()

    def _start_history_writer(self) -> None:
        """One writer job drains every entry queued meanwhile: sends in quick succession do
        not each pay for a job and a wake-up."""
        log, pending = self.history_log, self._history_queue

        def drain(_progress: Any) -> None:
            while True:
                try:
                    entry, secrets = pending.get_nowait()
                except queue.Empty:
                    return
                log.append(entry, secrets=secrets)

        self._history_writing = True
        self.disk_runner.start(
            drain, on_finished=self._on_history_written, on_error=self._on_history_error
        )

    def _on_history_error(self, exc: BaseException) -> BaseException:
        # Runs on the worker; the exception reaches the UI through the finished signal.
        return exc

    def _on_history_written(self, result: Any) -> None:
        self._history_writing = False
        if not self._history_queue.empty() and not self._closing:
            self._start_history_writer()  # queued after the writer's last look
        if not isinstance(result, BaseException) or self._closing:
            return
        problem = (
            str(result)
            if isinstance(result, StorageError)
            else f"Cannot write the history: {result!r}"
        )
        self.history_panel.set_note(problem)
        if not self._busy:
            self._set_status(f"{self.status_label.text()} · {problem}", "warning")

    def on_history_reopen(self, entry: HistoryEntry) -> None:
        body = entry.request_body if isinstance(entry.request_body, dict) else {}
        profile = body.get("profile") if isinstance(body.get("profile"), dict) else {}
        if entry.method not in ("POST", "PUT", "DELETE"):
            dialogs.inform(self, "Cannot re-open", f"{entry.method} requests are not edited here.")
            return
        if not self._may_discard("re-opening a request from history"):
            return
        self._apply_request(entry.recipient_id, entry.method, entry.environment, profile or {})
        self.note_edit.clear()
        self._preset = None
        self._saved_state = NOTHING_SAVED
        self.editor.set_modified(True)
        self._update_title()
        self._set_status(
            f"Re-opened the {entry.method} to “{entry.recipient_id}” from history.", "idle"
        )

    # ----------------------------------------------------------------- settings
    def _restore_settings(self) -> None:
        settings = self.settings
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("windowState")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for name, splitter in (
            ("sideSplitter", self.side_splitter),
            ("mainSplitter", self.splitter),
        ):
            value = settings.value(name)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        last = str(settings.value("preset", "") or "")
        entry = self.preset_store.read(Path(last)) if last and Path(last).is_file() else None
        if entry is None or entry.preset is None:
            return
        wanted = entry.preset.environment
        explicit = self.config.sandbox or bool(self.config.api_key)
        if explicit and wanted and self._env is not None and wanted != self._env.name:
            # Like the last environment, the last preset must not move the window away from a
            # target given on the command line or by environment variables.
            return
        self.open_preset(entry)
        self.presets_panel.select_path(entry.path)

    def _save_settings(self) -> None:
        settings = self.settings
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("windowState", self.saveState())
        settings.setValue("sideSplitter", self.side_splitter.saveState())
        settings.setValue("mainSplitter", self.splitter.saveState())
        if self._env is not None and self._env not in self._session_envs:
            settings.setValue("environment", self._env.name)
        settings.setValue("preset", str(self._preset.path) if self._preset is not None else "")
        settings.sync()

    # ----------------------------------------------------------------- start-up
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._warmed:
            self._warmed = True
            QTimer.singleShot(0, self._warm_up)

    def _warm_up(self) -> None:
        """Import the HTTP stack and build the shared client off the UI thread, after the
        first paint, so neither start-up nor the first send pays for it."""
        if self._closing:
            # Closed before the event loop got here: the runner is already shut down.
            return
        session = self.session

        def work(_progress: Any) -> None:
            import profile_editor.core.changes
            import profile_editor.core.models  # noqa: F401

            session.client()

        self.runner.start(work, on_finished=lambda _result: None, on_error=lambda _exc: None)
        self.history_panel.load_from(self.history_log, self.runner)

    # ----------------------------------------------------------------- closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing:
            # Qt may deliver a second close (e.g. app shutdown): ask and save settings once.
            if not self._may_discard("closing"):
                event.ignore()
                return
            self._save_settings()
        self._closing = True
        self._preview_timer.stop()
        in_flight = self._in_flight
        self.runner.shutdown(3000)
        # A send whose verification was cut short is still a send.
        self._flush_pending_history(None)
        if in_flight is not None and in_flight[0] == "send":
            self._record_history(in_flight[1], _closed_outcome(), None, None)
        self.disk_runner.shutdown(3000)
        # Whatever the writer did not get to. Nowhere is left to tell of a failure now.
        while not self._history_queue.empty():
            entry, secrets = self._history_queue.get_nowait()
            with contextlib.suppress(StorageError):
                self.history_log.append(entry, secrets=secrets)
        self.session.close()
        super().closeEvent(event)
