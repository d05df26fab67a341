"""Crash harness for bulk apply: a real ``profile-editor-cli bulk`` process against a real sandbox
process on loopback, killed with SIGKILL at a random moment, then ``--resume``d.

Each trial checks the promise end to end: every row is applied exactly once (at the sandbox, one
Idempotency-Key per row, the one the journal's run derives for it, so a row sent again after the
kill is replayed, not applied again), every stored profile is the row's, the journal finished
each row once and the report lists each row once, with its final state.

Two short trials run in the suite. ``PE_CRASH_TRIALS=20`` runs twenty more of
``PE_CRASH_ROWS`` rows (default 2,000) with random seeds and prints a line per trial.
"""

from __future__ import annotations

import csv
import json
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_support import (  # type: ignore[import-not-found]
    TEST_KEY,
    SandboxProcess,
    journal_header,
    journal_lines,
    kill_at_random_moment,
    run_again,
    sandbox_in_process,
)

from profile_editor.bulk.journal import row_key

MANY_TRIALS = int(os.environ.get("PE_CRASH_TRIALS", "0"))
MANY_ROWS = int(os.environ.get("PE_CRASH_ROWS", "2000"))
SUITE_ROWS = 300


@pytest.fixture(scope="module")
def sandbox_process() -> Iterator[SandboxProcess]:
    """The sandbox in a process of its own, as QA would run it (``--port 0``: a free port)."""
    with sandbox_in_process() as sandbox:
        yield sandbox


# Each row's name cell holds a line break, so row n starts on line 2n.
def _line(n: int) -> int:
    return 2 * n


def _write_input(path: Path, rows: int) -> dict[str, dict[str, Any]]:
    """A CSV with typed, dotted and Unicode columns, and a line break and quotes in a cell; the
    profile each recipient should end with, in row order."""
    expected: dict[str, dict[str, Any]] = {}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["recipient_id", "name", "age:number", "vip:boolean", "custom.plan", "tags:json"]
        )
        for n in range(1, rows + 1):
            recipient = f"user-{n:05d}-é"
            name = f'Zoë "{n}", Ünïcode\nsecond line'
            tags = ["beta", n] if n % 3 else []
            writer.writerow(
                [recipient, name, n, "yes" if n % 2 else "no", f"plan-{n % 7}", json.dumps(tags)]
            )
            expected[recipient] = {
                "name": name,
                "age": n,
                "vip": bool(n % 2),
                "custom": {"plan": f"plan-{n % 7}"},
                "tags": tags,
            }
    return expected


@dataclass
class Trial:
    rows: int
    killed_at: str  # where the kill landed: "start-up", "N of M rows journaled", "after the end"
    resent: int  # POSTs sent again after the kill (replayed by the sandbox, not applied)
    seconds: float


def run_trial(
    sandbox: SandboxProcess, folder: Path, rows: int, seed: int, cli_env: dict[str, str]
) -> Trial:
    rng = random.Random(seed)
    sandbox.reset()
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "rows.csv"
    journal = folder / "rows.csv.journal.jsonl"
    report = folder / "report.csv"
    expected = _write_input(source, rows)
    command = [
        sys.executable,
        "-m",
        "profile_editor.cli",
        "--base-url",
        sandbox.url,
        "--data-dir",
        str(folder / "data"),
        "bulk",
        str(source),
        "--report",
        str(report),
        "--concurrency",
        str(rng.choice((1, 4, 8))),
    ]
    env = dict(cli_env, COURIER_API_KEY=TEST_KEY)
    started = time.monotonic()
    finished = kill_at_random_moment(command, env, journal, rows, rng) == 0
    done_before = max(journal_lines(journal) - 1, 0)
    killed_at = "after the end" if finished else f"{done_before} of {rows} rows journaled"
    if journal_header(journal) is None:
        # Killed before the journal's first line: nothing may have been sent.
        assert sandbox.posts() == [], "rows were sent before the journal had its run"
        killed_at = "start-up"
    again = run_again(command, env, journal)
    assert again.returncode == 0, again.stderr[-2000:]
    header = journal_header(journal)
    assert header is not None
    _check_exactly_once(sandbox, header["run_id"], expected)
    _check_journal_and_report(journal, report, rows)
    posts = sandbox.posts()
    return Trial(rows, killed_at, len(posts) - rows, time.monotonic() - started)


def _check_exactly_once(
    sandbox: SandboxProcess, run_id: str, expected: dict[str, dict[str, Any]]
) -> None:
    keys: dict[str, set[str]] = defaultdict(set)
    bodies: dict[str, Any] = {}
    for request in sandbox.posts():
        recipient = request["recipient_id"]
        keys[recipient].add(request["headers"]["Idempotency-Key"])
        try:
            bodies[recipient] = json.loads(request["body"])["profile"]
        except json.JSONDecodeError:
            # Cut off by the kill mid-body: the sandbox answered 400 and applied nothing (the
            # row is sent again on resume, with the same key, and checked below).
            continue
    assert set(keys) == set(expected), "a row is missing at the sandbox, or one is extra"
    for n, recipient in enumerate(expected, start=1):
        line = _line(n)
        # One key per row, and it is the run's key for that row: a row sent again after the
        # kill carried the same key, so the sandbox replayed it instead of applying it twice.
        assert keys[recipient] == {row_key(run_id, line, recipient)}, recipient
        assert bodies[recipient] == expected[recipient], recipient
    # Spot-check what is stored (all of it would take longer than the rest of the trial).
    for recipient in random.Random(run_id).sample(list(expected), min(len(expected), 50)):
        assert sandbox.profile(recipient) == expected[recipient], recipient


def _check_journal_and_report(journal: Path, report: Path, rows: int) -> None:
    done: dict[int, int] = defaultdict(int)
    for raw in journal.read_bytes().split(b"\n")[1:]:
        try:
            entry = json.loads(raw)
        except ValueError:
            continue  # a line torn by the kill
        assert entry["status"] == "done", entry
        done[entry["line"]] += 1
    lines_of_rows = [_line(n) for n in range(1, rows + 1)]
    assert sorted(done) == lines_of_rows
    assert set(done.values()) == {1}, "a row finished twice in the journal"
    with open(report, newline="", encoding="utf-8") as handle:
        lines = [(int(r["line"]), r["status"]) for r in csv.DictReader(handle)]
    assert sorted(line for line, _ in lines) == lines_of_rows, "report incomplete or doubled"
    assert {status for _, status in lines} == {"done"}


@pytest.mark.parametrize("seed", [7, 2024])
def test_kill_9_at_a_random_moment_then_resume_applies_every_row_once(
    sandbox_process: SandboxProcess, tmp_path: Path, cli_env: dict[str, str], seed: int
) -> None:
    run_trial(sandbox_process, tmp_path / "trial", SUITE_ROWS, seed, cli_env)


@pytest.mark.skipif(MANY_TRIALS == 0, reason="set PE_CRASH_TRIALS=N to run N trials")
def test_many_kill_9_trials(
    sandbox_process: SandboxProcess, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    failures = []
    for n in range(MANY_TRIALS):
        seed = random.randrange(1 << 30)
        try:
            trial = run_trial(sandbox_process, tmp_path / f"t{n}", MANY_ROWS, seed, cli_env)
        except AssertionError as exc:
            failures.append(seed)
            print(f"trial {n + 1} (seed {seed}): FAILED: {exc}", file=sys.stderr)
            continue
        print(
            f"trial {n + 1} (seed {seed}): killed at {trial.killed_at}; {trial.resent} sent "
            f"again and replayed; {trial.seconds:.1f} s",
            file=sys.stderr,
        )
    print(
        f"{MANY_TRIALS - len(failures)} passed, {len(failures)} failed "
        f"({MANY_TRIALS} trials of {MANY_ROWS:,} rows)",
        file=sys.stderr,
    )
    assert failures == [], f"failed seeds: {failures}"
