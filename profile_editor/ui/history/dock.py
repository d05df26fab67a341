"""The dock at the bottom of the window that holds the history panel; Ctrl+H shows and hides it.

The dock is part of the window's first frame; the panel (table, filters, details) needs the
history models and is put in right after it (:meth:`HistoryDock.set_panel`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget
from shiboken6 import delete as delete_now

if TYPE_CHECKING:
    from profile_editor.ui.history.panel import HistoryPanel

__all__ = ["HistoryDock"]


class HistoryDock(QDockWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__("History", parent)
        self.setObjectName("historyDock")
        self.panel: HistoryPanel | None = None
        placeholder = QLabel("Reading the history…", self)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setEnabled(False)  # greyed: there is nothing to use yet
        self.setWidget(placeholder)
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.toggle_action = self.toggleViewAction()
        self.toggle_action.setShortcut(QKeySequence("Ctrl+H"))

    def set_panel(self, panel: HistoryPanel) -> None:
        placeholder = self.widget()
        self.panel = panel
        self.setWidget(panel)
        if placeholder is not None:
            # At once, not later: the window's start looks up its widgets right after this,
            # and PySide then loses track of other wrappers when a looked-up one is deleted.
            delete_now(placeholder)
