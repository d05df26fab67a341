"""Argument parsing and dispatch for ``profile-editor-cli``; nothing heavy is imported here."""

from __future__ import annotations

import argparse
import atexit
import gc
import sys
from pathlib import Path
from typing import Any

from profile_editor.cli.exits import Exit, UsageError
from profile_editor.cli.output import Output
from profile_editor.version import VersionAction

DESCRIPTION = """\
Look at and send Courier recipient profiles from the command line, with the window's retries,
recipient-ID rules, environments, keychain keys, presets and history.

The API key comes from COURIER_API_KEY (or COURIER_AUTH_TOKEN), or from the keychain entry of
--environment; it is never taken from the command line and never printed.

exit codes: 0 done; 1 the API answered with an error; 2 bad usage or input, nothing sent;
3 the API could not be reached; 4 sent, but the stored profile differs from what was expected.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit code for usage errors is 2 too
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: {message}")


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Sub-commands take the options too; SUPPRESS keeps them from resetting values given before.
    default: Any = None if top else argparse.SUPPRESS
    flag: Any = False if top else argparse.SUPPRESS
    group = parser.add_argument_group("common options")
    group.add_argument(
        "--base-url", default=default, help="API base URL (default: $COURIER_BASE_URL or Courier's)"
    )
    group.add_argument(
        "--environment",
        default=default,
        metavar="NAME",
        help="one of the window's environments, with its keychain key",
    )
    group.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        metavar="DIR",
        help="where presets, history and environments live",
    )
    group.add_argument(
        "--history-keep",
        default=default,
        metavar="KEEP",
        help="how much history to keep: days and/or requests, e.g. 365d,1000000 (the default)",
    )
    group.add_argument(
        "--sandbox",
        action="store_true",
        default=flag,
        help="start the local sandbox API for this run",
    )
    group.add_argument(
        "--json", action="store_true", default=flag, help="print one JSON document on stdout"
    )
    group.add_argument(
        "--yes",
        action="store_true",
        default=flag,
        help="answer the confirmations the window would ask (replace, delete, protected environments)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="profile-editor-cli",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=VersionAction)
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    # Made once and given to every command: argparse copies a parent's options without checking
    # each again (about 1 ms of every start-up).
    common = _Parser(add_help=False)
    _common(common, top=False)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    methods = ("merge", "replace", "delete", "patch")
    p = command("get", "print the stored profile as JSON")
    p.add_argument("recipient_id", metavar="ID")

    p = command("send", "send a profile (or patch) from a file or stdin, then verify it")
    p.add_argument("recipient_id", metavar="ID")
    p.add_argument("--method", choices=methods, default="merge")
    p.add_argument(
        "--file", metavar="PATH", help="the profile JSON (a patch: the operations); - for stdin"
    )
    p.add_argument(
        "--no-verify", action="store_true", help="do not re-load the profile after sending"
    )

    p = command("diff", "print what sending would change, without sending")
    p.add_argument("recipient_id", metavar="ID")
    p.add_argument("--file", metavar="PATH", help="the profile JSON; - for stdin")
    p.add_argument("--method", choices=("merge", "replace", "delete"), default="merge")

    p = command("history", "the requests the window and the command line recorded, newest first")
    p.add_argument("--recipient", metavar="ID", help="recipient IDs containing this (any case)")
    p.add_argument(
        "--status",
        metavar="STATUS",
        help="ok, failed, error (no HTTP status), a class such as 4xx, or a code such as 404",
    )
    p.add_argument("--env", dest="history_env", metavar="NAME", help="requests to this environment")
    p.add_argument("--method", dest="history_method", metavar="METHOD", help="GET, POST, PUT, …")
    p.add_argument(
        "--kind",
        choices=("profile", "lists", "preferences", "tokens", "tenants"),
        help="profile requests, or changes of lists, preferences, device tokens or tenants",
    )
    p.add_argument(
        "--source", choices=("window", "cli", "bulk"), help="where the request came from"
    )
    p.add_argument(
        "--since", metavar="TIME", help="at or after this time (ISO 8601, or e.g. 7d, 12h)"
    )
    p.add_argument("--until", metavar="TIME", help="before this time (ISO 8601, or e.g. 1d)")
    p.add_argument("--text", metavar="WORDS", help="request bodies holding all these words")
    p.add_argument("--run", metavar="ID", help="the rows of this bulk run (its entry's id)")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="at most N entries (0: all)")
    p.add_argument(
        "--export",
        type=Path,
        metavar="PATH",
        help="write every match there (.csv: CSV, else JSON Lines)",
    )

    p = command("preset", "list, show or send the window's presets")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    actions.add_parser("list", help="every preset", parents=[common])
    a = actions.add_parser("show", help="one preset's file", parents=[common])
    a.add_argument("name", metavar="NAME")
    a = actions.add_parser("send", help="send a preset as the window would", parents=[common])
    a.add_argument("name", metavar="NAME")
    a.add_argument("--no-verify", action="store_true")

    _users_commands(sub, common)

    p = command("bulk", "apply one row per recipient from a CSV or JSONL file")
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument(
        "--kind",
        choices=("profile", "preferences"),
        default="profile",
        help="what a row sets: a profile (default), or one topic's preference "
        "(recipient_id, topic_id, status[, channels][, tenant_id])",
    )
    p.add_argument("--method", choices=("merge", "replace"), default="merge")
    p.add_argument(
        "--dry-run", action="store_true", help="load each recipient and report what would change"
    )
    p.add_argument("--concurrency", type=int, default=4, metavar="N")
    p.add_argument("--journal", type=Path, metavar="PATH", help="default: FILE.journal.jsonl")
    p.add_argument(
        "--resume", action="store_true", help="send only the rows the journal has not finished"
    )
    p.add_argument(
        "--report",
        type=Path,
        metavar="PATH",
        help="one line per row: CSV, or JSONL if it ends in .jsonl",
    )
    return parser


def _users_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """``preferences``, ``tokens`` and ``tenants``: the rest of a recipient, beside the profile."""

    def group(name: str, help_text: str) -> Any:
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
        actions.required = True
        return actions

    def action(actions: Any, name: str, help_text: str, *ids: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(
            name, help=help_text, description=help_text, parents=[common]
        )
        a.add_argument("recipient_id", metavar="ID")
        for arg in ids:
            a.add_argument(arg.lower(), metavar=arg)
        return a

    def tenant_scope(a: argparse.ArgumentParser) -> None:
        a.add_argument(
            "--tenant-id", metavar="TENANT", help="read and write the preferences of one tenant"
        )

    def no_verify(a: argparse.ArgumentParser) -> None:
        a.add_argument("--no-verify", action="store_true", help="do not read back after writing")

    actions = group("preferences", "a recipient's subscription preferences, one topic at a time")
    tenant_scope(action(actions, "list", "the topics the recipient has overridden"))
    tenant_scope(action(actions, "get", "one topic: the override, or the topic's default", "TOPIC"))
    a = action(actions, "set", "set a topic's status (and routing), then verify it", "TOPIC")
    a.add_argument("status", metavar="STATUS", help="OPTED_IN or OPTED_OUT")
    routing = a.add_mutually_exclusive_group()
    routing.add_argument(
        "--channels",
        metavar="LIST",
        help="route the topic through these channels only, e.g. email,push",
    )
    routing.add_argument(
        "--no-custom-routing", action="store_true", help="drop the topic's custom routing"
    )
    digest = a.add_mutually_exclusive_group()
    digest.add_argument("--digest-schedule", metavar="ID", help="the topic's digest schedule")
    digest.add_argument(
        "--clear-digest", action="store_true", help="clear the topic's digest schedule"
    )
    tenant_scope(a)
    no_verify(a)
    a = action(
        actions, "reset", "remove the override: the topic falls back to its default", "TOPIC"
    )
    tenant_scope(a)
    no_verify(a)

    actions = group("tokens", "a recipient's push device tokens")
    action(actions, "list", "every token, with its device, expiry and status")
    action(actions, "get", "one token", "TOKEN")
    a = action(actions, "add", "register (or overwrite) a token, then verify it", "TOKEN")
    a.add_argument(
        "--provider",
        metavar="KEY",
        help="firebase-fcm, apn, expo or onesignal (required unless --file holds it)",
    )
    a.add_argument("--platform", metavar="NAME", help="android, ios or web")
    for flag in ("--app-id", "--device-id", "--ad-id", "--manufacturer", "--model"):
        a.add_argument(flag, metavar="TEXT")
    a.add_argument(
        "--expiry",
        metavar="DATE",
        help="an ISO 8601 date, or never (default: 60 days after the last registration)",
    )
    a.add_argument(
        "--file", metavar="PATH", help="the token's fields as JSON (a UserToken); - for stdin"
    )
    no_verify(a)
    a = action(actions, "patch", "change a token's status, expiry or properties", "TOKEN")
    a.add_argument("--status", metavar="STATUS", help="active, unknown, failed or revoked")
    a.add_argument("--expiry", metavar="DATE", help="an ISO 8601 date, or never")
    a.add_argument("--file", metavar="PATH", help="JSON Patch operations on the token; - for stdin")
    no_verify(a)
    a = action(actions, "delete", "stop pushing to a device (asks first)", "TOKEN")
    no_verify(a)

    actions = group("tenants", "the tenants a recipient belongs to")
    a = action(actions, "list", "every tenant, with its per-tenant profile")
    a = action(actions, "add", "add the recipient to a tenant, then verify it", "TENANT")
    a.add_argument(
        "--profile",
        metavar="PATH",
        help="the per-tenant profile as a JSON object; - for stdin",
    )
    no_verify(a)
    a = action(actions, "remove", "remove the recipient from a tenant (asks first)", "TENANT")
    no_verify(a)


def main(argv: list[str] | None = None) -> int:
    # A short process: the cyclic collector would only walk, pass after pass, the objects that the
    # imports make (about 3 ms of a get, 5 % of its start-up), for garbage that the exit frees
    # anyway. Bulk runs, the one long command, turn it back on.
    collecting = gc.isenabled()
    gc.disable()
    # The interpreter's exit walks every object left once more (about 13 ms after a get, more
    # than its whole request): frozen first, they are left to the end of the process. Files and
    # connections are closed before that, in ``finally`` blocks and ``Context.close``.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
    try:
        return _main(argv)
    finally:
        (gc.enable if collecting else gc.disable)()


def _main(argv: list[str] | None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    json_mode = "--json" in args_list
    out = Output(json_mode=json_mode)
    ctx = None
    try:
        args = build_parser().parse_args(args_list)
        out.json_mode = args.json
        from profile_editor.cli.context import Context

        ctx = Context(
            base_url=args.base_url,
            environment=args.environment,
            data_dir=args.data_dir,
            sandbox=args.sandbox,
            yes=args.yes,
            history_keep=args.history_keep,
        )
        code = int(_dispatch(ctx, out, args))
    except UsageError as err:
        out.say(str(err))
        out.document({"ok": False, "error": str(err)})
        code = Exit.USAGE
    except KeyboardInterrupt:
        out.say("Interrupted.")
        code = Exit.INTERRUPTED
    except BrokenPipeError:
        code = _stdout_closed(Exit.OK)
    finally:
        if ctx is not None:
            ctx.close()
    try:
        out.finish(code)
    except BrokenPipeError:  # e.g. piped into head: the reader has what it wanted
        code = _stdout_closed(code)
    return code


def _stdout_closed(code: int) -> int:
    import os

    # Python would report the pipe again when it flushes stdout at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return code


def _draft(args: argparse.Namespace, method_name: str) -> Any:
    from profile_editor.cli.body import METHOD_NAMES, parse_body, read_text
    from profile_editor.core.send.draft import Draft

    method = METHOD_NAMES[method_name]
    profile = patch = None
    if method.has_body:
        if not args.file:
            raise UsageError(f"{method_name} needs a body: --file PATH, or --file - for stdin.")
        text, name = read_text(args.file)
        profile, patch = parse_body(text, name, method)
    elif args.file:
        raise UsageError("delete sends no body: leave out --file.")
    return Draft(recipient_id=args.recipient_id, method=method, profile=profile, patch=patch)


def _dispatch(ctx: Any, out: Output, args: argparse.Namespace) -> int:
    command = args.command
    if command == "get":
        from profile_editor.cli.profiles import command_get

        return command_get(ctx, out, args.recipient_id)
    if command == "send":
        from profile_editor.cli.profiles import command_send

        return command_send(ctx, out, _draft(args, args.method), verify=not args.no_verify)
    if command == "diff":
        from profile_editor.cli.profiles import command_diff

        return command_diff(ctx, out, _draft(args, args.method))
    if command == "history":
        from profile_editor.cli.stored_files import command_history

        return command_history(ctx, out, args)
    if command == "preset":
        from profile_editor.cli import stored_files

        if args.action == "list":
            return stored_files.command_preset_list(ctx, out)
        if args.action == "show":
            return stored_files.command_preset_show(ctx, out, args.name)
        return stored_files.command_preset_send(ctx, out, args.name, verify=not args.no_verify)
    if command in ("preferences", "tokens", "tenants"):
        from profile_editor.cli.users import dispatch_users

        return dispatch_users(ctx, out, args)
    from profile_editor.cli.bulk_command import command_bulk

    gc.enable()
    return command_bulk(ctx, out, args)
