"""``profile-editor-cli get`` against the sandbox, against ``python -c "import httpx"``.

    python bench/cli_startup.py [--runs 15]

Each run is a fresh process (byte-code caches warm, as after the first use); runs alternate and
the medians are compared. The sandbox runs in a process of its own and holds the profile.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from _common import median, report, sandbox_process


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    script = Path(sys.executable).with_name("profile-editor-cli")
    with sandbox_process() as (url, key):
        httpx.post(
            f"{url}/profiles/bench-user",
            json={"profile": {"email": "ada@example.com", "custom": {"plan": "pro"}}},
            headers={"Authorization": f"Bearer {key}"},
        ).raise_for_status()
        env = dict(os.environ, COURIER_API_KEY=key)
        bare = [sys.executable, "-c", "import httpx"]
        cli = [str(script), "--base-url", url, "get", "bench-user"]
        timed(bare, env), timed(cli, env)  # warm the byte-code caches
        bares, clis = [], []
        for _ in range(args.runs):
            bares.append(timed(bare, env))
            clis.append(timed(cli, env))
    report(
        f"process start to exit, median of {args.runs} runs",
        [
            ('python -c "import httpx"', median(bares), "ms"),
            ("profile-editor-cli get (sandbox)", median(clis), "ms"),
        ],
        median(clis) / median(bares),
        1.5,
    )


if __name__ == "__main__":
    main()
