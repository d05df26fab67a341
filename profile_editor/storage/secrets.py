"""API keys per environment, kept in the system keychain (or, failing that, only in memory)."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from profile_editor.storage.secretscan import mask_text

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# keyring is imported when a vault is made: importing it scans installed backends, which
# start-up does not need to wait for.

log = logging.getLogger(__name__)

DEFAULT_SERVICE = "profile-editor"
_SESSION_ONLY = "API keys are kept only until Profile Editor closes."
# keyring's backend discovery is not thread-safe: two first calls at once can see its class
# registry change under them ("Set changed size during iteration") and give up on the keychain.
_DISCOVERY_LOCK = threading.Lock()


def _backend_name(backend: KeyringBackend | None) -> str:
    if backend is None:
        return "none"
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _assess(backend: KeyringBackend | None) -> str:
    """Why ``backend`` cannot keep keys across sessions, or ``""`` if it can."""
    from keyring.backends import fail, null

    if backend is None or isinstance(backend, fail.Keyring | null.Keyring):
        return f"No system keychain is available. {_SESSION_ONLY}"
    try:
        priority = float(backend.priority)
    except Exception as exc:
        return f"The keychain ({_backend_name(backend)}) is not usable: {exc}. {_SESSION_ONLY}"
    if priority <= 0:
        return f"The keychain ({_backend_name(backend)}) cannot store keys. {_SESSION_ONLY}"
    return ""


class KeyVault:
    """Get, set and delete the API key of each environment.

    When the keychain cannot store keys (no backend, or it fails when used) the keys live in
    a dict for this session only, never on disk; :attr:`persistent` is then False and
    :attr:`reason` says why, for the UI to show. Key values are never logged.
    """

    def __init__(
        self, service: str = DEFAULT_SERVICE, backend: KeyringBackend | None = None
    ) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        if backend is None:
            import keyring

            try:
                with _DISCOVERY_LOCK:
                    backend = keyring.get_keyring()
            except Exception as exc:
                log.warning("No keychain backend: %s", exc)
                backend = None
        self._backend = backend
        self.reason = _assess(backend)

    @property
    def persistent(self) -> bool:
        return not self.reason

    @property
    def backend_name(self) -> str:
        return _backend_name(self._backend)

    def get(self, env_name: str) -> str | None:
        _check_name(env_name)
        with self._lock:
            if self._backend is not None and self.persistent:
                try:
                    return self._backend.get_password(self.service, env_name)
                except Exception as exc:
                    self._degrade(exc, ())
            return self._memory.get(env_name)

    def set(self, env_name: str, key: str) -> None:
        """Store ``key``; an empty key deletes the stored one."""
        _check_name(env_name)
        if not key:
            self.delete(env_name)
            return
        with self._lock:
            if self._backend is not None and self.persistent:
                try:
                    self._backend.set_password(self.service, env_name, key)
                    return
                except Exception as exc:
                    self._degrade(exc, (key,))
            self._memory[env_name] = key

    def delete(self, env_name: str) -> None:
        """Forget the key; deleting a key that is not stored is fine."""
        from keyring.errors import PasswordDeleteError

        _check_name(env_name)
        with self._lock:
            self._memory.pop(env_name, None)
            if self._backend is not None and self.persistent:
                try:
                    self._backend.delete_password(self.service, env_name)
                except PasswordDeleteError:
                    pass  # keyring's way of saying there was nothing to delete
                except Exception as exc:
                    self._degrade(exc, ())

    def _degrade(self, exc: Exception, extra_secrets: tuple[str, ...]) -> None:
        # Backend messages should not echo passwords, but masking costs nothing.
        detail = mask_text(str(exc), (*extra_secrets, *self._memory.values()))
        self.reason = (
            f"The keychain ({self.backend_name}) failed: {type(exc).__name__}: {detail}. "
            f"{_SESSION_ONLY}"
        )
        log.warning("%s", self.reason)


def _check_name(env_name: str) -> None:
    if not env_name or not env_name.strip():
        raise ValueError("An environment name is needed to store its key")
