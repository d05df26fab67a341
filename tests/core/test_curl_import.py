"""Paste a cURL: the API reference's example, quoting, continuations, refusals, and a round trip."""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from profile_editor.core.http.models import ProfileRequest
from profile_editor.core.methods import Method
from profile_editor.core.profile.jsoncodec import dumps_compact
from profile_editor.core.send.curl_import import (
    MAX_COMMAND_CHARS,
    CurlImport,
    CurlProblem,
    _Refused,
    _split_words,
    looks_like_curl,
    parse_curl,
)

SEED = Path("/work/shared/seed/000_4372c230fde45e78.txt")
# The request example of Courier's API reference for POST /profiles/:recipient_id, verbatim.
REFERENCE_EXAMPLE = """curl --request POST \\
--url https://api.courier.com/profiles/0460766e-8463-4905-ae98-b72c7aef41d6 \\
--header 'Accept: application/json' \\
--header 'Content-Type: application/json' \\
--data '
{
"profile": {
"email": "user@example.com",
"phone_number": "555-555-5555"
}
}
'
"""
SEED_PROFILE = {"email": "user@example.com", "phone_number": "555-555-5555"}
SEED_ID = "0460766e-8463-4905-ae98-b72c7aef41d6"
KEY = "test_key_not_real_0123456789"


def _ok(text: str, **kwargs: Any) -> CurlImport:
    result = parse_curl(text, **kwargs)
    assert isinstance(result, CurlImport), result
    return result


def _refused(text: str) -> str:
    result = parse_curl(text)
    assert isinstance(result, CurlProblem), result
    assert result.message.endswith(".")
    assert "\n" not in result.message
    return result.message


# --- the reference example ------------------------------------------------------------------


def test_the_api_reference_example_verbatim() -> None:
    result = _ok(REFERENCE_EXAMPLE)
    assert result == CurlImport(Method.POST, "https://api.courier.com", SEED_ID, SEED_PROFILE)
    assert result.secret_api_key is None
    assert result.key_variable is None


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed page is not on this machine")
def test_the_example_cut_from_the_seed_page() -> None:
    page = SEED.read_text(encoding="utf-8")
    command = page[page.index("curl --request") : page.index("// Dependencies")]
    assert command == REFERENCE_EXAMPLE
    assert _ok(command).profile == SEED_PROFILE


@pytest.mark.parametrize(
    "text",
    [
        "$ " + REFERENCE_EXAMPLE,
        REFERENCE_EXAMPLE.replace("\n", "\r\n"),
        "\n\n  " + REFERENCE_EXAMPLE + "\n\n",
        REFERENCE_EXAMPLE.replace("--request POST", "-X POST"),
        REFERENCE_EXAMPLE.replace("--request POST", "-XPOST"),
        REFERENCE_EXAMPLE.replace("--request POST", "--request=POST"),
        REFERENCE_EXAMPLE.replace("--request POST", "--request post"),
        REFERENCE_EXAMPLE.replace("--request POST \\\n", ""),  # a body makes a POST
        REFERENCE_EXAMPLE.replace("--url ", ""),
        REFERENCE_EXAMPLE.replace("--url ", "--url="),
        REFERENCE_EXAMPLE.replace("--header", "-H"),
        REFERENCE_EXAMPLE.replace("--data", "-d"),
        REFERENCE_EXAMPLE.replace("--data", "--data-raw"),
        REFERENCE_EXAMPLE.replace("--data", "--data-binary"),
        REFERENCE_EXAMPLE.replace("--data", "--json"),
        REFERENCE_EXAMPLE.replace("curl ", "curl -s -S -L -i --compressed -k -v "),
        REFERENCE_EXAMPLE.replace("curl ", "curl -sSLi --max-time 30 -o out.json "),
        REFERENCE_EXAMPLE.replace("curl ", "/usr/bin/curl "),
        REFERENCE_EXAMPLE.replace(" \\\n", " "),  # one line
        REFERENCE_EXAMPLE.replace(" \\\n", "\n"),  # lines that lost their backslashes
        REFERENCE_EXAMPLE.replace(" \\\n", " \\\n    "),  # indented continuation lines
    ],
)
def test_spellings_of_the_same_request(text: str) -> None:
    result = _ok(text)
    assert (result.method, result.base_url, result.recipient_id, result.profile) == (
        Method.POST,
        "https://api.courier.com",
        SEED_ID,
        SEED_PROFILE,
    )


# --- quoting and continuations ----------------------------------------------------------------


def test_double_quoted_body_with_escaped_quotes_as_on_windows() -> None:
    text = 'curl -X PUT "https://api.courier.com/profiles/abc" -d "{\\"profile\\": {\\"name\\": \\"Ann \\\\\\"A\\\\\\"\\"}}"'
    result = _ok(text)
    assert result.method is Method.PUT
    assert result.profile == {"name": 'Ann "A"'}


def test_single_quote_inside_a_single_quoted_body() -> None:
    text = 'curl https://api.courier.com/profiles/abc --data \'{"profile": {"name": "O\'"\'"\'Brien"}}\''
    assert _ok(text).profile == {"name": "O'Brien"}


def test_a_backslash_newline_inside_single_quotes_is_data() -> None:
    # In single quotes the shell keeps both characters: here they make the body invalid JSON.
    message = _refused("curl https://api.courier.com/profiles/abc -d '{\"profile\": \\\n{}}'")
    assert message.startswith("The body is not valid JSON (Line 1, column")


def test_a_backslash_newline_inside_double_quotes_joins_the_lines() -> None:
    text = 'curl "https://api.courier.com/prof\\\niles/abc" -d "{\\"profile\\": {}}"'
    assert _ok(text).recipient_id == "abc"


def test_dollar_signs_and_hashes_stay_literal() -> None:
    text = 'curl https://api.courier.com/profiles/abc -d \'{"profile": {"p": "$HOME #1"}}\''
    assert _ok(text).profile == {"p": "$HOME #1"}


def test_unbalanced_quotes_are_refused() -> None:
    assert "cannot be read as a shell command" in _refused(
        "curl 'https://api.courier.com/profiles/a"
    )


# --- method, URL, recipient -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("curl https://api.courier.com/profiles/a", Method.GET),
        ("curl -X DELETE https://api.courier.com/profiles/a", Method.DELETE),
        ("curl -X GET https://api.courier.com/profiles/a", Method.GET),
    ],
)
def test_methods_without_a_body(text: str, method: Method) -> None:
    result = _ok(text)
    assert result.method is method
    assert result.profile is None
    assert result.patch is None


def test_a_patch_body() -> None:
    ops = [{"op": "replace", "path": "/email", "value": "b@example.com"}]
    text = f"curl -X PATCH https://api.courier.com/profiles/a -d '{json.dumps({'patch': ops})}'"
    result = _ok(text)
    assert result.method is Method.PATCH
    assert result.patch == ops
    assert result.profile is None


@pytest.mark.parametrize(
    ("url", "base_url", "recipient_id"),
    [
        ("https://api.courier.com/profiles/a%2Fb%3Fc%23d", "https://api.courier.com", "a/b?c#d"),
        ("https://api.courier.com/profiles/%E2%9C%93%20x%25", "https://api.courier.com", "✓ x%"),
        ("http://127.0.0.1:8765/profiles/user-1", "http://127.0.0.1:8765", "user-1"),
        (
            "HTTPS://proxy.example.com/courier/v1/profiles/u",
            "https://proxy.example.com/courier/v1",
            "u",
        ),
        ("https://api.courier.com/profiles/u#frag", "https://api.courier.com", "u"),
        ("https://api.courier.com/profiles/a+b", "https://api.courier.com", "a+b"),
    ],
)
def test_base_url_and_decoded_recipient_id(url: str, base_url: str, recipient_id: str) -> None:
    result = _ok(f"curl '{url}'")
    assert (result.base_url, result.recipient_id) == (base_url, recipient_id)


def test_a_known_base_url_is_matched_and_spelt_as_known() -> None:
    known = ["https://api.courier.com/", "https://api.eu.courier.com"]
    result = _ok("curl https://API.EU.courier.com:443/profiles/u", known_base_urls=known)
    assert result.known_base_url == "https://api.eu.courier.com"
    assert result.base_url == "https://api.eu.courier.com"
    assert _ok("curl https://api.courier.com/profiles/u", known_base_urls=known).known_base_url == (
        "https://api.courier.com/"
    )
    other = _ok("curl https://example.com/profiles/u", known_base_urls=known)
    assert other.known_base_url is None
    assert other.base_url == "https://example.com"
    refused = parse_curl(
        "curl https://example.com/profiles/u", known_base_urls=known, require_known=True
    )
    assert refused == CurlProblem(
        "The URL goes to https://example.com, which is none of your environments."
    )
    kept = parse_curl(
        "curl https://api.courier.com/profiles/u", known_base_urls=known, require_known=True
    )
    assert isinstance(kept, CurlImport)


# --- the key ----------------------------------------------------------------------------------


def test_a_bearer_key_is_returned_as_a_secret_and_never_shown() -> None:
    text = f"curl https://api.courier.com/profiles/u -H 'Authorization: Bearer {KEY}'"
    result = _ok(text)
    assert result.secret_api_key == KEY
    assert KEY not in repr(result)
    assert KEY not in str(result)
    assert KEY not in repr(result.to_request())
    assert result.key_variable is None
    assert result == _ok("curl https://api.courier.com/profiles/u")  # the key is not compared


@pytest.mark.parametrize(
    "header",
    [
        '"Authorization: Bearer $COURIER_API_KEY"',
        '"authorization: bearer ${COURIER_API_KEY}"',
        '"Authorization: Bearer $(cat ~/.courier-key)"',
    ],
)
def test_a_shell_variable_is_not_a_key(header: str) -> None:
    result = _ok(f"curl https://api.courier.com/profiles/u -H {header}")
    assert result.secret_api_key is None
    assert result.key_variable is not None
    assert result.key_variable.startswith("$")


def test_basic_authorization_is_refused() -> None:
    assert "Bearer" in _refused(
        "curl https://api.courier.com/profiles/u -H 'Authorization: Basic eA=='"
    )


# --- what cannot be mapped ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nothing to paste"),
        ("wget https://api.courier.com/profiles/u", "not a curl command"),
        ("curl", "has no URL"),
        ("curl https://api.courier.com/send -d '{}'", "/send, not /profiles/{id}"),
        ("curl https://api.courier.com/profiles/x/lists", "/profiles/x/lists, not a profile"),
        ("curl https://api.courier.com/profiles/", "no recipient ID"),
        ("curl https://api.courier.com/profiles", "not /profiles/{id}"),
        ("curl ftp://api.courier.com/profiles/u", "ftp://"),
        ("curl api.courier.com/profiles/u", "has no scheme"),
        ("curl https://api.courier.com/profiles/u?x=1", "has a query"),
        ("curl https://me:pw@api.courier.com/profiles/u", "user name or password"),
        ("curl https://api.courier.com/profiles/%FF", "not valid percent-encoded UTF-8"),
        ("curl https://a.example/profiles/u https://b.example/profiles/u", "more than one URL"),
        ("curl https://api.courier.com/profiles/u -F profile=@p.json", "form data (-F)"),
        ("curl https://api.courier.com/profiles/u --data-urlencode a=b", "URL-encoded form data"),
        ("curl https://api.courier.com/profiles/u -d @profile.json", "read from a file"),
        ("curl https://api.courier.com/profiles/u -u me:pw", "basic authentication"),
        ("curl -G https://api.courier.com/profiles/u -d x", "query string"),
        ("curl --frobnicate https://api.courier.com/profiles/u", "--frobnicate is not one"),
        ("curl -sZ https://api.courier.com/profiles/u", "-Z is not one"),
        ("curl -X HEAD https://api.courier.com/profiles/u", "not one of GET, POST"),
        ("curl https://api.courier.com/profiles/u -X", "-X has no value"),
        ("curl -X GET https://api.courier.com/profiles/u -d '{}'", "GET request has no body"),
        ("curl -X DELETE https://api.courier.com/profiles/u -d '{}'", "DELETE request has no body"),
        ("curl -X POST https://api.courier.com/profiles/u", "POST has no body"),
        ("curl -X PATCH https://api.courier.com/profiles/u", 'expects {"patch": […]}'),
        ("curl https://api.courier.com/profiles/u -d 'email=a'", "not valid JSON"),
        ("curl https://api.courier.com/profiles/u -d '{\"profile\": {}, }'", "not valid JSON"),
        ('curl https://api.courier.com/profiles/u -d \'{"a": 1, "a": 2}\'', "duplicate key"),
        ("curl https://api.courier.com/profiles/u -d '[]'", 'not a JSON object like {"profile"'),
        (
            'curl https://api.courier.com/profiles/u -d \'{"email": "a@b.c"}\'',
            'not wrapped in {"profile"',
        ),
        ("curl https://api.courier.com/profiles/u -d '{\"profile\": []}'", "not a JSON object"),
        (
            'curl https://api.courier.com/profiles/u -d \'{"profile": {}, "x": 1}\'',
            'besides "profile" (x)',
        ),
        ("curl https://api.courier.com/profiles/u -d '{\"patch\": []}'", "needs PATCH, not POST"),
        (
            "curl -X PATCH https://api.courier.com/profiles/u -d '{\"profile\": {}}'",
            "needs POST or PUT",
        ),
        (
            "curl -X PATCH https://api.courier.com/profiles/u -d '{\"patch\": {}}'",
            "not a JSON array",
        ),
        ("curl https://api.courier.com/profiles/u -d '{}' -d '{}'", "more than one body"),
    ],
)
def test_what_cannot_be_mapped_gets_one_clear_sentence(text: str, message: str) -> None:
    assert message in _refused(text)


def test_looks_like_curl() -> None:
    assert looks_like_curl(REFERENCE_EXAMPLE)
    assert looks_like_curl("$ curl https://x")
    assert looks_like_curl("  /usr/bin/curl -s x")
    assert not looks_like_curl("curly-user-7")
    assert not looks_like_curl("user@example.com")
    assert not looks_like_curl("")


# --- Copy as cURL, then Paste cURL, gives back the same draft ---------------------------------------

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_json = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
_profiles = st.dictionaries(st.text(), _json, max_size=5)
_patches = st.lists(
    st.dictionaries(st.sampled_from(["op", "path", "value", "from"]), _json), max_size=3
)
_base_urls = st.sampled_from(
    [
        "https://api.courier.com",
        "https://api.eu.courier.com",
        "http://127.0.0.1:8765",
        "https://proxy.example.com/courier/v1",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    _base_urls,
    st.text(min_size=1) | st.sampled_from(["a/b?c#d", "% 20", "'\"$`\\", "/", "?", "#"]),
    st.sampled_from(list(Method)),
    _profiles,
    _patches,
)
def test_copy_as_curl_then_paste_gives_the_same_draft(
    base_url: str,
    recipient_id: str,
    method: Method,
    profile: dict[str, Any],
    patch: list[dict[str, Any]],
) -> None:
    request = ProfileRequest(
        base_url=base_url, recipient_id=recipient_id, method=method, profile=profile, patch=patch
    )
    result = _ok(request.to_curl(), known_base_urls=[base_url])
    assert result.to_request() == ProfileRequest(
        base_url=base_url,
        recipient_id=recipient_id,
        method=method,
        profile=profile if method in (Method.POST, Method.PUT) else None,
        patch=patch if method is Method.PATCH else None,
    )
    # Exactly the same JSON, not just equal in Python (where 1 == 1.0 == True).
    sent: object = None
    if method in (Method.POST, Method.PUT):
        sent = profile
    elif method is Method.PATCH:
        sent = patch
    got = result.patch if method is Method.PATCH else result.profile
    assert dumps_compact(got) == dumps_compact(sent)
    assert result.known_base_url == base_url
    assert result.key_variable == "$COURIER_API_KEY"
    assert result.secret_api_key is None


# --- adversarial: any text at all, huge text, and Copy as cURL of anything ------------------------


def _old_split(text: str) -> list[str]:
    """The splitter this module used before (shlex after joining continued lines): the oracle.

    Quadratic in a word's length, so only for the short texts of the property below.
    """
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quote != "'":
            if text.startswith("\n", i + 1):
                i += 2
                continue
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch in "'\"" and (not quote or quote == ch):
            quote = "" if quote else ch
        out.append(ch)
        i += 1
    return shlex.split("".join(out), comments=False, posix=True)


_SHELLISH = " \t\n'\"\\$`#-=@:/?%&;|(){}[]*~.abcXdH"
_shellish = st.text(st.sampled_from(_SHELLISH) | st.characters(), max_size=40)


@settings(max_examples=400, deadline=None)
@given(_shellish)
@example("a\\\n  b")  # a continuation inside a word
@example("\"a\\\nb\" 'c\\\nd'")  # joined in double quotes, data in single quotes
@example('"\\a\\"\\\\\\$"')
@example("''")
def test_words_are_split_as_shlex_splits_them(text: str) -> None:
    try:
        expected: list[str] | None = _old_split(text)
    except ValueError:
        expected = None
    try:
        got: list[str] | None = _split_words(text)
    except _Refused:
        got = None
    assert got == expected


_options = st.sampled_from(
    ["-X", "-XPOST", "--request=PATCH", "-H", "--header", "-d", "--data-raw", "--json", "-sS",
     "--url", "-F", "--", "-", "--=", "-u", "@f", "'", '"', "\\", "\n", "$ ", "curl"]
)  # fmt: skip
_urls = st.sampled_from(
    ["https://api.courier.com/profiles/u", "http://h:99999/profiles/x", "http://h:x/profiles/x",
     "http://[::1/profiles/x", "https://h/profiles/%FF", "https://h/profiles/", "ftp://h/profiles/a",
     "http://u:p@h/profiles/a", "https://h/profiles/a?b", "https://h℀/profiles/a", "https://h/x"]
)  # fmt: skip
_bodies = st.sampled_from(
    ["'{\"profile\": {}}'", "'{\"patch\": []}'", "'[[[[[['", "'{\"a\": 1e999}'", "{", "'{}' '{}'"]
)
_commands = st.one_of(
    _shellish,
    st.lists(_options | _urls | _bodies | _shellish, max_size=8).map(
        lambda ws: "curl " + " ".join(ws)
    ),
    # Lone surrogates too (st.text would drop them from any alphabet).
    st.lists(st.characters() | st.sampled_from("\ud800\udfff"), max_size=30).map(
        lambda chars: "curl " + "".join(chars)
    ),
)


@settings(max_examples=400, deadline=None)
@given(_commands)
@example("curl http://h:99999/profiles/x")  # raised ValueError: Port out of range
@example("curl 'http://h:abc/profiles/x' -d '{\"profile\": {}}'")
@example("curl http://h/profiles/\ud800")  # raised UnicodeEncodeError
@example("curl -d '" + "[" * 5000 + "' http://h/profiles/x")  # raised RecursionError
@example("curl '\n-X\n' https://h/profiles/a")  # the refusal quoted a line break
def test_any_text_is_read_or_refused_in_one_sentence(text: str) -> None:
    result = parse_curl(text, known_base_urls=["https://api.courier.com", "http://h:99999"])
    if isinstance(result, CurlProblem):
        assert result.message.endswith(".")
        assert result.message.isprintable(), result.message  # one line, no control characters
        assert len(result.message) < 400
    else:
        assert isinstance(result, CurlImport)


def _timed_parse(text: str) -> tuple[CurlImport | CurlProblem, float]:
    started = time.perf_counter()
    result = parse_curl(text)
    return result, time.perf_counter() - started


def test_a_6_mb_profile_copied_as_curl_pastes_back_in_a_moment() -> None:
    # shlex built each word a character at a time: 6 s for 1 MB, minutes for 6 MB.
    profile = {f"key_{i:06d}": {"name": 'O\'Brien "x" ' + "n" * 60, "n": i} for i in range(60_000)}
    command = ProfileRequest("https://api.courier.com", "u", Method.PUT, profile).to_curl()
    assert len(command) > 6_000_000
    result, seconds = _timed_parse(command)
    assert isinstance(result, CurlImport) and result.profile == profile
    assert seconds < 5, seconds


@pytest.mark.parametrize(
    "text",
    [
        "curl " + "a \"b' c\\ " * 500_000,  # unbalanced, 4 MB
        "curl " + "'x'" * 1_000_000,  # one 1 MB word of many pieces
        "curl https://h/profiles/a -d " + '"' + '\\"' * 1_000_000 + '"',
    ],
)
def test_huge_text_is_answered_in_a_moment(text: str) -> None:
    result, seconds = _timed_parse(text)
    assert isinstance(result, CurlProblem | CurlImport)
    assert seconds < 5, seconds


def test_text_longer_than_any_curl_command_is_refused_unread() -> None:
    result, seconds = _timed_parse("curl " + "x" * MAX_COMMAND_CHARS)
    assert isinstance(result, CurlProblem) and "characters long" in result.message
    assert seconds < 1


_any_base_urls = st.builds(
    lambda scheme, host, port, prefix, slash: f"{scheme}://{host}{port}{prefix}{slash}",
    st.sampled_from(["http", "https"]),
    st.sampled_from(
        ["api.courier.com", "127.0.0.1", "[::1]", "localhost", "xn--bcher-kva.example"]
    ),
    st.sampled_from(["", ":1", ":8765", ":65535"]),
    st.sampled_from(["", "/courier", "/a/b/v1", "/profiles-proxy"]),
    st.sampled_from(["", "/"]),
)
# Any text but a lone surrogate, with the characters that matter to a shell, a URL and JSON.
_TRICKY = "'\"$`\\!*?#%/&;| \t\n\r\x00\x7f\u2028\u2029\ufeff\U0001f600"
_ids = st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(_TRICKY), min_size=1)
_strings = st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(_TRICKY), max_size=8)
_numbers = st.integers(-(2**80), 2**80) | st.sampled_from([-0.0, 1e300, 5e-324, 2**64 + 1, 1.5])
_any_json = st.recursive(
    st.none() | st.booleans() | _numbers | _strings,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_strings, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    _any_base_urls,
    _ids,
    st.sampled_from(list(Method)),
    st.dictionaries(_strings, _any_json, max_size=5),
    st.lists(
        st.dictionaries(st.sampled_from(["op", "path", "value", "from"]), _any_json), max_size=3
    ),
)
def test_copy_as_curl_of_anything_pastes_back_the_same_request(
    base_url: str, recipient_id: str, method: Method, profile: dict[str, Any], patch: list[Any]
) -> None:
    request = ProfileRequest(base_url, recipient_id, method, profile, patch)
    for known in ([], [base_url]):
        result = _ok(request.to_curl(), known_base_urls=known)
        assert result.method is method
        assert result.recipient_id == recipient_id
        assert result.base_url == (base_url if known else base_url.rstrip("/"))
        sent = request.payload()
        got = (
            None
            if sent is None
            else {next(iter(sent)): result.patch if method is Method.PATCH else result.profile}
        )
        assert got is None or json.dumps(got) == json.dumps(sent)  # types and key order too
        assert (result.key_variable, result.secret_api_key) == ("$COURIER_API_KEY", None)
