"""Ctrl+C of profile-editor-cli bulk at the two moments that left it hanging: as the main thread
leaves the row queue's lock, and as a row takes its connection. Each moment is made by a hook
in the CLI's process, not by timing; two rows are held by the sandbox for a minute meanwhile."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_support import TEST_KEY, RunCli, interruptible, wait_for  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer

STUCK = ["u011", "u012"]

# SIGINT raised as Condition.__exit__ starts in Queue.put (the main thread queueing a row, the
# queue full behind the stuck rows), once the test says so: handled there, before the lock is
# released, Python's KeyboardInterrupt left the queue's lock held for good.
LEAVING_THE_QUEUE_LOCK = """
import os, signal, sys, threading
from profile_editor.cli.main import main

EXIT = threading.Condition.__exit__.__code__
GO = sys.argv.pop(1)

def hook(frame, event, arg):
    if (
        event == "call"
        and frame.f_code is EXIT
        and frame.f_back.f_code.co_name == "put"
        and os.path.exists(GO)
    ):
        sys.setprofile(None)
        signal.raise_signal(signal.SIGINT)

sys.setprofile(hook)
sys.exit(main())
"""

# SIGINT as u012's worker, past its cancelled checks, asks the transport for a connection; the
# request goes on once the cancel has cut the connections. The pool then drops the connection
# that was cut and opens another, which the cut never saw.
TAKING_A_CONNECTION = """
import signal, sys, threading
import httpx
from profile_editor.core.http import transport
from profile_editor.cli.main import main

aborted = threading.Event()
abort = transport.AbortableBackend.abort

def abort_and_tell(self):
    abort(self)
    aborted.set()

handle = httpx.HTTPTransport.handle_request

def held(self, request):
    if request.url.path == "/profiles/u012":
        signal.raise_signal(signal.SIGINT)
        aborted.wait(10)
    return handle(self, request)

transport.AbortableBackend.abort = abort_and_tell
httpx.HTTPTransport.handle_request = held
sys.exit(main())
"""


def _rows(path: Path, count: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(1, count + 1):
            handle.write(json.dumps({"recipient_id": f"u{n:03d}", "profile": {"n": n}}) + "\n")
    return path


def _start(
    code: str, extra: list[str], sandbox: SandboxServer, env: dict[str, str], tmp_path: Path
) -> subprocess.Popen[str]:
    sandbox.queue_faults(
        Fault(delay=60, drop=True, method="POST", path_prefix=f"/profiles/{rid}") for rid in STUCK
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            *extra,
            "--base-url",
            sandbox.url,
            "--data-dir",
            str(tmp_path / "data"),
            "bulk",
            str(_rows(tmp_path / "rows.jsonl", 40)),
            "--concurrency",
            "2",
            "--json",
        ],
        env=dict(env, COURIER_API_KEY=TEST_KEY),
        preexec_fn=interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupted(process: subprocess.Popen[str]) -> dict[str, object]:
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    doc: dict[str, object] = json.loads(stdout)
    assert doc["interrupted"] is True
    assert "--resume" in stderr
    cancelled = [line for line in stderr.splitlines() if ": cancelled" in line]
    assert cancelled and all(line.endswith(": cancelled") for line in cancelled), stderr
    return doc


def _reap(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:  # hung: gone, and its pipes closed, before the next test
        process.kill()
        process.communicate()


def _resume_finishes(run_cli: RunCli, sandbox: SandboxServer, tmp_path: Path) -> None:
    sandbox.clear_faults()
    resumed = run_cli("bulk", str(tmp_path / "rows.jsonl"), "--resume", "--json")
    assert resumed.code == 0, resumed.stderr
    assert resumed.json()["counts"]["done"] == 30


def test_ctrl_c_as_the_main_thread_leaves_the_queue_lock_stops_the_run(
    run_cli: RunCli, keyed_sandbox: SandboxServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    go = tmp_path / "go"
    process = _start(LEAVING_THE_QUEUE_LOCK, [str(go)], keyed_sandbox, cli_env, tmp_path)
    try:
        wait_for(
            lambda: {r.recipient_id for r in keyed_sandbox.requests()} >= set(STUCK),
            "the stuck rows in flight",
        )
        go.touch()
        doc = _interrupted(process)
    finally:
        _reap(process)
    assert doc["counts"] == doc["counts"] | {"done": 10, "cancelled": 2}
    _resume_finishes(run_cli, keyed_sandbox, tmp_path)


def test_ctrl_c_as_a_row_takes_its_connection_sends_it_not(
    run_cli: RunCli, keyed_sandbox: SandboxServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    process = _start(TAKING_A_CONNECTION, [], keyed_sandbox, cli_env, tmp_path)
    try:
        doc = _interrupted(process)
    finally:
        _reap(process)
    assert doc["counts"] == doc["counts"] | {"done": 10}
    # u012 was not sent after the cancel (the sandbox would have held it for a minute).
    assert "u012" not in {r.recipient_id for r in keyed_sandbox.requests()}
    _resume_finishes(run_cli, keyed_sandbox, tmp_path)
