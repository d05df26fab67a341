"""Starting a bulk run from a file: journal, report and runner put together, for the CLI and the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from profile_editor.bulk.inputs import file_digest, open_rows
from profile_editor.bulk.journal import (
    Journal,
    JournalError,
    default_journal_path,
    new_run_id,
    read_journal,
)
from profile_editor.bulk.report import ReportWriter, RowResult
from profile_editor.bulk.runner import BulkRunner, RunCounts
from profile_editor.core.methods import Method

if TYPE_CHECKING:
    from profile_editor.core.http.cancel import CancelToken
    from profile_editor.core.http.client import ProfilesClient
    from profile_editor.core.send.plan import Target


@dataclass
class BulkJob:
    """Everything one run needs; :meth:`prepare` checks it and :meth:`run` runs it."""

    input_path: Path
    method: Method
    target: Target
    client: ProfilesClient
    api_key: str | None
    dry_run: bool = False
    concurrency: int = 4
    journal_path: Path | None = None
    resume: bool = False
    report_path: Path | None = None
    cancel: CancelToken | None = None
    runner: BulkRunner | None = field(default=None, init=False)
    _journal: Journal | None = field(default=None, init=False, repr=False)
    _report: ReportWriter | None = field(default=None, init=False, repr=False)

    def prepare(self, on_result: Callable[[RowResult], None] | None = None) -> BulkRunner:
        """Open the journal and the report and make the runner; JournalError saying what is wrong."""
        journal: Journal | None = None
        skip: set[int] = set()
        run_id = new_run_id()
        if not self.dry_run:
            path = self.journal_path or default_journal_path(self.input_path)
            digest = file_digest(self.input_path)
            if self.resume:
                state = read_journal(path)
                if state.header.get("input_sha256") != digest:
                    raise JournalError(
                        f"{self.input_path.name} changed since the run in {path.name} started: "
                        "its rows and their keys would not match. Start a new run instead."
                    )
                if state.header.get("method") != self.method.value:
                    raise JournalError(
                        f"The journal's run used {state.header.get('method')}; resume it with the same method."
                    )
                if state.header.get("base_url") != self.target.base_url:
                    raise JournalError(
                        f"The journal's run went to {state.header.get('base_url')}; resume it there, "
                        f"not at {self.target.base_url}."
                    )
                run_id, skip = state.run_id, state.finished
                journal = Journal.reopen(path)
            else:
                journal = Journal.start(
                    path,
                    {
                        "run_id": run_id,
                        "input": str(self.input_path),
                        "input_sha256": digest,
                        "method": self.method.value,
                        "base_url": self.target.base_url,
                        "environment": self.target.environment,
                    },
                )
        self._journal = journal
        self._report = (
            ReportWriter(self.report_path, append=self.resume) if self.report_path else None
        )
        report = self._report

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
            skip=skip,
            on_result=finished,
            cancel=self.cancel,
        )
        return runner

    def run(self) -> RunCounts:
        try:
            with open_rows(self.input_path) as rows:
                assert self.runner is not None, "prepare() first"
                return self.runner.run(rows)
        finally:
            self.close()

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        if self._report is not None:
            self._report.close()
