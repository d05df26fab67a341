"""The tabs beside the editor: what sending will change, the request, and the last answer."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPlainTextEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget

from profile_editor.ui.common.resources import icon
from profile_editor.ui.lists.tab import ListsTab
from profile_editor.ui.request.changes_view import ChangesView

__all__ = ["OutputTabs"]


class OutputTabs(QTabWidget):
    """Changes, Request (preview with the key masked, Copy as cURL), Response and Lists.

    Signals:
        copyCurlRequested(): the user asked for the request as a cURL command.
    """

    copyCurlRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outputTabs")
        self.changes_view = ChangesView(self)
        self.addTab(self.changes_view, "Changes")

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
        self.addTab(request_page, "Request")

        self.response_view = QPlainTextEdit(self)
        self.response_view.setObjectName("responseView")
        self.response_view.setReadOnly(True)
        self.response_view.setPlaceholderText("The answer to the last request appears here.")
        self.addTab(self.response_view, "Response")
        self.lists_tab = ListsTab(self)
        self.addTab(self.lists_tab, "Lists")
        self.copy_curl_button.clicked.connect(self.copyCurlRequested)
        self._request_page = request_page
        self._make_preview: Callable[[], str] | None = None
        self._make_response: Callable[[], str] | None = None
        # Pages whose content is built when first shown: page → what builds it.
        self._deferred: dict[QWidget, Callable[[QWidget], None]] = {}
        # Tabs about the recipient beyond the profile: a Load leaves the user looking at them.
        self._recipient_pages: set[QWidget] = {self.lists_tab}
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

    def build_deferred(self, page: QWidget) -> None:
        build = self._deferred.pop(page, None)
        if build is not None:
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
