"""A bulk run as one history entry: what ran, against what, how it ended, and its report."""

from __future__ import annotations

from pathlib import Path

from profile_editor.bulk.runner import RunCounts
from profile_editor.core.methods import Method
from profile_editor.storage.history import HistoryEntry


def run_entry(
    *,
    environment: str | None,
    base_url: str,
    method: Method,
    input_path: Path,
    counts: RunCounts,
    duration_ms: float,
    report: Path | None,
    source: str,
    interrupted: bool = False,
    resource: str = "profile",
) -> HistoryEntry:
    ended = "cancelled" if interrupted or counts.cancelled else None
    outcome = ended or ("success" if counts.all_ok else "api_error")
    return HistoryEntry(
        environment=environment,
        base_url=base_url,
        method=method.value,
        recipient_id=f"bulk: {input_path.name}",
        request_body={
            "bulk": {
                "file": str(input_path),
                "done": counts.done,
                "failed": counts.failed,
                "bad": counts.bad,
                "cancelled": counts.cancelled,
                "already_done": counts.skipped,
            }
        },
        outcome=outcome,
        message=f"Bulk apply of {input_path.name}: {counts.summary()}",
        duration_ms=duration_ms,
        source=source,
        report=str(report) if report is not None else None,
        resource=resource,
    )
