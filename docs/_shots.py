"""What the screenshot scripts share: waiting without sleeping, and a window on a sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QEventLoop, QTimer

from profile_editor.app import create_main_window
from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.common import dialogs
from profile_editor.ui.shell.main_window import MainWindow


def spin(ms: int = 300) -> None:
    """Let the event loop run for ``ms`` (paints, timers, answers)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_idle(window: MainWindow, busy: Callable[[], bool] | None = None) -> None:
    """Until the window (and ``busy``, if given) has no request in flight, 5 s at most."""
    for _ in range(100):
        spin(50)
        if not window.is_busy() and not (busy is not None and busy()):
            return


def sandbox_window(sandbox: SandboxServer, data_dir: Path) -> MainWindow:
    """The window on ``sandbox`` as ``--sandbox`` shows it, keys in memory only.

    Closing it discards what was typed: a script has nobody to answer "save changes?".
    """
    dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
    window = create_main_window(
        base_url=sandbox.url,
        auth_token=sandbox.key,
        data_dir=data_dir,
        sandbox=True,
        environment_name="Sandbox",
        environment_color="#00897b",
        keyring_backend=FailKeyring(),
    )
    assert isinstance(window, MainWindow)
    return window
