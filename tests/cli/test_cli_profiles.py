"""get, send, diff: every exit code, --json, stdin, refusals without --yes, the key never shown."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from cli_support import TEST_KEY, RunCli  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_get_prints_the_stored_profile(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    keyed_sandbox.put_profile("u1", {"zip": "00123", "n": 3})
    result = run_cli("get", "u1")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {"zip": "00123", "n": 3}


def test_get_json_document(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    keyed_sandbox.put_profile("a/b?c", {"x": 1})
    doc = run_cli("get", "a/b?c", "--json").json()
    assert doc["ok"] is True and doc["exit_code"] == 0
    assert doc["profile"] == {"x": 1} and doc["status"] == 200
    # The ID travelled as one encoded path segment.
    assert keyed_sandbox.requests()[-1].path == "/profiles/a%2Fb%3Fc"


def test_get_missing_profile_exits_1(run_cli: RunCli) -> None:
    result = run_cli("get", "nobody", "--json")
    assert result.code == 1
    assert "has no profile yet" in result.stderr
    assert result.json()["status"] == 404


def test_send_from_stdin_merges_and_verifies(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    keyed_sandbox.put_profile("u1", {"keep": True, "custom": {"a": 1}})
    result = run_cli("send", "u1", "--file", "-", "--json", input='{"custom": {"b": "00123"}}')
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["verification"] == {"checked": True, "matches": True, "differences": []}
    assert "verified" in result.stderr
    assert keyed_sandbox.get_profile("u1") == {"keep": True, "custom": {"a": 1, "b": "00123"}}
    posts = [r for r in keyed_sandbox.requests() if r.method == "POST"]
    assert len(posts) == 1 and posts[0].headers.get("Idempotency-Key")


def test_send_request_body_and_patch_from_files(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"profile": {"email": "a@example.com"}}')
    assert run_cli("send", "u2", "--file", str(body)).code == 0
    patch = tmp_path / "patch.json"
    patch.write_text('[{"op": "add", "path": "/locale", "value": "fr-FR"}]')
    result = run_cli("send", "u2", "--method", "patch", "--file", str(patch))
    assert result.code == 0, result.stderr
    assert keyed_sandbox.get_profile("u2") == {"email": "a@example.com", "locale": "fr-FR"}


def test_replace_and_delete_refuse_without_yes(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    keyed_sandbox.put_profile("u1", {"a": 1})
    replace = run_cli("send", "u1", "--method", "replace", "--file", "-", input='{"b": 2}')
    delete = run_cli("send", "u1", "--method", "delete", "--json")
    assert (replace.code, delete.code) == (2, 2)
    assert "pass --yes" in replace.stderr and "pass --yes" in delete.stderr
    assert delete.json()["ok"] is False
    assert not [r for r in keyed_sandbox.requests() if r.method in ("PUT", "DELETE")]
    assert keyed_sandbox.get_profile("u1") == {"a": 1}

    assert (
        run_cli("send", "u1", "--method", "replace", "--yes", "--file", "-", input='{"b": 2}').code
        == 0
    )
    assert keyed_sandbox.get_profile("u1") == {"b": 2}
    assert run_cli("send", "u1", "--method", "delete", "--yes").code == 0
    assert keyed_sandbox.get_profile("u1") is None


def test_bad_input_exits_2_and_sends_nothing(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    cases = [
        (("send", "u1", "--file", "-"), '{"a": 1,}', "Line 1, column"),
        (("send", "u1", "--file", "-"), '{"a": NaN}', "NaN"),
        (("send", "u1", "--file", "-"), "[1]", "must be a JSON object"),
        (("send", " u1", "--file", "-"), "{}", "whitespace"),
        (("send", "..", "--file", "-"), "{}", "path step"),
        (("send", "u1"), "", "needs a body"),
        (("send", "u1", "--file", "/no/such/file.json"), "", "No such file"),
        (("send", "u1", "--method", "upsert", "--file", "-"), "{}", "invalid choice"),
        (("frobnicate",), "", "invalid choice"),
    ]
    for args, stdin, words in cases:
        result = run_cli(*args, input=stdin)
        assert result.code == 2, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
    assert keyed_sandbox.requests() == []


def test_no_key_exits_2(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    result = run_cli("send", "u1", "--file", "-", input="{}", key=None)
    assert result.code == 2
    assert "no API key" in result.stderr
    assert keyed_sandbox.requests() == []


def test_api_error_exits_1(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    keyed_sandbox.queue_fault(Fault(status=400, method="POST"))
    result = run_cli("send", "u1", "--file", "-", "--no-verify", "--json", input='{"a": 1}')
    assert result.code == 1
    doc = result.json()
    assert (doc["status"], doc["error_type"]) == (400, "invalid_request_error")
    assert "Send failed: 400 · invalid_request_error — Sandbox fault" in result.stderr


def test_wrong_key_exits_1_without_showing_either_key(run_cli: RunCli) -> None:
    result = run_cli("get", "u1", "--json", key="wrong-key-0123456789")
    assert result.code == 1
    assert result.json()["error_type"] == "authentication_error"
    assert "wrong-key-0123456789" not in result.stdout + result.stderr


def test_unreachable_api_exits_3(run_cli: RunCli) -> None:
    result = run_cli("get", "u1", "--json", base_url=_closed_port_url())
    assert result.code == 3
    assert "Connection refused" in result.stderr
    assert result.json()["outcome"] == "network_error"


def test_verification_mismatch_exits_4(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    # Every GET (the load before and the check after) answers the same stale profile.
    stale = json.dumps({"profile": {"old": 1}, "preferences": None})
    keyed_sandbox.queue_fault(Fault(status=200, body=stale, method="GET", times=2))
    result = run_cli("send", "u1", "--file", "-", "--json", input='{"new": 2}')
    assert result.code == 4, result.stderr
    assert result.json()["verification"]["differences"] == ["removed new"]
    assert "MISMATCH" in result.stderr


def test_diff_prints_the_change_preview(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    keyed_sandbox.put_profile("u1", {"a": 1, "b": {"c": 2}, "keep": "x"})
    body = tmp_path / "p.json"
    body.write_text('{"a": 5, "b": {"d": 3}, "gone": null}')
    result = run_cli("diff", "u1", "--file", str(body))
    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == ["~ a: 1 → 5", "+ b.d: 3", "= untouched: keep"]
    replace = run_cli("diff", "u1", "--file", str(body), "--method", "replace", "--json").json()
    assert {c["path"] for c in replace["changes"] if c["kind"] == "removed"} == {"keep", "b.c"}
    assert [r.method for r in keyed_sandbox.requests()] == ["GET", "GET"]


def test_the_key_is_never_printed_or_stored(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path
) -> None:
    keyed_sandbox.queue_fault(Fault(status=500, method="POST", times=3))
    outputs = [
        run_cli("send", "u1", "--file", "-", "--json", input='{"a": 1}'),
        run_cli("send", "u1", "--file", "-", input='{"a": 1}'),
        run_cli("get", "u1", "--json"),
        run_cli("history", "--json"),
        run_cli("--help"),
    ]
    assert [r.code for r in outputs] == [1, 0, 0, 0, 0]
    for result in outputs:
        assert TEST_KEY not in result.stdout + result.stderr
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert TEST_KEY.encode() not in path.read_bytes(), path


def test_get_is_recorded_in_the_history(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path
) -> None:
    keyed_sandbox.put_profile("u1", {"a": 1, "note": f"pasted {TEST_KEY} by mistake"})
    assert run_cli("get", "u1").code == 0
    assert run_cli("get", "nobody").code == 1
    entries = run_cli("history", "--json").json()["entries"]
    assert [
        (e["recipient_id"], e["method"], e["status"], e["outcome"], e["source"]) for e in entries
    ] == [
        ("nobody", "GET", 404, "api_error", "cli"),
        ("u1", "GET", 200, "success", "cli"),
    ]
    assert entries[1]["resource"] == "profile" and entries[1]["request_body"] is None
    # The profile it read is the state after; the key in it was masked before the insert.
    after = entries[1]["profile_after"]
    assert after["a"] == 1 and TEST_KEY not in after["note"]
    for path in data_dir.rglob("*"):
        assert not path.is_file() or TEST_KEY.encode() not in path.read_bytes(), path
