"""``--exit-after-first-paint``: say when the window first paints, then quit.

For start-up benchmarks of a standalone build, which cannot be handed a script of its own: the
clock is the same as ``bench/startup.py``'s (a paint event of the main window).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QMainWindow

__all__ = ["FIRST_PAINT_LINE", "exit_after_first_paint"]

FIRST_PAINT_LINE = "first paint"


class _FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent, /) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow):
            app = QCoreApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
            sys.stdout.write(f"{FIRST_PAINT_LINE}\n")
            sys.stdout.flush()
            QTimer.singleShot(0, QCoreApplication.quit)
        return False


def exit_after_first_paint(app: QCoreApplication) -> None:
    app.installEventFilter(_FirstPaint(app))
