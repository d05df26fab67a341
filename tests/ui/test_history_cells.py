"""The history table's own cell painting: the same pixels as Qt's item delegate, whatever the
entries, the font and the selection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyledItemDelegate,
    QStyleFactory,
    QTableView,
)

from profile_editor.storage.history import HistoryEntry
from profile_editor.ui.common import palette
from profile_editor.ui.common.resources import read_text
from profile_editor.ui.history.cells import HistoryCellDelegate
from profile_editor.ui.history.model import RECIPIENT_COLUMN
from profile_editor.ui.history.panel import HistoryPanel

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
# Mostly the IDs and names people type; any text at all now and then (Qt paints those itself).
typed = st.text(st.characters(codec="ascii"), max_size=80) | st.text(max_size=80)
OUTCOMES = ("success", "api_error", "network_error", "cancelled", "some_new_outcome")

entries = st.builds(
    HistoryEntry,
    time=st.integers(0, 10**6).map(lambda s: T0 + timedelta(seconds=s)),
    environment=st.none() | typed,
    base_url=st.just("https://api.courier.com"),
    method=st.sampled_from(("POST", "GET", "PUT", "PATCH", "DELETE")),
    resource=st.sampled_from(("profile", "lists", "preferences")),
    recipient_id=typed.filter(bool),
    status=st.none() | st.integers(100, 599),
    outcome=st.sampled_from(OUTCOMES),
    duration_ms=st.floats(0, 10**7),
)


def _cells(panel: HistoryPanel) -> QImage:
    return panel.view.viewport().grab().toImage()


@settings(max_examples=60, deadline=None)
@given(
    shown=st.lists(entries, min_size=1, max_size=12),
    app_size=st.sampled_from((8, 9, 10, 12)),
    point_size=st.none() | st.sampled_from((7, 9, 10, 11, 15, 20)),
    style=st.sampled_from(("Fusion", "Windows")),
    width=st.integers(300, 1200),
    selected=st.none() | st.integers(0, 11),
    styled=st.booleans(),
    narrowed=st.none() | st.tuples(st.integers(0, 6), st.integers(0, 14)),
)
def test_cells_look_as_qt_paints_them(
    qapp: QApplication,
    shown: list[HistoryEntry],
    app_size: int,
    point_size: int | None,
    style: str,
    width: int,
    selected: int | None,
    styled: bool,
    narrowed: tuple[int, int] | None,
) -> None:
    app_font = qapp.font()
    qapp.setFont(QFont(app_font.family(), app_size))  # the rows' height follows it
    panel = HistoryPanel()
    view_style = QStyleFactory.create(style)  # kept here: a widget does not own its style
    try:
        if style != "Fusion":
            panel.view.setStyle(view_style)
        elif styled:  # as in the window
            palette.theme().style(panel, read_text("app.qss"))
        if point_size is not None:
            panel.view.setFont(QFont(app_font.family(), point_size))
        panel.set_entries(shown)
        panel.resize(width, 320)
        panel.show()
        if narrowed is not None:  # a column the user made narrower than its margins
            panel.view.horizontalHeader().resizeSection(*narrowed)
        if selected is not None and selected < len(shown):
            panel.view.selectRow(selected)
        qapp.processEvents()
        ours = _cells(panel)
        delegate = panel.view.itemDelegate()
        assert isinstance(delegate, HistoryCellDelegate)
        if selected is None or len(shown) > 1:  # an unselected row: its own painting was used
            assert any(delegate._texts.values())

        ours_again = _cells(panel)  # from the texts laid out the first time
        qt_delegate = QStyledItemDelegate(panel.view)
        panel.view.setItemDelegate(qt_delegate)
        assert ours == _cells(panel)
        assert ours_again == ours
    finally:
        panel.close()
        panel.deleteLater()
        qapp.setFont(app_font)


@pytest.mark.parametrize(
    "text",
    [
        "\U0001d56c",  # mathematical bold fraktur A: a font's own character, taller than its lines
        "ईऽॲ",  # shaped by a fallback font's rules
        "●☄☹",  # taller than the lines, from fallback fonts
        "env \U0001d56c ई ● é",
    ],
)
def test_a_character_from_a_fallback_font_looks_as_qt_paints_it(
    qapp: QApplication, text: str
) -> None:
    """Found by the test above: these went to the table's own painting, one pixel row off."""
    panel = HistoryPanel()
    try:
        panel.set_entries(
            [
                HistoryEntry(
                    time=T0,
                    environment=text,
                    base_url="https://api.courier.com",
                    method="POST",
                    recipient_id=text,
                    outcome="success",
                    duration_ms=0.0,
                )
            ]
        )
        panel.resize(900, 200)
        panel.show()
        qapp.processEvents()
        assert _cells(panel) == as_qt_paints(panel)
    finally:
        panel.close()
        panel.deleteLater()


@contextmanager
def one_entry_panel(
    qapp: QApplication, prepare: Callable[[QTableView], None]
) -> Iterator[HistoryPanel]:
    """A shown panel holding one sent request, its table prepared by ``prepare`` first."""
    panel = HistoryPanel()
    try:
        prepare(panel.view)
        panel.set_entries(
            [
                HistoryEntry(
                    base_url="https://api.courier.com",
                    method="POST",
                    recipient_id="ada-lovelace",
                    status=404,
                    outcome="api_error",
                    duration_ms=12,
                )
            ]
        )
        panel.resize(900, 200)
        panel.show()
        qapp.processEvents()
        yield panel
    finally:
        panel.close()
        panel.deleteLater()


def as_qt_paints(panel: HistoryPanel) -> QImage:
    """The table's cells as Qt's own delegate paints them."""
    qt_delegate = QStyledItemDelegate(panel.view)
    panel.view.setItemDelegate(qt_delegate)
    return _cells(panel)


def assert_repainted_as_qt_paints(
    qapp: QApplication, panel: HistoryPanel, change: Callable[[], None]
) -> None:
    """After ``change`` the cells look different, and as Qt's delegate paints them: what the
    delegate kept from before did not hold on."""
    before = _cells(panel)
    change()
    qapp.processEvents()
    after = _cells(panel)
    assert after != before
    assert after == as_qt_paints(panel)


def test_a_font_change_lays_the_texts_out_again(qapp: QApplication) -> None:
    with one_entry_panel(qapp, lambda view: None) as panel:
        assert_repainted_as_qt_paints(
            qapp, panel, lambda: panel.view.setFont(QFont(panel.font().family(), 16))
        )


def test_a_text_taller_than_its_row_is_cut_as_qt_cuts_it(qapp: QApplication) -> None:
    def taller(view: QTableView) -> None:
        view.setFont(QFont(view.font().family(), 30))  # the rows keep their height

    with one_entry_panel(qapp, taller) as panel:
        assert _cells(panel) == as_qt_paints(panel)


def test_under_a_style_of_its_own_every_cell_is_qts(qapp: QApplication) -> None:
    """A style that may paint items its own way (here a proxy, as Windows 11's and macOS's do
    theirs): the delegate leaves every cell to Qt's."""
    proxy, fusion = QProxyStyle("fusion"), QStyleFactory.create("Fusion")
    with one_entry_panel(qapp, lambda view: view.setStyle(proxy)) as panel:
        ours = _cells(panel)
        delegate = panel.view.itemDelegate()
        assert isinstance(delegate, HistoryCellDelegate) and not delegate._texts
        panel.view.setStyle(fusion)  # a plain style again: its own painting
        qapp.processEvents()
        _cells(panel)
        assert any(delegate._texts.values())
        panel.view.setStyle(proxy)
        assert ours == as_qt_paints(panel)


def test_a_theme_switch_recolours_the_status_cells(qapp: QApplication) -> None:
    with one_entry_panel(qapp, lambda view: None) as panel:
        try:
            assert_repainted_as_qt_paints(
                qapp, panel, lambda: palette.theme().set_override(Qt.ColorScheme.Dark)
            )
        finally:
            palette.theme().set_override(None)


def test_a_palette_set_on_the_table_colours_its_texts(qapp: QApplication) -> None:
    with one_entry_panel(qapp, lambda view: None) as panel:
        colours = panel.view.palette()
        colours.setColor(QPalette.ColorRole.Text, QColor("#b000b0"))
        assert_repainted_as_qt_paints(qapp, panel, lambda: panel.view.setPalette(colours))


def test_an_elide_mode_set_on_the_table_elides_its_texts_anew(qapp: QApplication) -> None:
    def narrow(view: QTableView) -> None:
        view.horizontalHeader().setStretchLastSection(False)

    with one_entry_panel(qapp, narrow) as panel:
        panel.view.horizontalHeader().resizeSection(RECIPIENT_COLUMN, 60)  # "ada-lovelace" elided
        qapp.processEvents()
        assert_repainted_as_qt_paints(
            qapp, panel, lambda: panel.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        )
