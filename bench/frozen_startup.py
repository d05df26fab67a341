"""Start-up to first paint: the standalone build against the same app run from this venv.

    python -m profile_editor.packaging build      # first, if dist/ has no build for this version
    python bench/frozen_startup.py [--runs 15] [--build dist/profile-editor-V-linux-x86_64]
                                   [--platform offscreen|xcb]

Both are started as a user starts them (the build's ``profile-editor``; the venv's
``profile-editor`` script) with ``--exit-after-first-paint``, which prints a line when the main
window first paints (the clock of ``bench/startup.py``) and quits. Each run is a fresh process
and a data folder of its own kind kept across runs; runs alternate so noise hits both alike.
``--platform xcb`` runs both on an Xvfb display (it must be installed) instead of offscreen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import median, report

FIRST_PAINT_LINE = "first paint"  # profile_editor/ui/shell/startup_probe.py


def default_build() -> Path:
    from profile_editor.packaging.build import build_version, source_root
    from profile_editor.packaging.layout import current_target

    return Path("dist") / current_target(build_version(source_root())).name


def venv_command() -> list[str]:
    script = Path(sys.executable).with_name("profile-editor")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "profile_editor"]


def once(command: list[str], data_dir: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "--data-dir", str(data_dir), "--exit-after-first-paint"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(30)
    if line.strip() != FIRST_PAINT_LINE:
        raise SystemExit(f"{command[0]}: no paint (said {line!r}, exit {proc.returncode})")
    return elapsed * 1000


@contextmanager
def display(platform: str) -> Iterator[dict[str, str]]:
    # Byte-code caching on, as on a user's machine (some shells turn it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if platform == "offscreen":
        yield {**env, "QT_QPA_PLATFORM": "offscreen"}
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("--platform xcb needs Xvfb (apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        number = os.read(read, 16).decode().strip()
        os.close(read)
        yield {**env, "QT_QPA_PLATFORM": "xcb", "DISPLAY": f":{number}"}
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--build", type=Path, help="the unpacked build folder (default: dist/…)")
    parser.add_argument("--platform", choices=("offscreen", "xcb"), default="offscreen")
    args = parser.parse_args()
    build = args.build or default_build()
    frozen = [str(build / "profile-editor")]
    if not Path(frozen[0]).is_file():
        raise SystemExit(f"no build at {build}: python -m profile_editor.packaging build")
    venv = venv_command()
    with tempfile.TemporaryDirectory() as scratch, display(args.platform) as env:
        frozen_dir, venv_dir = Path(scratch, "frozen"), Path(scratch, "venv")
        once(frozen, frozen_dir, env), once(venv, venv_dir, env)  # warm the file caches
        frozen_ms, venv_ms = [], []
        for _ in range(args.runs):
            frozen_ms.append(once(frozen, frozen_dir, env))
            venv_ms.append(once(venv, venv_dir, env))
    print(f"venv: {' '.join(venv)}; build: {build}; platform: {args.platform}")
    print(
        "spread (min-max): "
        f"build {min(frozen_ms):.0f}-{max(frozen_ms):.0f} ms, "
        f"venv {min(venv_ms):.0f}-{max(venv_ms):.0f} ms"
    )
    report(
        f"Start-up to first paint, median of {args.runs} runs each",
        [
            ("Profile Editor from the venv", median(venv_ms), "ms"),
            ("standalone build", median(frozen_ms), "ms"),
        ],
        median(frozen_ms) / median(venv_ms),
        1.1,
    )


if __name__ == "__main__":
    main()
