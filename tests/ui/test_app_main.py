"""The entry point as a user starts it: ``profile-editor --sandbox`` and the env-var setup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import DialogLog  # type: ignore[import-not-found]
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from profile_editor.app import main
from profile_editor.ui.main_window import MainWindow


def run_main(monkeypatch: pytest.MonkeyPatch, argv: list[str], inside: Any) -> int:
    """Run ``main`` with an event loop that runs ``inside(window)`` and then closes it."""

    def fake_exec(_self: QApplication) -> int:
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        [window] = windows
        try:
            inside(window)
        finally:
            window.close()
            window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return main(argv)


def test_sandbox_mode_opens_a_working_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asked: DialogLog
) -> None:
    for name in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN", "COURIER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, Any] = {}

    def inside(window: MainWindow) -> None:
        seen["env"] = window.env_bar.active().name if window.env_bar.active() else None
        seen["url"] = window.base_url
        seen["title"] = window.windowTitle()
        window.recipient_edit.setText("first-user")
        window.editor.json_edit.setPlainText('{"email": "a@example.com"}')
        with qtbot.waitSignal(window.requestFinished, timeout=10_000) as blocker:
            window.send_button.click()
        seen["ok"] = blocker.args[0].ok
        seen["status"] = window.status_label.text()

    assert run_main(monkeypatch, ["--sandbox", "--data-dir", str(tmp_path)], inside) == 0
    assert seen["env"] == "Sandbox" and seen["url"].startswith("http://127.0.0.1:")
    assert "Sandbox" in seen["title"]
    assert seen["ok"] and "SUCCESS" in seen["status"]
    assert (tmp_path / "sandbox.sqlite3").is_file()


def test_courier_env_vars_are_an_environment_of_their_own(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asked: DialogLog
) -> None:
    monkeypatch.setenv("COURIER_API_KEY", "dk_prod_example_key_value")
    monkeypatch.setenv("COURIER_BASE_URL", "https://api.eu.courier.com/")
    seen: dict[str, Any] = {}

    def inside(window: MainWindow) -> None:
        env = window.env_bar.active()
        assert env is not None
        seen.update(name=env.name, url=env.base_url, protected=env.protected)
        seen["key"] = window.key_edit.text()

    assert run_main(monkeypatch, ["--data-dir", str(tmp_path)], inside) == 0
    assert seen == {
        "name": "Environment variables",
        "url": "https://api.eu.courier.com",
        "protected": True,
        "key": "dk_prod_example_key_value",
    }


def test_a_bad_base_url_is_refused_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    shown: list[str] = []
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: shown.append(text))
    assert (
        run_main(monkeypatch, ["--base-url", "api.courier.com", "--data-dir", str(tmp_path)], print)
        == 2
    )
    assert "not a usable base URL" in shown[0]
