"""Where a send's time goes: each step of one send through the window, against the same steps of
the floor that hands raw posts to a waiting thread and sets a styled field.

    python bench/send_steps.py [--sends 1000]

The steps are stamped on their own threads by wrappers put around the hand-off, the request's
work, httpx's send and the answer's delivery before the window is built (the stamps cost about a
microsecond each, in both loops). Blocks of 100 sends alternate between the two loops, each after
the window's deferred work is done; the medians of each step are printed side by side, for the
sends after the first ten of a block (steady) and for the first two (after a quiet moment).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from _common import sandbox_process
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from profile_editor.core.http import client as http_client
from profile_editor.ui.common import dialogs, workers

# In the order a send passes them; each step is the time from one stamp to the next.
STEPS = (
    ("start", "set", "the new ID set in the field (its slots)"),
    ("set", "handoff", "Send clicked until the request is handed over"),
    ("handoff", "handed", "the hand-off itself"),
    ("handed", "work", "until the request thread runs it"),
    ("work", "http", "the request thread, before httpx sends"),
    ("http", "answer", "httpx: send and read the answer (the server too)"),
    ("answer", "done", "the request thread, after the answer"),
    ("done", "report", "the answer's way back to the UI thread"),
    ("report", "finished", "the UI thread, until the send is finished"),
    ("finished", "end", "back in the loop"),
)
Stamps = dict[str, float]


class Stamper:
    """Stamps the current send's steps; installed on the classes before the window is built."""

    def __init__(self) -> None:
        self.current: Stamps | None = None
        self.loop: QEventLoop | None = None  # the loop a send waits in, once there is one

    def finish(self) -> None:
        """The send is finished: stamped, and its wait ends."""
        self.stamp("finished")
        assert self.loop is not None
        self.loop.quit()

    def stamp(self, name: str) -> None:
        current = self.current
        if current is not None and name not in current:
            current[name] = time.perf_counter()

    def around(self, owner: Any, attr: str, before: str, after: str) -> None:
        inner = getattr(owner, attr)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.stamp(before)
            try:
                return inner(*args, **kwargs)
            finally:
                self.stamp(after)

        setattr(owner, attr, wrapped)


def install(stamper: Stamper) -> None:
    stamper.around(workers.JobThread, "_start", "handoff", "handed")
    stamper.around(http_client.ProfilesClient, "execute", "work", "done")
    stamper.around(httpx.Client, "send", "http", "answer")
    stamper.around(workers._Runner, "_on_report", "report", "reported")


def one_block(
    stamper: Stamper, n: int, set_id: Callable[[int], None], send: Callable[[int], None]
) -> list[Stamps]:
    """``n`` sends; ``send`` hands the request over, the loop waits for ``finish``."""
    assert stamper.loop is not None
    rows = []
    for i in range(n):
        row: Stamps = {}
        stamper.current = row
        row["start"] = time.perf_counter()
        set_id(i)
        row["set"] = time.perf_counter()
        send(i)
        stamper.loop.exec()
        row["end"] = time.perf_counter()
        stamper.current = None
        rows.append(row)
    return rows


def summary(blocks: list[list[Stamps]], picked: Callable[[int], bool]) -> dict[str, float]:
    rows = [row for block in blocks for i, row in enumerate(block) if picked(i)]
    out = {}
    for start, end, _label in STEPS:
        values = [(r[end] - r[start]) * 1e6 for r in rows if start in r and end in r]
        out[start] = statistics.median(values) if values else float("nan")
    out["total"] = statistics.median((r["end"] - r["start"]) * 1e6 for r in rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=1000)
    args = parser.parse_args()
    stamper = Stamper()
    install(stamper)
    from sends import field_window, profile_window, raw_request, settle

    app = QApplication([])
    stamper.loop = QEventLoop()
    dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
    window_blocks: list[list[Stamps]] = []
    floor_blocks: list[list[Stamps]] = []
    with sandbox_process() as (url, key):
        window = profile_window(url, key)
        window.requestFinished.connect(lambda _outcome: stamper.finish())
        plain, field, _status = field_window(window.request_bar.recipient_edit.width())
        recipient, send_button = window.request_bar.recipient_edit, window.request_bar.send_button
        body, headers = raw_request(key)
        thread = workers.JobThread(name="bench-requests")
        with httpx.Client() as client:

            def post(i: int) -> None:
                path = f"{url}/profiles/user-{i}"

                def work(_progress: workers.Progress) -> None:
                    stamper.stamp("work")
                    client.post(path, content=body, headers=headers)
                    stamper.stamp("done")

                thread.run(workers.Job(work).on_finished(lambda _r: stamper.finish()))

            def set_field(i: int) -> None:
                field.setText(f"user-{i}")

            def set_recipient(i: int) -> None:
                recipient.setText(f"user-{i}")

            one_block(stamper, 20, set_recipient, lambda _i: send_button.click())  # warm up
            one_block(stamper, 20, set_field, post)
            for _ in range(max(1, args.sends // 100)):
                settle()
                window_blocks.append(
                    one_block(stamper, 100, set_recipient, lambda _i: send_button.click())
                )
                settle()
                floor_blocks.append(one_block(stamper, 100, set_field, post))
        thread.shutdown()
        plain.close()
        window.close()
    app.processEvents()
    for title, picked in (
        ("steady (each block's sends after its first ten)", lambda i: i >= 10),
        ("after a quiet moment (each block's first two sends)", lambda i: i < 2),
    ):
        w, f = summary(window_blocks, picked), summary(floor_blocks, picked)
        print(f"{title}, median us per send: window | floor | difference")
        for start, _end, label in STEPS:
            print(f"  {label:<52} {w[start]:7.1f} {f[start]:7.1f} {w[start] - f[start]:+7.1f}")
        print(
            f"  {'whole send':<52} {w['total']:7.1f} {f['total']:7.1f} "
            f"{w['total'] - f['total']:+7.1f}  ({w['total'] / f['total']:.2f}x)"
        )


if __name__ == "__main__":
    main()
