"""preferences, tokens and tenants against a seeded sandbox: what each command reads and writes,
the read-back after every write (exit 4 when the stored state is not what was asked), the
confirmations, exit codes, --json and history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli_support import TEST_KEY, TOPICS, RunCli  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environments import Environment, EnvironmentStore

TOKEN = "fcm-3f9a1c7e2b8d4a6f0e5c9b1a7d3f2e8c"
SANDBOX_SEED: dict[str, Any] = {
    "topics": TOPICS,
    "preferences": {
        "u/1": [
            {
                "topic_id": "weekly-digest",
                "status": "OPTED_IN",
                "has_custom_routing": True,
                "custom_routing": ["email", "inbox"],
            }
        ]
    },
    "tokens": {"u/1": [{"token": TOKEN, "provider_key": "firebase-fcm", "expiry_date": False}]},
    "tenants": {
        "u/1": [{"tenant_id": "acme", "profile": {"brand": "blue"}}],
        # More than one page of 100: the commands follow the cursors.
        "many": [{"tenant_id": f"t{n:03d}"} for n in range(150)],
    },
}


def _writes(sandbox: SandboxServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in sandbox.requests() if r.method != "GET"]


def test_preferences_set_keeps_the_routing_and_verifies(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    listed = run_cli("preferences", "list", "u/1", "--json").json()
    assert [(p["topic_id"], p["status"]) for p in listed["preferences"]] == [
        ("weekly-digest", "OPTED_IN")
    ]
    result = run_cli("preferences", "set", "u/1", "weekly-digest", "opted-out", "--json")
    assert result.code == 0, result.stderr
    assert "Weekly digest: OPTED_IN → OPTED_OUT" in result.stderr
    doc = result.json()
    assert doc["verification"]["matches"] is True
    # A PUT replaces the routing: the custom channels were sent again, not dropped.
    assert doc["verification"]["stored"]["custom_routing"] == ["email", "inbox"]
    assert _writes(keyed_sandbox) == ["PUT /users/u%2F1/preferences/weekly-digest"]
    got = run_cli("preferences", "get", "u/1", "weekly-digest")
    assert got.stdout.split()[:2] == ["weekly-digest", "OPTED_OUT"]


def test_channels_and_tenant_scope(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    result = run_cli(
        "preferences",
        "set",
        "u2",
        "weekly-digest",
        "OPTED_IN",
        "--channels",
        "push;sms",
        "--tenant-id",
        "acme corp",
    )
    assert result.code == 0, result.stderr
    assert _writes(keyed_sandbox) == [
        "PUT /users/u2/preferences/weekly-digest?tenant_id=acme%20corp"
    ]
    scoped = run_cli("preferences", "list", "u2", "--tenant-id", "acme corp", "--json").json()
    assert scoped["preferences"][0]["custom_routing"] == ["push", "sms"]
    assert run_cli("preferences", "list", "u2", "--json").json()["preferences"] == []


def test_a_required_topic_is_not_opted_out(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    result = run_cli("preferences", "set", "u/1", "security", "OPTED_OUT", "--json")
    assert result.code == 2
    assert "Security alerts is REQUIRED" in result.stderr
    assert _writes(keyed_sandbox) == []


def test_reset_falls_back_to_the_default(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    result = run_cli("preferences", "reset", "u/1", "weekly-digest")
    assert result.code == 0, result.stderr
    assert "verified" in result.stderr
    assert _writes(keyed_sandbox) == ["DELETE /users/u%2F1/preferences/weekly-digest"]
    assert run_cli("preferences", "list", "u/1", "--json").json()["preferences"] == []


def test_a_write_the_server_did_not_apply_exits_4(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    # The server says 200 but stores nothing: only the read-back can tell.
    keyed_sandbox.queue_fault(
        Fault(status=200, body='{"message": "ok"}', method="PUT", path_prefix="/users/")
    )
    result = run_cli("preferences", "set", "u/1", "weekly-digest", "OPTED_OUT", "--json")
    assert result.code == 4, result.stderr
    assert "MISMATCH" in result.stderr
    doc = result.json()
    assert doc["verification"]["matches"] is False
    assert "asked OPTED_OUT, stored OPTED_IN" in doc["verification"]["differences"][0]


def test_api_errors_and_an_unreachable_server(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    keyed_sandbox.queue_fault(Fault(status=403, method="GET", path_prefix="/users/"))
    assert run_cli("tokens", "list", "u/1").code == 1
    assert run_cli("preferences", "get", "u/1", "no-such-topic").code == 1
    gone = run_cli("tenants", "list", "u/1", base_url="http://127.0.0.1:9")
    assert gone.code == 3


def test_tokens_add_patch_delete(run_cli: RunCli, keyed_sandbox: SandboxServer) -> None:
    token = "apn-" + "b" * 60
    added = run_cli(
        "tokens", "add", "u/1", token, "--provider", "apn", "--platform", "ios",
        "--app-id", "com.example", "--expiry", "2031-01-31",
    )  # fmt: skip
    assert added.code == 0, added.stderr
    assert "verified" in added.stderr
    listed = run_cli("tokens", "list", "u/1")
    assert "apn-…bbbb  apn  ios  com.example  expires 2031-01-31  active" in listed.stdout
    patched = run_cli("tokens", "patch", "u/1", token, "--status", "revoked", "--expiry", "never")
    assert patched.code == 0, patched.stderr
    got = run_cli("tokens", "get", "u/1", token, "--json").json()["user_token"]
    assert (got["status"], got["expiry_date"]) == ("revoked", False)
    refused = run_cli("tokens", "delete", "u/1", token)  # no terminal: asks, so needs --yes
    assert refused.code == 2 and "pass --yes" in refused.stderr
    assert not [w for w in _writes(keyed_sandbox) if w.startswith("DELETE")]
    deleted = run_cli("tokens", "delete", "u/1", token, "--yes")
    assert deleted.code == 0, deleted.stderr
    assert run_cli("tokens", "get", "u/1", token).code == 1
    assert TOKEN[-4:] in run_cli("tokens", "list", "u/1").stdout  # the other one stays


def test_patching_an_unknown_token_sends_nothing(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    result = run_cli("tokens", "patch", "u/1", "nope", "--status", "active")
    assert result.code == 1 and "has no token" in result.stderr
    assert _writes(keyed_sandbox) == []


def test_tenants_add_remove_and_every_page(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    many = run_cli("tenants", "list", "many", "--json").json()
    assert len(many["tenants"]) == 150 and many["pages"] == 2
    profile = tmp_path / "profile.json"
    profile.write_text('{"brand": "red", "locale": "fr-FR"}')
    added = run_cli("tenants", "add", "u/1", "globex", "--profile", str(profile), "--json")
    assert added.code == 0, added.stderr
    assert added.json()["verification"]["stored"]["profile"] == {"brand": "red", "locale": "fr-FR"}
    assert run_cli("tenants", "remove", "u/1", "acme").code == 2  # asks first
    removed = run_cli("tenants", "remove", "u/1", "acme", "--yes")
    assert removed.code == 0, removed.stderr
    assert run_cli("tenants", "list", "u/1").stdout.split() == [
        "globex",
        '{"brand":"red","locale":"fr-FR"}',
    ]


def test_a_protected_environment_asks_before_any_write(
    run_cli: RunCli, keyed_sandbox: SandboxServer, data_dir: Path
) -> None:
    EnvironmentStore(data_dir / "environments.json").save(
        [Environment(name="Prod", base_url=keyed_sandbox.url, protected=True)]
    )
    env = ("--environment", "Prod")
    for args in (
        ("preferences", "set", "u/1", "weekly-digest", "OPTED_OUT"),
        ("preferences", "reset", "u/1", "weekly-digest"),
        ("tokens", "add", "u/1", "t-1", "--provider", "expo"),
        ("tenants", "add", "u/1", "globex"),
    ):
        refused = run_cli(*env, *args, base_url=None)
        assert refused.code == 2, args
        assert "protected environment" in refused.stderr
    assert _writes(keyed_sandbox) == []
    assert run_cli("preferences", "list", "u/1", *env, base_url=None).code == 0  # reads do not
    sent = run_cli(
        *env, "preferences", "set", "u/1", "weekly-digest", "OPTED_OUT", "--yes", base_url=None
    )
    assert sent.code == 0, sent.stderr


def test_each_write_is_a_history_entry_with_before_and_after(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    assert run_cli("preferences", "set", "u/1", "weekly-digest", "OPTED_OUT").code == 0
    assert run_cli("tenants", "remove", "u/1", "acme", "--yes").code == 0
    run_cli("preferences", "list", "u/1")  # a read: not recorded
    entries = run_cli("history", "--json").json()["entries"]
    assert [(e["method"], e["resource"], e["source"]) for e in entries] == [
        ("DELETE", "tenants", "cli"),
        ("PUT", "preferences", "cli"),
    ]
    removed, changed = entries
    assert removed["profile_before"]["tenant_id"] == "acme" and removed["profile_after"] is None
    assert changed["profile_before"]["status"] == "OPTED_IN"
    assert changed["profile_after"]["status"] == "OPTED_OUT"
    assert all(TEST_KEY not in str(e) for e in entries)
    assert removed["request_path"] == "/users/u%2F1/tenants/acme"
    only = run_cli("history", "--kind", "preferences", "--json").json()["entries"]
    assert [e["resource"] for e in only] == ["preferences"]
