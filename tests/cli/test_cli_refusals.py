"""Sends that cannot do anything are refused before anything is sent: an empty patch, a body
over Courier's 6 MB limit (``send`` exits 2; in ``bulk`` the row is bad, with its line)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from cli_support import RunCli  # type: ignore[import-not-found]

from profile_editor.core.http.models import MAX_BODY_BYTES
from profile_editor.sandbox.server import SandboxServer

# 6.5 million bytes in UTF-8 (two bytes each), 3.25 million characters.
BIG_TEXT = "é" * 3_250_000


def test_an_empty_patch_exits_2_and_sends_nothing(
    run_cli: RunCli, keyed_sandbox: SandboxServer
) -> None:
    keyed_sandbox.put_profile("u1", {"a": 1})
    for body in ("[]", '{"patch": []}'):
        result = run_cli("send", "u1", "--method", "patch", "--file", "-", input=body)
        assert result.code == 2, result.stderr
        assert "the patch has no operations: nothing to send" in result.stderr
    assert [r.method for r in keyed_sandbox.requests()] == []


def test_a_body_over_the_limit_exits_2_naming_size_and_limit(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    body = tmp_path / "big.json"
    body.write_text(json.dumps({"bio": BIG_TEXT}, ensure_ascii=False), encoding="utf-8")
    for method in ("merge", "replace"):
        result = run_cli("send", "u1", "--method", method, "--yes", "--file", str(body))
        assert result.code == 2, result.stderr
        assert "the body is 6.2 MB (6,500," in result.stderr
        assert "Courier accepts at most 6 MB" in result.stderr
    assert keyed_sandbox.requests() == []  # not even the load before a replace


def test_a_bulk_row_over_the_limit_is_a_bad_row_with_its_line(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.jsonl"
    lines = [
        {"recipient_id": "u1", "profile": {"n": 1}},
        {"recipient_id": "u2", "profile": {"bio": BIG_TEXT}},
        {"recipient_id": "u3", "profile": {"n": 3}},
    ]
    source.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    report = tmp_path / "report.csv"
    result = run_cli("bulk", str(source), "--report", str(report), "--json")
    assert result.code == 1, result.stderr
    assert result.json()["counts"]["done"] == 2
    assert result.json()["counts"]["bad"] == 1
    with open(report, newline="", encoding="utf-8") as handle:
        rows = {int(r["line"]): r for r in csv.DictReader(handle)}
    assert rows[2]["status"] == "bad"
    assert "Courier accepts at most 6 MB" in rows[2]["message"]
    sent = {r.recipient_id for r in keyed_sandbox.requests()}
    assert sent == {"u1", "u3"}
    assert all(len(r.body.encode()) <= MAX_BODY_BYTES for r in keyed_sandbox.requests())
