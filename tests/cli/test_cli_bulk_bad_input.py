"""profile-editor-cli bulk with the files people really have: bad paths, broken CSV, odd headers,
values out of range, a dry run that must show what it would change, and the wording of refusals."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cli_support import TEST_KEY, RunCli, interruptible  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer


def _posts(sandbox: SandboxServer) -> list[str]:
    return [r.recipient_id or "" for r in sandbox.requests() if r.method == "POST"]


def _report(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_report_or_journal_naming_the_input_is_refused_before_any_file_is_touched(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    text = "recipient_id,locale\nu1,fr-FR\nu2,de-DE\n"
    source.write_text(text, encoding="utf-8")
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text('{"recipient_id": "u3", "profile": {"a": 1}}\n', encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    hard = tmp_path / "hard.csv"
    os.link(source, hard)
    cases = [
        (source, ["--report", str(source)]),
        (source, ["--report", str(tmp_path / "." / "rows.csv")]),
        (source, ["--report", str(link)]),  # other names for the same file
        (source, ["--report", str(hard)]),
        (source, ["--journal", str(source)]),
        (source, ["--journal", str(tmp_path / "j.jsonl"), "--report", str(tmp_path / "j.jsonl")]),
        (jsonl, ["--report", str(jsonl)]),
        (source, ["--dry-run", "--report", str(source)]),
    ]
    for input_path, options in cases:
        result = run_cli("bulk", str(input_path), *options)
        assert result.code == 2, (options, result.stderr)
        assert "same file" in result.stderr, result.stderr
    assert source.read_text(encoding="utf-8") == text
    assert jsonl.read_text(encoding="utf-8").startswith('{"recipient_id": "u3"')
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hard.csv",
        "link.csv",
        "rows.csv",
        "rows.jsonl",
    ]
    assert keyed_sandbox.requests() == []


def test_an_unclosed_quote_refuses_the_file_before_anything_is_sent(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text('recipient_id,email\nm1,"a@example.com\nm2,b@example.com\n')
    result = run_cli("bulk", str(source))
    assert result.code == 2, result.stderr
    assert "line 2" in result.stderr.lower() and "never closed" in result.stderr
    assert keyed_sandbox.requests() == []
    assert not (tmp_path / "rows.csv.journal.jsonl").exists()


def test_a_structural_error_at_the_end_stops_the_run_before_the_first_send(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    lines = ["recipient_id,note"] + [f"u{n},fine" for n in range(1, 400)] + ["u400,5'10\""]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("bulk", str(source))
    assert result.code == 2, result.stderr
    assert "line 401" in result.stderr.lower() and "quote" in result.stderr
    assert keyed_sandbox.requests() == []


def test_invalid_utf8_deep_in_the_file_is_a_bad_row_with_its_line(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    rows = [f"u{n:04d},Zoë number {n} with a little padding".encode() for n in range(1, 401)]
    rows[349] = b"u0350,caf\xe9 in Latin-1"  # well past the first 8 KB
    source.write_bytes(b"recipient_id,note\n" + b"\n".join(rows) + b"\n")
    assert source.stat().st_size > 12_000
    report = tmp_path / "report.csv"
    result = run_cli("bulk", str(source), "--report", str(report), "--json")
    assert result.code == 1, result.stderr
    counts = result.json()["counts"]
    assert (counts["done"], counts["bad"]) == (399, 1)
    assert "line 351 u0350: skipped: not UTF-8 text" in result.stderr
    assert "u0350" not in _posts(keyed_sandbox)
    bad = [r for r in _report(report) if r["status"] == "bad"]
    assert [(r["line"], r["recipient_id"]) for r in bad] == [("351", "u0350")]
    assert "0xE9" in bad[0]["message"]


def test_a_number_out_of_range_is_a_bad_row_not_a_network_error(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("recipient_id,age:number\nu1,1e400\nu2,31\nu3,-1E+999\n")
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text('{"recipient_id": "u4", "profile": {"age": 1e400}}\n')
    report = tmp_path / "report.csv"
    result = run_cli("bulk", str(source), "--report", str(report), "--json")
    assert result.code == 1, result.stderr
    counts = result.json()["counts"]
    assert (counts["done"], counts["bad"], counts["failed"]) == (1, 2, 0)
    rows = {r["line"]: r for r in _report(report)}
    assert (rows["2"]["status"], rows["4"]["status"]) == ("bad", "bad")
    assert "too large" in rows["2"]["message"]
    assert _posts(keyed_sandbox) == ["u2"]
    # The journal has them as bad (finished), so a resume does not send them again.
    journal = [
        json.loads(x) for x in (tmp_path / "rows.csv.journal.jsonl").read_text().splitlines()
    ]
    assert {(e["line"], e["status"]) for e in journal[1:]} == {(2, "bad"), (3, "done"), (4, "bad")}
    other = run_cli("bulk", str(jsonl), "--json")
    assert other.code == 1 and other.json()["counts"]["bad"] == 1


def test_a_report_in_a_missing_folder_is_refused_before_the_journal_exists(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("recipient_id,locale\nu1,fr-FR\n")
    missing = tmp_path / "nope" / "r.csv"
    result = run_cli("bulk", str(source), "--report", str(missing))
    assert result.code == 2, result.stderr
    assert str(missing) in result.stderr and "Errno" not in result.stderr
    assert not (tmp_path / "rows.csv.journal.jsonl").exists()
    journal_dir = tmp_path / "no-such-dir" / "j.jsonl"
    result = run_cli("bulk", str(source), "--journal", str(journal_dir))
    assert result.code == 2 and str(journal_dir) in result.stderr
    assert keyed_sandbox.requests() == []
    fixed = run_cli("bulk", str(source), "--report", str(tmp_path / "r.csv"))
    assert fixed.code == 0, fixed.stderr
    assert _posts(keyed_sandbox) == ["u1"]


def test_type_suffixes_ignore_case_and_spaces_and_a_misspelt_one_gets_a_suggestion(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("recipient_id,age:Number,vip : BOOLEAN,meta: json\nu1,31,yes,[1]\n")
    result = run_cli("bulk", str(source))
    assert result.code == 0, result.stderr
    assert keyed_sandbox.get_profile("u1") == {"age": 31, "vip": True, "meta": [1]}
    for header, hint in (("age:nubmer", "age:number"), ("age:int", "age:number")):
        source.write_text(f"recipient_id,{header}\nu2,1\n")
        refused = run_cli("bulk", str(source), "--journal", str(tmp_path / f"{hint}.j"))
        assert refused.code == 2 and f"did you mean “{hint}”" in refused.stderr, refused.stderr
    assert _posts(keyed_sandbox) == ["u1"]


def test_a_dry_run_shows_each_rows_changes_from_what_to_what(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    keyed_sandbox.put_profile("u1", {"locale": "en-US", "keep": 1})
    source = tmp_path / "rows.csv"
    lines = ["recipient_id,locale,custom.plan"] + [f"u{n},fr-FR,pro" for n in range(1, 31)]
    source.write_text("\n".join(lines) + "\n")
    report = tmp_path / "dry.csv"
    text = run_cli("bulk", str(source), "--dry-run", "--report", str(report))
    assert text.code == 0, text.stderr
    assert 'line 2 u1: would change\n  ~ locale: "en-US" → "fr-FR"\n  + custom: {"plan":"pro"}' in (
        text.stdout
    )
    assert "line 3 u2: would change (no profile yet: it would be created)" in text.stdout
    assert "10 more rows" in text.stdout and str(report) in text.stdout
    rows = {r["line"]: r for r in _report(report)}
    assert len(rows) == 30
    assert rows["2"]["details"].splitlines() == [
        '~ locale: "en-US" → "fr-FR"',
        '+ custom: {"plan":"pro"}',
    ]
    doc = run_cli("bulk", str(source), "--dry-run", "--json").json()
    first = doc["rows"][0]
    assert (first["line"], first["recipient_id"], first["status"]) == (2, "u1", "would-change")
    assert first["changes"][0] == {
        "kind": "changed",
        "path": "locale",
        "old": "en-US",
        "new": "fr-FR",
    }
    assert doc["rows_not_shown"] == 10
    assert {r.method for r in keyed_sandbox.requests()} == {"GET"}


def test_resume_after_ctrl_c_reports_each_row_once(
    run_cli: RunCli, keyed_sandbox: SandboxServer, cli_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text(
        "".join(
            json.dumps({"recipient_id": f"u{n:02d}", "profile": {"n": n}}) + "\n"
            for n in range(1, 21)
        )
    )
    report = tmp_path / "report.csv"
    keyed_sandbox.queue_fault(
        Fault(delay=60, drop=True, method="POST", path_prefix="/profiles/u05")
    )
    keyed_sandbox.queue_fault(
        Fault(status=500, method="POST", path_prefix="/profiles/u03", times=3)
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "profile_editor.cli",
            "--base-url",
            keyed_sandbox.url,
            "--data-dir",
            str(tmp_path / "data"),
            "bulk",
            str(source),
            "--concurrency",
            "1",
            "--report",
            str(report),
        ],
        env=dict(cli_env, COURIER_API_KEY=TEST_KEY),
        preexec_fn=interruptible,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while "u05" not in _posts(keyed_sandbox):
            assert time.monotonic() < deadline, "u05 never went out"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    first = _report(report)
    assert ("5", "cancelled") in {(r["line"], r["status"]) for r in first}
    assert ("3", "failed") in {(r["line"], r["status"]) for r in first}
    keyed_sandbox.clear_faults()
    resumed = run_cli("bulk", str(source), "--resume", "--report", str(report))
    assert resumed.code == 0, resumed.stderr
    final = _report(report)
    assert sorted(int(r["line"]) for r in final) == list(range(1, 21))
    assert {r["status"] for r in final} == {"done"}


def test_a_journal_of_another_file_is_named(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text("recipient_id,a\nu1,x\n")
    second = tmp_path / "second.csv"
    second.write_text("recipient_id,a\nu2,y\n")
    journal = tmp_path / "shared.journal.jsonl"
    assert run_cli("bulk", str(first), "--journal", str(journal)).code == 0
    for extra in (["--resume"], []):
        result = run_cli("bulk", str(second), "--journal", str(journal), *extra)
        assert result.code == 2, result.stderr
        assert "belongs to" in result.stderr and "first.csv" in result.stderr, result.stderr
        assert "changed since" not in result.stderr
    first.write_text("recipient_id,a\nu1,changed\n")
    changed = run_cli("bulk", str(first), "--journal", str(journal), "--resume")
    assert changed.code == 2 and "changed since the run started" in changed.stderr


def test_without_a_key_the_cli_names_the_variable_and_the_keychain(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("recipient_id,a\nu1,x\n")
    for args in (("bulk", str(source)), ("get", "u1"), ("send", "u1", "--file", "-")):
        result = run_cli(*args, key=None, input='{"a": 1}')
        assert result.code == 2, result.stderr
        assert "COURIER_API_KEY" in result.stderr and "keyring set profile-editor" in result.stderr
        assert "API key field" not in result.stderr
    assert keyed_sandbox.requests() == []


def test_a_journal_left_empty_by_a_kill_does_not_block_the_next_run(
    run_cli: RunCli, keyed_sandbox: SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text("recipient_id,a\nu1,x\n")
    (tmp_path / "rows.csv.journal.jsonl").write_bytes(b"")  # killed before its first line
    resumed = run_cli("bulk", str(source), "--resume")
    assert resumed.code == 2 and "without --resume" in resumed.stderr
    fresh = run_cli("bulk", str(source))
    assert fresh.code == 0, fresh.stderr
    assert _posts(keyed_sandbox) == ["u1"]
