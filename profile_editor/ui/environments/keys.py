"""Which environments there are, which one is active, and the API key of each.

Keys come from three places: typed or given for this session (memory only), the OS keychain
(read on a worker: opening it can be slow or wait to be unlocked), or the command line and
environment variables (a session environment of its own). No key is ever written to a file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from profile_editor.diagnostics.masking import register_secret
from profile_editor.storage.environments import Environment
from profile_editor.storage.secrets import KeyVault
from profile_editor.ui.common.workers import Job, JobRunner, Progress
from profile_editor.ui.environments.start import SessionTarget, choose_start

__all__ = ["EnvironmentKeys", "KeyInfo", "SessionTarget"]

log = logging.getLogger("profile_editor.keys")


@dataclass(frozen=True)
class KeyInfo:
    key: str | None = field(repr=False)  # reprs end up in logs
    source: str  # "", "keychain", "this session", "sandbox key", …
    pending: bool = False  # the keychain is being asked; ``keyFound`` tells the answer


class EnvironmentKeys(QObject):
    """Environments and their keys.

    Signals:
        keyFound(str, object): a keychain lookup answered: environment name, key or None.
        vaultChanged(): the keychain was opened (its notice may change).
    """

    keyFound = Signal(str, object)
    vaultChanged = Signal()

    def __init__(
        self,
        target: SessionTarget,
        runner: JobRunner,
        *,
        keyring_backend: Any = None,
        key_source: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._target = target
        self._runner = runner
        self._backend = keyring_backend
        self._key_source = key_source
        self._vault: KeyVault | None = None
        self._keychain: dict[str, str | None] = {}
        self._asking: set[str] = set()
        self._opening = False  # the keychain is being opened
        # Until released (after the window's first paint) lookups wait: opening the keychain
        # imports keyring and its backends, which must not compete with the first frame.
        self._held: list[str] | None = []
        self._wants_vault = False
        self._memory: dict[str, str] = {}
        self.session_envs: list[Environment] = []

    # -- which environments ---------------------------------------------------------------
    def choose(self, stored: list[Environment], last: str) -> tuple[list[Environment], Environment]:
        """All environments (session ones first) and the one to start in."""
        target = self._target

        def session(name: str) -> Environment:
            return Environment(
                name=name, base_url=target.base_url, color=target.color, protected=target.protected
            )

        envs, active, made = choose_start(target, stored, last, session)
        self.session_envs = [made] if made is not None else []
        if made is not None and target.api_key:
            self._memory[made.name] = target.api_key
            register_secret(target.api_key)
        return envs, active

    def is_session(self, env: Environment | None) -> bool:
        return env is not None and env in self.session_envs

    # -- keys -----------------------------------------------------------------------------
    def key_for(self, env: Environment) -> KeyInfo:
        """The key known now; when the keychain must be asked, ``pending`` and ``keyFound``."""
        if env.name in self._memory:
            key = self._memory[env.name]
            if self.is_session(env):
                return KeyInfo(key, self._key_source or "this session")
            return KeyInfo(key, "this session" if key else "")
        if self.is_session(env):
            return KeyInfo(None, "")
        stored = self._keychain.get(env.name)
        if stored:
            return KeyInfo(stored, "keychain")
        # Not known, or none when last asked: the key may have been stored since.
        self._ask_keychain([env.name])
        return KeyInfo(None, "", pending=True)

    def is_looking_up(self) -> bool:
        """Whether a keychain lookup is still under way (or waiting to start)."""
        return bool(self._asking) or self._opening or bool(self._held) or self._wants_vault

    def remember(self, env: Environment, key: str) -> None:
        """A key typed for ``env``: kept in memory for this session only."""
        self._memory[env.name] = key.strip()

    def forget_keychain(self) -> None:
        """Stored keys may have changed (the environments dialog): ask the keychain again."""
        self._keychain.clear()

    def known_secrets(self, current: str | None) -> list[str]:
        """Every key known so far, so that none of them is ever written to a file."""
        keys = {key for key in self._memory.values() if key}
        keys.update(key for key in self._keychain.values() if key)
        if current:
            keys.add(current)
        return sorted(keys)

    def prefetch(self, envs: list[Environment]) -> None:
        """Read the keys of all stored environments on a worker (for the secret scan)."""
        names = [e.name for e in envs if not self.is_session(e) and e.name not in self._keychain]
        self._ask_keychain(names)

    def release(self) -> None:
        """Start the keychain lookups asked for so far, and any later ones at once."""
        held, self._held = self._held, None
        wants, self._wants_vault = self._wants_vault, False
        if held is not None and (held or wants):
            self._ask_keychain(held)

    def _ask_keychain(self, names: list[str]) -> None:
        if self._held is not None:
            self._held.extend(name for name in names if name not in self._held)
            self._wants_vault = True
            return
        names = [name for name in names if name not in self._asking]
        if not names and self._vault is not None:
            return
        self._asking.update(names)
        self._opening = self._vault is None
        vault, backend = self._vault, self._backend

        def work(_progress: Progress) -> tuple[KeyVault, dict[str, str | None]]:
            opened = vault or KeyVault(backend=backend)
            return opened, {name: opened.get(name) for name in names}

        def done(result: tuple[KeyVault, dict[str, str | None]]) -> None:
            opened, found = result
            self._asking.difference_update(found)
            self._opening = False
            new_vault = self._vault is None
            if new_vault:
                self._vault = opened
            self._keychain.update(found)
            for key in found.values():
                register_secret(key)
            if new_vault:
                if not opened.persistent:
                    log.warning("Keychain fallback: %s", opened.reason)
                self.vaultChanged.emit()
            for name, key in found.items():
                self.keyFound.emit(name, key)

        def failed(_exc: Exception) -> None:
            self._asking.difference_update(names)
            self._opening = False

        self._runner.run(Job(work).on_finished(done).on_failed(failed))

    def open_vault_later(self) -> None:
        """Open the keychain on a worker, so the band can tell whether there is one."""
        if self._vault is None:
            self._ask_keychain([])

    @property
    def vault(self) -> KeyVault:
        """The keychain, opened now if it was not yet (only for the environments dialog)."""
        if self._vault is None:
            self._vault = KeyVault(backend=self._backend)
        return self._vault

    def notice(self, active: Environment | None) -> tuple[str, str]:
        """The band's key notice and its tooltip."""
        if self._target.sandbox and self.is_session(active):
            return "Local sandbox: nothing here reaches Courier", ""
        vault = self._vault
        if vault is not None and not vault.persistent:
            return "No keychain: keys kept in memory this session", vault.reason
        return "", ""
