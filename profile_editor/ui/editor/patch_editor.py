"""The editor of a Patch: a JSON Patch array (RFC 6902) as text, and its ops listed read-only.

The text is parsed and checked (:func:`~profile_editor.core.profile.json_patch.validate_patch`) a moment
after typing stops; the last result is :meth:`PatchEditor.result`. What the ops do to the stored
profile is the Changes view's business (the send plan previews it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from profile_editor.core.profile.json_patch import PatchProblem, validate_patch
from profile_editor.core.profile.jsoncodec import JsonProblem, dumps_compact, parse_value
from profile_editor.core.profile.key_paths import key_path_offset, line_column
from profile_editor.core.profile.values import doc_safe
from profile_editor.ui.common.palette import Palette, current, theme
from profile_editor.ui.editor.json_edit import JsonEdit

__all__ = ["PatchEditor", "PatchResult"]

DEBOUNCE_MS = 150
CELL_CHARS = 80
INTRO = (
    "<b>JSON Patch</b> (RFC 6902): operations applied in order to the stored profile, all or "
    "none. <code>op</code> is add, remove, replace, move, copy or test; <code>path</code> and "
    "<code>from</code> are JSON Pointers such as <code>/address/locality</code>. "
    "The Changes tab shows what they do to the loaded profile."
)
EXAMPLE = '[\n  {"op": "replace", "path": "/email", "value": "new@example.com"}\n]'


@dataclass(frozen=True)
class PatchResult:
    """The ops as typed, or why they are not a patch yet (``problem``: a sentence)."""

    ops: list[dict[str, Any]] | None
    problem: str | None = None
    json_error: JsonProblem | None = None
    problems: tuple[PatchProblem, ...] = field(default=())


class PatchEditor(QWidget):
    """Signals:
    patchChanged(): the text was parsed again (read :meth:`result`).
    modifiedChanged(bool): the text differs from what it was at :meth:`set_patch` /
        ``set_modified(False)`` (typing and undoing back is not modified).
    """

    patchChanged = Signal()
    modifiedChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patchEditor")
        intro = QLabel(INTRO, self)
        intro.setObjectName("patchIntro")
        intro.setWordWrap(True)
        self.edit = JsonEdit(self)
        self.edit.setObjectName("patchJsonEdit")
        self.edit.setPlaceholderText(EXAMPLE)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("patchErrorLabel")
        self.error_label.setProperty("tone", "error")  # coloured by app.qss
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.ops_view = QTreeWidget(self)
        self.ops_view.setObjectName("patchOpsView")
        self.ops_view.setHeaderLabels(["#", "Op", "Path", "Value / from"])
        self.ops_view.setRootIsDecorated(False)
        self.ops_view.setColumnWidth(0, 36)
        self.ops_view.setColumnWidth(1, 70)
        self.ops_view.setColumnWidth(2, 180)
        self.ops_view.setToolTip("The operations, read-only: edit them in the text above")
        split = QSplitter(Qt.Orientation.Vertical, self)
        top = QWidget(split)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.edit, 1)
        top_layout.addWidget(self.error_label)
        split.addWidget(self.ops_view)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([200, 140])  # a patch is a few lines; its ops list should show them all
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._parse_now)
        self._loading = False
        self._modified = False
        self._saved_text = ""  # the text at the last load or save: modified means it differs
        self._result = PatchResult([])
        self._failing: int | None = None
        theme().follow(self, self.on_theme_changed)
        self.edit.textChanged.connect(self._on_text_changed)
        self.set_patch([])

    # -- text in and out -------------------------------------------------------------------
    def set_patch(self, ops: list[dict[str, Any]] | None) -> None:
        """Show ``ops`` (None: an empty patch) and clear the modified flag."""
        self._loading = True
        try:
            self.edit.setPlainText(patch_text(ops or []))
        finally:
            self._loading = False
        self._parse_now()
        self.set_modified(False)

    def text(self) -> str:
        return self.edit.text()

    def result(self) -> PatchResult:
        """The patch shown, parsing text still waiting for its debounce timer."""
        self.flush()
        return self._result

    def flush(self) -> None:
        if self._timer.isActive():
            self._parse_now()

    def is_modified(self) -> bool:
        return self._modified

    def set_modified(self, modified: bool) -> None:
        if not modified:
            self._saved_text = self.text()
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def mark_failing_op(self, index: int | None) -> None:
        """Colour the op the loaded profile would refuse (None: none)."""
        self._failing = index
        for row in range(self.ops_view.topLevelItemCount()):
            item = self.ops_view.topLevelItem(row)
            if item is None:
                continue
            brush = QBrush(QColor(current().danger[0])) if row == index else QBrush()
            for column in range(item.columnCount()):
                item.setBackground(column, brush)
            item.setToolTip(2, "Would fail on the loaded profile" if row == index else "")

    def on_theme_changed(self, _colors: Palette) -> None:
        self.mark_failing_op(self._failing)

    # -- going to a place --------------------------------------------------------------------
    def go_to_line(self, line: int, column: int = 1) -> None:
        self.edit.setTextCursor(self.edit.cursor_at(line, column))
        self.edit.centerCursor()
        self.edit.setFocus()

    def go_to_op(self, index: int | None, member: str | None = None) -> bool:
        """Put the cursor on op ``index`` (its ``member`` if given); False if not found."""
        text = self.text()
        if index is None:
            self.go_to_line(1)
            return True
        path = (str(index), member) if member else (str(index),)
        offset = key_path_offset(text, path)
        if offset is None and member:
            offset = key_path_offset(text, (str(index),))
        if offset is None:
            return False
        self.go_to_line(*line_column(text, offset))
        return True

    def reveal_problem(self) -> bool:
        result = self.result()
        if result.json_error is not None:
            self.go_to_line(result.json_error.line, result.json_error.column)
            return True
        if result.problems:
            return self.go_to_op(result.problems[0].index, result.problems[0].field)
        return False

    # -- parsing -------------------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        if self._loading:
            return
        # Undoing back to what was loaded or saved is not a change (a plain string compare:
        # a memcmp, well under a millisecond even for a long patch).
        self._update_modified(self.text() != self._saved_text)
        self._timer.start()

    def _update_modified(self, modified: bool) -> None:
        if modified != self._modified:
            self._modified = modified
            self.modifiedChanged.emit(modified)

    def _parse_now(self) -> None:
        self._timer.stop()
        self._result = parse_patch(self.text())
        error = self._result.json_error
        if error is not None:
            self.error_label.setText(str(error))
            self.error_label.show()
            self.edit.mark_error(error.line, error.column)
        else:
            self.error_label.hide()
            self.edit.clear_error()
            self._show_ops()
        self.patchChanged.emit()

    def _show_ops(self) -> None:
        self.ops_view.clear()
        try:
            value = parse_value(self.text())
        except JsonProblem:
            return
        if not isinstance(value, list):
            return
        items = []
        for index, op in enumerate(value):
            op = op if isinstance(op, dict) else {}
            detail = ""
            if "value" in op:
                detail = _cell(dumps_compact(op["value"]))
            elif "from" in op:
                detail = f"from {op['from']}"
            items.append(
                QTreeWidgetItem(
                    [str(index), str(op.get("op", "?")), str(op.get("path", "?")), detail]
                )
            )
        self.ops_view.addTopLevelItems(items)
        self.mark_failing_op(self._failing)


def parse_patch(text: str) -> PatchResult:
    """The ops of a patch text, or its JSON error or first problem (with how many more)."""
    try:
        value = parse_value(text)
    except JsonProblem as error:
        return PatchResult(
            None, f"Patch, line {error.line}, column {error.column}: {error.message}", error
        )
    problems = tuple(validate_patch(value))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return PatchResult(None, f"Patch, {problems[0]}{more}", None, problems)
    return PatchResult(cast("list[dict[str, Any]]", value))


def patch_text(ops: list[dict[str, Any]]) -> str:
    """One op a line: a patch reads as a list of steps."""
    if not ops:
        return "[]"
    lines = ",\n".join("  " + json.dumps(op, ensure_ascii=False) for op in ops)
    return doc_safe(f"[\n{lines}\n]")


def _cell(text: str) -> str:
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"
