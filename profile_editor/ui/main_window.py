"""The main window: all signal wiring lives in ``_connect_signals``; slots are ``on_*``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
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
    QFrame,
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
from profile_editor.core.recipient import Severity, check_recipient_id
from profile_editor.core.session import Session
from profile_editor.ui import dialogs
from profile_editor.ui.changes_view import ChangesView
from profile_editor.ui.profile_editor_widget import ProfileEditorWidget
from profile_editor.ui.resources import icon, read_text
from profile_editor.ui.workers import JobRunner

if TYPE_CHECKING:
    from profile_editor.core.changes import ChangeSet
    from profile_editor.core.models import Method, Outcome, ProfileRequest

# Method combo entries: label, HTTP method. Merge = POST, Replace = PUT, Delete = DELETE.
METHODS = (("Merge (POST)", "POST"), ("Replace (PUT)", "PUT"), ("Delete (DELETE)", "DELETE"))
PREVIEW_DELAY_MS = 200
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


@dataclass
class WindowConfig:
    base_url: str
    api_key: str | None
    data_dir: Path
    environment_name: str = "Custom"
    environment_color: str = "#455a64"
    sandbox: bool = False
    connect_timeout: float = 5.0
    total_timeout: float = 60.0
    retry_base_delay: float = 0.5
    key_source: str = ""
    extras: dict[str, Any] = field(default_factory=dict)


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
        self._connect_signals()
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

        self.env_band = QFrame(central)
        self.env_band.setObjectName("environmentBand")
        band = QHBoxLayout(self.env_band)
        band.setContentsMargins(12, 4, 12, 4)
        self.env_label = QLabel(self.env_band)
        self.env_label.setObjectName("environmentLabel")
        band.addWidget(self.env_label, 1)
        outer.addWidget(self.env_band)

        body = QWidget(central)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        outer.addWidget(body, 1)

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
        key_row.addStretch(0)
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

        self.setCentralWidget(central)
        self.resize(1100, 720)
        self._apply_environment()

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

    # ----------------------------------------------------------------- state
    @property
    def base_url(self) -> str:
        return self.config.base_url

    def api_key(self) -> str | None:
        return self.key_edit.text().strip() or None

    def method(self) -> Method:
        from profile_editor.core.models import Method

        return Method(self.method_combo.currentData())

    def is_busy(self) -> bool:
        return self._busy

    def _apply_environment(self) -> None:
        name = self.config.environment_name
        if self.config.sandbox:
            text = f"<b>SANDBOX</b> — local test server at {self.config.base_url}: nothing here reaches Courier"
        else:
            text = f"<b>{name}</b> — {self.config.base_url}"
        self.env_label.setText(text)
        self.env_band.setStyleSheet(
            f"#environmentBand {{ background: {self.config.environment_color}; }}"
            "#environmentBand QLabel { color: white; }"
        )

    def _update_title(self) -> None:
        star = "*" if self.editor.is_modified() else ""
        suffix = " — Sandbox" if self.config.sandbox else ""
        self.setWindowTitle(f"{star}Profile Editor{suffix}")

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

    def _target_matches_stored(self) -> bool:
        stored = self._stored
        return (
            stored is not None
            and stored.base_url == self.base_url
            and stored.recipient_id == self.recipient_edit.text()
        )

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
            text = request.preview(self.api_key())
            if method.value == "POST":
                text = text.replace(
                    "User-Agent:", "Idempotency-Key: (a new one per send)\nUser-Agent:", 1
                )
            self.request_preview.setPlainText(text)
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

        if method not in (Method.PUT, Method.DELETE):
            return True
        rid = self.recipient_edit.text()
        action = ACTION_NAMES[method]
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
        lines = [outcome.summary]
        if outcome.status_code is not None:
            lines[0] = f"HTTP {outcome.summary}"
        if outcome.error_type:
            lines.append(f"Type: {outcome.error_type}")
        if outcome.message:
            lines.append(f"Message: {outcome.message}")
        if outcome.attempts > 1:
            lines.append(f"Attempts: {outcome.attempts}")
        if outcome.body is not None:
            lines += ["", dumps_pretty(outcome.body)[:20_000]]
        elif outcome.detail:
            lines += ["", "Detail:", outcome.detail]
        return "\n".join(lines)

    def _status_for_failure(self, verb: str, outcome: Outcome) -> str:
        from profile_editor.core.models import OutcomeKind

        if outcome.kind is OutcomeKind.API_ERROR:
            return (
                f"{verb} failed: {outcome.status_code} · {outcome.error_type} — {outcome.message}"
            )
        if outcome.kind is OutcomeKind.CANCELLED:
            return f"{verb} cancelled. {outcome.message}"
        return f"{verb} failed: {outcome.summary}. {outcome.message}"

    def _show_response(self, text: str) -> None:
        # Repeated sends often get the same answer; re-laying out the text is wasted work.
        if self.response_view.toPlainText() != text:
            self.response_view.setPlainText(text)

    def _show_send(self, request: ProfileRequest, outcome: Outcome) -> None:
        self._show_response(self._describe(outcome))
        if not outcome.ok:
            state = "idle" if outcome.kind.value == "cancelled" else "error"
            self._set_status(self._status_for_failure("Send", outcome), state)
            self.output_tabs.setCurrentWidget(self.response_view)
            return
        self._set_status(f"✓ {outcome.summary} — {outcome.elapsed_ms:,.0f} ms", "success")
        expected = self._pending_expected
        self._pending_expected = None
        if expected is not None and expected[0] == request.recipient_id:
            self._verify(request, expected[1])

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
            return
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

    # ----------------------------------------------------------------- start-up
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._warmed:
            self._warmed = True
            QTimer.singleShot(0, self._warm_up)

    def _warm_up(self) -> None:
        """Import the HTTP stack and build the shared client off the UI thread, after the
        first paint, so neither start-up nor the first send pays for it."""
        session = self.session

        def work(_progress: Any) -> None:
            import profile_editor.core.changes
            import profile_editor.core.models  # noqa: F401

            session.client()

        self.runner.start(work, on_finished=lambda _result: None, on_error=lambda _exc: None)

    # ----------------------------------------------------------------- closing
    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        self._preview_timer.stop()
        self.runner.shutdown(3000)
        self.session.close()
        super().closeEvent(event)
