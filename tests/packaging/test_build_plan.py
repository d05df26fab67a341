"""What the standalone build is made of, checked without running PyInstaller (the smoke test,
``python -m profile_editor.packaging smoke``, builds and runs it)."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from profile_editor.packaging.build import (
    RUNTIME_HOOK,
    build_version,
    newest_glibc,
    project_modules,
    readme_text,
    windows_version_numbers,
)
from profile_editor.packaging.layout import (
    COMMANDS,
    Target,
    current_target,
    git_tag_version,
    version_from_tag,
)
from profile_editor.packaging.spec import (
    EXCLUDED_MODULES,
    SpecCommand,
    SpecPlan,
    keeps,
    render_spec,
)
from profile_editor.version import version

ROOT = Path(__file__).resolve().parents[2]


def test_the_commands_are_the_ones_pyproject_installs() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    scripts = {**project["gui-scripts"], **project["scripts"]}
    assert {c.name: f"{c.module}:{c.function}" for c in COMMANDS} == scripts
    assert [c.name for c in COMMANDS if c.gui] == list(project["gui-scripts"])


def test_each_entry_script_runs_its_command() -> None:
    for command in COMMANDS:
        tree = ast.parse(command.entry_script())
        imported = next(n for n in tree.body if isinstance(n, ast.ImportFrom))
        assert (imported.module, imported.names[0].name) == (command.module, command.function)


def test_names_per_platform() -> None:
    linux = Target("linux", "x86_64", "1.2.3")
    assert linux.name == "profile-editor-1.2.3-linux-x86_64"
    assert linux.archive_name == "profile-editor-1.2.3-linux-x86_64.tar.gz"
    assert [linux.executable(c) for c in COMMANDS] == [c.name for c in COMMANDS]
    windows = Target("windows", "x86_64", "1.2.3")
    assert windows.archive_name.endswith(".zip")
    assert windows.executable(COMMANDS[1]) == "profile-editor-cli.exe"
    mac = Target("macos", "arm64", "1.2.3")
    assert mac.executable(COMMANDS[0]) == "Profile Editor.app/Contents/MacOS/profile-editor"
    assert current_target("9").version == "9"


def test_every_module_but_the_packaging_goes_in() -> None:
    modules = project_modules(ROOT / "profile_editor")
    assert "profile_editor.cli.main" in modules
    assert "profile_editor.sandbox.__main__" in modules
    assert "profile_editor.ui.shell.self_test" in modules
    assert "profile_editor" in modules
    assert not [m for m in modules if m.startswith("profile_editor.packaging")]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqminimal.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
        ("PySide6/Qt/plugins/platforms/libqminimalegl.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/plugins/platforms/qwindows.dll", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", True),
        ("PySide6/Qt/plugins/wayland-shell-integration/libivi-shell.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6OpenGL.so.6", False),
        ("libQt6OpenGL.so.6", False),
        ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", False),
        ("PySide6/opengl32sw.dll", False),
        ("libicudata.so.73", True),
        ("certifi/cacert.pem", True),
        ("profile_editor/resources/app.svg", True),
    ],
)
def test_what_of_qt_is_kept(dest: str, kept: bool) -> None:
    assert keeps(dest) is kept


def test_unused_qt_modules_and_test_tools_stay_out() -> None:
    for name in ("PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore", "tkinter"):
        assert name in EXCLUDED_MODULES
    # A keyring backend that writes keys to a plain file must never be chosen by the build.
    assert "keyrings" in EXCLUDED_MODULES
    for used in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtNetwork"):
        assert used not in EXCLUDED_MODULES
    assert "PySide6.QtSvg" not in EXCLUDED_MODULES


def test_the_spec_is_python_holding_the_plan() -> None:
    plan = SpecPlan(
        name="profile-editor",
        system="linux",
        commands=[SpecCommand("profile-editor", "/b/start_profile_editor.py", True)],
        datas=[("/src/profile_editor/resources", "profile_editor/resources")],
        hidden_imports=["profile_editor.cli.main"],
        pathex=["/src"],
    )
    text = render_spec(plan)
    tree = ast.parse(text)
    literal = next(
        n.value.args[0].value  # type: ignore[attr-defined]
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PLAN"
    )
    assert json.loads(literal)["hidden_imports"] == ["profile_editor.cli.main"]
    assert "def keeps(dest: str) -> bool:" in text
    assert "noarchive=True" in text


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("v1.2.3", "1.2.3"),
        ("1.2.3", "1.2.3"),
        ("v2.0.0rc1", "2.0.0rc1"),
        ("v1.0.post2", "1.0.post2"),
        ("release-1", None),
        ("v1.2.3-beta", None),
        ("nightly", None),
    ],
)
def test_release_tags(tag: str, expected: str | None) -> None:
    assert version_from_tag(tag) == expected


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_build_on_a_release_tag_takes_its_version(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    (tmp_path / "f").write_text("x")
    git("add", "f")
    git("commit", "-q", "-m", "one")
    assert git_tag_version(tmp_path) is None
    git("tag", "nightly")
    git("tag", "v1.4.0")
    git("tag", "v1.10.0")
    assert git_tag_version(tmp_path) == "1.10.0"
    (tmp_path / "f").write_text("y")
    git("commit", "-q", "-am", "two")
    assert git_tag_version(tmp_path) is None  # the tag is on an older commit


def test_outside_a_checkout_the_package_version(tmp_path: Path) -> None:
    assert git_tag_version(tmp_path / "missing") is None
    assert build_version(tmp_path) == version()


def test_windows_version_resource_numbers() -> None:
    assert windows_version_numbers("1.2.3") == (1, 2, 3, 0)
    assert windows_version_numbers("2.0") == (2, 0, 0, 0)
    assert windows_version_numbers("1.2.3.4.5") == (1, 2, 3, 4)
    assert windows_version_numbers("1.2.0rc1")[:2] == (1, 2)


@pytest.mark.parametrize("system", ["linux", "macos", "windows"])
def test_the_readme_says_how_to_start_and_check_it(system: str) -> None:
    target = Target(system, "x86_64", "1.0")
    text = readme_text(target)
    assert "--self-test" in text
    assert target.executable(COMMANDS[0]) in text
    if system == "linux":
        assert "./install.sh" in text and "--uninstall" in text


@pytest.mark.skipif(shutil.which("objdump") is None, reason="needs binutils")
def test_the_oldest_c_library_a_linux_build_needs(tmp_path: Path) -> None:
    found = shutil.which("ls")
    assert found is not None
    shutil.copy(found, tmp_path / "ls")
    (tmp_path / "notes.txt").write_text("GLIBC_9.99")  # not a binary: not read
    needed = newest_glibc(tmp_path)
    if needed is None:  # a C library other than glibc (musl)
        return
    assert needed.startswith("2.")
    readme = readme_text(Target("linux", "x86_64", "1.0"), needed)
    assert f"glibc {needed} or later" in readme


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"LD_LIBRARY_PATH": "/app/_internal"}, None),
        (
            {"LD_LIBRARY_PATH": "/app/_internal:/opt/lib", "LD_LIBRARY_PATH_ORIG": "/opt/lib"},
            "/opt/lib",
        ),
    ],
)
def test_programs_the_built_app_starts_get_the_users_library_path(
    before: dict[str, str], after: str | None
) -> None:
    show = "\nimport os, json; print(json.dumps([os.environ.get(k) for k in ('LD_LIBRARY_PATH', 'LD_LIBRARY_PATH_ORIG')]))"
    env = {"PATH": "/usr/bin:/bin", **before}
    done = subprocess.run(
        [sys.executable, "-c", RUNTIME_HOOK + show],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [after, None]


def test_without_the_build_extra_the_build_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from profile_editor.packaging import build as build_module

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "PyInstaller" else real(name, *a),
    )
    with pytest.raises(build_module.BuildError, match=r"pip install -e '\.\[build\]'"):
        build_module.build(dist=tmp_path / "dist", work=tmp_path / "work")
    assert list(tmp_path.iterdir()) == []


def test_the_build_ships_the_resources_the_wheel_ships() -> None:
    from profile_editor.packaging.build import _resource_files

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["profile_editor.resources"]
    package = ROOT / "profile_editor"
    in_wheel = {p for pattern in patterns for p in (package / "resources").glob(pattern)}
    shipped = {(Path(source), dest) for source, dest in _resource_files(package)}
    assert {(p, p.parent.relative_to(ROOT).as_posix()) for p in in_wheel} == shipped
