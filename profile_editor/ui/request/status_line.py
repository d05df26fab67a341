"""The status line under the editor: one sentence in a coloured state, and the elapsed time."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from profile_editor.ui.common.frame_pacer import Frame, FramePacer
from profile_editor.ui.common.palette import Palette, current, theme

__all__ = ["StatusLine"]

# The width the status line asks for (the layout gives it what the window has).
_HINT_WIDTH = 640
_MARGIN = 6
# Pixels kept free beside one line of text before it counts as one line: a label lays text out a
# little differently from a plain font-metrics width.
_SLACK = 2 * _MARGIN + 8


def announce(label: QLabel, text: str) -> None:
    """Has a screen reader say ``text``: the label has a name of its own ("Status"), so Qt does
    not tell it that the text changed. (Qt's accessibility types are loaded with the first
    announcement: about 1.6 ms that a window's first frame does not pay.)"""
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(label, text))


class StatusLine(QWidget):
    """Signals:
    changed(str, str): the new text and state.

    The two labels are placed by hand, not by a layout: a label whose text changes asks every
    layout above it to run again, which for this window costs more than a send on loopback.
    Here the window is laid out again only when the status needs another height. Text and state
    are kept here too: asking the label for them goes through Qt, on every send.

    ``changed`` is emitted at once for every status; the labels show the latest one at most once
    a frame (at once when the last was shown a frame ago or more, else when the frame ends), so a
    burst of answers is painted, and announced to a screen reader, as its last.
    :attr:`announcing` off keeps the statuses from a screen reader (a window not shown yet).
    """

    changed = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, frame: Frame | None = None) -> None:
        super().__init__(parent)
        # Opaque (the window's own background colour): a new status or time repaints the line,
        # not the splitter and the window under it as well.
        self.setAutoFillBackground(True)
        self.label = QLabel("Ready.", self)
        self.label.setObjectName("statusLabel")
        self.label.setAutoFillBackground(True)
        self.label.setMargin(_MARGIN)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.elapsed = QLabel("", self)
        self.elapsed.setObjectName("elapsedLabel")
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.announcing = True
        self._text = self.label.text()
        self._state = ""
        self._elapsed_text = ""
        self._shown = (self._text, self._state, self._elapsed_text)  # what the labels show
        # The labels show a new status at most once a frame: sends on loopback end every
        # millisecond or so, and repainting each answer costs more than the send.
        self._pacer = FramePacer(self, self._show, frame)
        self._measure()
        self._height = self._label_height(_HINT_WIDTH)
        theme().follow(self, self.on_theme_changed)

    # -- geometry ---------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(_HINT_WIDTH, self._height)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._elapsed_width + 40, self._height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()
        self._refit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._measure()
            self._refit()

    def _measure(self) -> None:
        self._metrics = self.label.fontMetrics()
        self._elapsed_width = self.elapsed.fontMetrics().horizontalAdvance("99,999 ms") + 8
        # The label's own height for one line, once it has laid one out; by the characters beyond
        # ASCII in it, which may come from a fallback font with taller lines ("✓").
        self._line_heights: dict[frozenset[str], int] = {}

    def _label_height(self, width: int) -> int:
        available = max(1, width - self._elapsed_width)
        text = self._text
        # Nearly every status fits on one line: measuring its width costs a fraction of laying
        # out the wrapped text, which a new status (its elapsed time changes) would pay each send.
        one_line = "\n" not in text and self._metrics.horizontalAdvance(text) + _SLACK <= available
        glyphs = frozenset(c for c in text if c > "\x7f") if one_line else frozenset()
        if one_line and glyphs in self._line_heights:
            return self._line_heights[glyphs]
        height = max(self.label.heightForWidth(available), 1)
        if one_line:
            self._line_heights[glyphs] = height
        return height

    def _place(self) -> None:
        width, height, time_width = self.width(), self.height(), self._elapsed_width
        self.label.setGeometry(0, 0, max(width - time_width, 0), height)
        self.elapsed.setGeometry(max(width - time_width, 0), 0, time_width, height)

    def _refit(self) -> None:
        height = self._label_height(self.width())
        if height != self._height:
            self._height = height
            self.updateGeometry()  # the one case the window has to lay out again

    def text(self) -> str:
        return self._text

    def state(self) -> str:
        return self._state

    def show_status(self, text: str, state: str) -> None:
        self._text, self._state = text, state
        self._schedule()
        self.changed.emit(text, state)

    def _schedule(self) -> None:
        if self._pacer.show_now():
            self._show()

    def is_shown(self) -> bool:
        """Whether the labels show the latest status (none waits for the frame's end)."""
        return not self._pacer.pending()

    def _show(self) -> None:
        text, state, elapsed = self._text, self._state, self._elapsed_text
        shown_text, shown_state, shown_elapsed = self._shown
        self._shown = (text, state, elapsed)
        if text != shown_text:
            self.label.setText(text)
            self._refit()
            if self.announcing:
                announce(self.label, text)
        if state != shown_state:
            # A palette swap is far cheaper than re-running the style sheet on every send.
            self.label.setProperty("state", state)
            self._paint(current())
        if elapsed != shown_elapsed:
            self.elapsed.setText(elapsed)

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
        text = "" if ms is None else f"{ms:,.0f} ms"
        if text != self._elapsed_text:
            self._elapsed_text = text
            self._schedule()

    def elapsed_text(self) -> str:
        return self._elapsed_text
