"""Atomic writes: injected failures and a real SIGKILL never leave a half-written file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from profile_editor.storage import atomic
from profile_editor.storage.atomic import atomic_write_bytes, atomic_write_text
from profile_editor.storage.presets import PresetStore

REPO_ROOT = Path(__file__).resolve().parents[2]


class InjectedCrash(Exception):
    pass


def _crash(tmp: Path, dest: Path) -> None:
    assert tmp.exists() and tmp.parent == dest.parent
    raise InjectedCrash


def test_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic_write_text(target, "first ✓\n")
    assert target.read_text(encoding="utf-8") == "first ✓\n"
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(os.listdir(tmp_path)) == ["a.json"]


def test_replace_keeps_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_failure_before_replace_keeps_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.json"
    target.write_text("old content")
    monkeypatch.setattr(atomic, "_before_replace", _crash)
    with pytest.raises(InjectedCrash):
        atomic_write_text(target, "new content")
    assert target.read_text() == "old content"
    assert os.listdir(tmp_path) == ["a.json"]


def test_failure_before_replace_of_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic, "_before_replace", _crash)
    with pytest.raises(InjectedCrash):
        atomic_write_text(tmp_path / "new.json", "x")
    assert os.listdir(tmp_path) == []


def test_failure_while_syncing_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.json"
    target.write_text("old")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        atomic_write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.json"]


def test_preset_save_with_failure_keeps_old_preset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from profile_editor.storage.presets import Preset

    store = PresetStore(tmp_path)
    entry = store.save(Preset(name="p", profile={"v": 1}))
    before = entry.path.read_bytes()
    monkeypatch.setattr(atomic, "_before_replace", _crash)
    with pytest.raises(InjectedCrash):
        store.save(Preset(name="p", profile={"v": 2}), path=entry.path)
    assert entry.path.read_bytes() == before
    assert os.listdir(tmp_path) == [entry.path.name]


def test_exclusive_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("mine")
    with pytest.raises(FileExistsError):
        atomic_write_text(target, "theirs", exclusive=True)
    assert target.read_text() == "mine"
    assert os.listdir(tmp_path) == ["a.json"]
    atomic_write_text(tmp_path / "b.json", "fresh", exclusive=True)
    assert (tmp_path / "b.json").read_text() == "fresh"


def test_temp_name_stays_short_for_long_targets(tmp_path: Path) -> None:
    target = tmp_path / ("é" * 120 + ".json")  # 245 bytes: the longest a stem may get here
    atomic_write_text(target, "x")
    assert target.read_text() == "x"


_CHILD = r"""
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from profile_editor.storage.atomic import atomic_write_bytes
from profile_editor.storage.presets import Preset

path = Path(sys.argv[2])
# Encoded up front so the loop spends its time writing, where a kill hurts most.
texts = [
    Preset(name="big", profile={"version": c, "blob": c * 3_000_000}).to_file_text().encode()
    for c in "AB"
]
atomic_write_bytes(path, texts[0])
print("started", flush=True)
n = 0
while True:
    n += 1
    atomic_write_bytes(path, texts[n % 2])
"""


@pytest.mark.parametrize("round_", range(3))
def test_sigkill_during_rewrites_leaves_old_or_new(tmp_path: Path, round_: int) -> None:
    store = PresetStore(tmp_path)
    from profile_editor.storage.presets import Preset

    entry = store.save(Preset(name="big", profile={"version": "old", "blob": "o"}))
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(REPO_ROOT), str(entry.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == b"started\n", child.stderr.read() if child.stderr else line
        child.kill()
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    if sys.platform != "win32":
        assert child.returncode == -9

    [listed] = store.list()
    assert not listed.is_broken, listed.error
    assert listed.preset is not None
    profile = listed.preset.profile
    assert profile["version"] in ("A", "B")
    assert profile["blob"] == profile["version"] * 3_000_000
    json.loads(entry.path.read_text(encoding="utf-8"))
    # A temporary file may survive the kill, but it must never look like a preset.
    assert [p.name for p in tmp_path.glob("*.json")] == [entry.path.name]
