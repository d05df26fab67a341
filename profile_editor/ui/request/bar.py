"""The request bar: method, recipient ID with its hint, Load / Send / Cancel; key, note, verify."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from profile_editor.core.methods import Method
from profile_editor.core.recipient import Severity, check_recipient_id
from profile_editor.ui.common.frame_pacer import Frame, FramePacer
from profile_editor.ui.common.resources import icon
from profile_editor.ui.environments.bar import ElidedLabel

__all__ = ["METHODS", "RequestBar"]

# Method combo entries: label, method. Merge = POST, Replace = PUT, Patch = PATCH (JSON
# Patch ops), Delete = DELETE.
METHODS = (
    ("Merge (POST)", Method.POST),
    ("Replace (PUT)", Method.PUT),
    ("Patch (PATCH)", Method.PATCH),
    ("Delete (DELETE)", Method.DELETE),
)
_HINT_STATES = {Severity.OK: "ok", Severity.WARNING: "warning", Severity.ERROR: "error"}
_IDLE_HINT = "The ID travels as one URL path segment, encoded."


class RequestBar(QWidget):
    """What to send where: two rows of inputs above the editor.

    Signals:
        edited(): the recipient ID, method or note changed.
        methodChanged(object): the chosen :class:`Method`.
        keyEdited(str): the user typed in the key field.
        loadRequested(), sendRequested(), cancelRequested(): the buttons (and Enter in the ID).
    """

    edited = Signal()
    methodChanged = Signal(object)
    keyEdited = Signal(str)
    loadRequested = Signal()
    sendRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None, frame: Frame | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("requestBar")
        # Opaque (the window's own background colour): a change in a field with rounded corners
        # repaints the bar under it, not every widget up to the window, on each send.
        self.setAutoFillBackground(True)
        self.method_combo = QComboBox(self)
        self.method_combo.setObjectName("methodCombo")
        for label, method in METHODS:
            self.method_combo.addItem(label, method.value)
        # Kept here (asking the combo goes through Qt's model): every draft snapshot reads it.
        self._method = METHODS[0][1]
        self.method_combo.setToolTip(
            "Merge adds and updates keys (null removes one); Replace overwrites the whole "
            "profile; Patch applies JSON Patch operations to it; Delete removes it."
        )
        self.recipient_edit = QLineEdit(self)
        self.recipient_edit.setObjectName("recipientIdEdit")
        self.recipient_edit.setPlaceholderText(
            "Recipient ID, e.g. 0460766e-8463-4905-ae98-b72c7aef41d6"
        )
        self.recipient_edit.setClearButtonEnabled(True)
        # A new ID is painted at once after a quiet frame, else when the frame ends: IDs set
        # faster than a display shows them (sends from a script) are painted as their last,
        # not one by one at 0.03-0.1 ms each. Typing is slower than a frame. The field sits in
        # an opaque box whose updates are held meanwhile: the field's own paint is already
        # queued when its text changes, and holding the field alone would let the bar paint
        # over it; with the box held, the region keeps the previous ID until the frame ends.
        self._recipient_box = QWidget(self)
        self._recipient_box.setAutoFillBackground(True)
        box = QVBoxLayout(self._recipient_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.recipient_edit)
        self.recipient_pacer = FramePacer(self, self._end_paint_frame, frame)
        self.recipient_hint = QLabel(self)
        self.recipient_hint.setObjectName("recipientIdHint")
        self.recipient_hint.setWordWrap(True)
        self._hint_state: str | None = None  # kept here: asking the label goes through Qt
        # The rest of the recipient after a Load: lists, preferences, devices, tenants.
        # One line, shortened with "…" (all of it in the tooltip): a second line would push
        # the editor down after every Load.
        self.recipient_summary = ElidedLabel(self, Qt.TextElideMode.ElideRight)
        self.recipient_summary.setObjectName("recipientSummaryLabel")
        self.recipient_summary.hide()
        self._busy = False
        self._background_busy = False
        # Like a profile request's busy state: shown only once the work takes a while, so the
        # reads after every Load do not flicker the Cancel button.
        self._background_timer = QTimer(self)
        self._background_timer.setSingleShot(True)
        self._background_timer.setInterval(120)
        self._background_timer.timeout.connect(self._update_cancel)
        self.load_button = QPushButton(icon("load"), "Load", self)
        self.load_button.setObjectName("loadButton")
        self.load_button.setToolTip("Fetch the stored profile (Ctrl+L)")
        self.send_button = QPushButton(icon("send"), "Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setToolTip("Send the request (Ctrl+Return)")
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip("Stop waiting for the answer (Ctrl+.)")

        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("Paste a key (kept in memory only) or set COURIER_API_KEY")
        self.key_edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.key_source = QLabel(self)
        self.key_source.setObjectName("keySourceLabel")
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText("Note (saved with the preset)")
        self.verify_check = QCheckBox("Verify after send", self)
        self.verify_check.setObjectName("verifyCheck")
        self.verify_check.setChecked(True)
        self.verify_check.setToolTip(
            "Re-load the profile after a send and compare it with the preview"
        )
        self._layout()
        self._connect()
        self.on_recipient_changed("")

    def _layout(self) -> None:
        top = QHBoxLayout()
        id_box = QVBoxLayout()
        id_box.setSpacing(2)
        id_box.addWidget(self._recipient_box)
        id_box.addWidget(self.recipient_hint)
        id_box.addWidget(self.recipient_summary)
        top.addWidget(self.method_combo, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(id_box, 1)
        for button in (self.load_button, self.send_button, self.cancel_button):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        key_row = QHBoxLayout()
        key_label = QLabel("API key", self)
        key_label.setBuddy(self.key_edit)
        key_row.addWidget(key_label)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_source)
        key_row.addWidget(self.note_edit, 1)
        key_row.addWidget(self.verify_check)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(6)
        rows.addLayout(top)
        rows.addLayout(key_row)

    def _connect(self) -> None:
        self.recipient_edit.textChanged.connect(self.on_recipient_changed)
        self.recipient_edit.returnPressed.connect(self.loadRequested)
        self.method_combo.currentIndexChanged.connect(self.on_method_index_changed)
        self.note_edit.textChanged.connect(self.edited)
        self.key_edit.textEdited.connect(self.keyEdited)
        self.load_button.clicked.connect(self.loadRequested)
        self.send_button.clicked.connect(self.sendRequested)
        self.cancel_button.clicked.connect(self.cancelRequested)

    # -- reading and writing ----------------------------------------------------------------
    def recipient_id(self) -> str:
        return self.recipient_edit.text()

    def method(self) -> Method:
        return self._method

    def note(self) -> str:
        return self.note_edit.text()

    def api_key(self) -> str | None:
        return self.key_edit.text().strip() or None

    def verify(self) -> bool:
        return self.verify_check.isChecked()

    def set_request(self, recipient_id: str, method: Method, note: str) -> None:
        index = self.method_combo.findData(method.value)
        self.method_combo.setCurrentIndex(max(index, 0))
        self.recipient_edit.setText(recipient_id)
        self.note_edit.setText(note)

    def set_key(self, key: str | None, source: str) -> None:
        self.key_edit.setText(key or "")
        self.key_source.setText(source)

    def focus(self, field: str) -> None:
        """Put the focus on the input a refusal names ("recipient" or "key")."""
        (self.key_edit if field == "key" else self.recipient_edit).setFocus()

    def set_recipient_summary(self, text: str, *, stale: bool = False) -> None:
        """One line about the loaded recipient beyond its profile ("" hides it); ``stale``:
        about another recipient than the one entered now."""
        label = self.recipient_summary
        label.set_full_text(text)
        tone = "note" if stale else ""
        if label.property("tone") != tone:
            label.setProperty("tone", tone)  # coloured by app.qss
            label.style().unpolish(label)
            label.style().polish(label)
        label.setVisible(bool(text))

    def recipient_summary_text(self) -> str:
        """The summary line in full (what is shown may be shortened)."""
        return self.recipient_summary.full_text()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.send_button.setEnabled(not busy)
        self.load_button.setEnabled(not busy)
        self._update_cancel()

    def set_background_busy(self, busy: bool) -> None:
        """Reads or writes beside the profile's (lists, preferences, devices, tenants) are in
        flight: Cancel stops them too, while Load and Send stay available."""
        self._background_busy = busy
        if busy:
            if not self._background_timer.isActive():
                self._background_timer.start()
        else:
            self._background_timer.stop()
        self._update_cancel()

    def _update_cancel(self) -> None:
        shown = self._background_busy and not self._background_timer.isActive()
        self.cancel_button.setEnabled(self._busy or shown)

    # -- slots ------------------------------------------------------------------------------
    def _pace_recipient_paint(self) -> None:
        if not self.recipient_pacer.show_now():  # else painted as usual, on the next turn
            self._recipient_box.setUpdatesEnabled(False)

    def _end_paint_frame(self) -> None:
        self._recipient_box.setUpdatesEnabled(True)  # repaints the field as it is now

    def recipient_paint_pending(self) -> bool:
        """Whether the field waits for the frame's end to paint its latest ID."""
        return self.recipient_pacer.pending()

    def on_recipient_changed(self, text: str) -> None:
        self._pace_recipient_paint()
        check = check_recipient_id(text)
        state = _HINT_STATES[check.severity] if text else "idle"
        self.recipient_hint.setText(check.message if text else _IDLE_HINT)
        if state != self._hint_state:
            self._hint_state = state
            self.recipient_hint.setProperty("state", state)
            self.recipient_hint.style().unpolish(self.recipient_hint)
            self.recipient_hint.style().polish(self.recipient_hint)
        self.edited.emit()

    def on_method_index_changed(self, _index: int) -> None:
        self._method = Method(self.method_combo.currentData())
        self.methodChanged.emit(self._method)
        self.edited.emit()
