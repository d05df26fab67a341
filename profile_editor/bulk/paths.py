"""Checks on the files of a run, made before any of them is created or opened for writing.

A run touches up to three files: the input (read), the journal and the report (written). Two of
them being one file would destroy the input or the journal, and an output that cannot be written
must not leave the other behind half-made (a journal blocks the next run until it is resumed).
"""

from __future__ import annotations

import os
from pathlib import Path


class PathError(ValueError):
    """A file of the run that cannot be used, said in a sentence naming the path."""


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)  # hard links, bind mounts: the same file by another name
    except OSError:
        return False


def check_run_files(
    input_path: Path,
    *,
    journal: Path | None,
    report: Path | None,
    resume: bool,
) -> None:
    """PathError if two of the files are one, or if the journal or the report cannot be
    written; nothing is created here."""
    named = [("the input", "input file", input_path)]
    if journal is not None:
        named.append(("--journal", "journal", journal))
    if report is not None:
        named.append(("--report", "report", report))
    for i, (_, what_a, a) in enumerate(named):
        for option, what_b, b in named[i + 1 :]:
            if _same(a, b):
                raise PathError(
                    f"{option} {b} is the same file as the {what_a} {a}: the run would "
                    f"overwrite it. Give the {what_b} another name."
                )
    if journal is not None:
        if resume:
            _check_writable_file(journal, "the journal")
        else:
            _check_creatable(journal, "the journal")
    if report is not None:
        _check_creatable(report, "the report")


def _check_creatable(path: Path, what: str) -> None:
    if path.is_dir():
        raise PathError(f"Cannot write {what} {path}: it is a folder. Name a file.")
    folder = path.parent
    if not folder.exists():
        raise PathError(f"Cannot write {what} {path}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise PathError(f"Cannot write {what} {path}: {folder} is not a folder.")
    if path.exists():
        _check_writable_file(path, what)
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise PathError(f"Cannot write {what} {path}: no permission to create files in {folder}.")


def _check_writable_file(path: Path, what: str) -> None:
    if not path.exists():
        return  # the reader of the journal says what is missing, in its own words
    if path.is_dir():
        raise PathError(f"Cannot write {what} {path}: it is a folder. Name a file.")
    if not os.access(path, os.R_OK | os.W_OK):
        raise PathError(f"Cannot write {what} {path}: no permission to write it.")
