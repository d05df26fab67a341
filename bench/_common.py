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


# Walks a buffer one cache line at a time, in C (a strided copy): the caches it shares with the
# benchmark stay full of someone else's lines, as on a host with busy neighbours. It ends with
# its parent, so a benchmark killed mid-run does not leave it spinning.
_WALKER = """
import os, sys
parent, view = os.getppid(), memoryview(bytearray(int(sys.argv[1]) << 20))
while os.getppid() == parent:
    view[::64].tobytes()
"""


@contextmanager
def cache_pressure(mb: int) -> Iterator[None]:
    """While inside: another process walks ``mb`` MB over and over.

    On 2026-12-07 the same code measured 1.085x on a quiet host and 1.255x when the host was
    slower; a walker of 64 MB (twice the L3 cache here) reproduces the slow state."""
    proc = subprocess.Popen([sys.executable, "-c", _WALKER, str(mb)])
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def report(title: str, rows: list[tuple[str, float, str]], ratio: float, target: float) -> None:
    print(title)
    for name, value, unit in rows:
        print(f"  {name:<40} {value:10.1f} {unit}")
    verdict = "OK" if ratio <= target else "OVER TARGET"
    print(f"  ratio {ratio:.2f}x (target <= {target}x): {verdict}")
