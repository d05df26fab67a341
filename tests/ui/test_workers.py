"""Background jobs: typed results and errors back on the UI thread, through one relay; the pool
and the one long-lived thread keep the same contract."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from profile_editor.ui.common.workers import Job, JobRunner, JobThread, Progress


@pytest.fixture(params=[JobRunner, JobThread])
def runner(request: pytest.FixtureRequest, qtbot: QtBot) -> Iterator[JobRunner | JobThread]:
    r = request.param()
    yield r
    r.shutdown()


def test_a_result_and_an_error_arrive_apart_on_the_ui_thread(
    runner: JobRunner | JobThread, qtbot: QtBot
) -> None:
    got: list[tuple[str, object, threading.Thread]] = []

    def note(kind: str) -> Callable[[object], None]:
        return lambda value: got.append((kind, value, threading.current_thread()))

    def fails(_progress: Progress) -> int:
        raise ValueError("no")

    runner.run(Job(lambda _p: 42).on_finished(note("ok")).on_failed(note("failed")))
    runner.run(Job(fails).on_finished(note("ok")).on_failed(note("failed")))
    qtbot.waitUntil(lambda: len(got) == 2)
    kinds = {kind: value for kind, value, _ in got}
    assert kinds["ok"] == 42
    assert isinstance(kinds["failed"], ValueError)
    assert all(thread is threading.main_thread() for _, _, thread in got)
    qtbot.waitUntil(lambda: runner.active_count() == 0)


def test_progress_comes_before_the_result(runner: JobRunner | JobThread, qtbot: QtBot) -> None:
    seen: list[object] = []

    def work(progress: Progress) -> str:
        progress("one")
        progress("two")
        return "done"

    runner.run(Job(work).on_progress(seen.append).on_finished(seen.append))
    qtbot.waitUntil(lambda: "done" in seen)
    assert seen == ["one", "two", "done"]


def test_every_slot_hears_the_result_even_if_one_raises(
    runner: JobRunner | JobThread, qtbot: QtBot
) -> None:
    heard: list[int] = []

    def broken(_value: int) -> None:
        raise RuntimeError("a slot's bug")

    job = Job(lambda _p: 7).on_finished(broken).on_finished(heard.append)
    with qtbot.capture_exceptions() as raised:
        runner.run(job)
        qtbot.waitUntil(lambda: heard == [7])
    assert [type(e[1]) for e in raised] == [RuntimeError]


def test_drain_waits_and_keeps_the_runner_open_shutdown_drops_late_reports(
    runner: JobRunner | JobThread, qtbot: QtBot
) -> None:
    started, release = threading.Event(), threading.Event()
    results: list[str] = []

    def slow(_progress: Progress) -> str:
        started.set()
        release.wait(5)
        return "late"

    runner.run(Job(lambda _p: "first").on_finished(results.append))
    assert runner.drain(3000)
    qtbot.waitUntil(lambda: results == ["first"])  # drained, and still delivering
    runner.run(Job(slow).on_finished(results.append))
    assert started.wait(5)
    release.set()
    assert runner.shutdown(3000)
    QApplication.processEvents()  # the pool has drained: its report is queued, and goes now
    assert results == ["first"]
    assert runner.active_count() == 0


def test_the_thread_runs_jobs_in_order_starts_with_the_first_and_ends_with_shutdown(
    qtbot: QtBot,
) -> None:
    jobs = JobThread(name="test-jobs")
    assert not jobs.is_alive()  # nothing started before there is work
    seen: list[tuple[int, str]] = []

    def work(n: int) -> Callable[[Progress], tuple[int, str]]:
        return lambda _p: (n, threading.current_thread().name)

    for n in range(5):
        jobs.run(Job(work(n)).on_finished(seen.append))
    qtbot.waitUntil(lambda: len(seen) == 5)
    assert seen == [(n, "test-jobs") for n in range(5)]
    assert jobs.is_alive()
    assert jobs.shutdown(3000)
    assert not jobs.is_alive()
    ran: list[int] = []
    jobs.run(Job(lambda _p: ran.append(1)))  # after shutdown: not run, no thread comes back
    assert not jobs.is_alive() and jobs.active_count() == 0
    QApplication.processEvents()
    assert ran == []


def test_shutdown_of_the_thread_cancels_a_job_in_flight_and_ends_at_once(qtbot: QtBot) -> None:
    from profile_editor.core.http.cancel import CancelToken

    jobs, started = JobThread(), threading.Event()
    token = CancelToken()

    def waits(_progress: Progress) -> str:
        started.set()
        return "cancelled" if token.wait(30) else "timed out"

    jobs.run(Job(waits, token=token))
    assert started.wait(5)
    assert jobs.shutdown(3000)
    assert not jobs.is_alive()


def test_a_script_that_drops_its_window_exits_cleanly(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    # The window's warm-up jobs are still running when the interpreter exits. Without the exit
    # hook a pool thread reaching for the GIL then is killed mid-job, and Qt reports an exception
    # escaping its pool.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from profile_editor.app import create_main_window\n"
        "app = QApplication([])\n"
        "window = create_main_window(base_url='http://127.0.0.1:9', auth_token=None,\n"
        "                            data_dir=Path(sys.argv[1]))\n"
        "window.show()\n"
        "for _ in range(20):\n"
        "    app.processEvents()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=child_env,
    )
    assert result.returncode == 0, result.stderr
    assert "exception" not in result.stderr.lower(), result.stderr
