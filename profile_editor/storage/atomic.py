"""Crash-safe file writes: readers see either the old file or the new one, never a mix."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

TEMP_SUFFIX = ".tmp"

# Keeps the temporary name well under the 255-byte file name limit whatever the target name is.
_TEMP_STEM_CHARS = 40

_O_BINARY: int = getattr(os, "O_BINARY", 0)


def _no_hook(tmp: Path, dest: Path) -> None:
    return None


# Called after the temporary file is written and synced, just before it is moved into place.
# Tests replace it to simulate a crash at the most delicate moment.
_before_replace: Callable[[Path, Path], None] = _no_hook


def temp_name_for(dest: Path) -> Path:
    """A fresh hidden sibling of ``dest``; never ends in ``.json`` so listings skip it."""
    stem = dest.name[:_TEMP_STEM_CHARS]
    return dest.with_name(f".{stem}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable. Not possible on Windows or some file systems; the data
    # is already in place by then, so failing here must not report the write as failed.
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _link_no_clobber(tmp: Path, dest: Path) -> None:
    """Move ``tmp`` to ``dest`` unless ``dest`` exists (then ``FileExistsError``)."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise
    except (OSError, NotImplementedError):
        # File systems without hard links (FAT, some network shares): check, then replace.
        if os.path.lexists(dest):
            raise FileExistsError(dest) from None
        os.replace(tmp, dest)
        return
    os.unlink(tmp)


def atomic_write_bytes(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new content.

    The data goes to a temporary file in the same directory, which is flushed, synced and then
    moved over ``path``; the directory is synced afterwards. On any failure the temporary file
    is removed and ``path`` is untouched. With ``exclusive=True`` an existing ``path`` is never
    overwritten: ``FileExistsError`` is raised instead.
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None
    tmp = temp_name_for(path)
    # 0o666 lets the umask decide the permissions of new files, like a plain open() would.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        _before_replace(tmp, path)
        if exclusive:
            _link_no_clobber(tmp, path)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(path.parent)


def atomic_write_text(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` as UTF-8 (newlines kept as given) with :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"), exclusive=exclusive)
