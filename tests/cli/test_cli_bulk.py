"""profile-editor-cli bulk against the sandbox: 429 storms, dropped connections, bad rows, and a
kill -9 in the middle followed by --resume."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from cli_support import TEST_KEY, RunCli, interruptible, wait_for  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer


def _jsonl(path: Path, count: int, start: int = 1) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(start, start + count):
            handle.write(
                json.dumps({"recipient_id": f"u{n:03d}", "profile": {"n": n, "locale": "fr-FR"}})
                + "\n"
            )
    return path


def _keys_by_recipient(sandbox: SandboxServer) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = defaultdict(list)
    for request in sandbox.requests():
        if request.method == "POST" and request.recipient_id:
            keys[request.recipient_id].append(request.headers["Idempotency-Key"])
    return keys


def _report(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_bulk_csv_with_bad_rows_and_a_failing_row(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "fix.csv"
    source.write_text(
        "recipient_id,locale,age:number,vip:boolean,custom.plan,zip\n"
        "u1,fr-FR,31,true,pro,00123\n"
        "u2,de-DE,thirty,,,\n"
        " u3,en-GB,,,,\n"
        "u4,,,no,,\n"
        "u1,es-ES,,,,\n"
        "u5,it-IT,,,,\n",
        encoding="utf-8",
    )
    keyed_sandbox.queue_fault(Fault(status=400, method="POST", path_prefix="/profiles/u5"))
    report = tmp_path / "report.csv"
    result = run_cli("bulk", str(source), "--report", str(report), "--json")
    assert result.code == 1, result.stderr
    assert result.json()["counts"] | {} == {
        "done": 2,
        "failed": 1,
        "bad": 3,
        "cancelled": 0,
        "already_done": 0,
        "would_change": 0,
        "no_change": 0,
        "throttled": 0,
    }
    assert keyed_sandbox.get_profile("u1") == {
        "locale": "fr-FR",
        "age": 31,
        "vip": True,
        "custom": {"plan": "pro"},
        "zip": "00123",
    }
    assert keyed_sandbox.get_profile("u4") == {"vip": False}
    rows = {int(r["line"]): r for r in _report(report)}
    assert rows[3]["status"] == "bad" and "age:number" in rows[3]["message"]
    assert rows[4]["status"] == "bad" and "whitespace" in rows[4]["message"]
    assert rows[6]["status"] == "bad" and "first on line 2" in rows[6]["message"]
    assert (rows[7]["status"], rows[7]["http_status"], rows[7]["error_type"]) == (
        "failed",
        "400",
        "invalid_request_error",
    )
    assert rows[2]["attempts"] == "1" and float(rows[2]["duration_ms"]) > 0
    assert "line 3 u2: skipped" in result.stderr
    # The run is one history entry that names its report, and each row sent one more that
    # points at it (bad rows were never sent).
    entries = run_cli("history", "--json").json()["entries"]
    [run] = [e for e in entries if e["run_id"] is None]
    assert (run["source"], run["report"]) == ("cli", str(report))
    sent = run_cli("history", "--run", run["id"], "--json").json()["entries"]
    assert sorted(e["recipient_id"] for e in sent) == ["u1", "u4", "u5"]
    assert {e["run_id"] for e in sent} == {run["id"]}
    assert [e["status"] for e in sent if e["recipient_id"] == "u5"] == [400]
    assert keyed_sandbox.key not in json.dumps(entries)


def test_bulk_bad_header_exits_2_before_sending(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    for header in ("id,locale", "recipient_id,age:integer", "recipient_id,custom,custom.plan"):
        source = tmp_path / "bad.csv"
        source.write_text(header + "\nu1,x\n")
        result = run_cli("bulk", str(source))
        assert result.code == 2, (header, result.stderr)
    assert keyed_sandbox.requests() == []
    assert not (tmp_path / "bad.csv.journal.jsonl").exists()


def test_bulk_replace_needs_yes_and_dry_run_sends_nothing(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    keyed_sandbox.put_profile("u001", {"n": 1, "extra": True})
    source = _jsonl(tmp_path / "rows.jsonl", 3)
    refused = run_cli("bulk", str(source), "--method", "replace")
    assert refused.code == 2 and "--yes" in refused.stderr
    report = tmp_path / "dry.jsonl"
    dry = run_cli("bulk", str(source), "--method", "replace", "--dry-run", "--report", str(report))
    assert dry.code == 0, dry.stderr
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(r["recipient_id"], r["status"]) for r in lines if r["line"] == 1] == [
        ("u001", "would-change")
    ]
    assert "1 removed" in next(r["changes"] for r in lines if r["line"] == 1)
    assert {r.method for r in keyed_sandbox.requests()} == {"GET"}
    done = run_cli("bulk", str(source), "--method", "replace", "--yes")
    assert done.code == 0, done.stderr
    assert keyed_sandbox.get_profile("u001") == {"n": 1, "locale": "fr-FR"}


def test_bulk_rides_out_a_429_storm(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = _jsonl(tmp_path / "rows.jsonl", 40)
    keyed_sandbox.queue_fault(Fault(status=429, retry_after="0", method="POST", times=30))
    result = run_cli("bulk", str(source), "--concurrency", "4", "--json")
    assert result.code == 0, result.stderr
    counts = result.json()["counts"]
    assert counts["done"] == 40 and counts["throttled"] >= 30
    for n in range(1, 41):
        assert keyed_sandbox.get_profile(f"u{n:03d}") == {"n": n, "locale": "fr-FR"}
    keys = _keys_by_recipient(keyed_sandbox)
    assert sum(len(k) for k in keys.values()) == 40 + 30
    assert all(len(set(k)) == 1 for k in keys.values())  # every retry with the row's own key


def test_bulk_retries_dropped_connections_with_the_same_key(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = _jsonl(tmp_path / "rows.jsonl", 20)
    # Two drops at most per row: within the SDK's two retries, so every row gets through.
    keyed_sandbox.queue_fault(Fault(drop=True, method="POST", times=2))
    result = run_cli("bulk", str(source), "--json")
    assert result.code == 0, result.stderr
    keys = _keys_by_recipient(keyed_sandbox)
    assert len(keys) == 20 and sum(len(k) for k in keys.values()) == 22
    assert all(len(set(k)) == 1 for k in keys.values())


def _journal_done(path: Path) -> list[int]:
    if not path.exists():
        return []
    lines = []
    for raw in path.read_text().splitlines()[1:]:
        try:
            item = json.loads(raw)
        except ValueError:
            continue
        if item.get("status") == "done":
            lines.append(item["line"])
    return lines


def test_kill_9_then_resume_applies_each_row_once_with_the_same_key(
    run_cli: RunCli, keyed_sandbox: SandboxServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    source = _jsonl(tmp_path / "rows.jsonl", 120)
    journal = tmp_path / "rows.jsonl.journal.jsonl"
    # Rows 51-54 hang: with 4 workers the run stalls after the first 50 rows are done.
    stuck = [f"u{n:03d}" for n in range(51, 55)]
    keyed_sandbox.queue_faults(
        Fault(delay=60, drop=True, method="POST", path_prefix=f"/profiles/{rid}") for rid in stuck
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "profile_editor.cli",
            "--base-url",
            keyed_sandbox.url,
            "--data-dir",
            str(tmp_path / "data"),
            "bulk",
            str(source),
            "--concurrency",
            "4",
        ],
        env=dict(cli_env, COURIER_API_KEY=TEST_KEY),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: len(_journal_done(journal)) == 50, "50 rows done")
        wait_for(
            lambda: (
                {r.recipient_id for r in keyed_sandbox.requests() if r.method == "POST"}
                >= set(stuck)
            ),
            "the stuck rows in flight",
        )
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    before_kill = _keys_by_recipient(keyed_sandbox)
    keyed_sandbox.clear_faults()
    assert sorted(_journal_done(journal)) == list(range(1, 51))

    resumed = run_cli("bulk", str(source), "--resume", "--json")
    assert resumed.code == 0, resumed.stderr
    assert resumed.json()["counts"]["already_done"] == 50
    assert resumed.json()["counts"]["done"] == 70

    keys = _keys_by_recipient(keyed_sandbox)
    assert len(keys) == 120
    for n in range(1, 121):
        rid = f"u{n:03d}"
        assert keyed_sandbox.get_profile(rid) == {"n": n, "locale": "fr-FR"}
        # One key per row, before and after the kill alike.
        assert len(set(keys[rid])) == 1, rid
        if n <= 50:
            assert len(keys[rid]) == 1, f"{rid} was finished before the kill but sent again"
    # Only the rows cut off by the kill were sent again, with the key they had.
    again = {rid for rid, sent in keys.items() if len(sent) > 1}
    assert again == set(stuck)
    assert all(keys[rid][0] == before_kill[rid][0] for rid in stuck)
    journal_lines = _journal_done(journal)
    assert sorted(journal_lines) == list(range(1, 121))  # each row finished exactly once


def test_resume_refuses_a_changed_input_or_a_second_fresh_run(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = _jsonl(tmp_path / "rows.jsonl", 2)
    assert run_cli("bulk", str(source)).code == 0
    again = run_cli("bulk", str(source))
    assert again.code == 2 and "--resume" in again.stderr
    elsewhere = run_cli("bulk", str(source), "--resume", base_url="http://127.0.0.1:9")
    assert elsewhere.code == 2 and "resume it there" in elsewhere.stderr
    _jsonl(source, 3)
    changed = run_cli("bulk", str(source), "--resume")
    assert changed.code == 2 and "changed since the run" in changed.stderr


def test_ctrl_c_stops_at_once_and_resume_finishes(
    run_cli: RunCli, keyed_sandbox: SandboxServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    source = _jsonl(tmp_path / "rows.jsonl", 40)
    journal = tmp_path / "rows.jsonl.journal.jsonl"
    stuck = ["u011", "u012"]
    keyed_sandbox.queue_faults(
        Fault(delay=60, drop=True, method="POST", path_prefix=f"/profiles/{rid}") for rid in stuck
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "profile_editor.cli",
            "--base-url",
            keyed_sandbox.url,
            "--data-dir",
            str(tmp_path / "data"),
            "bulk",
            str(source),
            "--concurrency",
            "2",
            "--json",
        ],
        env=dict(cli_env, COURIER_API_KEY=TEST_KEY),
        preexec_fn=interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len(_journal_done(journal)) == 10, "10 rows done")
        wait_for(
            lambda: {r.recipient_id for r in keyed_sandbox.requests()} >= set(stuck),
            "the stuck rows in flight",
        )
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    doc = json.loads(stdout)
    assert (doc["interrupted"], doc["counts"]["done"], doc["counts"]["cancelled"]) == (True, 10, 2)
    assert "--resume" in stderr
    keyed_sandbox.clear_faults()

    resumed = run_cli("bulk", str(source), "--resume", "--json")
    assert resumed.code == 0, resumed.stderr
    assert resumed.json()["counts"]["done"] == 30
    keys = _keys_by_recipient(keyed_sandbox)
    assert all(len(set(k)) == 1 for k in keys.values())
    assert {rid for rid, sent in keys.items() if len(sent) > 1} == set(stuck)
    assert sorted(_journal_done(journal)) == list(range(1, 41))
