"""How the history table paints its cells: the same pixels as Qt's item delegate, in about 0.6
of its time (``bench/history_paint.py``).

The table repaints with each burst of sends. Qt's delegate asks the model for seven roles a cell
(seven calls into Python) and lays the text out again on every paint; this one reads the cell's
cached text and colour from :class:`~.model.HistoryModel` in one call and draws a text laid out
once (:class:`QStaticText`). It repeats how QCommonStyle paints an item, so it paints only under
the styles that do so (Fusion, Windows). Every other cell goes to Qt's delegate: selected,
focused or hovered, disabled, right to left, a text with line breaks, control, right-to-left or
combining characters, a text taller or wider than its cell, and every cell under another style.
``tests/ui/test_history_cells.py`` compares the two pixel by pixel.
"""

from __future__ import annotations

from unicodedata import bidirectional, combining

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QPainter, QPalette, QStaticText
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
_PLAIN_STATE = QStyle.StateFlag.State_Enabled
_OTHER_STATES = (
    QStyle.StateFlag.State_Selected
    | QStyle.StateFlag.State_HasFocus
    | QStyle.StateFlag.State_MouseOver
)
# Styles that paint an item as QCommonStyle does, which this delegate repeats; under any other
# (Windows 11's, macOS's, a proxy style) every cell goes to Qt's delegate.
_PLAIN_ITEM_STYLES = frozenset(("fusion", "windows"))
# Events on the view after which the texts laid out no longer hold.
_LAYOUT_CHANGES = frozenset(
    (QEvent.Type.StyleChange, QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange)
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
        self._reset()
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _LAYOUT_CHANGES:
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

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        state = option.state
        if not self._own or state & _OTHER_STATES or not state & _PLAIN_STATE:
            super().paint(painter, option, index)
            return
        row, column = index.row(), index.column()
        text = self._model.cell_text(row, column)
        if not text:
            return
        rect, margin = option.rect, self._margin
        width, height = rect.width() - 2 * margin, rect.height()
        shown = self._laid_out(text, width, option)
        # Qt's delegate clips what does not fit the cell; this one leaves it to it.
        if shown is None or shown[1] > width or shown[2] > height:
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
        y = rect.y() + height // 2 - text_height // 2  # centred as QStyle.alignedRect does
        painter.drawStaticText(QPointF(x, y), static)

    def _laid_out(
        self, text: str, width: int, option: QStyleOptionViewItem
    ) -> tuple[QStaticText, float, int] | None:
        elide = option.textElideMode
        if elide != self._elide:  # set on the view: no event tells
            self._texts.clear()
            self._elide = elide
        key = (text, width)
        try:
            return self._texts[key]
        except KeyError:
            pass
        if len(self._texts) >= _KEPT_TEXTS:
            self._texts.clear()
        shown = None
        if _plain(text):
            static = QStaticText(option.fontMetrics.elidedText(text, elide, width))
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(font=option.font)
            size = static.size()
            shown = (static, size.width(), int(size.height()))
        self._texts[key] = shown
        return shown
