"""``install.sh`` of the Linux build, run on a stand-in folder (executables that print their name)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from profile_editor.desktop.entry import desktop_entry_text
from profile_editor.packaging.layout import COMMANDS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")


def make_build(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for command in COMMANDS:
        exe = folder / command.name
        exe.write_text(f'#!/bin/sh\necho {command.name} "$@"\n')
        exe.chmod(0o755)
    (folder / "_internal").mkdir()
    (folder / "_internal" / "lib.so").write_bytes(b"x")
    (folder / "profile-editor.svg").write_text("<svg/>")
    (folder / "profile-editor.desktop").write_text(desktop_entry_text(["profile-editor"]))
    script = folder / "install.sh"
    script.write_bytes((resources.files("profile_editor.packaging") / "install.sh").read_bytes())
    script.chmod(0o755)
    return folder


def run(script: Path, home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), **extra}
    return subprocess.run(
        [str(script), *args], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def files_under(home: Path) -> list[str]:
    return sorted(p.relative_to(home).as_posix() for p in home.rglob("*") if not p.is_dir())


def test_install_then_uninstall_leaves_only_the_data_folder(tmp_path: Path) -> None:
    build, home = (
        make_build(tmp_path / "unpacked" / "profile-editor-1.0-linux-x86_64"),
        tmp_path / "home",
    )
    data = home / ".local" / "share" / "profile-editor" / "presets" / "mine.json"
    data.parent.mkdir(parents=True)
    data.write_text("{}")
    done = run(build / "install.sh", home)
    assert done.returncode == 0, done.stderr
    app_dir = home / ".local" / "lib" / "profile-editor"
    for command in COMMANDS:
        link = home / ".local" / "bin" / command.name
        assert link.is_symlink() and os.readlink(link) == str(app_dir / command.name)
        ran = subprocess.run([str(link), "--version"], capture_output=True, text=True, check=True)
        assert ran.stdout == f"{command.name} --version\n"
    desktop = (home / ".local/share/applications/profile-editor.desktop").read_text()
    assert f'Exec="{app_dir}/profile-editor"\n' in desktop
    assert f"TryExec={app_dir}/profile-editor\n" in desktop
    assert "Icon=profile-editor\n" in desktop
    assert (home / ".local/share/icons/hicolor/scalable/apps/profile-editor.svg").is_file()
    assert (app_dir / "_internal" / "lib.so").is_file()
    assert "--uninstall" in done.stdout

    gone = run(app_dir / "install.sh", home, "--uninstall")
    assert gone.returncode == 0, gone.stderr
    assert files_under(home) == [".local/share/profile-editor/presets/mine.json"]


def test_installing_again_replaces_the_old_copy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = make_build(tmp_path / "old" / "profile-editor")
    (old / "_internal" / "only-in-old").write_text("x")
    assert run(old / "install.sh", home).returncode == 0
    new = make_build(tmp_path / "new" / "profile-editor")
    assert run(new / "install.sh", home).returncode == 0
    app_dir = home / ".local" / "lib" / "profile-editor"
    assert not (app_dir / "_internal" / "only-in-old").exists()
    assert not (app_dir.parent / "profile-editor.new").exists()
    # Run from the installed copy itself: nothing to copy, the links and the menu entry remade.
    again = run(app_dir / "install.sh", home)
    assert again.returncode == 0, again.stderr
    assert (app_dir / "profile-editor").is_file()


def test_another_installations_command_is_left_alone(tmp_path: Path) -> None:
    home, build = tmp_path / "home", make_build(tmp_path / "b" / "profile-editor")
    theirs = home / ".local" / "bin" / "profile-editor"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("#!/bin/sh\necho pipx\n")
    done = run(build / "install.sh", home)
    assert done.returncode == 0, done.stderr
    assert theirs.read_text() == "#!/bin/sh\necho pipx\n"
    assert "Left" in done.stdout and str(theirs) in done.stdout
    assert (home / ".local" / "bin" / "profile-editor-cli").is_symlink()
    assert run(home / ".local/lib/profile-editor/install.sh", home, "--uninstall").returncode == 0
    assert theirs.read_text() == "#!/bin/sh\necho pipx\n"


def test_xdg_data_home_and_prefix_are_honoured(tmp_path: Path) -> None:
    home, build = tmp_path / "home", make_build(tmp_path / "b" / "profile-editor")
    data_home, prefix = tmp_path / "data", tmp_path / "opt"
    done = run(build / "install.sh", home, XDG_DATA_HOME=str(data_home), PREFIX=str(prefix))
    assert done.returncode == 0, done.stderr
    assert (data_home / "applications" / "profile-editor.desktop").is_file()
    assert (prefix / "bin" / "profile-editor").is_symlink()
    assert not home.exists() or files_under(home) == []
    # A relative XDG_DATA_HOME is invalid under the spec: the default is used.
    relative = run(build / "install.sh", home, XDG_DATA_HOME="rel")
    assert relative.returncode == 0, relative.stderr
    assert (home / ".local/share/applications/profile-editor.desktop").is_file()


def test_run_from_elsewhere_or_with_a_bad_option(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lone = tmp_path / "lone"
    lone.mkdir()
    script = lone / "install.sh"
    shutil.copy(make_build(tmp_path / "b" / "x") / "install.sh", script)
    missing = run(script, home)
    assert missing.returncode == 2 and "missing" in missing.stderr
    assert not home.exists()
    wrong = run(script, home, "--frobnicate")
    assert wrong.returncode == 2 and "--uninstall" in wrong.stderr
