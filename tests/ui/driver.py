"""The main window as a test sees it: what a user does to it and reads from it.

Window tests speak only through :class:`WindowDriver`, so the window's insides can be
rearranged without touching them. The driver finds widgets by object name
(``findChild(Type, "name")``), actions by their documented shortcuts, and waits on the
window's public signals (``requestFinished``, ``busyChanged``, ``statusChanged``).

A few things can only be reached through an attribute of the window today; each is read in
exactly one method below, marked "Internal:", so a change to the window is mended here once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractItemModel, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.core.http.models import Outcome
from profile_editor.storage.environments import Environment
from profile_editor.storage.history_db import HistoryStore
from profile_editor.storage.secrets import KeyVault
from profile_editor.ui.editor.known_keys import KEY_ROLE
from profile_editor.ui.editor.patch_editor import PatchEditor
from profile_editor.ui.editor.widget import ProfileEditorWidget
from profile_editor.ui.environments.bar import ElidedLabel, EnvironmentBar
from profile_editor.ui.history.panel import HistoryPanel
from profile_editor.ui.presets.panel import PresetsPanel
from profile_editor.ui.request.changes_view import ChangesView
from profile_editor.ui.request.status_line import StatusLine
from profile_editor.ui.shell.main_window import MainWindow

T = TypeVar("T", bound=QObject)
# The HTTP methods behind the method combo's entries; anything else names an entry's label.
HTTP_METHODS = ("POST", "PUT", "PATCH", "DELETE")
REQUEST_TIMEOUT_MS = 10_000


class WindowDriver:
    """Drives one :class:`MainWindow` through its widgets, the way a user would.

    ``data_dir`` is the folder the window was started with (``--data-dir``); ``dialogs`` the
    stub answering its questions, needed only by the steps that answer one (e.g. a name).

    The window builds most of itself right after its first frame: the driver waits for that
    (``started``) unless told not to (``wait_started=False``, to act on the first frame).
    """

    def __init__(
        self,
        qtbot: QtBot,
        window: MainWindow,
        data_dir: Path,
        dialogs: DialogStub | None = None,
        *,
        wait_started: bool = True,
    ) -> None:
        self.qtbot = qtbot
        self.widget = window
        self.data_dir = data_dir
        self.dialogs = dialogs
        self._busy = False
        window.busyChanged.connect(self._on_busy_changed)
        if wait_started:
            self.wait_started()

    def wait_started(self) -> None:
        """Until the window has built and wired everything its first frame did not show."""
        self.qtbot.waitUntil(self.widget.is_started, timeout=10_000)

    def _on_busy_changed(self, busy: bool) -> None:
        self._busy = busy

    # -- finding ---------------------------------------------------------------------------

    def find(self, kind: type[T], name: str) -> T:
        """The window's one ``kind`` called ``name``; fails the test if there is none."""
        found = self.widget.findChild(kind, name)
        assert isinstance(found, kind), f"no {kind.__name__} named {name!r}"
        return found

    def _action(self, shortcut: str) -> QAction:
        """The window's action bound to ``shortcut``, as the README documents it."""
        wanted = QKeySequence(shortcut)
        found = [
            a for a in self.widget.findChildren(QAction) if any(s == wanted for s in a.shortcuts())
        ]
        assert len(found) == 1, f"{len(found)} actions for {shortcut}"
        return found[0]

    def _editor(self) -> ProfileEditorWidget:
        # The one profile editor; it has no object name of its own.
        [editor] = self.widget.findChildren(ProfileEditorWidget)
        return editor

    def _json_edit(self) -> QPlainTextEdit:
        # Internal: the JSON page is built after the first frame; the accessor builds it at once
        # when a test types before that.
        return self._editor().json_edit

    def _status_label(self) -> QLabel:
        """The status label once it shows the latest status (it takes one at most once a frame)."""
        [line] = self.widget.findChildren(StatusLine)
        self.qtbot.waitUntil(line.is_shown, timeout=1000)
        return self.find(QLabel, "statusLabel")

    # -- the request: recipient, method, note, key, profile ----------------------------------

    def fill(
        self,
        *,
        recipient: str | None = None,
        profile: dict[str, Any] | str | None = None,
        method: str | None = None,
        note: str | None = None,
    ) -> None:
        """Enter what is given; leave the rest as it is.

        ``profile`` is a dict (sent as JSON; it must read back equal) or the raw JSON text
        (it must parse). ``method`` is ``"POST"``/``"PUT"``/``"DELETE"`` or the start of an
        entry's label (``"Merge"``, ``"Replace"``, ``"Delete"``).
        """
        if recipient is not None:
            self.set_recipient(recipient)
        if method is not None:
            self.choose_method(method)
        if note is not None:
            self.set_note(note)
        if isinstance(profile, dict):
            self.set_json_text(json.dumps(profile))
            assert self.profile() == profile
        elif profile is not None:
            self.set_json_text(profile)
            assert self.profile() is not None, self._editor().profile_result().problem

    def set_recipient(self, recipient: str) -> None:
        self.find(QLineEdit, "recipientIdEdit").setText(recipient)

    def type_recipient(self, text: str) -> None:
        """Type into the recipient field, key by key, as a user does."""
        self.qtbot.keyClicks(self.find(QLineEdit, "recipientIdEdit"), text)

    def recipient(self) -> str:
        return self.find(QLineEdit, "recipientIdEdit").text()

    def hint(self) -> str:
        """The line under the recipient ID."""
        return self.find(QLabel, "recipientIdHint").text()

    def hint_state(self) -> str:
        """``idle``, ``ok``, ``warning`` or ``error``: how the hint is coloured."""
        return str(self.find(QLabel, "recipientIdHint").property("state"))

    def method_labels(self) -> list[str]:
        combo = self.find(QComboBox, "methodCombo")
        return [combo.itemText(i) for i in range(combo.count())]

    def choose_method(self, method: str) -> None:
        combo = self.find(QComboBox, "methodCombo")
        if method in HTTP_METHODS:
            index = combo.findData(method)
        else:
            index = next(
                (i for i, label in enumerate(self.method_labels()) if label.startswith(method)),
                -1,
            )
        assert index >= 0, method
        combo.setCurrentIndex(index)

    def method(self) -> str:
        """The HTTP method chosen: POST, PUT or DELETE."""
        return str(self.find(QComboBox, "methodCombo").currentData())

    def set_note(self, note: str) -> None:
        self.find(QLineEdit, "noteEdit").setText(note)

    def note(self) -> str:
        return self.find(QLineEdit, "noteEdit").text()

    def set_key(self, key: str) -> None:
        self.find(QLineEdit, "apiKeyEdit").setText(key)

    def type_key(self, text: str) -> None:
        """Type into the API key field, key by key, as a user does (unlike :meth:`set_key`)."""
        self.qtbot.keyClicks(self.find(QLineEdit, "apiKeyEdit"), text)

    def key(self) -> str:
        return self.find(QLineEdit, "apiKeyEdit").text()

    def key_is_hidden(self) -> bool:
        return self.find(QLineEdit, "apiKeyEdit").echoMode() is QLineEdit.EchoMode.Password

    def key_source(self) -> str:
        """Where the key shown came from: ``keychain``, ``this session``, …"""
        return self.find(QLabel, "keySourceLabel").text()

    def verifies_after_send(self) -> bool:
        return self.find(QCheckBox, "verifyCheck").isChecked()

    def set_json_text(self, text: str) -> None:
        """Put ``text`` in the JSON tab (valid or not)."""
        self._json_edit().setPlainText(text)

    def json_text(self) -> str:
        return self._json_edit().toPlainText()

    def profile(self) -> dict[str, Any] | None:
        """The profile in the editor, or None while it has a problem."""
        return self._editor().profile_result().profile

    def profile_modified(self) -> bool:
        return self._editor().is_modified()

    def wait_profile_modified(self) -> None:
        self.qtbot.waitUntil(self._editor().is_modified)

    def set_profile_modified(self, modified: bool) -> None:
        self._editor().set_modified(modified)

    def profile_editable(self) -> bool:
        return self._editor().isEnabled()

    def fields_model(self) -> QAbstractItemModel:
        """The model behind the Fields tab."""
        return self.find(QTableView, "fieldsView").model()

    # -- requests ----------------------------------------------------------------------------

    def click_send(self) -> None:
        """Click Send without waiting (for sends that are refused, or left in flight)."""
        self.find(QPushButton, "sendButton").click()

    def click_load(self) -> None:
        self.find(QPushButton, "loadButton").click()

    def send(self, timeout: int = REQUEST_TIMEOUT_MS, *, until_idle: bool = True) -> Outcome:
        """Click Send and wait for its outcome, then (``until_idle``) for any verification
        after it to finish too."""
        with self.qtbot.waitSignal(self.widget.requestFinished, timeout=timeout) as blocker:
            self.click_send()
        if until_idle:
            self.wait_idle(timeout)
        return _outcome(blocker.args)

    def send_by_shortcut(self) -> Outcome:
        """Ctrl+Return typed in the recipient field; the send's outcome."""
        edit = self.find(QLineEdit, "recipientIdEdit")
        edit.setFocus()
        with self.qtbot.waitSignal(self.widget.requestFinished, timeout=5000) as blocker:
            self.qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return _outcome(blocker.args)

    def load(self, rid: str | None = None) -> Outcome:
        """Type the recipient ID (if given), click Load and wait for the answer."""
        if rid is not None:
            self.set_recipient(rid)
        with self.qtbot.waitSignal(
            self.widget.requestFinished, timeout=REQUEST_TIMEOUT_MS
        ) as blocker:
            self.click_load()
        return _outcome(blocker.args)

    def cancel(self) -> Outcome:
        """Click Cancel and wait for the request in flight to end."""
        button = self.find(QPushButton, "cancelButton")
        self.qtbot.waitUntil(button.isEnabled, timeout=3000)  # shown once a request takes a while
        with self.qtbot.waitSignal(self.widget.requestFinished, timeout=3000) as blocker:
            button.click()
        return _outcome(blocker.args)

    def press_cancel_shortcut(self) -> None:
        """Ctrl+. (Request → Cancel), without waiting."""
        self._action("Ctrl+.").trigger()

    def is_busy(self) -> bool:
        """A request (or the verification after a send) is running."""
        return self._busy

    def wait_idle(self, timeout: int = REQUEST_TIMEOUT_MS) -> None:
        self.qtbot.waitUntil(lambda: not self._busy, timeout=timeout)

    def can_send(self) -> bool:
        return self.find(QPushButton, "sendButton").isEnabled()

    def can_cancel(self) -> bool:
        return self.find(QPushButton, "cancelButton").isEnabled()

    def record_statuses(self) -> list[str]:
        """A list that receives every status text shown from now on."""
        seen: list[str] = []
        self.widget.statusChanged.connect(lambda text, _state: seen.append(text))
        return seen

    # -- what the window shows -----------------------------------------------------------------

    def status(self) -> str:
        """The status line's text."""
        return self._status_label().text()

    def status_state(self) -> str:
        """``idle``, ``busy``, ``success``, ``warning`` or ``error``: how it is coloured."""
        return str(self._status_label().property("state"))

    def wait_status(self, needle: str, timeout: int = 5000) -> None:
        self.qtbot.waitUntil(lambda: needle in self.status(), timeout=timeout)

    def elapsed_text(self) -> str:
        self._status_label()  # shown together with the status
        return self.find(QLabel, "elapsedLabel").text()

    def response_text(self) -> str:
        """The answer to the last request, as its tab shows it."""
        tabs, view = self.find(QTabWidget, "outputTabs"), self.find(QPlainTextEdit, "responseView")
        shown = tabs.currentIndex()
        tabs.setCurrentWidget(view)  # the answer is made when its tab is shown
        text = view.toPlainText()
        tabs.setCurrentIndex(shown)
        return text

    def preview_text(self) -> str:
        """The request preview (key masked)."""
        tabs = self.find(QTabWidget, "outputTabs")
        shown = tabs.currentIndex()
        tabs.setCurrentIndex(1)  # the preview is made when its tab is shown
        text = self.find(QPlainTextEdit, "requestPreview").toPlainText()
        tabs.setCurrentIndex(shown)
        return text

    def wait_preview(self, needle: str) -> None:
        """Until the preview (refreshed after a short delay) shows ``needle``."""
        self.qtbot.waitUntil(lambda: needle in self.preview_text())

    def copy_curl(self) -> str:
        """Click "Copy as cURL"; the command put on the clipboard."""
        self.find(QPushButton, "copyCurlButton").click()
        return QGuiApplication.clipboard().text()

    def changes(self) -> ChangesView:
        return self.find(ChangesView, "changesView")

    def changes_summary(self) -> str:
        return self.changes().summary.text()

    def changes_text(self) -> str:
        """The Changes tab: its summary line, then one line per top-level row."""
        tree = self.changes().tree
        rows = []
        for i in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(i)
            assert item is not None
            rows.append(" | ".join(item.text(c) for c in range(4)))
        return self.changes_summary() + "\n" + "\n".join(rows)

    def wait_changes(self, needle: str) -> None:
        """Until the Changes tab (refreshed after a short delay) shows ``needle``."""
        self.qtbot.waitUntil(lambda: needle in self.changes_text())

    def title(self) -> str:
        return self.widget.windowTitle()

    def is_visible(self) -> bool:
        return self.widget.isVisible()

    def size(self) -> tuple[int, int]:
        return self.widget.width(), self.widget.height()

    def resize(self, width: int, height: int) -> None:
        self.widget.resize(width, height)

    def side_splitter(self) -> QSplitter:
        return self.find(QSplitter, "sideSplitter")

    # -- the Lists tab -------------------------------------------------------------------------

    def _lists_finished(self) -> Any:
        """Internal: the signal that a list read, or a change and the re-read after it, ended."""
        return self.widget.lists.finished

    def load_with_lists(self, rid: str | None = None) -> Outcome:
        """Load (as :meth:`load`) and wait until the subscriptions read after it are shown;
        the outcome of that read."""
        if rid is not None:
            self.set_recipient(rid)
        with self.qtbot.waitSignal(self._lists_finished(), timeout=REQUEST_TIMEOUT_MS) as blocker:
            self.click_load()
        return _outcome(blocker.args)

    def lists_rows(self) -> list[tuple[str, ...]]:
        """The Lists tab's rows: list ID, name, since, preferences."""
        model = self.find(QTableView, "listsView").model()
        return [
            tuple(str(model.index(r, c).data()) for c in range(model.columnCount()))
            for r in range(model.rowCount())
        ]

    def lists_summary(self) -> str:
        return self.find(QLabel, "listsSummary").text()

    def show_lists_tab(self) -> None:
        tabs = self.find(QTabWidget, "outputTabs")
        tabs.setCurrentWidget(self.find(QWidget, "listsTab"))

    def set_list_id(self, list_id: str) -> None:
        self.find(QLineEdit, "listIdEdit").setText(list_id)

    def click_subscribe(self, list_id: str | None = None) -> None:
        """Enter the list ID (if given) and click Subscribe, without waiting."""
        if list_id is not None:
            self.set_list_id(list_id)
        self.find(QPushButton, "subscribeButton").click()

    def subscribe(self, list_id: str) -> Outcome:
        """Subscribe and wait until it ended (and the list was read again after it)."""
        with self.qtbot.waitSignal(self._lists_finished(), timeout=REQUEST_TIMEOUT_MS) as blocker:
            self.click_subscribe(list_id)
        return _outcome(blocker.args)

    def click_unsubscribe_all(self) -> None:
        self.find(QPushButton, "unsubscribeAllButton").click()

    def unsubscribe_all(self) -> Outcome:
        with self.qtbot.waitSignal(self._lists_finished(), timeout=REQUEST_TIMEOUT_MS) as blocker:
            self.click_unsubscribe_all()
        return _outcome(blocker.args)

    # -- the rest of the recipient: Preferences, Devices, Tenants --------------------------------

    def _users_finished(self) -> Any:
        """Internal: the signal that a read (or a write and its re-read) of a resource ended."""
        return self.widget.users().finished

    def _users_idle(self) -> bool:
        """Internal: nothing of the three tabs is being read or written."""
        users = self.widget._users
        return users is not None and not users.is_busy()

    def users_package_imported(self) -> bool:
        import sys

        return "profile_editor.ui.users.controller" in sys.modules

    def load_whole_recipient(self, rid: str | None = None) -> None:
        """Load, and wait until the profile, lists, preferences, tokens and tenants are shown."""
        if rid is not None:
            self.set_recipient(rid)
        with self.qtbot.waitSignal(self._lists_finished(), timeout=REQUEST_TIMEOUT_MS):
            self.click_load()
        self.qtbot.waitUntil(self._users_idle, timeout=REQUEST_TIMEOUT_MS)
        self.wait_idle()

    def recipient_summary(self) -> str:
        """The summary line under the recipient field, in full (it may be shown shortened)."""
        label = self.find(ElidedLabel, "recipientSummaryLabel")
        return "" if label.isHidden() else label.full_text()

    def user_tab_out_of_date(self, resource: str) -> bool:
        """The tab's rows are greyed as another recipient's (or place's, or tenant's)."""
        return not self.find(QAbstractItemView, f"{resource}View").isEnabled()

    def discard_preferences(self) -> None:
        self.find(QPushButton, "preferencesDiscardButton").click()

    def show_user_tab(self, resource: str) -> None:
        """``resource``: preferences, tokens or tenants."""
        tabs = self.find(QTabWidget, "outputTabs")
        tabs.setCurrentWidget(self.find(QWidget, f"{resource}Page"))

    def current_output_tab(self) -> str:
        """The title of the tab shown beside the editor (Changes, Lists, Devices, …)."""
        tabs = self.find(QTabWidget, "outputTabs")
        return tabs.tabText(tabs.currentIndex())

    def user_tab_summary(self, resource: str) -> str:
        return self.find(QLabel, f"{resource}Summary").text()

    def user_tab_result(self, resource: str) -> str:
        label = self.find(QLabel, f"{resource}Result")
        return "" if label.isHidden() else label.text()

    def _user_write(self, resource: str, click: Callable[[], None]) -> None:
        with self.qtbot.waitSignal(
            self._users_finished(),
            timeout=REQUEST_TIMEOUT_MS,
            check_params_cb=lambda r: r == resource,
        ):
            click()

    def _click_write(self, resource: str, button: QPushButton, wait: bool) -> None:
        if wait:
            self._user_write(resource, button.click)
        else:
            button.click()

    def preferences_rows(self) -> list[tuple[str, ...]]:
        """(section, topic, status, default, routing, digest) of every topic, in order."""
        model = self.find(QAbstractItemView, "preferencesView").model()
        rows: list[tuple[str, ...]] = []
        for s in range(model.rowCount()):
            section = model.index(s, 0)
            for r in range(model.rowCount(section)):
                cells = [str(model.index(r, c, section).data()) for c in range(5)]
                rows.append((str(section.data()), *cells))
        return rows

    def _topic_index(self, topic_name: str, column: int) -> Any:
        model = self.find(QAbstractItemView, "preferencesView").model()
        for s in range(model.rowCount()):
            section = model.index(s, 0)
            for r in range(model.rowCount(section)):
                if model.index(r, 0, section).data() == topic_name:
                    return model.index(r, column, section)
        raise AssertionError(f"no topic {topic_name!r}")

    def stage_preference(self, topic_name: str, status: str) -> None:
        """Choose a status in the table, as the status combo does."""
        model = self.find(QAbstractItemView, "preferencesView").model()
        assert model.setData(self._topic_index(topic_name, 1), status, Qt.ItemDataRole.EditRole)

    def preference_status(self, topic_name: str) -> str:
        return str(self._topic_index(topic_name, 1).data(Qt.ItemDataRole.EditRole))

    def preferences_changes(self) -> str:
        return self.find(QPlainTextEdit, "preferencesChanges").toPlainText()

    def set_preferences_tenant(self, tenant: str) -> None:
        self.find(QLineEdit, "preferencesTenantEdit").setText(tenant)

    def can_apply_preferences(self) -> bool:
        return self.find(QPushButton, "preferencesApplyButton").isEnabled()

    def apply_preferences(self, *, wait: bool = True) -> None:
        button = self.find(QPushButton, "preferencesApplyButton")
        if wait:
            self._user_write("preferences", button.click)
        else:
            button.click()

    def reset_preference(self, topic_name: str) -> None:
        view = self.find(QAbstractItemView, "preferencesView")
        view.setCurrentIndex(self._topic_index(topic_name, 0))
        self._user_write("preferences", self.find(QPushButton, "preferenceResetButton").click)

    def reset_preference_no_wait(self, topic_name: str) -> None:
        """Select the topic and click Reset to default, without waiting (for refusals)."""
        view = self.find(QAbstractItemView, "preferencesView")
        view.setCurrentIndex(self._topic_index(topic_name, 0))
        self.find(QPushButton, "preferenceResetButton").click()

    def show_topic(self, topic_id: str) -> None:
        """Read a topic that is not listed (not overridden) and show it."""
        self.find(QLineEdit, "preferenceTopicEdit").setText(topic_id)
        self._user_write("preferences", self.find(QPushButton, "preferenceTopicButton").click)

    def reload_user_tab(self, resource: str) -> None:
        self._user_write(resource, self.find(QToolButton, f"{resource}ReloadButton").click)

    def _rows(self, view_name: str) -> list[tuple[str, ...]]:
        model = self.find(QTableView, view_name).model()
        return [
            tuple(str(model.index(r, c).data()) for c in range(model.columnCount()))
            for r in range(model.rowCount())
        ]

    def tokens_rows(self) -> list[tuple[str, ...]]:
        """Token (shortened), provider, platform, app, expiry, status, reason."""
        return self._rows("tokensView")

    def tenants_rows(self) -> list[tuple[str, ...]]:
        """Tenant, profile in that tenant."""
        return self._rows("tenantsView")

    def _select_row(self, view_name: str, row: int) -> None:
        self.find(QTableView, view_name).selectRow(row)

    def add_token(self, values: dict[str, str] | None, *, wait: bool = True) -> None:
        """Add… with the form answered by ``values`` (None: cancelled)."""
        assert self.dialogs is not None
        self.dialogs.answer("ask_form", values)
        button = self.find(QPushButton, "tokenAddButton")
        self._click_write("tokens", button, wait)

    def patch_token(self, row: int, values: dict[str, str], *, wait: bool = True) -> None:
        assert self.dialogs is not None
        self.dialogs.answer("ask_form", values)
        self._select_row("tokensView", row)
        button = self.find(QPushButton, "tokenPatchButton")
        self._click_write("tokens", button, wait)

    def delete_token(self, row: int, *, wait: bool = True) -> None:
        self._select_row("tokensView", row)
        button = self.find(QPushButton, "tokenDeleteButton")
        self._click_write("tokens", button, wait)

    def add_tenant(self, values: dict[str, str] | None, *, wait: bool = True) -> None:
        assert self.dialogs is not None
        self.dialogs.answer("ask_form", values)
        button = self.find(QPushButton, "tenantAddButton")
        self._click_write("tenants", button, wait)

    def remove_tenant(self, row: int, *, wait: bool = True) -> None:
        self._select_row("tenantsView", row)
        button = self.find(QPushButton, "tenantRemoveButton")
        self._click_write("tenants", button, wait)

    # -- Paste cURL ------------------------------------------------------------------------------

    def paste_curl(self, command: str) -> None:
        """Put ``command`` on the clipboard and trigger Paste cURL (Ctrl+Shift+V)."""
        QGuiApplication.clipboard().setText(command)
        action = self.find(QAction, "pasteCurlAction")
        assert action.shortcut() == QKeySequence("Ctrl+Shift+V")
        action.trigger()

    def press_paste_curl_shortcut(self, command: str) -> None:
        """Ctrl+Shift+V typed while editing the JSON, with ``command`` on the clipboard."""
        QGuiApplication.clipboard().setText(command)
        self.widget.activateWindow()
        self.qtbot.waitUntil(self.widget.isActiveWindow)
        edit = self._json_edit()
        edit.setFocus()
        self.qtbot.keyClick(
            edit,
            Qt.Key.Key_V,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )

    def paste_into_recipient(self, text: str) -> None:
        """Paste ``text`` from the clipboard into the recipient field, replacing what it holds."""
        QGuiApplication.clipboard().setText(text)
        edit = self.find(QLineEdit, "recipientIdEdit")
        edit.setFocus()
        edit.selectAll()
        edit.paste()

    # -- environments and keys -------------------------------------------------------------

    def environment_bar(self) -> EnvironmentBar:
        return self.find(EnvironmentBar, "environmentBand")

    def environment_names(self) -> list[str]:
        combo = self.find(QComboBox, "environmentCombo")
        return [combo.itemText(i) for i in range(combo.count())]

    def choose_environment(self, name: str) -> None:
        combo = self.find(QComboBox, "environmentCombo")
        index = combo.findText(name)
        assert index >= 0, name
        combo.setCurrentIndex(index)
        self.wait_keychain()

    def wait_keychain(self) -> None:
        """Internal: until the keychain (asked on a worker) has answered every lookup."""
        keys = self.widget.keys
        self.qtbot.waitUntil(lambda: not keys.is_looking_up(), timeout=5000)

    def environment_shown(self) -> str:
        """The name in the environment combo."""
        return self.find(QComboBox, "environmentCombo").currentText()

    def environment(self) -> Environment | None:
        """The active environment."""
        return self.environment_bar().active()

    def environment_url(self) -> str:
        """The base URL on the band (in full, however it is elided)."""
        return self.find(ElidedLabel, "environmentUrlLabel").full_text()

    def protected_badge_visible(self) -> bool:
        return self.find(QLabel, "protectedBadge").isVisible()

    def key_notice(self) -> ElidedLabel:
        return self.find(ElidedLabel, "keyNoticeLabel")

    def base_url(self) -> str:
        """Internal: where requests go, as the window works it out."""
        return self.widget.base_url

    def keychain(self) -> KeyVault:
        """Internal: the keychain the window keeps keys in (once the start's lookups, which
        open it on a worker, have answered: a keychain in memory is one per opening)."""
        self.wait_keychain()
        return self.widget.keys.vault

    # -- presets -------------------------------------------------------------------------------

    def presets(self) -> PresetsPanel:
        return self.find(PresetsPanel, "presetsPanel")

    def presets_dir(self) -> Path:
        return self.data_dir / "presets"

    def preset_files(self) -> list[Path]:
        return sorted(self.presets_dir().glob("*.json"))

    def save(self) -> None:
        """Save preset (Ctrl+S): to the open preset, or under a name asked for."""
        self._action("Ctrl+S").trigger()

    def save_as(self) -> None:
        """Save preset as (Ctrl+Shift+S)."""
        self._action("Ctrl+Shift+S").trigger()

    def press_save_shortcut(self) -> None:
        """Ctrl+S typed while editing the JSON, as a user would."""
        self.widget.activateWindow()
        self.qtbot.waitUntil(self.widget.isActiveWindow)
        edit = self._json_edit()
        edit.setFocus()
        self.qtbot.keyClick(edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    def save_preset(self, name: str) -> Path:
        """Save the editor as a new preset called ``name`` through "Save as"; its file."""
        assert self.dialogs is not None, "saving under a name needs the dialog stub"
        before = set(self.preset_files())
        self.dialogs.answer("ask_text", name)
        self.save_as()
        self.dialogs.answer("ask_text", None)
        created = set(self.preset_files()) - before
        assert len(created) == 1, created
        return created.pop()

    def new_preset(self) -> None:
        self.presets().new_action.trigger()

    def open_preset(self, path: Path) -> None:
        """Select the preset's row and activate it, as a double-click or Enter would."""
        panel = self.presets()
        assert panel.select_path(path)
        panel.view.activated.emit(panel.view.currentIndex())

    def open_preset_path(self) -> Path | None:
        """The preset the window has open, as the presets list marks it."""
        return self.presets().model.current_path()

    def is_dirty(self) -> bool:
        """Internal: unsaved changes against the open preset (the title's "*" says so too)."""
        return self.widget.document.is_dirty()

    # -- what the editor knows: completion, problems, patch ------------------------------------

    def _json_completer(self) -> QCompleter:
        edit = self._json_edit()
        [completer] = [c for c in self.widget.findChildren(QCompleter) if c.widget() is edit]
        return completer

    @staticmethod
    def _popup(completer: QCompleter) -> QAbstractItemView:
        popup = completer.popup()
        assert popup is not None
        return popup

    @staticmethod
    def _offered(completer: QCompleter) -> list[str]:
        model = completer.completionModel()
        return [str(model.index(row, 0).data(KEY_ROLE)) for row in range(model.rowCount())]

    def _accept(self, completer: QCompleter, key: str) -> None:
        popup = self._popup(completer)
        assert popup.isVisible(), "no completion popup"
        offered = self._offered(completer)
        assert key in offered, offered
        popup.setCurrentIndex(completer.completionModel().index(offered.index(key), 0))
        self.qtbot.keyClick(popup, Qt.Key.Key_Return)

    def show_json_tab(self) -> None:
        self.find(QTabWidget, "profileTabs").setCurrentIndex(1)

    def show_fields_tab(self) -> None:
        self.find(QTabWidget, "profileTabs").setCurrentIndex(0)

    def current_editor_tab(self) -> str:
        tabs = self.find(QTabWidget, "profileTabs")
        return tabs.tabText(tabs.currentIndex())

    def type_in_json(self, text: str, *, at: int | None = None) -> None:
        """Type ``text`` key by key in the JSON tab, at character ``at`` (default: the end)."""
        self.show_json_tab()
        edit = self._json_edit()
        edit.setFocus()
        cursor = edit.textCursor()
        if at is None:
            cursor.movePosition(QTextCursor.MoveOperation.End)
        else:
            cursor.setPosition(at)
        edit.setTextCursor(cursor)
        for number, line in enumerate(text.split("\n")):
            if number:
                self.qtbot.keyClick(edit, Qt.Key.Key_Return)
            self.qtbot.keyClicks(edit, line)

    def ask_json_completion(self) -> None:
        """Ctrl+Space in the JSON tab, where the cursor is."""
        self.qtbot.keyClick(
            self._json_edit(), Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier
        )

    def json_completions(self) -> list[str]:
        """The keys the JSON tab's completion popup offers now ([] when it is hidden)."""
        completer = self._json_completer()
        return self._offered(completer) if self._popup(completer).isVisible() else []

    def accept_json_completion(self, key: str) -> None:
        """Pick ``key`` in the JSON tab's popup and press Return."""
        self._accept(self._json_completer(), key)

    def json_cursor(self) -> tuple[int, int]:
        """1-based line and column of the JSON tab's cursor."""
        cursor = self._json_edit().textCursor()
        return cursor.blockNumber() + 1, cursor.positionInBlock() + 1

    def _key_cell_editor(self) -> QLineEdit:
        view = self.find(QTableView, "fieldsView")
        editors = [e for e in view.findChildren(QLineEdit) if e.isVisible()]
        assert len(editors) == 1, f"{len(editors)} cell editors open"
        return editors[0]

    def add_field_typing_key(self, text: str) -> None:
        """Add a row (the toolbar button) and type ``text`` into its Key cell, not committed."""
        self.show_fields_tab()
        self.find(QToolButton, "addFieldButton").click()
        self.qtbot.waitUntil(lambda: self._visible_cell_editors() == 1)
        self.qtbot.keyClicks(self._key_cell_editor(), text)

    def _visible_cell_editors(self) -> int:
        view = self.find(QTableView, "fieldsView")
        return len([e for e in view.findChildren(QLineEdit) if e.isVisible()])

    def key_cell_completions(self) -> list[str]:
        completer = self._key_cell_editor().completer()
        assert completer is not None
        return self._offered(completer) if self._popup(completer).isVisible() else []

    def accept_key_cell_completion(self, key: str) -> None:
        completer = self._key_cell_editor().completer()
        assert completer is not None
        self._accept(completer, key)
        self.qtbot.waitUntil(lambda: self._visible_cell_editors() == 0)

    def commit_key_cell(self) -> None:
        """Press Return in the open Key cell editor."""
        self.qtbot.keyClick(self._key_cell_editor(), Qt.Key.Key_Return)
        self.qtbot.waitUntil(lambda: self._visible_cell_editors() == 0)

    def fields_rows(self) -> list[tuple[str, str, str]]:
        """Key, type and value text of each row of the Fields tab, as shown."""
        model = self.fields_model()
        return [
            tuple(str(model.index(row, column).data()) for column in range(3))  # type: ignore[misc]
            for row in range(model.rowCount())
        ]

    def current_field_key(self) -> str:
        view = self.find(QTableView, "fieldsView")
        index = view.currentIndex()
        return str(index.sibling(index.row(), 0).data()) if index.isValid() else ""

    def _problems_view(self) -> QTreeWidget:
        return self.find(QTreeWidget, "problemsView")

    def problems(self) -> list[tuple[str, str, str]]:
        """Severity, where and message of each entry of the Problems list."""
        view = self._problems_view()
        items = [view.topLevelItem(i) for i in range(view.topLevelItemCount())]
        return [(i.text(0), i.text(1), i.text(2)) for i in items if i is not None]

    def wait_problems(self, check: Callable[[list[tuple[str, str, str]]], bool]) -> None:
        """Until the Problems list (checked a moment after typing) satisfies ``check``."""
        self.qtbot.waitUntil(lambda: check(self.problems()))

    def problems_header(self) -> str:
        return self.find(QLabel, "problemsHeader").text()

    def activate_problem(self, where: str) -> None:
        """Press Return on the first entry of the Problems list whose Where is ``where``."""
        view = self._problems_view()
        for i in range(view.topLevelItemCount()):
            item = view.topLevelItem(i)
            if item is not None and item.text(1) == where:
                view.setFocus()
                view.setCurrentItem(item)
                self.qtbot.keyClick(view.viewport(), Qt.Key.Key_Return)
                return
        raise AssertionError(f"no problem at {where!r}: {self.problems()}")

    def _patch_edit(self) -> QPlainTextEdit:
        return self.find(QPlainTextEdit, "patchJsonEdit")

    def patch_editor_shown(self) -> bool:
        return self._patch_edit().isVisible()

    def set_patch_text(self, text: str) -> None:
        """Put ``text`` in the Patch editor and wait for it to be checked (the method must be
        Patch for the editor to be shown)."""
        editor = self.find(PatchEditor, "patchEditor")
        with self.qtbot.waitSignal(editor.patchChanged):
            self._patch_edit().setPlainText(text)

    def type_patch_text(self, text: str) -> None:
        """Put ``text`` in the Patch editor without waiting: not parsed until its pause ends."""
        self._patch_edit().setPlainText(text)

    def can_undo_profile(self) -> bool:
        """Whether the profile editor's Undo (in the Edit menu) is enabled."""
        return self.find(QAction, "undoAction").isEnabled()

    def patch_text(self) -> str:
        return self._patch_edit().toPlainText()

    def patch_cursor(self) -> tuple[int, int]:
        cursor = self._patch_edit().textCursor()
        return cursor.blockNumber() + 1, cursor.positionInBlock() + 1

    def patch_ops_shown(self) -> list[tuple[str, str, str, str]]:
        """The read-only list of ops under the Patch text: index, op, path, value or from."""
        view = self.find(QTreeWidget, "patchOpsView")
        items = [view.topLevelItem(i) for i in range(view.topLevelItemCount())]
        return [(i.text(0), i.text(1), i.text(2), i.text(3)) for i in items if i is not None]

    def reopen_history(self, row: int) -> None:
        """Activate row ``row`` of the history (newest first): it re-opens in the editor."""
        view = self.find(QTableView, "historyView")
        self.history().flush()  # Internal: as in history_cells
        view.activated.emit(view.model().index(row, 0))

    def screenshot(self, path: Path) -> None:
        """Save what the window shows as a PNG."""
        assert self.widget.grab().save(str(path))

    # -- history -------------------------------------------------------------------------------

    def history(self) -> HistoryPanel:
        return self.find(HistoryPanel, "historyPanel")

    def history_cells(self, column: int) -> list[str]:
        """The history table's column, once a query the filters started has answered."""
        panel = self.history()
        self.qtbot.waitUntil(lambda: not panel.is_querying(), timeout=5000)
        self.widget.recorder.flush()  # a burst of requests is recorded together
        panel.flush()  # Internal: entries of a burst of sends are shown together
        model = self.find(QTableView, "historyView").model()
        return [str(model.index(row, column).data()) for row in range(model.rowCount())]

    def wait_history_loaded(self) -> None:
        """Until the log read at start-up (queued once the window shows) has been shown."""
        panel = self.history()
        # Internal (to the panel): its load counter; `loaded` is not emitted when a read fails.
        self.qtbot.waitUntil(lambda: panel._generation > 0 and not panel.is_loading(), timeout=5000)

    def history_log(self) -> HistoryStore:
        """Internal: the history database the window writes to."""
        return self.widget.history_log

    # -- lifetime --------------------------------------------------------------------------------

    def history_lines(self) -> list[dict[str, Any]]:
        """The history database's entries as exported lines, oldest first, read by a
        connection of the test's own (entries are written off the UI thread)."""
        from profile_editor.storage.history import entry_to_line

        path = self.history_log().path
        if not path.exists():
            return []
        store = HistoryStore(path)
        try:
            entries = store.entries()
        finally:
            store.close()
        return [json.loads(entry_to_line(e)) for e in reversed(entries)]

    def close(self) -> bool:
        """Close the window as a user would; False when it stayed open."""
        return self.widget.close()

    def jobs_running(self) -> int:
        """Internal: background jobs of the window not yet finished."""
        controller = self.widget.controller
        return controller.runner.active_count() + controller.requests.active_count()

    def threads_running(self) -> int:
        """Internal: threads of the window's pool still busy, and its request and history
        writer threads if alive."""
        controller = self.widget.controller
        return (
            controller.runner._pool.activeThreadCount()
            + controller.requests.is_alive()
            + self.widget.recorder.writer_alive()
        )


MakeWindow = Callable[..., WindowDriver]


def _outcome(args: list[Any] | None) -> Outcome:
    assert args is not None
    outcome = args[0]
    assert isinstance(outcome, Outcome)
    return outcome
