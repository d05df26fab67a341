"""``profile-editor --install-desktop-entry`` as a user runs it."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from profile_editor.desktop.entry import desktop_entry_text, xdg_data_home


def run_install(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "profile_editor", "--install-desktop-entry"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_entry_and_icon_go_under_xdg_data_home(tmp_path: Path) -> None:
    data_home = tmp_path / "xdg data"
    env = {**os.environ, "XDG_DATA_HOME": str(data_home), "HOME": str(tmp_path / "home")}
    result = run_install(env)
    assert result.returncode == 0, result.stderr
    desktop_file = data_home / "applications" / "profile-editor.desktop"
    icon_file = data_home / "icons" / "hicolor" / "scalable" / "apps" / "profile-editor.svg"
    assert str(desktop_file) in result.stdout and str(icon_file) in result.stdout
    expected_icon = resources.files("profile_editor.resources").joinpath("app.svg").read_bytes()
    assert icon_file.read_bytes() == expected_icon

    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(desktop_file, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Name"] == "Profile Editor"
    assert entry["Icon"] == "profile-editor" and entry["StartupWMClass"] == "profile-editor"
    assert entry["Exec"] and entry["TryExec"]
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(desktop_file)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout + check.stderr

    # Running it again overwrites in place.
    assert run_install(env).returncode == 0
    assert sorted(p.name for p in desktop_file.parent.iterdir()) == ["profile-editor.desktop"]


def test_without_xdg_data_home_it_goes_to_the_home_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env["HOME"] = str(tmp_path)
    assert run_install(env).returncode == 0
    assert (tmp_path / ".local/share/applications/profile-editor.desktop").is_file()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"XDG_DATA_HOME": "/x/share", "HOME": "/home/u"}, "/x/share"),
        ({"XDG_DATA_HOME": "relative/share", "HOME": "/home/u"}, "/home/u/.local/share"),
        ({"XDG_DATA_HOME": "", "HOME": "/home/u"}, "/home/u/.local/share"),
    ],
)
def test_xdg_data_home(environ: dict[str, str], expected: str) -> None:
    assert xdg_data_home(environ) == Path(expected)


def test_exec_arguments_are_quoted_as_the_spec_asks() -> None:
    text = desktop_entry_text(["/opt/my apps/profile-editor", "--data-dir", '/d/"x"$y%'])
    [exec_line] = [line for line in text.splitlines() if line.startswith("Exec=")]
    assert exec_line == 'Exec="/opt/my apps/profile-editor" --data-dir "/d/\\"x\\"\\$y%%"'
