"""The smoke test's own checks: what counts as written outside the data folder, and which
archive is for this machine."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from profile_editor.packaging.layout import current_target
from profile_editor.packaging.smoke import (
    SmokeFailed,
    changes_outside,
    clean_environment,
    default_data_dir,
    snapshot,
    target_of,
    unpack,
)

DATA = ".local/share/profile-editor"


def test_writes_outside_the_data_folder_are_named(tmp_path: Path) -> None:
    (tmp_path / ".config").mkdir()
    (tmp_path / ".config" / "kept").write_text("a")
    (tmp_path / ".config" / "edited").write_text("a")
    (tmp_path / ".config" / "removed").write_text("a")
    before = snapshot(tmp_path)
    (tmp_path / ".config" / "edited").write_text("longer")
    (tmp_path / ".config" / "removed").unlink()
    (tmp_path / ".cache" / "fontconfig").mkdir(parents=True)
    (tmp_path / DATA / "history").mkdir(parents=True)
    (tmp_path / DATA / "history" / "history.jsonl").write_text("{}")
    assert changes_outside(before, snapshot(tmp_path), DATA) == [
        "added: .cache",
        "added: .cache/fontconfig",
        "changed: .config/edited",
        "removed: .config/removed",
    ]


def test_nothing_changed_is_nothing(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    tree = snapshot(tmp_path)
    assert changes_outside(tree, snapshot(tmp_path), None) == []
    assert changes_outside({}, tree, None) == ["added: a"]


def test_archives_of_other_machines_are_refused(tmp_path: Path) -> None:
    here = current_target("2.5.0")
    assert target_of(tmp_path / here.archive_name) == here
    other = "profile-editor-2.5.0-plan9-mips.tar.gz"
    with pytest.raises(SmokeFailed, match="not a build for this machine"):
        target_of(tmp_path / other)


def test_unpack_keeps_the_executable_bits(tmp_path: Path) -> None:
    folder = tmp_path / "profile-editor-1-linux-x86_64"
    folder.mkdir()
    (folder / "run").write_text("#!/bin/sh\n")
    (folder / "run").chmod(0o755)
    archive = tmp_path / "a.tar.gz"
    with tarfile.open(archive, "w:gz") as packed:
        packed.add(folder, arcname=folder.name)
    unpack(archive, tmp_path / "out")
    assert (tmp_path / "out" / folder.name / "run").stat().st_mode & 0o111


def test_the_clean_environment_has_no_display_and_no_python(tmp_path: Path) -> None:
    target = current_target("1")
    env = clean_environment(tmp_path / "h", tmp_path / "t", tmp_path / "r", target)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "VIRTUAL_ENV", "PYTHONPATH"):
        assert name not in env
    assert ".venv" not in env["PATH"]
    if target.system == "linux":
        assert env["HOME"] == str(tmp_path / "h")
        assert default_data_dir(target, tmp_path / "h") == tmp_path / "h" / DATA


def test_the_command_refuses_an_archive_for_another_machine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from profile_editor.packaging.__main__ import main

    archive = tmp_path / "profile-editor-1.0-plan9-mips.tar.gz"
    archive.write_bytes(b"")
    assert main(["smoke", "--archive", str(archive)]) == 1
    assert "not a build for this machine" in capsys.readouterr().out
