"""A cancel token: set once from any thread (or several at once), seen at once by every thread
that waits for it or asks."""

from __future__ import annotations

import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.core.http.cancel import CancelToken


def test_a_wait_ends_with_its_time_when_nobody_cancels() -> None:
    token = CancelToken()
    assert not token.is_cancelled()
    assert token.wait(0) is False
    assert token.wait(-1) is False
    assert token.wait(0.01) is False
    assert not token.is_cancelled()


def test_cancel_wakes_every_waiter_and_stays_cancelled() -> None:
    aborted: list[bool] = []
    token = CancelToken(abort=lambda: aborted.append(True))
    started, woke = threading.Barrier(5), []
    lock = threading.Lock()

    def waiter() -> None:
        started.wait()
        result = token.wait(30)
        with lock:
            woke.append(result)

    threads = [threading.Thread(target=waiter) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait()
    token.cancel()
    for thread in threads:
        thread.join(10)
    assert woke == [True] * 4
    assert token.is_cancelled() and token.wait(0) and token.wait(30)
    assert aborted == [True]


@settings(max_examples=25, deadline=None)
@given(cancellers=st.integers(1, 6), waiters=st.integers(0, 4))
def test_cancelling_from_several_threads_at_once_is_one_cancel(
    cancellers: int, waiters: int
) -> None:
    aborts: list[int] = []
    token = CancelToken(abort=lambda: aborts.append(1))
    go = threading.Barrier(cancellers + waiters)
    errors: list[BaseException] = []
    results: list[bool] = []

    def cancel() -> None:
        go.wait()
        try:
            token.cancel()
        except BaseException as exc:  # a second release of the gate would raise here
            errors.append(exc)

    def wait() -> None:
        go.wait()
        results.append(token.wait(30))

    threads = [threading.Thread(target=cancel) for _ in range(cancellers)]
    threads += [threading.Thread(target=wait) for _ in range(waiters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results == [True] * waiters
    assert token.is_cancelled() and token.wait(0)
    assert len(aborts) == cancellers  # each cancel still aborts what is open
