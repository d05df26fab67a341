"""The app's log: ``data_dir/logs/profile-editor.log``, rotated by size, keys masked.

Records of the app's own loggers (``profile_editor.*``) from INFO up and everyone else's warnings
go there; ``--verbose`` also prints them, with DEBUG, to stderr.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path

from profile_editor.diagnostics.masking import SecretMaskingFilter

APP_LOGGER = "profile_editor"
LOG_FILE_NAME = "profile-editor.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(process)d %(threadName)s] %(message)s"


def log_path_for(data_dir: Path) -> Path:
    return Path(data_dir) / "logs" / LOG_FILE_NAME


@dataclass
class LogSetup:
    """The handlers :func:`configure_logging` added; ``close()`` takes them away again."""

    path: Path
    handlers: list[logging.Handler] = field(default_factory=list)
    previous_app_level: int = logging.NOTSET

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
    file_handler = RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
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
