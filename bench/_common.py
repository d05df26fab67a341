"""Helpers shared by the benchmark scripts (run them from the repository root)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def sandbox_process(*options: str) -> Iterator[tuple[str, str]]:
    """A sandbox in its own process, so its work does not share our interpreter (``options``
    add e.g. ``--seed FILE``)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "profile_editor.sandbox",
            "--port",
            "0",
            "--memory",
            "--key",
            "bench-key",
            *options,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split("listening on ", 1)[1].split()[0]
        yield url, "bench-key"
    finally:
        proc.terminate()
        proc.wait(10)


def report(title: str, rows: list[tuple[str, float, str]], ratio: float, target: float) -> None:
    print(title)
    for name, value, unit in rows:
        print(f"  {name:<40} {value:10.1f} {unit}")
    verdict = "OK" if ratio <= target else "OVER TARGET"
    print(f"  ratio {ratio:.2f}x (target <= {target}x): {verdict}")
