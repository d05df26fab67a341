"""history, presets and environments: the window's files, read and used from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import TEST_KEY, RunCli  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environments import Environment, EnvironmentStore
from profile_editor.storage.history import HistoryEntry, HistoryLog
from profile_editor.storage.presets import Preset, PresetStore


def test_history_reads_what_the_window_and_the_cli_wrote(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path
) -> None:
    # A line written before entries said where they came from reads as the window's.
    HistoryLog(data_dir / "history").append(
        HistoryEntry(
            base_url="https://api.courier.com",
            method="POST",
            recipient_id="from-window",
            status=200,
            outcome="success",
            duration_ms=3,
        )
    )
    assert run_cli("send", "u1", "--file", "-", input='{"a": 1}').code == 0
    assert run_cli("send", "..", "--file", "-", input="{}").code == 2  # refused: not recorded
    keyed_sandbox.stop()
    assert run_cli("send", "u2", "--file", "-", "--no-verify", input="{}").code == 3

    entries = run_cli("history", "--json").json()["entries"]
    # Every request: u1's load (a 404: nothing stored yet), its send, the re-load verifying it.
    assert [(e["recipient_id"], e["method"], e["status"], e["source"]) for e in entries] == [
        ("u2", "POST", None, "cli"),
        ("u1", "GET", 200, "cli"),
        ("u1", "POST", 200, "cli"),
        ("u1", "GET", 404, "cli"),
        ("from-window", "POST", 200, "window"),
    ]
    ok = run_cli(
        "history", "--status", "ok", "--recipient", "U1", "--method", "POST", "--json"
    ).json()["entries"]
    assert [e["recipient_id"] for e in ok] == ["u1"]
    assert ok[0]["profile_after"] == {"a": 1}
    assert entries[1]["profile_after"] == {"a": 1}  # what the verifying load read
    failed = run_cli("history", "--status", "failed", "--method", "POST").stdout.splitlines()
    assert len(failed) == 1 and "u2" in failed[0] and "network_error" in failed[0]
    assert len(run_cli("history", "--limit", "1").stdout.splitlines()) == 1


def test_presets_list_show_send(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path
) -> None:
    store = PresetStore(data_dir / "presets")
    store.save(Preset(name="Fix locale", recipient_id="u9", profile={"locale": "fr-FR"}))
    store.save(Preset(name="Wipe", recipient_id="u9", method="DELETE"))
    (data_dir / "presets" / "broken.json").write_text("{nope")

    listed = run_cli("preset", "list", "--json").json()["presets"]
    assert [p["name"] for p in listed] == ["broken", "Fix locale", "Wipe"]
    assert "error" in listed[0]
    shown = run_cli("preset", "show", "fix locale")
    assert json.loads(shown.stdout)["profile"] == {"locale": "fr-FR"}

    assert run_cli("preset", "send", "Fix locale").code == 0
    assert keyed_sandbox.get_profile("u9") == {"locale": "fr-FR"}
    assert run_cli("preset", "send", "Wipe").code == 2  # delete asks first
    assert run_cli("preset", "send", "Wipe", "--yes").code == 0
    assert keyed_sandbox.get_profile("u9") is None
    missing = run_cli("preset", "show", "nope")
    assert missing.code == 2 and "No preset named" in missing.stderr


def test_environment_with_protection_and_key(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path
) -> None:
    EnvironmentStore(data_dir / "environments.json").save(
        [
            Environment(name="Local", base_url=keyed_sandbox.url, protected=True),
            Environment(name="Other", base_url="https://example.invalid"),
        ]
    )
    refused = run_cli(
        "--environment", "local", "send", "u1", "--file", "-", input='{"a": 1}', base_url=None
    )
    assert refused.code == 2
    assert "protected environment" in refused.stderr
    sent = run_cli(
        "--environment",
        "Local",
        "send",
        "u1",
        "--yes",
        "--file",
        "-",
        "--json",
        input='{"a": 1}',
        base_url=None,
    )
    assert sent.code == 0, sent.stderr
    assert sent.json()["environment"] == "Local"
    unknown = run_cli("--environment", "Nowhere", "get", "u1", base_url=None)
    assert unknown.code == 2 and "Local, Other" in unknown.stderr
    both = run_cli("--environment", "Local", "get", "u1")
    assert both.code == 2


def test_sandbox_option_runs_its_own(run_cli: RunCli) -> None:
    sent = run_cli(
        "--sandbox", "send", "s1", "--file", "-", input='{"a": 1}', key=None, base_url=None
    )
    assert sent.code == 0, sent.stderr
    got = run_cli("--sandbox", "get", "s1", key=None, base_url=None)
    assert json.loads(got.stdout) == {"a": 1}  # kept in the data folder's sandbox database
    # The window's demo is there too (the two share the data folder's sandbox database).
    listed = run_cli(
        "--sandbox", "--json", "preferences", "list", "demo-recipient", key=None, base_url=None
    )
    assert listed.code == 0, listed.stderr
    assert "weekly-digest" in {p["topic_id"] for p in listed.json()["preferences"]}


def test_help_and_get_import_no_qt(
    cli_env: dict[str, str], keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    keyed_sandbox.put_profile("u1", {"a": 1})
    script = (
        "import sys\n"
        "sys.modules['PySide6'] = None  # any import of Qt now fails\n"
        "from profile_editor.cli.main import main\n"
        "args = sys.argv[1:]\n"
        "try:\n"
        "    code = main(args)\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6.')], 'Qt imported'\n"
        "sys.exit(code)\n"
    )
    env = dict(cli_env, COURIER_API_KEY=TEST_KEY)
    for args in (
        ["--help"],
        ["--base-url", keyed_sandbox.url, "--data-dir", str(tmp_path), "get", "u1"],
    ):
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
    assert (
        "exit codes"
        in subprocess.run(
            [sys.executable, "-m", "profile_editor.cli", "--help"],
            capture_output=True,
            text=True,
            env=env,
        ).stdout
    )


def test_environment_key_comes_from_the_keychain(
    run_cli: RunCli,
    keyed_sandbox: SandboxServer,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from keyrings.alt.file import PlaintextKeyring

    from profile_editor.storage.secrets import KeyVault

    # A file keychain both processes find through XDG_DATA_HOME (never the real one).
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(xdg))
    KeyVault(backend=PlaintextKeyring()).set("Local", TEST_KEY)
    EnvironmentStore(data_dir / "environments.json").save(
        [Environment(name="Local", base_url=keyed_sandbox.url)]
    )
    keyed_sandbox.put_profile("u1", {"a": 1})
    env = {
        "XDG_DATA_HOME": str(xdg),
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
    }
    got = run_cli("--environment", "Local", "get", "u1", key=None, base_url=None, env=env)
    assert got.code == 0, got.stderr
    assert json.loads(got.stdout) == {"a": 1}
    without = run_cli("--environment", "Local", "get", "u1", key=None, base_url=None)
    assert without.code == 2 and "no API key" in without.stderr


def test_history_filters_and_export_read_the_same_database(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path, tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from profile_editor.storage.history_db import HistoryStore

    store = HistoryStore.in_data_dir(data_dir)
    old = datetime.now(UTC) - timedelta(days=3)
    store.append_many(
        [
            (
                HistoryEntry(
                    time=old,
                    base_url="u",
                    method="PUT",
                    recipient_id="ada",
                    environment="Staging",
                    status=404,
                    outcome="api_error",
                    duration_ms=1,
                    request_body={"profile": {"city": "Zürich"}},
                ),
                [],
            ),
            (
                HistoryEntry(
                    base_url="u",
                    method="POST",
                    recipient_id="Ada-2",
                    status=200,
                    outcome="success",
                    duration_ms=1,
                    request_body={"profile": {"city": "Bern"}},
                ),
                [],
            ),
        ]
    )
    store.close()
    assert run_cli("send", "bob", "--file", "-", input='{"a": 1}').code == 0

    def ids(*options: str) -> list[str]:
        doc = run_cli("history", *options, "--json").json()
        return [e["recipient_id"] for e in doc["entries"]]

    assert ids("--recipient", "ADA") == ["Ada-2", "ada"]
    assert ids("--status", "4xx") == ["bob", "ada"]  # bob's load before the send: a 404
    assert ids("--env", "Staging") == ["ada"]
    assert ids("--method", "put") == ["ada"]
    assert ids("--text", "zürich") == ["ada"]
    assert ids("--since", "1d") == ["bob", "bob", "bob", "Ada-2"]  # load, send, verification
    assert ids("--source", "cli") == ["bob", "bob", "bob"]
    assert run_cli("history", "--status", "teapot").code == 2
    assert run_cli("history", "--since", "someday").code == 2

    dest = tmp_path / "out.csv"
    assert run_cli("history", "--recipient", "ada", "--export", str(dest)).code == 0
    lines = dest.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,time,environment") and len(lines) == 3
    jsonl = tmp_path / "out.jsonl"
    assert run_cli("history", "--export", str(jsonl)).code == 0
    assert (
        len(jsonl.read_text(encoding="utf-8").splitlines()) == 5
    )  # ada, Ada-2 and bob's three requests
    assert keyed_sandbox.key not in jsonl.read_text(encoding="utf-8")
    assert run_cli("history", "--history-keep", "forever").code == 2


def test_history_of_a_corrupt_database_says_where_it_went(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "history.sqlite3").write_bytes(b"garbage" * 1000)
    result = run_cli("history")
    assert result.code == 0
    assert "moved to" in result.stderr and "history.sqlite3.corrupt-" in result.stderr
    assert run_cli("send", "u1", "--file", "-", input="{}").code == 0
    entries = run_cli("history", "--json").json()["entries"]
    assert [(e["recipient_id"], e["method"]) for e in entries] == [
        ("u1", "GET"),
        ("u1", "POST"),
        ("u1", "GET"),
    ]
