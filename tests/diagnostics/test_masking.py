"""The log filter masks the app's keys and anything that looks like a key."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from profile_editor.diagnostics.masking import (
    SecretMaskingFilter,
    mask_secrets,
    register_secret,
    unregister_secret,
)

RUNTIME_SECRET = "s3cr3t-not-shaped-like-a-key"


@pytest.fixture
def registered() -> Iterator[str]:
    register_secret(RUNTIME_SECRET)
    yield RUNTIME_SECRET
    unregister_secret(RUNTIME_SECRET)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key pk_prod_" + "ABCdef123456 used", "key pk_prod_**** used"),
        ("dk_test_abc-DEF_123, then", "dk_test_****, then"),
        ('{"auth": "dk_prod_' + '0123456789abcdef"}', '{"auth": "dk_prod_****"}'),
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer ****"),
        ("authorization: bearer xyz;", "authorization: bearer ****;"),
        ("COURIER_API_KEY=some-value rest", "COURIER_API_KEY=**** rest"),
        ("COURIER_AUTH_TOKEN: 'tok'", "COURIER_AUTH_TOKEN: '****'"),
        ("no secrets here, pk_prod_ alone", "no secrets here, pk_prod_ alone"),
        ("Bearer ****", "Bearer ****"),
    ],
)
def test_key_shaped_text_is_masked(text: str, expected: str) -> None:
    assert mask_secrets(text) == expected


def test_registered_secrets_are_masked_in_every_json_spelling(registered: str) -> None:
    assert registered not in mask_secrets(f"value={registered}!")
    odd = 'key"with\\quote'
    register_secret(odd)
    try:
        assert mask_secrets('{"k": "key\\"with\\\\quote"}') == '{"k": "****"}'
    finally:
        unregister_secret(odd)
    assert mask_secrets("x", extra=["x"]) == "****"


def test_the_filter_masks_message_arguments_traceback_and_stack(registered: str) -> None:
    record: logging.LogRecord
    try:
        raise RuntimeError(f"failed with {registered} and pk_test_abcdef123")
    except RuntimeError:
        record = logging.LogRecord(
            "profile_editor.x",
            logging.ERROR,
            __file__,
            1,
            "sent %s to %s",
            ("Bearer dk_prod_1234567890", registered),
            sys.exc_info(),
            sinfo=f"Stack (most recent call last):\n  token {registered}",
        )
    assert SecretMaskingFilter().filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert registered not in formatted
    assert "1234567890" not in formatted and "abcdef123" not in formatted
    assert "sent Bearer **** to ****" in formatted
    assert "RuntimeError: failed with **** and pk_test_****" in formatted
    assert "token ****" in formatted
