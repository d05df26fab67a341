"""A small form of labelled inputs (lines, choices, a JSON box), behind ``dialogs.ask_form``."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from profile_editor.ui.common.dialogs import FormField

__all__ = ["FormDialog"]


class FormDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, title: str, text: str, fields: list[FormField], ok: str
    ) -> None:
        super().__init__(parent)
        self.setObjectName("formDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        if text:
            label = QLabel(text, self)
            label.setWordWrap(True)
            label.setObjectName("formText")
            layout.addWidget(label)
        form = QFormLayout()
        self._inputs: dict[str, QLineEdit | QComboBox | QPlainTextEdit] = {}
        for field in fields:
            widget: QLineEdit | QComboBox | QPlainTextEdit
            if field.choices:
                widget = QComboBox(self)
                widget.addItems(list(field.choices))
                widget.setEditable(field.editable)
                if field.value in field.choices:
                    widget.setCurrentText(field.value)
                elif field.editable:
                    widget.setEditText(field.value)
            elif field.multiline:
                widget = QPlainTextEdit(field.value, self)
                widget.setPlaceholderText(field.hint)
                widget.setTabChangesFocus(True)
            else:
                widget = QLineEdit(field.value, self)
                widget.setPlaceholderText(field.hint)
            widget.setObjectName(f"form_{field.name}")
            widget.setAccessibleName(field.label)
            if field.hint:
                widget.setToolTip(field.hint)
            form.addRow(field.label, widget)
            self._inputs[field.name] = widget
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, widget in self._inputs.items():
            if isinstance(widget, QComboBox):
                out[name] = widget.currentText()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText()
            else:
                out[name] = widget.text()
        return out
