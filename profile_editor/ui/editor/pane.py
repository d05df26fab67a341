"""The editor side of the window: the profile editor or the patch editor, and the Problems list.

Merge and Replace edit a profile (:class:`ProfileEditorWidget`), Patch edits ops
(:class:`PatchEditor`). Each keeps its own text: switching the method shows the other editor and
loses nothing, so switching back finds the profile or the ops exactly as typed.

The Problems list under them is checked a moment after each change (the editors' own parse is
debounced already): the JSON error or the Fields rows' problems, then Courier's warnings and
notes from :func:`~profile_editor.core.profile.rules.check_profile`, or the patch's problems by
op. Activating one goes to its row, key or line.

The window's first frame shows the profile editor (its Fields tab) and the Problems header; the
JSON tab's page, the patch editor, the Problems list and the JSON key completion are built right
after it (:meth:`EditorPane.finish`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from profile_editor.core.methods import Method
from profile_editor.ui.editor.widget import ProfileEditorWidget

if TYPE_CHECKING:
    from profile_editor.core.profile.json_patch import PatchFailure
    from profile_editor.core.profile.rules import Problem
    from profile_editor.core.send.plan import ChangePreview
    from profile_editor.ui.editor.known_keys import JsonKeyCompleter
    from profile_editor.ui.editor.patch_editor import PatchEditor, PatchResult
    from profile_editor.ui.editor.problems_view import ProblemEntry, ProblemsView

__all__ = ["EditorPane"]

_PROFILE, _PATCH = 0, 1


class EditorPane(QSplitter):
    """Signals:
    patchChanged(): the patch text was parsed again.
    edited(): the profile (text or table) or the patch text changed, at once (before a parse).
    modifiedChanged(bool): the profile or the patch was edited since last saved / loaded.
    problemsCounted(str): the Problems list changed: ``"2 warnings"``, ``""`` for none.
    """

    patchChanged = Signal()
    edited = Signal()
    modifiedChanged = Signal(bool)
    problemsCounted = Signal(str)

    patch_editor: PatchEditor
    problems_view: ProblemsView
    completer: JsonKeyCompleter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("editorPane")
        self._stack = QStackedWidget(self)
        self.profile_editor = ProfileEditorWidget(self._stack)
        self._stack.addWidget(self.profile_editor)
        self._box = box = QWidget(self)
        self._box_layout = layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        self.problems_header = QLabel("Problems — none", box)
        self.problems_header.setObjectName("problemsHeader")
        self.problems_header.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.problems_header)
        layout.addStretch(1)  # where the list goes (see finish)
        self.setStretchFactor(0, 4)
        self.setStretchFactor(1, 1)
        self.setSizes([480, 160])
        self._finished = False
        self._method = Method.POST
        self._modified = False
        self._count = ""
        self._failure: PatchFailure | None = None  # the op the loaded profile would refuse
        self._result_problems: list[Problem] = []  # in the keys a patch changes, after it
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(0)  # after the change's other slots: one check per burst
        self._check_timer.timeout.connect(self.check)
        self.profile_editor.profileChanged.connect(self._check_timer.start)
        self.profile_editor.edited.connect(self.edited)
        self.profile_editor.modifiedChanged.connect(self._on_modified)
        stack = self.profile_editor.undo_stack
        stack.canUndoChanged.connect(self._sync_profile_actions)
        stack.canRedoChanged.connect(self._sync_profile_actions)

    def finish(self) -> None:
        """Build the JSON page, the patch editor, the Problems list and the key completion,
        then check."""
        if self._finished:
            return
        from profile_editor.ui.editor.known_keys import JsonKeyCompleter
        from profile_editor.ui.editor.patch_editor import PatchEditor
        from profile_editor.ui.editor.problems_view import ProblemsView

        self.profile_editor.finish()
        self.patch_editor = PatchEditor(self._stack)
        self._stack.addWidget(self.patch_editor)
        self.completer = JsonKeyCompleter(self.profile_editor.json_edit)
        layout = self._box_layout
        layout.takeAt(1)  # the place kept for the list
        self.problems_view = ProblemsView(self._box)
        layout.addWidget(self.problems_view, 1)
        self.patch_editor.patchChanged.connect(self._check_timer.start)
        self.patch_editor.patchChanged.connect(self.patchChanged)
        self.patch_editor.edit.textChanged.connect(self.edited)
        self.patch_editor.modifiedChanged.connect(self._on_modified)
        self.problems_view.problemActivated.connect(self.go_to_problem)
        self._finished = True
        self.set_method(self._method)  # one chosen before: show its editor now
        self.check()

    # -- method --------------------------------------------------------------------------------
    def set_method(self, method: Method) -> None:
        """Show the editor of ``method``'s body (none for Delete: the profile is kept, greyed)."""
        self._method = method
        if not self._finished:
            return  # applied by finish()
        self._stack.setCurrentIndex(_PATCH if method is Method.PATCH else _PROFILE)
        self.profile_editor.setEnabled(method is not Method.DELETE)
        self._sync_profile_actions()
        self._check_timer.start()

    def _sync_profile_actions(self, *_args: object) -> None:
        # The window's Edit menu holds the profile editor's actions; while the patch is shown
        # they would undo or find in a profile the user cannot see. (The patch text has its own
        # undo on Ctrl+Z.) Connected after the undo stack's own enabling, so this wins.
        editor, shown = self.profile_editor, not self.is_patch()
        editor.undo_action.setEnabled(shown and editor.undo_stack.canUndo())
        editor.redo_action.setEnabled(shown and editor.undo_stack.canRedo())
        editor.find_action.setEnabled(shown)
        editor.go_to_path_action.setEnabled(shown)

    def text_snapshot(self) -> tuple[Callable[[], str], str]:
        """The profile and the patch as typed (for a draft that survives a crash); the
        profile's as a function that may run later on another thread (see
        :meth:`ProfileEditorWidget.text_snapshot`)."""
        patch = self.patch_editor.text() if self._finished else ""
        return self.profile_editor.text_snapshot(), patch

    def restore_texts(self, profile_text: str, patch_text: str) -> None:
        """Put texts kept in a draft back, as typed, and mark them unsaved."""
        self.profile_editor.set_text(profile_text)
        if patch_text:
            self.patch_editor.edit.setPlainText(patch_text)
        self.profile_editor.set_modified(True)

    def is_patch(self) -> bool:
        return self._method is Method.PATCH

    # -- the patch -------------------------------------------------------------------------------
    def patch_result(self) -> PatchResult:
        return self.patch_editor.result()

    def flush(self) -> None:
        """Parse text still waiting for its debounce timer, in the profile and the patch."""
        self.profile_editor.flush()
        if self._finished:
            self.patch_editor.flush()

    def set_patch(self, ops: list[dict[str, Any]] | None) -> None:
        self.patch_editor.set_patch(ops)

    def on_changes_ready(self, preview: ChangePreview) -> None:
        """The Changes preview: a patch op that would fail, or the profile a patch leaves, whose
        changed keys are checked like a profile typed in."""
        from profile_editor.core.profile.rules import check_profile

        problems: list[Problem] = []
        changes = preview.changes
        if self.is_patch() and changes is not None and changes.expected is not None:
            touched = {change.path.split(".")[0] for change in changes.changes}
            problems = [p for p in check_profile(changes.expected) if p.key in touched]
        if problems != self._result_problems:
            self._result_problems = problems
            self._check_timer.start()
        self.show_patch_failure(preview.failure)

    def show_patch_failure(self, failure: PatchFailure | None) -> None:
        """The op that would fail against the loaded profile (the Changes preview's finding):
        listed as a warning and marked in the ops list. Sending is still allowed."""
        if failure != self._failure:
            self._failure = failure
            self.patch_editor.mark_failing_op(failure.index if failure is not None else None)
            self._check_timer.start()

    # -- the document's protocol: modified flag and the first problem ----------------------------
    def is_modified(self) -> bool:
        patch = self._finished and self.patch_editor.is_modified()
        return self.profile_editor.is_modified() or patch

    def set_modified(self, modified: bool) -> None:
        self.profile_editor.set_modified(modified)
        if self._finished:
            self.patch_editor.set_modified(modified)
        self._on_modified()

    def _on_modified(self, *_args: object) -> None:
        modified = self.is_modified()
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def reveal_problem(self) -> bool:
        if self.is_patch():
            return self.patch_editor.reveal_problem()
        return self.profile_editor.reveal_problem()

    # -- problems ----------------------------------------------------------------------------
    def problem_count(self) -> str:
        return self._count

    def check(self) -> None:
        """List the problems of the body being edited now."""
        self._check_timer.stop()
        if not self._finished:
            return
        from profile_editor.ui.editor.problems_view import count_text

        if self._method is Method.DELETE:
            entries: list[ProblemEntry] = []
        elif self.is_patch():
            entries = self._patch_entries()
        else:
            entries = self._profile_entries()
        self.problems_view.show_entries(entries)
        count = count_text(entries)
        self.problems_header.setText(f"Problems — {count}" if count else "Problems — none")
        if count != self._count:
            self._count = count
            self.problemsCounted.emit(count)

    def _patch_entries(self) -> list[ProblemEntry]:
        """The patch's own problems; else the op that would fail; else what Courier would
        warn about in the keys the patch changes (on the previewed result)."""
        from profile_editor.core.send.plan import EMPTY_PATCH
        from profile_editor.ui.editor.problems_view import ProblemEntry, patch_entries

        result = self.patch_editor.result()
        entries = patch_entries(result.json_error, result.problems)
        failure = self._failure
        if entries or result.ops is None:
            return entries
        if not result.ops:  # Send refuses it; said here before anyone clicks
            return [ProblemEntry("note", "patch", EMPTY_PATCH)]
        if failure is not None:
            where = f"op {failure.index}" if failure.index is not None else "patch"
            reason = f"would fail on the loaded profile: {failure.reason}"
            return [ProblemEntry("warning", where, reason, op=failure.index)]
        for problem in self._result_problems:
            key = problem.key
            first = "/" + key.replace("~", "~0").replace("/", "~1") if key is not None else ""
            op = next((i for i, op in enumerate(result.ops) if _top(op.get("path")) == first), None)
            where = problem.display_path or "(profile)"
            message = f"after the patch: {problem.message}"
            entries.append(ProblemEntry(problem.severity.value, where, message, op=op))
        return entries

    def _profile_entries(self) -> list[ProblemEntry]:
        from profile_editor.core.profile.rules import check_profile
        from profile_editor.ui.editor.problems_view import ProblemEntry, profile_entries

        result = self.profile_editor.profile_result()
        if result.where == "json":
            message = (result.problem or "").split(": ", 1)[-1]
            return [
                ProblemEntry(
                    "error",
                    f"line {result.line}, column {result.column}",
                    message,
                    line=result.line,
                    column=result.column,
                )
            ]
        if result.profile is None:
            rows = self.profile_editor.fields_model.problems()
            return profile_entries(None, [(p.row, p.message) for p in rows], [])
        return profile_entries(None, [], check_profile(result.profile))

    def go_to_problem(self, entry: ProblemEntry) -> None:
        """Go to where ``entry`` points: a row, a key path, a line, or an op of the patch."""
        if self.is_patch():
            if entry.line:
                self.patch_editor.go_to_line(entry.line, entry.column)
            else:
                self.patch_editor.go_to_op(entry.op, entry.member)
            return
        editor = self.profile_editor
        if entry.line:
            editor.go_to_line(entry.line, entry.column)
        elif entry.row >= 0:
            editor.tabs.setCurrentIndex(0)
            editor.fields_page.select_row(entry.row)
            editor.fields_view.setFocus()
        elif entry.path:
            editor.go_to_path(entry.path)


def _top(pointer: object) -> str:
    """``/address/locality`` → ``/address``: the top-level key a patch op writes to."""
    if not isinstance(pointer, str):
        return ""
    second = pointer.find("/", 1)
    return pointer if second < 0 else pointer[:second]
