"""Long loops and large decodes leave room for the UI thread."""

from __future__ import annotations

import gc
import threading

import pytest

from profile_editor.core import cooperate
from profile_editor.core.cooperate import gc_quiet, pause


def test_gc_quiet_keeps_the_collector_out_and_puts_it_back() -> None:
    was = gc.isenabled()
    with gc_quiet():
        assert not gc.isenabled()
        value = [{"n": i} for i in range(1000)]
    assert gc.isenabled() == was
    assert gc.get_freeze_count() > 0  # what was built is out of the collector's sight
    assert value[-1] == {"n": 999}


def test_pause_sleeps_only_off_the_main_thread_and_only_every_stride(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(cooperate.time, "sleep", slept.append)
    for index in range(3 * cooperate.STRIDE):
        pause(index)
    assert slept == []  # the main thread never waits on itself
    worker = threading.Thread(target=lambda: [pause(i) for i in range(3 * cooperate.STRIDE)])
    worker.start()
    worker.join()
    assert len(slept) == 2  # at STRIDE and 2 * STRIDE, not at 0


def test_background_work_pauses_more_often(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(cooperate.time, "sleep", slept.append)

    def loop() -> None:
        with cooperate.background():
            for i in range(cooperate.STRIDE + 1):
                pause(i)
        for i in range(cooperate.STRIDE + 1):  # outside the block: the usual stride again
            pause(i)

    worker = threading.Thread(target=loop)
    worker.start()
    worker.join()
    background_pauses = cooperate.STRIDE // cooperate.BACKGROUND_STRIDE
    assert len(slept) == background_pauses + 1
    assert slept[0] > slept[-1]  # and longer ones
    with cooperate.background():  # the main thread never waits on itself
        for i in range(cooperate.STRIDE + 1):
            pause(i)
    assert len(slept) == background_pauses + 1
