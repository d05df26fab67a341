"""Starting a bulk run from a file: journal, report and runner put together, for the CLI and the window.

:meth:`BulkJob.check` comes first and creates nothing: the files of the run are checked, then the
whole input is read once (every bad row found, anything that makes the file unreadable refused).
Only then does :meth:`BulkJob.prepare` create the journal and the report, and :meth:`BulkJob.run`
send.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from profile_editor.bulk.inputs import Scan, open_rows, scan
from profile_editor.bulk.journal import (
    Journal,
    JournalError,
    JournalState,
    default_journal_path,
    finished_entries,
    journal_input,
    new_run_id,
    read_journal,
    same_input,
)
from profile_editor.bulk.paths import PathError, check_run_files
from profile_editor.bulk.report import ReportWriter, RowResult
from profile_editor.bulk.rows import BadRow, InputError, Kind
from profile_editor.bulk.runner import BulkRunner, RunCounts, SentHook
from profile_editor.core.methods import Method

if TYPE_CHECKING:
    from profile_editor.core.http.cancel import CancelToken
    from profile_editor.core.http.client import ProfilesClient
    from profile_editor.core.send.plan import Target

# Why a run does not start; each says so in a sentence, and nothing was sent or created.
START_ERRORS = (InputError, JournalError, PathError)


@dataclass
class BulkJob:
    """Everything one run needs; :meth:`check`, :meth:`prepare` and :meth:`run` run it."""

    input_path: Path
    method: Method
    target: Target
    client: ProfilesClient
    api_key: str | None = field(repr=False)  # reprs end up in logs
    dry_run: bool = False
    concurrency: int = 4
    journal_path: Path | None = None
    resume: bool = False
    report_path: Path | None = None
    cancel: CancelToken | None = None
    # Each row sent, as it ends (the history records it); from the run's worker threads.
    on_sent: SentHook | None = None
    # What a row sets: a profile (method POST or PUT), or one topic's preference (PUT).
    kind: Kind = "profile"
    runner: BulkRunner | None = field(default=None, init=False)
    scanned: Scan | None = field(default=None, init=False)
    _state: JournalState | None = field(default=None, init=False, repr=False)
    _journal: Journal | None = field(default=None, init=False, repr=False)
    _report: ReportWriter | None = field(default=None, init=False, repr=False)

    @property
    def journal(self) -> Path | None:
        """The journal's path (None in a dry run, which keeps none)."""
        if self.dry_run:
            return None
        return self.journal_path or default_journal_path(self.input_path)

    @property
    def finished_before(self) -> int:
        """How many rows the journal of the run being resumed had finished (after check)."""
        return len(self._state.finished) if self._state is not None else 0

    def check(self, on_bad: Callable[[BadRow], None] | None = None) -> Scan:
        """Check the run's files and read the whole input once; creates and sends nothing.

        Raises one of :data:`START_ERRORS`. Each bad row goes to ``on_bad`` as it is found."""
        journal = self.journal
        check_run_files(
            self.input_path, journal=journal, report=self.report_path, resume=self.resume
        )
        state = None
        if self.resume:
            assert journal is not None, "a dry run has nothing to resume"
            state = read_journal(journal)
            self._check_target(state, journal)
        found = scan(self.input_path, on_bad, self.kind)
        if state is not None:
            assert journal is not None
            self._check_input(state, journal, found)
        self._state, self.scanned = state, found
        return found

    def _check_target(self, state: JournalState, journal: Path) -> None:
        theirs = state.header.get("kind", "profile")
        if theirs != self.kind:
            raise JournalError(
                f"The run in {journal.name} set {theirs} rows; resume it with --kind {theirs}."
            )
        if state.header.get("method") != self.method.value:
            raise JournalError(
                f"The run in {journal.name} used {state.header.get('method')}; "
                "resume it with the same method."
            )
        if state.header.get("base_url") != self.target.base_url:
            raise JournalError(
                f"The run in {journal.name} went to {state.header.get('base_url')}; resume it "
                f"there, not at {self.target.base_url}."
            )

    def _check_input(self, state: JournalState, journal: Path, found: Scan) -> None:
        if state.header.get("input_sha256") == found.sha256:
            return  # the same rows, whatever the file is called now: the same keys
        theirs = journal_input(state.header)
        if theirs is not None and not same_input(theirs, self.input_path):
            raise JournalError(
                f"The journal {journal} belongs to a run of another file, {theirs}, not "
                f"{self.input_path}: resume that file, or give this one a journal of its own "
                "(--journal PATH)."
            )
        raise JournalError(
            f"{self.input_path.name} changed since the run started (its journal is {journal}): "
            "its rows and their keys would not match. Start a new run instead."
        )

    def prepare(self, on_result: Callable[[RowResult], None] | None = None) -> BulkRunner:
        """Create the journal and the report and make the runner (after :meth:`check`, which
        it runs when it has not been). A report that cannot be made leaves no new journal."""
        if self.scanned is None:
            self.check()
        assert self.scanned is not None
        state = self._state
        run_id = state.run_id if state is not None else new_run_id()
        journal = self._open_journal(self.scanned, run_id)
        try:
            report = self._open_report()
        except BaseException:
            if journal is not None:
                journal.close()
                if not self.resume:
                    with contextlib.suppress(OSError):
                        journal.path.unlink()
            raise
        self._journal, self._report = journal, report

        def finished(result: RowResult) -> None:
            if report is not None:
                report.write(result)
            if on_result is not None:
                on_result(result)

        runner = self.runner = BulkRunner(
            client=self.client,
            api_key=self.api_key,
            target=self.target,
            method=self.method,
            run_id=run_id,
            dry_run=self.dry_run,
            concurrency=self.concurrency,
            journal=journal,
            skip=state.finished if state is not None else (),
            on_result=finished,
            on_sent=self.on_sent,
            cancel=self.cancel,
            kind=self.kind,
        )
        return runner

    def _open_journal(self, found: Scan, run_id: str) -> Journal | None:
        path = self.journal
        if path is None:
            return None
        if self.resume:
            try:
                return Journal.reopen(path)
            except OSError as exc:
                raise PathError(f"Cannot write the journal {path}: {exc.strerror or exc}") from None
        return Journal.start(
            path,
            {
                "run_id": run_id,
                "input": str(self.input_path.resolve()),
                "input_sha256": found.sha256,
                "method": self.method.value,
                "kind": self.kind,
                "base_url": self.target.base_url,
                "environment": self.target.environment,
            },
        )

    def _open_report(self) -> ReportWriter | None:
        path = self.report_path
        if path is None:
            return None
        try:
            report = ReportWriter(path)
        except OSError as exc:
            raise PathError(f"Cannot write the report {path}: {exc.strerror or exc}") from None
        try:
            if self.resume and self.journal is not None:
                # Rows finished before are written again from the journal, once each; the rest
                # (failed, cancelled, cut off) get the line this run gives them.
                for entry in finished_entries(self.journal):
                    report.write(RowResult.from_journal(entry))
        except OSError as exc:
            report.close()
            raise PathError(f"Cannot write the report {path}: {exc.strerror or exc}") from None
        return report

    def run(self) -> RunCounts:
        try:
            with open_rows(self.input_path, kind=self.kind) as rows:
                assert self.runner is not None, "prepare() first"
                return self.runner.run(rows)
        finally:
            self.close()

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        if self._report is not None:
            self._report.close()
