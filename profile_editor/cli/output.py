"""What a command says: plain words on stderr, its result on stdout (one JSON document with --json)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


class Output:
    """Messages go to stderr; results to stdout, as text or as the command's one JSON document."""

    def __init__(
        self, *, json_mode: bool, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._document: dict[str, Any] | None = None

    def say(self, message: str) -> None:
        print(message, file=self.stderr, flush=True)

    def text(self, text: str) -> None:
        """Human-readable result (suppressed with --json, where the document says it)."""
        if not self.json_mode:
            print(text, file=self.stdout, flush=True)

    def document(self, doc: dict[str, Any]) -> None:
        """Set (or replace) the command's JSON document; written once, by :meth:`finish`."""
        self._document = doc

    def finish(self, code: int) -> None:
        if not self.json_mode:
            return
        doc = dict(self._document or {})
        doc.setdefault("ok", code == 0)
        doc["exit_code"] = code
        json.dump(doc, self.stdout, ensure_ascii=False, indent=2)
        self.stdout.write("\n")
        self.stdout.flush()


def outcome_doc(outcome: Any) -> dict[str, Any]:
    """An outcome for --json: what happened, never the request's headers (they hold the key)."""
    return {
        "outcome": outcome.kind.value,
        "summary": outcome.summary,
        "status": outcome.status_code,
        "error_type": outcome.error_type,
        "message": outcome.message,
        "attempts": outcome.attempts,
        "elapsed_ms": round(outcome.elapsed_ms, 1),
    }
