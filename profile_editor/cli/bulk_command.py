"""``bulk FILE``: one profile change per row, resumable, with a report and a progress bar."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from profile_editor.bulk.rows import InputError
from profile_editor.cli.exits import Exit, UsageError
from profile_editor.cli.output import Output

if TYPE_CHECKING:
    from profile_editor.bulk.history import RowRecorder
    from profile_editor.bulk.report import RowResult
    from profile_editor.bulk.runner import BulkRunner, RunCounts
    from profile_editor.cli.context import Context
    from profile_editor.cli.progress import ProgressBar


# A dry run prints this many rows' changes; the report (and --json) say where the rest are.
SHOWN_ROWS = 20


def command_bulk(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.bulk.rows import BadRow
    from profile_editor.bulk.session import START_ERRORS, BulkJob
    from profile_editor.core.methods import Method
    from profile_editor.core.send.draft import Draft
    from profile_editor.core.send.plan import Refusal, plan_load

    preferences = args.kind == "preferences"
    if preferences and args.method != "merge":
        raise UsageError(
            "--method is for profile rows; a preferences row sets one topic (a PUT of its status)."
        )
    method = Method.PUT if args.method == "replace" or preferences else Method.POST
    if args.concurrency < 1:
        raise UsageError("--concurrency must be 1 or more.")
    if args.resume and args.dry_run:
        raise UsageError(
            "A dry run sends nothing and keeps no journal: there is nothing to resume."
        )
    if not args.file.is_file():
        raise UsageError(f"No such file: {args.file}")
    target = ctx.target()
    # The checks every row would fail alike (no key, a key over plain http) stop the run at once.
    refusal = plan_load(Draft(recipient_id="bulk"), target)
    if isinstance(refusal, Refusal):
        raise ctx.refused(refusal)
    job = BulkJob(
        input_path=args.file,
        method=method,
        target=target,
        client=ctx.session().client(),
        api_key=ctx.where().key,
        dry_run=args.dry_run,
        concurrency=args.concurrency,
        journal_path=args.journal,
        resume=args.resume,
        report_path=args.report,
        cancel=ctx.session().cancel_token(),
        kind=args.kind,
    )
    listed: set[int] = set()  # bad rows said during the check, not said again by the run

    def on_bad(row: BadRow) -> None:
        listed.add(row.line)
        who = f" {row.recipient_id}" if row.recipient_id else ""
        out.say(f"line {row.line}{who}: skipped: {row.reason}")

    # The whole file is read before anything is created or sent (and before asking).
    try:
        found = job.check(on_bad)
    except START_ERRORS as err:
        raise UsageError(f"Nothing sent: {err}") from None
    if not args.dry_run:
        _confirm_run(
            ctx,
            out,
            method if not preferences else None,
            target.environment,
            target.protected,
            target.base_url,
        )
    # A resumed run's bar counts only the rows it has left to do.
    bar = _progress(found.total - job.finished_before)
    shown = _FirstRows(SHOWN_ROWS) if args.dry_run else None

    def on_result(result: RowResult) -> None:
        if shown is not None:
            shown.add(result)
        if not result.ok and not (result.status == "bad" and result.line in listed):
            text = _row_problem(result)
            if bar is not None:
                bar.message(text)
            else:
                out.say(text)
        if bar is not None:
            bar.advance(result.ok)

    recorder = _row_recorder(ctx, target.environment) if not args.dry_run else None
    if recorder is not None:
        job.on_sent = recorder.on_sent
    try:
        job.prepare(on_result)
    except START_ERRORS as err:
        if recorder is not None:
            recorder.close()
        if bar is not None:
            bar.close()
        raise UsageError(f"Nothing sent: {err}") from None
    interrupted = False
    stopped: str | None = None
    assert job.runner is not None
    try:
        with _ctrl_c_interrupts(job.runner):
            counts = job.run()
    except KeyboardInterrupt:
        interrupted = True
        counts = job.runner.snapshot()
    except (InputError, OSError) as err:
        # Rows before this point may have been sent: not a usage error, and the journal has them.
        stopped = str(err)
        counts = job.runner.snapshot()
    finally:
        if bar is not None:
            bar.close()
    journal = str(job.journal) if job.journal is not None else None
    doc: dict[str, Any] = {
        "file": str(args.file),
        "kind": args.kind,
        "method": method.value,
        "dry_run": args.dry_run,
        "counts": _counts_doc(counts),
        "journal": journal,
        "report": str(args.report) if args.report else None,
        "interrupted": interrupted,
        "stopped": stopped,
    }
    if shown is not None:
        doc["rows"] = [_row_doc(r) for r in shown.rows()]
        doc["rows_not_shown"] = shown.not_shown
        out.text(_dry_run_text(shown, args.report))
    out.document(doc)
    verb = "Dry run" if args.dry_run else "Bulk apply"
    out.say(f"{verb} of {args.file.name}: {counts.summary()}.")
    if recorder is not None:
        recorder.close()
        if recorder.error is not None:
            print(f"Could not write the history: {recorder.error}", file=sys.stderr)
        _record(ctx, method, args, counts, interrupted, recorder.run_id)
    if interrupted:
        out.say(f"Interrupted: add --resume to send the rows not done yet ({journal}).")
        return Exit.INTERRUPTED
    if stopped is not None:
        out.say(f"The run stopped: {stopped}")
        return Exit.API_ERROR
    return Exit.OK if counts.all_ok else Exit.API_ERROR


@contextlib.contextmanager
def _ctrl_c_interrupts(runner: BulkRunner) -> Iterator[None]:
    """Ctrl+C during the run tells the runner, which cancels the run and then raises
    KeyboardInterrupt itself. Raised by Python wherever the main thread was, it could leave the
    row queue's lock held (the main thread leaving its ``with``), and the run waiting for it."""
    import signal
    import threading

    if (
        threading.current_thread() is not threading.main_thread()  # only it gets signals
        or signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # started to ignore Ctrl+C (`&`)
    ):
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: runner.interrupt())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


class _FirstRows:
    """The results of the rows with the lowest line numbers (rows finish in any order)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._heap: list[tuple[int, int, RowResult]] = []
        self.not_shown = 0

    def add(self, result: RowResult) -> None:
        import heapq

        item = (-result.line, id(result), result)
        if len(self._heap) < self._limit:
            heapq.heappush(self._heap, item)
            return
        self.not_shown += 1
        if -self._heap[0][0] > result.line:
            heapq.heapreplace(self._heap, item)

    def rows(self) -> list[RowResult]:
        return sorted((r for _, _, r in self._heap), key=lambda r: r.line)


def _row_doc(result: RowResult) -> dict[str, Any]:
    return {
        "line": result.line,
        "recipient_id": result.recipient_id,
        "status": result.status,
        "message": result.message,
        "changes": [c.doc() for c in result.details],
    }


def _dry_run_text(shown: _FirstRows, report: Any) -> str:
    lines = []
    for result in shown.rows():
        who = f" {result.recipient_id}" if result.recipient_id else ""
        status = result.status.replace("-", " ")
        note = f" ({result.message})" if result.message else ""
        if result.status == "failed" and result.http_status:
            note = f" ({result.http_status} {result.message})".rstrip()
        lines.append(f"line {result.line}{who}: {status}{note}")
        lines += [f"  {change.text(80)}" for change in result.details]
    if shown.not_shown:
        where = f"see {report}" if report else "add --report PATH to see every row"
        lines.append(f"… {shown.not_shown:,} more rows: {where}.")
    return "\n".join(lines)


def _confirm_run(
    ctx: Context, out: Output, method: Any, environment: str | None, protected: bool, url: str
) -> None:
    asks = []
    if method is not None and method.value == "PUT":
        asks.append(f"Replace replaces each row's whole profile at {url}.")
    if protected and environment:
        asks.append(f"“{environment}” is a protected environment ({url}).")
    if not asks or ctx.yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(
            "Not sent: " + " ".join(asks) + " This asks first; pass --yes to answer it "
            "(there is no terminal to ask on)."
        )
    out.say(" ".join(asks))
    try:
        answer = input("Go ahead? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise UsageError("Not sent: cancelled at the confirmation.")


def _progress(total: int | None) -> ProgressBar | None:
    if not sys.stderr.isatty():
        return None
    from profile_editor.cli.progress import ProgressBar

    return ProgressBar(sys.stderr, total)


def _row_problem(result: RowResult) -> str:
    who = f" {result.recipient_id}" if result.recipient_id else ""
    if result.status == "bad":
        return f"line {result.line}{who}: skipped: {result.message}"
    status = f"{result.http_status} " if result.http_status else ""
    detail = f"{status}{result.message}".strip()  # none for a row cancelled before its answer
    return f"line {result.line}{who}: {result.status}" + (f": {detail}" if detail else "")


def _counts_doc(counts: RunCounts) -> dict[str, int]:
    return {
        "done": counts.done,
        "failed": counts.failed,
        "bad": counts.bad,
        "cancelled": counts.cancelled,
        "already_done": counts.skipped,
        "would_change": counts.would_change,
        "no_change": counts.no_change,
        "throttled": counts.throttled,
    }


def _row_recorder(ctx: Context, environment: str | None) -> RowRecorder | None:
    """Each row sent as a history entry of its own; None when the history cannot be opened."""
    from profile_editor.bulk.history import RowRecorder, new_run_entry_id
    from profile_editor.storage.errors import StorageError

    try:
        store = ctx.history().open()
    except StorageError as exc:
        print(f"Could not write the history: {exc}", file=sys.stderr)
        return None
    return RowRecorder(
        store,
        run_id=new_run_entry_id(),
        environment=environment,
        source="cli",
        secrets=ctx.secrets(),
    )


def _record(
    ctx: Context,
    method: Any,
    args: argparse.Namespace,
    counts: RunCounts,
    interrupted: bool,
    entry_id: str,
) -> None:
    """The run as one history entry, naming its report (its rows point at it)."""
    import time

    from profile_editor.bulk.history import run_entry
    from profile_editor.storage.errors import StorageError

    entry = run_entry(
        environment=ctx.where().environment,
        base_url=ctx.where().base_url,
        method=method,
        input_path=args.file,
        counts=counts,
        duration_ms=(time.monotonic() - counts.started) * 1000,
        report=args.report,
        source="cli",
        interrupted=interrupted,
        entry_id=entry_id,
        resource="preferences" if args.kind == "preferences" else "profile",
    )
    try:
        ctx.history().append(entry, secrets=ctx.secrets())
    except (StorageError, OSError) as exc:
        print(f"Could not write the history: {exc}", file=sys.stderr)
