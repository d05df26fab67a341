"""Icons and the stylesheet, loaded from the installed package (they ship in the wheel)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from profile_editor.ui.common.palette import current

# The stroke of the plain line icons; an icon drawn in another colour (white on the Send
# button) keeps it.
LINE_ICON_STROKE = "#37474f"


@cache
def read_text(name: str) -> str:
    return (resources.files("profile_editor.resources") / name).read_text(encoding="utf-8")


class PaletteIconEngine(QIconEngine):
    """A line icon drawn in the active palette's icon colour, so it follows the scheme."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._renderer = QSvgRenderer(svg)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        colors = current()
        color = colors.disabled_text if mode == QIcon.Mode.Disabled else colors.icon
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
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
    path = resources.files("profile_editor.resources") / "icons" / f"{name}.svg"
    svg = path.read_bytes()
    if LINE_ICON_STROKE.encode() in svg:
        return QIcon(PaletteIconEngine(svg))
    with resources.as_file(path) as file:
        return QIcon(str(file))


@cache
def app_icon() -> QIcon:
    with resources.as_file(resources.files("profile_editor.resources") / "app.svg") as file:
        return QIcon(str(file))
