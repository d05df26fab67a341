"""A filter over the Fields table: rows whose key or value holds the text typed (any case).

A ``QSortFilterProxyModel`` with Qt's own fixed-string matching on :data:`FILTER_ROLE`, so an
empty filter costs nothing per row (the C++ side accepts every row without asking the
model) and edits through the filter reach the right row of the model.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from profile_editor.ui.editor.fields_model import FILTER_ROLE, KEY_COLUMN, FieldsModel

__all__ = ["FieldsFilterModel"]


class FieldsFilterModel(QSortFilterProxyModel):
    """The rows of a :class:`FieldsModel` that match :meth:`set_filter_text`, in model order."""

    def __init__(self, source: FieldsModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._text = ""
        self.setSourceModel(source)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterKeyColumn(KEY_COLUMN)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # A row being edited stays in view even if it no longer matches: the filter applies
        # when its text changes (and to rows added or loaded), not to every edit.
        self.setDynamicSortFilter(False)

    def set_filter_text(self, text: str) -> None:
        self._text = text
        self.setFilterFixedString(text)

    def filter_text(self) -> str:
        return self._text

    def is_filtering(self) -> bool:
        return bool(self._text)

    def source_row(self, index: QModelIndex | QPersistentModelIndex) -> int:
        """The model row of a view index, or -1."""
        if not index.isValid():
            return -1
        return self.mapToSource(index).row()

    def view_index(self, row: int, column: int = KEY_COLUMN) -> QModelIndex:
        """The view index of a model cell; invalid when the filter hides it."""
        return self.mapFromSource(self._source.index(row, column))
