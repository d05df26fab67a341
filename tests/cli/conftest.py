"""The real ``profile-editor-cli`` in a subprocess, against a real sandbox on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import TEST_KEY, Result, RunCli  # type: ignore[import-not-found]

from profile_editor.sandbox.seed import parse_seed
from profile_editor.sandbox.server import SandboxServer, start_sandbox


@pytest.fixture
def keyed_sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """The sandbox in this process, seeded with the test module's ``SANDBOX_SEED`` if it has one."""
    seed = getattr(request.module, "SANDBOX_SEED", None)
    server = start_sandbox(port=0, key=TEST_KEY, seed=None if seed is None else parse_seed(seed))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: no Courier variables of the caller, no real keychain, no Qt needed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURIER_")}
    env["HOME"] = str(tmp_path / "home")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def run_cli(cli_env: dict[str, str], data_dir: Path, keyed_sandbox: SandboxServer) -> RunCli:
    """Run the CLI against the sandbox with the key in COURIER_API_KEY (unless ``key=None``)."""

    def run(
        *args: str,
        input: str | None = None,
        key: str | None = TEST_KEY,
        base_url: str | None = "sandbox",
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Result:
        full_env = dict(cli_env)
        if key is not None:
            full_env["COURIER_API_KEY"] = key
        full_env.update(env or {})
        common = ["--data-dir", str(data_dir)]
        if base_url is not None:
            common += ["--base-url", keyed_sandbox.url if base_url == "sandbox" else base_url]
        done = subprocess.run(
            [sys.executable, "-m", "profile_editor.cli", *common, *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run
