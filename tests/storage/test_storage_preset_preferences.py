"""A preset may keep staged subscription preference changes beside its profile; a history entry
of a preference, token or tenant write is never re-opened as a profile."""

from __future__ import annotations

import json

import pytest

from profile_editor.core.methods import Method
from profile_editor.core.send.draft import Draft, DraftError
from profile_editor.storage.conversions import draft_from_history, draft_to_preset
from profile_editor.storage.errors import BrokenFileError
from profile_editor.storage.history import HistoryEntry
from profile_editor.storage.presets import Preset

DRAFT = Draft("ada", Method.POST, None, "", {"email": "a@example.com"})


def test_preference_changes_round_trip_through_the_file() -> None:
    preset = draft_to_preset(DRAFT, "Opt out", {"weekly-digest": "OPTED_OUT"})
    text = preset.to_file_text()
    assert json.loads(text)["preferences"] == {"weekly-digest": "OPTED_OUT"}
    assert Preset.from_file_text(text).preferences == {"weekly-digest": "OPTED_OUT"}


def test_a_preset_without_changes_writes_no_preferences_member() -> None:
    text = draft_to_preset(DRAFT, "Plain", {}).to_file_text()
    assert "preferences" not in json.loads(text)


def test_a_preset_file_written_before_still_loads() -> None:
    old = {"schema_version": 1, "name": "Old", "recipient_id": "ada", "profile": {"a": 1}}
    preset = Preset.from_file_text(json.dumps(old))
    assert preset.preferences is None
    assert preset.profile == {"a": 1}


@pytest.mark.parametrize("status", ["REQUIRED", "opted_out", 1])
def test_a_status_a_user_cannot_choose_is_refused_naming_the_member(status: object) -> None:
    data = {"name": "Bad", "preferences": {"weekly-digest": status}}
    with pytest.raises(BrokenFileError, match="preferences"):
        Preset.from_file_text(json.dumps(data))


@pytest.mark.parametrize(
    ("resource", "tab"),
    [("preferences", "Preferences"), ("tokens", "Devices"), ("tenants", "Tenants")],
)
def test_a_preference_token_or_tenant_entry_is_not_reopened_as_a_profile(
    resource: str, tab: str
) -> None:
    # Its PUT body is not a profile: re-opened, it would have been a Replace with {}.
    entry = HistoryEntry(
        base_url="https://x.test",
        method="PUT",
        recipient_id="r",
        request_body={"topic": {"status": "OPTED_OUT"}},
        outcome="success",
        duration_ms=1,
        resource=resource,
    )
    with pytest.raises(DraftError, match=f"use the {tab} tab"):
        draft_from_history(entry)
