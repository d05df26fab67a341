"""The window's menu bar: every action in one place, with its shortcut shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenuBar

__all__ = ["Menus", "build_menus"]


class Menus:
    """Actions the window connects; the others (undo, find, history) belong to their widgets."""

    new: QAction
    save: QAction
    save_as: QAction
    send: QAction
    bulk: QAction
    close: QAction
    load: QAction
    cancel: QAction
    copy_curl: QAction
    paste_curl: QAction
    timeline: QAction

    def __init__(
        self,
        new: QAction,
        save: QAction,
        save_as: QAction,
        send: QAction,
        bulk: QAction,
        close: QAction,
        load: QAction,
        cancel: QAction,
        copy_curl: QAction,
        paste_curl: QAction,
        timeline: QAction,
    ) -> None:
        self.new = new
        self.save = save
        self.save_as = save_as
        self.send = send
        self.bulk = bulk
        self.close = close
        self.load = load
        self.cancel = cancel
        self.copy_curl = copy_curl
        self.paste_curl = paste_curl
        self.timeline = timeline

    def _key(self) -> tuple[Any, ...]:
        return (
            self.new,
            self.save,
            self.save_as,
            self.send,
            self.bulk,
            self.close,
            self.load,
            self.cancel,
            self.copy_curl,
            self.paste_curl,
            self.timeline,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Menus) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable: unhashable

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(new={self.new!r}, save={self.save!r}, save_as={self.save_as!r}, send={self.send!r}, bulk={self.bulk!r}, close={self.close!r}, load={self.load!r}, cancel={self.cancel!r}, copy_curl={self.copy_curl!r}, paste_curl={self.paste_curl!r}, timeline={self.timeline!r})"


Key = str | QKeySequence.StandardKey


def _action(window: QMainWindow, text: str, shortcut: Key, name: str, *more: Key) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    action.setShortcuts([QKeySequence(key) for key in (shortcut, *more)])
    window.addAction(action)  # its shortcut works wherever the focus is in the window
    return action


def build_menus(window: QMainWindow, *, edit: list[QAction | None], history: QAction) -> Menus:
    """File, Edit, View and Request menus; ``None`` in ``edit`` is a separator."""
    menus = Menus(
        new=_action(window, "&New request", QKeySequence.StandardKey.New, "newAction"),
        save=_action(window, "&Save preset", QKeySequence.StandardKey.Save, "savePresetAction"),
        save_as=_action(window, "Save preset &as…", "Ctrl+Shift+S", "savePresetAsAction"),
        send=_action(window, "&Send", "Ctrl+Return", "sendAction", "Ctrl+Enter"),
        bulk=_action(window, "&Bulk apply…", "Ctrl+B", "bulkApplyAction"),
        close=_action(window, "&Close window", QKeySequence.StandardKey.Close, "closeAction"),
        load=_action(window, "&Load", "Ctrl+L", "loadAction"),
        cancel=_action(window, "&Cancel", "Ctrl+.", "cancelAction"),
        copy_curl=_action(window, "Copy as c&URL", "Ctrl+Shift+C", "copyCurlAction"),
        paste_curl=_action(window, "&Paste cURL", "Ctrl+Shift+V", "pasteCurlAction"),
        timeline=_action(
            window, "History of this &recipient…", "Ctrl+Shift+H", "recipientTimelineAction"
        ),
    )
    bar: QMenuBar = window.menuBar()
    file_menu = bar.addMenu("&File")
    for action in (menus.new, menus.save, menus.save_as, None, menus.bulk, None, menus.close):
        file_menu.addSeparator() if action is None else file_menu.addAction(action)
    edit_menu = bar.addMenu("&Edit")
    for action in edit:
        edit_menu.addSeparator() if action is None else edit_menu.addAction(action)
    view_menu = bar.addMenu("&View")
    view_menu.addAction(history)
    view_menu.addAction(menus.timeline)
    request_menu = bar.addMenu("&Request")
    for action in (menus.load, menus.send, menus.cancel, None, menus.copy_curl, menus.paste_curl):
        request_menu.addSeparator() if action is None else request_menu.addAction(action)
    return menus
