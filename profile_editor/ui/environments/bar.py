"""The coloured band at the top of the window: which environment requests go to."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from profile_editor.ui.common.palette import readable_text_color, relative_luminance
from profile_editor.ui.common.resources import icon
from profile_editor.ui.environments.start import EnvironmentLike

__all__ = [
    "NEUTRAL_COLOR",
    "EnvironmentBar",
    "color_swatch",
    "readable_text_color",
    "relative_luminance",
    "tinted_icon",
]

NEUTRAL_COLOR = "#546e7a"
E = TypeVar("E", bound=EnvironmentLike)
# Yellow on any band colour reads as "caution" and stays visible on red production bands.
PROTECTED_STRIPE = "#ffd600"


def color_swatch(color: str, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class _TintedIconEngine(QIconEngine):
    """Draws ``base`` recoloured, when the icon is drawn: the band is given a new colour before
    the first frame (and on every switch), and only the last one is ever seen."""

    def __init__(self, base: QIcon, color: str) -> None:
        super().__init__()
        self._base = base
        self._color = color

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = self._base.pixmap(size, mode, state)
        painter = QPainter(pixmap)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(pixmap.rect(), QColor(self._color))
        painter.end()
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def clone(self) -> QIconEngine:
        return _TintedIconEngine(self._base, self._color)


def tinted_icon(base: QIcon, color: str) -> QIcon:
    """``base`` recoloured to ``color``, so a dark icon stays visible on a dark band."""
    return QIcon(_TintedIconEngine(base, color))


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of widening the window."""

    def __init__(
        self,
        parent: QWidget | None = None,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        # Shrinks below its text (down to minimumSizeHint) instead of widening the window.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        width = min(self.fontMetrics().horizontalAdvance("https://…"), self.sizeHint().width())
        return QSize(width, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(
            self.fontMetrics().horizontalAdvance(self._full) + 4, super().sizeHint().height()
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(
            self.fontMetrics().elidedText(self._full, self._mode, self.contentsRect().width())
        )


class EnvironmentBar(QFrame):
    """Environment picker on a band in the environment's colour.

    It shows any :class:`EnvironmentLike`: the first frame's quick read of the file, then the
    validated environments.

    Signals:
        environmentChanged(object): the user (or :meth:`select`) picked another Environment.
        editRequested(): the settings button was clicked.
    """

    environmentChanged = Signal(object)
    editRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("environmentBand")
        self.setAutoFillBackground(True)
        self._envs: list[EnvironmentLike] = []
        self._active: EnvironmentLike | None = None

        self.combo = QComboBox(self)
        self.combo.setObjectName("environmentCombo")
        self.combo.setToolTip("Where requests are sent")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.currentIndexChanged.connect(self._on_index_changed)

        self.url_label = ElidedLabel(self)
        self.url_label.setObjectName("environmentUrlLabel")

        self.badge = QLabel("PROTECTED", self)
        self.badge.setObjectName("protectedBadge")
        self.badge.setToolTip("Sending to this environment asks for confirmation first")
        self.badge.setVisible(False)

        self.notice_label = ElidedLabel(self)
        self.notice_label.setObjectName("keyNoticeLabel")
        self.notice_label.setVisible(False)

        self.settings_button = QToolButton(self)
        self.settings_button.setObjectName("environmentsButton")
        self.settings_button.setText("Environments…")
        self.settings_button.setToolTip("Edit environments and API keys")
        self.settings_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_button.setAutoRaise(True)
        self.settings_button.clicked.connect(self.editRequested)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 8, 4)
        layout.setSpacing(10)
        layout.addWidget(self.combo)
        layout.addWidget(self.badge)
        layout.addWidget(self.url_label, 3)
        layout.addWidget(self.notice_label, 2)
        layout.addWidget(self.settings_button)
        self._apply_style()

    # -- API -----------------------------------------------------------------------------

    def set_environments(self, envs: list[E], active: str | None) -> E | None:
        """Offer ``envs`` and make ``active`` (by name, any case) the active one.

        Falls back to the first environment when ``active`` is not among them. Does not emit
        :attr:`environmentChanged`; returns the active environment for the caller to apply.
        """
        self._envs = list(envs)
        blocked = self.combo.blockSignals(True)
        try:
            self.combo.clear()
            for env in self._envs:
                self.combo.addItem(color_swatch(env.color), env.name)
            index = self._index_of(active) if active is not None else -1
            if index < 0 and self._envs:
                index = 0
            self.combo.setCurrentIndex(index)
        finally:
            self.combo.blockSignals(blocked)
        self.combo.setEnabled(bool(self._envs))
        chosen = envs[index] if index >= 0 else None
        self._active = chosen
        self._apply_active()
        return chosen

    def environments(self) -> list[EnvironmentLike]:
        return list(self._envs)

    def active(self) -> EnvironmentLike | None:
        return self._active

    def select(self, name: str) -> bool:
        """Make the environment called ``name`` active; False if there is none by that name."""
        index = self._index_of(name)
        if index < 0:
            return False
        self.combo.setCurrentIndex(index)
        return True

    def set_key_notice(self, text: str) -> None:
        """A short warning about keys (e.g. no system keychain); empty hides it."""
        self.notice_label.set_full_text(text)
        self.notice_label.setVisible(bool(text))

    def background_color(self) -> str:
        return self._active.color if self._active is not None else NEUTRAL_COLOR

    def text_color(self) -> str:
        return readable_text_color(self.background_color())

    # -- internals -----------------------------------------------------------------------

    def _index_of(self, name: str) -> int:
        key = name.strip().casefold()
        return next((i for i, e in enumerate(self._envs) if e.name.casefold() == key), -1)

    def _on_index_changed(self, index: int) -> None:
        env = self._envs[index] if 0 <= index < len(self._envs) else None
        if env == self._active:
            return
        self._active = env
        self._apply_active()
        if env is not None:
            self.environmentChanged.emit(env)

    def _apply_active(self) -> None:
        env = self._active
        self.url_label.set_full_text(env.base_url if env is not None else "No environment")
        self.badge.setVisible(env is not None and env.protected)
        self.setProperty("protected", env is not None and env.protected)
        self.setAccessibleName(
            f"Environment {env.name}{', protected' if env.protected else ''}: {env.base_url}"
            if env is not None
            else "No environment"
        )
        self._apply_style()

    def _apply_style(self) -> None:
        bg = self.background_color()
        fg = readable_text_color(bg)
        protected = self._active is not None and self._active.protected
        # A thick stripe on both edges makes a protected target obvious at a glance.
        border = (
            f"border-top: 4px solid {PROTECTED_STRIPE}; border-bottom: 4px solid {PROTECTED_STRIPE};"
            if protected
            else "border: none;"
        )
        self.setStyleSheet(
            f"#environmentBand {{ background: {bg}; {border} }}"
            f"#environmentBand QLabel {{ color: {fg}; background: transparent; }}"
            f"#environmentBand QLabel#protectedBadge {{ color: {readable_text_color(fg)};"
            f" background: {fg};"
            " font-weight: bold; padding: 1px 6px; border-radius: 3px; }"
            f"#environmentBand QLabel#keyNoticeLabel {{ font-style: italic; }}"
            f"#environmentBand QToolButton {{ color: {fg}; }}"
        )
        self.settings_button.setIcon(tinted_icon(icon("settings"), fg))
