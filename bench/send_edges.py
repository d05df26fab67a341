"""Where in a burst of 100 sends the window's time goes: each send timed alone, through the
window and through the Qt-worker floor of ``bench/sends.py``, alternating in one process.

    python bench/send_edges.py [--sends 100] [--rounds 10]

The floor keeps its client and pool for the whole run, as ``bench/sends.py``'s does. A burst
starts after the event loop has idled (as each of ``bench/sends.py``'s loops does), so
its first sends find every cache cold; its first answer is shown at once (field, status line,
history row), and the history's rows come every 100 ms after. The sends are split three ways:
the first two, the later ones over 3 ms (the history's updates, a slow answer), and the rest:
the steady state (a send's mean). Each part is the median over the rounds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from _common import median, sandbox_process
from PySide6.QtCore import QEventLoop
from sends import Kept, profile_window, raw_request, settle, start, through_window

from profile_editor.ui.common.workers import Job
from profile_editor.ui.shell.main_window import MainWindow

SLOW_MS = 3.0


def timed_sends(n: int, send: Callable[[int], None]) -> list[float]:
    """Each of ``n`` sends' wall time in ms; ``send(i)`` returns once send ``i`` was answered."""
    took = []
    for i in range(n):
        start = time.perf_counter()
        send(i)
        took.append((time.perf_counter() - start) * 1000)
    return took


def window_sender(window: MainWindow, loop: QEventLoop) -> Callable[[int], None]:
    recipient, button = window.request_bar.recipient_edit, window.request_bar.send_button

    def send(i: int) -> None:
        recipient.setText(f"user-{i}")
        button.click()
        loop.exec()

    return send


def floor_sender(kept: Kept, url: str, key: str, loop: QEventLoop) -> Callable[[int], None]:
    body, headers = raw_request(key)
    client, runner = kept.client, kept.pool

    def send(i: int) -> None:
        path = f"{url}/profiles/user-{i}"
        job = Job(lambda _p: client.post(path, content=body, headers=headers))
        runner.run(job.on_finished(lambda _r: loop.quit()))
        loop.exec()

    return send


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def parts(rounds: list[list[float]]) -> dict[str, float]:
    return {
        "all": median([sum(r) for r in rounds]),
        "first two": median([sum(r[:2]) for r in rounds]),
        f"later, over {SLOW_MS:.0f} ms": median(
            [sum(t for t in r[2:] if t > SLOW_MS) for r in rounds]
        ),
        "later, how many": median([sum(1 for t in r[2:] if t > SLOW_MS) for r in rounds]),
        "the rest, a send": median([_mean([t for t in r[2:] if t <= SLOW_MS]) for r in rounds]),
        "median send": median([median(r) for r in rounds]),
    }


def main() -> None:
    n, rounds, app = start(10)
    with sandbox_process() as (url, key):
        window = profile_window(url, key)
        through_window(window, 3)  # warm up: imports, connection
        loop, kept = QEventLoop(), Kept(url, key)  # kept as the window keeps its own
        window.requestFinished.connect(loop.quit)
        senders = {
            "floor": floor_sender(kept, url, key, loop),
            "window": window_sender(window, loop),
        }
        timings: dict[str, list[list[float]]] = {name: [] for name in senders}
        for r in range(rounds):
            for name in senders if r % 2 == 0 else reversed(senders):
                settle()
                timings[name].append(timed_sends(n, senders[name]))
        kept.close()
        window.close()
    app.processEvents()
    floor, window_parts = parts(timings["floor"]), parts(timings["window"])
    print(f"{n} sequential sends, each timed, median of {rounds} rounds (ms)")
    print(f"  {'':<24} {'floor':>8} {'window':>8}")
    for name in floor:
        print(f"  {name:<24} {floor[name]:8.2f} {window_parts[name]:8.2f}")
    print(
        f"  window against the floor: all {window_parts['all'] / floor['all']:.2f}x, "
        f"the rest {window_parts['the rest, a send'] / floor['the rest, a send']:.2f}x a send, "
        f"median send {window_parts['median send'] / floor['median send']:.2f}x"
    )


if __name__ == "__main__":
    main()
