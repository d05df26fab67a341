"""Typed errors raised by the storage layer, so the UI can tell the user what went wrong."""

from __future__ import annotations

from pathlib import Path


class StorageError(Exception):
    """Base class of every error raised by :mod:`profile_editor.storage`."""


class PresetConflictError(StorageError):
    """The preset file changed (or vanished) on disk since it was loaded."""

    def __init__(self, path: Path, message: str | None = None) -> None:
        self.path = path
        super().__init__(
            message
            or f"{path.name} was changed on disk since it was loaded; reload it or save anyway."
        )


class SecretLeakError(StorageError):
    """Refused to write because an API key appears in the data."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        where = f" to {path.name}" if path is not None else ""
        super().__init__(f"Refused to write{where}: the data contains an API key.")


class BrokenFileError(StorageError):
    """A file could not be read or does not hold valid data."""

    def __init__(self, path: Path | None, reason: str) -> None:
        self.path = path
        self.reason = reason
        where = f"{path.name}: " if path is not None else ""
        super().__init__(f"{where}{reason}")
