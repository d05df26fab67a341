"""``history`` and ``preset``: the files the window keeps, read (and sent) from the command line."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
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


def _when(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 time, or an age such as ``7d``, ``12h`` or ``30m`` (that long ago)."""
    if not text:
        return None
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    value = text.strip()
    if value[-1:].lower() in units and value[:-1].isdigit():
        return datetime.now(UTC) - timedelta(seconds=int(value[:-1]) * units[value[-1].lower()])
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r}: give a time such as 2026-12-05T09:30 or an age such as 7d"
        ) from None
    return when if when.tzinfo is not None else when.astimezone()


def command_history(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.storage.errors import StorageError
    from profile_editor.storage.history import parse_status_filter
    from profile_editor.storage.history_db import HistoryFilter

    limit: int = args.limit
    if limit < 0:
        raise UsageError("--limit must be 0 or more.")
    try:
        parse_status_filter(args.status)
    except ValueError:
        raise UsageError(
            f"--status {args.status!r}: ok, failed, error, a class such as 4xx or a code such as 404"
        ) from None
    flt = HistoryFilter(
        recipient=args.recipient or "",
        status=args.status or "",
        environment=args.history_env,
        method=args.history_method,
        resource=args.kind,
        source=args.source,
        since=_when(args.since, "--since"),
        until=_when(args.until, "--until"),
        text=args.text or "",
        run_id=args.run,
    )
    store = ctx.history()
    try:
        store.open()
        if store.moved_aside is not None:
            out.say(
                f"The history database was damaged: it was moved to {store.moved_aside} "
                "and a new one started."
            )
        if store.migration.files:
            out.say(store.migration.sentence())
        if args.export is not None:
            fmt = "csv" if args.export.suffix.lower() == ".csv" else "jsonl"
            written = store.export(flt, args.export, fmt=fmt)
            out.document({"exported": written, "file": str(args.export), "format": fmt})
            out.say(f"{written} request{'s' if written != 1 else ''} written to {args.export}.")
            return Exit.OK
        entries = []
        for entry in store.iter_entries(flt, bodies=out.json_mode):
            entries.append(entry)
            if limit and len(entries) >= limit:
                break
        total = store.count(flt)
    except StorageError as exc:
        raise UsageError(str(exc)) from None
    out.document(
        {
            "entries": [e.model_dump(mode="json") for e in entries],
            "matching": total,
            "database": str(store.path),
            "unreadable_lines": store.migration.unreadable,
        }
    )
    for entry in entries:
        out.text(_history_row(entry))
    if total > len(entries):
        out.say(f"{total - len(entries)} more match: raise --limit (0: all) or use --export.")
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
