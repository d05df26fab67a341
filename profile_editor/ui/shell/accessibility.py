"""What a screen reader says about the window's widgets, and the one tab order of the window.

Names and descriptions are kept here, by object name, rather than spread over the
components, so that they read as one consistent text and a test can check them all. A widget
whose text already names it (a button, a check box) needs no entry: Qt reads its text, and its
tool tip as the description.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTabWidget, QWidget

__all__ = [
    "ACCESSIBLE",
    "REGIONS",
    "TAB_ORDER",
    "apply_tab_order",
    "describe",
    "prepare",
    "show_shortcuts",
]

# objectName: (accessible name, description: what the name does not say, keys first)
ACCESSIBLE: dict[str, tuple[str, str]] = {
    "environmentCombo": ("Environment", "Where requests are sent. The band shows its colour."),
    "environmentBand": (
        "",  # set by the band itself: the environment's name and address
        "The band's colour is the environment's; a yellow stripe and a PROTECTED badge mark "
        "one that asks before every send.",
    ),
    "environmentsButton": ("Edit environments", "Edit environments and their API keys."),
    "presetFilterEdit": ("Filter presets", "Shows only the presets whose name holds this text."),
    "presetsList": (
        "Presets",
        "Saved requests. Enter opens one, F2 renames it, Delete deletes it, "
        "the More button has the other actions.",
    ),
    "presetsMoreButton": (
        "More preset actions",
        "Rename, duplicate, delete, import and export presets. Space opens the menu.",
    ),
    "methodCombo": (
        "Method",
        "Merge adds and updates keys (null removes one); Replace overwrites the whole "
        "profile; Delete removes it.",
    ),
    "recipientIdEdit": ("Recipient ID", "Enter or Ctrl+L loads its stored profile."),
    "apiKeyEdit": (
        "API key",
        "Hidden as typed and kept in memory only; COURIER_API_KEY is used when empty.",
    ),
    "noteEdit": ("Note", "Saved with the preset."),
    "profileTabs": ("Profile editor", "The Fields table and the JSON text. Ctrl+Tab switches."),
    "fieldsView": (
        "Profile fields",
        "Key, type and value of each field. F2 or typing edits a cell, Enter keeps the edit, "
        "Insert adds a field, Delete removes, Alt+Up and Alt+Down move one.",
    ),
    "rawJsonEdit": (
        "Profile JSON",
        "The profile as JSON text. Ctrl+F finds, F3 finds the next match, Ctrl+G goes to a "
        "key path.",
    ),
    "patchJsonEdit": (
        "Patch JSON",
        "The JSON Patch operations as text: add, remove, replace, move, copy and test.",
    ),
    "patchOpsView": ("Patch operations", "The operations, read-only: edit them in the text."),
    "problemsView": (
        "Problems",
        "Errors, warnings and notes about the profile or patch. Enter goes to the place.",
    ),
    "outputTabs": ("Request output", "Changes, Request and Response. Ctrl+Tab switches."),
    "changesTree": ("Changes", "What sending will add, change and remove."),
    "requestPreview": ("Request preview", "The request as it will be sent, key masked."),
    "responseView": ("Response", "The answer to the last request."),
    "listsView": (
        "List subscriptions",
        "The recipient's lists: ID, name, since when, and the preferences for each.",
    ),
    "statusLabel": ("Status", "The outcome of the last request."),
    "historyFilterEdit": ("Filter history", "Shows only requests to recipients holding this text."),
    "historyStatusCombo": ("History result filter", "Shows only requests with this result."),
    "historyKindCombo": ("History kind filter", "Shows only requests of this method or kind."),
    "historyEnvEdit": ("History environment filter", "Shows only requests to this environment."),
    "historyTimeCombo": ("History time filter", "Shows only requests made in this time."),
    "historyTextEdit": (
        "Search request bodies",
        "Shows only requests whose body holds all these words.",
    ),
    "historyView": (
        "History",
        "Requests sent, newest first. Enter re-opens the selected one in the editor.",
    ),
    "historyDetails": ("Request details", "Body and result of the selected request."),
}

# The window's parts, by object name, in visual order: the tab order goes through them so.
REGIONS: tuple[str, ...] = (
    "environmentBand",
    "presetsPanel",
    "requestBar",
    "editorPane",
    "outputTabs",
    "historyDock",
)

# Visual order: the band, the presets on the left, the request bar, the editor, the output
# tabs, then the history docked at the bottom. Widgets not named here keep their place after
# the named widget before them in their component.
TAB_ORDER: tuple[str, ...] = (
    "environmentCombo",
    "environmentsButton",
    "presetFilterEdit",
    "presetsList",
    "methodCombo",
    "recipientIdEdit",
    "loadButton",
    "sendButton",
    "cancelButton",
    "apiKeyEdit",
    "noteEdit",
    "verifyCheck",
    "addFieldButton",
    "removeFieldButton",
    "moveUpButton",
    "moveDownButton",
    "fieldsFilterEdit",
    "fieldsView",
    "findEdit",
    "findCaseCheck",
    "findPreviousButton",
    "findNextButton",
    "findCloseButton",
    "rawJsonEdit",
    "patchJsonEdit",
    "patchOpsView",
    "problemsView",
    "changesTree",
    "requestPreview",
    "copyCurlButton",
    "responseView",
    "listsReloadButton",
    "listsView",
    "listIdEdit",
    "subscribeButton",
    "unsubscribeAllButton",
    "historyFilterEdit",
    "historyStatusCombo",
    "historyKindCombo",
    "historyEnvEdit",
    "historyTimeCombo",
    "historyTextEdit",
    "historyView",
    "historyDetails",
    "historyTimelineButton",
    "historyReopenButton",
    "historyExportButton",
)


def describe(root: QWidget) -> None:
    """Give every widget under ``root`` named in :data:`ACCESSIBLE` its name and description."""
    for widget in [root, *root.findChildren(QWidget)]:
        entry = ACCESSIBLE.get(widget.objectName())
        if entry is None:
            continue
        name, description = entry
        if name:
            widget.setAccessibleName(name)
        widget.setAccessibleDescription(description)
        if isinstance(widget, QTabWidget):
            # The tab bar takes the focus; it must say which tabs these are.
            widget.tabBar().setAccessibleName(name)
            widget.tabBar().setAccessibleDescription(description)


def _focusable(widget: QWidget) -> bool:
    # A widget with a focus proxy (a tab widget and its bar) takes its place through the proxy.
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.focusProxy() is None


def _chains(regions: Sequence[QWidget]) -> dict[QWidget, list[QWidget]]:
    """The focusable widgets of each region, in their present tab order: one walk along the
    focus chain (hundreds of widgets), each widget placed by one walk up its parents."""
    found: dict[QWidget, list[QWidget]] = {region: [] for region in regions}
    if not regions:
        return found
    owners: set[QWidget] = set()
    seen: set[QWidget] = set()
    start = regions[0].window()
    widget = start.nextInFocusChain()
    while widget is not None and widget is not start and widget not in seen:
        seen.add(widget)
        if _focusable(widget):
            region = _region_of(widget, found, owners)
            if region is not None:
                found[region].append(widget)
                owners.add(widget)
        widget = widget.nextInFocusChain()
    return found


def _region_of(
    widget: QWidget, regions: dict[QWidget, list[QWidget]], owners: set[QWidget]
) -> QWidget | None:
    """The region ``widget`` is in (same window), unless it is a part of a widget already in
    the chain (a tab bar's scroll buttons move with their owner)."""
    parent = widget.parentWidget()
    while parent is not None:
        if parent in owners:
            return None
        if parent in regions:
            return parent
        if parent.isWindow():
            return None
        parent = parent.parentWidget()
    return None


def _ordered(widgets: list[QWidget]) -> list[QWidget]:
    rank = {name: i for i, name in enumerate(TAB_ORDER)}
    known = sorted(
        (w for w in widgets if w.objectName() in rank), key=lambda w: rank[w.objectName()]
    )
    order = list(known)
    for index, widget in enumerate(widgets):
        if widget in known:
            continue
        before = widgets[index - 1] if index > 0 else None
        order.insert(order.index(before) + 1 if before in order else 0, widget)
    return order


def apply_tab_order(regions: Sequence[QWidget]) -> list[QWidget]:
    """Chain the focusable widgets of ``regions`` (in visual order) into one tab order."""
    for region in regions:
        for tabs in [region, *region.findChildren(QTabWidget)]:
            if isinstance(tabs, QTabWidget):
                # Tab stops at its bar (its focus proxy) only, else Tab would jump back to it.
                tabs.setFocusProxy(None)  # type: ignore[arg-type]  # None clears it
                tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                tabs.tabBar().setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    chains = _chains(regions)
    order = [widget for region in regions for widget in _ordered(chains[region])]
    for first, second in itertools.pairwise(order):
        QWidget.setTabOrder(first, second)
    return order


def _shortcut_text(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _retip(action: QAction) -> None:
    """A tip made from the action's text: it follows the text ("Undo edit of email")."""
    keys = _shortcut_text(action)
    tip = f"{_plain(action.text())} ({keys})" if keys else _plain(action.text())
    if action.toolTip() != tip:
        action.setToolTip(tip)


class _TipKeeper(QObject):
    """Keeps the tip of its parent action in step with the action's text."""

    def __init__(self, action: QAction) -> None:
        super().__init__(action)
        self._action = action
        _retip(action)
        action.changed.connect(self.on_action_changed)

    def on_action_changed(self) -> None:
        if shiboken6.isValid(self._action):  # not while the action is being destroyed
            _retip(self._action)


def show_shortcuts(root: QWidget) -> None:
    """Put each action's shortcut in its tool tip (menus show them by themselves)."""
    for action in root.findChildren(QAction):
        keys = _shortcut_text(action)
        if not keys or keys in action.toolTip():
            continue
        if action.toolTip() == _plain(action.text()):
            # Qt's own tip is the text; ours must keep following it.
            _TipKeeper(action)
        else:
            action.setToolTip(f"{action.toolTip()} ({keys})")


def prepare(window: QWidget) -> None:
    """Names, descriptions, the tab order through :data:`REGIONS` and shortcut tips."""
    describe(window)
    parts = {w.objectName(): w for w in window.findChildren(QWidget) if w.objectName() in REGIONS}
    apply_tab_order([parts[name] for name in REGIONS if name in parts])
    show_shortcuts(window)
