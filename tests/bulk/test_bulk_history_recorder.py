"""RowRecorder: what a sending thread leaves for the writer is plain (nothing the garbage
collector walks), and rows sent from many threads at once are each recorded exactly once."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import profile_editor.bulk.history as bulk_history
from profile_editor.bulk.history import RowRecorder
from profile_editor.core.http.models import Outcome, OutcomeKind, ProfileRequest
from profile_editor.core.methods import Method
from profile_editor.core.users.preferences import PreferenceStatus, PutTopicPreferenceRequest
from profile_editor.storage.errors import StorageError
from profile_editor.storage.history_db import DB_NAME, HistoryFilter, HistoryStore

BASE = "http://127.0.0.1:9/"
OK = Outcome(kind=OutcomeKind.SUCCESS, status_code=200, summary="200 OK", elapsed_ms=3.5)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / DB_NAME).open()
    yield s
    s.close()


def _request(n: int) -> ProfileRequest:
    return ProfileRequest(
        base_url=BASE, recipient_id=f"b-{n}", method=Method.POST, profile={"n": n, "tags": [n]}
    )


def test_a_waiting_row_holds_nothing_the_garbage_collector_walks(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_history, "FLUSH_S", 3600.0)  # the rows wait until close
    recorder = RowRecorder(store, run_id="run-gc", environment=None, source="cli", secrets=[])
    preference = PutTopicPreferenceRequest(
        base_url=BASE, user_id="ada", topic_id="topic-1", status=PreferenceStatus.OPTED_OUT
    )
    failed = Outcome(kind=OutcomeKind.API_ERROR, status_code=500, summary="500", message="boom")
    recorder.on_sent(_request(1), OK)
    recorder.on_sent(preference, failed)
    waiting = list(recorder._waiting)
    assert len(waiting) == 2
    for row in waiting:
        assert all(not gc.is_tracked(value) for value in row), row
    gc.collect()
    # A tuple of untracked values is untracked at its first collection: never walked again.
    assert not any(gc.is_tracked(row) for row in waiting)
    del waiting

    assert recorder.close() == 2 and recorder.error is None
    got = {e.recipient_id: e for e in store.entries(HistoryFilter(run_id="run-gc"))}
    assert got["b-1"].request_body == {"profile": {"n": 1, "tags": [1]}}
    assert (got["b-1"].method, got["b-1"].status, got["b-1"].outcome) == ("POST", 200, "success")
    assert got["b-1"].duration_ms == 3.5 and got["b-1"].message == "200 OK"
    assert got["ada"].resource == "preferences"
    assert got["ada"].path == "/users/ada/preferences/topic-1"
    assert (got["ada"].status, got["ada"].message) == (500, "boom")


def test_rows_sent_from_many_threads_at_once_are_each_recorded_once(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The writer takes batches while the senders still append: the two meet on the deque.
    monkeypatch.setattr(bulk_history, "FLUSH_S", 0.001)
    monkeypatch.setattr(bulk_history, "BATCH", 97)
    recorder = RowRecorder(store, run_id="run-mt", environment="Staging", source="cli", secrets=[])
    threads, per_thread = 8, 400
    requests = [[_request(t * per_thread + i) for i in range(per_thread)] for t in range(threads)]
    start = threading.Barrier(threads)

    def send(mine: list[ProfileRequest]) -> None:
        start.wait()
        for request in mine:
            recorder.on_sent(request, OK)

    workers = [threading.Thread(target=send, args=(mine,)) for mine in requests]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total = threads * per_thread
    assert recorder.close() == total and recorder.error is None
    got = store.entries(HistoryFilter(run_id="run-mt"))
    assert len(got) == total
    assert len({e.id for e in got}) == total
    assert sorted(e.recipient_id for e in got) == sorted(f"b-{n}" for n in range(total))
    for e in got:
        n = int(e.recipient_id[2:])
        assert e.request_body == {"profile": {"n": n, "tags": [n]}}
    assert {e.environment for e in got} == {"Staging"}
    # Each id starts with its row's time (microseconds, hex), as every entry's id does.
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert all(int(e.id[:14], 16) == (e.time - epoch) // timedelta(microseconds=1) for e in got)


def test_a_write_that_fails_lets_the_waiting_rows_go_and_the_writer_end_cleanly(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More rows wait than one batch holds, and the first batch fails (a full disk, say).
    monkeypatch.setattr(bulk_history, "FLUSH_S", 3600.0)
    monkeypatch.setattr(bulk_history, "BATCH", 10)
    crashes: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)

    def full(*_args: object, **_kwargs: object) -> None:
        raise StorageError("database or disk is full")

    monkeypatch.setattr(store, "append_rows", full)
    recorder = RowRecorder(store, run_id="run-full", environment=None, source="cli", secrets=[])
    for n in range(35):
        recorder.on_sent(_request(n), OK)
    assert recorder.close() == 0
    assert crashes == []
    assert recorder.error is not None and "full" in str(recorder.error)
    recorder.on_sent(_request(99), OK)  # later rows are not kept either
    assert not recorder._waiting
