"""What a build is called and holds, per platform: one place for the names the build, the smoke
test, the start-up benchmark and docs/packaging.md agree on."""

from __future__ import annotations

import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from profile_editor.desktop.identity import APP_ID, APP_NAME

__all__ = [
    "COMMANDS",
    "Command",
    "Target",
    "current_target",
    "git_tag_version",
]


@dataclass(frozen=True)
class Command:
    """One executable of the build and the function it runs (as ``pyproject.toml`` lists them)."""

    name: str
    module: str
    function: str
    gui: bool  # Windows: no console window; macOS: the executable the .app starts

    def entry_script(self) -> str:
        return f"from {self.module} import {self.function}\n\nraise SystemExit({self.function}())\n"


COMMANDS = (
    Command(APP_ID, "profile_editor.app", "main", gui=True),
    Command(f"{APP_ID}-cli", "profile_editor.cli.main", "main", gui=False),
    Command(f"{APP_ID}-sandbox", "profile_editor.sandbox.__main__", "main", gui=False),
)

# macOS: the bundle's name and identifier; the commands live in its Contents/MacOS.
MAC_BUNDLE = f"{APP_NAME}.app"
MAC_BUNDLE_ID = "local.profile-editor"


@dataclass(frozen=True)
class Target:
    """The platform a build is for (always the one it runs on: PyInstaller does not cross-build)."""

    system: str  # linux, macos, windows
    machine: str  # x86_64, arm64, aarch64, …
    version: str

    @property
    def name(self) -> str:
        """``profile-editor-0.1.0-linux-x86_64``: the folder and the archive's stem."""
        return f"{APP_ID}-{self.version}-{self.system}-{self.machine}"

    @property
    def archive_suffix(self) -> str:
        # Explorer opens a zip without extra tools; elsewhere tar keeps the executable bits.
        return ".zip" if self.system == "windows" else ".tar.gz"

    @property
    def archive_name(self) -> str:
        return self.name + self.archive_suffix

    def executable(self, command: Command) -> str:
        """Where ``command`` is, relative to the unpacked folder."""
        if self.system == "windows":
            return f"{command.name}.exe"
        if self.system == "macos":
            return f"{MAC_BUNDLE}/Contents/MacOS/{command.name}"
        return command.name


def _system() -> str:
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return sys.platform.rstrip("0123456789")  # linux, freebsd…


def _machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "x64": "x86_64"}.get(machine, machine)


def current_target(version: str) -> Target:
    return Target(_system(), _machine(), version)


# A release tag: v1.2.3 (or 1.2.3), optionally a pre-release or post-release as PEP 440 writes it.
_TAG = re.compile(r"v?(\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?)")


def version_from_tag(tag: str) -> str | None:
    match = _TAG.fullmatch(tag.strip())
    return match.group(1) if match else None


def git_tag_version(root: Path) -> str | None:
    """The version of the release tag on ``root``'s checked-out commit, if there is one."""
    try:
        found = subprocess.run(
            ["git", "tag", "--points-at", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if found.returncode != 0:
        return None
    versions = [v for v in map(version_from_tag, found.stdout.split()) if v]
    # Several release tags on one commit: the highest, compared number by number.
    return max(versions, key=_sort_key) if versions else None


def _sort_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))
