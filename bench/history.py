"""The history database: append latency, panel open and filter at 10k/100k/1M entries, size on disk,
and what recording every row costs a 100,000-row bulk run.

    python bench/history.py [--sizes 10000,100000,1000000] [--bulk-rows 100000] [--rounds 3]
                            [--only append,panel,size,bulk,bulk-sandbox]

- append: one entry (a typical merge with the profile before and after) per transaction, on a
  worker thread as the recorder writes it; p50/p99 of 500. Also what the UI thread pays per
  send (``HistoryRecorder._add``: the panel row and the queue), p99 of 500.
- open/filter: a database of N entries is made directly with ``executemany`` (100 sends per
  recipient over a year), then a fresh ``HistoryPanel.load_from`` is timed until its first page
  shows (``loaded``), and a recipient filter until its first page shows (``queried``); the same
  two queries straight on ``HistoryStore`` too. Medians of 5.
- size: 100,000 typical entries written through ``append_many`` (batches of 500), and 100 sends
  of one 6 MB profile (body and the profile after), against what the JSON Lines log would hold.
- bulk: ``BulkJob`` over 100,000 JSONL rows with an in-process transport answering at once (so the
  run is as fast as it can be and the history's share is the largest it can be), in a fresh
  process per run, with and without ``RowRecorder``; rounds alternate, medians compared, of the
  wall time and of the process's CPU time (steadier on a shared machine).
- bulk-sandbox (not in the default set: 100,000 real sends take minutes): the same run against
  the project's sandbox (``python -m profile_editor.sandbox``) in a process of its own, a fresh
  one per run, with and without recording, rounds alternating: the realistic case, where the
  run waits on the network and the recorder's work can overlap it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _common import sandbox_process  # (also sets the offscreen platform)

from profile_editor.storage.history import HistoryEntry, entry_to_line
from profile_editor.storage.history_db import DB_NAME, HistoryFilter, HistoryStore, _blob_hash


def typical(n: int, recipient: str | None = None) -> HistoryEntry:
    profile = {
        "email": f"user{n}@example.com",
        "phone_number": f"+3361234{n % 10000:04d}",
        "locale": "fr-FR",
        "name": f"User {n}",
        "custom": {"plan": random.choice(["free", "pro", "team"]), "seats": n % 50, "n": n},
    }
    return HistoryEntry(
        environment="Production",
        base_url="https://api.courier.com",
        method="POST",
        recipient_id=recipient or f"user-{n % 20000}",
        request_body={"profile": {"custom": profile["custom"]}},
        status=200,
        outcome="success",
        message="OK",
        duration_ms=80 + n % 200,
        profile_before={**profile, "custom": {"plan": "free"}},
        profile_after=profile,
    )


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


# -- append ------------------------------------------------------------------------------------


def bench_append(work: Path) -> dict[str, float]:
    store = HistoryStore(work / "append" / DB_NAME).open()
    times: list[float] = []

    def writer() -> None:
        for n in range(500):
            entry = typical(n)
            start = time.perf_counter()
            store.append(entry, secrets=["pk_prod_bench"])
            times.append((time.perf_counter() - start) * 1000)

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join()
    store.close()

    from PySide6.QtWidgets import QApplication

    from profile_editor.ui.history.panel import HistoryPanel
    from profile_editor.ui.history.recorder import HistoryRecorder

    app = QApplication.instance() or QApplication([])
    panel = HistoryPanel()
    ui_store = HistoryStore(work / "append-ui" / DB_NAME).open()
    recorder = HistoryRecorder(ui_store, panel, lambda: ["pk_prod_bench"])
    ui: list[float] = []
    for n in range(500):
        entry = typical(n)
        start = time.perf_counter()
        recorder._add(entry)
        ui.append((time.perf_counter() - start) * 1000)
        if n % 20 == 0:
            app.processEvents()
    recorder.shutdown()
    ui_store.close()
    return {
        "append_p50_ms": p(times, 0.5),
        "append_p99_ms": p(times, 0.99),
        "ui_add_p50_ms": p(ui, 0.5),
        "ui_add_p99_ms": p(ui, 0.99),
    }


# -- a large database, made directly -------------------------------------------------------------


def make_db(path: Path, count: int) -> None:
    """``count`` requests: 100 per recipient over a year, 200 distinct bodies."""
    HistoryStore(path).open().close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    body_ids = []
    for b in range(200):
        text = json.dumps({"profile": {"custom": {"plan": "pro", "b": b}}})
        conn.execute(
            "INSERT INTO blobs(id, hash, size, indexed, data) VALUES (?, ?, ?, 1, ?)",
            (b + 1, _blob_hash(hashlib.sha256(text.encode()).digest()), len(text), text),
        )
        conn.execute("INSERT INTO body_fts(rowid, text) VALUES (?, ?)", (b + 1, text))
        body_ids.append(b + 1)
    recipients = max(1, count // 100)
    conn.executemany(
        "INSERT INTO recipients(rid, recipient_id, fold) VALUES (?, ?, ?)",
        ((r + 1, f"user-{r:07d}", f"user-{r:07d}") for r in range(recipients)),
    )
    year_us = 365 * 86400 * 1_000_000
    now_us = int(time.time() * 1_000_000)
    rng = random.Random(1)

    def rows():  # type: ignore[no-untyped-def]
        for n in range(count):
            yield (
                f"{n:032x}",
                now_us - year_us + n * (year_us // count),
                rng.choice(("Production", "Staging", None)),
                "https://api.courier.com",
                rng.choice(("POST", "POST", "PUT", "PATCH", "DELETE")),
                "profile",
                rng.randrange(recipients) + 1,
                rng.choice((200, 200, 200, 404, 500, None)),
                "success",
                "",
                80.0,
                "window",
                body_ids[n % 200],
            )

    conn.executemany(
        "INSERT INTO requests(id, time_us, environment, base_url, method, resource, rid, status,"
        " outcome, message, duration_ms, source, body_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows(),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def bench_panel(path: Path, count: int) -> dict[str, float]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from profile_editor.ui.common.workers import JobRunner
    from profile_editor.ui.history.panel import HistoryPanel

    app = QApplication.instance() or QApplication([])
    needle = f"user-{(count // 100) // 2:07d}"
    opens, filters, raw_open, raw_filter = [], [], [], []
    for _ in range(5):
        start = time.perf_counter()
        store = HistoryStore(path).open()
        store.page(limit=200)
        raw_open.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        got, _cursor = store.page(HistoryFilter(recipient=needle), limit=200)
        raw_filter.append((time.perf_counter() - start) * 1000)
        assert len(got) > 0
        store.close()

        runner = JobRunner()
        panel = HistoryPanel()
        panel.resize(900, 400)
        panel.show()
        app.processEvents()
        store = HistoryStore(path)
        loop = QEventLoop()
        panel.loaded.connect(loop.quit)
        QTimer.singleShot(10_000, loop.quit)
        start = time.perf_counter()
        panel.load_from(store, runner)
        loop.exec()
        opens.append((time.perf_counter() - start) * 1000)
        assert panel.model.rowCount() == 200, panel.model.rowCount()
        app.processEvents()
        loop = QEventLoop()
        panel.queried.connect(loop.quit)
        QTimer.singleShot(10_000, loop.quit)
        start = time.perf_counter()
        panel.set_recipient_filter(needle)
        loop.exec()
        filters.append((time.perf_counter() - start) * 1000)
        assert 0 < panel.model.rowCount() <= 200
        runner.shutdown(5000)
        panel.deleteLater()
        app.processEvents()
        store.close()
    return {
        "panel_open_ms": statistics.median(opens),
        "panel_filter_ms": statistics.median(filters),
        "store_open_ms": statistics.median(raw_open),
        "store_filter_ms": statistics.median(raw_filter),
    }


# -- size --------------------------------------------------------------------------------------


def bench_size(work: Path) -> dict[str, float]:
    store = HistoryStore(work / "size" / DB_NAME).open()
    jsonl = 0
    batch: list[HistoryEntry] = []
    for n in range(100_000):
        entry = typical(n)
        jsonl += len(entry_to_line(entry).encode()) + 1
        batch.append(entry)
        if len(batch) == 500:
            store.append_many((e, ()) for e in batch)
            batch = []
    store._connect().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    typical_db = store.path.stat().st_size
    store.close()

    big = {
        f"key{i:06d}": {"text": "x" * 40 + str(i), "n": i, "tags": ["a", "b", i]}
        for i in range(60_000)
    }
    body = {"profile": big}
    size = len(json.dumps(body).encode())
    store = HistoryStore(work / "six" / DB_NAME).open()
    for n in range(100):
        entry = typical(n, recipient="big-one")
        entry = entry.model_copy(
            update={"request_body": body, "profile_before": None, "profile_after": big}
        )
        if n == 0:
            line = len(entry_to_line(entry).encode()) + 1
        store.append(entry)
    store._connect().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    six_db = store.path.stat().st_size
    store.close()
    return {
        "typical_db_mb": typical_db / 1e6,
        "typical_jsonl_mb": jsonl / 1e6,
        "six_body_mb": size / 1e6,
        "six_db_mb": six_db / 1e6,
        "six_jsonl_mb": line * 100 / 1e6,
    }


# -- bulk --------------------------------------------------------------------------------------

BULK = r"""
import sys, time
from pathlib import Path
import httpx
from profile_editor.bulk.history import RowRecorder, new_run_entry_id
from profile_editor.bulk.session import BulkJob
from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.transport import SharedClient, make_http_client
from profile_editor.core.methods import Method
from profile_editor.core.send.plan import Target
from profile_editor.storage.history_db import HistoryStore

def answer(request):
    return httpx.Response(200, json={"status": "SUCCESS"})

source, work, record, url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
if url:  # the sandbox, in a process of its own
    http, _backend = make_http_client()
else:  # answers at once, in this process
    http, url = SharedClient(httpx.MockTransport(answer)), "http://127.0.0.1:9"
client = ProfilesClient(http)
start = time.perf_counter()
recorder = None
if record:
    recorder = RowRecorder(HistoryStore(work / "history.sqlite3").open(), run_id=new_run_entry_id(),
                           environment=None, source="cli", secrets=["bench-key"])
job = BulkJob(
    input_path=source, method=Method.POST, target=Target(base_url=url),
    client=client, api_key="bench-key", concurrency=8,
    journal_path=work / "journal.jsonl", report_path=work / "report.csv",
    on_sent=recorder.on_sent if recorder else None,
)
job.prepare()
counts = job.run()
assert counts.all_ok and counts.done, counts.summary()
if recorder is not None:
    assert recorder.close() == counts.done, recorder.error
print(time.perf_counter() - start, time.process_time())
http.close()
"""


def bench_bulk(work: Path, rows: int, rounds: int, sandbox: bool = False) -> dict[str, Any]:
    """``sandbox``: against the project's sandbox in a process of its own, a fresh one for each
    run (so every run meets an empty sandbox), instead of the in-process transport."""
    source = work / "rows.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for n in range(rows):
            profile = {
                "email": f"user{n}@example.com",
                "locale": "fr-FR",
                "custom": {"plan": "pro", "n": n},
            }
            handle.write(json.dumps({"recipient_id": f"b-{n}", "profile": profile}) + "\n")
    with_times: list[float] = []
    without_times: list[float] = []
    with_cpu: list[float] = []
    without_cpu: list[float] = []
    name = "sandbox" if sandbox else "bulk"
    for round_ in range(rounds):
        for record in (0, 1) if round_ % 2 else (1, 0):
            run_dir = work / f"{name}-{round_}-{record}"
            run_dir.mkdir()
            with sandbox_process() if sandbox else contextlib.nullcontext(("", "")) as (url, _):
                out = subprocess.run(
                    [sys.executable, "-c", BULK, str(source), str(run_dir), str(record), url],
                    capture_output=True,
                    text=True,
                )
            if out.returncode:
                raise SystemExit(out.stderr)
            wall, cpu = (float(v) for v in out.stdout.split())
            (with_times if record else without_times).append(wall)
            (with_cpu if record else without_cpu).append(cpu)
            shutil.rmtree(run_dir)
    a, b = statistics.median(with_times), statistics.median(without_times)
    ca, cb = statistics.median(with_cpu), statistics.median(without_cpu)
    return {
        f"{name}_with_s": a,
        f"{name}_without_s": b,
        f"{name}_cost_pct": (a / b - 1) * 100,
        f"{name}_with_cpu_s": ca,
        f"{name}_without_cpu_s": cb,
        f"{name}_cpu_cost_pct": (ca / cb - 1) * 100,
        # Each round's pair (with, without) and its cost: the spread the medians hide.
        "pairs_pct": [
            round((w / wo - 1) * 100, 1) for w, wo in zip(with_times, without_times, strict=True)
        ],
        "walls": [with_times, without_times],
        "load_average": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--bulk-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="append,panel,size,bulk")
    args = parser.parse_args()
    only = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "append" in only:
            print(json.dumps(bench_append(work)), flush=True)
        if "panel" in only:
            for size in (int(s) for s in args.sizes.split(",")):
                path = work / f"db-{size}" / DB_NAME
                path.parent.mkdir()
                start = time.perf_counter()
                make_db(path, size)
                made = time.perf_counter() - start
                result = bench_panel(path, size)
                result.update(entries=size, made_s=made, db_mb=path.stat().st_size / 1e6)
                print(json.dumps(result), flush=True)
        if "size" in only:
            print(json.dumps(bench_size(work)), flush=True)
        if "bulk" in only:
            print(json.dumps(bench_bulk(work, args.bulk_rows, args.rounds)), flush=True)
        if "bulk-sandbox" in only:
            result = bench_bulk(work, args.bulk_rows, args.rounds, sandbox=True)
            print(json.dumps(result), flush=True)
        os.sync()


if __name__ == "__main__":
    main()
