"""What the CLI tests share besides fixtures (a module of its own: test files never import conftest)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

# Distinctive, so a test can look for it in every output and file.
TEST_KEY = "cli-test-key-5d9e1c7a"


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
