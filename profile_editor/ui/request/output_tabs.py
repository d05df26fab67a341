"""The tabs beside the editor: what sending will change, the request, the last answer, and the
rest of the recipient (lists, preferences, devices, tenants).

The window's first frame shows the Changes tab; the Request, Response and Lists pages are built
right after it (:meth:`OutputTabs.finish`), each in its tab's place; the Preferences, Devices and
Tenants pages when first shown (:meth:`OutputTabs.add_deferred_tab`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget
from shiboken6 import delete as delete_now

from profile_editor.ui.common.resources import icon
from profile_editor.ui.request.changes_view import ChangesView

if TYPE_CHECKING:
    from profile_editor.ui.lists.tab import ListsTab

__all__ = ["OutputTabs"]


class OutputTabs(QTabWidget):
    """Changes, Request (preview with the key masked, Copy as cURL), Response and Lists.

    Signals:
        copyCurlRequested(): the user asked for the request as a cURL command.
    """

    copyCurlRequested = Signal()

    request_preview: QPlainTextEdit
    copy_curl_button: QPushButton
    response_view: QPlainTextEdit
    lists_tab: ListsTab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outputTabs")
        self.changes_view = ChangesView(self)
        self.addTab(self.changes_view, "Changes")
        for title in ("Request", "Response", "Lists"):
            self.addTab(QWidget(self), title)  # the page is built by finish()
        self._request_page: QWidget | None = None
        self._make_preview: Callable[[], str] | None = None
        self._make_response: Callable[[], str] | None = None
        # Pages whose content is built when first shown: page → what builds it.
        self._deferred: dict[QWidget, Callable[[QWidget], None]] = {}
        # Tabs about the recipient beyond the profile: a Load leaves the user looking at them.
        self._recipient_pages: set[QWidget] = set()

    def finish(self) -> None:
        """Build the Request, Response and Lists pages in their tabs' places."""
        if self._request_page is not None:
            return
        from profile_editor.ui.lists.tab import ListsTab

        request_page = QWidget(self)
        layout = QVBoxLayout(request_page)
        layout.setContentsMargins(6, 6, 6, 6)
        self.request_preview = QPlainTextEdit(request_page)
        self.request_preview.setObjectName("requestPreview")
        self.request_preview.setReadOnly(True)
        self.request_preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.copy_curl_button = QPushButton(icon("copy"), "Copy as cURL", request_page)
        self.copy_curl_button.setObjectName("copyCurlButton")
        self.copy_curl_button.setToolTip(
            "The command reads the key from $COURIER_API_KEY. Paste cURL (Ctrl+Shift+V) loads one."
        )
        layout.addWidget(self.request_preview, 1)
        layout.addWidget(self.copy_curl_button, 0, Qt.AlignmentFlag.AlignRight)

        self.response_view = QPlainTextEdit(self)
        self.response_view.setObjectName("responseView")
        self.response_view.setReadOnly(True)
        self.response_view.setPlaceholderText("The answer to the last request appears here.")
        self.lists_tab = ListsTab(self)
        shown = self.currentIndex()
        blocked = self.blockSignals(True)  # the tab shown stays; nothing changed for the user
        try:
            for index, page in enumerate((request_page, self.response_view, self.lists_tab), 1):
                placeholder, title = self.widget(index), self.tabText(index)
                self.removeTab(index)
                self.insertTab(index, page, title)
                if placeholder is not None:
                    delete_now(placeholder)  # now: see HistoryDock.set_panel
            self.setCurrentIndex(shown)
        finally:
            self.blockSignals(blocked)
        self.copy_curl_button.clicked.connect(self.copyCurlRequested)
        self._request_page = request_page
        self._recipient_pages.add(self.lists_tab)
        # A deferred tab shown while starting is built by the window once what builds it exists.
        self.currentChanged.connect(self._on_current_changed)

    def add_deferred_tab(self, title: str, name: str, build: Callable[[QWidget], None]) -> QWidget:
        """A tab whose content ``build(page)`` fills in when it is first shown (or
        :meth:`build_deferred` asks), so start-up neither imports nor builds it."""
        page = QWidget(self)
        page.setObjectName(name)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self._deferred[page] = build
        self._recipient_pages.add(page)
        self.addTab(page, title)
        return page

    def build_deferred(self, page: QWidget | None) -> None:
        build = self._deferred.pop(page, None) if page is not None else None
        if page is not None and build is not None:
            build(page)

    def _on_current_changed(self, _index: int) -> None:
        current = self.currentWidget()
        if current in self._deferred:
            self.build_deferred(current)
        if current is self._request_page:
            self._refresh_preview()
        elif current is self.response_view:
            self._refresh_response()

    def show_preview(self, make: Callable[[], str]) -> None:
        """The request preview, made when the Request tab is shown: for a large profile making it
        costs tens of milliseconds, which edits and sends should not pay while it is hidden."""
        self._make_preview = make
        if self.currentWidget() is self._request_page:
            self._refresh_preview()

    def _refresh_preview(self) -> None:
        make, self._make_preview = self._make_preview, None
        if make is not None:
            text = make()
            if self.request_preview.toPlainText() != text:
                self.request_preview.setPlainText(text)

    def show_response(self, make: Callable[[], str], *, raise_tab: bool = False) -> None:
        """The answer to the last request, made when the Response tab is shown (or raised): a
        burst of sends with the tab hidden does not format each answer for nobody."""
        self._make_response = make
        if raise_tab and self.currentWidget() is not self.response_view:
            self.setCurrentWidget(self.response_view)  # which makes it
        elif self.currentWidget() is self.response_view:
            self._refresh_response()

    def _refresh_response(self) -> None:
        make, self._make_response = self._make_response, None
        if make is not None:
            text = make()
            # Repeated sends often get the same answer; re-laying out the text is wasted work.
            if self.response_view.toPlainText() != text:
                self.response_view.setPlainText(text)

    def append_response(self, text: str) -> None:
        self._refresh_response()
        self.response_view.appendPlainText(text)

    def show_changes_tab(self) -> None:
        """After a Load: the Changes tab, unless the user is reading one of the recipient's
        other tabs (Lists, Preferences, …), which the Load fills in."""
        if self.currentWidget() not in self._recipient_pages:
            self.setCurrentWidget(self.changes_view)
