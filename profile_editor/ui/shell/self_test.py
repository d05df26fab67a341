"""``profile-editor --self-test``: does this installation work, end to end, without a window?

For a support agent's machine, a standalone build or a venv alike. It starts the built-in sandbox,
makes the real window (never shown) in a throw-away data folder, and does what a user does: load a
stored profile, edit it in the JSON tab, send it as a merge and let the window verify it; then
reads the profile back on its own to be sure. On the way it draws the icons (QtSvg and the icon
plugin) and makes the TLS context (the CA file), which a standalone build could lack without any
of the above noticing. One line per step; exit 0, or 1 after naming the step that failed and why.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

RECIPIENT = "self-test"
STORED = {"email": "ada@example.com", "locale": "en-US", "custom": {"plan": "basic"}}
EDITED = {**STORED, "locale": "fr-FR", "custom": {"plan": "pro", "checked_by": "self-test"}}
REQUEST_TIMEOUT_MS = 15_000

__all__ = ["SelfTestFailed", "run_self_test"]


class SelfTestFailed(Exception):
    """A step did not do what it should; the message says what happened instead."""


def run_self_test(data_dir: Path | None = None, *, out: Callable[[str], None] | None = None) -> int:
    """Run every step; 0 when all passed, 1 after saying which failed (and skipping the rest)."""
    if out is None:
        from profile_editor.version import attach_parent_console

        attach_parent_console()
    say = out or _print
    _choose_platform(os.environ)
    started = time.perf_counter()
    say(f"Profile Editor self-test ({_version()}, Python {sys.version.split()[0]})")
    with _data_folder(data_dir) as folder:
        session = _Session(folder)
        try:
            for name, step in session.steps():
                began = time.perf_counter()
                try:
                    detail = step()
                except Exception as exc:
                    reason = str(exc) if isinstance(exc, SelfTestFailed) else _describe(exc)
                    say(f"FAILED  {name}: {reason}")
                    say("Self-test failed.")
                    return 1
                took = (time.perf_counter() - began) * 1000
                say(f"ok      {name}: {detail} ({took:.0f} ms)")
        finally:
            session.close()
    say(f"Self-test passed in {time.perf_counter() - started:.1f} s.")
    return 0


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _print(line: str) -> None:
    print(line, flush=True)


def _version() -> str:
    from profile_editor.version import version

    return version()


def _choose_platform(environ: dict[str, str] | os._Environ[str]) -> None:
    """Headless unless there is a display to use: the window is never shown either way."""
    if environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    ):
        environ["QT_QPA_PLATFORM"] = "offscreen"


@contextmanager
def _data_folder(data_dir: Path | None) -> Iterator[Path]:
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        yield data_dir
        return
    # A folder of its own, removed after: the test sends nothing into the user's history.
    with tempfile.TemporaryDirectory(prefix="profile-editor-self-test-") as folder:
        yield Path(folder)


class _Session:
    """The sandbox, the application and the window, made by the steps and closed at the end."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.sandbox: Any = None
        self.app: Any = None
        self.window: Any = None

    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("Qt platform", self.start_qt),
            ("icons", self.draw_icons),
            ("TLS", self.make_tls_context),
            ("keychain", self.find_keychain),
            ("programs it opens", self.check_child_environment),
            ("sandbox", self.start_sandbox),
            ("window", self.make_window),
            ("load", self.load),
            ("edit", self.edit),
            ("send and verify", self.send),
            ("stored profile", self.read_back),
        ]

    # -- the steps ---------------------------------------------------------------------------

    def start_qt(self) -> str:
        from profile_editor.desktop.platform_check import check_platform

        missing = check_platform(os.environ)
        if missing is not None:
            raise SelfTestFailed(missing.message())
        from PySide6.QtWidgets import QApplication

        from profile_editor.desktop.identity import APP_ID, APP_NAME

        existing = QApplication.instance()
        app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
        app.setApplicationName(APP_NAME)
        app.setDesktopFileName(APP_ID)
        self.app = app
        from PySide6 import __version__ as pyside_version

        return f"{app.platformName()}, PySide6 {pyside_version}"

    def start_sandbox(self) -> str:
        from profile_editor.sandbox.server import start_sandbox

        self.sandbox = start_sandbox(port=0)  # in memory
        status, _ = self._api("PUT", {"profile": STORED})
        if status not in (200, 201, 204):
            raise SelfTestFailed(f"storing the first profile answered {status}")
        return f"{self.sandbox.url}, a profile stored for “{RECIPIENT}”"

    def make_window(self) -> str:
        from keyring.backends import null

        from profile_editor.core.http.config import normalize_base_url
        from profile_editor.ui.shell.main_window import MainWindow
        from profile_editor.ui.shell.window_config import SANDBOX_COLOR, WindowConfig

        self.window = MainWindow(
            WindowConfig(
                base_url=normalize_base_url(self.sandbox.url),
                api_key=self.sandbox.key,
                data_dir=self.data_dir,
                sandbox=True,
                environment_name="Sandbox",
                environment_color=SANDBOX_COLOR,
                key_source="sandbox key",
                # The machine's keychain is only looked at (step "keychain"), never used.
                keyring_backend=null.Keyring(),
            )
        )
        self.window.finish_start()  # never shown, so no first paint starts the rest of it
        return f"built, not shown; data in {self.data_dir}"

    def draw_icons(self) -> str:
        from PySide6.QtCore import QSize

        from profile_editor.ui.common.resources import app_icon, icon

        drawn = {"app": app_icon(), "send": icon("send"), "load": icon("load")}
        blank = [name for name, each in drawn.items() if each.pixmap(QSize(32, 32)).isNull()]
        if blank:
            raise SelfTestFailed(f"these icons draw nothing: {', '.join(blank)} (is QtSvg there?)")
        return f"{len(drawn)} SVG icons drawn"

    def make_tls_context(self) -> str:
        import httpx

        try:
            context = httpx.create_ssl_context()
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            chosen = [
                f"{k}={os.environ[k]}" for k in ("SSL_CERT_FILE", "SSL_CERT_DIR") if k in os.environ
            ]
            where = f" (from {', '.join(chosen)})" if chosen else ""
            raise SelfTestFailed(
                f"the certificate authorities cannot be read{where}: {exc}; "
                "HTTPS to Courier would fail"
            ) from None
        authorities = context.cert_store_stats().get("x509_ca", 0)
        if not authorities:
            raise SelfTestFailed("no certificate authorities: HTTPS to Courier would fail")
        return f"{authorities} certificate authorities"

    def find_keychain(self) -> str:
        from profile_editor.storage.secrets import KeyVault

        vault = KeyVault()
        where = vault.backend_name
        return where if vault.persistent else f"{where}; {vault.reason}"

    def check_child_environment(self) -> str:
        """A standalone build must not hand its own libraries to the programs it opens."""
        folder = getattr(sys, "_MEIPASS", None)
        if folder is None:
            return "not a standalone build: nothing to check"
        leaked = [
            name
            for name in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH")
            if folder in os.environ.get(name, "")
        ]
        if leaked:
            raise SelfTestFailed(f"{' and '.join(leaked)} point into {folder}")
        return "the build's library folder is not passed on"

    def load(self) -> str:
        self._find("QLineEdit", "recipientIdEdit").setText(RECIPIENT)
        outcome = self._request(self._find("QPushButton", "loadButton").click, "Load")
        if not outcome.ok:
            raise SelfTestFailed(f"Load: {outcome.summary}")
        shown = self._json_text()
        if shown != STORED:
            raise SelfTestFailed(f"the JSON tab shows {shown!r}, stored was {STORED!r}")
        return outcome.summary

    def edit(self) -> str:
        self._find("QPlainTextEdit", "rawJsonEdit").setPlainText(json.dumps(EDITED, indent=2))
        combo = self._find("QComboBox", "methodCombo")
        combo.setCurrentIndex(combo.findData("POST"))
        self._find("QCheckBox", "verifyCheck").setChecked(True)
        if self._json_text() != EDITED:
            raise SelfTestFailed("the JSON tab did not take the edited profile")
        return "locale and custom.plan changed in the JSON tab, method Merge"

    def send(self) -> str:
        statuses: list[tuple[str, str]] = []
        self.window.statusChanged.connect(lambda text, state: statuses.append((text, state)))
        sent = self._request(self._find("QPushButton", "sendButton").click, "Send")
        if not sent.ok:
            raise SelfTestFailed(f"Send: {sent.summary}")
        self._wait(lambda: not self.window.is_busy(), "the verification")
        text, state = statuses[-1] if statuses else ("(nothing)", "")
        if state != "success":
            raise SelfTestFailed(f"the status line says {text!r} ({state})")
        return text

    def read_back(self) -> str:
        status, body = self._api("GET")
        stored = body.get("profile") if isinstance(body, dict) else None
        if status != 200 or stored != EDITED:
            raise SelfTestFailed(f"the sandbox holds {stored!r} ({status}), expected {EDITED!r}")
        return "the sandbox holds the edited profile"

    def close(self) -> None:
        if self.window is not None:
            from profile_editor.ui.common import dialogs

            # The edited request is unsaved: the window would ask; the answer is Discard.
            ask = dialogs.ask_save_discard_cancel
            dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
            try:
                self.window.close()
            finally:
                dialogs.ask_save_discard_cancel = ask
            self.window.deleteLater()
            self.app.processEvents()
        if self.sandbox is not None:
            self.sandbox.stop()

    # -- helpers -----------------------------------------------------------------------------

    def _api(self, method: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """The sandbox asked directly, not through the app's client: a second opinion."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(
            f"{self.sandbox.url}/profiles/{RECIPIENT}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.sandbox.key}",
                "Content-Type": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        return status, json.loads(raw) if raw else None

    def _find(self, kind: str, name: str) -> Any:
        from PySide6 import QtWidgets

        found = self.window.findChild(getattr(QtWidgets, kind), name)
        if found is None:
            raise SelfTestFailed(f"the window has no {kind} named {name!r}")
        return found

    def _json_text(self) -> Any:
        text = self._find("QPlainTextEdit", "rawJsonEdit").toPlainText()
        try:
            return json.loads(text)
        except ValueError as exc:
            raise SelfTestFailed(f"the JSON tab holds no JSON: {exc}") from None

    def _request(self, click: Callable[[], object], what: str) -> Any:
        """Click, then the outcome the window reports for that request."""
        outcomes: list[Any] = []
        catch = outcomes.append
        self.window.requestFinished.connect(catch)
        try:
            click()
            self._wait(lambda: bool(outcomes), what)
        finally:
            self.window.requestFinished.disconnect(catch)
        return outcomes[0]

    def _wait(self, done: Callable[[], bool], what: str) -> None:
        from PySide6.QtCore import QEventLoop

        deadline = time.monotonic() + REQUEST_TIMEOUT_MS / 1000
        while not done():
            if time.monotonic() > deadline:
                raise SelfTestFailed(f"{what}: no answer within {REQUEST_TIMEOUT_MS // 1000} s")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
