"""100 sequential sends through the window, against the floors any Qt app pays for them.

    python bench/sends.py [--sends 100] [--rounds 7] [--pressure 64]

Every loop goes to the same sandbox, which runs in a separate process. Rounds alternate between
the loops; the medians are compared and the spread of the rounds is shown. The window is held to
the Qt-worker floor (raw keep-alive posts, each handed to a pool job and answered by a queued
signal); the last floor adds what a Qt app pays when the user changes a field and sends: the text
set in a field styled like the recipient field, and its repaint. The same sends through the window
while it is hidden (nothing is painted) split the window's own work from its painting.

A second floor hands each post to one long-lived thread that waits for it (as the window hands
its requests over) and sets and repaints one styled field per send: what any window that shows
the new state pays. Each loop also prints the UI thread's CPU time per send.

Each floor keeps a client, pool, waiting thread and session of its own for the whole run, as the
window keeps its client and request thread from start-up on. A new client and pool for each loop
of 100 posts made the floor 4-21% faster in every comparison (``bench/kept_or_new.py``), while
the window given the same gained -2 to 7% (about 1% over 24 rounds): a floor set up anew for
each loop measures its set-up against the window's. That floor, as measured until 2026-12-07,
is printed too, with the window's ratio to it.

``--pressure 64`` runs it all while another process walks 64 MB (twice this host's L3 cache):
how the host measured when it was slow, with every cache line of the window's path a miss.
"""

from __future__ import annotations

import argparse
import atexit
import json
import queue
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from _common import cache_pressure, median, report, sandbox_process
from PySide6.QtCore import QEventLoop, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from profile_editor.app import create_main_window
from profile_editor.ui.common import dialogs
from profile_editor.ui.common.workers import JobRunner, JobThread
from profile_editor.ui.shell.main_window import MainWindow

Runner = JobRunner | JobThread

PROFILE = '{"email": "ada@example.com", "name": "Ada Lovelace", "custom": {"plan": "pro"}}'


# Each loop's wall time (ms) and the UI thread's CPU time (ms) over it.
Timing = tuple[float, float]


@contextmanager
def timed(into: list[float]) -> Iterator[None]:
    """Wall time and this thread's CPU time of the block, in ms, appended to ``into``."""
    wall, cpu = time.perf_counter(), time.thread_time()
    yield
    into.extend(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000))


def raw_request(key: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers the raw posts send."""
    body = ('{"profile": ' + PROFILE + "}").encode()
    return body, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


class Kept:
    """What the floors keep for the whole run, as the window keeps its own from start-up on:
    one client (connected), one pool, one waiting thread and one session of the app's client."""

    def __init__(self, url: str, key: str) -> None:
        from profile_editor.core.http.models import ProfileRequest
        from profile_editor.core.http.session import Session

        body, headers = raw_request(key)
        self.client = httpx.Client()
        self.client.post(f"{url}/profiles/warm", content=body, headers=headers)
        self.pool = JobRunner()
        self.thread = JobThread(name="bench-requests")
        self.session = Session()
        warm = ProfileRequest(base_url=url, recipient_id="warm", profile=json.loads(PROFILE))
        self.session.client().execute(warm, key)

    def close(self) -> None:
        self.pool.shutdown()
        self.thread.shutdown()
        self.session.close()
        self.client.close()


def raw(kept: Kept, url: str, key: str, n: int) -> Timing:
    body, headers = raw_request(key)
    took: list[float] = []
    with timed(took):
        for i in range(n):
            response = kept.client.post(f"{url}/profiles/user-{i}", content=body, headers=headers)
            assert response.status_code == 200
    return took[0], took[1]


def raw_in_qt_worker(kept: Kept, url: str, key: str, n: int) -> Timing:
    """What the hand-off alone costs: the raw posts above, each in a pool job whose answer comes
    back as a queued signal."""
    return handed_off(kept.client, url, key, n, kept.pool, None)


def raw_in_new_qt_worker(url: str, key: str, n: int) -> Timing:
    """The same with a new client (connected before the clock starts) and a new pool: the floor
    as measured until 2026-12-07 (see the module)."""
    runner = JobRunner()
    body, headers = raw_request(key)
    with httpx.Client() as client:
        client.post(f"{url}/profiles/warm", content=body, headers=headers)
        took = handed_off(client, url, key, n, runner, None)
    runner.shutdown()
    return took


def handed_off(
    client: httpx.Client, url: str, key: str, n: int, runner: Runner, field: QLineEdit | None
) -> Timing:
    """The raw posts, each handed to ``runner`` as a job whose answer comes back as a queued
    signal; with ``field``, each send first sets its text, and the event loop repaints it while
    the post is under way, as the window's field is."""
    from profile_editor.ui.common.workers import Job

    body, headers = raw_request(key)
    loop = QEventLoop()
    took: list[float] = []
    with timed(took):
        for i in range(n):
            if field is not None:
                field.setText(f"user-{i}")
            path = f"{url}/profiles/user-{i}"
            job = Job(lambda _p, path=path: client.post(path, content=body, headers=headers))
            runner.run(job.on_finished(lambda _r: loop.quit()))
            loop.exec()
    return took[0], took[1]


def field_window(width: int) -> tuple[QMainWindow, QLineEdit, QLabel]:
    """A plain window of the app's size with one field as the recipient field is: the app's style
    sheet, a clear button, a placeholder, the same width; a Send button beside it; a status label
    at the bottom, styled as the window's."""
    from profile_editor.ui.common import palette
    from profile_editor.ui.common.resources import read_text

    window, central = QMainWindow(), QWidget()
    row = QHBoxLayout()
    field = QLineEdit(central)
    field.setClearButtonEnabled(True)
    field.setPlaceholderText("Recipient ID")
    field.setFixedWidth(width)
    row.addWidget(field)
    row.addWidget(QPushButton("Send", central))
    row.addStretch(1)
    layout = QVBoxLayout(central)
    layout.addLayout(row)
    layout.addStretch(1)
    status = QLabel("Ready.", central)
    status.setObjectName("statusLabel")
    status.setAutoFillBackground(True)
    layout.addWidget(status)
    window.setCentralWidget(central)
    palette.theme().style(window, read_text("app.qss"))
    window.resize(1280, 860)
    window.show()
    return window, field, status


def shown_window(
    width: int, table_size: QSize
) -> tuple[QMainWindow, QLineEdit, QLabel, QTableView]:
    """The plain window of :func:`field_window` with what the app's window also shows for each
    send: its status line's label (selectable, wrapped), and under it a history table of the
    size of the app's (seven columns, alternating colours)."""
    window, field, plain_status = field_window(width)
    plain_status.hide()  # this window's status label is the one below
    central = window.centralWidget()
    layout = central.layout()
    status = QLabel("Ready.", central)
    status.setObjectName("statusLabel")
    status.setAutoFillBackground(True)
    status.setWordWrap(True)
    status.setMargin(6)
    status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    table = QTableView(central)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setStretchLastSection(True)
    table.setFixedSize(table_size)
    layout.addWidget(status)
    layout.addWidget(table)
    window.show()
    return window, field, status, table


def raw_in_qt_worker_with_field(kept: Kept, url: str, key: str, n: int, field: QLineEdit) -> Timing:
    """The Qt-worker floor plus what changing a field costs a Qt app: each send first sets the
    field's text; the event loop repaints it while the post is under way, as the window's does."""
    return handed_off(kept.client, url, key, n, kept.pool, field)


def raw_in_thread_with_field(kept: Kept, url: str, key: str, n: int, field: QLineEdit) -> Timing:
    """The floor of a window that shows what it sends: each post handed to one long-lived
    thread that waits for it (the window's own hand-off), and one styled field set and
    repainted per send."""
    return handed_off(kept.client, url, key, n, kept.thread, field)


def raw_in_qt_worker_with_window_field(
    kept: Kept, url: str, key: str, n: int, window: MainWindow
) -> Timing:
    """The same floor with the window's own recipient field: its text set with its signals
    blocked, so nothing of the app runs, and repainted where it sits (its parents' style sheet
    backgrounds under it): what seeing the ID change costs in this window."""
    field = window.request_bar.recipient_edit
    blocked = field.blockSignals(True)
    try:
        return raw_in_qt_worker_with_field(kept, url, key, n, field)
    finally:
        field.blockSignals(blocked)


class _Pacer:
    """A label's text set at most once a frame (16 ms), as a window showing a burst must."""

    def __init__(self, label: QLabel) -> None:
        self.label, self.latest = label, ""
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.setInterval(16)
        self.timer.timeout.connect(lambda: self.label.setText(self.latest))

    def show(self, text: str) -> None:
        self.latest = text
        if not self.timer.isActive():
            self.timer.start()


def product_floor(
    kept: Kept,
    url: str,
    key: str,
    n: int,
    field: QLineEdit,
    status: QLabel,
    table: QTableView | None = None,
) -> Timing:
    """The least a window pays that keeps this product's promises for a send, in plain code:
    the ID set in the styled field and repainted; the post with the headers Courier's
    exactly-once needs (an Idempotency-Key) handed to one waiting thread, which reads Courier's
    JSON answer; its status shown in a label at most once a frame; and a history row (request,
    answer, time) handed to a writer thread that inserts each burst with one statement.

    With ``table``, each answer is also a row on top of it, as the window's history shows
    them: the first of a burst at once, the rest every 100 ms (Qt's own item model)."""
    from profile_editor.ui.common.workers import Job

    body = ('{"profile": ' + PROFILE + "}").encode()
    headers = {
        "Accept": "application/json",
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/json",
    }
    client, runner, loop, pacer = kept.client, kept.thread, QEventLoop(), _Pacer(status)
    rows: queue.SimpleQueue[tuple[str, str, int, str, float] | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_rows, args=(rows,), name="bench-history")
    writer.start()
    took: list[float] = []

    shelf = None if table is None else _HistoryShelf(table)

    def shown(answer: tuple[str, int, str]) -> None:
        path, status_code, text = answer
        pacer.show(f"{status_code} · {text}")
        at = time.time()
        rows.put((path, body.decode(), status_code, text, at))
        if shelf is not None:
            shelf.add(path.rsplit("/", 1)[1], status_code, text, at)
        loop.quit()

    def post(path: str) -> tuple[str, int, str]:
        sent = {**headers, "Idempotency-Key": str(uuid.uuid4())}
        response = client.post(path, content=body, headers=sent)
        return path, response.status_code, json.loads(response.content).get("status", "")

    with timed(took):
        for i in range(n):
            field.setText(f"user-{i}")
            path = f"{url}/profiles/user-{i}"
            runner.run(Job(lambda _p, path=path: post(path)).on_finished(shown))
            loop.exec()
    rows.put(None)
    writer.join()
    if shelf is not None:  # the burst's last rows, untimed, as the window's come after its loop
        shelf.flush()
        shelf.timer.stop()
    return took[0], took[1]


class _HistoryShelf:
    """Answers shown as rows on top of a table, as the window's history shows them: the first
    of a burst at once, those after it together every 100 ms."""

    def __init__(self, table: QTableView) -> None:
        self.table, self.model, self.pending = table, QStandardItemModel(0, 7), []
        self.model.setHorizontalHeaderLabels(
            ["Time", "Env", "Method", "Recipient", "Status", "Outcome", "Duration"]
        )
        table.setModel(self.model)
        self.green = QColor("#1a7f37")
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.flush)

    def add(self, recipient: str, status: int, text: str, at: float) -> None:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
        self.pending.append((when, recipient, str(status), text.capitalize()))
        if not self.timer.isActive():
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        self.timer.start()
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for when, recipient, status, outcome in pending:
            cells = [when, "Sandbox", "POST", recipient, status, outcome, "1 ms"]
            items = [QStandardItem(cell) for cell in cells]
            for column in (4, 5):
                items[column].setForeground(self.green)
            for column in (4, 6):
                items[column].setTextAlignment(right)
            self.model.insertRow(0, items)


def _write_rows(rows: queue.SimpleQueue[tuple[str, str, int, str, float] | None]) -> None:
    """Waits for a row, then writes what gathered in the next 100 ms with one statement."""
    db = sqlite3.connect(Path(tempfile.mkdtemp()) / "history.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE rows (path TEXT, body TEXT, status INTEGER, text TEXT, at REAL)")
    ended, gathering = False, threading.Event()
    while not ended:
        batch = [rows.get()]
        gathering.wait(0.1)  # the burst gathers meanwhile
        while not rows.empty():
            batch.append(rows.get())
        ended = batch[-1] is None
        with db:
            db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?)", [r for r in batch if r])
    db.close()


def through_qt_worker(kept: Kept, url: str, key: str, n: int) -> Timing:
    """The floor of any window that sends off its UI thread: the app's client in a pool job,
    the answer back as a queued signal, no widgets at all."""
    from profile_editor.core.http.models import ProfileRequest
    from profile_editor.ui.common.workers import Job

    session, runner, loop = kept.session, kept.pool, QEventLoop()
    profile = json.loads(PROFILE)
    took: list[float] = []
    with timed(took):
        for i in range(n):
            request = ProfileRequest(base_url=url, recipient_id=f"user-{i}", profile=profile)
            job = Job(lambda _p, r=request: session.client().execute(r, key))
            runner.run(job.on_finished(lambda _o: loop.quit()))
            loop.exec()
    return took[0], took[1]


def through_hidden_window(window: MainWindow, n: int) -> Timing:
    """The window's own work on the send path, without painting anything."""
    window.hide()
    try:
        return through_window(window, n)
    finally:
        window.show()


def through_window(window: MainWindow, n: int) -> Timing:
    loop = QEventLoop()
    outcomes = []

    def done(outcome: object) -> None:
        outcomes.append(outcome)
        loop.quit()

    window.requestFinished.connect(done)
    recipient, send = window.request_bar.recipient_edit, window.request_bar.send_button
    took: list[float] = []
    with timed(took):
        for i in range(n):
            recipient.setText(f"user-{i}")
            send.click()
            loop.exec()
    window.requestFinished.disconnect(done)
    assert all(getattr(o, "ok", False) for o in outcomes), outcomes[-1]
    return took[0], took[1]


# Longer than anything the window leaves for later after a send: the change preview (200 ms
# after the last edit), the draft's save (250 ms, at most 500 ms), the history's write (100 ms).
SETTLE_MS = 600


def settle() -> None:
    """Run the event loop until the window's deferred work is done, so that the next loop timed
    does not pay for the one before (the first loop with an event loop after the window's used to
    run its change preview and draft save: about 100 us a send of UI-thread time)."""
    loop = QEventLoop()
    QTimer.singleShot(SETTLE_MS, loop.quit)
    loop.exec()


def profile_window(url: str, key: str) -> MainWindow:
    """The window against the sandbox at ``url``, shown, with the benchmark's profile in it."""
    window = create_main_window(base_url=url, auth_token=key, data_dir=Path(tempfile.mkdtemp()))
    assert isinstance(window, MainWindow)
    window.show()
    window.editor.json_edit.setPlainText(PROFILE)
    window.editor.profile_result()
    return window


# The floors that keep a client, pool, thread and session of their own for the whole run.
FLOORS = ("raw", "handoff", "field", "thread", "own", "product", "shown", "app")


def spread(values: list[float]) -> str:
    return f"{min(values):.0f}-{max(values):.0f}"


def start(rounds: int) -> tuple[int, int, QApplication]:
    """A benchmark of sends through the window: its ``--sends`` (100 by default) and
    ``--rounds`` (``rounds``), and its application, whose window closes without asking about
    the unsaved request (a benchmark has nobody to answer)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument(
        "--pressure",
        type=int,
        default=0,
        metavar="MB",
        help="another process walks this much memory for the whole run (64: the slow host)",
    )
    args = parser.parse_args()
    if args.pressure > 0:
        # Until the script exits: the callers' loops need not know of it.
        walker = ExitStack()
        walker.enter_context(cache_pressure(args.pressure))
        atexit.register(walker.close)
        print(f"under cache pressure: another process walks {args.pressure} MB over and over")
    app = QApplication([])
    dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
    return args.sends, args.rounds, app


def main() -> None:
    n, rounds, app = start(7)
    with sandbox_process() as (url, key):
        window = profile_window(url, key)
        plain, field, status = field_window(window.request_bar.recipient_edit.width())
        through_window(window, 3)  # warm up: imports, connection
        # Sized as the window's history table (built after the window's first frame).
        shows, shown_field, shown_status, table = shown_window(
            field.width(), window.history_panel.view.size()
        )
        # Each floor keeps its own, used by no other loop, as the window's are its own.
        kept = {name: Kept(url, key) for name in FLOORS}
        through_qt_worker(kept["app"], url, key, 3)
        raw_in_new_qt_worker(url, key, 3)
        raw_in_qt_worker_with_field(kept["field"], url, key, 3, field)
        raw_in_thread_with_field(kept["thread"], url, key, 3, field)
        product_floor(kept["product"], url, key, 3, field, status)
        product_floor(kept["shown"], url, key, 3, shown_field, shown_status, table)
        loops: dict[str, Callable[[], Timing]] = {
            "raw": lambda: raw(kept["raw"], url, key, n),
            "handoff": lambda: raw_in_qt_worker(kept["handoff"], url, key, n),
            "new": lambda: raw_in_new_qt_worker(url, key, n),
            "field": lambda: raw_in_qt_worker_with_field(kept["field"], url, key, n, field),
            "thread": lambda: raw_in_thread_with_field(kept["thread"], url, key, n, field),
            "own": lambda: raw_in_qt_worker_with_window_field(kept["own"], url, key, n, window),
            "product": lambda: product_floor(kept["product"], url, key, n, field, status),
            "shown": lambda: product_floor(
                kept["shown"], url, key, n, shown_field, shown_status, table
            ),
            "app": lambda: through_qt_worker(kept["app"], url, key, n),
            "window": lambda: through_window(window, n),
            "hidden": lambda: through_hidden_window(window, n),
        }
        walls: dict[str, list[float]] = {name: [] for name in loops}
        cpus: dict[str, list[float]] = {name: [] for name in loops}
        for _ in range(rounds):
            for name, loop in loops.items():
                settle()
                wall, cpu = loop()
                walls[name].append(wall)
                cpus[name].append(cpu)
        for each in kept.values():
            each.close()
        plain.close()
        shows.close()
        window.close()
    app.processEvents()
    m = {name: median(values) for name, values in walls.items()}
    report(
        f"{n} sequential sends, median of {rounds} rounds",
        [
            ("raw httpx keep-alive posts", m["raw"], "ms"),
            ("the same posts, each in a Qt worker job", m["handoff"], "ms"),
            ("  the same, a new client and pool each loop", m["new"], "ms"),
            ("  + setText and repaint of a styled field", m["field"], "ms"),
            ("posts handed to a waiting thread + field", m["thread"], "ms"),
            ("  + the same with the window's own field", m["own"], "ms"),
            ("what a send of this product needs, plain code", m["product"], "ms"),
            ("  + shown as the window shows it (history table)", m["shown"], "ms"),
            ("the app's client in a Qt worker, no widgets", m["app"], "ms"),
            ("through the window", m["window"], "ms"),
            ("through the window, hidden (no painting)", m["hidden"], "ms"),
        ],
        m["window"] / m["handoff"],
        1.2,
    )
    print(
        f"  against the floor with a new client and pool each loop (as measured until "
        f"2026-12-07): {m['window'] / m['new']:.2f}x; "
        f"against the floor with the field's repaint: {m['window'] / m['field']:.2f}x; "
        f"against the waiting thread and field floor: {m['window'] / m['thread']:.2f}x; "
        f"against the floor with the window's own field: {m['window'] / m['own']:.2f}x; "
        f"against what a send of this product needs: {m['window'] / m['product']:.2f}x; "
        f"against it shown as the window shows it: {m['window'] / m['shown']:.2f}x; "
        f"the hidden window against the floor: {m['hidden'] / m['handoff']:.2f}x; "
        f"floors against raw: hand-off {m['handoff'] / m['raw']:.2f}x, "
        f"with the field {m['field'] / m['raw']:.2f}x, "
        f"waiting thread and field {m['thread'] / m['raw']:.2f}x, "
        f"app client {m['app'] / m['raw']:.2f}x; "
        f"the field's repaint alone against the Qt-worker floor: "
        f"{m['field'] / m['handoff']:.2f}x; "
        f"what a send of this product needs against the Qt-worker floor: "
        f"{m['product'] / m['handoff']:.2f}x, shown as the window shows it: "
        f"{m['shown'] / m['handoff']:.2f}x"
    )
    per_send = {name: median(values) * 1000 / n for name, values in cpus.items()}
    print(
        "  UI-thread CPU per send (us): " + ", ".join(f"{k} {v:.0f}" for k, v in per_send.items())
    )
    print("  spread of the rounds (ms): " + ", ".join(f"{k} {spread(v)}" for k, v in walls.items()))


if __name__ == "__main__":
    main()
