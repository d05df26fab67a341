"""The run report: one line per row (CSV, or JSON Lines when the name ends in ``.jsonl``)."""

from __future__ import annotations

import csv
import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

FIELDS = (
    "line",
    "recipient_id",
    "status",
    "http_status",
    "error_type",
    "message",
    "attempts",
    "duration_ms",
    "changes",
)


@dataclass(frozen=True, slots=True)
class RowResult:
    """How one row ended. ``status``: done, failed, bad, cancelled, or in a dry run would-change /
    no-change; ``changes`` says what a dry run found (e.g. "2 added, 1 changed")."""

    line: int
    recipient_id: str
    status: str
    http_status: int | None = None
    error_type: str | None = None
    message: str = ""
    attempts: int = 0
    duration_ms: float = 0.0
    changes: str = ""
    idempotency_key: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("done", "would-change", "no-change")

    def report_fields(self) -> dict[str, Any]:
        data = asdict(self)
        data["duration_ms"] = round(self.duration_ms, 1)
        return {name: data[name] for name in FIELDS}


class ReportWriter:
    def __init__(self, path: Path, *, append: bool = False) -> None:
        self.path = path
        self._jsonl = path.suffix.lower() == ".jsonl"
        existed = append and path.exists() and path.stat().st_size > 0
        self._handle = open(path, "a" if append else "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = None if self._jsonl else csv.DictWriter(self._handle, fieldnames=FIELDS)
        self._lock = threading.Lock()
        if self._csv is not None and not existed:
            self._csv.writeheader()

    def write(self, result: RowResult) -> None:
        fields = result.report_fields()
        with self._lock:
            if self._csv is not None:
                self._csv.writerow(fields)
            else:
                self._handle.write(json.dumps(fields, ensure_ascii=False) + "\n")

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()
