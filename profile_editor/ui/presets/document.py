"""The open preset as a document: what is saved, whether the window differs, save and open."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from profile_editor.core.send.draft import Draft, DraftError
from profile_editor.storage.conversions import (
    draft_from_history,
    draft_from_preset,
    draft_to_preset,
)
from profile_editor.storage.errors import PresetConflictError, SecretLeakError, StorageError
from profile_editor.storage.history import HistoryEntry
from profile_editor.storage.presets import PresetEntry, PresetStore
from profile_editor.ui.common import dialogs

__all__ = ["NAME_HINT", "NOTHING_SAVED", "DraftHost", "PresetDocument", "RequestState"]

# Recipient, method, environment, note: what "saved" compares besides the profile itself.
RequestState = tuple[str, str, str, str]
NOTHING_SAVED: RequestState = ("", "POST", "", "")
NAME_HINT = "Type a name for the preset: it cannot be blank. Cancel saves nothing."


class BodyEditor(Protocol):
    """What the document needs of the editor of the body (profile or patch)."""

    def is_modified(self) -> bool: ...
    def set_modified(self, modified: bool) -> None: ...
    def reveal_problem(self) -> bool: ...


class DraftHost(Protocol):
    """What the document needs of the window."""

    def build_draft(self) -> Draft: ...
    def load_draft(self, draft: Draft) -> None: ...
    def request_state(self) -> RequestState: ...
    def known_secrets(self) -> list[str]: ...
    def staged_preferences(self) -> dict[str, str]: ...
    def stage_preferences(self, changes: dict[str, str]) -> None: ...


class PresetDocument(QObject):
    """Signals:
    changed(): the open preset or its saved state changed (the title follows).
    saved(str): a preset was written; the sentence says which.
    status(str, str): a sentence for the status line and its state.
    """

    changed = Signal()
    saved = Signal(str)
    status = Signal(str, str)

    def __init__(
        self, store: PresetStore, host: DraftHost, editor: BodyEditor, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._host = host
        self._editor = editor
        self._widget = parent
        self.entry: PresetEntry | None = None
        self._saved_state = NOTHING_SAVED
        self._saved_preferences: dict[str, str] = {}

    @property
    def name(self) -> str:
        return self.entry.name if self.entry is not None else "Untitled"

    @property
    def path(self) -> Path | None:
        return self.entry.path if self.entry is not None else None

    def is_dirty(self) -> bool:
        """Unsaved changes against the open preset (or against the empty start)."""
        if self._editor.is_modified() or self._host.request_state() != self._saved_state:
            return True
        # Staged preference changes the preset does not hold are unsaved work; fewer than it
        # holds (unstaged, or applied and so stored) lose nothing, as the file still has them.
        staged = self._host.staged_preferences().items()
        return not staged <= self._saved_preferences.items()

    def mark_saved(self, entry: PresetEntry | None) -> None:
        self.entry = entry
        self._editor.set_modified(False)
        self._saved_state = self._host.request_state()
        self._saved_preferences = self._host.staged_preferences()
        self.changed.emit()

    def detach(self) -> None:
        """What is in the window is no longer the open preset's (re-opened from history)."""
        self.entry = None
        self._saved_state = NOTHING_SAVED
        self._saved_preferences = {}
        self.changed.emit()

    def save(self, *, save_as: bool = False) -> bool:
        """Save to the open preset (or ask for a name); True when it is on disk."""
        widget = self._widget
        entry = None if save_as else self.entry
        draft = self._host.build_draft()
        if draft.problem is not None:  # said before a name is asked for, not after
            dialogs.inform(widget, "Cannot save", f"The profile has a problem: {draft.problem}")
            self._editor.reveal_problem()
            return False
        if entry is None:
            suggested = f"{self.entry.name} copy" if self.entry is not None else ""
            name = dialogs.ask_text(
                widget, "Save preset", "Preset name:", suggested, hint=NAME_HINT
            )
            if not name:
                return False
        else:
            name = entry.name
        preset = draft_to_preset(draft, name, self._host.staged_preferences())
        secrets = self._host.known_secrets()
        try:
            if entry is None:
                written = self._store.save(preset, secrets=secrets)
            else:
                try:
                    written = self._store.save(
                        preset, path=entry.path, expected=entry.fingerprint, secrets=secrets
                    )
                except PresetConflictError as conflict:
                    if not dialogs.confirm(
                        widget,
                        "Preset changed on disk",
                        f"“{name}” was changed on disk since it was opened (another window or "
                        "program). Overwrite it with what is here?",
                        str(conflict),
                        ok="Overwrite",
                    ):
                        return False
                    written = self._store.save(preset, path=entry.path, secrets=secrets)
        except SecretLeakError:
            dialogs.inform(
                widget,
                "Not saved",
                "The preset contains an API key (in the profile or the note). Keys are never "
                "written to preset files: remove it and save again.",
            )
            return False
        except (StorageError, OSError) as err:
            dialogs.inform(widget, "Not saved", f"The preset could not be written: {err}")
            return False
        self.mark_saved(written)
        self.saved.emit(f"Saved preset “{written.name}” ({written.path.name}).")
        return True

    def on_save(self) -> None:
        self.save()

    def on_save_as(self) -> None:
        self.save(save_as=True)

    def may_discard(self, doing: str) -> bool:
        """Ask about unsaved changes before ``doing``; True when it may go ahead."""
        if not self.is_dirty():
            return True
        if self.entry is None:  # Save asks for a name: the question says so
            text = (
                f"These edits are not in any preset yet. Save them as a new preset before "
                f"{doing}?\n“Save as preset…” asks for a name; Cancel keeps them here."
            )
            save = "Save as preset…"
        else:
            text = f"“{self.name}” has unsaved changes. Save them before {doing}?"
            save = "Save"
        choice = dialogs.ask_save_discard_cancel(self._widget, "Unsaved changes", text, save=save)
        if choice is dialogs.Choice.SAVE:
            if self.save():
                return True
            # Not saved (the name was not given, or the write failed): nothing goes ahead.
            self.status.emit(
                f"Not saved, so not {doing}: your edits are still in the editor.", "idle"
            )
            return False
        return choice is dialogs.Choice.DISCARD

    def open(self, entry: PresetEntry) -> None:
        assert entry.preset is not None
        self._host.load_draft(draft_from_preset(entry.preset))
        self._host.stage_preferences(dict(entry.preset.preferences or {}))
        self.mark_saved(entry)

    def open_last(self, path: Path | None, *, keep_environment: str | None) -> PresetEntry | None:
        """Open the preset open when the window last closed, unless it is gone or belongs to
        another environment than ``keep_environment`` (when given)."""
        entry = self._store.read(path) if path is not None else None
        if entry is None or entry.preset is None:
            return None
        wanted = entry.preset.environment
        if keep_environment and wanted and wanted != keep_environment:
            return None
        self.open(entry)
        return entry

    def request_open(self, entry: PresetEntry) -> bool:
        """The user picked ``entry``: open it unless it is broken or they keep their edits."""
        if entry.is_broken or entry.preset is None:
            dialogs.inform(self._widget, "Cannot open preset", f"{entry.path.name}: {entry.error}")
            return False
        if self.entry is not None and entry.path == self.entry.path and not self.is_dirty():
            return False
        if not self.may_discard(f"opening “{entry.name}”"):
            return False
        self.open(entry)
        return True

    def on_open_requested(self, entry: PresetEntry) -> None:
        if self.request_open(entry):
            self.status.emit(f"Opened preset “{entry.name}”.", "idle")

    def on_new_requested(self) -> None:
        if self.may_discard("starting a new one"):
            self._host.load_draft(Draft())
            self._host.stage_preferences({})  # staged preference changes belong to the preset
            self.mark_saved(None)

    def on_history_reopen(self, entry: HistoryEntry) -> None:
        """Put a request from history in the window, as a new unsaved one."""
        try:
            draft = draft_from_history(entry)
        except DraftError as err:
            dialogs.inform(self._widget, "Cannot re-open", str(err))
            return
        if self.may_discard("re-opening a request from history"):
            self._host.load_draft(draft)
            self.detach()
            self._editor.set_modified(True)
            where = f"“{entry.recipient_id}”"
            self.status.emit(f"Re-opened the {entry.method} to {where} from history.", "idle")

    def on_renamed(self, old_path: Path, entry: PresetEntry) -> None:
        if self.entry is not None and self.entry.path == old_path:
            self.entry = entry
            self.changed.emit()

    def on_deleted(self, path: Path) -> None:
        if self.entry is not None and self.entry.path == path:
            # The content stays in the window, now unsaved.
            self.detach()
