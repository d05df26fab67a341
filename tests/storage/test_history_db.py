"""The history database: schema steps, bodies stored once, filters and pages, retention,
taking over the JSON Lines files, keys, and faults (read-only folder, corrupt file, kill -9)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from history_rows import request_row  # type: ignore[import-not-found]

from profile_editor.storage.errors import StorageError
from profile_editor.storage.history import HistoryEntry, HistoryLog
from profile_editor.storage.history_db import (
    DB_NAME,
    STEPS,
    HistoryFilter,
    HistoryStore,
    RequestRow,
    Retention,
    migrate,
    parse_keep,
)
from profile_editor.storage.timeline import profile_states

KEY = "pk_prod_DB-KEY-0123456789"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _entry(n: int = 0, **changes: Any) -> HistoryEntry:
    fields: dict[str, Any] = {
        "time": NOW - timedelta(minutes=1000 - n),
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


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    s = HistoryStore(tmp_path / DB_NAME).open()
    yield s  # type: ignore[misc]
    s.close()


def _ids(entries: list[HistoryEntry]) -> list[str]:
    return [e.recipient_id for e in entries]


# -- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("start", range(len(STEPS)))
def test_each_schema_step_upgrades_from_the_previous_version(tmp_path: Path, start: int) -> None:
    path = tmp_path / DB_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, STEPS[:start]) == start
    conn.close()
    if start >= 1:  # a row written by that version survives the upgrade
        old = HistoryStore(path)
        old._opened = True  # as that version would write it: no migration runs
        conn = old._connect()
        conn.execute("INSERT INTO recipients(recipient_id, fold) VALUES ('ada', 'ada')")
        conn.execute(
            "INSERT INTO requests(id, time_us, base_url, method, resource, rid, outcome, message,"
            " duration_ms, source) VALUES ('x', 1, 'u', 'POST', 'profile', 1, 'success', '', 1,"
            " 'window')"
        )
        old.close()
    store = HistoryStore(path).open()
    assert store._connect().execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
    assert _ids(store.entries()) == (["ada"] if start >= 1 else [])
    store.close()


def test_a_newer_schema_is_refused_with_a_sentence(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / DB_NAME)
    conn.execute(f"PRAGMA user_version = {len(STEPS) + 1}")
    conn.close()
    with pytest.raises(StorageError, match="newer Profile Editor"):
        HistoryStore(tmp_path / DB_NAME).open()


def test_pragmas_and_private_file(store: HistoryStore) -> None:
    conn = store._connect()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.append(_entry())
    for path in store.path.parent.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path


# -- writing and reading -----------------------------------------------------------------------


def test_round_trip_newest_first_with_bodies(store: HistoryStore) -> None:
    written = [_entry(n, profile_before={"n": n - 1}, profile_after={"n": n}) for n in range(3)]
    store.append_many([(e, []) for e in written])
    got = store.entries()
    assert got == list(reversed(written))
    page, cursor = store.page()
    assert cursor is None and all(e.partial and e.request_body is None for e in page)
    assert store.full(page[0]) == written[-1]


def test_a_body_sent_many_times_is_stored_once(store: HistoryStore) -> None:
    big = {"profile": {f"k{i}": "value " * 20 for i in range(2000)}}
    store.append_many(
        [(_entry(n, request_body=big, profile_after=big["profile"]), []) for n in range(50)]
    )
    stats = store.stats()
    assert stats["requests"] == 50 and stats["blobs"] == 2
    assert stats["blob_bytes"] < stats["json_bytes"] / 5  # compressed


def test_keys_are_masked_before_the_insert(store: HistoryStore) -> None:
    store.append(
        _entry(1, request_body={"profile": {"token": KEY}}, message=f"bad key {KEY}"),
        secrets=[KEY],
    )
    [entry] = store.entries()
    assert entry.request_body == {"profile": {"token": "****"}}
    assert KEY not in entry.message
    raw = b"".join(p.read_bytes() for p in store.path.parent.iterdir())
    assert KEY.encode() not in raw
    assert store.count(HistoryFilter(text=KEY)) == 0


def test_pages_follow_a_cursor_without_gaps_or_repeats(store: HistoryStore) -> None:
    # Several entries share a time: the cursor orders them by insertion too.
    written = [_entry(n // 3) for n in range(25)]
    store.append_many([(e, []) for e in written])
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = store.page(after=cursor, limit=7)
        seen += [e.id for e in page]
        if cursor is None:
            break
    assert seen == [e.id for e in reversed(written)]


def test_filters(store: HistoryStore) -> None:
    store.append_many(
        [
            (_entry(0, recipient_id="Ada", status=200), []),
            (_entry(1, recipient_id="bob", status=404, outcome="api_error"), []),
            (_entry(2, recipient_id="ada-2", status=None, outcome="network_error"), []),
            (_entry(3, recipient_id="carol", method="PUT", environment="Staging"), []),
            (
                _entry(
                    4,
                    recipient_id="ada",
                    method="POST",
                    resource="lists",
                    request_body={"lists": []},
                ),
                [],
            ),
            (_entry(5, recipient_id="dave", request_body={"profile": {"city": "Zürich Nord"}}), []),
        ]
    )

    def ids(**kw: Any) -> list[str]:
        flt = HistoryFilter(**kw)
        got = _ids(store.entries(flt))
        assert store.count(flt) == len(got)
        assert got == [e.recipient_id for e in store.entries() if flt.matches(store.full(e))]
        return got

    assert ids(recipient="ADA") == ["ada", "ada-2", "Ada"]
    assert ids(status="4xx") == ["bob"]
    assert ids(status="error") == ["ada-2"]
    assert ids(status="failed") == ["ada-2", "bob"]
    assert ids(status="404") == ["bob"]
    assert ids(environment="Staging") == ["carol"]
    assert ids(method="put") == ["carol"]
    assert ids(resource="lists") == ["ada"]
    assert ids(text="zürich") == ["dave"]
    assert ids(text="nord zürich") == ["dave"]
    assert ids(text="zürich bob") == []
    assert ids(since=NOW - timedelta(minutes=997), until=NOW - timedelta(minutes=995)) == [
        "ada",
        "carol",
    ]
    with pytest.raises(ValueError):
        store.count(HistoryFilter(status="teapot"))


def test_full_text_without_fts5_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import profile_editor.storage.history_db as db

    monkeypatch.setattr(db, "has_fts5", lambda conn: False)
    store = HistoryStore(tmp_path / DB_NAME).open()
    assert not store.fts
    store.append_many(
        [(_entry(n, request_body={"profile": {"w": f"word{n}"}}), []) for n in range(5)]
    )
    assert _ids(store.entries(HistoryFilter(text="WORD3"))) == ["user-3"]
    calls: list[int] = []
    assert store.count(HistoryFilter(text="word"), progress=lambda: bool(calls.append(1))) == 5
    store.close()


def test_a_recipient_filter_over_many_recipients(store: HistoryStore) -> None:
    # More recipients match than the recipient index is used for: the time index answers.
    store.append_many([(_entry(n % 200, recipient_id=f"r-{n % 200}"), []) for n in range(1000)])
    assert store.count(HistoryFilter(recipient="r-")) == 1000
    assert store.count(HistoryFilter(recipient="r-19")) == 5 * 11
    page, cursor = store.page(HistoryFilter(recipient="r-1"), limit=10)
    assert len(page) == 10 and cursor is not None


def test_several_threads_and_processes_write_at_once(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    HistoryStore(path).open().close()
    script = textwrap.dedent(
        f"""
        import sys
        from profile_editor.storage.history import HistoryEntry
        from profile_editor.storage.history_db import HistoryStore
        s = HistoryStore({str(path)!r})
        for n in range(100):
            s.append(HistoryEntry(base_url="u", method="POST", recipient_id=f"p{{sys.argv[1]}}-{{n}}",
                     outcome="success", duration_ms=1, request_body={{"n": n}}))
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(i)]) for i in range(2)]
    store = HistoryStore(path)

    def write(t: int) -> None:
        for n in range(100):
            store.append(_entry(n, recipient_id=f"t{t}-{n}"))

    threads = [threading.Thread(target=write, args=(t,)) for t in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert store.count() == 400
    store.close()


# -- retention ---------------------------------------------------------------------------------


def test_retention_by_age_and_count_never_younger_than_a_day(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / DB_NAME, retention=Retention(keep_days=30, keep_count=5)).open()
    old = [_entry(n, time=NOW - timedelta(days=40 - n), request_body={"old": n}) for n in range(5)]
    middle = [_entry(10 + n, time=NOW - timedelta(days=10 - n)) for n in range(5)]
    young = [_entry(20 + n, time=NOW - timedelta(hours=n)) for n in range(8)]
    store.append_many([(e, []) for e in [*old, *middle, *young]])
    assert store.prune(now=NOW) == 10  # the 5 too old, then the 5 over the count
    # Over the count still: but nothing younger than a day goes.
    assert _ids(store.entries()) == [e.recipient_id for e in young]
    # The bodies of the removed requests went with them; those still used stayed.
    assert store.stats()["blobs"] == len(young)
    store.close()
    assert parse_keep("30d,500") == Retention(30, 500)
    assert parse_keep("2y") == Retention(730, 1_000_000)
    with pytest.raises(ValueError, match="365d"):
        parse_keep("forever")


# -- taking over the JSON Lines files ---------------------------------------------------------


def test_first_open_takes_over_the_jsonl_files_in_order(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path / "history", max_bytes=800, backups=5)
    written = [_entry(n) for n in range(12)]
    for e in written:
        log.append(e)
    assert len(log.files()) > 2
    with log.rotated_path(1).open("ab") as handle:
        handle.write(b"{torn\n\xff\xfe not json\n")
    names = [p.name for p in log.files()]
    kept = log.entries()
    store = HistoryStore.in_data_dir(tmp_path).open()
    assert store.migration.imported == len(kept) and store.migration.unreadable == 2
    assert "2 unreadable lines left out" in store.migration.sentence()
    assert [e.id for e in store.entries()] == [e.id for e in kept]
    assert sorted(p.name for p in (tmp_path / "history").iterdir()) == sorted(
        n + ".migrated" for n in names
    )
    store.close()
    # The next start finds nothing to take over.
    again = HistoryStore.in_data_dir(tmp_path).open()
    assert again.migration.files == [] and again.count() == len(kept)
    again.close()


# -- faults ------------------------------------------------------------------------------------


def test_a_corrupt_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    path.write_bytes(b"this is not a database" * 100)
    store = HistoryStore(path).open()
    assert store.moved_aside is not None and store.moved_aside.name.startswith(
        DB_NAME + ".corrupt-"
    )
    assert store.moved_aside.read_bytes().startswith(b"this is not")
    store.append(_entry())
    assert store.count() == 1
    store.close()


def test_a_damaged_page_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    store = HistoryStore(path).open()
    store.append_many([(_entry(n, request_body={"x": "y" * 5000, "n": n}), []) for n in range(50)])
    store._connect().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 6] = os.urandom(4096 * 4)
    path.write_bytes(bytes(data))
    again = HistoryStore(path).open()  # quick: the damage is found by the full check
    assert not again.verify()
    assert again.moved_aside is not None and again.moved_aside.exists()
    assert again.count() == 0 and again.verify()
    again.append(_entry())
    assert again.count() == 1
    again.close()


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_folder_gives_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(
            StorageError, match=r"Cannot write the history to .*(read-only|cannot be)"
        ):
            HistoryStore(folder / DB_NAME).open()
    finally:
        folder.chmod(0o700)


def test_a_database_that_cannot_be_written_raises_a_sentence(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).mkdir()  # a folder where the file should be
    with pytest.raises(StorageError, match="Cannot write the history to"):
        HistoryStore(tmp_path / DB_NAME).open()


_WRITER = textwrap.dedent(
    """
    import sys
    from profile_editor.storage.history import HistoryEntry
    from profile_editor.storage.history_db import HistoryStore
    s = HistoryStore(sys.argv[1]).open()
    print("ready", flush=True)
    n = 0
    while True:
        s.append_many([(HistoryEntry(base_url="u", method="PUT", recipient_id=f"k{n}-{i}",
                        outcome="success", duration_ms=1,
                        request_body={"profile": {"n": n, "pad": "x" * (n % 5000)}}), [])
                       for i in range(20)])
        n += 1
    """
)


def test_kill_9_mid_write_leaves_the_database_intact(tmp_path: Path) -> None:
    import random
    import time

    trials = int(os.environ.get("PE_CRASH_TRIALS", "3"))
    path = tmp_path / DB_NAME
    previous = 0
    for trial in range(trials):
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(random.Random(trial).uniform(0.05, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        store = HistoryStore(path).open()
        assert store.verify() and store.moved_aside is None
        conn = store._connect()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        count = store.count()
        assert count % 20 == 0 and count >= previous  # whole batches only
        previous = count
        if count:
            store.full(store.page(limit=1)[0][0])  # the newest row's body reads back
        store.close()


# -- timeline --------------------------------------------------------------------------------


def test_profile_states_along_a_timeline(store: HistoryStore) -> None:
    steps = [
        _entry(0, recipient_id="ada", method="PUT", request_body={"profile": {"a": 1}}),
        _entry(1, recipient_id="ada", method="POST", request_body={"profile": {"b": 2}}),
        _entry(
            2,
            recipient_id="ada",
            method="POST",
            request_body={"profile": {"c": 3}},
            status=500,
            outcome="api_error",
        ),
        _entry(
            3,
            recipient_id="ada",
            method="PATCH",
            request_body={"patch": [{"op": "remove", "path": "/a"}]},
        ),
        _entry(
            4,
            recipient_id="ada",
            method="POST",
            request_body={"profile": {"d": 4}},
            profile_after={"b": 2, "d": 4, "server": True},
        ),
        _entry(5, recipient_id="ada", method="DELETE", request_body=None),
        _entry(6, recipient_id="ada-2"),
    ]
    store.append_many([(e, []) for e in steps])
    points = profile_states(store.timeline("ada"))
    assert [p.profile for p in points] == [
        {"a": 1},
        {"a": 1, "b": 2},
        {"a": 1, "b": 2},  # failed: nothing changed
        {"b": 2},
        {"b": 2, "d": 4, "server": True},  # read back
        None,
    ]
    assert [p.known for p in points] == [False, False, False, False, True, False]
    assert json.dumps([p.changed for p in points]) == "[true, true, false, true, true, true]"


def test_a_full_disk_gives_one_sentence_and_loses_nothing_written(store: HistoryStore) -> None:
    store.append(_entry(0))
    # SQLite's own limit stands in for the disk: it fails the same way (SQLITE_FULL).
    conn = store._connect()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    noisy = {"profile": {"x": os.urandom(40_000).hex()}}
    with pytest.raises(StorageError, match=r"Cannot write the history to .*: the disk is full"):
        store.append_many([(_entry(n, request_body=noisy), []) for n in range(1, 4)])
    assert _ids(store.entries()) == ["user-0"]  # the failed batch left nothing half-written


# -- blob ids, inline bodies, rows built directly, other resources ----------------------------


def test_step_4_takes_over_a_version_3_database_with_its_bodies_and_index(
    tmp_path: Path,
) -> None:
    import hashlib
    import zlib

    path = tmp_path / DB_NAME
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, STEPS[:3]) == 3
    fts = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'body_fts'").fetchone())
    conn.execute("INSERT INTO recipients(recipient_id, fold) VALUES ('ada', 'ada')")
    bodies = [{"profile": {"city": f"Zürich {n}"}} for n in range(3)]
    big = {f"k{i}": "value " * 20 for i in range(200)}
    hashes = []
    for value in [*bodies, big]:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        digest = hashlib.sha256(data).hexdigest()
        hashes.append(digest)
        conn.execute("INSERT INTO blobs VALUES (?, ?, ?)", (digest, len(data), zlib.compress(data)))
        if fts and value is not big:
            conn.execute("INSERT INTO body_fts(hash, text) VALUES (?, ?)", (digest, "Zürich"))
    for n in range(3):
        conn.execute(
            "INSERT INTO requests(id, time_us, base_url, method, resource, rid, outcome, message,"
            " duration_ms, source, body_hash, after_hash) VALUES (?, ?, 'u', 'POST', 'profile', 1,"
            " 'success', '', 1, 'window', ?, ?)",
            (f"r{n}", n + 1, hashes[n], hashes[3] if n == 2 else None),
        )
    conn.close()

    store = HistoryStore(path).open()
    conn = store._connect()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    got = store.entries()
    assert [e.request_body for e in got] == list(reversed(bodies))
    assert got[0].profile_after == big and got[1].profile_after is None
    kinds = {r[0] for r in conn.execute("SELECT typeof(data) FROM blobs")}
    assert kinds == {"text", "blob"}  # small bodies as JSON text, the large one compressed
    if store.fts:
        assert _ids(store.entries(HistoryFilter(text="zürich 1"))) == ["ada"]
    store.append(_entry(7, recipient_id="bob", request_body=bodies[0]))  # stored once
    assert store.stats()["blobs"] == 4
    store.close()


def test_texts_that_share_their_hash_bits_are_told_apart_by_content(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import profile_editor.storage.history_db as db

    monkeypatch.setattr(db, "_blob_hash", lambda digest: 42)  # every text collides
    store.append(_entry(1, request_body={"profile": {"a": 1}}))
    store.append_many(
        [
            (_entry(2, request_body={"profile": {"b": 2}}), []),
            (_entry(3, request_body={"profile": {"a": 1}}), []),
            (_entry(4, request_body={"profile": {"c": 3}}), []),
        ]
    )
    store._blob_ids.clear()  # as another process would: the ids found by content again
    store.append(_entry(5, request_body={"profile": {"b": 2}}))
    bodies = {e.recipient_id: e.request_body for e in store.entries()}
    assert bodies == {
        "user-1": {"profile": {"a": 1}},
        "user-2": {"profile": {"b": 2}},
        "user-3": {"profile": {"a": 1}},
        "user-4": {"profile": {"c": 3}},
        "user-5": {"profile": {"b": 2}},
    }
    rows = store._connect().execute("SELECT id, hash FROM blobs ORDER BY id").fetchall()
    assert rows == [(1, 42), (2, 42), (3, 42)]
    if store.fts:
        assert _ids(store.entries(HistoryFilter(text="c"))) == ["user-4"]


def test_rows_built_directly_are_stored_like_entries_and_keys_masked(store: HistoryStore) -> None:
    def row(n: int, body: bytes) -> RequestRow:
        return request_row(
            n, body, run_id="run-1", environment="Production", base_url="https://api.courier.com"
        )

    same = json.dumps({"profile": {"plan": "pro"}}, separators=(",", ":")).encode()
    leaked = json.dumps({"profile": {"token": KEY}}, separators=(",", ":")).encode()
    store.append_rows([row(n, same) for n in range(3)] + [row(3, leaked)], secrets=[KEY])
    got = {e.recipient_id: e for e in store.entries(HistoryFilter(run_id="run-1"))}
    assert {r: e.request_body for r, e in got.items()} == {
        "b-0": {"profile": {"plan": "pro"}},
        "b-1": {"profile": {"plan": "pro"}},
        "b-2": {"profile": {"plan": "pro"}},
        "b-3": {"profile": {"token": "****"}},
    }
    assert store.stats()["blobs"] == 2
    raw = b"".join(p.read_bytes() for p in store.path.parent.iterdir())
    assert KEY.encode() not in raw
    # Their words are indexed later (a bulk run does not wait for it); found meanwhile by a scan.
    assert _ids(store.entries(HistoryFilter(text="plan"))) == ["b-2", "b-1", "b-0"]
    if store.fts:
        assert store.index_pending() == 2
        assert store.index_pending() == 0
        assert _ids(store.entries(HistoryFilter(text="plan"))) == ["b-2", "b-1", "b-0"]
        store._connect().execute(
            "INSERT INTO body_fts(body_fts, rank) VALUES ('integrity-check', 0)"
        )


def test_a_batch_is_searched_for_keys_at_once_and_only_the_rows_holding_one_masked(
    store: HistoryStore,
) -> None:
    def row(n: int, body: bytes, message: str = "OK") -> RequestRow:
        return request_row(n, body, run_id="run-2", message=message)

    half = len(KEY) // 2
    rows = [row(n, b'{"n":%d}' % n) for n in range(500)]
    # Halves of the key at the end of one field and the start of the next: not the key.
    rows[10] = row(10, b'{"a":"' + KEY[:half].encode() + b'"}', message=KEY[half:])
    rows[400] = row(400, b'{"n":400}', message=f"echoed {KEY}")
    store.append_rows(rows, secrets=[KEY])
    got = {e.recipient_id: e for e in store.entries(HistoryFilter(run_id="run-2"))}
    assert len(got) == 500
    assert got["b-400"].message == "echoed ****" and got["b-400"].request_body == {"n": 400}
    assert got["b-10"].message == KEY[half:]
    assert got["b-10"].request_body == {"a": KEY[:half]}
    assert got["b-3"].request_body == {"n": 3} and got["b-3"].message == "OK"
    raw = b"".join(p.read_bytes() for p in store.path.parent.iterdir())
    assert KEY.encode() not in raw


def test_a_write_to_another_resource_keeps_its_path_and_leaves_the_timeline_alone(
    store: HistoryStore,
) -> None:
    from profile_editor.core.http.models import Outcome, OutcomeKind

    ok = Outcome(kind=OutcomeKind.SUCCESS, status_code=204, summary="204 No Content")
    store.append(_entry(1, recipient_id="ada", profile_after={"name": "Ada"}))
    entry = store.record_write(
        resource="preferences",
        method="put",
        url="https://api.courier.com/users/ada/preferences/topic-1",
        recipient_id="ada",
        body={"topic": {"status": "OPTED_OUT"}},
        outcome=ok,
        before={"status": "OPTED_IN"},
        after={"status": "OPTED_OUT"},
        environment="Production",
        secrets=[KEY],
    )
    got = store.get(entry.id)
    assert got is not None
    assert (got.resource, got.method, got.base_url) == ("preferences", "PUT", entry.base_url)
    assert got.base_url == "https://api.courier.com"
    assert got.path == "/users/ada/preferences/topic-1"
    assert got.profile_after == {"status": "OPTED_OUT"}
    assert _ids(store.entries(HistoryFilter(resource="preferences"))) == ["ada"]
    states = profile_states(store.timeline("ada"))
    assert [p.profile for p in states] == [{"name": "Ada"}, {"name": "Ada"}]
    assert [p.changed for p in states] == [True, False]


def test_pruning_forgets_the_words_of_bodies_it_removes(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / DB_NAME, retention=Retention(keep_days=30)).open()
    old = NOW - timedelta(days=60)
    store.append_many(
        [
            (_entry(1, time=old, request_body={"profile": {"w": "ancient"}}), []),
            (_entry(2, request_body={"profile": {"w": "recent"}}), []),
        ]
    )
    assert store.prune(now=NOW) == 1
    assert store.stats()["blobs"] == 1
    if store.fts:
        assert store.entries(HistoryFilter(text="ancient")) == []
        assert _ids(store.entries(HistoryFilter(text="recent"))) == ["user-2"]
        conn = store._connect()
        conn.execute("INSERT INTO body_fts(body_fts, rank) VALUES ('integrity-check', 0)")
    store.close()
