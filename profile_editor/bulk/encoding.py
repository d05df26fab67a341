"""Reading an input file as UTF-8 text without letting one bad byte stop or shift the run.

Bytes that are not UTF-8 are decoded with ``surrogateescape``: each becomes a lone surrogate
(U+DC80 to U+DCFF) in the text, which a valid UTF-8 file can never produce. The structure of the
file (commas, quotes, line breaks, JSON punctuation) is ASCII, so it reads exactly as it would
have; the row that holds such a byte is then a bad row at its own line, wherever it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from profile_editor.bulk.rows import InputError

_ESCAPED = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def undecodable(text: str) -> str:
    """Empty for text read from UTF-8, else which byte was not (e.g. "byte 0xE9 at character 4")."""
    if text.isascii():
        return ""
    found = _ESCAPED.search(text)
    if found is None:
        return ""
    return f"byte 0x{ord(found.group()) - 0xDC00:02X} at character {found.start() + 1}"


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds a lone UTF-16 surrogate (e.g. from a JSON ``\\udcff`` escape)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


class _Hashing(io.RawIOBase):
    """A raw reader that feeds every byte it reads into a SHA-256."""

    def __init__(self, raw: io.FileIO, digest: hashlib._Hash) -> None:
        self._raw = raw
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)
        if count:
            self._digest.update(memoryview(buffer)[:count])
        return count or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


@contextlib.contextmanager
def open_text(path: Path, digest: hashlib._Hash | None = None) -> Iterator[TextIO]:
    """``path`` as text (``newline=""``: line breaks kept as written); InputError if it cannot be
    opened. With ``digest``, every byte read also goes into it (the caller reads to the end)."""
    try:
        raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed with the wrapper
    except OSError as exc:
        raise InputError(f"Cannot open {path}: {exc.strerror or exc}") from None
    source: io.RawIOBase = raw if digest is None else _Hashing(raw, digest)
    handle = io.TextIOWrapper(
        io.BufferedReader(source, 1 << 16),
        encoding="utf-8-sig",
        errors="surrogateescape",
        newline="",
    )
    with handle:
        yield handle
        if digest is not None:
            # What the reader did not get to (it stopped early) still counts in the digest.
            while handle.buffer.read(1 << 20):
                pass
