"""Finding and masking API keys in text and JSON data before anything is written."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MASK = "****"


def secret_forms(secrets: Iterable[str]) -> list[str]:
    """Every spelling under which a secret can show up in JSON text, longest first.

    A key is usually plain ASCII, but JSON may escape quotes, backslashes or non-ASCII
    characters, so the escaped spellings are searched for as well.
    """
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms.add(secret)
        forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
        forms.add(json.dumps(secret, ensure_ascii=True)[1:-1])
    return sorted(forms, key=len, reverse=True)


def contains_secret(text: str, secrets: Iterable[str]) -> bool:
    return any(form in text for form in secret_forms(secrets))


def mask_text(text: str, secrets: Iterable[str]) -> str:
    for form in secret_forms(secrets):
        text = text.replace(form, MASK)
    return text


def mask_data(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of JSON-like ``value`` with every secret inside strings (and keys) masked."""
    plain = [s for s in secrets if s]
    if not plain:
        return value
    return _mask(value, sorted(set(plain), key=len, reverse=True))


def _mask(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, dict):
        return {_mask(k, secrets): _mask(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v, secrets) for v in value]
    return value
