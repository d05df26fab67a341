"""A one-line question (a preset's name, a key path) whose OK stays disabled while it is blank.

``QInputDialog.getText`` accepts an empty answer; callers then had to treat it as a cancel, so a
user who pressed OK on a blank name saw their save quietly not happen.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

__all__ = ["TextDialog"]

MIN_WIDTH = 360


class TextDialog(QDialog):
    """Label, line edit, a hint that shows while the text is blank, OK and Cancel."""

    def __init__(
        self, parent: QWidget | None, title: str, label: str, text: str = "", hint: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("textDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(MIN_WIDTH)
        self.label = QLabel(label, self)
        self.edit = QLineEdit(text, self)
        self.edit.setObjectName("textDialogEdit")
        self.edit.selectAll()
        self.label.setBuddy(self.edit)
        self._hint = hint or "It cannot be blank."
        self.hint = QLabel(self)
        self.hint.setObjectName("textDialogHint")
        self.hint.setProperty("tone", "error")  # coloured by app.qss
        self.hint.setWordWrap(True)
        # The line keeps its height when the hint goes: the buttons do not jump under the mouse.
        self.hint.setMinimumHeight(self.fontMetrics().height())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.edit)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self.on_text_changed)
        self.on_text_changed(text)

    def value(self) -> str:
        """The answer, trimmed."""
        return self.edit.text().strip()

    def ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def on_text_changed(self, _text: str) -> None:
        blank = not self.value()
        self.ok_button().setEnabled(not blank)
        self.hint.setText(self._hint if blank else "")
        self.edit.setAccessibleDescription(self._hint if blank else "")

    def accept(self) -> None:
        if self.value():  # Enter on a blank line does nothing, as the disabled OK
            super().accept()
