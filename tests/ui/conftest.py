"""Window fixtures: the real window against the real sandbox on loopback, driven through
:class:`driver.WindowDriver`, its questions answered by :class:`stubs.DialogStub`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from keyring.backends.fail import Keyring as FailKeyring
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.app import create_main_window
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.shell.main_window import MainWindow


@pytest.fixture
def dialog_stub(monkeypatch: pytest.MonkeyPatch) -> DialogStub:
    """Every question the app asks gets a scripted answer and is recorded."""
    stub = DialogStub()
    stub.install(monkeypatch)
    return stub


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path, dialog_stub: DialogStub) -> Iterator[MakeWindow]:
    """Open windows on ``tmp_path / "data"``; closed after the test, with no job left behind."""
    drivers: list[WindowDriver] = []

    def make(
        base_url: str, key: str | None, *, first_frame: bool = False, **options: Any
    ) -> WindowDriver:
        """``first_frame``: hand the window over as first shown, before its start finished."""
        options.setdefault("total_timeout", 2.0)
        options.setdefault("connect_timeout", 2.0)
        options.setdefault("retry_base_delay", 0.01)
        # No OS keychain in tests: keyring's own always-failing backend (keys stay in memory).
        options.setdefault("keyring_backend", FailKeyring())
        data_dir = tmp_path / "data"
        window = create_main_window(base_url=base_url, auth_token=key, data_dir=data_dir, **options)
        assert isinstance(window, MainWindow)
        qtbot.addWidget(window)
        window.show()
        driver = WindowDriver(qtbot, window, data_dir, dialog_stub, wait_started=not first_frame)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.close()
        assert driver.jobs_running() == 0


@pytest.fixture
def window(make_window: MakeWindow, sandbox: SandboxServer) -> WindowDriver:
    """A window on the sandbox, with its key."""
    return make_window(sandbox.url, sandbox.key)
