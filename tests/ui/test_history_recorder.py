"""The history's writer: one long-lived thread that waits for entries, writes a burst together,
and ends, joined, when the window closes (no thread outlives it)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from driver import WindowDriver  # type: ignore[import-not-found]
from pytestqt.qtbot import QtBot

import profile_editor.ui.history.recorder as recorder_module
from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.history_db import HistoryStore
from profile_editor.ui.history.panel import HistoryPanel
from profile_editor.ui.history.recorder import HistoryRecorder

WRITER = "profile-editor-history"


class _Log:
    """Records each write (its entries and the thread that made it); the first write can be
    held until the test lets it go."""

    def __init__(self) -> None:
        self.writes: list[tuple[list[Any], str]] = []
        self.hold_first = threading.Event()
        self.hold_first.set()
        self.writing = threading.Event()  # set once a write has begun
        self.lock = threading.Lock()

    def append_many(self, entries: Iterable[tuple[Any, Iterable[str]]]) -> None:
        batch = [entry for entry, _secrets in entries]
        self.writing.set()
        if not self.writes:
            assert self.hold_first.wait(5)
        with self.lock:
            self.writes.append((batch, threading.current_thread().name))

    def written(self) -> list[Any]:
        with self.lock:
            return [entry for batch, _thread in self.writes for entry in batch]


class _Panel:
    def __init__(self) -> None:
        self.shown: list[Any] = []

    def add_entry(self, entry: Any) -> None:
        self.shown.append(entry)

    def set_note(self, _note: str) -> None:
        pass


def _recorder(log: _Log) -> HistoryRecorder:
    return HistoryRecorder(
        cast(HistoryStore, log), cast(HistoryPanel, _Panel()), lambda: ["secret"]
    )


def test_one_thread_writes_every_burst_in_order_and_is_joined_at_shutdown(qtbot: QtBot) -> None:
    log = _Log()
    recorder = _recorder(log)
    assert not recorder.writer_alive()  # nothing started before there is something to write
    log.hold_first.clear()
    entries = [f"entry-{n}" for n in range(20)]
    for entry in entries:
        recorder._add(lambda at, entry=entry: cast(Any, entry))
    log.hold_first.set()  # the first write took what was queued then; the rest comes together
    qtbot.waitUntil(lambda: log.written() == entries)
    assert len(log.writes) <= 2
    # The same thread waits for the next burst.
    recorder._add(lambda at: cast(Any, "later"))
    qtbot.waitUntil(lambda: log.written() == [*entries, "later"])
    assert {thread for _batch, thread in log.writes} == {WRITER}
    assert recorder.writer_alive()

    recorder.shutdown()
    assert not recorder.writer_alive()


def test_shutdown_writes_what_was_queued_before_the_writer_ends(qtbot: QtBot) -> None:
    log = _Log()
    recorder = _recorder(log)
    recorder._add(lambda at: cast(Any, "first"))
    qtbot.waitUntil(lambda: log.written() == ["first"])
    # A new burst: held by the recorder, not yet handed to the writer, when the window closes.
    for n in range(3):
        recorder._add(lambda at, n=n: cast(Any, f"queued-{n}"))
    recorder.shutdown()
    assert log.written() == ["first", "queued-0", "queued-1", "queued-2"]
    assert {thread for _batch, thread in log.writes} == {WRITER}
    assert not recorder.writer_alive()


def test_a_writer_still_writing_at_shutdown_writes_the_rest_itself_then_ends(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recorder_module, "SHUTDOWN_MS", 20)
    log = _Log()
    recorder = _recorder(log)
    log.hold_first.clear()  # a slow disk: the first write outlasts the window's wait
    recorder._add(lambda at: cast(Any, "first"))
    qtbot.waitUntil(log.writing.is_set)
    recorder._add(lambda at: cast(Any, "second"))  # queued behind the write under way
    recorder.shutdown()
    assert recorder.writer_alive()
    log.hold_first.set()
    qtbot.waitUntil(lambda: not recorder.writer_alive())
    assert log.written() == ["first", "second"]
    assert {thread for _batch, thread in log.writes} == {WRITER}  # never two writers at once


def test_no_history_writer_outlives_the_window(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.wait_history_loaded()
    for n in range(3):
        window.fill(recipient=f"user-{n}", profile={"n": n}, method="POST")
        assert window.send().ok
    recorder = window.widget.recorder
    qtbot.waitUntil(recorder.writer_alive)  # started with the burst's write
    assert window.close()
    assert not recorder.writer_alive() and window.threads_running() == 0
    store = HistoryStore(window.history_log().path)
    try:
        assert sorted(e.recipient_id for e in store.entries()) == ["user-0", "user-1", "user-2"]
    finally:
        store.close()


def test_a_burst_is_written_in_one_write_its_first_entry_with_the_rest(qtbot: QtBot) -> None:
    log = _Log()
    recorder = _recorder(log)
    shown = cast(_Panel, recorder._panel).shown
    recorder._add(lambda at: cast(Any, "first"))
    assert shown == ["first"]  # shown at once, not written yet
    for n in range(3):
        recorder._add(lambda at, n=n: cast(Any, f"then-{n}"))
    qtbot.waitUntil(lambda: log.written() == ["first", "then-0", "then-1", "then-2"])
    assert len(log.writes) == 1
    recorder.shutdown()


def test_a_long_burst_is_written_as_it_goes(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _Log()
    recorder = _recorder(log)
    shown = cast(_Panel, recorder._panel).shown
    recorder._add(lambda at: cast(Any, "first"))
    recorder._add(lambda at: cast(Any, "second"))
    recorder.flush()  # the burst goes on: shown, not written
    assert (shown, log.written(), recorder.writer_alive()) == (["first", "second"], [], False)
    monkeypatch.setattr(recorder_module, "WRITE_WITHIN_MS", 0)  # it has lasted long enough
    recorder._add(lambda at: cast(Any, "third"))
    recorder.flush()
    qtbot.waitUntil(lambda: log.written() == ["first", "second", "third"])
    assert len(log.writes) == 1
    recorder.shutdown()


def test_a_lone_send_closed_at_once_is_still_written(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.wait_history_loaded()
    window.fill(recipient="lone", profile={"n": 1}, method="POST")
    assert window.send().ok
    assert window.close()  # before the burst's time is up
    store = HistoryStore(window.history_log().path)
    try:
        assert [e.recipient_id for e in store.entries()] == ["lone"]
    finally:
        store.close()


def test_a_burst_of_sends_is_recorded_together_in_order_each_at_its_own_time(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.wait_history_loaded()
    panel = window.history()
    ended = []
    for n in range(4):
        window.fill(recipient=f"user-{n}", profile={"n": n}, method="POST")
        assert window.send().ok
        ended.append(datetime.now(UTC))
        if n == 0:  # the first after a quiet moment: shown at once
            panel.flush()
            assert [e.recipient_id for e in panel.entries()] == ["user-0"]
    recorded_at = datetime.now(UTC)
    qtbot.waitUntil(lambda: len(panel.entries()) == 4)  # the rest, once the burst's time is up
    entries = list(reversed(panel.entries()))  # oldest first
    assert [e.recipient_id for e in entries] == ["user-0", "user-1", "user-2", "user-3"]
    for entry, end in zip(entries, ended, strict=True):
        assert entry.time <= end <= recorded_at  # when its send ended, not when it was recorded
    assert [e.time for e in entries] == sorted(e.time for e in entries)
    assert [e.id for e in entries] == sorted(e.id for e in entries)


def test_an_entry_that_cannot_be_made_costs_the_rest_of_its_burst_nothing(qtbot: QtBot) -> None:
    log = _Log()
    recorder = _recorder(log)
    recorder._add(lambda at: cast(Any, "first"))  # at once; the burst starts

    def broken(at: Any) -> Any:
        raise RuntimeError("a bug")

    recorder._add(broken)
    recorder._add(lambda at: cast(Any, "after"))
    with pytest.raises(RuntimeError, match="a bug"):
        recorder.flush()
    qtbot.waitUntil(lambda: log.written() == ["first", "after"])
    recorder.shutdown()
    assert not recorder.writer_alive()
