"""What each part of the window adds to a send: 100 sequential sends through the window with one
part of it left out, against the Qt-worker floor of ``bench/sends.py``, all in one process.

    python bench/send_parts.py [--sends 100] [--rounds 10]

The parts left out, one at a time: the history table's painting (its updates turned off; the
rows are still added), the whole history (the recorder no longer hears the sends: no row, no
write, no repaint), and all painting (the window hidden). Each round runs the floor and then
every variant, in an order that reverses from round to round; a variant is put back before the
next runs. Separate processes differ by 5-10% from run to run on the machines measured, which
hides a part of that size; one process that alternates does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from _common import median, sandbox_process
from sends import Kept, profile_window, raw_in_qt_worker, settle, start, through_window

from profile_editor.ui.shell.main_window import MainWindow


@contextmanager
def history_table_unpainted(window: MainWindow) -> Iterator[None]:
    view = window.history_panel.view
    view.setUpdatesEnabled(False)
    try:
        yield
    finally:
        view.setUpdatesEnabled(True)


@contextmanager
def history_off(window: MainWindow) -> Iterator[None]:
    window.controller.sent.disconnect(window.recorder.on_sent)
    try:
        yield
    finally:
        window.controller.sent.connect(window.recorder.on_sent)


@contextmanager
def hidden(window: MainWindow) -> Iterator[None]:
    window.hide()
    try:
        yield
    finally:
        window.show()


VARIANTS: dict[str, Callable[[MainWindow], AbstractContextManager[None]]] = {
    "the window": lambda window: nullcontext(),
    "  without painting the history table": history_table_unpainted,
    "  without the history": history_off,
    "  without painting anything (hidden)": hidden,
}


def main() -> None:
    n, rounds, app = start(10)
    with sandbox_process() as (url, key):
        window = profile_window(url, key)
        through_window(window, 3)  # warm up: imports, connection
        kept = Kept(url, key)  # as the window keeps its client and request thread
        raw_in_qt_worker(kept, url, key, 3)
        floor: list[float] = []
        walls: dict[str, list[float]] = {name: [] for name in VARIANTS}
        names = list(VARIANTS)
        for r in range(rounds):
            settle()
            floor.append(raw_in_qt_worker(kept, url, key, n)[0])
            for name in names if r % 2 == 0 else reversed(names):
                with VARIANTS[name](window):
                    settle()
                    walls[name].append(through_window(window, n)[0])
        kept.close()
        window.close()
    app.processEvents()
    base = median(floor)
    print(f"{n} sequential sends, median of {rounds} rounds, alternating in one process")
    print(f"  {'the Qt-worker floor':<40} {base:8.1f} ms")
    for name, values in walls.items():
        m = median(values)
        print(
            f"  {name:<40} {m:8.1f} ms  {m / base:.2f}x  (rounds {min(values):.0f}-{max(values):.0f})"
        )


if __name__ == "__main__":
    main()
