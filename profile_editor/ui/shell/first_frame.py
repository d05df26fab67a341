"""Work that waits for a window's first frame, so it does not compete with painting it; and the
first frame's style: only the rules its widgets need, on those widgets."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

__all__ = ["FIRST_FRAME_STYLED", "after_first_frame", "rules_for", "style_first_frame"]

# The first frame's widgets that app.qss has rules for, by object name. Before the first paint
# each gets only the rules that can apply to it: a style sheet on the window would make Qt
# style every one of its widgets through the sheet (about 6 ms). The window gets the whole
# sheet once the first frame is painted (MainWindow.finish_start), and these give theirs up.
FIRST_FRAME_STYLED = (
    "recipientIdEdit",
    "recipientIdHint",
    "sendButton",
    "apiKeyEdit",
    "keySourceLabel",
    "noteEdit",
    "presetFilterEdit",
    "fieldsFilterEdit",
    "fieldsNoteLabel",
    "fieldsProblemLabel",
    "goToNoteLabel",
)

# A rule's selector: a type, an object name, then attributes and pseudo-states (not read here).
_SELECTOR = re.compile(r"(?P<type>[A-Za-z_]\w*)?(?:#(?P<name>[\w-]+))?(?P<rest>[\[:].*)?")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)

# A window shown minimised paints only when restored; its work must not wait that long.
FALLBACK_MS = 1000


class _AfterFirstFrame(QObject):
    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback: Callable[[], None] | None = callback
        window.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if event.type() == QEvent.Type.Paint and self._callback is not None:
            QTimer.singleShot(0, self, self._fire)  # once this frame has been painted
        return False

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is None:
            return
        self._window.removeEventFilter(self)
        callback()


def after_first_frame(window: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` once, just after ``window`` first paints (or ``FALLBACK_MS`` after this
    call if it does not)."""
    _AfterFirstFrame(window, callback)


def _rules(template: str) -> list[tuple[str, str]]:
    """``template``'s rules as (selector, whole rule)."""
    text = _COMMENT.sub("", template)
    return [
        (rule.split("{", 1)[0].strip(), rule.strip() + "}")
        for rule in text.split("}")
        if "{" in rule
    ]


def _may_apply(selector: str, widget: QWidget) -> bool:
    """Whether a rule of ``selector`` may style ``widget``, now or once a property changes: its
    type and object name match (attributes and pseudo-states are left to Qt). A selector of
    another form (several, or a descendant) is kept."""
    match = _SELECTOR.fullmatch(selector)
    if match is None:
        return True
    kind, name = match["type"], match["name"]
    return (kind is None or widget.inherits(kind)) and (name is None or name == widget.objectName())


def rules_for(widget: QWidget, template: str) -> str:
    """The rules of the style sheet ``template`` that may style ``widget``."""
    return "\n".join(rule for selector, rule in _rules(template) if _may_apply(selector, widget))


def style_first_frame(window: QWidget, style_sheet: str) -> list[QWidget]:
    """Give each of the window's :data:`FIRST_FRAME_STYLED` widgets its rules of
    ``style_sheet`` (colours filled in); returns them, to be cleared once the window has it."""
    styled = []
    for name in FIRST_FRAME_STYLED:
        widget = window.findChild(QWidget, name)
        if widget is not None:
            widget.setStyleSheet(rules_for(widget, style_sheet))
            styled.append(widget)
    return styled
