"""A one-line progress bar with rate and ETA, redrawn at most ten times a second on a terminal."""

from __future__ import annotations

import threading
import time
from typing import TextIO

WIDTH = 28


class ProgressBar:
    def __init__(self, stream: TextIO, total: int | None) -> None:
        self._stream = stream
        self._total = total
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._drawn = 0.0
        self._count = 0
        self._failed = 0
        self._shown = False

    def advance(self, ok: bool) -> None:
        with self._lock:
            self._count += 1
            self._failed += 0 if ok else 1
            now = time.monotonic()
            if now - self._drawn >= 0.1:
                self._drawn = now
                self._draw(now)

    def message(self, text: str) -> None:
        """A line above the bar."""
        with self._lock:
            self._stream.write("\r\x1b[2K" + text + "\n")
            self._draw(time.monotonic())

    def close(self) -> None:
        with self._lock:
            self._draw(time.monotonic())
            if self._shown:
                self._stream.write("\n")
                self._stream.flush()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-6)
        rate = self._count / elapsed
        total = self._total
        if total:
            share = min(self._count / total, 1.0)
            filled = int(share * WIDTH)
            bar = "█" * filled + "░" * (WIDTH - filled)
            left = (total - self._count) / rate if rate > 0 else 0.0
            eta = f"ETA {int(left // 60)}:{int(left % 60):02d}"
            text = f"[{bar}] {self._count:,}/{total:,} · {rate:,.0f}/s · {eta}"
        else:
            text = f"{self._count:,} rows · {rate:,.0f}/s"
        if self._failed:
            text += f" · {self._failed:,} not done"
        self._stream.write("\r\x1b[2K" + text)
        self._stream.flush()
        self._shown = True
