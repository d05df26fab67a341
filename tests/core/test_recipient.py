import re
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from profile_editor.core.http.models import ProfileRequest
from profile_editor.core.http.transport import make_http_client
from profile_editor.core.methods import Method
from profile_editor.core.recipient import (
    Severity,
    _recent_verdict,
    check_recipient_id,
    encode_path_segment,
    profile_path,
)
from profile_editor.sandbox.handler import _route
from profile_editor.sandbox.server import SandboxServer


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


# --- adversarial: any ID the rules allow travels as one segment and comes back unchanged ------

_TRICKY = "/?#%&=+;:@!$'()*,~. \t\x00\x7f\u00a0\u2028\u2029\ufeff\U0001f600\U0010ffff"
# Lone surrogates too (st.text would drop them from any alphabet).
_any_id = st.lists(st.characters() | st.sampled_from(_TRICKY + "\ud800\udfff"), max_size=24).map(
    "".join
)
_PCHAR = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})*")


@settings(max_examples=500)
@given(_any_id)
@example("\ud800")  # a lone surrogate: refused, not an exception
@example("%2F")  # already encoded once: encoded again, decoded to itself
@example("...")
@example("lists")
def test_an_allowed_id_is_one_path_segment_and_decodes_to_itself(value: str) -> None:
    check = check_recipient_id(value)  # never raises, whatever the text
    if not check.sendable:
        assert check.message
        return
    encoded = encode_path_segment(value)
    assert _PCHAR.fullmatch(encoded), encoded  # RFC 3986 pchar only: one segment, no ? or #
    assert encoded not in (".", "..")
    assert unquote(encoded, errors="strict") == value
    path = profile_path(value)
    assert path == "/profiles/" + encoded and path.count("/") == 2
    # The sandbox reads the same ID back from the path, also when it ends in "/lists".
    assert _route(path) == (value, False)
    assert _route(path + "/lists") == (value, True)


def test_allowed_ids_reach_the_sandbox_unchanged_through_the_apps_http_client(
    sandbox: SandboxServer,
) -> None:
    http, _ = make_http_client()

    @settings(max_examples=60, deadline=None)
    @given(_any_id.filter(lambda value: check_recipient_id(value).sendable))
    def check(value: str) -> None:
        request = ProfileRequest(sandbox.url, value, Method.GET)
        answer = http.get(request.url, headers=request.headers(sandbox.key))
        assert answer.status_code == 404  # no profile: the ID was read, and looked up
        assert sandbox.requests()[-1].recipient_id == value

    with http:
        check()


def test_the_same_id_is_checked_once_while_it_is_among_the_last_few(
    recipient_checks: list[str],
) -> None:
    checked = recipient_checks
    first = check_recipient_id("cached-user@example.com")
    assert check_recipient_id("cached-user@example.com") is first  # a verdict never changes
    assert first.severity is Severity.WARNING
    assert checked == ["cached-user@example.com"]
    # Only the last few are kept: a stream of new IDs (a bulk run) does not grow a table.
    for n in range(100):
        check_recipient_id(f"cached-{n}")
    assert _recent_verdict.cache_info().currsize <= 16
    check_recipient_id("cached-user@example.com")
    assert checked.count("cached-user@example.com") == 2


# --- the quick paths give what the byte-by-byte definitions give ------------------------------

_PCHAR_BYTES = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@"
)


def _encoded_byte_by_byte(value: str) -> str:
    return "".join(chr(b) if b in _PCHAR_BYTES else f"%{b:02X}" for b in value.encode("utf-8"))


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF, exclude_categories=["Cs"])))
def test_encoding_matches_its_byte_by_byte_definition(value: str) -> None:
    assert encode_path_segment(value) == _encoded_byte_by_byte(value)


@pytest.mark.parametrize("code", range(0x100))
def test_exactly_the_c0_controls_and_del_are_refused_as_control_characters(code: int) -> None:
    check = check_recipient_id(f"a{chr(code)}b")
    refused = check.message == "The recipient ID contains a control character."
    assert refused == (code < 0x20 or code == 0x7F)
