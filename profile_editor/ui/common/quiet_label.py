"""A one-line label whose new text repaints the label alone.

A ``QLabel`` asks its layout to run again on every new text, and Qt passes that on through every
layout up to the window's whether or not a size changed: for this window about 0.2 ms, on each
count a burst of sends updates. Here the label sits in a box with no layout, as wide as its row
gives and one line high, so that a new text changes no geometry. A text too long for the row is
cut; the tooltip then shows it whole.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

__all__ = ["QuietLabel"]


class QuietLabel(QWidget):
    """``label`` is the ``QLabel`` (style it by its object name); ``setText``/``text`` as its."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setObjectName(object_name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:
        self.label.setText(text)
        self._update_tooltip()

    def text(self) -> str:
        return self.label.text()

    def sizeHint(self) -> QSize:
        # One line of the label's font; no width of its own: the row's stretch decides.
        return QSize(
            0, max(self.label.minimumSizeHint().height(), self.label.fontMetrics().height())
        )

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.label.setGeometry(self.rect())
        self._update_tooltip()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()  # another font may need another height

    def _update_tooltip(self) -> None:
        cut = self.label.sizeHint().width() > self.width()
        self.setToolTip(self.label.text() if cut else "")
