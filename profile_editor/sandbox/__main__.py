"""``profile-editor-sandbox`` (or ``python -m profile_editor.sandbox``): serve until stopped."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import platformdirs

from profile_editor.sandbox.handler import is_loopback
from profile_editor.sandbox.seed import Seed, SeedError, load_seed
from profile_editor.sandbox.server import DEFAULT_KEY, start_sandbox
from profile_editor.version import VersionAction


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("profile-editor")) / "sandbox.sqlite3"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="profile-editor-sandbox",
        description="Serve a local stand-in for Courier's profiles API and the rest of a recipient.",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument("--key", default=DEFAULT_KEY, help="API key clients must send as Bearer")
    storage = parser.add_mutually_exclusive_group()
    storage.add_argument(
        "--db", type=Path, help=f"SQLite file for the profiles (default: {default_db_path()})"
    )
    storage.add_argument("--memory", action="store_true", help="keep profiles in memory only")
    parser.add_argument(
        "--seed",
        type=Path,
        metavar="FILE",
        help="load a JSON seed (topics, profiles, lists, preferences, tokens, tenants) at start",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other than loopback (the sandbox has no real security)",
    )
    return parser


def _interrupt(signum: int, frame: FrameType | None) -> None:
    signal.signal(signum, signal.SIG_IGN)  # a second signal must not break the shutdown
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.allow_remote and not is_loopback(args.host):
        parser.error(f"--host {args.host} is not a loopback address; add --allow-remote to use it")
    db_path = None if args.memory else (args.db or default_db_path())
    seed = None
    if args.seed is not None:
        try:
            seed = load_seed(args.seed)
        except SeedError as exc:
            print(f"Not started: {exc}", file=sys.stderr)
            return 2
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _serve(args.host, args.port, args.key, db_path, seed)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)


def _serve(host: str, port: int, key: str, db_path: Path | None, seed: Seed | None) -> int:
    try:
        server = start_sandbox(host=host, port=port, key=key, db_path=db_path, seed=seed)
    except OSError as exc:
        print(f"Cannot start the sandbox on {host}:{port}: {exc}", file=sys.stderr)
        return 1
    try:
        with server:
            print(f"Sandbox listening on {server.url} (key: {server.key})", flush=True)
            while True:
                time.sleep(3600)  # woken by Ctrl+C or SIGTERM as KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
