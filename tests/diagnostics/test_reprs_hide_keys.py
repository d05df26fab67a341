"""The objects that carry an API key never show it in their repr: a repr is what a log line, an
assertion message or a crash report prints."""

from __future__ import annotations

from pathlib import Path

import httpx

from profile_editor.bulk.session import BulkJob
from profile_editor.cli.context import Where
from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.transport import SharedClient
from profile_editor.core.methods import Method
from profile_editor.core.send.target import Target
from profile_editor.ui.environments.keys import KeyInfo
from profile_editor.ui.environments.start import SessionTarget
from profile_editor.ui.shell.window_config import WindowConfig

KEY = "sk_live_repr_must_not_show_this"


def test_no_repr_of_a_key_holder_shows_the_key(tmp_path: Path) -> None:
    http = SharedClient(httpx.HTTPTransport())
    client = ProfilesClient(http)
    try:
        holders: list[object] = [
            WindowConfig(base_url="https://api.courier.com", api_key=KEY, data_dir=tmp_path),
            SessionTarget("https://api.courier.com", KEY),
            KeyInfo(KEY, "keychain"),
            Where("https://api.courier.com", None, False, KEY),
            BulkJob(
                input_path=tmp_path / "rows.jsonl",
                method=Method.POST,
                target=Target(base_url="https://api.courier.com"),
                client=client,
                api_key=KEY,
            ),
        ]
        for holder in holders:
            assert KEY not in repr(holder), type(holder).__name__
            assert KEY not in str(holder), type(holder).__name__
    finally:
        http.close()


def test_whether_there_is_a_key_still_shows() -> None:
    assert "api_key='***'" in repr(SessionTarget("https://api.courier.com", KEY))
    assert "api_key=None" in repr(SessionTarget("https://api.courier.com", None))
