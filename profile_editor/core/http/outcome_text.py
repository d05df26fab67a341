"""Every sentence the app says about how a request ended: one wording for the window and the CLI."""

from __future__ import annotations

from profile_editor.core.http.models import Outcome, OutcomeKind
from profile_editor.core.profile.jsoncodec import compact_head, dumps_pretty

__all__ = [
    "closed_outcome",
    "describe",
    "failure_line",
    "load_line",
    "load_status",
    "retry_line",
    "send_line",
    "send_status",
    "verification_text",
    "verified_status",
]

# The response pane is for reading: a 6 MB answer is cut.
DESCRIBE_BODY_CHARS = 20_000


def describe(outcome: Outcome) -> str:
    """Status, error type and message, attempts, then the answer's body or the raw detail."""
    lines = [f"HTTP {outcome.summary}" if outcome.status_code is not None else outcome.summary]
    if outcome.error_type:
        lines.append(f"Type: {outcome.error_type}")
    if outcome.message:
        lines.append(f"Message: {outcome.message}")
    if outcome.attempts > 1:
        lines.append(f"Attempts: {outcome.attempts}")
    if outcome.body is not None:
        lines += ["", bounded_json(outcome.body)]
    elif outcome.detail:
        lines += ["", "Detail:", outcome.detail]
    return "\n".join(lines)


def failure_line(verb: str, outcome: Outcome) -> str:
    """One line for a request that did not succeed: "Send failed: 400 · invalid_request_error — …"."""
    if outcome.kind is OutcomeKind.API_ERROR:
        return f"{verb} failed: {outcome.status_code} · {outcome.error_type} — {outcome.message}"
    if outcome.kind is OutcomeKind.CANCELLED:
        return f"{verb} cancelled. {outcome.message}"
    return f"{verb} failed: {outcome.summary}. {outcome.message}"


def send_line(outcome: Outcome) -> str:
    if outcome.ok:
        return f"✓ {outcome.summary} — {outcome.elapsed_ms:,.0f} ms"
    return failure_line("Send", outcome)


def send_status(outcome: Outcome, verifying: bool) -> tuple[str, str]:
    """The status line (text, state) when a send ended; a verification may follow."""
    if not outcome.ok:
        return send_line(outcome), "idle" if outcome.kind is OutcomeKind.CANCELLED else "error"
    if verifying:
        return f"{send_line(outcome)} · verifying…", "busy"
    return send_line(outcome), "success"


def verified_status(
    sent: Outcome, reload: Outcome, matches: bool | None, summary: str
) -> tuple[str, str]:
    """The status line after the re-load that verifies a send (``matches`` None: it failed)."""
    if matches is None:
        return f"{send_line(sent)} · could not verify: {reload.summary}", "warning"
    return f"{send_line(sent)} · {summary}", "success" if matches else "warning"


def load_status(recipient_id: str, outcome: Outcome) -> tuple[str, str]:
    state = "success" if outcome.ok else "warning" if outcome.status_code == 404 else "error"
    return load_line(recipient_id, outcome), state


def load_line(recipient_id: str, outcome: Outcome) -> str:
    if outcome.ok and outcome.profile is not None:
        return (
            f"✓ Loaded “{recipient_id}”: {len(outcome.profile)} keys — {outcome.elapsed_ms:,.0f} ms"
        )
    if outcome.status_code == 404:
        return f"“{recipient_id}” has no profile yet: sending will create it."
    return failure_line("Load", outcome)


def retry_line(reason: str, attempt: int, retries: int, delay: float) -> str:
    return f"{reason} — retrying ({attempt}/{retries}) in {delay:.1f} s…"


def verification_text(reload: Outcome) -> str:
    """The stored profile after a send that did not do what the preview promised."""
    return "\nVerification: stored profile now is\n" + bounded_json(reload.profile)


def bounded_json(value: object, limit: int = DESCRIBE_BODY_CHARS) -> str:
    """Pretty JSON cut at ``limit`` characters; a large value is not serialized whole to be cut."""
    if isinstance(value, dict | list) and len(value) > 500:
        return compact_head(value, limit)[0]
    return dumps_pretty(value)[:limit]


def closed_outcome() -> Outcome:
    """How a send ends when the window closes before its answer arrives."""
    return Outcome(
        kind=OutcomeKind.CANCELLED,
        summary="Cancelled: the window was closed",
        message="The window closed before the answer arrived; the server may have applied it.",
    )
