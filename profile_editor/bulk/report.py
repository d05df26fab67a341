"""The run report: one line per row (CSV, or JSON Lines when the name ends in ``.jsonl``)."""

from __future__ import annotations

import csv
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profile_editor.core.profile.jsoncodec import dumps_compact

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
    "details",
)
# A value in the report's ``details`` text is cut after this many characters (JSONL keeps all).
DETAIL_CHARS = 200
_MARKS = {"added": "+", "changed": "~", "removed": "-"}


@dataclass(frozen=True, slots=True)
class KeyChange:
    """What a dry run found for one key path: added, changed or removed, from what to what."""

    kind: str
    path: str
    old: Any = None
    new: Any = None

    def text(self, limit: int = DETAIL_CHARS) -> str:
        """``~ locale: "en-US" → "fr-FR"``, ``+ plan: "pro"``, ``- tag (was "x")``."""
        mark = _MARKS.get(self.kind, " ")
        if self.kind == "added":
            return f"{mark} {self.path}: {_short(self.new, limit)}"
        if self.kind == "changed":
            return f"{mark} {self.path}: {_short(self.old, limit)} → {_short(self.new, limit)}"
        return f"{mark} {self.path} (was {_short(self.old, limit)})"

    def doc(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "old": self.old, "new": self.new}


def _short(value: Any, limit: int) -> str:
    text = dumps_compact(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class RowResult:
    """How one row ended. ``status``: done, failed, bad, cancelled, or in a dry run would-change /
    no-change; ``changes`` says what a dry run found (e.g. "2 added, 1 changed") and ``details``
    which keys, from what to what."""

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
    details: tuple[KeyChange, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in ("done", "would-change", "no-change")

    def report_fields(self, *, structured: bool = False) -> dict[str, Any]:
        """The report's columns; ``structured`` keeps ``details`` as objects (JSON Lines)."""
        return {
            "line": self.line,
            "recipient_id": self.recipient_id,
            "status": self.status,
            "http_status": self.http_status,
            "error_type": self.error_type,
            "message": self.message,
            "attempts": self.attempts,
            "duration_ms": round(self.duration_ms, 1),
            "changes": self.changes,
            "details": [c.doc() for c in self.details]
            if structured
            else "\n".join(c.text() for c in self.details),
        }

    def journal_entry(self) -> dict[str, Any]:
        """What the journal keeps of a finished row: enough to write its report line again."""
        entry: dict[str, Any] = {
            "line": self.line,
            "recipient_id": self.recipient_id,
            "status": self.status,
            "http_status": self.http_status,
        }
        if self.idempotency_key:
            entry["key"] = self.idempotency_key
        if self.error_type:
            entry["error_type"] = self.error_type
        if self.message:
            entry["message"] = self.message
        if self.attempts:
            entry["attempts"] = self.attempts
        if self.duration_ms:
            entry["duration_ms"] = round(self.duration_ms, 1)
        return entry

    @classmethod
    def from_journal(cls, entry: dict[str, Any]) -> RowResult:
        def text(name: str) -> str:
            value = entry.get(name)
            return value if isinstance(value, str) else ""

        http = entry.get("http_status")
        attempts = entry.get("attempts")
        duration = entry.get("duration_ms")
        return cls(
            line=int(entry["line"]),
            recipient_id=text("recipient_id"),
            status=text("status"),
            http_status=http if isinstance(http, int) else None,
            error_type=text("error_type") or None,
            message=text("message"),
            attempts=attempts if isinstance(attempts, int) else 0,
            duration_ms=float(duration) if isinstance(duration, int | float) else 0.0,
            idempotency_key=text("key") or None,
        )


class ReportWriter:
    """Writes report lines as rows finish; each line reaches the OS at once (``tail -f`` works,
    and a killed run's report has every row that finished before the kill)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._jsonl = path.suffix.lower() == ".jsonl"
        self._handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = None if self._jsonl else csv.DictWriter(self._handle, fieldnames=FIELDS)
        self._lock = threading.Lock()
        if self._csv is not None:
            self._csv.writeheader()

    def write(self, result: RowResult) -> None:
        fields = result.report_fields(structured=self._jsonl)
        with self._lock:
            if self._csv is not None:
                self._csv.writerow(fields)
            else:
                self._handle.write(json.dumps(fields, ensure_ascii=False) + "\n")
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()
