"""The Problems list: what keeps the body from being sent, and what Courier will not read as meant.

Entries are made Qt-free by :func:`profile_entries` and :func:`patch_entries`; the view lists
them (severity, where, what) and tells which one the user activated, so the editor can go there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from profile_editor.core.profile.json_patch import PatchProblem
from profile_editor.core.profile.jsoncodec import JsonProblem
from profile_editor.core.profile.key_paths import KeyPath
from profile_editor.core.profile.rules import Problem
from profile_editor.ui.common.palette import Palette, current, theme

__all__ = ["ProblemEntry", "ProblemsView", "count_text", "patch_entries", "profile_entries"]

# The list is for reading; a profile with thousands of near misses is listed in part.
MAX_ENTRIES = 500
_ORDER = ("error", "warning", "note")
_LABELS = {"error": "Error", "warning": "Warning", "note": "Note"}
_SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 1


def _severity_color(severity: str, colors: Palette) -> str:
    return {"error": colors.bad, "warning": colors.warn, "note": colors.muted}.get(
        severity, colors.text
    )


@dataclass(frozen=True)
class ProblemEntry:
    """One line of the list and where it points: a key ``path``, a ``line``/``column`` of the
    text, a Fields ``row`` (0-based), or an ``op`` of the patch (with its member ``member``)."""

    severity: str  # "error", "warning" or "note"
    where: str
    message: str
    path: KeyPath | None = None
    line: int = 0
    column: int = 0
    row: int = -1
    op: int | None = None
    member: str | None = None


def json_error_entry(error: JsonProblem) -> ProblemEntry:
    return ProblemEntry(
        "error",
        f"line {error.line}, column {error.column}",
        error.message,
        line=error.line,
        column=error.column,
    )


def profile_entries(
    json_error: JsonProblem | None,
    field_problems: Sequence[tuple[int, str]],
    rule_problems: Sequence[Problem],
) -> list[ProblemEntry]:
    """The JSON error, or the Fields rows' problems, then Courier's warnings and notes."""
    entries: list[ProblemEntry] = []
    if json_error is not None:
        entries.append(json_error_entry(json_error))
    entries += [
        ProblemEntry("error", f"row {row + 1}", text, row=row) for row, text in field_problems
    ]
    for problem in rule_problems:
        entries.append(
            ProblemEntry(
                problem.severity.value,
                problem.display_path or "(profile)",
                problem.message,
                path=tuple(str(step) for step in problem.path),
            )
        )
    return entries


def patch_entries(
    json_error: JsonProblem | None, problems: Sequence[PatchProblem]
) -> list[ProblemEntry]:
    """The patch text's JSON error, or each op's problem with its index."""
    if json_error is not None:
        return [json_error_entry(json_error)]
    return [
        ProblemEntry(
            "error", problem.location, problem.message, op=problem.index, member=problem.field
        )
        for problem in problems
    ]


def count_text(entries: Sequence[ProblemEntry]) -> str:
    """``"2 warnings"``, ``"1 error, 1 note"``; ``""`` when there are none."""
    counts = Counter(entry.severity for entry in entries)
    return ", ".join(
        f"{counts[kind]} {kind}{'s' if counts[kind] != 1 else ''}"
        for kind in _ORDER
        if counts[kind]
    )


class ProblemsView(QTreeWidget):
    """Signals:
    problemActivated(object): the :class:`ProblemEntry` the user activated (Enter, double-click).
    """

    problemActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("problemsView")
        theme().follow(self, self.on_theme_changed)
        self.setHeaderLabels(["", "Where", "Problem"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setColumnWidth(0, 70)
        self.setColumnWidth(1, 140)
        self.setWordWrap(False)
        self.setAccessibleName("Problems")
        self._entries: list[ProblemEntry] = []
        self.itemActivated.connect(self._on_item_activated)

    def entries(self) -> list[ProblemEntry]:
        return list(self._entries)

    def show_entries(self, entries: Sequence[ProblemEntry]) -> None:
        if list(entries) == self._entries:
            return  # typing elsewhere changes nothing here: keep the selection and scroll
        self._entries = list(entries)
        self.clear()
        items = []
        for index, entry in enumerate(self._entries[:MAX_ENTRIES]):
            label = _LABELS.get(entry.severity, entry.severity)
            item = QTreeWidgetItem([label, entry.where, entry.message])
            item.setData(0, _SEVERITY_ROLE, entry.severity)
            item.setToolTip(2, entry.message)
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            items.append(item)
        hidden = len(self._entries) - MAX_ENTRIES
        if hidden > 0:
            items.append(QTreeWidgetItem(["…", "", f"{hidden:,} more not listed"]))
        self.addTopLevelItems(items)
        self.on_theme_changed(current())

    def on_theme_changed(self, colors: Palette) -> None:
        for row in range(self.topLevelItemCount()):
            item = self.topLevelItem(row)
            severity = item.data(0, _SEVERITY_ROLE) if item is not None else None
            if item is not None and severity:
                item.setForeground(0, QBrush(QColor(_severity_color(severity, colors))))

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        index = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(index, int) and 0 <= index < len(self._entries):
            self.problemActivated.emit(self._entries[index])
