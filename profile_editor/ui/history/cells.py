"""How the history table paints its cells: the same pixels as Qt's item delegate, in about 0.4
of its time (``bench/history_paint.py``).

The table repaints with each burst of sends. Qt's delegate asks the model for seven roles a cell
(seven calls into Python) and lays the text out again on every paint; this one reads the cell's
cached text and colour from :class:`~.model.HistoryModel` in one call and draws a text laid out
once (:class:`QStaticText`). Per cell it reads the option's state once, as an int, and nothing
else of the option that stays the same for the whole table (elide mode, palette).

It repeats how QCommonStyle paints an item, so it paints only under the styles that do so
(Fusion, Windows). Every other cell goes to Qt's delegate: selected, focused or hovered,
disabled, right to left, a text with line breaks, control, right-to-left or combining
characters, a character from a fallback font or taller than the font's lines, a text taller or
wider than its cell, and every cell under another style.
``tests/ui/test_history_cells.py`` compares the two pixel by pixel.
"""

from __future__ import annotations

from unicodedata import bidirectional, combining

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from profile_editor.ui.history.model import RIGHT_ALIGNED_COLUMNS, HistoryModel

# Strong left-to-right and neutral classes (Unicode bidi), as "—", "…", "é" or "中" are.
_LEFT_TO_RIGHT = frozenset(("L", "EN", "ES", "ET", "CS", "ON", "WS"))
# As ints: an operation on Qt's flags runs Python's enum machinery, several calls a cell.
_PLAIN_STATE = QStyle.StateFlag.State_Enabled.value
_ACTIVE_STATE = QStyle.StateFlag.State_Active.value
_OTHER_STATES = (
    QStyle.StateFlag.State_Selected
    | QStyle.StateFlag.State_HasFocus
    | QStyle.StateFlag.State_MouseOver
).value
# Styles that paint an item as QCommonStyle does, which this delegate repeats; under any other
# (Windows 11's, macOS's, a proxy style) every cell goes to Qt's delegate.
_PLAIN_ITEM_STYLES = frozenset(("fusion", "windows"))
# Events on the view after which the texts laid out, or the text colours read, no longer hold.
_LAYOUT_CHANGES = frozenset(
    (
        QEvent.Type.StyleChange,
        QEvent.Type.FontChange,
        QEvent.Type.LayoutDirectionChange,
        QEvent.Type.PaletteChange,
    )
)
# Laid-out texts kept: a screenful of cells is a few hundred; a long session's are dropped at once.
_KEPT_TEXTS = 4096


def _plain(text: str) -> bool:
    """Whether a static text lays ``text`` out as Qt's delegate does: printable (no line
    breaks, tabs or control characters) and left to right only (no right-to-left or combining
    characters, whose runs a static text orders by its own rules)."""
    return text.isprintable() and (
        text.isascii()
        or all(
            c.isascii() or (bidirectional(c) in _LEFT_TO_RIGHT and not combining(c)) for c in text
        )
    )


class HistoryCellDelegate(QStyledItemDelegate):
    """Paints ``model``'s plain cells in ``view`` as Qt's delegate does (see the module)."""

    def __init__(self, view: QTableView, model: HistoryModel) -> None:
        super().__init__(view)
        self._view, self._model = view, model
        self._elide = view.textElideMode()
        # (text, width) -> (the text as shown, elided to the width; its width; its height), or
        # None for a text Qt's delegate paints
        self._texts: dict[tuple[str, int], tuple[QStaticText, float, int] | None] = {}
        # The palette's text colour by whether the view is active (the option's palette is the
        # view's: read once, not copied for each cell).
        self._text_colors: dict[int, QColor] = {}
        self._reset()
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Paint:
            # The view's elide mode, once a repaint (reading it costs a call into Python's enum
            # machinery): set on the view, and no event tells it changed.
            elide = self._view.textElideMode()
            if elide is not self._elide:
                self._texts.clear()
                self._elide = elide
        elif kind in _LAYOUT_CHANGES:
            self._reset()
        return False

    def _reset(self) -> None:
        """Reads what the view's style, font and direction decide, and forgets every text
        laid out: at the start and whenever one of them changes."""
        view = self._view
        style = view.style()
        name = style.name()
        if not name and style.metaObject().className() == "QStyleSheetStyle":
            name = QApplication.style().name()  # a style sheet paints over the app's style
        self._own = name.lower() in _PLAIN_ITEM_STYLES and not view.isRightToLeft()
        # Qt's text margin in an item: the focus frame's, plus one.
        self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        self._texts.clear()
        self._text_colors.clear()
        self._line: int | None = None

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        state = option.state.value
        if not self._own or state & _OTHER_STATES or not state & _PLAIN_STATE:
            super().paint(painter, option, index)
            return
        column = index.column()
        text, color = self._model.cell(index.row(), column)
        if not text:
            return
        geometry: tuple[int, int, int, int] = option.rect.getRect()  # type: ignore[assignment]
        x, y, width, height = geometry  # one call for the four (the stubs say object)
        margin = self._margin
        width -= 2 * margin
        try:
            shown = self._texts[text, width]
        except KeyError:
            shown = self._lay_out(text, width, option)
        # Qt's delegate clips what does not fit the cell; this one leaves it to it.
        if shown is None or shown[1] > width or shown[2] > height:
            super().paint(painter, option, index)
            return
        static, text_width, text_height = shown
        if color is None:
            active = state & _ACTIVE_STATE
            color = self._text_colors.get(active)
            if color is None:
                group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
                color = self._text_colors[active] = option.palette.color(
                    group, QPalette.ColorRole.Text
                )
        painter.setPen(color)
        left = x + margin + (width - text_width if column in RIGHT_ALIGNED_COLUMNS else 0)
        top = y + height // 2 - text_height // 2  # centred as QStyle.alignedRect does
        painter.drawStaticText(QPointF(left, top), static)

    def _lay_out(
        self, text: str, width: int, option: QStyleOptionViewItem
    ) -> tuple[QStaticText, float, int] | None:
        """``text`` as shown at ``width``, kept for the next repaint."""
        if len(self._texts) >= _KEPT_TEXTS:
            self._texts.clear()
        shown = None
        metrics = option.fontMetrics
        # A character from a fallback font is shaped by that font's rules, and one of the
        # font's own may be taller than its lines: Qt's delegate follows both (its own line
        # height, its own shaping), a static text does not.
        if _plain(text) and all(c.isascii() or metrics.inFontUcs4(ord(c)) for c in text):
            static = QStaticText(metrics.elidedText(text, self._elide, width))
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=option.font)
            size = static.size()
            height = int(size.height())
            if height == self._line_height(option):
                shown = (static, size.width(), height)
        self._texts[text, width] = shown
        return shown

    def _line_height(self, option: QStyleOptionViewItem) -> int:
        """The height of a line of the font's own characters, laid out as a static text."""
        if self._line is None:
            static = QStaticText("x")
            static.prepare(font=option.font)
            self._line = int(static.size().height())
        return self._line
