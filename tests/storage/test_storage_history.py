"""History log: round trip, rotation, torn lines, key masking, filters, threads."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry, HistoryLog, filter_entries

KEY = "pk_prod_HIST-KEY-0123456789"


def _entry(n: int = 0, **changes: Any) -> HistoryEntry:
    fields: dict[str, Any] = {
        "environment": "Production",
        "base_url": "https://api.courier.com",
        "method": "POST",
        "recipient_id": f"user-{n}",
        "request_body": {"profile": {"n": n, "name": "Zoë"}},
        "status": 200,
        "outcome": "success",
        "duration_ms": 12.5,
    }
    fields.update(changes)
    return HistoryEntry(**fields)


def _all_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file())


def test_round_trip_newest_first(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path / "history")
    assert log.entries() == []
    written = [_entry(n) for n in range(3)]
    for e in written:
        log.append(e)
    assert log.entries() == list(reversed(written))
    assert log.skipped == 0
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(json.loads(line)["id"] for line in lines)
    assert "Zoë" in lines[0]


def test_defaults_and_utc_time() -> None:
    a, b = _entry(), _entry()
    assert a.id != b.id and len(a.id) == 32
    assert a.time.tzinfo is not None and a.time.utcoffset() == timedelta(0)
    cet = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert _entry(time=cet).time == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert _entry(time=datetime(2024, 5, 1, 12, 0)).time.tzinfo == UTC
    assert '"time":"2024-05-01T10:00:00Z"' in _entry(time=cet).model_dump_json()


def test_rotation_bounds_files_and_keeps_order(tmp_path: Path) -> None:
    line_size = len(_entry(10).model_dump_json()) + 40
    log = HistoryLog(tmp_path, max_bytes=line_size * 4, backups=3)
    written = [_entry(n, message="m" * (n % 7)) for n in range(60)]
    for e in written:
        log.append(e)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["history.1.jsonl", "history.2.jsonl", "history.3.jsonl", "history.jsonl"]
    for p in tmp_path.iterdir():
        assert p.stat().st_size <= log.max_bytes
    got = log.entries()
    assert log.skipped == 0
    # The newest entries, contiguous, newest first; the oldest ones were dropped.
    assert got == list(reversed(written))[: len(got)]
    assert 8 <= len(got) < 60
    assert log.files()[0] == log.path


def test_a_batch_is_one_write_and_still_rotates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])
    log = HistoryLog(tmp_path, max_bytes=1_000_000, backups=3)
    written = [_entry(n) for n in range(30)]
    log.append_many((e, ()) for e in written)
    assert len(fsyncs) == 1
    assert log.entries() == list(reversed(written))
    # A batch bigger than a file is split where the file fills, as single appends are.
    line_size = len(_entry(10).model_dump_json()) + 40
    small = HistoryLog(tmp_path / "small", max_bytes=line_size * 4, backups=3)
    small.append_many((_entry(n), ()) for n in range(60))
    for p in (tmp_path / "small").iterdir():
        assert p.stat().st_size <= small.max_bytes
    assert [e.recipient_id for e in small.entries()][:3] == ["user-59", "user-58", "user-57"]


def test_an_entry_that_cannot_be_encoded_does_not_keep_the_batch_out(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path)
    bad = _entry(1).model_copy(update={"request_body": {"when": object()}})
    with pytest.raises(StorageError):
        log.append_many([(_entry(0), ()), (bad, ()), (_entry(2), ())])
    assert [e.recipient_id for e in log.entries()] == ["user-2", "user-0"]


def test_rotation_without_backups(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path, max_bytes=600, backups=0)
    for n in range(20):
        log.append(_entry(n))
    assert [p.name for p in tmp_path.iterdir()] == ["history.jsonl"]
    assert log.entries()[0].recipient_id == "user-19"


def test_oversized_entry_still_written(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path, max_bytes=100, backups=2)
    log.append(_entry(1))
    log.append(_entry(2))
    assert [e.recipient_id for e in log.entries()] == ["user-2", "user-1"]


def test_torn_last_line_is_skipped_and_does_not_spoil_the_next(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path)
    for n in range(3):
        log.append(_entry(n))
    full = _entry(99).model_dump_json().encode()
    with open(log.path, "ab") as f:
        f.write(full[: len(full) // 2])  # a crash mid-append
    got = log.entries()
    assert [e.recipient_id for e in got] == ["user-2", "user-1", "user-0"]
    assert log.skipped == 1
    log.append(_entry(3))
    got = log.entries()
    assert [e.recipient_id for e in got] == ["user-3", "user-2", "user-1", "user-0"]
    assert log.skipped == 1


def test_garbage_lines_counted(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path)
    log.append(_entry(1))
    with open(log.path, "ab") as f:
        f.write(b'{"id": "x"}\n\xff\xfe\n\n[1]\n')
    log.append(_entry(2))
    assert [e.recipient_id for e in log.entries()] == ["user-2", "user-1"]
    assert log.skipped == 3


def test_key_never_reaches_the_files(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path, max_bytes=1500, backups=2)
    leaky = [
        _entry(1, request_body={"profile": {"token": KEY, KEY: [f"Bearer {KEY}"]}}),
        _entry(2, message=f"401: key {KEY} rejected", outcome="api_error", status=401),
        _entry(3, profile_before={"note": f"{KEY}{KEY}"}, profile_after={"k": KEY}),
        _entry(4, recipient_id=KEY, base_url=f"https://x.example/{KEY}"),
    ]
    for e in leaky * 3:
        log.append(e, secrets=["", KEY])
    data = _all_bytes(tmp_path)
    assert KEY.encode() not in data
    assert b"****" in data
    got = log.entries()
    assert log.skipped == 0 and len(got) >= 4
    assert got[0].recipient_id == "****"
    first = next(e for e in got if e.recipient_id == "user-1")
    assert first.request_body == {"profile": {"token": "****", "****": ["Bearer ****"]}}
    second = next(e for e in got if e.recipient_id == "user-2")
    assert second.message == "401: key **** rejected"

    dest = tmp_path.parent / "export.jsonl"
    HistoryLog.export(leaky, dest, secrets=[KEY])
    assert KEY.encode() not in dest.read_bytes()


def test_export_is_json_lines_in_given_order(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path / "h")
    for n in range(4):
        log.append(_entry(n))
    entries = log.entries()
    dest = tmp_path / "out.jsonl"
    dest.write_text("previous export")
    log.export(entries, dest)
    lines = dest.read_text(encoding="utf-8").splitlines()
    assert [HistoryEntry.model_validate_json(line) for line in lines] == entries
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h", "out.jsonl"]


def test_filter() -> None:
    entries = [
        _entry(1, recipient_id="Alice-1", status=200),
        _entry(2, recipient_id="bob", status=204),
        _entry(3, recipient_id="alice-2", status=404, outcome="api_error"),
        _entry(4, recipient_id="carol", status=500, outcome="api_error"),
        _entry(5, recipient_id="alice-3", status=None, outcome="network_error"),
        _entry(6, recipient_id="dave", status=None, outcome="cancelled"),
    ]

    def ids(**kw: Any) -> list[str]:
        return [e.recipient_id for e in filter_entries(entries, **kw)]

    assert ids() == [e.recipient_id for e in entries]
    assert ids(status="all", recipient="  ") == [e.recipient_id for e in entries]
    assert ids(status="2xx") == ["Alice-1", "bob"]
    assert ids(status="4XX") == ["alice-2"]
    assert ids(status="5xx") == ["carol"]
    assert ids(status="error") == ["alice-3", "dave"]
    assert ids(status="404") == ["alice-2"]
    assert ids(recipient="ALICE") == ["Alice-1", "alice-2", "alice-3"]
    assert ids(recipient="alice", status="error") == ["alice-3"]
    assert HistoryLog.filter(entries, status="2xx") == entries[:2]
    with pytest.raises(ValueError):
        filter_entries(entries, status="teapot")


def test_appends_from_many_threads(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path, max_bytes=4000, backups=50)
    errors: list[BaseException] = []

    def worker(t: int) -> None:
        try:
            for n in range(15):
                log.append(_entry(t * 100 + n), secrets=[KEY])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    got = log.entries()
    assert log.skipped == 0
    assert len(got) == 60
    for t in range(4):  # each thread's own entries stay in order
        mine = [e.recipient_id for e in got if int(e.recipient_id[5:]) // 100 == t]
        assert mine == [f"user-{t * 100 + n}" for n in reversed(range(15))]


def test_clear(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path, max_bytes=500, backups=2)
    for n in range(10):
        log.append(_entry(n))
    log.clear()
    assert log.entries() == [] and list(tmp_path.iterdir()) == []


def test_invalid_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        HistoryLog(tmp_path, max_bytes=0)
    with pytest.raises(ValueError):
        HistoryLog(tmp_path, backups=-1)
