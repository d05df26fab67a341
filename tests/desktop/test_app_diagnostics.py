"""``main()`` sets up the log, the crash hooks and the app's identity, and takes them down again."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget
from pytestqt.qtbot import QtBot

from profile_editor.app import main

# Built from parts so that no key-shaped literal sits in the source (nor in a traceback's line).
COURIER_SHAPED_KEY = "dk_prod_" + "0123456789abcdef"


def run_main(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], inside: Callable[[QMainWindow], None]
) -> int:
    """``main`` with an event loop that runs ``inside(window)`` and then closes the window."""

    def fake_exec(_self: QApplication) -> int:
        [window] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMainWindow) and w.isVisible()
        ]
        try:
            inside(window)
        finally:
            window.close()
            window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN", "COURIER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return main(argv)


def error_dialog() -> QWidget | None:
    found = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorDialog"]
    return next((w for w in found if w.isVisible()), None)


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown_and_the_app_goes_on(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks_before = (sys.excepthook, threading.excepthook)
    seen: dict[str, object] = {}

    def inside(window: QMainWindow) -> None:
        def broken() -> None:
            raise RuntimeError(f"lost the token Bearer {COURIER_SHAPED_KEY}")

        QTimer.singleShot(0, broken)
        qtbot.waitUntil(lambda: error_dialog() is not None, timeout=10_000)
        dialog = error_dialog()
        assert dialog is not None
        seen["text"] = dialog.message.text()  # type: ignore[attr-defined]
        seen["window_alive"] = window.isVisible()
        seen["identity"] = (
            QApplication.applicationName(),
            QGuiApplication.desktopFileName(),
            QApplication.organizationDomain(),
        )

    assert run_main(monkeypatch, ["--sandbox", "--data-dir", str(tmp_path)], inside) == 0
    assert seen["window_alive"] is True
    assert "RuntimeError: lost the token Bearer ****" in str(seen["text"])
    if "kept as a draft" not in str(seen["text"]):  # until the window owns a draft keeper
        assert "save your work (Ctrl+S)" in str(seen["text"])
    assert str(tmp_path / "logs" / "profile-editor.log") in str(seen["text"])
    assert seen["identity"] == ("Profile Editor", "profile-editor", "profile-editor.local")
    log = (tmp_path / "logs" / "profile-editor.log").read_text(encoding="utf-8")
    assert "Profile Editor starting" in log and "Sandbox API started" in log
    assert "RuntimeError: lost the token Bearer ****" in log and "0123456789abcdef" not in log
    assert "Profile Editor stopped" in log
    assert (sys.excepthook, threading.excepthook) == hooks_before


def test_verbose_prints_the_log_to_stderr(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        run_main(monkeypatch, ["--sandbox", "--verbose", "--data-dir", str(tmp_path)], print) == 0
    )
    err = capsys.readouterr().err
    assert "Profile Editor starting" in err and "Sandbox API started" in err


def test_without_verbose_stderr_stays_quiet(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_main(monkeypatch, ["--sandbox", "--data-dir", str(tmp_path)], print) == 0
    assert "Profile Editor starting" not in capsys.readouterr().err


def test_a_window_saved_off_screen_opens_on_a_screen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QSettings

    area = QGuiApplication.primaryScreen().availableGeometry()

    def move_away(window: QMainWindow) -> None:
        window.setGeometry(area.right() - 150, area.top() + 40, 640, 480)  # mostly off the edge

    assert run_main(monkeypatch, ["--sandbox", "--data-dir", str(tmp_path)], move_away) == 0
    saved = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert saved.value("geometry") is not None
    seen: dict[str, object] = {}

    def look(window: QMainWindow) -> None:
        seen["on_screen"] = area.contains(window.geometry())
        seen["size"] = (window.width(), window.height())

    assert run_main(monkeypatch, ["--sandbox", "--data-dir", str(tmp_path)], look) == 0
    assert seen["on_screen"] is True
