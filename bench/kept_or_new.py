"""Why ``bench/sends.py``'s floors keep their client and pool: the Qt-worker floor and the window,
each either with what it keeps for the whole run or with a new client and request thread (pool)
for each loop of 100 sends, alternating in one process.

    python bench/kept_or_new.py [--sends 100] [--rounds 14]

The window keeps its client and request thread from start-up on. Until 2026-12-07 the floor
got a new client and pool for each loop, which measured faster than kept ones; this shows
whether the window gains as much from the same, i.e. whether comparing a kept window with a new
floor measures the window or the difference in set-up.
"""

from __future__ import annotations

from collections.abc import Callable

from _common import median, sandbox_process
from sends import (
    Kept,
    profile_window,
    raw_in_new_qt_worker,
    raw_in_qt_worker,
    settle,
    start,
    through_window,
)

from profile_editor.core.http.models import ProfileRequest
from profile_editor.core.http.session import Session
from profile_editor.ui.common.workers import JobThread
from profile_editor.ui.shell.main_window import MainWindow


def through_renewed_window(window: MainWindow, url: str, key: str, n: int) -> float:
    """The window's sends with a new client (connected before the clock starts) and a new
    request thread, as the new floor gets; its own are put back after."""
    controller = window.controller
    own = controller.session, controller.requests
    controller.session = Session()
    controller.requests = JobThread(controller, name="profile-editor-requests")
    warm = ProfileRequest(base_url=url, recipient_id="warm", profile={"plan": "pro"})
    controller.session.client().execute(warm, key)
    try:
        settle()
        return through_window(window, n)[0]
    finally:
        controller.requests.shutdown()
        controller.session.close()
        controller.session, controller.requests = own


def main() -> None:
    n, rounds, app = start(14)
    with sandbox_process() as (url, key):
        window = profile_window(url, key)
        through_window(window, 3)  # warm up: imports, connection
        kept = Kept(url, key)

        def settled(loop: Callable[[], float]) -> Callable[[], float]:
            def run() -> float:
                settle()
                return loop()

            return run

        loops: dict[str, Callable[[], float]] = {
            "floor, kept": settled(lambda: raw_in_qt_worker(kept, url, key, n)[0]),
            "floor, new each loop": settled(lambda: raw_in_new_qt_worker(url, key, n)[0]),
            "window, kept": settled(lambda: through_window(window, n)[0]),
            "window, new each loop": lambda: through_renewed_window(window, url, key, n),
        }
        walls: dict[str, list[float]] = {name: [] for name in loops}
        for r in range(rounds):
            for name in loops if r % 2 == 0 else reversed(loops):
                walls[name].append(loops[name]())
        kept.close()
        window.close()
    app.processEvents()
    m = {name: median(values) for name, values in walls.items()}
    print(f"{n} sequential sends, median of {rounds} rounds, alternating in one process")
    for name, values in walls.items():
        print(f"  {name:<24} {m[name]:8.1f} ms  (rounds {min(values):.0f}-{max(values):.0f})")
    print(
        f"  new against kept: the floor {m['floor, new each loop'] / m['floor, kept']:.2f}x, "
        f"the window {m['window, new each loop'] / m['window, kept']:.2f}x"
    )
    print(
        f"  the window against the floor: both kept "
        f"{m['window, kept'] / m['floor, kept']:.2f}x, both new each loop "
        f"{m['window, new each loop'] / m['floor, new each loop']:.2f}x, the kept window "
        f"against the new floor {m['window, kept'] / m['floor, new each loop']:.2f}x"
    )


if __name__ == "__main__":
    main()
