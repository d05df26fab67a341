"""Colour schemes: every colour from one palette per scheme, readable, switching live."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from driver import MakeWindow  # type: ignore[import-not-found]
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.common.palette import (
    DARK,
    LIGHT,
    MIN_CONTRAST,
    MIN_GRAPHIC_CONTRAST,
    Palette,
    Theme,
    contrast_ratio,
    readable_text_color,
    render_style_sheet,
    theme,
)
from profile_editor.ui.common.resources import icon, read_text
from profile_editor.ui.environments.dialog import SWATCHES
from profile_editor.ui.request.changes_view import ChangesView

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scheme(qapp: QApplication) -> Iterator[None]:
    """Tests force a scheme; the desktop's is followed again afterwards."""
    yield
    theme().set_override(None)


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=lambda p: p.name)
def test_every_text_pair_has_enough_contrast(palette: Palette) -> None:
    low = [
        f"{what}: {fg} on {bg} is {contrast_ratio(fg, bg):.2f}:1"
        for what, fg, bg in palette.text_pairs()
        if contrast_ratio(fg, bg) < MIN_CONTRAST
    ]
    assert not low


@pytest.mark.parametrize("palette", [LIGHT, DARK], ids=lambda p: p.name)
def test_icons_have_enough_contrast(palette: Palette) -> None:
    for what, fg, bg in palette.graphic_pairs():
        assert contrast_ratio(fg, bg) >= MIN_GRAPHIC_CONTRAST, what


def test_line_icons_follow_the_scheme(qapp: QApplication, scheme: None) -> None:
    add = icon("add")
    for palette, colour_scheme in ((DARK, Qt.ColorScheme.Dark), (LIGHT, Qt.ColorScheme.Light)):
        theme().set_override(colour_scheme)
        image = add.pixmap(QSize(24, 24)).toImage()
        drawn = {
            image.pixelColor(x, y).name()
            for x in range(24)
            for y in range(24)
            if image.pixelColor(x, y).alpha() == 255
        }
        assert drawn == {palette.icon}


def test_contrast_ratio_matches_wcag() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == pytest.approx(1.0)


def test_band_text_is_readable_on_any_band_colour() -> None:
    rng = random.Random(7)
    colours = [*SWATCHES, "#808080", "#777777", "#7f8c8d"]
    colours += [f"#{rng.randrange(1 << 24):06x}" for _ in range(500)]
    for band in colours:
        assert contrast_ratio(readable_text_color(band), band) >= MIN_CONTRAST, band


def test_style_sheet_names_only_palette_colours() -> None:
    template = read_text("app.qss")
    assert not re.search(r"#[0-9a-fA-F]{6}", template)
    for palette in (LIGHT, DARK):
        rendered = render_style_sheet(template, palette)
        assert "@" not in rendered
        assert palette.error_text in rendered and palette.muted in rendered


def test_no_colour_literals_outside_the_palette() -> None:
    """Band swatches, the default band colours and the icons' own stroke (the mark of a line
    icon, which is redrawn in the palette's colour) are the only other colours."""
    ui = ROOT / "profile_editor" / "ui"
    allowed = {
        "common/palette.py",
        "environments/dialog.py",
        "shell/window_config.py",
        "environments/start.py",
    }
    found = [
        f"{path.relative_to(ui).as_posix()}: {match}"
        for path in ui.rglob("*.py")
        if path.relative_to(ui).as_posix() not in allowed
        for match in re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text(encoding="utf-8"))
    ]
    assert sorted(found) == [
        "common/resources.py: #37474f",
        "environments/bar.py: #546e7a",
        "environments/bar.py: #ffd600",
    ]


def test_dark_scheme_sets_the_application_palette(qapp: QApplication, scheme: None) -> None:
    theme().set_override(Qt.ColorScheme.Dark)
    assert qapp.palette().color(QPalette.ColorRole.Window) == QColor(DARK.window)
    assert qapp.palette().color(QPalette.ColorRole.Text) == QColor(DARK.text)
    theme().set_override(Qt.ColorScheme.Light)
    assert qapp.palette().color(QPalette.ColorRole.Window) != QColor(DARK.window)


def test_follows_the_desktop_scheme(qapp: QApplication, qtbot: QtBot) -> None:
    """The desktop's change signal switches the palette; Unknown (offscreen) reads as light."""
    desktop = [Qt.ColorScheme.Unknown]
    follower = Theme(qapp, desktop_scheme=lambda: desktop[-1])
    try:
        assert follower.palette() is LIGHT
        with qtbot.waitSignal(follower.changed) as signal:
            desktop.append(Qt.ColorScheme.Dark)
            qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # as the desktop does
        assert signal.args == [DARK]
        assert qapp.palette().color(QPalette.ColorRole.Window) == QColor(DARK.window)
        with qtbot.waitSignal(follower.changed) as signal:
            desktop.append(Qt.ColorScheme.Light)
            qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert signal.args == [LIGHT]
        assert qapp.palette().color(QPalette.ColorRole.Window) != QColor(DARK.window)
    finally:
        follower.deleteLater()


def _label_colours(label: QLabel) -> tuple[str, str]:
    palette = label.palette()
    return (
        palette.color(QPalette.ColorRole.Window).name(),
        palette.color(QPalette.ColorRole.WindowText).name(),
    )


def _switch(colour_scheme: Qt.ColorScheme) -> None:
    theme().set_override(colour_scheme)  # the switch is synchronous: signal, then repaint


def _error_line_colour(edit: QPlainTextEdit) -> str:
    selections = edit.extraSelections()
    return selections[0].format.background().color().name()


def test_window_switches_live(
    make_window: MakeWindow, sandbox: SandboxServer, scheme: None
) -> None:
    sandbox.put_profile("user-1", {"email": "a@example.com"})
    window = make_window(sandbox.url, sandbox.key)
    window.fill(recipient="user-1")
    window.load()
    window.fill(profile='{"email": "b@example.com", "plan": "pro"}')
    window.wait_changes("changed")
    status = window.find(QLabel, "statusLabel")
    tree = window.find(ChangesView, "changesView").tree
    state = window.status_state()

    for palette, colour_scheme in ((DARK, Qt.ColorScheme.Dark), (LIGHT, Qt.ColorScheme.Light)):
        _switch(colour_scheme)
        assert _label_colours(status) == palette.status[state]
        rows = {
            item.text(0): (item.background(1).color().name(), item.foreground(0).color().name())
            for item in (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
            if item is not None
        }
        assert rows["~ changed"] == palette.changes["changed"]
        assert rows["+ added"] == palette.changes["added"]
        sheet = window.widget.styleSheet()
        assert palette.accent in sheet and palette.muted in sheet


def _highlight_colours(edit: QPlainTextEdit) -> set[str]:
    layout = edit.document().firstBlock().layout()
    return {r.format.foreground().color().name() for r in layout.formats()}


def test_json_highlighting_and_error_marks_follow_the_scheme(
    make_window: MakeWindow, sandbox: SandboxServer, scheme: None
) -> None:
    window = make_window(sandbox.url, sandbox.key)
    edit = window.find(QPlainTextEdit, "rawJsonEdit")
    window.set_json_text('{"email": }')
    window.qtbot.waitUntil(lambda: bool(edit.extraSelections()))
    assert _error_line_colour(edit) == LIGHT.error_line
    assert LIGHT.json_key in _highlight_colours(edit)
    _switch(Qt.ColorScheme.Dark)
    assert _error_line_colour(edit) == DARK.error_line
    assert _highlight_colours(edit) == {DARK.json_key}
    _switch(Qt.ColorScheme.Light)
    assert _error_line_colour(edit) == LIGHT.error_line
    assert _highlight_colours(edit) == {LIGHT.json_key}
