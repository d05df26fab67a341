"""The runner in-process, with an instant transport: pause, cancel, and a report that cannot be written."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from profile_editor.bulk.report import RowResult
from profile_editor.bulk.rows import BadRow, Row
from profile_editor.bulk.runner import BulkRunner
from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.transport import SharedClient
from profile_editor.core.methods import Method
from profile_editor.core.send.plan import Target


def _runner(answer: object = None, **options: object) -> tuple[BulkRunner, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "SUCCESS"})

    client = ProfilesClient(SharedClient(httpx.MockTransport(handle)))
    runner = BulkRunner(
        client=client,
        api_key="test-key-0000",
        target=Target(base_url="http://127.0.0.1:9"),
        method=Method.POST,
        run_id="run",
        **options,  # type: ignore[arg-type]
    )
    return runner, seen


def _rows(count: int) -> Iterator[Row | BadRow]:
    for n in range(1, count + 1):
        yield Row(n, f"u{n}", {"n": n})


def test_rows_carry_their_own_keys_and_bad_rows_are_reported() -> None:
    results: list[RowResult] = []
    runner, seen = _runner(on_result=results.append, concurrency=3)
    counts = runner.run([*_rows(5), BadRow(6, "", "Enter a recipient ID.")])
    assert (counts.done, counts.bad) == (5, 1)
    keys = {r.headers["Idempotency-Key"] for r in seen}
    assert len(keys) == 5 and all(k.startswith("pe-bulk-") for k in keys)
    assert sorted(r.line for r in results) == [1, 2, 3, 4, 5, 6]


def test_a_paused_run_can_be_cancelled() -> None:
    runner, seen = _runner(concurrency=2)
    runner.pause()
    done = threading.Event()
    thread = threading.Thread(target=lambda: (runner.run(_rows(50)), done.set()))
    thread.start()
    runner.cancel()
    thread.join(10)
    assert done.is_set()
    assert seen == []


def test_a_report_that_cannot_be_written_stops_the_run() -> None:
    def full(result: RowResult) -> None:
        raise OSError(28, "No space left on device")

    runner, seen = _runner(on_result=full, concurrency=2)
    with pytest.raises(OSError, match="No space"):
        runner.run(_rows(1000))
    assert len(seen) < 1000


@pytest.mark.parametrize("rows", [50, 2], ids=["queueing rows", "waiting for the workers"])
def test_an_interrupt_cancels_the_run_which_then_raises_keyboard_interrupt(rows: int) -> None:
    """Ctrl+C of the command line: the signal handler only calls interrupt(); the thread in
    run() cancels, whether it is queueing rows or waiting for the workers to end."""
    runner, seen = _runner(concurrency=2)
    runner.pause()  # no row ends before the interrupt
    ended: list[BaseException] = []

    def run() -> None:
        try:
            runner.run(_rows(rows))
        except BaseException as exc:
            ended.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    runner.interrupt()
    thread.join(10)
    assert not thread.is_alive()
    assert [type(exc) for exc in ended] == [KeyboardInterrupt]
    assert runner.cancelled and seen == []
