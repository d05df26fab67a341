"""Window fixtures: the real window against the real sandbox on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backends.fail import Keyring as FailKeyring
from pytestqt.qtbot import QtBot

from profile_editor.app import create_main_window
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui import dialogs
from profile_editor.ui.main_window import MainWindow


class DialogLog:
    """Records questions the window asks and gives scripted answers."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[Any, ...]]] = []
        self.answers: dict[str, Any] = {}

    def answer(self, name: str, value: Any) -> None:
        self.answers[name] = value

    def make(self, name: str, default: Any) -> Callable[..., Any]:
        def ask(*args: Any, **kwargs: Any) -> Any:
            self.asked.append((name, args[1:]))
            return self.answers.get(name, default)

        return ask


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> DialogLog:
    log = DialogLog()
    monkeypatch.setattr(dialogs, "confirm", log.make("confirm", True))
    monkeypatch.setattr(dialogs, "ask_discard", log.make("ask_discard", True))
    monkeypatch.setattr(
        dialogs,
        "ask_save_discard_cancel",
        log.make("ask_save_discard_cancel", dialogs.Choice.DISCARD),
    )
    monkeypatch.setattr(dialogs, "ask_text", log.make("ask_text", None))
    monkeypatch.setattr(dialogs, "inform", log.make("inform", None))
    return log


@pytest.fixture
def make_window(
    qtbot: QtBot, tmp_path: Path, asked: DialogLog
) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(base_url: str, key: str | None, **options: Any) -> MainWindow:
        options.setdefault("total_timeout", 2.0)
        options.setdefault("connect_timeout", 2.0)
        options.setdefault("retry_base_delay", 0.01)
        # No OS keychain in tests: keyring's own always-failing backend (keys stay in memory).
        options.setdefault("keyring_backend", FailKeyring())
        window = create_main_window(
            base_url=base_url, auth_token=key, data_dir=tmp_path / "data", **options
        )
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert window.runner.active_count() == 0


@pytest.fixture
def window(make_window: Callable[..., MainWindow], sandbox: SandboxServer) -> MainWindow:
    return make_window(sandbox.url, sandbox.key)
