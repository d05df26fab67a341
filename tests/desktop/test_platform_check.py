"""Missing X11 libraries are named, with the command that installs them, before Qt aborts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from profile_editor.desktop.platform_check import (
    XCB_LIBRARIES,
    check_platform,
    missing_xcb_libraries,
    not_found_in_ldd_output,
    xcb_will_be_used,
)


@pytest.mark.parametrize(
    ("environ", "platform", "expected"),
    [
        ({"DISPLAY": ":0"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb:nograb"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb;wayland"}, "linux", True),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, "linux", False),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "linux", False),
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, "linux", True),
        ({}, "linux", False),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", False),  # no X server: Qt's own message is clear
        ({"DISPLAY": ":0"}, "darwin", False),
        ({"DISPLAY": ":0"}, "win32", False),
    ],
)
def test_the_check_runs_only_when_qt_will_use_xcb(
    environ: dict[str, str], platform: str, expected: bool
) -> None:
    assert xcb_will_be_used(environ, platform) is expected


def test_nothing_is_loaded_when_the_check_does_not_apply() -> None:
    assert check_platform({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}) is None


def test_missing_libraries_are_named_with_their_packages() -> None:
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}
    missing = missing_xcb_libraries(loads=lambda lib: lib not in absent, plugin=lambda: None)
    assert missing is not None
    assert set(missing.libraries) == absent
    message = missing.message()
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in message
    assert "libxcb-keysyms.so.1" in message
    assert missing_xcb_libraries(loads=lambda lib: True, plugin=lambda: None) is None


def test_libraries_only_ldd_knows_about_are_named_too(tmp_path: Path) -> None:
    output = (
        "\tlinux-vdso.so.1 (0x00007ffd)\n"
        "\tlibxcb-icccm.so.4 => not found\n"
        "\tlibxcb-foo.so.2 => not found\n"
        "\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)\n"
    )
    assert not_found_in_ldd_output(output) == ["libxcb-icccm.so.4", "libxcb-foo.so.2"]


def test_every_known_library_has_a_package() -> None:
    assert all(lib.startswith("lib") and ".so." in lib for lib in XCB_LIBRARIES)
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"} <= set(XCB_LIBRARIES.values())


CHILD = """
import sys
from profile_editor.desktop import platform_check
platform_check.XCB_LIBRARIES["libprofile-editor-absent.so.7"] = "profile-editor-absent7"
from profile_editor.app import main
raise SystemExit(main(["--data-dir", sys.argv[1]]))
"""


def test_the_app_says_what_to_install_instead_of_aborting_in_qt(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env.update(DISPLAY=":99", QT_QPA_PLATFORM="xcb")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "libprofile-editor-absent.so.7" in result.stderr
    assert "sudo apt-get install" in result.stderr and "profile-editor-absent7" in result.stderr
    assert "Could not load the Qt platform plugin" not in result.stderr  # Qt never got that far
    log = (tmp_path / "data" / "logs" / "profile-editor.log").read_text(encoding="utf-8")
    assert "Missing libraries for Qt's xcb plugin" in log


def test_a_missing_gui_library_when_importing_qt_is_explained() -> None:
    from profile_editor.desktop.platform_check import explain_qt_import_error

    exc = ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
    hint = explain_qt_import_error(exc)
    assert hint is not None and "libEGL.so.1" in hint and "sudo apt-get install libegl1" in hint
    odd = explain_qt_import_error(ImportError("libfoo.so.3: cannot open shared object file"))
    assert odd is not None and "apt-file search libfoo.so.3" in odd
    assert explain_qt_import_error(ImportError("No module named 'PySide6'")) is None


QT_IMPORT_FAILS = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6.QtWidgets":
            raise ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
        return None

sys.meta_path.insert(0, Block())
from profile_editor.app import main
raise SystemExit(main(["--data-dir", sys.argv[1]]))
"""


def test_the_app_names_a_missing_gui_library_instead_of_a_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", QT_IMPORT_FAILS, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "sudo apt-get install libegl1" in result.stderr
    assert "Traceback" not in result.stderr
