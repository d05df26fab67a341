"""The entry point as a user starts it: ``profile-editor --sandbox`` and the env-var setup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from driver import WindowDriver  # type: ignore[import-not-found]
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.app import main
from profile_editor.ui.shell.main_window import MainWindow


def run_main(
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    inside: Callable[[WindowDriver], object],
    qtbot: QtBot,
    data_dir: Path,
    dialog_stub: DialogStub | None = None,
) -> int:
    """Run ``main`` with an event loop that runs ``inside`` on the window it opened (driven
    as the window tests drive theirs) and then closes it."""

    def fake_exec(_self: QApplication) -> int:
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        [window] = windows
        driver = WindowDriver(qtbot, window, data_dir, dialog_stub)
        try:
            inside(driver)
        finally:
            driver.close()
            window.deleteLater()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return main(argv)


def test_sandbox_mode_opens_a_working_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialog_stub: DialogStub
) -> None:
    for name in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN", "COURIER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, Any] = {}

    def inside(window: WindowDriver) -> None:
        env = window.environment()
        seen["env"] = env.name if env else None
        seen["url"] = window.base_url()
        seen["title"] = window.title()
        window.fill(recipient="first-user", profile='{"email": "a@example.com"}')
        seen["ok"] = window.send(until_idle=False).ok
        seen["status"] = window.status()

    argv = ["--sandbox", "--data-dir", str(tmp_path)]
    assert run_main(monkeypatch, argv, inside, qtbot, tmp_path, dialog_stub) == 0
    assert seen["env"] == "Sandbox" and seen["url"].startswith("http://127.0.0.1:")
    assert "Sandbox" in seen["title"]
    assert seen["ok"] and "SUCCESS" in seen["status"]
    assert (tmp_path / "sandbox.sqlite3").is_file()


def test_a_newcomer_is_offered_the_demo_recipient_and_sees_every_tab_filled(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialog_stub: DialogStub
) -> None:
    for name in ("COURIER_API_KEY", "COURIER_AUTH_TOKEN", "COURIER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, Any] = {}

    def inside(window: WindowDriver) -> None:
        qtbot.waitUntil(lambda: "Ready" in window.status(), timeout=5000)
        seen["status"] = window.status()
        window.load_whole_recipient("demo-recipient")
        seen["summary"] = window.recipient_summary()
        window.show_user_tab("preferences")
        seen["weekly"] = window.preference_status("Weekly digest")

    argv = ["--sandbox", "--data-dir", str(tmp_path)]
    assert run_main(monkeypatch, argv, inside, qtbot, tmp_path, dialog_stub) == 0
    assert "demo-recipient" in seen["status"]
    for part in ("3 lists", "opted out", "2 devices", "2 tenants"):
        assert part in seen["summary"], seen["summary"]
    assert seen["weekly"] == "OPTED_OUT"


def test_courier_env_vars_are_an_environment_of_their_own(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialog_stub: DialogStub
) -> None:
    monkeypatch.setenv("COURIER_API_KEY", "dk_prod_example_key_value")
    monkeypatch.setenv("COURIER_BASE_URL", "https://api.eu.courier.com/")
    seen: dict[str, Any] = {}

    def inside(window: WindowDriver) -> None:
        env = window.environment()
        assert env is not None
        seen.update(name=env.name, url=env.base_url, protected=env.protected)
        seen["key"] = window.key()

    argv = ["--data-dir", str(tmp_path)]
    assert run_main(monkeypatch, argv, inside, qtbot, tmp_path, dialog_stub) == 0
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
    argv = ["--base-url", "api.courier.com", "--data-dir", str(tmp_path)]
    assert run_main(monkeypatch, argv, print, qtbot, tmp_path) == 2
    assert "not a usable base URL" in shown[0]
