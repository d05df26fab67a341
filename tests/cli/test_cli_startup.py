"""What ``profile-editor-cli get`` imports: its start-up is measured against ``import httpx``
(bench/cli_startup.py), so nothing the command does not need may creep onto its path."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import TEST_KEY  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer

# Each is tens of milliseconds, or pulls in what is: validation models, Qt, the keychain,
# stored files, and the change sets and send plans a load never works out.
NOT_ON_THE_PATH = (
    "pydantic",
    "PySide6",
    "keyring",
    "profile_editor.sandbox",
    "profile_editor.core.profile.changes",
    "profile_editor.core.profile.json_patch",
    "profile_editor.core.send.plan",  # a load needs only core.send.target
)
# A get records its request as a plain row: the history database and what it needs, not the
# entry model (storage.history, pydantic) nor any other stored file. Finding the data folder
# takes platformdirs (about 1.5 ms); the database, stdlib sqlite3 (about 1 ms).
STORAGE_ON_THE_PATH = {
    "profile_editor.storage",
    "profile_editor.storage.errors",
    "profile_editor.storage.history_db",
    "profile_editor.storage.history_ids",
    "profile_editor.storage.secretscan",
}


def imported_by(
    args: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the command line as the installed script does, and every module it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "profile_editor.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return done, modules


def test_get_imports_only_what_a_load_needs(
    cli_env: dict[str, str], keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    keyed_sandbox.put_profile("u1", {"a": 1})
    env = dict(cli_env, COURIER_API_KEY=TEST_KEY)
    done, modules = imported_by(["--base-url", keyed_sandbox.url, "get", "u1"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"a": 1}
    assert "httpx" in modules and "profile_editor.core.http.client" in modules  # it did look
    assert "profile_editor.storage.history_db" in modules  # it did record
    heavy = sorted(
        name
        for name in modules
        for top in NOT_ON_THE_PATH
        if name == top or name.startswith(f"{top}.")
    )
    stored = sorted(
        name
        for name in modules
        if name.startswith("profile_editor.storage") and name not in STORAGE_ON_THE_PATH
    )
    assert heavy == [] and stored == []


def test_the_collector_rests_during_short_commands_and_runs_for_bulk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from profile_editor.cli import bulk_command, profiles
    from profile_editor.cli.main import main

    seen: dict[str, bool] = {}

    def spy(name: str) -> Callable[..., int]:
        def command(*args: object, **kwargs: object) -> int:
            seen[name] = gc.isenabled()
            return 0

        return command

    monkeypatch.setattr(profiles, "command_get", spy("get"))
    monkeypatch.setattr(bulk_command, "command_bulk", spy("bulk"))
    common = ["--base-url", "http://127.0.0.1:9", "--data-dir", str(tmp_path)]
    assert main([*common, "get", "u1"]) == 0
    assert main([*common, "bulk", str(tmp_path / "rows.csv")]) == 0
    assert seen == {"get": False, "bulk": True}
    assert gc.isenabled()  # as the caller had it
    gc.disable()
    try:
        assert main(["get"]) == 2  # no ID: a usage error
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_exit_does_not_walk_every_object_again(cli_env: dict[str, str]) -> None:
    # An exit handler registered before main() runs after main()'s own (last in, first out):
    # by then every object must be out of the interpreter's final collection.
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 1000))\n"
        "from profile_editor.cli.main import main\n"
        "sys.exit(main(['get']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=cli_env, timeout=60
    )
    assert done.returncode == 2  # no ID: a usage error, and still the quick exit
    assert done.stdout.strip() == "frozen True"
