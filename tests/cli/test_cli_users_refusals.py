"""preferences, tokens, tenants: bad input is refused with exit 2, saying what and where, and
nothing at all reaches the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import RunCli  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("preferences", "set", "u1", "digest", "REQUIRED"), "not a user's choice"),
        (("preferences", "set", "u1", "digest", "maybe"), "“maybe” is not a preference status"),
        (
            ("preferences", "set", "u1", "digest", "OPTED_IN", "--channels", "email,fax"),
            "“fax” is not a channel",
        ),
        (("preferences", "set", "u1", "digest", "OPTED_IN", "--channels", ","), "at least one"),
        (("preferences", "get", " u1", "digest"), "whitespace"),
        (("preferences", "get", "u1", ""), "topic ID"),
        (("preferences", "reset", "u1", ".."), "path step"),
        (("preferences", "list", "u1", "--tenant-id", " "), "tenant ID"),
        (("tokens", "add", "u1", "tok-1"), "--provider is required"),
        (("tokens", "add", "u1", "tok-1", "--provider", "carrier-pigeon"), "provider_key"),
        (
            ("tokens", "add", "u1", "tok-1", "--provider", "apn", "--expiry", "tomorrow"),
            "“tomorrow” is not a date",
        ),
        (("tokens", "patch", "u1", "tok-1"), "nothing to change"),
        (("tokens", "patch", "u1", "tok-1", "--status", "gone"), "not one of active"),
        (("tokens", "delete", "u1", ""), "token"),
        (("tenants", "add", "u1", "."), "path step"),
        (("tenants", "remove", "", "acme"), "Enter a recipient ID"),
    ],
)
def test_refused_before_anything_is_sent(
    run_cli: RunCli, keyed_sandbox: SandboxServer, args: tuple[str, ...], words: str
) -> None:
    result = run_cli(*args, "--json")
    assert result.code == 2, result.stderr
    assert words in result.stderr
    assert result.json()["ok"] is False
    assert keyed_sandbox.requests() == []


def test_no_key_says_where_the_command_line_looks(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    result = run_cli("tokens", "list", "u1", key=None)
    assert result.code == 2
    assert "COURIER_API_KEY" in result.stderr
    assert keyed_sandbox.requests() == []


def test_a_token_file_naming_another_token_is_refused(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    body = tmp_path / "token.json"
    body.write_text('{"token": "other", "provider_key": "apn"}')
    result = run_cli("tokens", "add", "u1", "tok-1", "--file", str(body))
    assert result.code == 2 and "equal the one in the path" in result.stderr
    profile = tmp_path / "profile.json"
    profile.write_text("[1, 2]")
    result = run_cli("tenants", "add", "u1", "acme", "--profile", str(profile))
    assert result.code == 2 and "must be a JSON object" in result.stderr
    assert keyed_sandbox.requests() == []


def test_token_list_lines_say_a_token_has_expired() -> None:
    # "expires 2020-01-01  active" read as a working device; the window paints it as expired.
    from datetime import date

    from profile_editor.cli.users import _token_line
    from profile_editor.core.users.tokens import UserToken

    today = date(2026, 3, 1)
    line = _token_line(UserToken(token="t", provider_key="apn", expiry_date="2026-02-28"), today)
    assert "EXPIRED 2026-02-28" in line
    for expiry in ("2026-03-01", "2026-03-01T00:00:00Z", "2100-01-01"):
        line = _token_line(UserToken(token="t", provider_key="apn", expiry_date=expiry), today)
        assert f"expires {expiry}" in line
