"""The app's log: ``data_dir/logs/profile-editor.log``, rotated by size, keys masked.

Records of the app's own loggers (``profile_editor.*``) from INFO up and everyone else's warnings
go there; ``--verbose`` also prints them, with DEBUG, to stderr.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from profile_editor.diagnostics.masking import SecretMaskingFilter

APP_LOGGER = "profile_editor"
LOG_FILE_NAME = "profile-editor.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(process)d %(threadName)s] %(message)s"


class SizeRotatingFileHandler(logging.FileHandler):
    """``logging.handlers.RotatingFileHandler``'s rotation (``.1`` newest … ``.N`` oldest), kept
    here because importing ``logging.handlers`` (socket, pickle, queue) costs the window's first
    frame more than ten milliseconds."""

    def __init__(self, path: Path, *, max_bytes: int, backup_count: int) -> None:
        super().__init__(path, mode="a", encoding="utf-8")
        self.max_bytes = max_bytes
        self.backup_count = backup_count
        # The file's length as this handler wrote it: every request logs a line on the UI
        # thread, and asking the file (stat, seek, tell) and formatting the record twice cost
        # more than the rest of the line together.
        self._length = self._length_on_disk()

    def _length_on_disk(self) -> int:
        try:
            return os.path.getsize(self.baseFilename)
        except OSError:
            return 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
            if self.stream is None:
                self.stream = self._open()
                self._length = self._length_on_disk()
            length = len(line) if line.isascii() else len(line.encode("utf-8"))
            if self.max_bytes > 0 and self._length + length >= self.max_bytes:
                self._roll_over()
            self.stream.write(line)
            self.flush()
            self._length += length
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def _roll_over(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        for n in range(self.backup_count - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if self.backup_count > 0 and os.path.exists(base):
            os.replace(base, f"{base}.1")
        self.stream = self._open()
        self._length = self._length_on_disk()


def log_path_for(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / LOG_FILE_NAME


class LogSetup:
    """The handlers :func:`configure_logging` added; ``close()`` takes them away again."""

    def __init__(
        self,
        path: Path,
        handlers: list[logging.Handler] | None = None,
        previous_app_level: int = logging.NOTSET,
    ) -> None:
        self.path = path
        self.handlers: list[logging.Handler] = [] if handlers is None else handlers
        self.previous_app_level = previous_app_level

    def __repr__(self) -> str:
        return (
            f"LogSetup(path={self.path!r}, handlers={self.handlers!r}, "
            f"previous_app_level={self.previous_app_level!r})"
        )

    def close(self) -> None:
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        self.handlers.clear()
        logging.getLogger(APP_LOGGER).setLevel(self.previous_app_level)


def configure_logging(data_dir: Path, *, verbose: bool = False) -> LogSetup:
    """Attach the rotating file handler (and, with ``verbose``, a stderr one) to the root logger."""
    path = log_path_for(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    app_logger = logging.getLogger(APP_LOGGER)
    setup = LogSetup(path=path, previous_app_level=app_logger.level)
    formatter = logging.Formatter(FORMAT)
    masking = SecretMaskingFilter()
    file_handler = SizeRotatingFileHandler(path, max_bytes=MAX_BYTES, backup_count=BACKUP_COUNT)
    setup.handlers.append(file_handler)
    if verbose:
        setup.handlers.append(logging.StreamHandler(sys.stderr))
    root = logging.getLogger()
    for handler in setup.handlers:
        handler.setFormatter(formatter)
        handler.addFilter(masking)
        root.addHandler(handler)
    app_logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    return setup
