"""Masking keys out of text bound for a log, a dialog or the clipboard.

Three kinds of secret are masked: every secret registered at run time (the keys the app holds, in
all their JSON spellings), anything shaped like a Courier key (``pk_prod_…``, ``dk_test_…``) and
the value after ``Bearer`` or after ``COURIER_API_KEY=`` / ``COURIER_AUTH_TOKEN=``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from profile_editor.storage.secretscan import MASK, secret_forms

# Courier keys: pk_/dk_ then prod_/test_ then the secret part. The prefix is kept: it says which
# kind of key was involved without giving any of it away.
_COURIER_KEY = re.compile(r"\b((?:pk|dk)_(?:prod|test)_)[A-Za-z0-9][A-Za-z0-9_\-]*")
_BEARER = re.compile(r"(\bBearer\s+)(?!\*{4})[^\s\"',;)\]}]+", re.IGNORECASE)
_ENV_ASSIGNMENT = re.compile(r"(\b(?:COURIER_API_KEY|COURIER_AUTH_TOKEN)\s*[=:]\s*['\"]?)[^\s'\"]+")

_lock = threading.Lock()
_registered: set[str] = set()


def register_secret(secret: str | None) -> None:
    """From now on ``secret`` is masked wherever :func:`mask_secrets` runs (blank values ignored)."""
    if secret:
        with _lock:
            _registered.add(secret)


def unregister_secret(secret: str | None) -> None:
    with _lock:
        _registered.discard(secret or "")


def registered_secrets() -> frozenset[str]:
    with _lock:
        return frozenset(_registered)


def mask_secrets(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` with every known secret and everything that looks like a key replaced by ``****``."""
    for form in secret_forms([*registered_secrets(), *extra]):
        text = text.replace(form, MASK)
    text = _COURIER_KEY.sub(lambda m: m.group(1) + MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _ENV_ASSIGNMENT.sub(lambda m: m.group(1) + MASK, text)


class SecretMaskingFilter(logging.Filter):
    """Masks the message, the traceback and the stack of every record a handler is given.

    Put on handlers, not loggers: a logger's filters only see records logged on that very logger,
    a handler's see everything that reaches it. The record is changed in place (the message is
    formatted once, here), so every handler after this one sees the masked text too.
    """

    def __init__(self) -> None:
        super().__init__()
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_secrets(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_secrets(record.stack_info)
        return True
