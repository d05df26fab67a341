"""Where a command's requests go and with which key, and what it shares with the window.

Everything heavy (environments and their pydantic models, the keychain, the sandbox) is loaded
only by the commands that need it, so ``get`` starts about as fast as httpx imports.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from profile_editor.cli.exits import UsageError

if TYPE_CHECKING:
    from profile_editor.core.http.models import Outcome, ProfileRequest
    from profile_editor.core.http.session import Session
    from profile_editor.core.send.target import Refusal, Target
    from profile_editor.sandbox.server import SandboxServer
    from profile_editor.storage.history_db import HistoryStore

SANDBOX_ENVIRONMENT = "Sandbox"
COMMAND_LINE_ENVIRONMENT = "Command line"


@dataclass
class Where:
    """The resolved target: base URL, environment name, whether it is protected, and the key."""

    base_url: str
    environment: str | None
    protected: bool
    key: str | None = field(repr=False)  # reprs end up in logs


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("profile-editor", appauthor=False))


class Context:
    """The common options of one command, resolved on first use; closes what it opened."""

    def __init__(
        self,
        *,
        base_url: str | None,
        environment: str | None,
        data_dir: Path | None,
        sandbox: bool,
        yes: bool,
        environ: dict[str, str] | None = None,
        keyring_backend: Any = None,
        history_keep: str | None = None,
    ) -> None:
        if sandbox and (base_url or environment):
            raise UsageError(
                "--sandbox picks its own base URL: leave out --base-url and --environment."
            )
        if base_url and environment:
            raise UsageError("Give --base-url or --environment, not both.")
        self.base_url_option = base_url
        self.environment_option = environment
        self._data_dir = data_dir
        self.use_sandbox = sandbox
        self.yes = yes
        self.environ = dict(os.environ if environ is None else environ)
        self._keyring_backend = keyring_backend
        self.history_keep = history_keep
        self._history: HistoryStore | None = None
        self.prune_on_close = True
        self._where: Where | None = None
        self._sandbox: SandboxServer | None = None
        self._session: Session | None = None

    @property
    def data_dir(self) -> Path:
        # platformdirs is imported only by the commands that touch files.
        if self._data_dir is None:
            self._data_dir = default_data_dir()
        return self._data_dir

    # -- target ---------------------------------------------------------------------------
    def where(self) -> Where:
        if self._where is None:
            self._where = self._resolve()
        return self._where

    def _resolve(self) -> Where:
        from profile_editor.core.http.config import ConfigError, resolve_api_key, resolve_base_url

        if self.use_sandbox:
            from profile_editor.sandbox.demo import start_demo_sandbox

            self._sandbox = start_demo_sandbox(self.data_dir)
            return Where(self._sandbox.url, SANDBOX_ENVIRONMENT, False, self._sandbox.key)
        if self.environment_option:
            return self._named_environment(self.environment_option)
        key = resolve_api_key(self.environ)
        try:
            if self.base_url_option:
                url = resolve_base_url(self.base_url_option, self.environ)
                return Where(url, COMMAND_LINE_ENVIRONMENT, False, key)
            from profile_editor.storage.environments import env_from_os_environ

            try:
                found = env_from_os_environ(self.environ)
            except ValueError as err:
                raise ConfigError(str(err)) from None
            if found is None:
                # Nothing set: Courier's production API, which asks first like the window does.
                return Where(resolve_base_url(None, self.environ), None, True, None)
            env, key = found
            return Where(env.base_url, env.name, env.protected, key)
        except ConfigError as err:
            raise UsageError(str(err)) from None

    def _named_environment(self, name: str) -> Where:
        from profile_editor.core.http.config import resolve_api_key
        from profile_editor.storage.environments import EnvironmentStore

        store = EnvironmentStore(self.data_dir / "environments.json")
        envs = store.load()
        if store.error:
            raise UsageError(store.error)
        wanted = name.strip().casefold()
        for env in envs:
            if env.name.casefold() == wanted:
                key = self._keychain_key(env.name) or resolve_api_key(self.environ)
                return Where(env.base_url, env.name, env.protected, key)
        names = ", ".join(env.name for env in envs) or "none"
        raise UsageError(f"No environment named “{name}” (known: {names}).")

    def _keychain_key(self, env_name: str) -> str | None:
        from profile_editor.storage.secrets import KeyVault

        try:
            return KeyVault(backend=self._keyring_backend).get(env_name)
        except Exception:  # no usable keychain: the environment variables still may hold it
            return None

    def target(self) -> Target:
        from profile_editor.core.send.target import Target

        where = self.where()
        return Target(
            base_url=where.base_url,
            environment=where.environment,
            protected=where.protected,
            has_key=bool(where.key),
        )

    def refused(self, refusal: Refusal, verb: str | None = None) -> UsageError:
        """The refusal as the command line says it (the window's words name its key field).

        ``verb`` replaces the refusal's own "Not sent" / "Not loaded"."""
        message = refusal.message
        head, _, rest = message.partition(": ")
        if refusal.field == "key":
            rest = self.no_key_message()
        if verb is not None:
            head = verb
        return UsageError(f"{head}: {rest}" if rest else message)

    def no_key_message(self) -> str:
        """Where the command line looks for a key, and how to put one there."""
        name = self._where.environment if self._where is not None else None
        if self.environment_option and name:
            return (
                f"no API key for “{name}”. Store it in the keychain with "
                f'`keyring set profile-editor "{name}"` (it asks for the key, so the key stays '
                "out of your shell history; the window's Environments… dialog stores it too), "
                "or set COURIER_API_KEY."
            )
        return (
            "no API key. Set COURIER_API_KEY (or COURIER_AUTH_TOKEN), or keep the key of an "
            "environment in the keychain: `keyring set profile-editor NAME` stores it for the "
            "environment NAME (it asks for the key, so the key stays out of your shell history; "
            "the window's Environments… dialog stores it too), then pass --environment NAME."
        )

    # -- requests -------------------------------------------------------------------------
    def session(self) -> Session:
        if self._session is None:
            from profile_editor.core.http.session import Session

            self._session = Session()
        return self._session

    def execute(self, request: ProfileRequest, on_retry: Any = None) -> Outcome:
        return self.session().client().execute(request, self.where().key, on_retry=on_retry)

    # -- history --------------------------------------------------------------------------
    def history(self) -> HistoryStore:
        """The history database the window uses too (opened on first use)."""
        if self._history is None:
            from profile_editor.storage.history_db import HistoryStore, parse_keep

            try:
                keep = parse_keep(self.history_keep) if self.history_keep else None
            except ValueError as exc:
                raise UsageError(f"--history-keep: {exc}") from None
            self._history = HistoryStore.in_data_dir(self.data_dir, retention=keep)
        return self._history

    def secrets(self) -> list[str]:
        key = self._where.key if self._where is not None else None
        return [key] if key else []

    def close(self) -> None:
        if self._history is not None:
            from profile_editor.storage.errors import StorageError

            # Retention as the window applies it; a run that could not write has nothing to prune.
            if self.prune_on_close:
                with contextlib.suppress(StorageError):
                    self._history.prune()
            self._history.close()
        if self._session is not None:
            self._session.close()
        if self._sandbox is not None:
            self._sandbox.stop()
