"""What the CLI tests share besides fixtures (a module of its own: test files never import conftest)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

# Distinctive, so a test can look for it in every output and file.
TEST_KEY = "cli-test-key-5d9e1c7a"

# Two topics for a sandbox seed: one users may opt out of, one REQUIRED.
TOPICS: list[dict[str, Any]] = [
    {
        "topic_id": "weekly-digest",
        "topic_name": "Weekly digest",
        "section_id": "news",
        "section_name": "News",
        "default_status": "OPTED_IN",
    },
    {
        "topic_id": "security",
        "topic_name": "Security alerts",
        "section_id": "account",
        "section_name": "Account",
        "default_status": "REQUIRED",
    },
]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


RunCli = Callable[..., Result]


@dataclass
class SandboxProcess:
    """The sandbox in a process of its own, and an HTTP client for its control endpoints."""

    url: str
    process: subprocess.Popen[str]
    client: httpx.Client

    def reset(self) -> None:
        self.client.post("/_sandbox/reset").raise_for_status()

    def requests(self, method: str) -> list[dict[str, Any]]:
        answer = self.client.get("/_sandbox/requests")
        answer.raise_for_status()
        return [r for r in answer.json()["requests"] if r["method"] == method]

    def posts(self) -> list[dict[str, Any]]:
        return self.requests("POST")

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers={"Authorization": f"Bearer {TEST_KEY}"})

    def profile(self, recipient_id: str) -> Any:
        answer = self.get("/profiles/" + quote(recipient_id, safe=""))
        return answer.json()["profile"] if answer.status_code == 200 else None


@contextlib.contextmanager
def sandbox_in_process(*options: str) -> Iterator[SandboxProcess]:
    """``profile-editor-sandbox`` as QA runs it (``--port 0``: a free port; ``options`` add
    e.g. ``--seed FILE``), stopped on leaving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURIER_")}
    command = [sys.executable, "-m", "profile_editor.sandbox", "--port", "0", "--memory"]
    process = subprocess.Popen(
        [*command, "--key", TEST_KEY, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # "Sandbox listening on URL (key: …)"
        assert first.startswith("Sandbox listening on "), first
        url = first.split()[3]
        with httpx.Client(base_url=url, timeout=10) as client:
            yield SandboxProcess(url, process, client)
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def interruptible() -> None:
    """For ``preexec_fn`` of a CLI a test interrupts: SIGINT handled as under a terminal. A suite
    started in the background (``pytest &``, some CI runners) runs with SIGINT ignored; a child
    inherits that, Python keeps it, and the test's Ctrl+C would never reach the run."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(predicate: Callable[[], object], what: str, seconds: float = 30) -> None:
    """Until ``predicate()`` holds, polling: what a test waits for here happens in another
    process, with no signal to wait on."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def journal_lines(path: Path) -> int:
    """How many lines a bulk journal has (0 before it exists): the run's header, then a row each."""
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def journal_header(path: Path) -> dict[str, Any] | None:
    """The run a journal belongs to (None before its first line is written)."""
    try:
        first = path.read_bytes().split(b"\n", 1)[0]
        return json.loads(first) if first.strip() else None
    except (FileNotFoundError, ValueError):
        return None


def kill_at_random_moment(
    command: list[str], env: dict[str, str], journal: Path, rows: int, rng: random.Random
) -> int:
    """Run the bulk ``command`` and SIGKILL it at a random moment: one time in five while it
    starts, reads the file or opens the journal, else once the journal has a random number of
    lines (the run's header, then one a row). Its exit code (0: it ended before the kill)."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0, 0.8))
        else:
            target = rng.randint(0, rows)
            deadline = time.monotonic() + 120
            while journal_lines(journal) < target and process.poll() is None:
                assert time.monotonic() < deadline, "the run made no progress"
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.02))
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    return process.returncode


def run_again(
    command: list[str], env: dict[str, str], journal: Path
) -> subprocess.CompletedProcess[str]:
    """The bulk ``command`` after a kill: ``--resume`` once the journal has its run; before
    that, simply again (a blank journal does not block it)."""
    if journal_header(journal) is not None:
        command = [*command, "--resume"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
