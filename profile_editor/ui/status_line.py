"""The status line under the editor: one sentence in a coloured state, and the elapsed time."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from profile_editor.ui.palette import Palette, current, theme

__all__ = ["StatusLine"]


class StatusLine(QWidget):
    """Signals:
    changed(str, str): the new text and state.
    """

    changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Ready.", self)
        self.label.setObjectName("statusLabel")
        self.label.setAutoFillBackground(True)
        self.label.setMargin(6)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.elapsed = QLabel("", self)
        self.elapsed.setObjectName("elapsedLabel")
        # A fixed width: a new time must not move the status text (and re-lay out the window).
        self.elapsed.setFixedWidth(self.elapsed.fontMetrics().horizontalAdvance("99,999 ms") + 8)
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.elapsed)
        theme().follow(self, self.on_theme_changed)

    def text(self) -> str:
        return self.label.text()

    def state(self) -> str:
        return str(self.label.property("state") or "")

    def show_status(self, text: str, state: str) -> None:
        self.label.setText(text)
        if self.label.property("state") != state:
            # A palette swap is far cheaper than re-running the style sheet on every send.
            self.label.setProperty("state", state)
            self._paint(current())
        self.changed.emit(text, state)

    def on_theme_changed(self, colors: Palette) -> None:
        if self.state():
            self._paint(colors)

    def _paint(self, colors: Palette) -> None:
        background, foreground = colors.status[self.state()]
        palette = self.label.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor(background))
        palette.setColor(QPalette.ColorRole.WindowText, QColor(foreground))
        self.label.setPalette(palette)

    def show_idle(self, text: str) -> None:
        self.show_status(text, "idle")

    def show_success(self, text: str) -> None:
        self.show_status(text, "success")

    def append(self, note: str, state: str) -> None:
        self.show_status(f"{self.text()} · {note}", state)

    def show_elapsed(self, ms: float | None) -> None:
        self.elapsed.setText("" if ms is None else f"{ms:,.0f} ms")
