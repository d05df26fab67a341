"""``bulk --kind preferences`` against a seeded sandbox: the dry run's old → new, REQUIRED topics
found before sending, routing kept, 429 storms, resume, and a kill -9 at a random moment of a
run of a few thousand rows followed by --resume (``PE_CRASH_TRIALS=N`` runs N more trials)."""

from __future__ import annotations

import csv
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cli_support import (  # type: ignore[import-not-found]
    TEST_KEY,
    TOPICS,
    RunCli,
    SandboxProcess,
    journal_header,
    journal_lines,
    kill_at_random_moment,
    run_again,
    sandbox_in_process,
)

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer

MANY_TRIALS = int(os.environ.get("PE_CRASH_TRIALS", "0"))
MANY_ROWS = int(os.environ.get("PE_CRASH_ROWS", "3000"))
SUITE_ROWS = 2000

SANDBOX_SEED: dict[str, Any] = {
    "topics": TOPICS,
    "preferences": {
        "u1": [
            {
                "topic_id": "weekly-digest",
                "status": "OPTED_IN",
                "has_custom_routing": True,
                "custom_routing": ["inbox"],
            }
        ],
        "u3": [{"topic_id": "weekly-digest", "status": "OPTED_OUT"}],
    },
}


def _puts(sandbox: SandboxServer) -> list[str]:
    return [r.path for r in sandbox.requests() if r.method == "PUT"]


def _report(path: Path) -> dict[int, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {int(r["line"]): r for r in csv.DictReader(handle)}


ROWS = (
    "recipient_id,topic_id,status,channels\n"
    "u1,weekly-digest,OPTED_OUT,\n"  # line 2: keeps its inbox routing
    "u2,weekly-digest,opted_out,email;push\n"  # line 3
    "u3,weekly-digest,OPTED_OUT,\n"  # line 4: already so
    "u4,security,OPTED_OUT,\n"  # line 5: REQUIRED
    "u5,nope,OPTED_IN,\n"  # line 6: no such topic: the 404 is the row's failure
    "u2,weekly-digest,OPTED_IN,\n"  # line 7: the same topic twice
)


def test_dry_run_shows_old_to_new_and_sends_nothing(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text(ROWS)
    result = run_cli("bulk", str(source), "--kind", "preferences", "--dry-run", "--json")
    assert result.code == 1, result.stderr  # a bad and a failed row
    doc = result.json()
    assert doc["counts"]["would_change"] == 2 and doc["counts"]["no_change"] == 1
    rows = {r["line"]: r for r in doc["rows"]}
    assert rows[2]["message"] == "Weekly digest: OPTED_IN → OPTED_OUT"
    assert rows[3]["changes"] == [
        {"kind": "changed", "path": "status", "old": "OPTED_IN", "new": "OPTED_OUT"},
        {"kind": "changed", "path": "custom_routing", "old": None, "new": ["email", "push"]},
    ]
    assert (rows[4]["status"], rows[4]["message"]) == (
        "no-change",
        "Weekly digest: already OPTED_OUT",
    )
    assert rows[5]["status"] == "bad" and "Security alerts is REQUIRED" in rows[5]["message"]
    assert rows[6]["status"] == "failed"
    assert rows[7]["status"] == "bad" and "first on line 3" in rows[7]["message"]
    text = run_cli("bulk", str(source), "--kind", "preferences", "--dry-run").stdout
    assert "line 2 u1: would change (Weekly digest: OPTED_IN → OPTED_OUT)" in text
    assert _puts(keyed_sandbox) == []
    assert not (tmp_path / "rows.csv.journal.jsonl").exists()


def test_a_run_keeps_routing_and_skips_required_and_unchanged_rows(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text(ROWS)
    report = tmp_path / "report.csv"
    result = run_cli("bulk", str(source), "--kind", "preferences", "--report", str(report))
    assert result.code == 1, result.stderr
    # Only the rows that change something are written; REQUIRED is never sent.
    assert sorted(_puts(keyed_sandbox)) == [
        "/users/u1/preferences/weekly-digest",
        "/users/u2/preferences/weekly-digest",
    ]
    lines = _report(report)
    assert {n: r["status"] for n, r in lines.items()} == {
        2: "done",
        3: "done",
        4: "done",
        5: "bad",
        6: "failed",
        7: "bad",
    }
    assert lines[6]["http_status"] == "404"
    stored = run_cli("preferences", "list", "u1", "--json").json()["preferences"][0]
    assert (stored["status"], stored["custom_routing"]) == ("OPTED_OUT", ["inbox"])
    stored = run_cli("preferences", "list", "u2", "--json").json()["preferences"][0]
    assert (stored["status"], stored["custom_routing"]) == ("OPTED_OUT", ["email", "push"])
    # The failed row is tried again on resume; the rest are finished.
    resumed = run_cli("bulk", str(source), "--kind", "preferences", "--resume", "--json")
    assert resumed.json()["counts"]["already_done"] == 5
    # A journal of a preferences run is not resumed as a profile run.
    wrong = run_cli("bulk", str(source), "--resume")
    assert wrong.code == 2 and "--kind preferences" in wrong.stderr
    entries = run_cli("history", "--json").json()["entries"]
    assert entries[0]["resource"] == "preferences"
    # Each PUT a row sent is a history entry of its own, under the run, with its own path.
    rows = sorted(e["request_path"] for e in entries if e["run_id"] is not None)
    assert rows == ["/users/u1/preferences/weekly-digest", "/users/u2/preferences/weekly-digest"]


def test_429_storm_slows_the_run_and_every_row_lands(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for n in range(30):
            row = {"recipient_id": f"r{n}", "topic_id": "weekly-digest", "status": "OPTED_OUT"}
            handle.write(json.dumps(row) + "\n")
    keyed_sandbox.queue_fault(
        Fault(status=429, retry_after="0.05", method="PUT", path_prefix="/users/", times=12)
    )
    result = run_cli("bulk", str(source), "--kind", "preferences", "--json")
    assert result.code == 0, result.stderr
    counts = result.json()["counts"]
    assert counts["done"] == 30 and counts["throttled"] >= 1
    assert len(set(_puts(keyed_sandbox))) == 30


def test_method_is_for_profile_rows(run_cli: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("recipient_id,topic_id,status\nu1,t,OPTED_IN\n")
    result = run_cli("bulk", str(source), "--kind", "preferences", "--method", "replace")
    assert result.code == 2 and "--method is for profile rows" in result.stderr


# --- kill -9 and resume ----------------------------------------------------------------------


def _recipient(n: int) -> str:
    return f"user-{n:05d}-é"


def _write_rows(path: Path, rows: int) -> dict[int, dict[str, Any]]:
    """Rows to opt recipients out of the digest (some with channels, some in a tenant, some of
    the REQUIRED topic); what each line asks, by line."""
    asked: dict[int, dict[str, Any]] = {}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["recipient_id", "topic_id", "status", "channels", "tenant_id"])
        for n in range(1, rows + 1):
            topic = "security" if n % 97 == 0 else "weekly-digest"
            channels = ["email", "push"] if n % 3 == 0 else []
            tenant = "acme" if n % 10 == 0 else ""
            writer.writerow([_recipient(n), topic, "OPTED_OUT", ";".join(channels), tenant])
            asked[n + 1] = {
                "recipient": _recipient(n),
                "topic": topic,
                "channels": channels or None,
                "tenant": tenant or None,
            }
    return asked


def _stored(sandbox: SandboxProcess, recipient: str, topic: str, tenant: str | None) -> Any:
    path = f"/users/{quote(recipient, safe='')}/preferences/{topic}"
    answer = sandbox.get(path + (f"?tenant_id={tenant}" if tenant else ""))
    answer.raise_for_status()
    return answer.json()["topic"]


def run_trial(folder: Path, rows: int, seed: int, cli_env: dict[str, str]) -> tuple[str, int]:
    """One trial in a sandbox of its own; (where the kill landed, PUTs sent again after it)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    seed_file = folder / "seed.json"
    seed_file.write_text(json.dumps({"topics": TOPICS}))
    with sandbox_in_process("--seed", str(seed_file)) as sandbox:
        source = folder / "rows.csv"
        journal = folder / "rows.csv.journal.jsonl"
        report = folder / "report.csv"
        asked = _write_rows(source, rows)
        command = [
            sys.executable, "-m", "profile_editor.cli", "--base-url", sandbox.url,
            "--data-dir", str(folder / "data"), "bulk", str(source), "--kind", "preferences",
            "--report", str(report), "--concurrency", str(rng.choice((1, 4, 8))),
        ]  # fmt: skip
        env = dict(cli_env, COURIER_API_KEY=TEST_KEY)
        kill_at_random_moment(command, env, journal, rows, rng)
        killed_at = f"{max(journal_lines(journal) - 1, 0)} of {rows} rows journaled"
        if journal_header(journal) is None:
            assert sandbox.requests("PUT") == [], "rows were sent before the journal had its run"
            killed_at = "start-up"
        again = run_again(command, env, journal)
        required = {line for line, a in asked.items() if a["topic"] == "security"}
        # Exit 1 when REQUIRED rows (bad) were among the rows left; none may have failed.
        summary = again.stderr.strip().splitlines()[-1]
        assert again.returncode in (0, 1) and "failed" not in summary, again.stderr[-2000:]
        _check_journal_and_report(journal, report, asked, required)
        puts = Counter(r["path"] for r in sandbox.requests("PUT"))
        assert not [p for p in puts if "/security" in p], "a REQUIRED topic was written"
        assert len(puts) == rows - len(required), "a row was never written"
        for line in random.Random(seed).sample(sorted(set(asked) - required), 40):
            a = asked[line]
            stored = _stored(sandbox, a["recipient"], a["topic"], a["tenant"])
            assert stored["status"] == "OPTED_OUT", a
            assert stored.get("custom_routing") == a["channels"] or (
                a["channels"] is None and not stored.get("has_custom_routing")
            ), (a, stored)
        return killed_at, sum(puts.values()) - len(puts)


def _check_journal_and_report(
    journal: Path, report: Path, asked: dict[int, Any], required: set[int]
) -> None:
    finished: Counter[int] = Counter()
    for raw in journal.read_bytes().split(b"\n")[1:]:
        try:
            entry = json.loads(raw)
        except ValueError:
            continue  # a line torn by the kill
        assert entry["status"] == ("bad" if entry["line"] in required else "done"), entry
        finished[entry["line"]] += 1
    assert sorted(finished) == sorted(asked)
    assert set(finished.values()) == {1}, "a row finished twice in the journal"
    with open(report, newline="", encoding="utf-8") as handle:
        lines = [(int(r["line"]), r["status"]) for r in csv.DictReader(handle)]
    assert sorted(line for line, _ in lines) == sorted(asked), "report incomplete or doubled"
    assert all(status == ("bad" if line in required else "done") for line, status in lines)


def test_kill_9_at_a_random_moment_then_resume_sets_every_row(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    run_trial(tmp_path / "trial", SUITE_ROWS, 11, cli_env)


@pytest.mark.skipif(MANY_TRIALS == 0, reason="set PE_CRASH_TRIALS=N to run N trials")
def test_many_kill_9_trials(tmp_path: Path, cli_env: dict[str, str]) -> None:
    failures = []
    for n in range(MANY_TRIALS):
        seed = random.randrange(1 << 30)
        started = time.monotonic()
        try:
            killed_at, resent = run_trial(tmp_path / f"t{n}", MANY_ROWS, seed, cli_env)
        except AssertionError as exc:
            failures.append(seed)
            print(f"trial {n + 1} (seed {seed}): FAILED: {exc}", file=sys.stderr)
            continue
        print(
            f"trial {n + 1} (seed {seed}): killed at {killed_at}; {resent} PUTs sent again; "
            f"{time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
    print(f"{MANY_TRIALS - len(failures)} of {MANY_TRIALS} trials passed", file=sys.stderr)
    assert failures == [], f"failed seeds: {failures}"
