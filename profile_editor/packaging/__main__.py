"""``python -m profile_editor.packaging build | smoke``: see docs/packaging.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from profile_editor.packaging.build import BuildError, build, folder_size


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m profile_editor.packaging",
        description="Build the standalone app (PyInstaller), and check the build.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, text in (
        ("build", "build dist/profile-editor-<version>-<system>-<machine>/ and its archive"),
        ("smoke", "build (or take --archive), unpack it afresh and check it as a user would"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--dist", type=Path, default=Path("dist"), help="output folder (dist)")
        p.add_argument(
            "--work",
            type=Path,
            default=Path("build") / "standalone",
            help="PyInstaller's working folder, kept for faster rebuilds (build/standalone)",
        )
        p.add_argument("--clean", action="store_true", help="start PyInstaller from scratch")
        if name == "smoke":
            p.add_argument(
                "--archive", type=Path, help="check this archive instead of building one"
            )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        archive = getattr(args, "archive", None)
        if archive is None:
            result = build(dist=args.dist, work=args.work, clean=args.clean)
            print(
                f"Built {result.folder} ({folder_size(result.folder) / 1e6:.1f} MB) and "
                f"{result.archive} ({result.archive_bytes / 1e6:.1f} MB) "
                f"in {result.seconds:.0f} s."
            )
            archive = result.archive
        if args.command == "smoke":
            from profile_editor.packaging.smoke import smoke

            return 0 if smoke(archive) else 1
    except BuildError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
