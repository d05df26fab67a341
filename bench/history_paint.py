"""One repaint of the history table, as each burst of sends repaints it: the table's own cell
painting against Qt's item delegate on the same cells, in the same window.

    python bench/history_paint.py [--repaints 300] [--rounds 7]

The window is the app's, shown at its size, its history holding 60 sends (five rows in view, as
in the window's default layout). Rounds alternate between the two delegates; medians of each
round's median repaint are compared.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import median, report
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QWidget

from profile_editor.app import create_main_window
from profile_editor.storage.history import HistoryEntry
from profile_editor.ui.common import dialogs
from profile_editor.ui.shell.main_window import MainWindow


def repaint_us(viewport: QWidget, n: int) -> float:
    """The median time of one repaint of ``viewport``, in µs."""
    for _ in range(20):
        viewport.repaint()
    took = []
    for _ in range(n):
        start = time.perf_counter()
        viewport.repaint()
        took.append(time.perf_counter() - start)
    return median(took) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repaints", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    app = QApplication([])
    dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
    window = create_main_window(
        base_url="http://127.0.0.1:9", auth_token="bench", data_dir=Path(tempfile.mkdtemp())
    )
    assert isinstance(window, MainWindow)
    window.show()
    deadline = time.perf_counter() + 10
    while not hasattr(window, "history_panel") and time.perf_counter() < deadline:
        app.processEvents()  # the dock is built after the first frame
    panel = window.history_panel
    statuses = (200, 200, 200, 404, 500, None)
    for i in range(60):
        status = statuses[i % len(statuses)]
        outcome = "success" if status == 200 else "api_error" if status else "network_error"
        panel.add_entry(
            HistoryEntry(
                base_url="https://api.courier.com",
                environment="Production",
                method="POST",
                recipient_id=f"user-{i}",
                status=status,
                outcome=outcome,
                duration_ms=0.4 + i,
            )
        )
    panel.flush()
    for _ in range(50):
        app.processEvents()
    view, viewport = panel.view, panel.view.viewport()
    ours, qt = view.itemDelegate(), QStyledItemDelegate(view)
    times: dict[str, list[float]] = {"ours": [], "qt": []}
    for _ in range(args.rounds):
        for name, delegate in (("qt", qt), ("ours", ours)):
            view.setItemDelegate(delegate)
            times[name].append(repaint_us(viewport, args.repaints))
    view.setItemDelegate(ours)
    rows = viewport.height() / view.verticalHeader().defaultSectionSize()
    window.close()
    m = {name: median(values) for name, values in times.items()}
    report(
        f"one repaint of the history table ({rows:.1f} rows of 7 cells in view), "
        f"median of {args.rounds} rounds",
        [
            ("Qt's item delegate", m["qt"], "us"),
            ("the table's own cell painting", m["ours"], "us"),
        ],
        m["ours"] / m["qt"],
        1.0,
    )


if __name__ == "__main__":
    main()
