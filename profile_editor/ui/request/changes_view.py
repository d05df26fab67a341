"""Shows a :class:`ChangeSet`: what sending will add, change and remove, and what stays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from profile_editor.core.profile.jsoncodec import compact_head
from profile_editor.ui.common.palette import Palette, current, theme

if TYPE_CHECKING:
    from profile_editor.core.profile.changes import ChangeSet
    from profile_editor.core.send.plan import ChangePreview

# A diff of thousands of rows helps nobody and costs time on the UI thread.
MAX_ROWS = 200
CELL_CHARS = 120

# By ChangeKind value ("added", …); the change sets come with the first preview, after start-up.
_LABELS = {"added": "+ added", "changed": "~ changed", "removed": "- removed"}
_KIND_ROLE = Qt.ItemDataRole.UserRole  # column 0: the ChangeKind value, or "untouched"


def _cell(value: Any, present: bool) -> str:
    if not present:
        return ""
    # Only the start of a large value is encoded: the cell shows 120 characters of it.
    text, cut = compact_head(value, CELL_CHARS)
    return text[: CELL_CHARS - 1] + "…" if cut or len(text) > CELL_CHARS else text


class ChangesView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changesView")
        self.summary = QLabel(self)
        self.summary.setObjectName("changesSummary")
        self.summary.setWordWrap(True)
        # With the tree hidden the label gets all the height; keep its text at the top.
        self.summary.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("changesTree")
        self.tree.setHeaderLabels(["Change", "Path", "Before", "After"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setColumnWidth(0, 90)
        self.tree.setColumnWidth(1, 170)
        self.tree.setColumnWidth(2, 150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree)
        self._text = ""
        self._problems = ""  # "2 warnings": the Problems list's count, after the summary
        theme().follow(self, self.on_theme_changed)
        self.show_message("Load the profile (Ctrl+L) to see what sending will change.")

    def set_problem_count(self, count: str) -> None:
        """Add the Problems list's count to the header ("… · 2 warnings"); "" for none."""
        self._problems = count
        self._set_summary(self._text)

    def _set_summary(self, text: str) -> None:
        self._text = text
        self.summary.setText(f"{text} · {self._problems}" if self._problems else text)

    def show_message(self, text: str) -> None:
        self._set_summary(text)
        self.tree.clear()
        self.tree.setVisible(False)

    def show_preview(self, preview: ChangePreview) -> None:
        if preview.working:
            # The last change set stays, greyed, until the new one is ready: clearing and
            # refilling hundreds of rows twice costs more than the wait.
            self._set_summary(preview.message)
            self.tree.setEnabled(False)
        elif preview.changes is None:
            self.show_message(preview.message)
        else:
            self.show_changes(
                preview.action, preview.recipient_id, preview.changes, preview.created
            )

    def show_changes(self, action: str, recipient: str, changes: ChangeSet, created: bool) -> None:
        from profile_editor.core.profile.changes import ChangeKind

        self.tree.clear()
        self.tree.setEnabled(True)
        if changes.is_empty:
            self._set_summary(
                f"Nothing to send: {action} leaves the profile of “{recipient}” as it is."
            )
        else:
            counts = ", ".join(
                f"{changes.count(kind)} {kind.value}"
                for kind in (ChangeKind.ADDED, ChangeKind.CHANGED, ChangeKind.REMOVED)
            )
            verb = "creates the profile" if created else "changes the stored profile"
            self._set_summary(
                f"<b>{action}</b> {verb} of “{recipient}”: {counts}, "
                f"{len(changes.untouched)} untouched."
            )
        items = []
        for change in changes.changes[:MAX_ROWS]:
            item = QTreeWidgetItem(
                [
                    _LABELS[change.kind],
                    change.path,
                    _cell(change.old, change.kind is not ChangeKind.ADDED),
                    _cell(change.new, change.kind is not ChangeKind.REMOVED),
                ]
            )
            item.setToolTip(1, change.path)
            item.setData(0, _KIND_ROLE, change.kind.value)
            items.append(item)
        hidden = len(changes.changes) - MAX_ROWS
        if hidden > 0:
            items.append(QTreeWidgetItem(["…", f"{hidden:,} more changes not listed"]))
        if changes.untouched:
            count = len(changes.untouched)
            parent = QTreeWidgetItem(["= untouched", f"{count:,} key{'s' if count != 1 else ''}"])
            parent.setData(0, _KIND_ROLE, "untouched")
            for key in changes.untouched[:MAX_ROWS]:
                parent.addChild(QTreeWidgetItem(["", key]))
            items.append(parent)
        self.tree.addTopLevelItems(items)
        self._paint(current())
        self.tree.resizeColumnToContents(0)
        self.tree.setVisible(bool(items))

    def on_theme_changed(self, colors: Palette) -> None:
        self._paint(colors)

    def _paint(self, colors: Palette) -> None:
        """Colour the rows by their kind (at most MAX_ROWS + 2 top-level items)."""
        # One brush per colour, not per cell: this runs on the UI thread for every new preview.
        text, muted = QBrush(QColor(colors.text)), QBrush(QColor(colors.muted))
        brushes = {
            kind: (QBrush(QColor(background)), QBrush(QColor(foreground)))
            for kind, (background, foreground) in colors.changes.items()
        }
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is None:
                continue
            kind = item.data(0, _KIND_ROLE)
            if kind == "untouched":
                item.setForeground(0, muted)
            elif kind in brushes:
                background, foreground = brushes[kind]
                for column in range(4):
                    item.setBackground(column, background)
                    item.setForeground(column, text)
                item.setForeground(0, foreground)
