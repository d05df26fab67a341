"""100 sequential sends through the window, against 100 raw keep-alive httpx posts.

    python bench/sends.py [--sends 100] [--rounds 5]

Both go to the same sandbox, which runs in a separate process. Rounds alternate between the two
and the medians are compared.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx
from _common import median, report, sandbox_process
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from profile_editor.app import create_main_window
from profile_editor.ui.common import dialogs
from profile_editor.ui.shell.main_window import MainWindow

PROFILE = '{"email": "ada@example.com", "name": "Ada Lovelace", "custom": {"plan": "pro"}}'


def raw_request(key: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers the raw posts send."""
    body = ('{"profile": ' + PROFILE + "}").encode()
    return body, {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def raw(url: str, key: str, n: int) -> float:
    body, headers = raw_request(key)
    with httpx.Client() as client:
        client.post(f"{url}/profiles/warm", content=body, headers=headers)
        start = time.perf_counter()
        for i in range(n):
            response = client.post(f"{url}/profiles/user-{i}", content=body, headers=headers)
            assert response.status_code == 200
        return (time.perf_counter() - start) * 1000


def raw_in_qt_worker(url: str, key: str, n: int) -> float:
    """What the hand-off alone costs: the raw posts above, each in a pool job whose answer comes
    back as a queued signal."""
    from profile_editor.ui.common.workers import Job, JobRunner

    body, headers = raw_request(key)
    runner, loop = JobRunner(), QEventLoop()
    with httpx.Client() as client:
        client.post(f"{url}/profiles/warm", content=body, headers=headers)
        start = time.perf_counter()
        for i in range(n):
            path = f"{url}/profiles/user-{i}"
            job = Job(lambda _p, path=path: client.post(path, content=body, headers=headers))
            runner.run(job.on_finished(lambda _r: loop.quit()))
            loop.exec()
        elapsed = (time.perf_counter() - start) * 1000
    runner.shutdown()
    return elapsed


def through_qt_worker(url: str, key: str, n: int) -> float:
    """The floor of any window that sends off its UI thread: the app's client in a pool job,
    the answer back as a queued signal, no widgets at all."""
    from profile_editor.core.http.models import ProfileRequest
    from profile_editor.core.http.session import Session
    from profile_editor.ui.common.workers import Job, JobRunner

    session, runner, loop = Session(), JobRunner(), QEventLoop()
    profile = json.loads(PROFILE)
    # Built and connected before the clock starts, as the raw client is.
    session.client().execute(
        ProfileRequest(base_url=url, recipient_id="warm", profile=profile), key
    )
    start = time.perf_counter()
    for i in range(n):
        request = ProfileRequest(base_url=url, recipient_id=f"user-{i}", profile=profile)
        job = Job(lambda _p, r=request: session.client().execute(r, key))
        runner.run(job.on_finished(lambda _o: loop.quit()))
        loop.exec()
    elapsed = (time.perf_counter() - start) * 1000
    runner.shutdown()
    session.close()
    return elapsed


def through_window(window: MainWindow, n: int) -> float:
    loop = QEventLoop()
    outcomes = []

    def done(outcome: object) -> None:
        outcomes.append(outcome)
        loop.quit()

    window.requestFinished.connect(done)
    recipient, send = window.request_bar.recipient_edit, window.request_bar.send_button
    start = time.perf_counter()
    for i in range(n):
        recipient.setText(f"user-{i}")
        send.click()
        loop.exec()
    elapsed = (time.perf_counter() - start) * 1000
    window.requestFinished.disconnect(done)
    assert all(getattr(o, "ok", False) for o in outcomes), outcomes[-1]
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    app = QApplication([])
    # Closing asks about the unsaved request; a benchmark has nobody to answer.
    dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
    with sandbox_process() as (url, key):
        window = create_main_window(base_url=url, auth_token=key, data_dir=Path(tempfile.mkdtemp()))
        assert isinstance(window, MainWindow)
        window.show()
        window.editor.json_edit.setPlainText(PROFILE)
        window.editor.profile_result()
        through_window(window, 3)  # warm up: imports, connection
        through_qt_worker(url, key, 3)
        raws, handoffs, workers, windows = [], [], [], []
        for _ in range(args.rounds):
            raws.append(raw(url, key, args.sends))
            handoffs.append(raw_in_qt_worker(url, key, args.sends))
            workers.append(through_qt_worker(url, key, args.sends))
            windows.append(through_window(window, args.sends))
        window.close()
    app.processEvents()
    report(
        f"{args.sends} sequential sends, median of {args.rounds} rounds",
        [
            ("raw httpx keep-alive posts", median(raws), "ms"),
            ("the same posts, each in a Qt worker job", median(handoffs), "ms"),
            ("the app's client in a Qt worker, no widgets", median(workers), "ms"),
            ("through the window", median(windows), "ms"),
        ],
        median(windows) / median(raws),
        1.5,
    )
    print(
        f"  floors: hand-off {median(handoffs) / median(raws):.2f}x, "
        f"app client off the UI thread {median(workers) / median(raws):.2f}x"
    )


if __name__ == "__main__":
    main()
