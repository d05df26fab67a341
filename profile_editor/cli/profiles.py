"""``get``, ``send`` and ``diff``: one profile, through the window's send plan and client."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from profile_editor.cli.exits import Exit, UsageError, exit_for
from profile_editor.cli.output import Output, outcome_doc

if TYPE_CHECKING:
    from profile_editor.cli.context import Context
    from profile_editor.core.http.models import Outcome, ProfileRequest
    from profile_editor.core.send.draft import Draft
    from profile_editor.core.send.plan import SendPlan, Stored


def _retry_note(out: Output) -> Any:
    from profile_editor.core.http.outcome_text import retry_line

    def note(n: int, total: int, delay: float, reason: str) -> None:
        out.say(retry_line(reason, n, total, delay))

    return note


def load(
    ctx: Context, out: Output, draft: Draft, *, record: bool = True
) -> tuple[Outcome, ProfileRequest]:
    from profile_editor.core.send.target import Refusal, plan_load

    request = plan_load(draft, ctx.target())
    if isinstance(request, Refusal):
        raise ctx.refused(request)
    outcome = ctx.execute(request, _retry_note(out))
    if record:  # a load is a request too: in the history with the profile it read
        _record(ctx, request, outcome, None, outcome.profile if outcome.ok else None)
    return outcome, request


def command_get(ctx: Context, out: Output, recipient_id: str) -> int:
    from profile_editor.core.http.outcome_text import load_line
    from profile_editor.core.profile.jsoncodec import dumps_pretty
    from profile_editor.core.send.draft import Draft

    # Recorded after the answer is shown, as a plain row: the entry model (pydantic) would
    # double what `get` imports, and its start-up is measured (docs/benchmarks.md).
    outcome, request = load(ctx, out, Draft(recipient_id=recipient_id), record=False)
    doc: dict[str, Any] = {"recipient_id": recipient_id, **outcome_doc(outcome)}
    if outcome.ok and outcome.profile is not None:
        doc["profile"] = outcome.profile
        out.document(doc)
        out.text(dumps_pretty(outcome.profile))
        _record_load(ctx, request, outcome)
        return Exit.OK
    out.document(doc)
    out.say(load_line(recipient_id, outcome))
    _record_load(ctx, request, outcome)
    return exit_for(outcome)


def _record_load(ctx: Context, request: ProfileRequest, outcome: Outcome) -> None:
    from profile_editor.storage.errors import StorageError
    from profile_editor.storage.history_db import load_row

    # Pruning counts every request: left to the window and the other commands.
    ctx.prune_on_close = False
    try:
        row = load_row(request, outcome, environment=ctx.where().environment, source="cli")
        ctx.history().append_row(row, secrets=ctx.secrets())
    except (StorageError, OSError) as exc:
        print(f"Could not write the history: {exc}", file=sys.stderr)


def _stored(ctx: Context, out: Output, draft: Draft) -> Stored | int:
    """The stored profile (None inside for a 404), or the exit code of a failed load."""
    from profile_editor.core.http.outcome_text import failure_line
    from profile_editor.core.send.plan import Stored

    outcome, request = load(ctx, out, draft)
    if outcome.ok and outcome.profile is not None:
        return Stored(request.base_url, request.recipient_id, outcome.profile)
    if outcome.status_code == 404:
        return Stored(request.base_url, request.recipient_id, None)
    out.say(failure_line("Load", outcome))
    out.document({"recipient_id": draft.recipient_id, "load": outcome_doc(outcome)})
    return exit_for(outcome)


def command_diff(ctx: Context, out: Output, draft: Draft) -> int:
    from profile_editor.cli.changes_text import changes_doc, changes_lines
    from profile_editor.core.methods import Method
    from profile_editor.core.send.plan import Refusal, plan

    if draft.method is Method.PATCH:
        raise UsageError("diff shows merge, replace and delete; a patch says what it does itself.")
    stored = _stored(ctx, out, draft)
    if isinstance(stored, int):
        return stored
    result = plan(draft, ctx.target(), stored)
    if isinstance(result, Refusal):
        raise ctx.refused(result, "No diff")
    assert result.changes is not None
    out.document(
        {
            "recipient_id": draft.recipient_id,
            "method": draft.method.value,
            **changes_doc(result.changes),
        }
    )
    out.text("\n".join(changes_lines(result.changes)))
    return Exit.OK


def _confirmed(ctx: Context, out: Output, send_plan: SendPlan) -> bool:
    from profile_editor.cli.confirm import confirmed

    return confirmed(ctx, out, send_plan.confirmations)


def command_send(ctx: Context, out: Output, draft: Draft, *, verify: bool) -> int:
    from profile_editor.core.http.outcome_text import failure_line, send_line
    from profile_editor.core.methods import Method
    from profile_editor.core.send.plan import Refusal, check_verification, plan

    target = ctx.target()
    refusal = plan(draft, target, None)
    if isinstance(refusal, Refusal):  # every check (the body's size too), before a load
        raise ctx.refused(refusal)
    stored: Stored | None = None
    # Loading first lets the confirmation say what is lost and the check say what is stored.
    if verify or draft.method in (Method.PUT, Method.DELETE):
        loaded = _stored(ctx, out, draft)
        if isinstance(loaded, int):
            return loaded
        stored = loaded
    send_plan = plan(draft, target, stored, verify=verify)
    assert not isinstance(send_plan, Refusal)
    if not _confirmed(ctx, out, send_plan):
        out.say("Not sent: cancelled at the confirmation.")
        return Exit.USAGE
    outcome = ctx.execute(send_plan.request, _retry_note(out))
    doc: dict[str, Any] = {
        "recipient_id": draft.recipient_id,
        "method": draft.method.value,
        "environment": target.environment,
        "base_url": target.base_url,
        **outcome_doc(outcome),
    }
    before = stored.profile if stored is not None else None
    if not outcome.ok:
        _record(ctx, send_plan.request, outcome, before, None)
        out.document(doc)
        out.say(failure_line("Send", outcome))
        return exit_for(outcome)
    out.say(send_line(outcome))
    if not send_plan.verifiable:
        _record(ctx, send_plan.request, outcome, before, None)
        out.document(doc)
        return Exit.OK
    sent_at = datetime.now(UTC)  # the send is recorded before the re-load that checks it
    check, _ = load(ctx, out, draft)
    if not check.ok and check.status_code != 404:
        _record(ctx, send_plan.request, outcome, before, None, at=sent_at)
        doc["verification"] = {"checked": False, **outcome_doc(check)}
        out.document(doc)
        out.say(f"Sent, but could not verify: {check.summary}. {check.message}".rstrip())
        return exit_for(check)
    actual = check.profile if check.ok else None
    _record(ctx, send_plan.request, outcome, before, actual, at=sent_at)
    verdict = check_verification(send_plan.expected, actual)
    doc["verification"] = {
        "checked": True,
        "matches": verdict.matches,
        "differences": list(verdict.differences),
    }
    out.document(doc)
    out.say(verdict.summary)
    return Exit.OK if verdict.matches else Exit.MISMATCH


def _record(
    ctx: Context,
    request: ProfileRequest,
    outcome: Outcome,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    at: datetime | None = None,
) -> None:
    from profile_editor.storage.errors import StorageError
    from profile_editor.storage.history import HistoryEntry

    environment = ctx.where().environment
    entry = HistoryEntry.of_request(
        request, outcome, environment=environment, before=before, after=after, source="cli"
    )
    if at is not None:
        entry.time = at
    try:
        ctx.history().append(entry, secrets=ctx.secrets())
    except (StorageError, OSError) as exc:
        print(f"Could not write the history: {exc}", file=sys.stderr)
