"""Works out what sending the draft will change, off the UI thread when the profile is large.

The result is kept with the draft and stored profile it was worked out for, so a send of the
same draft reuses it instead of diffing a multi-megabyte profile again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from profile_editor.core.cooperate import gc_quiet
from profile_editor.core.profile.changes import ChangeSet
from profile_editor.core.send.draft import Draft
from profile_editor.core.send.plan import ChangePreview, Stored, preview_changes
from profile_editor.ui.common.workers import Job, JobRunner, Progress

__all__ = ["LARGE_KEYS", "ChangePreviewer"]

# Above this many top-level keys (draft and stored together) the diff runs on a worker.
LARGE_KEYS = 2_000
WORKING = ChangePreview("Working out what sending will change…", working=True)


class ChangePreviewer(QObject):
    """Signals:
    ready(object): a :class:`ChangePreview` to show (possibly "working…" first).
    """

    ready = Signal(object)

    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._asked: tuple[Draft, Stored | None] | None = None
        self._done: tuple[Draft, Stored | None, ChangePreview] | None = None

    @staticmethod
    def is_large(draft: Draft, stored: Stored | None) -> bool:
        stored_keys = len(stored.profile or ()) if stored is not None else 0
        return len(draft.profile or ()) + stored_keys > LARGE_KEYS

    def is_working(self) -> bool:
        return self._asked is not None and (self._done is None or self._done[:2] != self._asked)

    def request(self, draft: Draft, stored: Stored | None) -> None:
        """Work out the preview of ``draft`` against ``stored``; ``ready`` tells the result."""
        asked = self._asked
        if asked is not None and asked[0] is draft and asked[1] is stored:
            return  # already shown, or on its way
        self._asked = (draft, stored)
        if not self.is_large(draft, stored):
            self._finish(draft, stored, preview_changes(draft, stored))
            return
        self.ready.emit(WORKING)

        def work(_progress: Progress) -> ChangePreview:
            with gc_quiet():  # thousands of merged objects and changes, no collection midway
                return preview_changes(draft, stored)

        job = Job(work).on_finished(lambda preview: self._finish(draft, stored, preview))
        self._runner.run(job)

    def _finish(self, draft: Draft, stored: Stored | None, preview: ChangePreview) -> None:
        asked = self._asked
        if asked is None or asked[0] is not draft or asked[1] is not stored:
            return  # the draft changed meanwhile; a newer preview is on its way
        self._done = (draft, stored, preview)
        self.ready.emit(preview)

    def changes_for(self, draft: Draft, stored: Stored | None) -> ChangeSet | None:
        """The change set already worked out for exactly this draft and stored profile."""
        done = self._done
        if done is not None and done[0] is draft and done[1] is stored:
            return done[2].changes
        return None
