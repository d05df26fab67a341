"""The window's own UI-thread work per send, without the network: steady to a microsecond where
the loops through a server wander by 15% from run to run.

    python bench/send_ui_work.py [--sends 2000] [--runs 3] [--idle-ms 0]

The request thread is replaced by a list: each Send click's job is taken from it and answered at
once with a 200 outcome, as the thread's report would be. Three phases are timed on the UI
thread, hot (the same send again and again): the new ID set in the recipient field (its slots
run), the click until the request is handed over, and the answer until the window has shown it.
The baseline, measured in the same run, is the field's text set with its signals blocked: what
any window pays to change the ID. The window's deferred work (history, draft save, frame ends)
runs between sends, untimed, as it runs between a user's.

With ``--idle-ms``, the UI thread sleeps that long between each hand-over and its answer, as it
waits for the answer through a server in ``bench/sends.py``; the answer and the next ID then run
with cold caches, as they do there (on the machines measured, about twice their hot cost).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from _common import median
from PySide6.QtWidgets import QApplication
from sends import profile_window

from profile_editor.core.http.models import Outcome, OutcomeKind
from profile_editor.ui.common import dialogs
from profile_editor.ui.shell.main_window import MainWindow

PHASES = ("the new ID set (its slots)", "Send clicked until handed over", "answer until shown")


def one_run(
    app: QApplication, window: MainWindow, n: int, idle_ms: float = 0
) -> tuple[list[float], float]:
    """Median µs of each phase, and of the baseline."""
    jobs: list[Any] = []
    requests = window.controller.requests
    requests._start = jobs.append  # type: ignore[method-assign]  # no thread: answered here
    outcome = Outcome(
        kind=OutcomeKind.SUCCESS,
        summary="200 OK · SUCCESS",
        status_code=200,
        message="SUCCESS",
        body={"status": "SUCCESS"},
        elapsed_ms=0.8,
        attempts=1,
        idempotency_key="k",
    )
    field, send = window.request_bar.recipient_edit, window.request_bar.send_button
    clock = time.perf_counter
    phases: list[list[float]] = [[], [], []]
    base: list[float] = []
    for i in range(n):
        t0 = clock()
        field.setText(f"user-{i}")
        t1 = clock()
        send.click()
        t2 = clock()
        assert len(jobs) == 1, window.status_line.text()
        if idle_ms:  # the wait for the answer, untimed: the thread sleeps, caches go cold
            app.processEvents()
            time.sleep(idle_ms / 1000)
        t2_answer = clock()
        requests._on_report(jobs.pop(), 1, outcome)  # the finished report, as the thread sends it
        t3 = clock()
        blocked = field.blockSignals(True)
        t4 = clock()
        field.setText(f"other-{i}")
        t5 = clock()
        field.blockSignals(blocked)
        app.processEvents()
        if i >= n // 10:  # the first tenth warms up
            for into, took in zip(phases, (t1 - t0, t2 - t1, t3 - t2_answer), strict=True):
                into.append(took * 1e6)
            base.append((t5 - t4) * 1e6)
    return [median(p) for p in phases], median(base)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle-ms", type=float, default=0)
    args = parser.parse_args()
    app = QApplication([])
    # Closing asks about the unsaved request; a benchmark has nobody to answer.
    dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
    window = profile_window("http://127.0.0.1:9", "bench-key")  # nothing listens: no request
    window.finish_start()  # the whole window now, not after its first paint
    deadline = time.monotonic() + 10
    while not window.controller.requests.is_alive() and time.monotonic() < deadline:
        app.processEvents()  # the warm-up has started the request thread: nothing else comes
    window.controller.requests.drain()
    results = [one_run(app, window, args.sends, args.idle_ms) for _ in range(args.runs)]
    window.close()
    how = f"{args.idle_ms:g} ms idle before each answer" if args.idle_ms else "hot"
    print(f"The window's own UI-thread work per send, {how}, µs (median of {args.runs} runs):")
    totals = []
    for k, name in enumerate(PHASES):
        value = median([phases[k] for phases, _ in results])
        totals.append(value)
        print(f"  {name:<34} {value:7.1f}")
    base = median([b for _, b in results])
    print(f"  {'all three':<34} {sum(totals):7.1f}")
    print(f"  baseline: the ID set, signals blocked {base:5.1f}  ({sum(totals) / base:.1f}x)")


if __name__ == "__main__":
    main()
