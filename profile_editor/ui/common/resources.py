"""Icons and the stylesheet, loaded from the installed package (they ship in the wheel)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from profile_editor.ui.common.palette import current

# profile_editor/resources: files beside the modules (the wheel installs them so), read by path.
# importlib.resources would find them too, but importing it costs the first frame milliseconds.
RESOURCES = Path(__file__).parents[2] / "resources"

# The stroke of the plain line icons; an icon drawn in another colour (white on the Send
# button) keeps it.
LINE_ICON_STROKE = "#37474f"


@cache
def read_text(name: str) -> str:
    return (RESOURCES / name).read_text(encoding="utf-8")


class PaletteIconEngine(QIconEngine):
    """A line icon drawn in the active palette's icon colour, so it follows the scheme."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._renderer: QSvgRenderer | None = None  # parsed when first drawn

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        colors = current()
        color = colors.disabled_text if mode == QIcon.Mode.Disabled else colors.icon
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        if self._renderer is None:
            self._renderer = QSvgRenderer(self._svg)
        painter = QPainter(pixmap)
        self._renderer.render(painter)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(pixmap.rect(), QColor(color))
        painter.end()
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def clone(self) -> QIconEngine:
        return PaletteIconEngine(self._svg)


@cache
def icon(name: str) -> QIcon:
    path = RESOURCES / "icons" / f"{name}.svg"
    svg = path.read_bytes()
    if LINE_ICON_STROKE.encode() in svg:
        return QIcon(PaletteIconEngine(svg))
    return QIcon(str(path))


@cache
def app_icon() -> QIcon:
    return QIcon(str(RESOURCES / "app.svg"))
