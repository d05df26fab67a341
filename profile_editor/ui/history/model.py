"""The history table's model and how an entry reads in it: cells, labels, the details text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QWidget

from profile_editor.core.profile.jsoncodec import dumps_pretty
from profile_editor.storage.history import HistoryEntry
from profile_editor.ui.common.palette import Palette, current, theme

ModelIndex = QModelIndex | QPersistentModelIndex

COLUMNS = ("Time", "Env", "Method", "Recipient", "Status", "Outcome", "Duration")
(
    TIME_COLUMN,
    ENV_COLUMN,
    METHOD_COLUMN,
    RECIPIENT_COLUMN,
    STATUS_COLUMN,
    OUTCOME_COLUMN,
    DURATION_COLUMN,
) = range(len(COLUMNS))
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
BURST_MS = 100
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_OTHER_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
        ENTRY_ROLE,
    )
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
RIGHT_ALIGNED_COLUMNS = frozenset((STATUS_COLUMN, DURATION_COLUMN))
COLORED_COLUMNS = frozenset((STATUS_COLUMN, OUTCOME_COLUMN))  # coloured by the outcome
# (label, value for filter_entries)
STATUS_FILTERS = (
    ("All", "all"),
    ("2xx", "2xx"),
    ("4xx", "4xx"),
    ("5xx", "5xx"),
    ("Network/other error", "error"),
)

OUTCOME_LABELS = {
    "success": "Success",
    "api_error": "API error",
    "network_error": "Network error",
    "cancelled": "Cancelled",
}
# A multi-megabyte body would make the details pane sluggish and nobody reads that far.
DETAIL_SECTION_CHARS = 200_000
CELL_CHARS = 200


def local_time(entry: HistoryEntry) -> str:
    return entry.time.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def format_duration(ms: float) -> str:
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms / 60_000:.1f} min"


def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " ").capitalize())


def _status_color(entry: HistoryEntry) -> QColor:
    colors = current()
    if entry.status is None:
        return QColor(colors.muted if entry.outcome == "cancelled" else colors.bad)
    if entry.status < 300:
        return QColor(colors.good)
    if entry.status < 500:
        return QColor(colors.warn)
    return QColor(colors.bad)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pretty(value: Any) -> str:
    try:
        text = dumps_pretty(value)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > DETAIL_SECTION_CHARS:
        text = (
            text[:DETAIL_SECTION_CHARS]
            + f"\n… ({len(text) - DETAIL_SECTION_CHARS} more characters)"
        )
    return text


# A list subscription change is named by what it did: "POST" alone would read as a profile merge.
_LISTS_LABELS = {"POST": "Subscribe", "DELETE": "Unsubscribe all", "GET": "Read lists"}


def method_label(entry: HistoryEntry) -> str:
    """The Method column: the HTTP method, or what a list request did."""
    if entry.is_lists:
        return _LISTS_LABELS.get(entry.method, f"{entry.method} lists")
    if entry.resource != "profile":  # "PUT preferences", "DELETE tokens"
        return f"{entry.method} {entry.resource}"
    return entry.method


def describe_entry(entry: HistoryEntry) -> str:
    """The details pane text: the request, how it ended, its body and the profile around it."""
    status = str(entry.status) if entry.status is not None else "no HTTP status"
    lines = [
        f"{entry.method} {entry.base_url.rstrip('/')}{entry.path}",
        f"Recipient: {entry.recipient_id}"
        + (" · list subscriptions (re-open does not apply)" if entry.is_lists else "")
        + (
            f" · {entry.resource} (re-open does not apply)"
            if entry.resource not in ("profile", "lists")
            else ""
        ),
        f"Time: {entry.time.astimezone().strftime('%Y-%m-%d %H:%M:%S %Z (UTC%z)')}",
        f"Environment: {entry.environment or '—'}",
        f"Result: {status} · {outcome_label(entry.outcome)} · {format_duration(entry.duration_ms)}",
    ]
    if entry.message:
        lines.append(f"Message: {entry.message}")
    lines.append("")
    if entry.request_body is None:
        lines.append("Request body: none")
    else:
        lines += ["Request body:", _pretty(entry.request_body)]
    if entry.profile_before is not None:
        lines += ["", "Profile before:", _pretty(entry.profile_before)]
    if entry.profile_after is not None:
        lines += ["", "Profile after:", _pretty(entry.profile_after)]
    return "\n".join(lines)


class HistoryModel(QAbstractTableModel):
    """History entries, newest first (row 0 is the most recent).

    Over the database it holds the pages read so far: when the view scrolls near the end it
    calls :meth:`fetchMore`, which asks ``more`` (set by the panel) for the next page on a worker;
    the page comes back through :meth:`append_page`. The UI thread never waits for it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[HistoryEntry] = []
        # Each cell's text and text colour (None: the palette's), by entry id; the colours
        # follow the theme.
        self._cells: dict[str, tuple[tuple[str | None, QColor | None], ...]] = {}
        self._has_more = False
        self._fetching = False
        self.more: Callable[[], None] | None = None
        theme().follow(self, self.on_theme_changed)

    def on_theme_changed(self, _colors: Palette) -> None:
        self._cells.clear()  # the views repaint with the new palette

    def set_has_more(self, has_more: bool) -> None:
        self._has_more = has_more
        self._fetching = False

    def has_more(self) -> bool:
        return self._has_more

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._has_more and not self._fetching

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent) and self.more is not None:
            self._fetching = True
            self.more()

    def append_page(self, entries: list[HistoryEntry], has_more: bool) -> None:
        """Older entries below the ones shown (a page read from the database)."""
        known = {e.id for e in self._entries[-len(entries) - 50 :]} if entries else set()
        fresh = [e for e in entries if e.id not in known]
        if fresh:
            first = len(self._entries)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._entries.extend(fresh)
            self.endInsertRows()
        self.set_has_more(has_more)

    def replace_entry(self, entry: HistoryEntry) -> None:
        """Put the full ``entry`` (bodies read) in place of the one with its id."""
        row = self.row_of_id(entry.id)
        if row >= 0:
            self._entries[row] = entry

    def set_entries(self, entries: Iterable[HistoryEntry], *, has_more: bool = False) -> None:
        # Stable: entries with the same time keep the given (log) order.
        ordered = sorted(entries, key=lambda e: e.time, reverse=True)
        self.beginResetModel()
        self._entries = ordered
        self._cells.clear()
        self.set_has_more(has_more)
        self.endResetModel()

    def prepend(self, entries: list[HistoryEntry]) -> None:
        """Put ``entries`` (newest first) on top, in one insertion."""
        if not entries:
            return
        self.beginInsertRows(QModelIndex(), 0, len(entries) - 1)
        self._entries[:0] = entries
        self.endInsertRows()

    def entries(self) -> list[HistoryEntry]:
        return list(self._entries)

    def entry(self, row: int) -> HistoryEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of_id(self, entry_id: str) -> int:
        return next((i for i, e in enumerate(self._entries) if e.id == entry_id), -1)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    # No flags(): a table model's own (enabled, selectable, no children) are the rows', and a
    # Python override costs three calls into Python per cell on every repaint.

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt's delegate asks for seven roles for each cell it paints (the table's own delegate
        # leaves it the selected row, hovered cells and other styles: see cells.py): roles it
        # has nothing for (four of the seven) return before the index is read; the rest are
        # plain int compares and cached strings.
        if role != _DISPLAY and role not in _OTHER_ROLES:
            return None
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._entries):
            return None
        entry = self._entries[row]
        column = index.column()
        if role == _DISPLAY:
            return self._row_cells(entry)[column][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME_COLUMN:
                return entry.time.astimezone().isoformat(timespec="seconds")
            if column == ENV_COLUMN:
                return entry.base_url
            if column == RECIPIENT_COLUMN:
                return _clip(entry.recipient_id, 2000)
            if column in (STATUS_COLUMN, OUTCOME_COLUMN) and entry.message:
                return _clip(entry.message, 2000)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column in COLORED_COLUMNS:
            return QBrush(self._row_cells(entry)[column][1])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in RIGHT_ALIGNED_COLUMNS:
            return _RIGHT
        if role == ENTRY_ROLE:
            return entry
        return None

    def cell(self, row: int, column: int) -> tuple[str | None, QColor | None]:
        """What the cell at ``row``, ``column`` reads (its DisplayRole), and the colour of its
        text when it is not the palette's (its ForegroundRole): one call a cell on a repaint."""
        return self._row_cells(self._entries[row])[column]

    def _row_cells(self, entry: HistoryEntry) -> tuple[tuple[str | None, QColor | None], ...]:
        cells = self._cells.get(entry.id)
        if cells is None:
            color = _status_color(entry)
            cells = tuple(
                (self._display(entry, c), color if c in COLORED_COLUMNS else None)
                for c in range(len(COLUMNS))
            )
            self._cells[entry.id] = cells
        return cells

    @staticmethod
    def _display(entry: HistoryEntry, column: int) -> str | None:
        if column == TIME_COLUMN:
            return local_time(entry)
        if column == ENV_COLUMN:
            return entry.environment or "—"
        if column == METHOD_COLUMN:
            return method_label(entry)
        if column == RECIPIENT_COLUMN:
            return _clip(" ".join(entry.recipient_id.split()), CELL_CHARS)
        if column == STATUS_COLUMN:
            return str(entry.status) if entry.status is not None else "—"
        if column == OUTCOME_COLUMN:
            return outcome_label(entry.outcome)
        if column == DURATION_COLUMN:
            return format_duration(entry.duration_ms)
        return None
