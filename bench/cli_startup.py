"""``profile-editor-cli get`` against the sandbox, against ``python -c "import httpx"``.

    python bench/cli_startup.py [--runs 21]

Each run is a fresh process (byte-code caches warm, as after the first use); runs alternate and
the medians are compared. The sandbox runs in a process of its own and holds the profile.

For reference (not in the ratio) it also times the least a real request with httpx costs: the
same GET with ``httpx.get`` (httpx's default client, which loads the CA bundle even for http://).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import median, report, sandbox_process


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def spread(values: list[float], unit: str = "ms", digits: int = 1) -> str:
    q1, _, q3 = statistics.quantiles(values, n=4)
    low, high = min(values), max(values)
    return f"min {low:.{digits}f}, quartiles {q1:.{digits}f} to {q3:.{digits}f}, max {high:.{digits}f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    script = Path(sys.executable).with_name("profile-editor-cli")
    with sandbox_process() as (url, key), tempfile.TemporaryDirectory() as data_home:
        httpx.post(
            f"{url}/profiles/bench-user",
            json={"profile": {"email": "ada@example.com", "custom": {"plan": "pro"}}},
            headers={"Authorization": f"Bearer {key}"},
        ).raise_for_status()
        # Byte-code caching on, as on a user's machine (some shells turn it off): without it our
        # modules, unlike httpx's installed ones, would be compiled on every run.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["COURIER_API_KEY"] = key
        # `get` records its request in the history: in a data folder of the bench's own, found
        # where the user's would be (platformdirs reads XDG_DATA_HOME), not in the user's.
        env["XDG_DATA_HOME"] = data_home
        commands = {
            'python -c "import httpx"': [sys.executable, "-c", "import httpx"],
            "httpx.get (same GET, reference)": [
                sys.executable,
                "-c",
                "import httpx, sys; httpx.get(sys.argv[1], headers={'Authorization': "
                "'Bearer ' + sys.argv[2]}).raise_for_status()",
                f"{url}/profiles/bench-user",
                key,
            ],
            "profile-editor-cli get (sandbox)": [
                str(script),
                "--base-url",
                url,
                "get",
                "bench-user",
            ],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():
            timed(command, env)  # warm the byte-code caches
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    bare, raw, cli = (median(values) for values in times.values())
    for name, values in times.items():
        print(f"  {name}: {spread(values)}")
    bares, clis = times['python -c "import httpx"'], times["profile-editor-cli get (sandbox)"]
    paired = [c / b for b, c in zip(bares, clis, strict=True)]
    print(f"  per-round ratio get / import httpx: {spread(paired, 'x', 2)}")
    print(f"  httpx.get / import httpx: {raw / bare:.2f}x (reference)")
    report(
        f"process start to exit, median of {args.runs} runs",
        [
            ('python -c "import httpx"', bare, "ms"),
            ("httpx.get (same GET, reference)", raw, "ms"),
            ("profile-editor-cli get (sandbox)", cli, "ms"),
        ],
        cli / bare,
        1.5,
    )


if __name__ == "__main__":
    main()
