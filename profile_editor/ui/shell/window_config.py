"""What a window is started with: its target, where its files live, and network tuning."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from profile_editor.ui.environments.start import SessionTarget, masked_key

if TYPE_CHECKING:  # the history database is opened after the first paint
    from profile_editor.storage.history_db import Retention

# The band of the built-in sandbox (the app's --sandbox and --self-test).
SANDBOX_COLOR = "#00897b"

__all__ = ["WindowConfig"]


class WindowConfig:
    base_url: str
    api_key: str | None
    data_dir: Path
    environment_name: str
    environment_color: str
    environment_protected: bool
    sandbox: bool
    connect_timeout: float
    total_timeout: float
    retry_base_delay: float
    key_source: str
    # None: the OS keychain through keyring's own choice; tests pass keyring's test backends.
    keyring_backend: Any
    # How much history to keep (--history-keep); None: a year and a million requests.
    history_keep: Retention | None
    # A recipient the sandbox was seeded with, offered to a newcomer (the app's --sandbox demo).
    demo_recipient: str | None

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        data_dir: Path,
        environment_name: str = "Custom",
        environment_color: str = "#455a64",
        environment_protected: bool = False,
        sandbox: bool = False,
        connect_timeout: float = 5.0,
        total_timeout: float = 60.0,
        retry_base_delay: float = 0.5,
        key_source: str = "",
        keyring_backend: Any = None,
        history_keep: Retention | None = None,
        demo_recipient: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.data_dir = data_dir
        self.environment_name = environment_name
        self.environment_color = environment_color
        self.environment_protected = environment_protected
        self.sandbox = sandbox
        self.connect_timeout = connect_timeout
        self.total_timeout = total_timeout
        self.retry_base_delay = retry_base_delay
        self.key_source = key_source
        self.keyring_backend = keyring_backend
        self.history_keep = history_keep
        self.demo_recipient = demo_recipient

    def _key(self) -> tuple[Any, ...]:
        return (
            self.base_url,
            self.api_key,
            self.data_dir,
            self.environment_name,
            self.environment_color,
            self.environment_protected,
            self.sandbox,
            self.connect_timeout,
            self.total_timeout,
            self.retry_base_delay,
            self.key_source,
            self.keyring_backend,
            self.history_keep,
            self.demo_recipient,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WindowConfig) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(base_url={self.base_url!r}, api_key={masked_key(self.api_key)}, data_dir={self.data_dir!r}, environment_name={self.environment_name!r}, environment_color={self.environment_color!r}, environment_protected={self.environment_protected!r}, sandbox={self.sandbox!r}, connect_timeout={self.connect_timeout!r}, total_timeout={self.total_timeout!r}, retry_base_delay={self.retry_base_delay!r}, key_source={self.key_source!r}, keyring_backend={self.keyring_backend!r}, history_keep={self.history_keep!r}, demo_recipient={self.demo_recipient!r})"

    def session_target(self) -> SessionTarget:
        return SessionTarget(
            self.base_url,
            self.api_key,
            self.environment_name,
            self.environment_color,
            self.environment_protected,
            self.sandbox,
        )
