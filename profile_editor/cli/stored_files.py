"""``history`` and ``preset``: the files the window keeps, read (and sent) from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from profile_editor.cli.exits import Exit, UsageError
from profile_editor.cli.output import Output
from profile_editor.storage.conversions import draft_from_preset

if TYPE_CHECKING:
    from profile_editor.cli.context import Context
    from profile_editor.storage.history import HistoryEntry
    from profile_editor.storage.presets import PresetEntry


def _history_row(entry: HistoryEntry) -> str:
    status = str(entry.status) if entry.status is not None else "—"
    when = entry.time.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    env = entry.environment or entry.base_url
    return (
        f"{when}  {entry.source:<6} {env}  {entry.method:<6} {entry.recipient_id}  "
        f"{status}  {entry.outcome}  {entry.message}"
    )


def command_history(
    ctx: Context, out: Output, *, recipient: str | None, status: str | None, limit: int
) -> int:
    if limit < 0:
        raise UsageError("--limit must be 0 or more.")
    log = ctx.history()
    entries = log.filter(log.entries(), recipient=recipient)
    if status == "ok":
        entries = [e for e in entries if e.outcome == "success"]
    elif status == "failed":
        entries = [e for e in entries if e.outcome != "success"]
    if limit:
        entries = entries[:limit]
    out.document(
        {"entries": [e.model_dump(mode="json") for e in entries], "unreadable_lines": log.skipped}
    )
    for entry in entries:
        out.text(_history_row(entry))
    if log.skipped:
        out.say(f"{log.skipped} history line(s) could not be read and are left out.")
    return Exit.OK


def _presets(ctx: Context) -> list[PresetEntry]:
    from profile_editor.storage.presets import PresetStore

    return PresetStore(ctx.data_dir / "presets").list()


def _find(ctx: Context, name: str) -> PresetEntry:
    entries = _presets(ctx)
    wanted = name.casefold()
    for entry in entries:
        if entry.name.casefold() == wanted:
            if entry.preset is None:
                raise UsageError(f"Preset “{entry.name}” cannot be read: {entry.error}")
            return entry
    known = ", ".join(e.name for e in entries) or "none"
    raise UsageError(f"No preset named “{name}” (known: {known}).")


def command_preset_list(ctx: Context, out: Output) -> int:
    rows: list[dict[str, Any]] = []
    for entry in _presets(ctx):
        preset = entry.preset
        if preset is None:
            rows.append({"name": entry.name, "file": str(entry.path), "error": entry.error})
            out.text(f"{entry.name}  (broken: {entry.error})")
            continue
        rows.append(
            {
                "name": preset.name,
                "file": str(entry.path),
                "recipient_id": preset.recipient_id,
                "method": preset.method,
                "environment": preset.environment,
                "note": preset.note,
            }
        )
        env = f"  [{preset.environment}]" if preset.environment else ""
        out.text(f"{preset.name}  {preset.method} {preset.recipient_id}{env}")
    out.document({"presets": rows})
    return Exit.OK


def command_preset_show(ctx: Context, out: Output, name: str) -> int:
    entry = _find(ctx, name)
    assert entry.preset is not None
    out.document({"preset": entry.preset.model_dump(mode="json"), "file": str(entry.path)})
    out.text(entry.preset.to_file_text().rstrip("\n"))
    return Exit.OK


def command_preset_send(ctx: Context, out: Output, name: str, *, verify: bool) -> int:
    from profile_editor.cli.profiles import command_send

    entry = _find(ctx, name)
    assert entry.preset is not None
    draft = draft_from_preset(entry.preset)
    # The preset's environment, unless the command line names where to send.
    if (
        draft.environment
        and not ctx.base_url_option
        and not ctx.environment_option
        and not ctx.use_sandbox
    ):
        ctx.environment_option = draft.environment
    return command_send(ctx, out, draft, verify=verify)
