"""The active environment: the band, its key in the key field, and the environments dialog."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from profile_editor.core.send.plan import Target
from profile_editor.storage.environments import Environment, EnvironmentStore
from profile_editor.ui.common import dialogs
from profile_editor.ui.environments.bar import EnvironmentBar
from profile_editor.ui.environments.keys import EnvironmentKeys
from profile_editor.ui.request.bar import RequestBar

__all__ = ["EnvironmentSwitcher"]


class EnvironmentSwitcher(QObject):
    """Keeps the band, the key field and the keys of each environment in step.

    Signals:
        activated(object): the active :class:`Environment` changed.
        switched(str): the user switched; the sentence says to what.
    """

    activated = Signal(object)
    switched = Signal(str)

    def __init__(
        self,
        band: EnvironmentBar,
        request_bar: RequestBar,
        keys: EnvironmentKeys,
        store: EnvironmentStore,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._band = band
        self._bar = request_bar
        self._keys = keys
        self._store = store
        self._widget = parent
        self.active: Environment | None = None
        self._envs: list[Environment] = []
        band.environmentChanged.connect(self.on_band_changed)
        band.editRequested.connect(self.on_edit_requested)
        keys.keyFound.connect(self.on_key_found)
        keys.vaultChanged.connect(self.on_vault_changed)
        request_bar.keyEdited.connect(self.on_key_edited)

    def start(self, last: str) -> None:
        """Read and validate the environments; make the one to start in active."""
        envs, active = self._keys.choose(self._store.load(), last)
        self._envs = envs
        self._band.set_environments(envs, active.name)
        self._activate(active)
        if self._keys.is_session(active):
            self._keys.open_vault_later()  # so the band can tell whether there is a keychain

    @property
    def name(self) -> str | None:
        return self.active.name if self.active is not None else None

    def persistent_name(self) -> str | None:
        """The active environment, unless it exists only for this session."""
        return None if self._keys.is_session(self.active) else self.name

    @property
    def file_problem(self) -> str | None:
        """Why the environments file could not be used (the defaults are), or None."""
        return self._store.error

    def environments(self) -> list[Environment]:
        return list(self._envs)

    def select(self, name: str) -> bool:
        return self._band.select(name)

    def select_for(self, wanted: str | None) -> None:
        """Switch to the environment a request was made for; say so when it is gone."""
        here = self.name
        if wanted and wanted != here and not self.select(wanted):
            dialogs.inform(
                self._widget,
                "Environment not found",
                f"This request was made for the environment “{wanted}”, which does "
                f"not exist here. It stays on “{here or '?'}”.",
            )

    def target(self, default_base_url: str) -> Target:
        env = self.active
        if env is None:
            return Target(default_base_url, has_key=self._bar.api_key() is not None)
        return Target(env.base_url, env.name, env.protected, self._bar.api_key() is not None)

    def known_secrets(self) -> list[str]:
        return self._keys.known_secrets(self._bar.api_key())

    def warm_up(self) -> None:
        self._keys.prefetch(self.environments())

    def _activate(self, env: Environment) -> None:
        self.active = env
        info = self._keys.key_for(env)
        self._bar.set_key(info.key, info.source)
        self.on_vault_changed()
        self.activated.emit(env)

    # -- slots ------------------------------------------------------------------------------
    def on_band_changed(self, env: Environment) -> None:
        self._activate(env)
        self.switched.emit(f"Environment: {env.name} — {env.base_url}")

    def on_key_found(self, name: str, key: str | None) -> None:
        if self.name == name and key and not self._bar.api_key():
            self._bar.set_key(key, "keychain")
            if self.active is not None:
                self.activated.emit(self.active)

    def on_key_edited(self, text: str) -> None:
        if self.active is not None:
            self._keys.remember(self.active, text)
            self._bar.key_source.setText("this session" if text else "")

    def on_vault_changed(self) -> None:
        notice, why = self._keys.notice(self.active)
        self._band.notice_label.setToolTip(why)
        self._band.set_key_notice(notice)

    def on_edit_requested(self) -> None:
        from profile_editor.ui.environments.dialog import EnvironmentsDialog

        keys = self._keys
        stored = [env for env in self.environments() if not keys.is_session(env)]
        dialog = EnvironmentsDialog(self._store, keys.vault, stored, self._widget)
        if dialog.exec() != EnvironmentsDialog.DialogCode.Accepted:
            return
        keys.forget_keychain()  # the dialog may have changed stored keys
        saved = dialog.saved_environments() or []
        self._envs = keys.session_envs + saved
        env = self._band.set_environments(self._envs, self.name)
        if env is not None:
            self._activate(env)
