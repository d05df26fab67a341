"""A batch of history rows goes in with multi-row INSERTs: a few statements per batch (each one
sqlite3 step, each step one hand-off of the GIL a bulk run's senders wait for), every row once and
in order, within SQLite's limit of variables per statement."""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from pathlib import Path

from history_rows import request_row  # type: ignore[import-not-found]
from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.storage.history_db import (
    DB_NAME,
    ROWS_PER_INSERT,
    HistoryFilter,
    HistoryStore,
    RequestRow,
    chunks,
    insert_values,
    rows_per_insert,
)


def _row(n: int) -> RequestRow:
    body = json.dumps({"profile": {"n": n}}, separators=(",", ":")).encode()
    return request_row(n, body, run_id="run-1", row_id=f"{n:032x}")


def test_a_batch_is_inserted_in_a_few_statements_not_one_per_row(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / DB_NAME).open()
    try:
        inserts: list[str] = []
        conn = store._conn()  # this thread's connection: the one append_rows writes with
        conn.set_trace_callback(lambda sql: inserts.append(sql) if "INSERT" in sql else None)
        rows = 1000
        try:
            store.append_rows([_row(n) for n in range(rows)])
        finally:
            conn.set_trace_callback(None)
        per_table = {
            table: sum(1 for sql in inserts if f"INTO {table}(" in sql)
            for table in ("requests", "blobs", "recipients")
        }
        most = math.ceil(rows / ROWS_PER_INSERT)
        assert per_table == {"requests": most, "blobs": most, "recipients": most}, per_table
        got = store.entries(HistoryFilter(run_id="run-1"))
        assert sorted(e.request_body["profile"]["n"] for e in got) == list(range(rows))
        assert {e.recipient_id for e in got} == {f"b-{n}" for n in range(rows)}
    finally:
        store.close()


@given(n=st.integers(0, 1000), size=st.integers(1, 300))
def test_chunks_keep_every_item_once_in_order(n: int, size: int) -> None:
    items = list(range(n))
    parts = list(chunks(items, size))
    assert [i for part in parts for i in part] == items
    assert len(parts) == math.ceil(n / size)
    assert all(len(part) == size for part in parts[:-1])
    assert all(1 <= len(part) <= size for part in parts)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 700),
    width=st.integers(1, 20),
    limit=st.integers(20, 2000),
)
def test_insert_values_stores_every_row_once_in_order_within_the_variable_limit(
    n: int, width: int, limit: int
) -> None:
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)  # as an older SQLite allows
        columns = ", ".join(f"c{i}" for i in range(width))
        conn.execute(f"CREATE TABLE t(seq INTEGER PRIMARY KEY, {columns})")
        rows = [tuple(f"{r}.{c}" for c in range(width)) for r in range(n)]
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        insert_values(conn, f"INSERT INTO t({columns})", f"({', '.join('?' * width)})", rows)
        conn.set_trace_callback(None)
        assert conn.execute(f"SELECT {columns} FROM t ORDER BY seq").fetchall() == rows
        per_statement = rows_per_insert(conn, width)
        assert per_statement * width <= limit and per_statement <= ROWS_PER_INSERT
        assert sum(sql.startswith("INSERT") for sql in statements) == math.ceil(n / per_statement)


def test_rows_per_insert_follows_the_limit_of_this_sqlite() -> None:
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)  # before SQLite 3.32
        assert rows_per_insert(conn, 18) == 55
        conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32766)
        assert rows_per_insert(conn, 18) == ROWS_PER_INSERT
