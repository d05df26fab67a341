"""Paste cURL: a curl command from the clipboard (or pasted into the recipient field) becomes
the window's draft, through the window's one way in (``load_draft``).

The command must go to one of the environments: pasting never points the window, and a key, at
a host the user has not set up (a look-alike host in a command from a chat would otherwise get
the next send). A key in its ``Authorization`` header goes to the key field for this session
only, like a key typed there; it is never written anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QWidget

from profile_editor.core.methods import ACTION_NAMES, Method
from profile_editor.core.send.draft import Draft
from profile_editor.storage.environments import Environment
from profile_editor.ui.editor.widget import ProfileEditorWidget
from profile_editor.ui.environments.switcher import EnvironmentSwitcher
from profile_editor.ui.presets.document import PresetDocument
from profile_editor.ui.request.bar import RequestBar
from profile_editor.ui.request.status_line import StatusLine

if TYPE_CHECKING:
    from profile_editor.core.send.curl_import import CurlImport

__all__ = ["CurlPaster", "RecipientPasteWatcher"]

UNCHANGED = "Nothing was changed."


class CurlPaster(QObject):
    """Turns a pasted curl command into the draft, or says why it cannot (the Request menu's
    Paste cURL, Ctrl+Shift+V, calls :meth:`paste_clipboard`).

    Signals:
        loadRequested(): a pasted GET put its recipient and environment in place: load it.
    """

    loadRequested = Signal()

    def __init__(
        self,
        load_draft: Callable[[Draft], None],
        bar: RequestBar,
        environments: EnvironmentSwitcher,
        document: PresetDocument,
        editor: ProfileEditorWidget,
        status_line: StatusLine,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._load_draft = load_draft
        self._bar = bar
        self._environments = environments
        self._document = document
        self._editor = editor
        self._status = status_line
        self.watcher = RecipientPasteWatcher(bar.recipient_edit, self.paste, self)

    def paste_clipboard(self) -> bool:
        return self.paste(QGuiApplication.clipboard().text())

    def _refuse(self, message: str) -> bool:
        self._status.show_status(f"Paste cURL: {message} {UNCHANGED}", "error")
        return False

    def paste(self, text: str) -> bool:
        """Load ``text`` (a curl command) into the window; False when it could not be used."""
        from profile_editor.core.send.curl_import import CurlProblem, parse_curl  # not at start-up

        envs = self._environments.environments()
        parsed = parse_curl(
            text, known_base_urls=[env.base_url for env in envs], require_known=True
        )
        if isinstance(parsed, CurlProblem):
            hint = (
                " Add it under Environments, then paste again."
                if "none of your" in str(parsed)
                else ""
            )
            return self._refuse(f"{parsed.message}{hint}")
        method = parsed.method
        if method is not Method.GET and self._bar.method_combo.findData(method.value) < 0:
            return self._refuse(
                f"The command is a {method.value}, which the method list does not offer yet, "
                "so it is not loaded."
            )
        env = self._environment_for(parsed, envs)
        if method is Method.GET:
            # A GET is what Load does: the recipient and place go in, then the Load itself
            # (which asks about unsaved edits before replacing them).
            self._environments.select(env.name)
            self._bar.recipient_edit.setText(parsed.recipient_id)
            self._take_key(parsed)
            self._status.show_status(self._done_line(parsed, env), "idle")
            self.loadRequested.emit()
            return True
        if not self._document.may_discard("pasting a cURL command"):
            self._status.show_status(f"Paste cURL: kept your unsaved edits. {UNCHANGED}", "idle")
            return False
        patch = cast("list[dict[str, Any]] | None", parsed.patch)
        draft = Draft(parsed.recipient_id, method, env.name, "", parsed.profile, patch)
        self._load_draft(draft)
        self._document.detach()  # a save must not overwrite the preset that was open
        self._editor.set_modified(True)
        self._take_key(parsed)
        self._status.show_status(self._done_line(parsed, env), "success")
        return True

    def _environment_for(self, parsed: CurlImport, envs: list[Environment]) -> Environment:
        active = self._environments.active
        if active is not None and active.base_url == parsed.known_base_url:
            return active  # several environments may share a URL: stay on the one in use
        return next(env for env in envs if env.base_url == parsed.known_base_url)

    def _take_key(self, parsed: CurlImport) -> None:
        key = parsed.secret_api_key
        if key:
            # As if typed in the key field: kept in memory for this environment and session.
            self._bar.key_edit.setText(key)
            self._environments.on_key_edited(key)

    @staticmethod
    def _done_line(parsed: CurlImport, env: Environment) -> str:
        if parsed.method is Method.GET:
            what = "loading the profile of"
        else:
            what = f"{ACTION_NAMES[parsed.method]} the profile of"
        line = f"Pasted the cURL command: {what} “{parsed.recipient_id}” in {env.name}."
        if parsed.secret_api_key:
            line += (
                " The API key from its Authorization header is in the key field for this "
                "session only; it is not saved."
            )
        elif parsed.key_variable:
            line += f" It reads the key from {parsed.key_variable}; the key field is as it was."
        return line


class RecipientPasteWatcher(QObject):
    """A curl command pasted (or dropped) into the recipient field goes to Paste cURL instead,
    and the field gets back what it held."""

    def __init__(self, edit: QLineEdit, paste: Callable[[str], bool], parent: QObject) -> None:
        super().__init__(parent)
        self._edit = edit
        self._paste = paste
        self._text = edit.text()  # the field's text after the last change
        self._before = self._text  # and before it
        edit.textChanged.connect(self.on_text_changed)
        edit.textEdited.connect(self.on_text_edited)

    def on_text_changed(self, text: str) -> None:
        self._before, self._text = self._text, text

    def on_text_edited(self, text: str) -> None:
        # Qt does not promise whether textChanged or textEdited comes first for one edit.
        before = self._before if self._text == text else self._text
        inserted = _inserted(before, text)
        if len(inserted) < 2:
            return  # typed, one character at a time
        from profile_editor.core.send.curl_import import looks_like_curl

        # The whole field when the paste replaced it all (even if it shared a first letter).
        command = next((t for t in (text, inserted) if looks_like_curl(t)), None)
        if command is None:
            return
        self._edit.setText(before)
        self._paste(command)


def _inserted(before: str, after: str) -> str:
    """The text an edit put in: ``after`` without what it shares with ``before`` at each end."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end = 0
    while end < limit - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return after[start : len(after) - end]
