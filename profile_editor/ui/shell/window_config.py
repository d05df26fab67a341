"""What a window is started with: its target, where its files live, and network tuning."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profile_editor.ui.environments.start import SessionTarget

if TYPE_CHECKING:  # the history database is opened after the first paint
    from profile_editor.storage.history_db import Retention

# The band of the built-in sandbox (the app's --sandbox and --self-test).
SANDBOX_COLOR = "#00897b"

__all__ = ["WindowConfig"]


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
    # How much history to keep (--history-keep); None: a year and a million requests.
    history_keep: Retention | None = None
    # A recipient the sandbox was seeded with, offered to a newcomer (the app's --sandbox demo).
    demo_recipient: str | None = None

    def session_target(self) -> SessionTarget:
        return SessionTarget(
            self.base_url,
            self.api_key,
            self.environment_name,
            self.environment_color,
            self.environment_protected,
            self.sandbox,
        )
