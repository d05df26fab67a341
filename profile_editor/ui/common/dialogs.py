"""Every question the app asks the user goes through here: one seam for tests to patch."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


class Choice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class FormField:
    """One input of :func:`ask_form`: ``choices`` makes it a combo box (editable when
    ``editable``), ``multiline`` a text box (e.g. JSON)."""

    name: str
    label: str
    value: str
    choices: tuple[str, ...]
    editable: bool
    multiline: bool
    hint: str

    def __init__(
        self,
        name: str,
        label: str,
        value: str = "",
        choices: tuple[str, ...] = (),
        editable: bool = False,
        multiline: bool = False,
        hint: str = "",
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "editable", editable)
        object.__setattr__(self, "multiline", multiline)
        object.__setattr__(self, "hint", hint)

    def _key(self) -> tuple[Any, ...]:
        return (
            self.name,
            self.label,
            self.value,
            self.choices,
            self.editable,
            self.multiline,
            self.hint,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FormField) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(name={self.name!r}, label={self.label!r}, value={self.value!r}, choices={self.choices!r}, editable={self.editable!r}, multiline={self.multiline!r}, hint={self.hint!r})"


# Qt dialog classes are imported on first use: start-up does not need them.


def confirm(
    parent: QWidget | None, title: str, text: str, details: str = "", *, ok: str = "OK"
) -> bool:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=parent)
    box.setObjectName("confirmDialog")
    # Wide enough that a base URL is not broken across lines.
    box.setStyleSheet("QLabel { min-width: 460px; }")
    if details:
        box.setInformativeText(details)
    go = box.addButton(ok, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


def ask_save_discard_cancel(
    parent: QWidget | None, title: str, text: str, *, save: str = "Save"
) -> Choice:
    """``save``: the Save button's text, saying what it does ("Save as preset…" asks a name)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setObjectName("saveDiscardDialog")
    save_button = box.addButton(save, QMessageBox.ButtonRole.AcceptRole)
    discard_button = box.addButton(QMessageBox.StandardButton.Discard)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save_button)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is save_button:
        return Choice.SAVE
    if clicked is discard_button:
        return Choice.DISCARD
    return Choice.CANCEL


def ask_discard(parent: QWidget | None, title: str, text: str) -> bool:
    from PySide6.QtWidgets import QMessageBox

    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def ask_text(
    parent: QWidget | None, title: str, label: str, text: str = "", *, hint: str = ""
) -> str | None:
    """A non-blank line, trimmed, or None when cancelled: OK is disabled while the line is
    blank and ``hint`` says what to type."""
    from profile_editor.ui.common.text_dialog import TextDialog

    dialog = TextDialog(parent, title, label, text, hint)
    try:
        return dialog.value() if dialog.exec() else None
    finally:
        dialog.deleteLater()


def inform(parent: QWidget | None, title: str, text: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(parent, title, text)


def ask_save_path(parent: QWidget | None, title: str, suggested: str, filters: str) -> Path | None:
    """Where to write a file (``filters`` as Qt spells them), or None if the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


def ask_open_path(parent: QWidget | None, title: str, filters: str) -> Path | None:
    """The file to read, or None if the user cancels."""
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def ask_form(
    parent: QWidget | None, title: str, text: str, fields: list[FormField], *, ok: str = "OK"
) -> dict[str, str] | None:
    """What the user entered in each field (by name, as typed), or None when cancelled.

    Checking is the caller's: it opens the form again with what was typed when it is wrong.
    """
    from profile_editor.ui.common.form_dialog import FormDialog

    dialog = FormDialog(parent, title, text, fields, ok)
    try:
        return dialog.values() if dialog.exec() else None
    finally:
        dialog.deleteLater()
