"""Before Qt starts on X11: are the libraries its xcb platform plugin needs installed?

Without them Qt only says "Could not load the Qt platform plugin "xcb"" and aborts. This check
names the missing libraries and the ``apt-get`` command that installs them. It runs on every start,
so it is cheap: only on Linux when Qt will really use xcb, and then one ``dlopen`` per library (the
libraries Qt loads moments later anyway). Only when something is missing is ``ldd`` run on the
plugin, for anything the table below does not know.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

# What Qt 6's xcb plugin links against beyond Qt itself, and the Debian/Ubuntu package of each.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}

# Libraries Qt's GUI modules themselves load (an ImportError of PySide6.QtGui / QtWidgets).
QT_GUI_LIBRARIES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libpng16.so.16": "libpng16-16",
}

_CANNOT_OPEN = re.compile(r"(\S+\.so[.\d]*): cannot open shared object file")

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


class MissingLibraries:
    """Libraries the xcb plugin needs that the system does not have."""

    libraries: tuple[str, ...]

    def __init__(self, libraries: tuple[str, ...]) -> None:
        object.__setattr__(self, "libraries", libraries)

    def _key(self) -> tuple[Any, ...]:
        return (self.libraries,)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MissingLibraries) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"{self.__class__.__qualname__}(libraries={self.libraries!r})"

    @property
    def packages(self) -> list[str]:
        return sorted({XCB_LIBRARIES[lib] for lib in self.libraries if lib in XCB_LIBRARIES})

    @property
    def unknown(self) -> list[str]:
        return [lib for lib in self.libraries if lib not in XCB_LIBRARIES]

    def message(self) -> str:
        lines = [
            "profile-editor cannot open a window: Qt's X11 (xcb) platform plugin needs "
            "libraries that are not installed:",
            *(f"  {lib}" for lib in self.libraries),
        ]
        if self.packages:
            lines += [
                "",
                "On Debian or Ubuntu, install them with:",
                f"  sudo apt-get install {' '.join(self.packages)}",
            ]
        if self.unknown:
            lines += ["", "Find the package of the others with: apt-file search <library>"]
        lines += [
            "",
            "(Or run it under Wayland, or headless with QT_QPA_PLATFORM=offscreen.)",
        ]
        return "\n".join(lines)


def xcb_will_be_used(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt is about to load its xcb plugin, judged as Qt itself chooses."""
    if not platform.startswith("linux") or not environ.get("DISPLAY"):
        return False
    requested = environ.get("QT_QPA_PLATFORM", "").strip()
    if requested:
        # "xcb", "xcb:option=…" or a list tried in order ("xcb;wayland"): the first one counts.
        first = requested.split(";")[0]
        return first.split(":")[0] == "xcb"
    # Qt prefers Wayland on a Wayland session and falls back to xcb only if that fails.
    on_wayland = environ.get("XDG_SESSION_TYPE") == "wayland" or environ.get("WAYLAND_DISPLAY")
    return not on_wayland


def _loads(name: str) -> bool:
    import ctypes  # only here: most starts never get this far

    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def xcb_plugin_path() -> Path | None:
    """PySide6's ``libqxcb.so``, found without importing Qt."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "Qt/plugins/platforms/libqxcb.so"
    return path if path.is_file() else None


def _ldd_not_found(plugin: Path) -> list[str]:
    import subprocess

    try:
        result = subprocess.run(
            ["ldd", str(plugin)], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return not_found_in_ldd_output(result.stdout)


def not_found_in_ldd_output(text: str) -> list[str]:
    return _NOT_FOUND.findall(text)


def missing_xcb_libraries(
    loads: Callable[[str], bool] = _loads,
    plugin: Callable[[], Path | None] = xcb_plugin_path,
) -> MissingLibraries | None:
    """The xcb plugin's missing libraries, or ``None`` when all are there."""
    missing = [lib for lib in XCB_LIBRARIES if not loads(lib)]
    if not missing:
        return None
    plugin_path = plugin()
    if plugin_path is not None:
        missing += [lib for lib in _ldd_not_found(plugin_path) if lib not in missing]
    return MissingLibraries(tuple(missing))


def check_platform(environ: Mapping[str, str]) -> MissingLibraries | None:
    """The start-up check: ``None`` when Qt will not use xcb or has what it needs."""
    if not xcb_will_be_used(environ):
        return None
    return missing_xcb_libraries()


def explain_qt_import_error(exc: ImportError) -> str | None:
    """What to install when importing Qt failed on a missing system library, else ``None``."""
    found = _CANNOT_OPEN.search(str(exc))
    if found is None:
        return None
    library = found.group(1)
    package = QT_GUI_LIBRARIES.get(library) or XCB_LIBRARIES.get(library)
    lines = [f"profile-editor cannot start Qt: the system library {library} is not installed."]
    if package:
        lines += ["", "On Debian or Ubuntu, install it with:", f"  sudo apt-get install {package}"]
    else:
        lines += ["", f"Find its package with: apt-file search {library}"]
    lines += ["", "(The README lists every system package a Linux desktop needs.)"]
    return "\n".join(lines)
