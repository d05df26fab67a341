"""``profile-editor --install-desktop-entry``: the launcher entry and icon under XDG data dirs.

Written for the current user only: ``$XDG_DATA_HOME/applications/profile-editor.desktop`` and
``$XDG_DATA_HOME/icons/hicolor/scalable/apps/profile-editor.svg`` (``$XDG_DATA_HOME`` defaulting to
``~/.local/share``). The file name matches the app's desktop file name, which is how Wayland
compositors and X11 docks find the icon and name of the running window.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from profile_editor.desktop.identity import APP_ID, APP_NAME
from profile_editor.storage.atomic import atomic_write_bytes, atomic_write_text


@dataclass(frozen=True)
class InstalledEntry:
    desktop_file: Path
    icon_file: Path


def xdg_data_home(environ: Mapping[str, str]) -> Path:
    value = environ.get("XDG_DATA_HOME", "")
    # The spec says a relative path is invalid and must be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return Path(environ.get("HOME") or Path.home()) / ".local" / "share"


def launch_command() -> list[str]:
    """How the launcher starts the app: the installed script if there is one, else ``-m``."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == APP_ID and script.is_file():
        return [str(script.resolve())]
    found = shutil.which(APP_ID)
    if found:
        return [found]
    return [sys.executable, "-m", "profile_editor"]


def _exec_value(argv: list[str]) -> str:
    # Desktop Entry spec: arguments with reserved characters are double-quoted, and inside the
    # quotes ", `, $ and \ are escaped; a literal % is written %%.
    def quote(arg: str) -> str:
        arg = arg.replace("%", "%%")
        if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
            return arg
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{escaped}"'

    return " ".join(quote(a) for a in argv)


def desktop_entry_text(command: list[str]) -> str:
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.5",
            f"Name={APP_NAME}",
            "GenericName=Profile editor",
            "Comment=Edit and send Courier recipient profiles",
            f"Exec={_exec_value(command)}",
            f"TryExec={command[0]}",
            f"Icon={APP_ID}",
            "Terminal=false",
            "Categories=Development;Utility;",
            "Keywords=Courier;profile;recipient;JSON;API;",
            f"StartupWMClass={APP_ID}",
            "StartupNotify=true",
            "",
        ]
    )


def icon_bytes() -> bytes:
    return resources.files("profile_editor.resources").joinpath("app.svg").read_bytes()


def install_desktop_entry(
    environ: Mapping[str, str] = os.environ, command: list[str] | None = None
) -> InstalledEntry:
    """Write (or overwrite) the entry and the icon; returns where they went."""
    base = xdg_data_home(environ)
    desktop_file = base / "applications" / f"{APP_ID}.desktop"
    icon_file = base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    desktop_file.parent.mkdir(parents=True, exist_ok=True)
    icon_file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(icon_file, icon_bytes())
    atomic_write_text(desktop_file, desktop_entry_text(command or launch_command()))
    return InstalledEntry(desktop_file, icon_file)


def describe(installed: InstalledEntry) -> str:
    return (
        f"Desktop entry: {installed.desktop_file}\n"
        f"Icon: {installed.icon_file}\n"
        f"Start it from the applications menu as {APP_NAME!r} (some desktops need a new login "
        "to list it)."
    )
