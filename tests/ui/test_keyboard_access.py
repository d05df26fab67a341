"""Keyboard and screen readers: names on every stop of the tab chain, and a whole task by keys."""

from __future__ import annotations

import pytest
from driver import MakeWindow  # type: ignore[import-not-found]
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAccessible, QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.common import dialogs
from profile_editor.ui.shell.accessibility import REGIONS

REAL_CONFIRM = dialogs.confirm  # taken before the dialog stub replaces it
INTERACTIVE = (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QPlainTextEdit, QTabBar)


def _name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None, widget.objectName()
    return interface.text(QAccessible.Text.Name)


def _walk(qtbot: QtBot, window: QWidget, first: QWidget) -> list[QWidget]:
    """Every widget Tab visits, from ``first`` until it comes round again."""
    first.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    seen: list[QWidget] = []
    for _ in range(200):
        widget = QApplication.focusWidget()
        assert widget is not None
        if widget in seen:
            break
        seen.append(widget)
        window.focusNextChild()
    assert seen and QApplication.focusWidget() is first, "the tab chain does not wrap"
    return seen


def _unreached(main: QWidget, chain: list[QWidget]) -> list[str]:
    reachable = set(chain)
    return [
        f"{type(w).__name__} {w.objectName()}"
        for w in main.findChildren(QWidget)
        if isinstance(w, INTERACTIVE)
        and w.isVisible()
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and w.focusProxy() is None
        and w.window() is main
        and w not in reachable
    ]


def test_every_stop_of_the_tab_chain_has_a_name(
    make_window: MakeWindow, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    window = make_window(sandbox.url, sandbox.key)
    main = window.widget
    qtbot.waitExposed(main)
    for region in REGIONS:  # the tab order goes through every part of the window
        window.find(QWidget, region)
    first = window.find(QComboBox, "environmentCombo")
    editor_tabs = window.find(QTabWidget, "profileTabs")
    output_tabs = window.find(QTabWidget, "outputTabs")
    # Every page of both tab widgets: the widgets of a hidden page are not in the chain.
    for page in range(max(editor_tabs.count(), output_tabs.count())):
        editor_tabs.setCurrentIndex(min(page, editor_tabs.count() - 1))
        output_tabs.setCurrentIndex(min(page, output_tabs.count() - 1))
        chain = _walk(qtbot, main, first)
        unnamed = [f"{type(w).__name__} {w.objectName()}" for w in chain if not _name(w).strip()]
        assert not unnamed, page
        assert not _unreached(main, chain), page
    # The Patch editor, shown for PATCH in place of the profile editor.
    window.choose_method("PATCH")
    chain = _walk(qtbot, main, first)
    assert "patchJsonEdit" in [w.objectName() for w in chain]
    assert all(_name(w).strip() for w in chain)
    assert not _unreached(main, chain)
    window.choose_method("POST")
    # Visual order: the band first, then the presets, the request bar, editor, history.
    editor_tabs.setCurrentIndex(0)
    names = [w.objectName() for w in _walk(qtbot, main, first)]
    expected = ["environmentCombo", "presetFilterEdit", "methodCombo", "recipientIdEdit"]
    expected += ["sendButton", "apiKeyEdit", "fieldsView", "historyFilterEdit"]
    assert [n for n in names if n in expected] == expected


def test_icon_band_and_key_widgets_are_described(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key)
    for name in ("apiKeyEdit", "environmentBand", "fieldsView", "historyView", "presetsList"):
        widget = window.find(QWidget, name)
        assert widget.accessibleDescription(), name
    assert "Sandbox" in window.find(QWidget, "environmentBand").accessibleName() or (
        window.find(QWidget, "environmentBand").accessibleName()
    )


def test_menu_actions_show_their_shortcuts(make_window: MakeWindow, sandbox: SandboxServer) -> None:
    window = make_window(sandbox.url, sandbox.key)
    menu_bar = window.widget.menuBar()
    for menu_action in menu_bar.actions():
        menu = menu_action.menu()
        assert "&" in menu_action.text(), menu_action.text()  # Alt+letter opens it
        for action in menu.actions():  # type: ignore[union-attr]
            if action.isSeparator():
                continue
            keys = action.shortcut()
            assert not keys.isEmpty() or "&" in action.text(), action.text()
            if not keys.isEmpty():
                text = keys.toString(QKeySequence.SequenceFormat.NativeText)
                assert text in action.toolTip(), action.text()


def _press_until(qtbot: QtBot, key: Qt.Key, name: str, modifier: Qt.KeyboardModifier) -> QWidget:
    for _ in range(60):
        widget = QApplication.focusWidget()
        if widget is not None and widget.objectName() == name:
            return widget
        assert widget is not None
        qtbot.keyClick(widget, key, modifier)
    pytest.fail(f"Tab never reached {name}")


def test_load_edit_and_replace_by_keyboard_alone(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox.put_profile("kb-7", {"email": "kb@example.com", "plan": "free"})
    monkeypatch.setattr(dialogs, "confirm", REAL_CONFIRM)  # the real box, answered by keys
    window = make_window(sandbox.url, sandbox.key)
    main = window.widget
    main.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main)
    start = window.find(QComboBox, "environmentCombo")
    start.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    none = Qt.KeyboardModifier.NoModifier

    # Type the ID and load it with Ctrl+L.
    recipient = _press_until(qtbot, Qt.Key.Key_Tab, "recipientIdEdit", none)
    qtbot.keyClicks(recipient, "kb-7")
    with qtbot.waitSignal(main.requestFinished, timeout=10_000):
        qtbot.keyClick(recipient, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.profile() == {"email": "kb@example.com", "plan": "free"}

    # Method: Shift+Tab back to the combo, Down picks Replace (PUT).
    combo = _press_until(qtbot, Qt.Key.Key_Tab, "methodCombo", Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert window.method() == "PUT"

    # The table: Tab to it, go to the value of "plan", F2, type, Enter.
    table = _press_until(qtbot, Qt.Key.Key_Tab, "fieldsView", none)
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_End)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "pro")  # a string field takes the text as typed
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.profile() == {"email": "kb@example.com", "plan": "pro"})

    # Send with Ctrl+Return and answer the confirmation by keys: Shift+Tab to Replace, Space.
    answered: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        if box is None or focus is None or not box.isAncestorOf(focus):
            if box is not None:
                box.activateWindow()  # what the window manager does for a new dialog
            QTimer.singleShot(20, answer)
            return
        for _ in range(4):  # Tab round the buttons to the one that sends
            focus = QApplication.focusWidget() or box
            if isinstance(focus, QAbstractButton) and focus.text().replace("&", "") == "Replace":
                answered.append("Replace")
                qtbot.keyClick(focus, Qt.Key.Key_Space)
                return
            qtbot.keyClick(focus, Qt.Key.Key_Tab)
        qtbot.keyClick(box, Qt.Key.Key_Escape)  # never left open: the test fails below

    QTimer.singleShot(0, answer)
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClick(focus, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    window.wait_idle()
    assert answered == ["Replace"]
    window.wait_idle()
    assert sandbox.get_profile("kb-7") == {"email": "kb@example.com", "plan": "pro"}


def test_a_tool_tip_follows_its_action_and_keeps_the_shortcut(
    make_window: MakeWindow, sandbox: SandboxServer
) -> None:
    window = make_window(sandbox.url, sandbox.key)
    [undo] = [
        a
        for a in window.widget.findChildren(QAction)
        if a.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    ]
    keys = undo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    assert keys in undo.toolTip()
    window.set_json_text('{"email": "a@example.com"}')
    window.qtbot.waitUntil(lambda: undo.text().replace("&", "") not in ("Undo", ""))
    assert undo.toolTip() == f"{undo.text().replace('&', '')} ({keys})"
