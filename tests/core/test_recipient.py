from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profile_editor.core.recipient import (
    Severity,
    check_recipient_id,
    encode_path_segment,
    profile_path,
)


@pytest.mark.parametrize("value", ["", "   ", " abc", "abc ", "\tabc", ".", "..", "a\nb"])
def test_unsendable_ids_are_errors(value: str) -> None:
    check = check_recipient_id(value)
    assert check.severity is Severity.ERROR
    assert not check.sendable
    assert check.message


@pytest.mark.parametrize("value", ["user@example.com", "+1 (555) 555-5555", "555-555-5555"])
def test_emails_and_phone_numbers_warn_but_send(value: str) -> None:
    check = check_recipient_id(value)
    assert check.severity is Severity.WARNING
    assert check.sendable


@pytest.mark.parametrize("value", ["0460766e-8463-4905-ae98-b72c7aef41d6", "user_42", "...", "a/b"])
def test_stable_ids_are_fine(value: str) -> None:
    assert check_recipient_id(value).severity is Severity.OK


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("a/b?c#d", "a%2Fb%3Fc%23d"),
        ("100%", "100%25"),
        ("a b", "a%20b"),
        ("zoë", "zo%C3%AB"),
        ("user@x:1;a=b,c+d!$&'()*~._-", "user@x:1;a=b,c+d!$&'()*~._-"),
        ("😀", "%F0%9F%98%80"),
        ('"<>[]\\^`{|}', "%22%3C%3E%5B%5D%5C%5E%60%7B%7C%7D"),
    ],
)
def test_encoding_matches_the_sdks(raw: str, encoded: str) -> None:
    assert encode_path_segment(raw) == encoded
    assert profile_path(raw) == "/profiles/" + encoded


@given(st.text(min_size=1).filter(lambda s: s < "\ud800" or True))
def test_encoding_is_one_segment_and_reversible(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return
    encoded = encode_path_segment(value)
    assert "/" not in encoded and "?" not in encoded and "#" not in encoded
    assert unquote(encoded, errors="strict") == value
