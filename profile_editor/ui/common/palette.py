"""Every colour the app sets, one palette per colour scheme, and the scheme the window follows.

Widgets never name a colour: they read :func:`current` (or a ``@token`` in ``app.qss``, which
:func:`render_style_sheet` fills in) and, to switch live, connect to ``theme().changed``. The
scheme follows the desktop (``QStyleHints.colorScheme`` and its change signal) unless
:meth:`Theme.set_override` forces one (tests; platforms that report no scheme).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

__all__ = [
    "DARK",
    "LIGHT",
    "MIN_CONTRAST",
    "MIN_GRAPHIC_CONTRAST",
    "Palette",
    "Theme",
    "contrast_ratio",
    "current",
    "readable_text_color",
    "relative_luminance",
    "render_style_sheet",
    "theme",
]

# WCAG AA for normal text, and for icons and other graphics.
MIN_CONTRAST = 4.5
MIN_GRAPHIC_CONTRAST = 3.0

Pair = tuple[str, str]  # (background, text)


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of ``#rrggbb``: 0 for black, 1 for white."""
    c = QColor(color)
    return (
        0.2126 * _channel(c.redF()) + 0.7152 * _channel(c.greenF()) + 0.0722 * _channel(c.blueF())
    )


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text_color(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (always at least 4.58:1)."""
    black, white = contrast_ratio("#000000", background), contrast_ratio("#ffffff", background)
    return "#000000" if black > white else "#ffffff"


class Palette:
    """The colours of one scheme. Text colours are named for the background they sit on.

    Made with every field by name; frozen, equal and hashed by its fields. (A plain class: a
    dataclass of this many fields costs the first frame over a millisecond to create.)
    """

    name: str
    # Qt's own roles (applied to the application in the dark scheme).
    window: str
    base: str
    alternate_base: str
    text: str
    button: str
    highlight: str
    highlighted_text: str
    placeholder: str
    disabled_text: str
    link: str
    # Secondary and signal text, on window or base.
    muted: str
    warning_text: str
    error_text: str
    # Labelled boxes: (background, text).
    note: Pair
    danger: Pair
    flag: Pair  # a Fields row whose value is wrong
    status: Mapping[str, Pair]
    changes: Mapping[str, Pair]  # added / changed / removed
    # Outcomes in the history.
    good: str
    warn: str
    bad: str
    # JSON highlighting on base, and the error marks under normal text.
    json_key: str
    json_string: str
    json_number: str
    json_literal: str
    error_line: str
    error_char: str
    # The Send button.
    accent: str
    accent_hover: str
    accent_disabled: str
    accent_text: str
    border: str
    icon: str  # line icons, on window and button
    frame: str  # the border of text fields, on window and base

    def __init__(self, **values: Any) -> None:
        if values.keys() != set(PALETTE_FIELDS):
            missing = sorted(set(PALETTE_FIELDS) - values.keys())
            unknown = sorted(values.keys() - set(PALETTE_FIELDS))
            raise TypeError(f"Palette: missing {missing}, unknown {unknown}")
        for name in PALETTE_FIELDS:
            object.__setattr__(self, name, values[name])

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in PALETTE_FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Palette) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in PALETTE_FIELDS)
        return f"{self.__class__.__qualname__}({values})"

    def graphic_pairs(self) -> list[tuple[str, str, str]]:
        """Every (what, graphic, background) for the 3:1 check of non-text contrast."""
        return [
            ("icon on window", self.icon, self.window),
            ("icon on button", self.icon, self.button),
            ("icon on base", self.icon, self.base),
            ("text field border on window", self.frame, self.window),
            ("text field border on base", self.frame, self.base),
        ]

    def text_pairs(self) -> list[tuple[str, str, str]]:
        """Every (what, text, background) this palette puts text on, for the contrast test."""
        on_window = ("muted", "warning_text", "error_text", "text", "link")
        on_base = (
            "text",
            "muted",
            "error_text",
            "good",
            "warn",
            "bad",
            "link",
            "json_key",
            "json_string",
            "json_number",
            "json_literal",
        )
        pairs = [(f"{n} on window", getattr(self, n), self.window) for n in on_window]
        pairs += [(f"{n} on base", getattr(self, n), self.base) for n in on_base]
        pairs += [
            (f"{n} on alternate base", getattr(self, n), self.alternate_base) for n in on_base
        ]
        pairs += [
            ("highlighted text", self.highlighted_text, self.highlight),
            ("button text", self.text, self.button),
            ("text on error line", self.text, self.error_line),
            ("text on error char", self.text, self.error_char),
            ("send button", self.accent_text, self.accent),
            ("send button hovered", self.accent_text, self.accent_hover),
            ("note", self.note[1], self.note[0]),
            ("danger", self.danger[1], self.danger[0]),
            ("text on danger", self.text, self.danger[0]),
            ("flagged field", self.flag[1], self.flag[0]),
        ]
        for state, (bg, fg) in self.status.items():
            pairs.append((f"status {state}", fg, bg))
        for kind, (bg, fg) in self.changes.items():
            pairs += [(f"change {kind}", fg, bg), (f"text on change {kind}", self.text, bg)]
        return pairs

    def tokens(self) -> dict[str, str]:
        """``@name`` values for the style sheet: every plain colour field."""
        values = {n: v for n in PALETTE_FIELDS if isinstance(v := getattr(self, n), str)}
        for box in ("note", "danger", "flag"):
            values[f"{box}_bg"], values[f"{box}_text"] = getattr(self, box)
        return values


# The fields in the order they are declared.
PALETTE_FIELDS: tuple[str, ...] = tuple(Palette.__annotations__)

LIGHT = Palette(
    name="light",
    window="#efefef",
    base="#ffffff",
    alternate_base="#f7f7f7",
    text="#1f1f1f",
    button="#efefef",
    highlight="#1f5fa8",
    highlighted_text="#ffffff",
    placeholder="#6b6b6b",
    disabled_text="#9e9e9e",
    link="#0b57c2",
    muted="#4e6570",
    warning_text="#6d4c00",
    error_text="#b00020",
    note=("#fff4ce", "#5c4400"),
    danger=("#ffebee", "#b71c1c"),
    flag=("#ffcdcd", "#000000"),
    status=MappingProxyType(
        {
            "idle": ("#eceff1", "#37474f"),
            "busy": ("#e3f2fd", "#0d47a1"),
            "success": ("#e8f5e9", "#1b5e20"),
            "warning": ("#fff8e1", "#6d4c00"),
            "error": ("#ffebee", "#b71c1c"),
        }
    ),
    changes=MappingProxyType(
        {
            "added": ("#e8f5e9", "#1b5e20"),
            "changed": ("#fff8e1", "#6d4c00"),
            "removed": ("#ffebee", "#b71c1c"),
        }
    ),
    good="#1b5e20",
    warn="#8d4e00",
    bad="#b71c1c",
    json_key="#1f4e99",
    json_string="#2a6f2a",
    json_number="#8f4f00",
    json_literal="#7a1fc9",
    error_line="#ffdddd",
    error_char="#ffaaaa",
    accent="#3949ab",
    accent_hover="#303f9f",
    accent_disabled="#9fa8da",
    accent_text="#ffffff",
    border="#90a4ae",
    icon="#37474f",
    frame="#858585",
)

DARK = Palette(
    name="dark",
    window="#2b2d30",
    base="#1e1f22",
    alternate_base="#26282b",
    text="#e6e6e6",
    button="#3c3f41",
    highlight="#2f65ad",
    highlighted_text="#ffffff",
    placeholder="#9aa0a6",
    disabled_text="#6f7378",
    link="#8ab4f8",
    muted="#a3b1b9",
    warning_text="#f0c674",
    error_text="#ff8a80",
    note=("#3d3420", "#ffe08a"),
    danger=("#3d1f1f", "#ffb4ab"),
    flag=("#6b2626", "#ffffff"),
    status=MappingProxyType(
        {
            "idle": ("#33383c", "#dfe6ea"),
            "busy": ("#13314f", "#a8d1ff"),
            "success": ("#1c3521", "#a5d6a7"),
            "warning": ("#3a300f", "#ffe082"),
            "error": ("#431c1c", "#ffb4ab"),
        }
    ),
    changes=MappingProxyType(
        {
            "added": ("#1c3521", "#a5d6a7"),
            "changed": ("#3a300f", "#ffe082"),
            "removed": ("#431c1c", "#ffb4ab"),
        }
    ),
    good="#81c784",
    warn="#ffb74d",
    bad="#ff8a80",
    json_key="#82aaff",
    json_string="#a5d6a7",
    json_number="#ffb74d",
    json_literal="#d7a8ff",
    error_line="#4a2323",
    error_char="#7a3030",
    accent="#5060c0",
    accent_hover="#3f51b5",
    accent_disabled="#3b4070",
    accent_text="#ffffff",
    border="#5f6b73",
    icon="#c5ced3",
    frame="#7a7f85",
)

_TOKEN = re.compile(r"@([a-z_]+)")  # longest name wins: [a-z_]+ is greedy


def render_style_sheet(template: str, palette: Palette) -> str:
    """``template`` with every ``@name`` replaced by that colour of ``palette``."""
    values = palette.tokens()
    return _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def qt_palette(palette: Palette) -> QPalette:
    """A full ``QPalette`` for ``palette``, for styles that do not follow the scheme."""
    qp = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    roles = {
        role.Window: palette.window,
        role.WindowText: palette.text,
        role.Base: palette.base,
        role.AlternateBase: palette.alternate_base,
        role.Text: palette.text,
        role.Button: palette.button,
        role.ButtonText: palette.text,
        role.BrightText: "#ffffff",
        role.Highlight: palette.highlight,
        role.HighlightedText: palette.highlighted_text,
        role.ToolTipBase: palette.button,
        role.ToolTipText: palette.text,
        role.PlaceholderText: palette.placeholder,
        role.Link: palette.link,
        role.LinkVisited: palette.link,
        role.Light: "#4a4d50",
        role.Midlight: "#3a3d40",
        role.Mid: "#2a2c2e",
        role.Dark: "#151617",
        role.Shadow: "#000000",
    }
    for r, color in roles.items():
        qp.setColor(r, QColor(color))
    for r in (role.WindowText, role.Text, role.ButtonText):
        qp.setColor(group.Disabled, r, QColor(palette.disabled_text))
    return qp


def _scheme_palette(scheme: Qt.ColorScheme) -> Palette:
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


class Theme(QObject):
    """The active palette of the application.

    Signals:
        changed(object): the new :class:`Palette`, after the scheme switched.
    """

    changed = Signal(object)

    def __init__(
        self,
        app: QGuiApplication,
        desktop_scheme: Callable[[], Qt.ColorScheme] | None = None,
    ) -> None:
        super().__init__(app)
        # What the desktop says; replaceable where no desktop can be asked (tests).
        self._desktop_scheme = desktop_scheme or (
            lambda: QGuiApplication.styleHints().colorScheme()
        )
        self._override: Qt.ColorScheme | None = None
        self._palette = LIGHT
        self._palette_set = False
        app.styleHints().colorSchemeChanged.connect(self.on_color_scheme_changed)
        self._update()

    def palette(self) -> Palette:
        return self._palette

    def scheme(self) -> Qt.ColorScheme:
        if self._override is not None:
            return self._override
        return self._desktop_scheme()

    def set_override(self, scheme: Qt.ColorScheme | None) -> None:
        """Force ``scheme`` (None follows the desktop again)."""
        self._override = scheme
        self._update()

    def on_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self._update()

    def style(self, widget: QWidget, template: str) -> None:
        """Give ``widget`` the style sheet ``template`` in the active colours, now and later."""

        def apply(palette: Palette) -> None:
            widget.setStyleSheet(render_style_sheet(template, palette))

        apply(self._palette)
        self.follow(widget, apply)

    def follow(self, owner: QObject, slot: Callable[[Palette], None]) -> None:
        """Call ``slot`` on every switch while ``owner`` lives."""
        connection = self.changed.connect(slot)
        owner.destroyed.connect(lambda *_: QObject.disconnect(connection))

    def _update(self) -> None:
        palette = _scheme_palette(self.scheme())
        if palette is self._palette:
            return
        self._palette = palette
        self._apply_application_palette(palette)
        self.changed.emit(palette)

    def _apply_application_palette(self, palette: Palette) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        if palette is DARK:
            app.setPalette(qt_palette(palette))
            self._palette_set = True
        elif self._palette_set:
            # An empty palette gives the style's (and platform's) own colours back.
            app.setPalette(QPalette())
            self._palette_set = False


_theme: Theme | None = None


def _alive(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:  # its application was deleted with it
        return False
    return True


def theme() -> Theme:
    """The application's :class:`Theme` (created with the first use)."""
    global _theme
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("theme() needs a QGuiApplication")
    if _theme is None or not _alive(_theme) or _theme.parent() is not app:
        _theme = Theme(app)
    return _theme


def current() -> Palette:
    """The active palette (the light one before there is an application)."""
    return theme().palette() if isinstance(QGuiApplication.instance(), QGuiApplication) else LIGHT
