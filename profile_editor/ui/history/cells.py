"""How the history table paints its cells: the same pixels as Qt's item delegate, in about 0.6
of its time (``bench/history_paint.py``).

The table repaints with each burst of sends. Qt's delegate asks the model for seven roles a cell
(seven calls into Python) and lays the text out again on every paint; this one reads the cell's
cached text and colour from :class:`~.model.HistoryModel` in one call and draws a text laid out
once (:class:`QStaticText`). Cells it does not draw the same way — selected or focused, disabled,
right to left, several lines — go to Qt's delegate. ``tests/ui/test_history_cells.py`` compares
the two pixel by pixel.
"""

from __future__ import annotations

from unicodedata import bidirectional, combining

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QFont, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView

from profile_editor.ui.history.model import RIGHT_ALIGNED_COLUMNS, HistoryModel

# Strong left-to-right and neutral classes (Unicode bidi), as "—", "…", "é" or "中" are.
_LEFT_TO_RIGHT = frozenset(("L", "EN", "ES", "ET", "CS", "ON", "WS"))
_PLAIN_STATE = QStyle.StateFlag.State_Enabled
_OTHER_STATES = QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus
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
        self._model = model
        # Qt's text margin in an item: the focus frame's, plus one.
        self._margin = (
            view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        )
        self._font, self._elide = QFont(), Qt.TextElideMode.ElideNone
        # (text, width) -> (the text as shown, elided to the width; its width; its height), or
        # None for a text Qt's delegate paints
        self._texts: dict[tuple[str, int], tuple[QStaticText, float, int] | None] = {}

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        state = option.state
        if (
            state & _OTHER_STATES
            or not state & _PLAIN_STATE
            or option.direction != Qt.LayoutDirection.LeftToRight
        ):
            super().paint(painter, option, index)
            return
        row, column = index.row(), index.column()
        text = self._model.cell_text(row, column)
        if not text:
            return
        rect, margin = option.rect, self._margin
        width = rect.width() - 2 * margin
        shown = self._laid_out(text, width, option)
        if shown is None:
            super().paint(painter, option, index)
            return
        static, text_width, text_height = shown
        color = self._model.cell_color(row, column)
        if color is None:
            group = (
                QPalette.ColorGroup.Active
                if state & QStyle.StateFlag.State_Active
                else QPalette.ColorGroup.Inactive
            )
            color = option.palette.color(group, QPalette.ColorRole.Text)
        painter.setPen(color)
        x = rect.x() + margin + (width - text_width if column in RIGHT_ALIGNED_COLUMNS else 0)
        y = rect.y() + (rect.height() - text_height) // 2
        painter.drawStaticText(QPointF(x, y), static)

    def _laid_out(
        self, text: str, width: int, option: QStyleOptionViewItem
    ) -> tuple[QStaticText, float, int] | None:
        font, elide = option.font, option.textElideMode
        if font != self._font or elide != self._elide:  # none of the texts holds
            self._texts.clear()
            self._font, self._elide = QFont(font), elide  # the option's own goes with it
        key = (text, width)
        try:
            return self._texts[key]
        except KeyError:
            pass
        if len(self._texts) >= _KEPT_TEXTS:
            self._texts.clear()
        shown = None
        if _plain(text):
            metrics = option.fontMetrics
            static = QStaticText(metrics.elidedText(text, elide, width))
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=font)
            shown = (static, static.size().width(), metrics.height())
        self._texts[key] = shown
        return shown
