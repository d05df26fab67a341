"""A lone surrogate escape ("\\ud800") is valid JSON the strict reader accepts; what is sent and
logged must then carry it too, as the same escape, instead of failing to encode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import OutcomeKind, ProfileRequest
from profile_editor.core.http.transport import make_http_client
from profile_editor.core.methods import Method
from profile_editor.core.profile.jsoncodec import parse_profile
from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.history import HistoryEntry, HistoryLog

TYPED = '{"name": "\\ud83d", "pair": "\\ud83d\\ude00", "\\udc00key": ["\\udfff"]}'

# Any text at all: lone surrogates of both halves included.
# (st.text drops surrogates from any alphabet it is given; a list of characters keeps them.)
_text = st.lists(st.characters() | st.sampled_from("\ud800\udbff\udc00\udfff"), max_size=8).map(
    "".join
)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200)
@given(st.dictionaries(_text, _values, max_size=4), st.sampled_from(list(Method)))
def test_any_body_encodes_to_utf8_json_that_reads_back_equal(
    profile: dict[str, Any], method: Method
) -> None:
    request = ProfileRequest(
        "https://api.courier.com",
        "u",
        method,
        profile,
        [{"op": "test", "path": "/a", "value": profile}],
    )
    body = request.body_bytes()  # raised UnicodeEncodeError for a lone surrogate
    if body is None:
        assert method in (Method.GET, Method.DELETE)
        return
    # What the payload means as JSON: json.dumps writes it with escapes only, and an escaped
    # pair of halves reads back as the one character they make.
    assert json.loads(body.decode("utf-8")) == json.loads(json.dumps(request.payload()))


def test_a_typed_lone_surrogate_is_sent_stored_and_loaded_back(sandbox: SandboxServer) -> None:
    profile = parse_profile(TYPED)
    assert profile["name"] == "\ud83d" and profile["pair"] == "😀"
    http, _ = make_http_client()
    with http:
        client = ProfilesClient(http)
        put = client.execute(ProfileRequest(sandbox.url, "s", Method.PUT, profile), sandbox.key)
        assert put.kind is OutcomeKind.SUCCESS, put  # was "Unexpected error while sending"
        got = client.execute(ProfileRequest(sandbox.url, "s", Method.GET), sandbox.key)
    assert got.profile == profile


def test_a_send_with_a_lone_surrogate_is_kept_in_the_history(tmp_path: Path) -> None:
    log = HistoryLog(tmp_path / "history")
    entry = HistoryEntry(
        environment="Sandbox",
        base_url="http://127.0.0.1:1",
        method="PUT",
        recipient_id="s",
        request_body={"profile": parse_profile(TYPED)},
        status=200,
        outcome="success",
        duration_ms=1.0,
    )
    log.append(entry)  # raised UnicodeEncodeError
    [read] = log.entries()
    assert read.request_body == entry.request_body
