"""The one version every command prints: the installed package's metadata.

A wheel, an editable install and the standalone build all carry it (the standalone build writes
it from the git tag when it is built from one); ``profile_editor.__version__`` is what
``pyproject.toml`` reads, and the answer only when the package runs from a bare source tree.
Qt-free and cheap to import: the metadata is read only when ``--version`` is asked for.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

DISTRIBUTION = "profile-editor"

__all__ = ["DISTRIBUTION", "VersionAction", "attach_parent_console", "version"]


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version(DISTRIBUTION)
    except PackageNotFoundError:
        from profile_editor import __version__

        return __version__


def attach_parent_console() -> None:
    """Windows: a windowed executable (the standalone ``profile-editor.exe``) has no stdout, so
    ``--version`` and ``--self-test`` write to the console it was started from, if any."""
    if sys.platform == "win32" and sys.stdout is None:
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115 - for the process
            sys.stderr = sys.stdout


class VersionAction(argparse.Action):
    """``--version``: print ``<prog> <version>`` on stdout and exit 0 (argparse's own action
    needs the string when the parser is made, which would read the metadata on every start)."""

    def __init__(
        self,
        option_strings: Sequence[str],
        dest: str = argparse.SUPPRESS,
        default: Any = argparse.SUPPRESS,
        help: str = "print the version and exit",
    ) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        attach_parent_console()
        print(f"{parser.prog} {version()}", file=sys.stdout, flush=True)
        parser.exit()
